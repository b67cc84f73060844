// rppg eval DATASET...: methods over datasets with reference heart rates; metrics, figures and an
// HTML report.

#include "commands.h"
#include "evalreport.h"
#include "evaluation.h"
#include "options.h"
#include "progressbar.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>

#include <cstdio>

namespace rppg::cli {

Command evalCommand()
{
    Command c;
    c.name = QStringLiteral("eval");
    c.summary = QStringLiteral("evaluate methods on datasets (MAE, RMSE, MAPE, r, Bland-Altman)");
    c.run = [](const QStringList &args) -> int {
        QCommandLineParser p;
        p.setApplicationDescription(
            QStringLiteral("Runs the methods over every video of each dataset and scores the heart rate against the "
                           "reference. A dataset is PATH[,csv=FILE][,roi=face|full|x;y;w;h]: a folder of synthetic "
                           "videos with <stem>.gt.csv ground truth, or a folder of videos with a CSV of reference heart "
                           "rates (name, hr) in it or in Ground_Truth/. Videos without a face are analysed on the whole "
                           "frame. Items with missing or malformed references are reported and skipped."));
        addHelpOption(p);
        p.addPositionalArgument(QStringLiteral("dataset"), QStringLiteral("Dataset folder(s)."), QStringLiteral("DATASET..."));
        addAnalysisOptions(p);
        p.addOption({QStringLiteral("methods"), QStringLiteral("Methods (default: every registered method; neural ones when their weights load)."),
                     QStringLiteral("list")});
        p.addOption({QStringLiteral("out"), QStringLiteral("Output folder (default ./evaluation)."), QStringLiteral("dir"),
                     QStringLiteral("evaluation")});
        p.addOption({QStringLiteral("no-progress"), QStringLiteral("Do not draw a progress bar.")});
        if (auto code = parseCommandLine(p, args))
            return *code;
        if (p.positionalArguments().isEmpty())
            return fail(ErrorCode::Usage, QStringLiteral("eval needs at least one dataset folder (see --help)"));
        auto analysis = analysisConfigFromOptions(p);
        if (!analysis.ok())
            return fail(analysis.error());
        const QString outDir = p.value(QStringLiteral("out"));
        if (!QDir().mkpath(outDir) || !QFileInfo(outDir).isWritable())
            return fail(ErrorCode::WriteFailed, QStringLiteral("cannot write to the output folder '%1'").arg(outDir));

        std::vector<DatasetScan> scans;
        for (const QString &spec : p.positionalArguments()) {
            auto scan = scanDataset(spec);
            if (!scan.ok())
                return fail(scan.error());
            scans.push_back(scan.value());
        }
        QStringList methods;
        if (p.isSet(QStringLiteral("methods")))
            methods = p.value(QStringLiteral("methods")).split(QLatin1Char(','), Qt::SkipEmptyParts);
        else
            methods = defaultMethods(analysis->methodOptions);
        ProgressBar bar(QStringLiteral("evaluating"), !p.isSet(QStringLiteral("no-progress")));
        auto result = runEvaluation(scans, methods, analysis.value(),
                                    [&bar](int done, int total, const QString &) { bar.update(done, total); },
                                    interruptFlag());
        bar.finish();
        if (!result.ok())
            return fail(result.error());
        auto written = writeEvaluationReport(result.value(), outDir);
        if (!written.ok())
            return fail(written.error());
        std::printf("%s", qPrintable(evaluationSummaryText(result.value())));
        std::printf("report: %s\n", qPrintable(QDir(outDir).filePath(QStringLiteral("report.html"))));
        return kExitOk;
    };
    return c;
}

} // namespace rppg::cli
