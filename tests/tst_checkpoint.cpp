// Checkpoints: bit-exact round trips (file, memory, device moves), metadata fidelity, atomic
// writes, and clean one-line failures for every kind of bad file; plus import of reference
// (PyTorch) state dicts, exercised with dicts built and pickled here. All files live in a
// QTemporaryDir.
#include "checkpoint.h"
#include "referenceimport.h"
#include "testsupport.h"
#include "torchtestsupport.h"

#include <torch/csrc/jit/serialization/pickle.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <fstream>
#include <functional>
#include <sstream>
#include <optional>
#include <random>

using namespace rppg::models;

namespace {



// A network with trained-looking state: random BN statistics and a non-zero step counter.
RppgNet trainedTinyNet(const RppgNetConfig &config)
{
    RppgNet net(config);
    net->train();
    torch::NoGradGuard noGrad;
    for (int i = 0; i < 2; ++i)
        net->forward(torch::randn({2, 3, config.frames, config.inputSize, config.inputSize}));
    net->eval();
    return net;
}

CheckpointMeta sampleMeta()
{
    CheckpointMeta m;
    m.trainingData = "UBFC-rPPG subjects 1-30\nx264 at 250/500/1000 kb/s = levels 1..3, back\\slash";
    m.epochs = 15;
    m.iterations = 123456;
    m.seed = 18446744073709551557ULL;
    m.trainSeconds = 3600.25;
    m.createdUtc = "2024-05-01T12:00:00Z";
    m.software = "rPPG Studio test";
    m.training = {{"lr", "0.0001"}, {"batch_size", "4"}, {"optimiser", "Adam"}};
    m.metrics = {{"val_mae_bpm", 3.14159265358979}, {"val_r", 0.987654321}, {"val_snr_db", -1.5e-7}};
    return m;
}

bool sameState(const torch::nn::Module &a, const torch::nn::Module &b)
{
    auto pa = a.named_parameters();
    auto pb = b.named_parameters();
    auto ba = a.named_buffers();
    auto bb = b.named_buffers();
    if (pa.size() != pb.size() || ba.size() != bb.size())
        return false;
    for (const auto &item : pa) {
        if (!pb.contains(item.key()) || !torch::equal(item.value().cpu(), pb[item.key()].cpu()))
            return false;
    }
    for (const auto &item : ba) {
        if (!bb.contains(item.key()) || !torch::equal(item.value().cpu(), bb[item.key()].cpu()))
            return false;
    }
    return true;
}

// The pieces of a checkpoint archive, for writing deliberately broken variants.
struct ArchiveParts
{
    std::map<std::string, c10::IValue> values;
};

// FNV-1a 64, the container's checksum, so tests can forge consistent files and reach the
// validation behind it.
uint64_t fnv1a(const std::string &bytes)
{
    uint64_t hash = 14695981039346656037ULL;
    for (unsigned char ch : bytes) {
        hash ^= ch;
        hash *= 1099511628211ULL;
    }
    return hash;
}

void putLittleEndian(std::string &out, uint64_t value, int bytes)
{
    for (int i = 0; i < bytes; ++i)
        out += char((value >> (8 * i)) & 0xff);
}

// The documented container: 32-byte header, then the libtorch archive.
std::string wrap(const std::string &payload)
{
    std::string file("RPPGCKPT");
    putLittleEndian(file, 1, 4);
    putLittleEndian(file, 32, 4);
    putLittleEndian(file, payload.size(), 8);
    putLittleEndian(file, fnv1a(payload), 8);
    return file + payload;
}

ArchiveParts readParts(const std::string &path)
{
    std::ifstream file(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    torch::serialize::InputArchive in;
    in.load_from(bytes.data() + 32, bytes.size() - 32);
    ArchiveParts parts;
    for (const auto &key : in.keys()) {
        c10::IValue value;
        in.read(key, value);
        parts.values[key] = value;
    }
    return parts;
}

void writeParts(const std::string &path, const ArchiveParts &parts)
{
    torch::serialize::OutputArchive out;
    for (const auto &[key, value] : parts.values) {
        if (value.isTensor())
            out.write(key, value.toTensor(), true);
        else
            out.write(key, value);
    }
    std::ostringstream payload;
    out.save_to(payload);
    std::ofstream file(path, std::ios::binary);
    const auto bytes = wrap(payload.str());
    file.write(bytes.data(), std::streamsize(bytes.size()));
}

std::string replaceLine(std::string meta, const std::string &key, const std::string &newLine)
{
    const auto at = meta.find(key + "=");
    if (at == std::string::npos)
        return meta + newLine + "\n";
    const auto eol = meta.find('\n', at);
    return meta.replace(at, eol - at, newLine);
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

torch::Tensor testClip(const RppgNetConfig &c)
{
    torch::manual_seed(77);
    return torch::randn({1, 3, c.frames, c.inputSize, c.inputSize});
}

} // namespace

class TstCheckpoint : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::manual_seed(21); }

