#pragma once

// Helpers shared by the libFuzzer targets: a private temporary folder per process, and writing the
// fuzzer's bytes to a file in it (the parsers under test read paths, not memory).

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QString>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <unistd.h>

namespace rppg::fuzz {

// One QCoreApplication for the process (some Qt classes want one) and a scratch folder that is
// removed at exit. The folder lives under $RPPG_FUZZ_TMP or /tmp (tmpfs keeps it fast).
inline const QString &scratchDir()
{
    static const QString dir = [] {
        static int argc = 1;
        static char name[] = "rppg_fuzz";
        static char *argv[] = {name, nullptr};
        if (!QCoreApplication::instance())
            new QCoreApplication(argc, argv);   // lives for the process
        const QByteArray base = qgetenv("RPPG_FUZZ_TMP").isEmpty() ? QByteArray("/tmp") : qgetenv("RPPG_FUZZ_TMP");
        const QString d = QString::fromLocal8Bit(base) + QStringLiteral("/rppg-fuzz-%1").arg(::getpid());
        QDir().mkpath(d);
        std::atexit([] { QDir(QString::fromLocal8Bit(qgetenv("RPPG_FUZZ_TMP").isEmpty() ? QByteArray("/tmp") : qgetenv("RPPG_FUZZ_TMP"))
                                  + QStringLiteral("/rppg-fuzz-%1").arg(::getpid())).removeRecursively(); });
        return d;
    }();
    return dir;
}

// Writes `data` to <scratch>/<name> (replacing it) and returns the path.
inline QString writeInput(const QString &name, const uint8_t *data, size_t size)
{
    const QString path = scratchDir() + QLatin1Char('/') + name;
    QFile f(path);
    if (f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        f.write(reinterpret_cast<const char *>(data), static_cast<qint64>(size));
    return path;
}

} // namespace rppg::fuzz
