// `rppg prepare DATASET-SPEC... --out DIR`: face crops, skin masks and pulse labels of training
// datasets written to a clip cache (core/clipcache.h), which `rppg train` reads.
#include "clipcache.h"
#include "commands.h"
#include "options.h"
#include "progressbar.h"

#include <QCommandLineParser>

#include <cstdio>

namespace rppg::cli {

namespace {

bool positiveInt(const QString &text, int &out)
{
    bool ok = false;
    const int v = text.trimmed().toInt(&ok);
    if (!ok || v <= 0)
        return false;
    out = v;
    return true;
}

int runPrepare(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Prepares training data: tracks the face in every recording of the datasets, stores square "
        "face crops (1.2 x the face box) at SIZE x SIZE, skin masks at SIZE/2 and the reference pulse "
        "at every frame in a clip cache, cropping every compression level of a recording with the "
        "same boxes. A DATASET-SPEC is PATH[,layout=auto|synthetic|ubfc2|ubfc1|pure|folder]"
        "[,roi=face|full][,subject=auto|file|prefix|folder]."));
    p.addPositionalArgument(QStringLiteral("DATASET-SPEC"), QStringLiteral("Dataset folder(s) with options."),
                            QStringLiteral("DATASET-SPEC..."));
    addHelpOption(p);
    const QCommandLineOption out(QStringLiteral("out"), QStringLiteral("Output folder of the clip cache."),
                                 QStringLiteral("DIR"));
    const QCommandLineOption size(QStringLiteral("size"), QStringLiteral("Crop size in pixels (default 64)."),
                                  QStringLiteral("S"), QStringLiteral("64"));
    const QCommandLineOption frames(QStringLiteral("frames"), QStringLiteral("Frames per clip (default 64)."),
                                    QStringLiteral("T"), QStringLiteral("64"));
    const QCommandLineOption stride(QStringLiteral("stride"),
                                    QStringLiteral("Frames between clip starts (default 32)."),
                                    QStringLiteral("N"), QStringLiteral("32"));
    const QCommandLineOption skin(QStringLiteral("skin-threshold"),
                                  QStringLiteral("Skin-colour likelihood above which a pixel is skin, for "
                                                 "recordings without mask videos (default 0.3)."),
                                  QStringLiteral("P"), QStringLiteral("0.3"));
    const QCommandLineOption overwrite(QStringLiteral("overwrite"), QStringLiteral("Replace an existing cache at DIR."));
    const QCommandLineOption threads(QStringLiteral("threads"),
                                     QStringLiteral("Recordings prepared at once (default: one per core, at most 8); "
                                                    "the cache is the same for any value."),
                                     QStringLiteral("N"));
    p.addOptions({out, size, frames, stride, skin, overwrite, threads});
    if (auto code = parseCommandLine(p, args))
        return *code;

    const QStringList specs = p.positionalArguments();
    if (specs.isEmpty())
        return fail(ErrorCode::Usage, QStringLiteral("prepare needs at least one dataset folder (see 'rppg prepare --help')"));
    if (!p.isSet(out) || p.value(out).trimmed().isEmpty())
        return fail(ErrorCode::Usage, QStringLiteral("prepare needs --out DIR"));
    ClipCacheConfig config;
    config.outDir = p.value(out);
    config.overwrite = p.isSet(overwrite);
    if (!positiveInt(p.value(size), config.cropSizePx) || config.cropSizePx < 8 || config.cropSizePx > 1024
        || config.cropSizePx % 2 != 0)
        return fail(ErrorCode::Usage, QStringLiteral("invalid --size '%1' (an even number from 8 to 1024)").arg(p.value(size)));
    if (!positiveInt(p.value(frames), config.clipFrames) || config.clipFrames < 2)
        return fail(ErrorCode::Usage, QStringLiteral("invalid --frames '%1' (2 or more)").arg(p.value(frames)));
    if (!positiveInt(p.value(stride), config.strideFrames))
        return fail(ErrorCode::Usage, QStringLiteral("invalid --stride '%1' (1 or more)").arg(p.value(stride)));
    if (p.isSet(threads) && (!positiveInt(p.value(threads), config.threads) || config.threads > 64))
        return fail(ErrorCode::Usage, QStringLiteral("invalid --threads '%1' (1 to 64)").arg(p.value(threads)));
    {
        bool ok = false;
        config.skinThreshold = p.value(skin).toDouble(&ok);
        if (!ok || !(config.skinThreshold > 0 && config.skinThreshold < 1))
            return fail(ErrorCode::Usage, QStringLiteral("invalid --skin-threshold '%1' (between 0 and 1)").arg(p.value(skin)));
    }

    std::vector<TrainingDatasetScan> scans;
    QStringList warnings;
    int recordings = 0;
    for (const QString &spec : specs) {
        auto scan = scanTrainingDataset(spec);
        if (!scan.ok())
            return fail(scan.error());
        for (const QString &w : scan->problems)
            warnings << QStringLiteral("%1: %2").arg(scan->root, w);
        recordings += int(scan->recordings.size());
        scans.push_back(std::move(scan).value());
    }

    ProgressBar bar(QStringLiteral("prepare"));
    auto result = writeClipCache(
        scans, config, [&](int64_t done, int64_t total) { bar.update(done, total); }, interruptFlag());
    bar.finish();
    if (!result.ok()) {
        for (const QString &w : warnings)
            std::fprintf(stderr, "warning: %s\n", qPrintable(w.simplified()));
        return fail(result.error());
    }
    const ClipCacheSummary &s = result.value();
    for (const QString &w : s.problems)
        warnings << w;
    QStringList levels;
    for (int k = 0; k < s.levelNames.size(); ++k)
        levels << QStringLiteral("%1 %2").arg(s.levelNames[k]).arg(s.levelFrames[size_t(k)]);
    std::printf("prepared %s: %lld clips of %d frames at %dx%d from %d of %d recordings (%d subjects, %d segments, "
                "%lld frames; levels: %s), %.1f MB in %.1f s\n",
                qPrintable(s.outDir), static_cast<long long>(s.clips), config.clipFrames, config.cropSizePx,
                config.cropSizePx, s.recordings, recordings, s.subjects, s.segments, static_cast<long long>(s.frames),
                qPrintable(levels.join(QStringLiteral(", "))), s.bytes / (1024.0 * 1024.0), s.seconds);
    std::fflush(stdout);
    for (const QString &w : warnings)
        std::fprintf(stderr, "warning: %s\n", qPrintable(w.simplified()));
    return kExitOk;
}

} // namespace

Command prepareCommand()
{
    return {QStringLiteral("prepare"),
            QStringLiteral("write a training clip cache (face crops, skin masks, pulse) from datasets"), runPrepare};
}

} // namespace rppg::cli