    void rppgNetRoundTripIsBitExact()
    {
        QTemporaryDir dir;
        auto config = rppg::test::tinyRppgNet();
        config.shareGlobalHeadForPart1 = true;
        config.registerUnusedModules = false;
        auto net = trainedTinyNet(config);
        const auto path = dir.filePath("rppgnet.pt").toStdString();
        std::string error;
        QVERIFY2(saveRppgNet(path, net, sampleMeta(), &error), error.c_str());
        // Atomic write leaves no temporary behind.
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{"rppgnet.pt"});

        auto loaded = loadRppgNet(path, torch::kCPU, &error);
        QVERIFY2(loaded, error.c_str());
        QVERIFY(sameState(*net, *loaded->net));
        QVERIFY(!loaded->net->is_training());
        const auto &c = loaded->net->config();
        QCOMPARE(c.frames, config.frames);
        QCOMPARE(c.inputSize, config.inputSize);
        QCOMPARE(c.stage1Channels, config.stage1Channels);
        QCOMPARE(c.skinChannels, config.skinChannels);
        QCOMPARE(c.shareGlobalHeadForPart1, true);
        QCOMPARE(c.registerUnusedModules, false);

        const auto &h = loaded->header;
        QCOMPARE(h.formatVersion, kCheckpointFormatVersion);
        QVERIFY(h.kind == ModelKind::RppgNet);
        QCOMPARE(h.inputSize, 32);
        const auto meta = sampleMeta();
        QCOMPARE(h.meta.trainingData, meta.trainingData);
        QCOMPARE(h.meta.epochs, meta.epochs);
        QCOMPARE(h.meta.iterations, meta.iterations);
        QCOMPARE(h.meta.seed, meta.seed);
        QCOMPARE(h.meta.trainSeconds, meta.trainSeconds);
        QCOMPARE(h.meta.createdUtc, meta.createdUtc);
        QVERIFY(h.meta.training == meta.training);
        QVERIFY(h.meta.metrics == meta.metrics);   // exact: shortest round-trip formatting
        QCOMPARE(h.tensors.size(), net->named_parameters().size() + net->named_buffers().size());

