// rPPGNet against the spec (docs/stven_rppgnet.md §1): parameter counts of the paper
// configuration, reference state_dict names, output shapes, attention normalisation, BN folding,
// gradient flow, and a tiny configuration that learns a synthetic pulse. Tiny configurations keep
// every forward pass in milliseconds; only parameter counting touches the paper size.
#include "losses.h"
#include "rppgnet.h"
#include "torchtestsupport.h"

#include <QElapsedTimer>
#include <QTest>

#include <cmath>
#include <numeric>
#include <random>

using namespace rppg::models;

namespace {

constexpr double kPi = 3.14159265358979323846;


// Clips of a face-like disc whose colour follows a sinusoidal pulse (random rate and phase per
// clip) on a static, differently coloured background with pixel noise; range about [-1, 1].
struct SyntheticBatch
{
    torch::Tensor clips;      // B × 3 × T × S × S
    torch::Tensor pulse;      // B × T
    torch::Tensor skinLabel;  // B × T × S/2 × S/2
};

SyntheticBatch makePulseBatch(int batch, int frames, int size, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> rate(0.8, 2.5), phase(0, 2 * kPi);
    torch::manual_seed(int64_t(seed));
    const double fpsHz = 30.0;
    const auto coords = (torch::arange(size, torch::kFloat32) + 0.5f) / float(size) - 0.5f;
    const auto rr = coords.view({-1, 1}).pow(2) + coords.view({1, -1}).pow(2);
    const auto disc = (rr < 0.3f * 0.3f).to(torch::kFloat32);   // S × S
    SyntheticBatch b;
    b.clips = torch::empty({batch, 3, frames, size, size});
    b.pulse = torch::empty({batch, frames});
    const float skinColour[3] = {0.45f, 0.05f, -0.15f};
    const float background[3] = {-0.4f, -0.3f, 0.2f};
    const float pulseGain[3] = {0.02f, 0.06f, 0.03f};   // green strongest, as in real rPPG
    for (int i = 0; i < batch; ++i) {
        const double f = rate(rng), p = phase(rng);
        for (int t = 0; t < frames; ++t) {
            const float s = float(std::sin(2 * kPi * f * t / fpsHz + p));
            b.pulse[i][t] = s;
            for (int c = 0; c < 3; ++c)
                b.clips[i][c][t] = disc * (skinColour[c] + pulseGain[c] * s) + (1 - disc) * background[c];
        }
    }
    b.clips += 0.01f * torch::randn(b.clips.sizes());
    const auto label = torch::avg_pool2d(disc.view({1, 1, size, size}), 2, 2).gt(0.5).to(torch::kFloat32);
    b.skinLabel = label.view({1, 1, size / 2, size / 2}).expand({batch, frames, size / 2, size / 2}).contiguous();
    return b;
}

double maxRelativeDifference(const torch::Tensor &a, const torch::Tensor &b)
{
    const double scale = std::max(a.abs().max().item<double>(), 1e-12);
    return (a - b).abs().max().item<double>() / scale;
}

} // namespace

