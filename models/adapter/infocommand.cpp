#include "infocommand.h"

#include "checkpoint.h"
#include "cli.h"
#include "modelsadapter.h"
#include "neuralmethod.h"
#include "options.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>
#include <cstdio>

namespace rppg {

namespace {

QJsonObject stringMap(const std::map<std::string, std::string> &map)
{
    QJsonObject o;
    for (const auto &[key, value] : map)
        o.insert(QString::fromStdString(key), QString::fromStdString(value));
    return o;
}

// Non-finite metrics (a run without validation records NaN) become null.
QJsonObject numberMap(const std::map<std::string, double> &map)
{
    QJsonObject o;
    for (const auto &[key, value] : map)
        o.insert(QString::fromStdString(key), std::isfinite(value) ? QJsonValue(value) : QJsonValue());
    return o;
}

QString minutes(double seconds)
{
    return seconds >= 3600 ? QStringLiteral("%1 h").arg(seconds / 3600.0, 0, 'f', 1)
                           : QStringLiteral("%1 min").arg(seconds / 60.0, 0, 'f', 1);
}

// "key=value, key=value" of a JSON object's members, numbers with up to 4 significant decimals.
QString joined(const QJsonObject &o)
{
    QStringList parts;
    for (auto it = o.begin(); it != o.end(); ++it) {
        const QJsonValue v = it.value();
        const QString text = v.isDouble() ? QString::number(v.toDouble(), 'g', 6)
                             : v.isNull() ? QStringLiteral("n/a")
                                          : v.toString();
        parts << it.key() + QLatin1Char('=') + text;
    }
    return parts.join(QStringLiteral(", "));
}

void printText(const QJsonObject &o)
{
    auto line = [](const char *label, const QString &text) {
        if (!text.isEmpty())
            std::printf("  %-12s %s\n", label, qPrintable(text));
    };
    std::printf("%s (%s bytes): %s, checkpoint format %d\n", qPrintable(o[QStringLiteral("file")].toString()),
                qPrintable(QString::number(o[QStringLiteral("bytes")].toInteger())),
                o[QStringLiteral("kind")].toString() == QStringLiteral("stven") ? "STVEN" : "rPPGNet",
                o[QStringLiteral("format_version")].toInt());
    line("input", QStringLiteral("%1 x %1 px").arg(o[QStringLiteral("input_size")].toInt()));
    line("config", joined(o[QStringLiteral("config")].toObject()));
    line("parameters", QStringLiteral("%1 (%2 tensors with the buffers)")
                           .arg(o[QStringLiteral("parameters")].toInteger())
                           .arg(o[QStringLiteral("tensors")].toInt()));
    QStringList trained;
    trained << QStringLiteral("%1 epochs, %2 iterations")
                   .arg(o[QStringLiteral("epochs")].toInt())
                   .arg(o[QStringLiteral("iterations")].toInteger());
    if (o[QStringLiteral("train_seconds")].toDouble() > 0)
        trained << minutes(o[QStringLiteral("train_seconds")].toDouble());
    trained << QStringLiteral("seed %1").arg(o[QStringLiteral("seed")].toString());
    for (const char *key : {"created_utc", "software"})
        if (!o[QLatin1String(key)].toString().isEmpty())
            trained << o[QLatin1String(key)].toString();
    line("trained", trained.join(QStringLiteral(", ")));
    line("data", o[QStringLiteral("training_data")].toString());
    line("settings", joined(o[QStringLiteral("training")].toObject()));
    line("metrics", joined(o[QStringLiteral("metrics")].toObject()));
}

int runInfo(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Shows what model checkpoints hold: the network and its config, the parameter count, how, "
        "on what and how long they were trained, and their validation metrics. Without files: the "
        "shipped weights that 'rppg analyze --method stven+rppgnet' loads."));
    p.addPositionalArgument(QStringLiteral("checkpoints"), QStringLiteral("Checkpoint files (.ckpt)."),
                            QStringLiteral("[CKPT...]"));
    cli::addHelpOption(p);
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print a JSON array, one object per file."));
    p.addOption(json);
    if (auto code = cli::parseCommandLine(p, args))
        return *code;
    QStringList files = p.positionalArguments();
    if (files.isEmpty()) {
        const auto shipped = findNeuralModelFiles(NeuralPipeline::StvenRppgNet, QString(), false);
        if (!shipped.ok())
            return cli::fail(shipped.error());
        files = {shipped->stven, shipped->rppgNet};
    }
    QJsonArray all;
    for (const QString &file : files) {
        const auto info = checkpointInfo(file);
        if (!info.ok())
            return cli::fail(info.error());
        if (p.isSet(json))
            all.append(info.value());
        else
            printText(info.value());
    }
    if (p.isSet(json))
        std::printf("%s", QJsonDocument(all).toJson(QJsonDocument::Indented).constData());
    return cli::kExitOk;
}

} // namespace