        torch::InferenceMode inference;
        const auto x = testClip(config);
        QVERIFY(torch::equal(net->forward(x).global, loaded->net->forward(x).global));
    }

    void deviceAndDtypeRoundTripsAreBitExact()
    {
        auto net = trainedTinyNet(rppg::test::tinyRppgNet());
        RppgNet copy(rppg::test::tinyRppgNet());
        std::string error;
        QVERIFY2(copyModuleState(*net, *copy, &error), error.c_str());
        copy->to(torch::kFloat64);
        copy->to(torch::kFloat32);
        QVERIFY(sameState(*net, *copy));
        std::vector<torch::Device> devices{torch::kCPU};
        if (torch::cuda::is_available())
            devices.emplace_back(torch::kCUDA, 0);
        for (const auto &device : devices) {
            copy->to(device);
            copy->to(torch::kCPU);
            QVERIFY2(sameState(*net, *copy), device.str().c_str());
        }
        // loadRppgNet places the model on the requested device.
        QTemporaryDir dir;
        const auto path = dir.filePath("n.pt").toStdString();
        QVERIFY(saveRppgNet(path, net, {}, &error));
        for (const auto &device : devices) {
            auto loaded = loadRppgNet(path, device, &error);
            QVERIFY2(loaded, error.c_str());
            QVERIFY(loaded->net->parameters().front().device() == device);
            loaded->net->to(torch::kCPU);
            QVERIFY(sameState(*net, *loaded->net));
        }
    }

    void loadsFromMemoryAndReadsHeader()
    {
        QTemporaryDir dir;
        auto net = trainedTinyNet(rppg::test::tinyRppgNet());
        const auto path = dir.filePath("mem.pt");
        std::string error;
        auto meta = sampleMeta();
        meta.createdUtc.clear();   // filled in on save
        QVERIFY(saveRppgNet(path.toStdString(), net, meta, &error));
        const auto bytes = readAll(path);
        auto loaded = loadRppgNetFromMemory(bytes.constData(), size_t(bytes.size()), torch::kCPU, &error);
        QVERIFY2(loaded, error.c_str());
        QVERIFY(sameState(*net, *loaded->net));
        const auto header = readCheckpointHeader(path.toStdString(), &error);
        QVERIFY2(header, error.c_str());
        QVERIFY(header->kind == ModelKind::RppgNet);
        QCOMPARE(header->meta.epochs, 15);
        QCOMPARE(int(header->meta.createdUtc.size()), 20);   // 2024-05-01T12:00:00Z
        QCOMPARE(header->tensors.front().name, std::string("ConvSpa1.0.weight"));
        QCOMPARE(header->tensors.front().dtype, std::string("float32"));
        QVERIFY(header->tensors.front().shape == (std::vector<int64_t>{4, 3, 1, 5, 5}));

        // Either kind through the one loader `rppg info` uses: the member for the file's kind is
        // set, the other stays empty; a file of another kind is refused by the typed loaders.
        auto any = loadModelFromMemory(bytes.constData(), size_t(bytes.size()), torch::kCPU, &error);
        QVERIFY2(any, error.c_str());
        QVERIFY(any->header.kind == ModelKind::RppgNet && any->rppgNet && !any->stven);
        QVERIFY(sameState(*net, *any->rppgNet));
        Stven stven(rppg::test::tinyStven(2, 3, 16));
        const auto stvenPath = dir.filePath("mem_stven.pt");
        QVERIFY(saveStven(stvenPath.toStdString(), stven, sampleMeta(), &error));
        const auto stvenBytes = readAll(stvenPath);
        any = loadModelFromMemory(stvenBytes.constData(), size_t(stvenBytes.size()), torch::kCPU, &error);
        QVERIFY2(any, error.c_str());
        QVERIFY(any->header.kind == ModelKind::Stven && any->stven && !any->rppgNet);
        QVERIFY(sameState(*stven, *any->stven));
        QVERIFY(!loadRppgNetFromMemory(stvenBytes.constData(), size_t(stvenBytes.size()), torch::kCPU, &error));
        QVERIFY2(error.find("holds a stven model, not rppgnet") != std::string::npos, error.c_str());
        QVERIFY(!loadModelFromMemory(stvenBytes.constData(), size_t(stvenBytes.size()) - 7, torch::kCPU, &error));
        QVERIFY2(error.find("truncated") != std::string::npos, error.c_str());
    }

    void stvenRoundTrip()
    {
        QTemporaryDir dir;
        Stven net(rppg::test::tinyStven(2, 3, 16));
        net->train();
        {
            torch::NoGradGuard noGrad;
            net->forward(torch::randn({2, 3, 8, 16, 16}), oneHotLevels({1, 2}, 3));
        }
        const auto path = dir.filePath("stven.pt").toStdString();
        std::string error;
        QVERIFY2(saveStven(path, net, sampleMeta(), &error), error.c_str());
        auto loaded = loadStven(path, torch::kCPU, &error);
        QVERIFY2(loaded, error.c_str());
        QVERIFY(sameState(*net, *loaded->net));
        QCOMPARE(loaded->net->config().repeatNum, 2);
        QCOMPARE(loaded->net->config().cDim, 3);
        QCOMPARE(loaded->net->config().instanceNormTrackStats, true);
        // Overwriting an existing checkpoint works (rename replaces it).
        QVERIFY2(saveStven(path, net, {}, &error), error.c_str());
        QVERIFY(loadStven(path, torch::kCPU, &error));
    }

    void foldersAreRemovedAndWeightsKept()
    {
        QTemporaryDir dir;
        auto net = trainedTinyNet(rppg::test::tinyRppgNet());
        Stven stven(rppg::test::tinyStven(2, 3, 16));
        CheckpointMeta meta = sampleMeta();
        meta.training["command"] = "/opt/bin/rppg train joint --data /tmp/w/c640a,/tmp/w/c640b --out=/work/runs/j "
                                   "--rppgnet /work/runs/r/rppgnet-best.ckpt --lr 1e-4";
        meta.training["rppgnet"] = "/work/runs/r/rppgnet-best.ckpt";
        meta.training["best_checkpoint"] = "/work/runs/j/joint-best.ckpt";
        const auto netPath = dir.filePath("rppgnet.ckpt").toStdString();
        const auto stvenPath = dir.filePath("stven.ckpt").toStdString();
        std::string error;
        QVERIFY2(saveRppgNet(netPath, net, meta, &error), error.c_str());
        QVERIFY2(saveStven(stvenPath, stven, meta, &error), error.c_str());
        QVERIFY2(removeFoldersFromCheckpoint(netPath, &error), error.c_str());
        QVERIFY2(removeFoldersFromCheckpoint(stvenPath, &error), error.c_str());

        const auto r = loadRppgNet(netPath, torch::kCPU, &error);
        QVERIFY2(r, error.c_str());
        QVERIFY(sameState(*net, *r->net));
        const auto &t = r->header.meta.training;
        QCOMPARE(t.at("command"), std::string("rppg train joint --data c640a,c640b --out=j --rppgnet rppgnet-best.ckpt "
                                              "--lr 1e-4"));
        QCOMPARE(t.at("rppgnet"), std::string("rppgnet-best.ckpt"));
        QCOMPARE(t.at("best_checkpoint"), std::string("joint-best.ckpt"));
        QCOMPARE(t.at("lr"), meta.training.at("lr"));
        QCOMPARE(r->header.meta.trainingData, meta.trainingData);
        QCOMPARE(r->header.meta.createdUtc, meta.createdUtc);
        QVERIFY(r->header.meta.metrics == meta.metrics);
        const auto s = loadStven(stvenPath, torch::kCPU, &error);
        QVERIFY2(s, error.c_str());
        QVERIFY(sameState(*stven, *s->net));
        QCOMPARE(s->header.meta.training.at("rppgnet"), std::string("rppgnet-best.ckpt"));

        // Not a checkpoint: a clear error, the file untouched.
        const auto junk = dir.filePath("junk.ckpt").toStdString();
        std::ofstream(junk) << "not a checkpoint";
        QVERIFY(!removeFoldersFromCheckpoint(junk, &error));
        QVERIFY(!error.empty());
        QCOMPARE(QFileInfo(QString::fromStdString(junk)).size(), qint64(16));
    }

    void refusesToSaveFoldedNetwork()
    {
        QTemporaryDir dir;
        auto net = trainedTinyNet(rppg::test::tinyRppgNet());
        QVERIFY(foldBatchNorm(net));
        std::string error;
        QVERIFY(!saveRppgNet(dir.filePath("f.pt").toStdString(), net, {}, &error));
        QVERIFY2(QString::fromStdString(error).contains("folded"), error.c_str());
        QVERIFY(QDir(dir.path()).entryList(QDir::Files).isEmpty());
    }

    void saveFailsCleanly()
    {
        QTemporaryDir dir;
        auto net = trainedTinyNet(rppg::test::tinyRppgNet());
        std::string error;
        QVERIFY(!saveRppgNet(dir.filePath("missing/sub/dir/n.pt").toStdString(), net, {}, &error));
        QVERIFY(!error.empty());
        QVERIFY(error.find('\n') == std::string::npos);
        auto meta = sampleMeta();
        meta.metrics["bad key"] = 1.0;
        QVERIFY(!saveRppgNet(dir.filePath("n.pt").toStdString(), net, meta, &error));
        QVERIFY2(QString::fromStdString(error).contains("invalid metadata key"), error.c_str());
        QVERIFY(QDir(dir.path()).entryList(QDir::Files).isEmpty());
    }

    void badFilesFailCleanly_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("needle");
        QTest::newRow("missing file") << "missing" << "no checkpoint file";
        QTest::newRow("empty file") << "empty" << "checkpoint is empty";
        QTest::newRow("garbage") << "garbage" << "not an rPPG Studio checkpoint";
        QTest::newRow("zip-like garbage") << "pk-garbage" << "not an rPPG Studio checkpoint";
        QTest::newRow("header only") << "header" << "truncated";
        QTest::newRow("truncated to half") << "half" << "truncated";
        QTest::newRow("tail cut") << "tail" << "truncated";
        QTest::newRow("trailing bytes") << "trailing" << "trailing data";
        QTest::newRow("damaged tensor bytes") << "flip" << "damaged (checksum mismatch)";
        QTest::newRow("newer container") << "container" << "container version 2 is not supported";
        QTest::newRow("valid container, not an archive") << "wrapped-junk" << "cannot read the checkpoint container";
        QTest::newRow("other libtorch archive") << "foreign" << "not an rPPG Studio checkpoint";
        QTest::newRow("wrong architecture") << "stven" << "holds a stven model, not rppgnet";
        QTest::newRow("newer format") << "version" << "format version 2 is not supported";
        QTest::newRow("tensor missing") << "drop-tensor" << "does not contain it";
        QTest::newRow("tensor renamed") << "rename-tensor" << "lacks tensor 'ConvSpa1.0.weight'";
        QTest::newRow("shape mismatch") << "widths" << "the model expects";
        QTest::newRow("invalid config") << "bad-config" << "config is invalid";
        QTest::newRow("unknown config field") << "new-field" << "unknown config field";
        QTest::newRow("metadata garbage") << "meta-garbage" << "no '='";
        QTest::newRow("extra tensor") << "extra-tensor" << "that this model does not";
        QTest::newRow("metadata edited") << "meta-edit" << "damaged (checksum mismatch)";
    }
    void badFilesFailCleanly()
    {
        QFETCH(QString, damage);
        QFETCH(QString, needle);
        QTemporaryDir dir;
        auto net = trainedTinyNet(rppg::test::tinyRppgNet());
        const auto good = dir.filePath("good.pt");
        const auto bad = dir.filePath("bad.pt");
        std::string error;
        QVERIFY2(saveRppgNet(good.toStdString(), net, sampleMeta(), &error), error.c_str());
        const auto bytes = readAll(good);
        auto rewriteMeta = [&](const std::function<std::string(std::string)> &edit) {
            auto parts = readParts(good.toStdString());
            parts.values["rppg_meta"] = c10::IValue(edit(parts.values["rppg_meta"].toStringRef()));
            writeParts(bad.toStdString(), parts);
        };

        if (damage == "missing") {
            // nothing written
        } else if (damage == "empty") {
            rppg::test::writeFile(dir, "bad.pt", {});
        } else if (damage == "garbage") {
            QByteArray junk(4096, '\0');
            for (int i = 0; i < junk.size(); ++i)
                junk[i] = char((i * 7919) & 0xff);
            rppg::test::writeFile(dir, "bad.pt", junk);
        } else if (damage == "pk-garbage") {
            rppg::test::writeFile(dir, "bad.pt", QByteArray("PK\x03\x04", 4) + QByteArray(2000, 'x'));
        } else if (damage == "header") {
            rppg::test::writeFile(dir, "bad.pt", bytes.left(32));
        } else if (damage == "trailing") {
            rppg::test::writeFile(dir, "bad.pt", bytes + QByteArray(10, '\0'));
        } else if (damage == "container") {
            auto damaged = bytes;
            damaged[8] = 2;
            rppg::test::writeFile(dir, "bad.pt", damaged);
        } else if (damage == "wrapped-junk") {
            const auto junk = wrap(std::string(3000, 'j'));
            rppg::test::writeFile(dir, "bad.pt", QByteArray(junk.data(), int(junk.size())));
        } else if (damage == "half") {
            rppg::test::writeFile(dir, "bad.pt", bytes.left(bytes.size() / 2));
        } else if (damage == "tail") {
            rppg::test::writeFile(dir, "bad.pt", bytes.left(bytes.size() - 100));
        } else if (damage == "flip") {
            // Find the stem weights' bytes in the (uncompressed) container and damage them.
            const auto w = net->named_parameters()["ConvSpa1.0.weight"].contiguous();
            const QByteArray needleBytes(static_cast<const char *>(w.data_ptr()), 64);
            const auto at = bytes.indexOf(needleBytes);
            QVERIFY(at > 0);
            auto damaged = bytes;
            damaged[at + 10] = char(damaged[at + 10] ^ 0x5a);
            rppg::test::writeFile(dir, "bad.pt", damaged);
        } else if (damage == "foreign") {
            torch::nn::Linear linear(3, 2);
            torch::save(linear, bad.toStdString());
        } else if (damage == "stven") {
            Stven stven(rppg::test::tinyStven(2, 3, 16));
            QVERIFY(saveStven(bad.toStdString(), stven, {}, &error));
        } else if (damage == "version") {
            auto parts = readParts(good.toStdString());
            parts.values["rppg_format_version"] = c10::IValue(int64_t(2));
            writeParts(bad.toStdString(), parts);
        } else if (damage == "drop-tensor") {
            auto parts = readParts(good.toStdString());
            parts.values.erase("t3");
            writeParts(bad.toStdString(), parts);
        } else if (damage == "rename-tensor") {
            rewriteMeta([](std::string m) { return replaceLine(m, "tensor.0.name", "tensor.0.name=bogus"); });
        } else if (damage == "widths") {
            rewriteMeta([](std::string m) { return replaceLine(m, "config.stem_channels", "config.stem_channels=5"); });
        } else if (damage == "bad-config") {
            rewriteMeta([](std::string m) { return replaceLine(m, "config.input_size", "config.input_size=30"); });
        } else if (damage == "new-field") {
            rewriteMeta([](std::string m) { return m + "config.future_option=1\n"; });
        } else if (damage == "meta-garbage") {
            rewriteMeta([](std::string m) { return m + "this line has no separator\n"; });
        } else if (damage == "extra-tensor") {
            auto parts = readParts(good.toStdString());
            const auto count = std::stoi(parts.values["rppg_meta"].toStringRef().substr(
                parts.values["rppg_meta"].toStringRef().find("tensor.count=") + 13));
            const auto n = std::to_string(count);
            parts.values["t" + n] = c10::IValue(torch::zeros({2}));
            std::string meta = replaceLine(parts.values["rppg_meta"].toStringRef(), "tensor.count",
                                           "tensor.count=" + std::to_string(count + 1));
            meta += "tensor." + n + ".name=extra.weight\ntensor." + n + ".dtype=float32\ntensor." + n
                    + ".shape=2\n";
            parts.values["rppg_meta"] = c10::IValue(meta);
            writeParts(bad.toStdString(), parts);
        } else if (damage == "meta-edit") {
            // "config.frames=8" → 9 in place, checksum left as it was.
            auto damaged = bytes;
            const auto at = damaged.indexOf("config.frames=8");
            QVERIFY(at > 0);
            damaged[at + 14] = '9';
            rppg::test::writeFile(dir, "bad.pt", damaged);
        } else {
            QFAIL("unknown damage");
        }

        error.clear();
        const auto loaded = loadRppgNet(bad.toStdString(), torch::kCPU, &error);
        QVERIFY(!loaded);
        QVERIFY(!error.empty());
        QVERIFY2(error.find('\n') == std::string::npos, error.c_str());
        QVERIFY2(QString::fromStdString(error).contains(needle), error.c_str());
        qInfo("%s", error.c_str());
        // The header reader is as robust.
        if (damage != "stven" && damage != "widths" && damage != "bad-config" && damage != "drop-tensor"
            && damage != "rename-tensor" && damage != "extra-tensor")
            QVERIFY(!readCheckpointHeader(bad.toStdString(), &error));
        // And the in-memory loader.
        const auto badBytes = readAll(bad);
        QVERIFY(!loadRppgNetFromMemory(badBytes.constData(), size_t(badBytes.size()), torch::kCPU, &error));
    }

    // Seeded random damage anywhere in the file (byte flips, truncation, spliced chunks): the
    // loader rejects the file with a one-line message (or, should damage ever go unnoticed,
    // returns the exact original weights); it never crashes or throws. Before the container
    // checksum existed, damage inside the archive's pickle aborted the process in libtorch.
    void randomDamageNeverCrashes()
    {
        QTemporaryDir dir;
        auto net = trainedTinyNet(rppg::test::tinyRppgNet());
        const auto good = dir.filePath("good.pt");
        std::string error;
        QVERIFY(saveRppgNet(good.toStdString(), net, sampleMeta(), &error));
        const auto bytes = readAll(good);
        std::mt19937 rng(12345);
        int rejected = 0, intact = 0;
        // RPPG_CHECKPOINT_FUZZ_TRIALS=5000 for a deeper one-off run.
        const int trials = qEnvironmentVariableIsSet("RPPG_CHECKPOINT_FUZZ_TRIALS")
                               ? qEnvironmentVariableIntValue("RPPG_CHECKPOINT_FUZZ_TRIALS")
                               : 300;
        for (int trial = 0; trial < trials; ++trial) {
            auto damaged = bytes;
            switch (trial % 3) {
            case 0:
                for (int k = 0; k < 1 + int(rng() % 8); ++k)
                    damaged[int(rng() % uint32_t(damaged.size()))] = char(rng());
                break;
            case 1:
                damaged.truncate(int(rng() % uint32_t(damaged.size())));
                break;
            default: {
                const int from = int(rng() % uint32_t(damaged.size()));
                const int to = int(rng() % uint32_t(damaged.size()));
                const int length = std::min({int(rng() % 512), int(damaged.size()) - from, int(damaged.size()) - to});
                damaged.replace(to, length, bytes.mid(from, length));
            }
            }
            error.clear();
            std::optional<LoadedRppgNet> loaded;
            try {
                loaded = loadRppgNetFromMemory(damaged.constData(), size_t(damaged.size()), torch::kCPU, &error);
            } catch (...) {
                QFAIL(qPrintable(QString("an exception escaped on trial %1").arg(trial)));
            }
            if (loaded) {
                QVERIFY2(sameState(*net, *loaded->net), qPrintable(QString("trial %1 loaded altered weights").arg(trial)));
                ++intact;
            } else {
                QVERIFY(!error.empty());
                QVERIFY2(error.find('\n') == std::string::npos, error.c_str());
                ++rejected;
            }
        }
        qInfo("%d damaged files rejected, %d unaffected", rejected, intact);
        QVERIFY(rejected > trials * 8 / 10);
    }

    // --- reference import ------------------------------------------------------------------

    void referenceRppgNetImport()
    {
        QTemporaryDir dir;
        // The reference's final commit: part 1 shares ConvSpa11, all modules registered.
        auto referenceConfig = rppg::test::tinyRppgNet();
        referenceConfig.shareGlobalHeadForPart1 = true;
        auto reference = trainedTinyNet(referenceConfig);
        c10::Dict<std::string, at::Tensor> dict;
        for (const auto &item : reference->named_parameters())
            dict.insert("module." + item.key(), item.value().detach().clone());
        for (const auto &item : reference->named_buffers())
            dict.insert("module." + item.key(), item.value().clone());
        const auto bytes = torch::pickle_save(c10::IValue(dict));
        const auto path = rppg::test::writeFile(dir, "ref.pt", QByteArray(bytes.data(), int(bytes.size())));

        RppgNetConfig base;   // widths come from the file; frames, size and flags from here
        base.frames = 8;
        base.inputSize = 32;
        base.shareGlobalHeadForPart1 = true;
        base.registerUnusedModules = false;
        ReferenceImportReport report;
        std::string error;
        auto imported = importReferenceRppgNet(path.toStdString(), base, &report, &error);
        QVERIFY2(imported, error.c_str());
        QCOMPARE((*imported)->config().stage1Channels, 6);
        QCOMPARE((*imported)->config().skinChannels, 3);
        QVERIFY(std::find(report.ignored.begin(), report.ignored.end(), "ConvSpa.weight") != report.ignored.end());
        QVERIFY(std::find(report.ignored.begin(), report.ignored.end(), "ConvPart1.bias") != report.ignored.end());
        QCOMPARE(report.loaded.size(), (*imported)->named_parameters().size() + (*imported)->named_buffers().size());

        torch::InferenceMode inference;
        const auto x = testClip(referenceConfig);
        const auto a = reference->forward(x);
        const auto b = (*imported)->forward(x);
        QVERIFY(torch::equal(a.global, b.global));
        for (size_t i = 0; i < 4; ++i)
            QVERIFY(torch::equal(a.parts[i], b.parts[i]));
    }

    void referenceStvenImportInfersShape()
    {
        QTemporaryDir dir;
        Stven reference(rppg::test::tinyStven(2, 3, 16));
        c10::Dict<std::string, at::Tensor> dict;
        for (const auto &item : reference->named_parameters())
            dict.insert(item.key(), item.value().detach().to(torch::kFloat64));   // dtype converted on import
        for (const auto &item : reference->named_buffers())
            dict.insert(item.key(), item.value().clone());
        const auto bytes = torch::pickle_save(c10::IValue(dict));
        const auto path = rppg::test::writeFile(dir, "stven_ref.pt", QByteArray(bytes.data(), int(bytes.size())));
        std::string error;
        auto imported = importReferenceStven(path.toStdString(), StvenConfig{}, nullptr, &error);
        QVERIFY2(imported, error.c_str());
        QCOMPARE((*imported)->config().repeatNum, 2);
        QCOMPARE((*imported)->config().cDim, 3);
        QCOMPARE((*imported)->config().convDim, 4);
        QCOMPARE((*imported)->config().bottleneckChannels, 8);
        QVERIFY(sameState(*reference, **imported));
    }

    void referenceImportErrors_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("needle");
        QTest::newRow("missing tensor") << "missing" << "lacks 'ConvSpa5.0.bn.weight'";
        QTest::newRow("wrong shape") << "shape" << "has shape";
        QTest::newRow("foreign tensor") << "foreign" << "no counterpart";
        QTest::newRow("not a dict") << "tensor" << "does not hold a dict";
        QTest::newRow("garbage file") << "garbage" << "cannot unpickle";
    }
    void referenceImportErrors()
    {
        QFETCH(QString, damage);
        QFETCH(QString, needle);
        QTemporaryDir dir;
        RppgNet reference(rppg::test::tinyRppgNet());
        c10::Dict<std::string, at::Tensor> dict;
        for (const auto &item : reference->named_parameters())
            dict.insert(item.key(), item.value().detach());
        for (const auto &item : reference->named_buffers())
            dict.insert(item.key(), item.value());
        std::vector<char> bytes;
        if (damage == "missing") {
            QCOMPARE(dict.erase("ConvSpa5.0.bn.weight"), size_t(1));
        } else if (damage == "shape") {
            dict.insert_or_assign("ConvPart3.weight", torch::zeros({1, 9, 1, 1, 1}));
        } else if (damage == "foreign") {
            dict.insert("fc.weight", torch::zeros({2, 2}));
        }
        if (damage == "tensor")
            bytes = torch::pickle_save(c10::IValue(torch::zeros({3})));
        else if (damage == "garbage")
            bytes = std::vector<char>(1000, 'z');
        else
            bytes = torch::pickle_save(c10::IValue(dict));
        const auto path = rppg::test::writeFile(dir, "r.pt", QByteArray(bytes.data(), int(bytes.size())));
        std::string error;
        auto base = rppg::test::tinyRppgNet();
        QVERIFY(!importReferenceRppgNet(path.toStdString(), base, nullptr, &error));
        QVERIFY2(QString::fromStdString(error).contains(needle), error.c_str());
        QVERIFY(error.find('\n') == std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TstCheckpoint)
#include "tst_checkpoint.moc"
