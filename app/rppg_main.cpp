// rppg: the command-line front end (no GUI). All logic lives in rppg_cli.
#include "cli.h"
#ifdef RPPG_WITH_TORCH
#include "modelsadapter.h"
#endif

#include <QCoreApplication>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("rppg"));
#ifdef RPPG_WITH_TORCH
    rppg::registerNeuralMethods();
#endif
    return rppg::cli::run(QCoreApplication::arguments());
}
