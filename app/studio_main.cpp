// rppg-studio: the desktop application. All logic lives in rppg_ui and the libraries below it.
#include "mainwindow.h"
#ifdef RPPG_WITH_TORCH
#include "modelsadapter.h"
#endif
#include "analysisconfig.h"
#include "buildinfo.h"
#include "codeccomparisonview.h"
#include "i18n.h"
#include "rppg_version.h"
#include "settings.h"
#include "theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QTimer>

#include <cstdio>
#include <memory>
#include <utility>

int main(int argc, char **argv)
{
    // Qt 6.4's GStreamer backend cannot decode H.264 without extra plugins.
    qputenv("QT_MEDIA_BACKEND", "ffmpeg");
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("rPPG Studio"));
    QApplication::setOrganizationName(QStringLiteral("rppg-studio"));
    QApplication::setApplicationVersion(QStringLiteral(RPPG_VERSION_STRING));
    QApplication::setDesktopFileName(QStringLiteral("io.github.rppgstudio.RppgStudio"));
    {
        QIcon icon;
        for (int size : {16, 32, 48, 64, 128, 256})
            icon.addFile(QStringLiteral(":/icons/hicolor/%1x%1/apps/rppg-studio.png").arg(size));
        QApplication::setWindowIcon(icon);
    }
#ifdef RPPG_WITH_TORCH
    rppg::registerNeuralMethods();
#ifdef RPPG_TORCH_VERSION
    rppg::registerComponent({QStringLiteral("libtorch"), QStringLiteral(RPPG_TORCH_VERSION),
                             QStringLiteral("BSD-3-Clause"), QStringLiteral("https://pytorch.org/")});
#endif
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
    const QCommandLineOption compare(QStringLiteral("compare"),
                                     QStringLiteral("Methods compared live beside --method, e.g. chrom,green (remembered; "
                                                    "\"none\" clears)."),
                                     QStringLiteral("list"));
    const QCommandLineOption witness(QStringLiteral("witness"),
                                     QStringLiteral("on or off: check networks against POS and GREEN (remembered; "
                                                    "off is rppg analyze's --witness none)."),
                                     QStringLiteral("on|off"));
    parser.addOptions({screenshot, screenshotAt, theme, method, compare, witness});
    const QCommandLineOption lang(QStringLiteral("lang"),
                                  QStringLiteral("User-interface language: en, zh_CN or system (default: the setting "
                                                 "ui/language, else the system's)."),
                                  QStringLiteral("language"));
    parser.addOption(lang);
    const QCommandLineOption compareCodecs(QStringLiteral("compare-codecs"),
                                           QStringLiteral("Open only the codec comparison view on VIDEO."),
                                           QStringLiteral("video"));
    parser.addOption(compareCodecs);
    const QCommandLineOption codecs(QStringLiteral("codecs"),
                                    QStringLiteral("With --compare-codecs: codecs (e.g. x264,x265,mpeg4)."),
                                    QStringLiteral("list"));
    parser.addOption(codecs);
    const QCommandLineOption bitrates(QStringLiteral("bitrates"),
                                      QStringLiteral("With --compare-codecs: bit rates (e.g. 250k,500k)."),
                                      QStringLiteral("list"));
    parser.addOption(bitrates);
    const QCommandLineOption methods(QStringLiteral("methods"),
                                     QStringLiteral("With --compare-codecs: methods (e.g. pos,chrom)."),
                                     QStringLiteral("list"));
    parser.addOption(methods);
    const QCommandLineOption run(QStringLiteral("run"),
                                 QStringLiteral("With --compare-codecs: start the comparison at once (implied by --screenshot)."));
    parser.addOption(run);
    parser.process(app);
    if (parser.isSet(witness) && parser.value(witness) != QLatin1String("on")
        && parser.value(witness) != QLatin1String("off")) {
        std::fprintf(stderr, "rppg-studio: --witness: use on or off, not \"%s\"\n", qPrintable(parser.value(witness)));
        return 2;
    }

    // One facade for start-up (each Settings screens and parses the file).
    rppg::Settings settings;
    if (parser.isSet(theme)) {
        const QString t = parser.value(theme);
        settings.setTheme(t == QLatin1String("dark")    ? rppg::Theme::Dark
                          : t == QLatin1String("light") ? rppg::Theme::Light
                                                        : rppg::Theme::System);
    }

    const QString language = parser.isSet(lang) ? parser.value(lang) : settings.language();
    rppg::installTranslations(language);

    if (parser.isSet(compareCodecs)) {
        rppg::applyTheme(settings.theme());
        auto view = std::make_unique<rppg::CodecComparisonView>();
        view->setWindowTitle(QCoreApplication::translate("main", "rPPG Studio — codec comparison"));
        view->setSourceVideo(parser.value(compareCodecs));
        if (parser.isSet(codecs))
            view->setCodecs(parser.value(codecs).split(QLatin1Char(','), Qt::SkipEmptyParts));
        if (parser.isSet(bitrates))
            view->setBitrates(parser.value(bitrates));
        if (parser.isSet(methods))
            view->setMethods(parser.value(methods).split(QLatin1Char(','), Qt::SkipEmptyParts));
        // The variants are analysed with the window's remembered settings (--witness as there).
        if (parser.isSet(witness))
            settings.setWitnessChecks(parser.value(witness) == QLatin1String("on"));
        rppg::AnalysisConfig analysis;
        analysis.windowSec = settings.windowSec();
        analysis.bandLowHz = settings.bandLowHz();
        analysis.bandHighHz = settings.bandHighHz();
        analysis.methodOptions.device = settings.device();
        if (!settings.witnessChecks())
            analysis.witnessMethods.clear();
        analysis.witnessClassical = settings.witnessClassical();
        view->setAnalysisConfig(analysis);
        view->resize(1400, 900);
        view->show();
        rppg::CodecComparisonView *v = view.get();
        if (parser.isSet(screenshot)) {
            const QString out = parser.value(screenshot);
            QObject::connect(v, &rppg::CodecComparisonView::comparisonFinished, &app, [out](bool ok) {
                if (!ok)
                    QCoreApplication::exit(1);
            });
            // Wait for the tiles of the chosen frame and the STVEN tile, then give the plots a
            // moment to repaint.
            auto grab = [v, out] {
                QTimer::singleShot(500, v, [v, out] { QCoreApplication::exit(v->grab().save(out) ? 0 : 8); });
            };
            auto taken = std::make_shared<bool>(false);
            QObject::connect(v, &rppg::CodecComparisonView::framesShown, &app, [v, grab, taken] {
                if (std::exchange(*taken, true))
                    return;
                if (v->isEnhancing())
                    QObject::connect(v, &rppg::CodecComparisonView::enhancedFrameShown, v, grab,
                                     Qt::SingleShotConnection);
                else
                    grab();
            });
        }
        if (parser.isSet(run) || parser.isSet(screenshot))
            QTimer::singleShot(0, v, [v] { v->startComparison(); });
        return app.exec();
    }

    rppg::MainWindow window;
    window.show();
    if (parser.isSet(method))
        window.setMethod(parser.value(method));
    if (parser.isSet(witness))
        window.setWitnessChecks(parser.value(witness) == QLatin1String("on"));
    if (parser.isSet(compare)) {
        const QString list = parser.value(compare);
        window.setCompareMethods(list == QLatin1String("none") ? QStringList()
                                                                 : list.split(QLatin1Char(','), Qt::SkipEmptyParts));
    }
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
