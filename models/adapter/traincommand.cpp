#include "traincommand.h"

#include "cli.h"
#include "options.h"
#include "progressbar.h"
#include "trainer.h"

#include <QCommandLineParser>
#include <QFile>

#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>

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

std::string local(const QString &path)
{
    return QFile::encodeName(path).toStdString();
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
    const QCommandLineOption data(QStringLiteral("data"), QStringLiteral("Clip cache folder (repeat or separate with commas for several)."),
                                  QStringLiteral("CACHE"));
    const QCommandLineOption epochs(QStringLiteral("epochs"), QStringLiteral("Total epochs (default 15)."), QStringLiteral("N"),
                                    QStringLiteral("15"));
    const QCommandLineOption batch(QStringLiteral("batch"), QStringLiteral("Clips per step (default 4)."), QStringLiteral("B"),
                                   QStringLiteral("4"));
    const QCommandLineOption lr(QStringLiteral("lr"), QStringLiteral("Adam learning rate (default 1e-4)."), QStringLiteral("X"),
                                QStringLiteral("1e-4"));
    const QCommandLineOption out(QStringLiteral("out"), QStringLiteral("Output folder for checkpoints."), QStringLiteral("DIR"));
    const QCommandLineOption resume(QStringLiteral("resume"), QStringLiteral("Continue from an epoch checkpoint of the same mode."),
                                    QStringLiteral("CKPT"));
    const QCommandLineOption init(QStringLiteral("init"),
                                  QStringLiteral("Start from these weights at epoch 0 (e.g. joint from a STVEN checkpoint)."),
                                  QStringLiteral("CKPT"));
    const QCommandLineOption device(QStringLiteral("device"), QStringLiteral("auto, cpu, cuda or cuda:N (default auto)."),
                                    QStringLiteral("DEV"), QStringLiteral("auto"));
    const QCommandLineOption config(QStringLiteral("config"),
                                    QStringLiteral("cpu (the shipped live networks, 64 px) or paper (128 px; default cpu)."),
                                    QStringLiteral("NAME"), QStringLiteral("cpu"));
    const QCommandLineOption seed(QStringLiteral("seed"), QStringLiteral("Random seed (default 1)."), QStringLiteral("S"),
                                  QStringLiteral("1"));
    const QCommandLineOption valFraction(QStringLiteral("val-fraction"),
                                         QStringLiteral("Share of clips (whole subjects) held out (default 0.2)."),
                                         QStringLiteral("F"), QStringLiteral("0.2"));
    const QCommandLineOption rppgnet(QStringLiteral("rppgnet"),
                                     QStringLiteral("Pretrained rPPGNet: frozen in joint mode, scores HR MAE in stven mode."),
                                     QStringLiteral("CKPT"));
    const QCommandLineOption steps(QStringLiteral("steps-per-epoch"),
                                   QStringLiteral("Steps per epoch (default: one pass over the training clips)."),
                                   QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption valClips(QStringLiteral("val-clips"),
                                      QStringLiteral("Score at most N validation clips per epoch (default all)."),
                                      QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption allLevels(QStringLiteral("all-levels"),
                                       QStringLiteral("rppgnet: train on every compression level, not only the original."));
    const QCommandLineOption restoreOnly(
        QStringLiteral("restore-only"),
        QStringLiteral("stven: train only pairs to the original (from every level), without the cycle term."));
    const QCommandLineOption withOriginal(
        QStringLiteral("with-original"),
        QStringLiteral("joint: draw the original as a source too, so STVEN learns to leave clean video clean."));
    const QCommandLineOption reconWeight(
        QStringLiteral("recon-weight"),
        QStringLiteral("joint: weight of the reconstruction term (L1 + MSE to the original; default 1e-4, the paper's)."),
        QStringLiteral("X"), QStringLiteral("0.0001"));
    const QCommandLineOption freqWeight(
        QStringLiteral("freq-weight"),
        QStringLiteral("rppgnet, joint: weight of a frequency cross-entropy term that puts the predicted power at the "
                       "heart rate, not a harmonic (default 0, the paper's loss)."),
        QStringLiteral("X"), QStringLiteral("0"));
    const QCommandLineOption noAugment(QStringLiteral("no-augment"), QStringLiteral("No flips or brightness/contrast jitter."));
    const QCommandLineOption threads(QStringLiteral("threads"), QStringLiteral("CPU threads (default: libtorch's)."),
                                     QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption logEvery(QStringLiteral("log-every"),
                                      QStringLiteral("Print a progress line every N steps (for logs; default 0 = off)."),
                                      QStringLiteral("N"), QStringLiteral("0"));
    p.addOptions({data, epochs, batch, lr, out, resume, init, device, config, seed, valFraction, rppgnet, steps, valClips,
                  allLevels, restoreOnly, withOriginal, reconWeight, freqWeight, noAugment, threads, logEvery});
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
    for (const QString &v : p.values(data))
        for (const QString &d : v.split(QLatin1Char(','), Qt::SkipEmptyParts))
            o.data.push_back(local(d.trimmed()));
    if (o.data.empty())
        return fail(ErrorCode::Usage, QStringLiteral("--data CACHE is required"));
    if (!p.isSet(out))
        return fail(ErrorCode::Usage, QStringLiteral("--out DIR is required"));
    o.outDir = local(p.value(out));

    auto bad = [&](const QCommandLineOption &opt) { return cli::badOptionValue(p, opt); };
    bool ok = false;
    o.epochs = p.value(epochs).toInt(&ok);
    if (!ok || o.epochs < 1)
        return bad(epochs);
    o.batch = p.value(batch).toInt(&ok);
    if (!ok || o.batch < 1 || o.batch > 4096)
        return bad(batch);
    o.lr = p.value(lr).toDouble(&ok);
    if (!ok || !(o.lr > 0) || !std::isfinite(o.lr))
        return bad(lr);
    o.seed = p.value(seed).toULongLong(&ok);
    if (!ok)
        return bad(seed);
    o.valFraction = p.value(valFraction).toDouble(&ok);
    if (!ok || o.valFraction < 0 || o.valFraction >= 1)
        return bad(valFraction);
    o.stepsPerEpoch = p.value(steps).toLongLong(&ok);
    if (!ok || o.stepsPerEpoch < 0)
        return bad(steps);
    o.maxValidationClips = p.value(valClips).toLongLong(&ok);
    if (!ok || o.maxValidationClips < 0)
        return bad(valClips);
    o.threads = p.value(threads).toInt(&ok);
    if (!ok || o.threads < 0 || o.threads > 1024)
        return bad(threads);
    const int every = p.value(logEvery).toInt(&ok);
    if (!ok || every < 0)
        return bad(logEvery);
    o.preset = p.value(config).toStdString();
    if (o.preset != "cpu" && o.preset != "paper")
        return bad(config);
    o.device = p.value(device).toStdString();
    o.resume = p.isSet(resume) ? local(p.value(resume)) : std::string();
    o.init = p.isSet(init) ? local(p.value(init)) : std::string();
    o.rppgNetCheckpoint = p.isSet(rppgnet) ? local(p.value(rppgnet)) : std::string();
    o.rppgNetAllLevels = p.isSet(allLevels);
    o.stvenRestoreOnly = p.isSet(restoreOnly);
    o.jointWithOriginal = p.isSet(withOriginal);
    o.jointReconstruction = p.value(reconWeight).toDouble(&ok);
    if (!ok || o.jointReconstruction < 0 || !std::isfinite(o.jointReconstruction))
        return bad(reconWeight);
    o.frequencyWeight = p.value(freqWeight).toDouble(&ok);
    if (!ok || o.frequencyWeight < 0 || !std::isfinite(o.frequencyWeight))
        return bad(freqWeight);
    o.augment = !p.isSet(noAugment);
    o.extraMeta["command"] = args.join(QLatin1Char(' ')).toStdString();

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
