// rppg: the command-line front end (no GUI). All logic lives in rppg_cli.
#include "cli.h"
#ifdef RPPG_WITH_TORCH
#include "modelsadapter.h"
#include "infocommand.h"
#include "traincommand.h"
#endif

#include <QGuiApplication>

int main(int argc, char **argv)
{
    // Reports draw their figures with QPainter, which needs a QGuiApplication for fonts; the
    // command line never opens a window, so it runs on the offscreen platform (no display needed).
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    rppg::cli::installLogFilter(rppg::cli::verboseRequested(argc, argv));
    QGuiApplication app(argc, argv);
    QGuiApplication::setApplicationName(QStringLiteral("rppg"));
#ifdef RPPG_WITH_TORCH
    rppg::registerNeuralMethods();
    rppg::registerTrainCommand();
    rppg::registerInfoCommand();
    // OpenMP's wait policy changes 2-thread timings on a loaded machine: runs with it set get
    // their own section.
    const QString omp = qEnvironmentVariable("OMP_WAIT_POLICY").toLower();
    rppg::cli::addBenchPart({QStringLiteral("neural"),
                             omp.isEmpty() ? QStringLiteral("neural-timing") : QStringLiteral("neural-timing-omp-") + omp,
                             omp.isEmpty() ? QStringLiteral("Neural methods: inference time on the CPU")
                                           : QStringLiteral("Neural methods: inference time on the CPU, OMP_WAIT_POLICY=") + omp,
                             [](bool quick) {
                                 rppg::NeuralTimingOptions o;
                                 o.paper = !quick;
                                 o.clips = quick ? 2 : 4;
                                 return rppg::neuralTimingMarkdown(o);
                             }});
#endif
    return rppg::cli::run(QGuiApplication::arguments());
}
