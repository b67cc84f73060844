// rppg compare-codecs VIDEO: re-encode a video with several codecs and bit rates, analyse every
// variant, and write summary.csv, waveforms.csv, frames.csv, figures and report.html.

#include "codecreport.h"
#include "codecstudy.h"
#include "commands.h"
#include "options.h"
#include "progressbar.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>

#include <cstdio>

namespace rppg::cli {

namespace {

Result<std::vector<CodecSetting>> parseSettings(const QString &codecs, const QString &bitrates, const QString &crfs)
{
    std::vector<CodecSetting> out;
    const QStringList codecList = codecs.split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (codecList.isEmpty())
        return Error{ErrorCode::Usage, QStringLiteral("--codecs needs at least one codec")};
    for (const QString &raw : codecList) {
        const QString codec = raw.trimmed().toLower();
        if (!crfs.isEmpty()) {
            for (const QString &c : crfs.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
                bool ok = false;
                const int crf = c.trimmed().toInt(&ok);
                if (!ok || crf < 0 || crf > 63)
                    return Error{ErrorCode::Usage, QStringLiteral("bad CRF '%1' (0..63)").arg(c)};
                out.push_back({codec, 0, crf});
            }
            continue;
        }
        const QStringList rates = bitrates.split(QLatin1Char(','), Qt::SkipEmptyParts);
        if (rates.isEmpty())
            return Error{ErrorCode::Usage, QStringLiteral("--bitrates needs at least one bit rate")};
        for (const QString &r : rates) {
            const int64_t bps = parseBitrate(r);
            if (bps <= 0)
                return Error{ErrorCode::Usage, QStringLiteral("bad bit rate '%1' (e.g. 250k, 1.5M)").arg(r)};
            out.push_back({codec, bps, -1});
        }
    }
    return out;
}

} // namespace

Command compareCodecsCommand()
{
    Command c;
    c.name = QStringLiteral("compare-codecs");
    c.summary = QStringLiteral("re-encode a video with several codecs/bit rates and compare the pulse");
    c.run = [](const QStringList &args) -> int {
        QCommandLineParser p;
        p.setApplicationDescription(
            QStringLiteral("Re-encodes VIDEO with each codec at each bit rate (FFmpeg libraries), analyses every "
                           "variant with the chosen methods and compares heart rate, error, SNR, PSNR and SSIM. "
                           "The reference is the synthetic ground truth next to VIDEO when there is one, "
                           "--reference when given, else the source's own estimate."));
        addHelpOption(p);
        p.addPositionalArgument(QStringLiteral("video"), QStringLiteral("Source video."));
        addAnalysisOptions(p);
        p.addOption({QStringLiteral("codecs"), QStringLiteral("Codecs (default x264,x265,mpeg4)."),
                     QStringLiteral("list"), QStringLiteral("x264,x265,mpeg4")});
        p.addOption({QStringLiteral("bitrates"), QStringLiteral("Target bit rates (default 250k,500k,1000k)."),
                     QStringLiteral("list"), QStringLiteral("250k,500k,1000k")});
        p.addOption({QStringLiteral("crf"), QStringLiteral("Constant rate factors instead of bit rates (e.g. 23,28,33)."),
                     QStringLiteral("list")});
        p.addOption({QStringLiteral("methods"), QStringLiteral("Pulse methods (default: every registered method; neural ones when their weights load)."),
                     QStringLiteral("list")});
        p.addOption({QStringLiteral("reference"), QStringLiteral("Reference CSV (time_s,hr_bpm or a PPG recording)."),
                     QStringLiteral("file")});
        p.addOption({QStringLiteral("out"), QStringLiteral("Output folder (default ./codec-study-<video name>)."),
                     QStringLiteral("dir")});
        p.addOption({QStringLiteral("keep-variants"), QStringLiteral("Keep the encoded videos in <out>/variants.")});
        p.addOption({QStringLiteral("x265-preset"), QStringLiteral("x265 preset (default fast)."), QStringLiteral("preset"),
                     QStringLiteral("fast")});
        p.addOption({QStringLiteral("x264-preset"), QStringLiteral("x264 preset (default medium)."), QStringLiteral("preset"),
                     QStringLiteral("medium")});
        p.addOption({QStringLiteral("no-progress"), QStringLiteral("Do not draw a progress bar.")});
        if (auto code = parseCommandLine(p, args))
            return *code;
        if (p.positionalArguments().size() != 1)
            return fail(ErrorCode::Usage, QStringLiteral("compare-codecs needs exactly one video (see --help)"));
        auto analysis = analysisConfigFromOptions(p);
        if (!analysis.ok())
            return fail(analysis.error());

        CodecStudyConfig config;
        config.sourcePath = p.positionalArguments().first();
        config.analysis = analysis.value();
        auto settings = parseSettings(p.value(QStringLiteral("codecs")), p.value(QStringLiteral("bitrates")),
                                      p.value(QStringLiteral("crf")));
        if (!settings.ok())
            return fail(settings.error());
        config.settings = settings.value();
        if (p.isSet(QStringLiteral("methods")))
            config.methods = p.value(QStringLiteral("methods")).split(QLatin1Char(','), Qt::SkipEmptyParts);
        else
            config.methods = defaultMethods(config.analysis.methodOptions);
        config.referencePath = p.value(QStringLiteral("reference"));
        config.x264Preset = p.value(QStringLiteral("x264-preset"));
        config.x265Preset = p.value(QStringLiteral("x265-preset"));
        const QString outDir = p.isSet(QStringLiteral("out"))
                                   ? p.value(QStringLiteral("out"))
                                   : QStringLiteral("codec-study-") + QFileInfo(config.sourcePath).completeBaseName();
        // Fail on an unwritable output folder before minutes of encoding, not after.
        if (!QDir().mkpath(outDir) || !QFileInfo(outDir).isWritable())
            return fail(ErrorCode::WriteFailed, QStringLiteral("cannot write to the output folder '%1'").arg(outDir));
        if (p.isSet(QStringLiteral("keep-variants"))) {
            config.keepVariants = true;
            config.workDir = QDir(outDir).filePath(QStringLiteral("variants"));
        }

        ProgressBar bar(QStringLiteral("codec study"), !p.isSet(QStringLiteral("no-progress")));
        QString lastStage;
        auto result = runCodecStudy(config,
                                    [&](const QString &stage, double fraction) {
                                        if (stage != lastStage) {
                                            bar.finish();
                                            lastStage = stage;
                                        }
                                        bar.update(int64_t(fraction * 1000), 1000);
                                    },
                                    interruptFlag());
        bar.finish();
        if (!result.ok())
            return fail(result.error());
        if (interruptFlag()->load())
            return fail(ErrorCode::Cancelled, QStringLiteral("cancelled before the report was written"));
        auto written = writeCodecStudyReport(result.value(), outDir);
        if (!written.ok())
            return fail(written.error());
        std::printf("%s", qPrintable(codecStudySummaryText(result.value())));
        std::printf("report: %s\n", qPrintable(QDir(outDir).filePath(QStringLiteral("report.html"))));
        return kExitOk;
    };
    return c;
}

} // namespace rppg::cli
