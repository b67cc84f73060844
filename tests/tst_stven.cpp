// STVEN against the spec (docs/stven_rppgnet.md §2): parameter counts of the paper configuration
// (constructed, never run: 1.4 TMAC per clip), reference names, the global residual, label
// conditioning, input validation and the reconstruction/cycle losses on a tiny configuration.
#include "losses.h"
#include "stven.h"
#include "torchtestsupport.h"

#include <QTest>

using namespace rppg::models;

class TstStven : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::manual_seed(5); }

    void paperParameterCount_data()
    {
        QTest::addColumn<int>("blocks");
        QTest::addColumn<int>("cDim");
        QTest::addColumn<qint64>("expected");
        // Spec §4.2: 37,326,784 with 4 blocks and C = 5; each block 7,081,856; each label 9,408.
        QTest::newRow("code: 4 blocks, C=5") << 4 << 5 << qint64(37326784);
        QTest::newRow("paper?: 6 blocks, C=5") << 6 << 5 << qint64(37326784 + 2 * 7081856);
        QTest::newRow("OBF one codec: 4 blocks, C=4") << 4 << 4 << qint64(37326784 - 9408);
    }
    void paperParameterCount()
    {
        QFETCH(int, blocks);
        QFETCH(int, cDim);
        QFETCH(qint64, expected);
        StvenConfig c;
        c.repeatNum = blocks;
        c.cDim = cDim;
        Stven net(c);
        QCOMPARE(qint64(countParameters(*net)), expected);
    }

    void stateDictNamesMatchReference()
    {
        Stven net(StvenConfig{});
        const auto params = net->named_parameters();
        for (const char *name : {"down3Dmain.0.weight", "down3Dmain.1.weight", "down3Dmain.3.weight", "down3Dmain.4.bias",
                                 "down3Dmain.6.weight", "down3Dmain.7.weight", "down3Dmain.9.spatial_conv.weight",
                                 "down3Dmain.9.bn.weight", "down3Dmain.12.temporal_conv.bias", "layers2.0.weight",
                                 "layers2.1.weight", "layers3.0.weight", "layers3.1.bias", "layers4.0.weight"})
            QVERIFY2(params.contains(name), name);
        QVERIFY(!params.contains("down3Dmain.0.bias"));   // encoder/decoder convs have no bias
        QVERIFY(!params.contains("down3Dmain.13.spatial_conv.weight"));
        const auto buffers = net->named_buffers();
        QVERIFY(buffers.contains("down3Dmain.1.running_mean"));   // track_running_stats as in the reference
        QVERIFY(buffers.contains("down3Dmain.9.bn.running_var"));
        QCOMPARE(params["down3Dmain.0.weight"].sizes(), (torch::IntArrayRef{64, 8, 3, 7, 7}));
        QCOMPARE(params["layers2.0.weight"].sizes(), (torch::IntArrayRef{512, 128, 4, 4, 4}));
        QCOMPARE(params["down3Dmain.9.spatial_conv.weight"].sizes(), (torch::IntArrayRef{1152, 512, 1, 3, 3}));
    }

    void perInstanceNormalisationOption()
    {
        auto c = rppg::test::tinyStven(2, 4, 16);
        c.instanceNormTrackStats = false;
        Stven net(c);
        for (const auto &item : net->named_buffers())
            QVERIFY2(item.key().find("down3Dmain.1.") == std::string::npos, item.key().c_str());
    }

    void outputIsInputPlusTanhResidual()
    {
        Stven net(rppg::test::tinyStven(2, 4, 16));
        net->eval();
        torch::InferenceMode inference;
        const auto x = torch::rand({2, 3, 8, 16, 16}) * 2 - 1;
        const auto label = oneHotLevels({0, 3}, 4);
        const auto out = net->forward(x, label);
        const auto residual = net->residual(x, label);
        QCOMPARE(out.sizes(), x.sizes());
        QVERIFY(torch::equal(out, x + residual));
        QVERIFY(residual.abs().max().item<float>() < 1.0f);
        QVERIFY(residual.abs().max().item<float>() > 0.0f);
    }

    // Inference takes the oneDNN-direct convs; with gradients the modules' own forward runs.
    void inferencePathMatchesGradientPath()
    {
        Stven net(rppg::test::tinyStven(2, 4, 16));
        net->eval();
        const auto x = torch::rand({2, 3, 8, 16, 16}) * 2 - 1;
        const auto label = oneHotLevels({0, 1}, 4);
        const auto withGrad = net->residual(x, label);
        QVERIFY(withGrad.requires_grad());
        torch::InferenceMode inference;
        const auto fast = net->residual(x, label);
        QVERIFY(torch::allclose(withGrad.detach(), fast, 1e-4, 1e-5));
    }

    void labelConditionsTheOutput()
    {
        Stven net(rppg::test::tinyStven(2, 4, 16));
        net->eval();
        torch::InferenceMode inference;
        const auto x = torch::rand({1, 3, 8, 16, 16}) * 2 - 1;
        const auto a = net->forward(x, oneHotLevels({0}, 4));
        const auto b = net->forward(x, oneHotLevels({2}, 4));
        QVERIFY(!torch::allclose(a, b));
    }

    void acceptsAnyValidSize()
    {
        // Fully convolutional: sizes other than the configured ones work if T is even and H, W
        // are multiples of 4.
        Stven net(rppg::test::tinyStven(2, 4, 16));
        net->eval();
        torch::InferenceMode inference;
        const auto x = torch::zeros({1, 3, 6, 12, 20});
        QCOMPARE(net->forward(x, oneHotLevels({1}, 4)).sizes(), x.sizes());
    }

    void rejectsInvalidInput_data()
    {
        QTest::addColumn<QList<qint64>>("shape");
        QTest::addColumn<int>("labelSize");
        QTest::addColumn<QString>("needle");
        QTest::newRow("odd frames") << QList<qint64>{1, 3, 7, 16, 16} << 4 << "even";
        QTest::newRow("height 18") << QList<qint64>{1, 3, 8, 18, 16} << 4 << "multiples of 4";
        QTest::newRow("grey") << QList<qint64>{1, 1, 8, 16, 16} << 4 << "B×3×T×H×W";
        QTest::newRow("label size") << QList<qint64>{1, 3, 8, 16, 16} << 5 << "label";
    }
    void rejectsInvalidInput()
    {
        QFETCH(QList<qint64>, shape);
        QFETCH(int, labelSize);
        QFETCH(QString, needle);
        Stven net(rppg::test::tinyStven(2, 4, 16));
        const auto x = torch::zeros(std::vector<int64_t>(shape.begin(), shape.end()));
        const auto label = torch::zeros({1, labelSize});
        const auto error = net->checkInput(x, label);
        QVERIFY2(QString::fromStdString(error).contains(needle), error.c_str());
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, net->forward(x, label));
    }

    void rejectsInvalidConfigs()
    {
        std::string error;
        auto c = rppg::test::tinyStven(2, 4, 16);
        c.frames = 7;
        QVERIFY(!makeStven(c, &error));
        QVERIFY2(QString::fromStdString(error).contains("even"), error.c_str());
        c = rppg::test::tinyStven(2, 4, 16);
        c.inputSize = 30;
        QVERIFY(!makeStven(c, &error));
        QVERIFY2(QString::fromStdString(error).contains("multiple of 4"), error.c_str());
        c = rppg::test::tinyStven(2, 4, 16);
        c.cDim = 0;
        QVERIFY(!makeStven(c, &error));
    }

    // The CPU path replaces ConvTranspose3d by a phase decomposition: same values and gradients.
    void phaseDecompositionMatchesTransposedConv_data()
    {
        QTest::addColumn<QList<qint64>>("kernel");
        QTest::addColumn<QList<qint64>>("stride");
        QTest::addColumn<QList<qint64>>("padding");
        QTest::newRow("DConv_1 (4,4,4)/2") << QList<qint64>{4, 4, 4} << QList<qint64>{2, 2, 2} << QList<qint64>{1, 1, 1};
        QTest::newRow("DConv_2 (1,4,4)/(1,2,2)") << QList<qint64>{1, 4, 4} << QList<qint64>{1, 2, 2}
                                                 << QList<qint64>{0, 1, 1};
        QTest::newRow("fallback (3,3,3)/2") << QList<qint64>{3, 3, 3} << QList<qint64>{2, 2, 2} << QList<qint64>{1, 1, 1};
    }
    void phaseDecompositionMatchesTransposedConv()
    {
        QFETCH(QList<qint64>, kernel);
        QFETCH(QList<qint64>, stride);
        QFETCH(QList<qint64>, padding);
        const auto x = torch::randn({2, 5, 3, 4, 6}, torch::kFloat64).requires_grad_(true);
        const auto w = torch::randn({5, 3, kernel[0], kernel[1], kernel[2]}, torch::kFloat64).requires_grad_(true);
        const std::vector<int64_t> s(stride.begin(), stride.end()), p(padding.begin(), padding.end());
        const auto expected = torch::conv_transpose3d(x, w, {}, s, p);
        const auto actual = convTranspose3dByPhases(x, w, s, p);
        QCOMPARE(actual.sizes(), expected.sizes());
        QVERIFY(torch::allclose(actual, expected, 1e-12, 1e-10));
        const auto probe = torch::randn_like(expected);
        const auto gradExpected = torch::autograd::grad({(expected * probe).sum()}, {x, w});
        const auto gradActual = torch::autograd::grad({(actual * probe).sum()}, {x, w});
        QVERIFY(torch::allclose(gradActual[0], gradExpected[0], 1e-12, 1e-10));
        QVERIFY(torch::allclose(gradActual[1], gradExpected[1], 1e-12, 1e-10));
    }

    void oneHotLabels()
    {
        const auto labels = oneHotLevels({0, 2, 4}, 5);
        QCOMPARE(labels.sizes(), (torch::IntArrayRef{3, 5}));
        QVERIFY(torch::equal(labels.sum(1), torch::ones({3})));
        QCOMPARE(labels[1][2].item<float>(), 1.0f);
        QVERIFY_THROWS_EXCEPTION(std::out_of_range, oneHotLevels({5}, 5));
    }

    // Spec §2.3 with the recommended L1 + MSE: the enhancement/cycle pair is finite, trains the
    // generator, and PSNR is reported but not part of the loss.
    void cycleLossIsFiniteAndTrains()
    {
        Stven net(rppg::test::tinyStven(2, 4, 16));
        net->train();
        const auto original = torch::rand({2, 3, 8, 16, 16}) * 2 - 1;
        const auto compressed = (original + 0.1 * torch::randn_like(original)).clamp(-1, 1);
        const auto toOriginal = oneHotLevels({0, 0}, 4);
        const auto toSource = oneHotLevels({2, 3}, 4);
        const auto enhanced = net->forward(compressed, toOriginal);
        const auto cycled = net->forward(enhanced, toSource);
        const auto terms = stvenLoss(enhanced, original, cycled, compressed);
        QVERIFY(std::isfinite(terms.total.item<double>()));
        QVERIFY(std::isfinite(terms.reconstruction.psnrDb.item<double>()));
        QVERIFY(!terms.reconstruction.psnrDb.requires_grad());
        const double expected = (terms.reconstruction.l1 + terms.reconstruction.mse + terms.cycle.l1 + terms.cycle.mse)
                                    .item<double>();
        QVERIFY(std::abs(terms.total.item<double>() - expected) < 1e-6);
        terms.total.backward();
        for (const auto &item : net->named_parameters()) {
            QVERIFY2(item.value().grad().defined(), item.key().c_str());
            QVERIFY2(torch::isfinite(item.value().grad()).all().item<bool>(), item.key().c_str());
        }
    }
};

QTEST_GUILESS_MAIN(TstStven)
#include "tst_stven.moc"
