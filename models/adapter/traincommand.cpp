#include "traincommand.h"

#include "cli.h"
#include "modelsadapter.h"
#include "options.h"
#include "progressbar.h"
#include "trainer.h"
#include "textparse.h"
#include "trainoptions.h"

#include <QCommandLineParser>
#include <QFile>

#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

namespace rppg {

namespace {

using cli::fail;

QString fmt(double v, int digits)
{
    return std::isfinite(v) ? QString::number(v, 'f', digits) : QStringLiteral("n/a");
}

QString duration(double sec)
{
    if (!(sec >= 0))
        return QStringLiteral("--:--");
    const int s = int(sec + 0.5);
    return s >= 3600 ? QStringLiteral("%1:%2:%3").arg(s / 3600).arg((s / 60) % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'))
                     : QStringLiteral("%1:%2").arg(s / 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
}

ErrorCode errorCodeFor(models::TrainErrorKind kind)
{
    using K = models::TrainErrorKind;
    switch (kind) {
    case K::None: return ErrorCode::Internal;
    case K::Usage: return ErrorCode::Usage;
    case K::FileNotFound: return ErrorCode::FileNotFound;
    case K::BadData: return ErrorCode::BadData;
    case K::WriteFailed: return ErrorCode::WriteFailed;
    case K::Unsupported: return ErrorCode::Unsupported;
    case K::Cancelled: return ErrorCode::Cancelled;
    case K::Internal: return ErrorCode::Internal;
    }
    return ErrorCode::Internal;
}

int runTrain(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Trains rPPGNet, STVEN, or STVEN through a frozen rPPGNet (joint) on clip caches written by "
        "'rppg prepare' or 'rppg synth-set'. A subject-disjoint part of the clips is held out and "
        "scored after every epoch (HR MAE over 10 s windows of each held-out recording, its clips "
        "overlap-added as in analysis); every "
        "epoch is saved as OUT/<mode>-epochNNN.ckpt (plus .optim, the optimizer state for "
        "--resume) and the best as OUT/<mode>-best.ckpt."));
    p.addPositionalArgument(QStringLiteral("MODE"), QStringLiteral("rppgnet, stven or joint."));
    cli::addHelpOption(p);
    // The options the trainer itself takes come from one table shared with rppg_models_train.
    const auto &specs = models::trainOptionSpecs();
    std::vector<QCommandLineOption> trainOptions;
    for (const models::TrainOptionSpec &s : specs)
        trainOptions.emplace_back(QString::fromStdString(s.name), QString::fromStdString(s.help),
                                  QString::fromStdString(s.valueName));
    const QCommandLineOption logEvery(QStringLiteral("log-every"),
                                      QStringLiteral("Print a progress line every N steps (for logs; default 0 = off)."),
                                      QStringLiteral("N"), QStringLiteral("0"));
    for (const QCommandLineOption &opt : trainOptions)
        p.addOption(opt);
    p.addOption(logEvery);
    if (auto code = cli::parseCommandLine(p, args))
        return *code;

    const QStringList pos = p.positionalArguments();
    if (pos.size() != 1)
        return fail(ErrorCode::Usage, QStringLiteral("train needs one mode: rppgnet, stven or joint (see 'rppg train --help')"));
    const auto mode = models::trainModeFromName(pos[0].toStdString());
    if (!mode)
        return fail(ErrorCode::Usage, QStringLiteral("unknown training mode '%1' (rppgnet, stven or joint)").arg(pos[0]));

    models::TrainOptions o;
    o.mode = *mode;
    for (size_t i = 0; i < specs.size(); ++i) {
        const QCommandLineOption &opt = trainOptions[i];
        if (!p.isSet(opt))
            continue;
        const QStringList values = specs[i].valueName.empty() ? QStringList{QString()} : p.values(opt);
        for (const QString &v : values)
            if (!models::applyTrainOption(o, specs[i].name, localPath(v)))
                return cli::badOptionValue(p, opt);
    }
    if (o.data.empty())
        return fail(ErrorCode::Usage, QStringLiteral("--data CACHE is required"));
    if (o.outDir.empty())
        return fail(ErrorCode::Usage, QStringLiteral("--out DIR is required"));
    bool ok = false;
    const int every = p.value(logEvery).toInt(&ok);
    if (!ok || every < 0)
        return cli::badOptionValue(p, logEvery);
    std::vector<std::string> words;
    for (const QString &a : args)
        words.push_back(a.toStdString());
    o.extraMeta["command"] = models::commandWithoutFolders(words);

    std::unique_ptr<cli::ProgressBar> bar;
    int barEpoch = 0;
    models::TrainCallbacks cb;
    cb.log = [&](const std::string &line) {
        if (bar)
            bar->finish();
        std::printf("%s\n", line.c_str());
        std::fflush(stdout);
    };
    cb.progress = [&](const models::TrainProgress &pr) {
        if (barEpoch != pr.epoch) {
            bar = std::make_unique<cli::ProgressBar>(QStringLiteral("epoch %1/%2").arg(pr.epoch).arg(pr.epochs));
            barEpoch = pr.epoch;
        }
        bar->update(pr.step, pr.steps);
        if (every > 0 && (pr.step % every == 0 || pr.step == pr.steps)) {
            std::fprintf(stderr, "epoch %d/%d step %lld/%lld loss %s elapsed %s ETA %s\n", pr.epoch, pr.epochs,
                         (long long)pr.step, (long long)pr.steps, qPrintable(fmt(pr.loss, 4)),
                         qPrintable(duration(pr.elapsedSec)), qPrintable(duration(pr.etaSec)));
            std::fflush(stderr);
        }
    };
    cb.epochDone = [&](const models::EpochReport &) {
        if (bar)
            bar->finish();
    };
    const models::TrainResult r = models::train(o, cb, cli::interruptFlag());
    if (bar)
        bar->finish();
    if (r.error != models::TrainErrorKind::None)
        return fail(errorCodeFor(r.error), QString::fromStdString(r.message));
    std::printf("done: %d epochs in %s; last %s; best %s\n", int(r.epochs.size()), qPrintable(duration(r.seconds)),
                r.lastCheckpoint.empty() ? "-" : r.lastCheckpoint.c_str(),
                r.bestCheckpoint.empty() ? "-" : r.bestCheckpoint.c_str());
    return cli::kExitOk;
}

} // namespace

void registerTrainCommand()
{
    cli::addCommand(cli::Command{QStringLiteral("train"),
                                 QStringLiteral("Train rPPGNet / STVEN / joint on clip caches"), runTrain});
}

} // namespace rppg
