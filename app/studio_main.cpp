// rppg-studio: the desktop application. All logic lives in rppg_ui and the libraries below it.
#include "mainwindow.h"
#ifdef RPPG_WITH_TORCH
#include "modelsadapter.h"
#endif
#include "rppg_version.h"
#include "settings.h"
#include "theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include <memory>

int main(int argc, char **argv)
{
    // Qt 6.4's GStreamer backend cannot decode H.264 without extra plugins.
    qputenv("QT_MEDIA_BACKEND", "ffmpeg");
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("rPPG Studio"));
    QApplication::setOrganizationName(QStringLiteral("rppg-studio"));
    QApplication::setApplicationVersion(QStringLiteral(RPPG_VERSION_STRING));
#ifdef RPPG_WITH_TORCH
    rppg::registerNeuralMethods();
#endif
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Heart rate from facial video"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("video"), QStringLiteral("Video file to analyse"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        QStringLiteral("Save the window as PNG (at --screenshot-at, else when the analysis ends), then quit."),
                                        QStringLiteral("file"));
    const QCommandLineOption screenshotAt(QStringLiteral("screenshot-at"),
                                          QStringLiteral("Media time in seconds at which --screenshot is taken."),
                                          QStringLiteral("seconds"));
    const QCommandLineOption theme(QStringLiteral("theme"), QStringLiteral("light, dark or system (remembered)."),
                                   QStringLiteral("name"));
    const QCommandLineOption method(QStringLiteral("method"), QStringLiteral("Pulse method (registry name)."),
                                    QStringLiteral("name"));
    parser.addOptions({screenshot, screenshotAt, theme, method});
    parser.process(app);

    if (parser.isSet(theme)) {
        const QString t = parser.value(theme);
        rppg::Settings().setTheme(t == QLatin1String("dark")    ? rppg::Theme::Dark
                                  : t == QLatin1String("light") ? rppg::Theme::Light
                                                                : rppg::Theme::System);
    }
    rppg::MainWindow window;
    window.show();
    if (parser.isSet(method))
        window.setMethod(parser.value(method));
    if (parser.isSet(screenshot)) {
        const QString out = parser.value(screenshot);
        auto taken = std::make_shared<bool>(false);
        auto save = [&window, out, taken] {
            if (*taken)
                return;
            *taken = true;
            const bool saved = window.grab().save(out);
            QCoreApplication::exit(saved ? 0 : 8);
        };
        if (parser.isSet(screenshotAt)) {
            const double at = parser.value(screenshotAt).toDouble();
            QObject::connect(&window, &rppg::MainWindow::updateShown, &app, [&window, at, save] {
                const auto u = window.lastUpdate();
                if (u && (u->timeSec >= at || u->endOfStream))
                    QTimer::singleShot(100, &window, save);   // let the plots' queued replot run
            });
        } else {
            QObject::connect(&window, &rppg::MainWindow::analysisFinished, &app,
                             [&window, save] { QTimer::singleShot(100, &window, save); });
        }
    }
    if (!parser.positionalArguments().isEmpty())
        window.openFile(parser.positionalArguments().first());
    return app.exec();
}
