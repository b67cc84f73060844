#include "resourcepaths.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace rppg {

namespace {

QStringList candidateDirs()
{
    QStringList dirs;
    const QByteArray env = qgetenv("RPPG_RESOURCE_DIR");
    if (!env.isEmpty())
        dirs << QString::fromLocal8Bit(env);
    if (QCoreApplication::instance()) {
        const QString exeDir = QCoreApplication::applicationDirPath();
        dirs << exeDir + QStringLiteral("/../share/rppg-studio")  // installed layout
             << exeDir + QStringLiteral("/../../resources");     // build/bin inside the source tree
    }
    dirs << QStringLiteral(RPPG_SOURCE_DIR "/resources") << QStringLiteral(RPPG_INSTALL_DATADIR);
    return dirs;
}

} // namespace

QString resourceDir()
{
    for (const QString &dir : candidateDirs()) {
        if (QFileInfo(dir + QStringLiteral("/faces")).isDir())
            return QDir(dir).canonicalPath();
    }
    return {};
}

QString resourcePath(const QString &relativePath)
{
    for (const QString &dir : candidateDirs()) {
        const QFileInfo fi(dir + QLatin1Char('/') + relativePath);
        if (fi.exists())
            return fi.canonicalFilePath();
    }
    return {};
}

} // namespace rppg
