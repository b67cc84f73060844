// rppg_gui_bench: responsiveness of the main window while it analyses a file in real-time
// playback. A 5 ms watchdog timer on the GUI thread records the longest gap between its ticks (a
// stall of the event loop); the window's count of frames drawn gives the display rate; the wall
// time from opening the file to the first heart rate on screen is reported too.
//
//   rppg_gui_bench [VIDEO] [--method NAME] [--compare LIST] [--fast] [--seconds N] [--delay S]
// --delay opens the file S seconds after the window appears (the face model loads at start-up,
// as when a user opens a file in a running application); times count from the opening.
// --compare runs other methods beside the main one (Compare with); --fast plays "as fast as
// possible" instead of in real time, and the whole-file throughput is reported when the file ends
// within --seconds.
// Run headless with QT_QPA_PLATFORM=offscreen or under xvfb-run. Settings go to a temporary folder.

#include "mainwindow.h"
#ifdef RPPG_WITH_TORCH
#include "modelsadapter.h"
#endif
#include "resourcepaths.h"
#include "settings.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>

#include <cmath>
#include <functional>
#include <cstdio>

int main(int argc, char **argv)
{
    qputenv("QT_MEDIA_BACKEND", "ffmpeg");
    QTemporaryDir config;
    qputenv("XDG_CONFIG_HOME", config.path().toUtf8());
    QApplication app(argc, argv);
#ifdef RPPG_WITH_TORCH
    rppg::registerNeuralMethods();
#endif
    QApplication::setOrganizationName(QStringLiteral("rppg-studio-bench"));
    QApplication::setApplicationName(QStringLiteral("rppg_gui_bench"));

    QString video = rppg::resourcePath(QStringLiteral("samples/sample.mp4"));
    QString method = QStringLiteral("pos");
    double seconds = 24;
    double delaySec = 0;
    QStringList compare;
    bool fast = false;
    const QStringList args = app.arguments();
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--method") && i + 1 < args.size())
            method = args[++i];
        else if (args[i] == QLatin1String("--seconds") && i + 1 < args.size())
            seconds = args[++i].toDouble();
        else if (args[i] == QLatin1String("--delay") && i + 1 < args.size())
            delaySec = args[++i].toDouble();
        else if (args[i] == QLatin1String("--compare") && i + 1 < args.size())
            compare = args[++i].split(QLatin1Char(','), Qt::SkipEmptyParts);
        else if (args[i] == QLatin1String("--fast"))
            fast = true;
        else
            video = args[i];
    }
    {
        rppg::Settings s;
        s.setPlaybackMode(fast ? rppg::PlaybackMode::AsFastAsPossible : rppg::PlaybackMode::RealTime);
        s.setMethod(method);
        s.setCompareMethods(compare);
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

    bool reported = false;
    std::function<void()> report;   // prints the figures and quits (set below)
    double firstHrWallSec = -1, firstHrMediaSec = -1, endWallSec = -1;
    int64_t endFrames = 0;
    QObject::connect(&window, &rppg::MainWindow::updateShown, [&] {
        const auto u = window.lastUpdate();
        if (endWallSec < 0 && u && u->endOfStream) {
            endWallSec = wall.nsecsElapsed() / 1e9;
            endFrames = u->framesAnalysed;
            if (fast)   // the file is done: report now (after this slot returns)
                QTimer::singleShot(0, [&] { report(); });
        }
        if (firstHrWallSec < 0 && u && std::isfinite(u->hrBpm)) {
            firstHrWallSec = wall.nsecsElapsed() / 1e9;
            firstHrMediaSec = u->timeSec;
        }
    });

    int64_t framesAt2s = 0;
    QTimer::singleShot(int(delaySec * 1000) + 2000, [&] { framesAt2s = window.framesDrawn(); });
    report = [&] {
        if (reported)
            return;
        reported = true;
        const double span = std::min(seconds, wall.nsecsElapsed() / 1e9) - 2.0;
        const double displayFps = (window.framesDrawn() - framesAt2s) / span;
        const auto u = window.lastUpdate();
        // What really ran (a method this build lacks falls back to POS with a message).
        QStringList ran;
        if (u)
            for (const auto &m : u->compare)
                ran << m.method;
        std::printf("video: %s\nmethod: %s\ncompared: %s\n", qPrintable(video),
                    u ? qPrintable(u->method) : qPrintable(method),
                    ran.isEmpty() ? "none" : qPrintable(ran.join(QLatin1Char(','))));
        if (span >= 1.0)
            std::printf("display: %.1f frames/s drawn over %.0f s (%s playback)\n", displayFps, span,
                        fast ? "as fast as possible" : "real-time");
        else
            std::printf("display: not measured (the file ended within the first 3 s)\n");
        if (endWallSec > 0)
            std::printf("whole file: %lld frames analysed in %.1f s = %.1f frames/s (file opening and model load included)\n",
                        (long long)endFrames, endWallSec, endFrames / endWallSec);
        std::printf("processing: %.1f frames/s, %llu dropped\n", u ? u->processingFps : 0.0,
                    u ? (unsigned long long)u->droppedFrames : 0ULL);
        std::printf("GUI thread: longest stall %.1f ms, %d stalls over 50 ms\n", worstGapMs, gapsOver50);
        std::printf("first heart rate: %.1f s after opening (media time %.1f s)\n", firstHrWallSec,
                    firstHrMediaSec);
        window.close();
        QCoreApplication::exit(0);
    };
    QTimer::singleShot(int((delaySec + seconds) * 1000), report);
    QTimer::singleShot(int(delaySec * 1000), [&] {
        wall.start();
        watchdog.start();
        window.openFile(video);
    });
    return app.exec();
}