Result<QJsonObject> checkpointInfo(const QString &path)
{
    const QFileInfo fi(path);
    if (!fi.isFile())
        return Error{ErrorCode::FileNotFound, QStringLiteral("model file '%1' not found").arg(path)};
    std::string error;
    const auto bytes = models::readCheckpointFile(localPath(path), &error);
    // Building the network gives the parameter count and proves the config is usable.
    const auto loaded = bytes ? models::loadModelFromMemory(bytes->data(), bytes->size(), torch::kCPU, &error)
                              : std::nullopt;
    if (!loaded)
        return Error{ErrorCode::BadData, QStringLiteral("cannot read model '%1': %2").arg(path, oneLine(error))};
    const models::CheckpointHeader &header = loaded->header;
    int64_t parameters = 0;
    const auto &net = header.kind == models::ModelKind::RppgNet
                          ? static_cast<const torch::nn::Module &>(*loaded->rppgNet)
                          : static_cast<const torch::nn::Module &>(*loaded->stven);
    for (const auto &t : net.parameters())
        parameters += t.numel();
    QJsonObject config;
    for (const auto &[key, value] : models::configEntries(header)) {
        bool isInt = false;
        const qint64 n = QString::fromStdString(value).toLongLong(&isInt);
        config.insert(QString::fromStdString(key), isInt ? QJsonValue(n) : QJsonValue(QString::fromStdString(value)));
    }
    const models::CheckpointMeta &m = header.meta;
    QJsonObject o;
    o.insert(QStringLiteral("file"), fi.fileName());
    o.insert(QStringLiteral("bytes"), fi.size());
    o.insert(QStringLiteral("kind"), QLatin1String(models::modelKindName(header.kind)));
    o.insert(QStringLiteral("format_version"), header.formatVersion);
    o.insert(QStringLiteral("input_size"), header.inputSize);
    o.insert(QStringLiteral("config"), config);
    o.insert(QStringLiteral("parameters"), qint64(parameters));
    o.insert(QStringLiteral("tensors"), int(header.tensors.size()));
    o.insert(QStringLiteral("training_data"), QString::fromStdString(m.trainingData));
    o.insert(QStringLiteral("epochs"), m.epochs);
    o.insert(QStringLiteral("iterations"), qint64(m.iterations));
    o.insert(QStringLiteral("seed"), QString::number(m.seed));   // a 64-bit value: as text
    o.insert(QStringLiteral("train_seconds"), m.trainSeconds);
    o.insert(QStringLiteral("created_utc"), QString::fromStdString(m.createdUtc));
    o.insert(QStringLiteral("software"), QString::fromStdString(m.software));
    o.insert(QStringLiteral("training"), stringMap(m.training));
    o.insert(QStringLiteral("metrics"), numberMap(m.metrics));
    return o;
}

void registerInfoCommand()
{
    cli::addCommand(cli::Command{QStringLiteral("info"), QStringLiteral("what a model checkpoint holds (network, training, metrics)"),
                                 runInfo});
}

} // namespace rppg