class TstRppgNet : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::manual_seed(1); }

    void intermediateWidthsMatchSpec_data()
    {
        QTest::addColumn<int>("in");
        QTest::addColumn<int>("out");
        QTest::addColumn<int>("expected");
        QTest::newRow("16-32") << 16 << 32 << 57;
        QTest::newRow("32-32") << 32 << 32 << 72;
        QTest::newRow("32-64") << 32 << 64 << 115;
        QTest::newRow("64-64") << 64 << 64 << 144;
        QTest::newRow("512-512") << 512 << 512 << 1152;
    }
    void intermediateWidthsMatchSpec()
    {
        QFETCH(int, in);
        QFETCH(int, out);
        QFETCH(int, expected);
        QCOMPARE(rPlus1dIntermediateChannels(in, out), expected);
    }

    void paperParameterCount_data()
    {
        QTest::addColumn<bool>("share");
        QTest::addColumn<bool>("registerUnused");
        QTest::addColumn<qint64>("expected");
        // Spec §4.1: 550,779 with ConvSpa and all six heads registered, whichever head part 1 uses.
        QTest::newRow("own part-1 head, unused registered") << false << true << qint64(550779);
        QTest::newRow("shared head (final reference), unused registered") << true << true << qint64(550779);
        QTest::newRow("own part-1 head, lean") << false << false << qint64(550779 - 448);
        QTest::newRow("shared head, lean") << true << false << qint64(550779 - 448 - 65);
    }
    void paperParameterCount()
    {
        QFETCH(bool, share);
        QFETCH(bool, registerUnused);
        QFETCH(qint64, expected);
        RppgNetConfig c;
        c.shareGlobalHeadForPart1 = share;
        c.registerUnusedModules = registerUnused;
        RppgNet net(c);
        QCOMPARE(qint64(countParameters(*net)), expected);
    }

    void stateDictNamesMatchReference()
    {
        RppgNet net(RppgNetConfig{});
        const auto params = net->named_parameters();
        const auto buffers = net->named_buffers();
        const char *expectedParams[] = {
            "ConvSpa1.0.weight", "ConvSpa1.0.bias", "ConvSpa1.1.weight", "ConvSpa3.0.spatial_conv.weight",
            "ConvSpa3.0.bn.weight", "ConvSpa3.0.temporal_conv.bias", "ConvSpa3.1.bias", "ConvSpa9.1.weight",
            "ConvSpa10.weight", "ConvSpa11.bias", "ConvPart1.weight", "ConvPart4.bias", "ConvSpa.weight",
            "skin_main.0.weight", "skin_main.1.weight", "skin_main.3.weight", "skin_main.4.bias",
            "skin_residual.0.weight", "skin_residual.1.bias", "skin_output.0.weight", "skin_output.0.bias"};
        for (const char *name : expectedParams)
            QVERIFY2(params.contains(name), name);
        for (const char *name : {"ConvSpa1.1.running_mean", "ConvSpa5.0.bn.running_var", "ConvSpa5.1.num_batches_tracked"})
            QVERIFY2(buffers.contains(name), name);
        QCOMPARE(params["ConvSpa3.0.spatial_conv.weight"].sizes(), (torch::IntArrayRef{57, 16, 1, 3, 3}));
        QCOMPARE(params["ConvSpa5.0.temporal_conv.weight"].sizes(), (torch::IntArrayRef{64, 115, 3, 1, 1}));
        QCOMPARE(params["ConvSpa1.0.weight"].sizes(), (torch::IntArrayRef{16, 3, 1, 5, 5}));
    }

    void rejectsInconsistentConfigs_data()
    {
        QTest::addColumn<int>("inputSize");
        QTest::addColumn<int>("frames");
        QTest::addColumn<int>("width");
        QTest::addColumn<QString>("needle");
        QTest::newRow("size 120") << 120 << 64 << 16 << "multiple of 16";
        QTest::newRow("size 8") << 8 << 64 << 16 << "multiple of 16";
        QTest::newRow("no frames") << 128 << 0 << 16 << "frames";
        QTest::newRow("zero width") << 128 << 64 << 0 << "channel width";
    }
    void rejectsInconsistentConfigs()
    {
        QFETCH(int, inputSize);
        QFETCH(int, frames);
        QFETCH(int, width);
        QFETCH(QString, needle);
        RppgNetConfig c;
        c.inputSize = inputSize;
        c.frames = frames;
        c.stemChannels = width;
        std::string error;
        auto net = makeRppgNet(c, &error);
        QVERIFY(!net);
        QVERIFY2(QString::fromStdString(error).contains(needle), error.c_str());
        QVERIFY(error.find('\n') == std::string::npos);
    }

    void rejectsMismatchedInput_data()
    {
        QTest::addColumn<QList<qint64>>("shape");
        QTest::newRow("too few frames") << QList<qint64>{1, 3, 4, 32, 32};
        QTest::newRow("wrong size") << QList<qint64>{1, 3, 8, 48, 48};
        QTest::newRow("not square") << QList<qint64>{1, 3, 8, 32, 64};
        QTest::newRow("grey") << QList<qint64>{1, 1, 8, 32, 32};
        QTest::newRow("4-D") << QList<qint64>{3, 8, 32, 32};
    }
    void rejectsMismatchedInput()
    {
        QFETCH(QList<qint64>, shape);
        RppgNet net(rppg::test::tinyRppgNet());
        const auto x = torch::zeros(std::vector<int64_t>(shape.begin(), shape.end()));
        QVERIFY(!net->checkInput(x).empty());
        bool threw = false;
        try {
            net->forward(x);
        } catch (const std::invalid_argument &e) {
            threw = true;
            QVERIFY2(QString(e.what()).contains("expected input B×3×8×32×32"), e.what());
        }
        QVERIFY(threw);
    }

    void outputShapes_data()
    {
        QTest::addColumn<int>("frames");
        QTest::addColumn<int>("size");
        QTest::addColumn<bool>("share");
        QTest::newRow("8 frames, 32 px") << 8 << 32 << false;
        QTest::newRow("8 frames, 64 px, shared head") << 8 << 64 << true;
        QTest::newRow("5 frames, 16 px") << 5 << 16 << false;
    }
    void outputShapes()
    {
        QFETCH(int, frames);
        QFETCH(int, size);
        QFETCH(bool, share);
        auto c = rppg::test::tinyRppgNet(frames, size);
        c.shareGlobalHeadForPart1 = share;
        RppgNet net(c);
        net->eval();
        torch::InferenceMode inference;
        const int64_t b = 2, t = frames, s = size;
        const auto out = net->forward(torch::rand({b, 3, t, s, s}) * 2 - 1);
        QCOMPARE(out.skinMap.sizes(), (torch::IntArrayRef{b, t, s / 2, s / 2}));
        QCOMPARE(out.aux.sizes(), (torch::IntArrayRef{b, t}));
        QCOMPARE(out.global.sizes(), (torch::IntArrayRef{b, t}));
        for (const auto &part : out.parts)
            QCOMPARE(part.sizes(), (torch::IntArrayRef{b, t}));
        QCOMPARE(out.visual64.sizes(), (torch::IntArrayRef{b, c.stage1Channels, t, s / 2, s / 2}));
        QCOMPARE(out.visual32.sizes(), (torch::IntArrayRef{b, c.stage2Channels, t, s / 4, s / 4}));
        QCOMPARE(out.attention32.sizes(), (torch::IntArrayRef{b, t, s / 4, s / 4}));
        QCOMPARE(out.attention16.sizes(), (torch::IntArrayRef{b, t, s / 8, s / 8}));
        QVERIFY(out.skinMap.min().item<float>() > 0.0f && out.skinMap.max().item<float>() < 1.0f);
    }

    // The mean of the four quadrant means is the global mean and the heads are affine, so with
    // all five heads sharing weights the parts must average to the global signal.
    void partitionsTileTheMap()
    {
        RppgNet net(rppg::test::tinyRppgNet(8, 64));
        net->eval();
        {
            torch::NoGradGuard noGrad;
            // Zero biases: the attention-weighted means are small (α sums to 1 over the map), so a
            // bias would hide the differences between quadrants.
            auto params = net->named_parameters();
            params["ConvSpa11.bias"].zero_();
            for (const char *head : {"ConvPart1", "ConvPart2", "ConvPart3", "ConvPart4"}) {
                params[std::string(head) + ".weight"].copy_(params["ConvSpa11.weight"]);
                params[std::string(head) + ".bias"].zero_();
            }
        }
        torch::InferenceMode inference;
        const auto out = net->forward(torch::randn({2, 3, 8, 64, 64}));
        const auto meanOfParts = (out.parts[0] + out.parts[1] + out.parts[2] + out.parts[3]) / 4;
        QVERIFY(maxRelativeDifference(meanOfParts, out.global) < 1e-4);
        QVERIFY(maxRelativeDifference(out.parts[0], out.parts[3]) > 1e-2);
    }

    // Inference calls oneDNN directly and runs the temporal convs as conv2d; with gradients on,
    // the module's own forward runs. Both must agree.
    void inferencePathMatchesGradientPath()
    {
        auto c = rppg::test::tinyRppgNet(8, 64);
        RppgNet net(c);
        net->eval();
        const auto x = torch::randn({2, 3, 8, 64, 64});
        const auto withGrad = net->forward(x);
        QVERIFY(withGrad.global.requires_grad());
        torch::InferenceMode inference;
        const auto fast = net->forward(x);
        QVERIFY(maxRelativeDifference(withGrad.global.detach(), fast.global) < 1e-4);
        QVERIFY(maxRelativeDifference(withGrad.skinMap.detach(), fast.skinMap) < 1e-4);
        QVERIFY(maxRelativeDifference(withGrad.visual32.detach(), fast.visual32) < 1e-4);
        for (size_t i = 0; i < 4; ++i)
            QVERIFY(maxRelativeDifference(withGrad.parts[i].detach(), fast.parts[i]) < 1e-4);
    }

    void attentionWeightsSumToOnePerFrame()
    {
        RppgNet net(rppg::test::tinyRppgNet(8, 64));
        net->eval();
        torch::InferenceMode inference;
        const auto out = net->forward(torch::randn({2, 3, 8, 64, 64}));
        for (const auto &alpha : {out.attention32, out.attention16}) {
            const auto sums = alpha.sum({2, 3});
            QVERIFY(torch::allclose(sums, torch::ones_like(sums), 1e-5, 1e-5));
            QVERIFY(alpha.min().item<float>() > 0.0f);
        }
    }

    // The broadcast implementation against the reference's literal recipe, element by element.
    void attentionMatchesReferenceRecipe()
    {
        const auto features = torch::randn({2, 5, 3, 4, 6});
        const auto skin = torch::rand({2, 3, 4, 6});
        const auto [weighted, alpha] = skinAttention(features, skin);
        const auto f = features.accessor<float, 5>();
        const auto s = skin.accessor<float, 4>();
        auto sigmoid = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
        for (int b = 0; b < 2; ++b) {
            for (int t = 0; t < 3; ++t) {
                std::vector<double> z;
                for (int h = 0; h < 4; ++h) {
                    for (int w = 0; w < 6; ++w) {
                        double sum = 0, max = -1e30;
                        for (int c = 0; c < 5; ++c) {
                            sum += f[b][c][t][h][w];
                            max = std::max(max, double(f[b][c][t][h][w]));
                        }
                        z.push_back(sigmoid(sum / 5) + sigmoid(max) + s[b][t][h][w]);
                    }
                }
                double norm = 0;
                for (double v : z)
                    norm += std::exp(v);
                for (int h = 0; h < 4; ++h) {
                    for (int w = 0; w < 6; ++w) {
                        const double a = std::exp(z[size_t(h * 6 + w)]) / norm;
                        QVERIFY(std::abs(alpha[b][t][h][w].item<double>() - a) < 1e-6);
                        for (int c = 0; c < 5; ++c)
                            QVERIFY(std::abs(weighted[b][c][t][h][w].item<double>() - f[b][c][t][h][w] * a) < 1e-6);
                    }
                }
            }
        }
    }

    void gradientsReachEveryParameter()
    {
        auto c = rppg::test::tinyRppgNet(8, 32);
        c.registerUnusedModules = false;   // ConvSpa never runs, so it could not get a gradient
        RppgNet net(c);
        net->train();
        const auto batch = makePulseBatch(2, 8, 32, 7);
        const auto out = net->forward(batch.clips);
        rppgNetLoss(out, batch.pulse, batch.skinLabel).total.backward();
        int checked = 0;
        for (const auto &item : net->named_parameters()) {
            const auto &grad = item.value().grad();
            QVERIFY2(grad.defined(), item.key().c_str());
            QVERIFY2(torch::isfinite(grad).all().item<bool>(), item.key().c_str());
            // A bias right before a training-mode BN has an exactly cancelling gradient; every
            // weight must receive a real one.
            if (item.key().find("bias") == std::string::npos)
                QVERIFY2(grad.abs().sum().item<double>() > 0, item.key().c_str());
            ++checked;
        }
        QCOMPARE(checked, int(net->parameters().size()));
    }

    void foldedBatchNormGivesSameOutputs_data()
    {
        QTest::addColumn<int>("size");
        QTest::addColumn<bool>("share");
        QTest::newRow("32 px") << 32 << false;
        QTest::newRow("64 px, shared head") << 64 << true;
    }
    void foldedBatchNormGivesSameOutputs()
    {
        QFETCH(int, size);
        QFETCH(bool, share);
        auto c = rppg::test::tinyRppgNet(8, size);
        c.shareGlobalHeadForPart1 = share;
        RppgNet net(c);
        rppg::test::makeInputSensitive(*net);   // so a wrong fold in an early layer shows at the output
        // Non-trivial running statistics and affine terms, as after training.
        net->train();
        {
            torch::NoGradGuard noGrad;
            for (int i = 0; i < 3; ++i)
                net->forward(torch::randn({2, 3, 8, size, size}) * 0.7 + 0.2);
            for (auto &item : net->named_parameters()) {
                if (item.key().find(".bn.") != std::string::npos || item.key().find(".1.") != std::string::npos
                    || item.key().find(".4.") != std::string::npos)
                    item.value().uniform_(0.5, 1.5);
            }
        }
        net->eval();
        const auto x = torch::randn({2, 3, 8, size, size});
        RppgNetOutput before;
        {
            torch::InferenceMode inference;
            before = net->forward(x);
        }
        const auto bnCount = net->named_buffers().size();
        std::string error;
        QVERIFY2(foldBatchNorm(net, &error), error.c_str());
        QVERIFY(net->isBatchNormFolded());
        QVERIFY(net->named_buffers().size() < bnCount);
        for (const auto &item : net->named_modules()) {
            QVERIFY2(!item.value()->as<torch::nn::BatchNorm3d>(), item.key().c_str());
        }
        torch::InferenceMode inference;
        const auto after = net->forward(x);
        QVERIFY(maxRelativeDifference(before.global, after.global) < 1e-4);
        QVERIFY(maxRelativeDifference(before.aux, after.aux) < 1e-4);
        for (size_t i = 0; i < 4; ++i)
            QVERIFY(maxRelativeDifference(before.parts[i], after.parts[i]) < 1e-4);
        QVERIFY(maxRelativeDifference(before.skinMap, after.skinMap) < 1e-4);
        QVERIFY(maxRelativeDifference(before.visual32, after.visual32) < 1e-4);
        QVERIFY(maxRelativeDifference(before.attention16, after.attention16) < 1e-4);
    }

    void foldingNeedsEvalModeAndBlocksTraining()
    {
        RppgNet net(rppg::test::tinyRppgNet());
        net->train();
        std::string error;
        QVERIFY(!foldBatchNorm(net, &error));
        QVERIFY2(QString::fromStdString(error).contains("eval"), error.c_str());
        net->eval();
        QVERIFY(foldBatchNorm(net, &error));
        net->train();
        QVERIFY_THROWS_EXCEPTION(std::logic_error, net->forward(torch::zeros({1, 3, 8, 32, 32})));
    }

    // Spec §1.6: the heads must learn a pulse. A tiny network overfits four synthetic clips.
    void tinyNetworkLearnsSyntheticPulse()
    {
        torch::manual_seed(3);
        auto c = rppg::test::tinyRppgNet(32, 16);
        c.registerUnusedModules = false;
        RppgNet net(c);
        net->train();
        const auto batch = makePulseBatch(4, 32, 16, 11);
        torch::optim::Adam optimiser(net->parameters(), torch::optim::AdamOptions(3e-3));
        std::vector<double> losses;
        QElapsedTimer timer;
        timer.start();
        for (int step = 0; step < 200; ++step) {
            optimiser.zero_grad();
            const auto terms = rppgNetLoss(net->forward(batch.clips), batch.pulse, batch.skinLabel);
            terms.total.backward();
            optimiser.step();
            losses.push_back(terms.total.item<double>());
        }
        auto mean = [](auto begin, auto end) { return std::accumulate(begin, end, 0.0) / double(end - begin); };
        const double first = mean(losses.begin(), losses.begin() + 5);
        const double last = mean(losses.end() - 5, losses.end());
        qInfo("loss %.3f -> %.3f in %lld ms", first, last, static_cast<long long>(timer.elapsed()));
        QVERIFY2(last < 0.5 * first, qPrintable(QString("loss %1 -> %2").arg(first).arg(last)));
    }
};

QTEST_GUILESS_MAIN(TstRppgNet)
#include "tst_rppgnet.moc"
