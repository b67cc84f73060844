// rppg-studio: the desktop application. All logic lives in rppg_ui and the libraries below it.
#include "mainwindow.h"
#ifdef RPPG_WITH_TORCH
#include "modelsadapter.h"
#endif
#include "rppg_version.h"

#include <QApplication>
#include <QCommandLineParser>

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
                                        QStringLiteral("Save the window as PNG once the analysis ends, then quit."),
                                        QStringLiteral("file"));
    parser.addOption(screenshot);
    parser.process(app);

    rppg::MainWindow window;
    window.show();
    if (parser.isSet(screenshot)) {
        const QString out = parser.value(screenshot);
        QObject::connect(&window, &rppg::MainWindow::analysisFinished, &app, [&window, out] {
            const bool saved = window.grab().save(out);
            QCoreApplication::exit(saved ? 0 : 8);
        });
    }
    if (!parser.positionalArguments().isEmpty())
        window.openFile(parser.positionalArguments().first());
    return app.exec();
}
