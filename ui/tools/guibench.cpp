// rppg_gui_bench: responsiveness of the main window while it analyses a file in real-time
// playback. A 5 ms watchdog timer on the GUI thread records the longest gap between its ticks (a
// stall of the event loop); the window's count of frames drawn gives the display rate; the wall
// time from opening the file to the first heart rate on screen is reported too.
//
//   rppg_gui_bench [VIDEO] [--method NAME] [--seconds N] [--delay S]
// --delay opens the file S seconds after the window appears (the face model loads at start-up,
// as when a user opens a file in a running application); times count from the opening.
// Run headless with QT_QPA_PLATFORM=offscreen or under xvfb-run. Settings go to a temporary folder.

#include "mainwindow.h"
#include "resourcepaths.h"
#include "settings.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>

#include <cmath>
#include <cstdio>

int main(int argc, char **argv)
{
    qputenv("QT_MEDIA_BACKEND", "ffmpeg");
    QTemporaryDir config;
    qputenv("XDG_CONFIG_HOME", config.path().toUtf8());
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("rppg-studio-bench"));
    QApplication::setApplicationName(QStringLiteral("rppg_gui_bench"));

    QString video = rppg::resourcePath(QStringLiteral("samples/sample.mp4"));
    QString method = QStringLiteral("pos");
    double seconds = 24;
    double delaySec = 0;
    const QStringList args = app.arguments();
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--method") && i + 1 < args.size())
            method = args[++i];
        else if (args[i] == QLatin1String("--seconds") && i + 1 < args.size())
            seconds = args[++i].toDouble();
        else if (args[i] == QLatin1String("--delay") && i + 1 < args.size())
            delaySec = args[++i].toDouble();
        else
            video = args[i];
    }
    {
        rppg::Settings s;
        s.setPlaybackMode(rppg::PlaybackMode::RealTime);
        s.setMethod(method);
    }

    rppg::MainWindow window;
    window.resize(1360, 860);
    window.show();

    QElapsedTimer wall;
    double worstGapMs = 0;
    int gapsOver50 = 0;
    qint64 lastTickNs = -1;
    QTimer watchdog;
    watchdog.setTimerType(Qt::PreciseTimer);
    watchdog.setInterval(5);
    QObject::connect(&watchdog, &QTimer::timeout, [&] {
        const qint64 now = wall.nsecsElapsed();
        if (lastTickNs >= 0 && now > 2'000'000'000LL) {   // after start-up (model load, first show)
            const double gapMs = (now - lastTickNs) / 1e6 - 5.0;
            worstGapMs = std::max(worstGapMs, gapMs);
            gapsOver50 += gapMs > 50 ? 1 : 0;
        }
        lastTickNs = now;
    });

    double firstHrWallSec = -1, firstHrMediaSec = -1;
    QObject::connect(&window, &rppg::MainWindow::updateShown, [&] {
        const auto u = window.lastUpdate();
        if (firstHrWallSec < 0 && u && std::isfinite(u->hrBpm)) {
            firstHrWallSec = wall.nsecsElapsed() / 1e9;
            firstHrMediaSec = u->timeSec;
        }
    });

    int64_t framesAt2s = 0;
    QTimer::singleShot(int(delaySec * 1000) + 2000, [&] { framesAt2s = window.framesDrawn(); });
    QTimer::singleShot(int((delaySec + seconds) * 1000), [&] {
        const double span = seconds - 2.0;
        const double displayFps = (window.framesDrawn() - framesAt2s) / span;
        const auto u = window.lastUpdate();
        std::printf("video: %s\nmethod: %s\n", qPrintable(video), qPrintable(method));
        std::printf("display: %.1f frames/s drawn over %.0f s (real-time playback)\n", displayFps, span);
        std::printf("processing: %.1f frames/s, %llu dropped\n", u ? u->processingFps : 0.0,
                    u ? (unsigned long long)u->droppedFrames : 0ULL);
        std::printf("GUI thread: longest stall %.1f ms, %d stalls over 50 ms\n", worstGapMs, gapsOver50);
        std::printf("first heart rate: %.1f s after opening (media time %.1f s)\n", firstHrWallSec,
                    firstHrMediaSec);
        window.close();
        QCoreApplication::exit(0);
    });
    QTimer::singleShot(int(delaySec * 1000), [&] {
        wall.start();
        watchdog.start();
        window.openFile(video);
    });
    return app.exec();
}
