// No data lost (issue 6, item 5): the real `rppg analyze --csv` is interrupted with SIGINT or
// SIGTERM at moments spread over its whole run (start-up, decoding, analysis, the CSV write, the
// exit). Whatever the moment, the target path holds either the previous file, byte for byte, or a
// complete new CSV (every frame's row), and no temporary file is left in the folder.

#include "videoencoder.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <opencv2/core.hpp>

#include <csignal>
#include <cmath>

using namespace rppg;

namespace {

constexpr int kFrames = 1800;   // 60 s at 30 fps: a CSV of 1800 rows

QString makeVideo(const QString &path)
{
    VideoEncoder enc;
    EncoderSettings es;
    es.codec = QStringLiteral("ffv1");
    es.width = 160;
    es.height = 120;
    es.fps = 30;
    if (enc.open(path, es).isError())
        return {};
    for (int k = 0; k < kFrames; ++k) {
        const double s = std::sin(6.283185307179586 * 1.2 * k / 30.0);
        cv::Mat m(120, 160, CV_8UC3, cv::Scalar(120 + s, 150 + 3 * s, 200 + 1.5 * s));
        if (enc.write(m).isError())
            return {};
    }
    return enc.finish().isError() ? QString() : path;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// A complete analysis CSV: '#' metadata, a header, one row per frame, ending with a newline.
bool isCompleteCsv(const QByteArray &bytes, QString *why)
{
    if (!bytes.endsWith('\n')) {
        *why = QStringLiteral("does not end with a newline");
        return false;
    }
    int rows = 0;
    bool header = false;
    for (const QByteArray &line : bytes.split('\n')) {
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        if (!header) {
            header = true;
            continue;
        }
        ++rows;
    }
    if (rows != kFrames) {
        *why = QStringLiteral("%1 rows instead of %2").arg(rows).arg(kFrames);
        return false;
    }
    return true;
}

} // namespace

class TstAtomicExport : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_video;
    qint64 m_runMs = 0;

    QStringList args(const QString &csv) const
    {
        return {QStringLiteral("analyze"), m_video, QStringLiteral("--roi"), QStringLiteral("full"), QStringLiteral("--csv"),
                csv, QStringLiteral("--no-progress"), QStringLiteral("--json")};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_video = makeVideo(m_dir.filePath(QStringLiteral("pulse.mkv")));
        QVERIFY(!m_video.isEmpty());
        // An uninterrupted run: it succeeds, writes a complete CSV, and tells how long a run takes.
        const QString out = m_dir.filePath(QStringLiteral("full/out.csv"));
        QVERIFY(QDir().mkpath(QFileInfo(out).path()));
        QProcess p;
        QElapsedTimer t;
        t.start();
        p.start(QStringLiteral(RPPG_CLI_PATH), args(out));
        QVERIFY(p.waitForFinished(120000));
        m_runMs = t.elapsed();
        QCOMPARE(p.exitCode(), 0);
        QString why;
        QVERIFY2(isCompleteCsv(readAll(out), &why), qPrintable(why));
    }

    void interrupted_data()
    {
        QTest::addColumn<int>("signal");
        QTest::addColumn<double>("fraction");   // of an uninterrupted run's duration
        for (int sig : {SIGINT, SIGTERM})
            for (double f : {0.02, 0.1, 0.3, 0.5, 0.7, 0.85, 0.92, 0.96, 0.98, 1.0, 1.02})
                QTest::newRow(qPrintable(QStringLiteral("%1 at %2").arg(sig == SIGINT ? "SIGINT" : "SIGTERM").arg(f)))
                    << sig << f;
    }
    void interrupted()
    {
        QFETCH(int, signal);
        QFETCH(double, fraction);
        const QString dir = m_dir.filePath(QStringLiteral("run_%1_%2").arg(signal).arg(int(fraction * 100)));
        QVERIFY(QDir().mkpath(dir));
        const QString out = dir + QStringLiteral("/result.csv");
        const QByteArray previous = "# the previous export, which must survive an interrupted run\nframe,time_s\n0,0\n";
        {
            QFile f(out);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(previous);
        }
        QProcess p;
        p.start(QStringLiteral(RPPG_CLI_PATH), args(out));
        QVERIFY(p.waitForStarted());
        QThread::msleep(static_cast<unsigned long>(std::max<qint64>(1, qint64(m_runMs * fraction))));
        if (p.state() == QProcess::Running)
            ::kill(pid_t(p.processId()), signal);
        QVERIFY(p.waitForFinished(120000));

        const QByteArray now = readAll(out);
        qInfo("signal after %lld ms: %s", static_cast<long long>(m_runMs * fraction),
              p.exitStatus() == QProcess::CrashExit ? "killed before the handler was installed"
              : p.exitCode() == 0                   ? "finished, new file"
              : p.exitCode() == 11                  ? (now == previous ? "cancelled, previous file kept" : "cancelled, new file")
                                                    : "other exit");
        if (p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0) {
            QString why;
            QVERIFY2(isCompleteCsv(now, &why), qPrintable(QStringLiteral("exit 0 but the CSV is incomplete: ") + why));
        } else {
            // Cancelled (exit 11), or killed by the signal before its handler was installed.
            QVERIFY2(p.exitStatus() == QProcess::CrashExit || p.exitCode() == 11,
                     qPrintable(QStringLiteral("exit %1").arg(p.exitCode())));
            QString why;
            QVERIFY2(now == previous || isCompleteCsv(now, &why), "neither the previous file nor a complete new one");
        }
        const QStringList left = QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::System);
        QCOMPARE(left, QStringList{QStringLiteral("result.csv")});
    }
};

QTEST_GUILESS_MAIN(TstAtomicExport)
#include "tst_atomicexport.moc"
