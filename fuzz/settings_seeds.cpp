// Writes real settings files through the application's own setters (ui/settings.h): the seed
// corpus of fuzz_settings.
//   fuzz_settings_seeds OUT_DIR

#include "settings.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QPoint>
#include <QRect>

#include <cstdio>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc != 2) {
        std::fprintf(stderr, "usage: fuzz_settings_seeds OUT_DIR\n");
        return 2;
    }
    const QDir out(QString::fromLocal8Bit(argv[1]));
    if (!QDir().mkpath(out.path()))
        return 1;

    // What a session of the main window leaves behind.
    const QString app1 = out.filePath(QStringLiteral("app.ini"));
    QFile::remove(app1);
    {
        rppg::Settings s(app1);
        s.addRecentFile(QStringLiteral("/home/user/videos/face, take 2.mp4"));
        s.addRecentFile(QStringLiteral("/home/user/videos/sample.mp4"));
        s.setLastDirectory(QStringLiteral("/home/user/videos"));
        // The shape of QMainWindow::saveGeometry() (magic, version, rectangles); the fuzzer only
        // needs bytes in the @ByteArray() form.
        s.setWindowGeometry(QByteArray::fromHex("01d9d0cb000300000000000000000000000005ff0000035b"));
        s.setWindowState(QByteArray::fromHex("000000ff00000000fd0000000200000000"));
        s.setMethod(QStringLiteral("pos"));
        s.setWindowSec(10);
        s.setBandLowHz(0.7);
        s.setBandHighHz(4.0);
        s.setDevice(QStringLiteral("auto"));
        s.setPlaybackMode(rppg::PlaybackMode::RealTime);
        s.setOverlayVisible(true);
        s.setOverlayOpacityPercent(45);
        s.setTheme(rppg::Theme::System);
        s.setCameraId(QStringLiteral("/dev/video0"));
        s.setCameraResolution(QSize(640, 480));
        s.setCameraFps(30);
        s.sync();
        if (s.status() != QSettings::NoError)
            return 1;
    }
    // Every other value of each enumerated setting, a full recent list, non-ASCII text.
    const QString app2 = out.filePath(QStringLiteral("app-other.ini"));
    QFile::remove(app2);
    {
        rppg::Settings s(app2);
        for (int i = 0; i < rppg::Settings::kMaxRecentFiles + 2; ++i)
            s.addRecentFile(QStringLiteral("/data/录像 %1.mkv").arg(i));
        s.setLastDirectory(QStringLiteral("/data/录像"));
        s.setMethod(QStringLiteral("stven+rppgnet"));
        s.setWindowSec(30.5);
        s.setBandLowHz(1.2);
        s.setBandHighHz(2.8);
        s.setDevice(QStringLiteral("cuda:1"));
        s.setPlaybackMode(rppg::PlaybackMode::AsFastAsPossible);
        s.setOverlayVisible(false);
        s.setOverlayOpacityPercent(100);
        s.setTheme(rppg::Theme::Dark);
        s.setLanguage(QStringLiteral("zh_CN"));
        s.setCameraId(QStringLiteral("usb-046d:0825 \"HD Webcam\""));
        s.setCameraResolution(QSize(1920, 1080));
        s.setCameraFps(59.94);
        s.sync();
        if (s.status() != QSettings::NoError)
            return 1;
    }
    // Values of the wrong types under the right keys, in the forms QSettings writes them
    // (@Variant, @DateTime, @Rect, @Point, lists), so the fuzzer meets those grammars too.
    const QString typed = out.filePath(QStringLiteral("wrong-types.ini"));
    QFile::remove(typed);
    {
        QSettings q(typed, QSettings::IniFormat);
        q.setValue(QStringLiteral("analysis/windowSec"), QVariantMap{{QStringLiteral("sec"), 10}});
        q.setValue(QStringLiteral("analysis/bandLowHz"), QVariantList{0.7, QStringLiteral("x")});
        q.setValue(QStringLiteral("analysis/bandHighHz"), QPoint(4, 1));
        q.setValue(QStringLiteral("analysis/method"), QStringList{QStringLiteral("pos"), QStringLiteral("chrom")});
        q.setValue(QStringLiteral("camera/resolution"), QRect(0, 0, 640, 480));
        q.setValue(QStringLiteral("camera/fps"), QDateTime(QDate(2024, 1, 2), QTime(3, 4, 5), Qt::UTC));
        q.setValue(QStringLiteral("files/recent"), 42);
        q.setValue(QStringLiteral("window/geometry"), QStringLiteral("not bytes"));
        q.setValue(QStringLiteral("view/overlayVisible"), QSize(1, 1));
        q.sync();
        if (q.status() != QSettings::NoError)
            return 1;
    }
    std::printf("settings seeds: %s\n", qPrintable(out.path()));
    return 0;
}
