// Losses against closed forms (docs/stven_rppgnet.md §1.7, §2.3, §2.4): negative Pearson on known
// vectors, its behaviour on flat signals, the rPPGNet loss weighting, STVEN reconstruction and
// PSNR, and the joint stage's gradient routing through a frozen rPPGNet.
#include "checkpoint.h"
#include "losses.h"
#include "rppgnet.h"
#include "stven.h"
#include "torchtestsupport.h"

#include <QTest>

#include <cmath>

using namespace rppg::models;

namespace {

double closedFormPearson(const std::vector<double> &x, const std::vector<double> &y)
{
    const double n = double(x.size());
    double sx = 0, sy = 0, sxy = 0, sx2 = 0, sy2 = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        sx += x[i];
        sy += y[i];
        sxy += x[i] * y[i];
        sx2 += x[i] * x[i];
        sy2 += y[i] * y[i];
    }
    return (n * sxy - sx * sy) / std::sqrt((n * sx2 - sx * sx) * (n * sy2 - sy * sy));
}

torch::Tensor row(const std::vector<double> &v)
{
    return torch::tensor(v, torch::kFloat64).view({1, -1});
}



RppgNetOutput fakeOutput(int64_t b, int64_t t, int64_t s)
{
    RppgNetOutput o;
    o.skinMap = torch::rand({b, t, s, s}, torch::kFloat64) * 0.98 + 0.01;
    o.aux = torch::randn({b, t}, torch::kFloat64);
    o.global = torch::randn({b, t}, torch::kFloat64);
    for (auto &p : o.parts)
        p = torch::randn({b, t}, torch::kFloat64);
    return o;
}

} // namespace

class TstLosses : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::manual_seed(9); }

    void negPearsonMatchesClosedForm_data()
    {
        QTest::addColumn<std::vector<double>>("x");
        QTest::addColumn<std::vector<double>>("y");
        QTest::addColumn<double>("expected");   // NaN: use the closed form
        QTest::newRow("identical") << std::vector<double>{1, 2, 3, 4, 5} << std::vector<double>{1, 2, 3, 4, 5} << 0.0;
        QTest::newRow("scaled and shifted") << std::vector<double>{1, 2, 3, 4, 5}
                                            << std::vector<double>{12, 14, 16, 18, 20} << 0.0;
        QTest::newRow("reversed") << std::vector<double>{1, 2, 3, 4, 5} << std::vector<double>{5, 4, 3, 2, 1} << 2.0;
        QTest::newRow("orthogonal") << std::vector<double>{1, 0, -1, 0} << std::vector<double>{0, 1, 0, -1} << 1.0;
        QTest::newRow("arbitrary") << std::vector<double>{0.3, -1.2, 2.5, 0.7, -0.4, 1.9}
                                   << std::vector<double>{1.1, 0.2, 1.4, -0.3, 0.5, 2.2} << qQNaN();
        QTest::newRow("small amplitude") << std::vector<double>{1e-4, 3e-4, -2e-4, 0.5e-4}
                                         << std::vector<double>{2.0, 3.5, -1.0, 0.0} << qQNaN();
    }
    void negPearsonMatchesClosedForm()
    {
        QFETCH(std::vector<double>, x);
        QFETCH(std::vector<double>, y);
        QFETCH(double, expected);
        if (std::isnan(expected))
            expected = 1.0 - closedFormPearson(x, y);
        const auto zScored = negPearsonLoss(row(x), row(y)).item<double>();
        const auto raw = negPearsonLoss(row(x), row(y), SignalNormalisation::None, 0.0).item<double>();
        QVERIFY2(std::abs(zScored - expected) < 1e-6, qPrintable(QString("%1 vs %2").arg(zScored).arg(expected)));
        QVERIFY2(std::abs(raw - expected) < 1e-9, qPrintable(QString("%1 vs %2").arg(raw).arg(expected)));
        // Float32, the training dtype, agrees as well.
        const auto f32 = negPearsonLoss(row(x).to(torch::kFloat32), row(y).to(torch::kFloat32)).item<double>();
        QVERIFY(std::abs(f32 - expected) < 1e-4);
    }

    void negPearsonAveragesRows()
    {
        const auto x = torch::randn({3, 16}, torch::kFloat64);
        const auto y = torch::randn({3, 16}, torch::kFloat64);
        double sum = 0;
        for (int64_t i = 0; i < 3; ++i)
            sum += negPearsonLoss(x.narrow(0, i, 1), y.narrow(0, i, 1)).item<double>();
        QVERIFY(std::abs(negPearsonLoss(x, y).item<double>() - sum / 3) < 1e-12);
    }

    void flatPredictionIsFiniteWithFiniteGradient_data()
    {
        QTest::addColumn<double>("level");
        QTest::addColumn<bool>("flatTarget");
        QTest::newRow("zeros") << 0.0 << false;
        QTest::newRow("constant 3.7") << 3.7 << false;
        QTest::newRow("both flat") << 1.0 << true;
    }
    void flatPredictionIsFiniteWithFiniteGradient()
    {
        QFETCH(double, level);
        QFETCH(bool, flatTarget);
        for (auto normalisation : {SignalNormalisation::PerSampleZScore, SignalNormalisation::None}) {
            auto prediction = torch::full({2, 64}, level, torch::kFloat32).requires_grad_(true);
            const auto target = flatTarget ? torch::ones({2, 64}) : torch::sin(torch::arange(64).to(torch::kFloat32) * 0.3).expand({2, 64});
            const auto loss = negPearsonLoss(prediction, target, normalisation);
            QVERIFY(std::isfinite(loss.item<double>()));
            // r ≈ 0 for a flat line (float32 rounding of the row mean leaves a few ulps).
            QVERIFY2(std::abs(loss.item<double>() - 1.0) < 1e-2, qPrintable(QString::number(loss.item<double>())));
            loss.backward();
            QVERIFY(torch::isfinite(prediction.grad()).all().item<bool>());
        }
    }

    void zScoredLossIgnoresScaleAndOffset()
    {
        const auto x = torch::randn({2, 32});
        const auto y = torch::randn({2, 32});
        const double base = negPearsonLoss(x, y).item<double>();
        QVERIFY(std::abs(negPearsonLoss(x * 1e-3 + 5, y).item<double>() - base) < 1e-4);
        QVERIFY(std::abs(negPearsonLoss(x, y * 40 - 2).item<double>() - base) < 1e-5);
        const auto z = zScoreRows(x);
        QVERIFY(torch::allclose(z.mean(1), torch::zeros({2}), 0, 1e-5));
        QVERIFY(torch::allclose(z.std(1), torch::ones({2}), 1e-4, 1e-4));
    }

    void skinLossIsMeanBce()
    {
        const auto p = torch::rand({2, 3, 4, 4}, torch::kFloat64) * 0.9 + 0.05;
        const auto label = (torch::rand({2, 3, 4, 4}) > 0.5).to(torch::kFloat64);
        const auto manual = -(label * torch::log(p) + (1 - label) * torch::log(1 - p)).mean();
        QVERIFY(std::abs(skinLoss(p, label).item<double>() - manual.item<double>()) < 1e-12);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, skinLoss(p, label.narrow(1, 0, 2)));
    }

    void rppgNetLossWeighting()
    {
        const auto out = fakeOutput(2, 16, 4);
        const auto target = torch::randn({2, 16}, torch::kFloat64);
        const auto label = (torch::rand({2, 16, 4, 4}) > 0.5).to(torch::kFloat64);
        const auto terms = rppgNetLoss(out, target, label);
        double local = negPearsonLoss(out.aux, target).item<double>();
        for (const auto &p : out.parts)
            local += negPearsonLoss(p, target).item<double>();
        const double expected = 0.1 * skinLoss(out.skinMap, label).item<double>() + 0.5 * local
                                + negPearsonLoss(out.global, target).item<double>();
        QVERIFY(std::abs(terms.total.item<double>() - expected) < 1e-12);
        QVERIFY(std::abs(terms.parts[2].item<double>() - negPearsonLoss(out.parts[2], target).item<double>()) < 1e-12);

        RppgNetLossWeights weights;
        weights.skin = 0;
        weights.local = 0;
        QVERIFY(std::abs(rppgNetLoss(out, target, label, weights).total.item<double>() - terms.global.item<double>())
                < 1e-12);
        QVERIFY(!terms.frequency.defined());   // off by default: the paper's loss
        weights.frequency = 0.5;
        const auto withFrequency = rppgNetLoss(out, target, label, weights);
        QVERIFY(withFrequency.frequency.defined());
        QVERIFY(std::abs(withFrequency.total.item<double>()
                         - (terms.global.item<double>() + 0.5 * frequencyCrossEntropyLoss(out.global, target).item<double>()))
                < 1e-9);
    }

    void frequencyLossPrefersTheHeartRateToItsHarmonic()
    {
        // 64 frames at 30 fps; the reference beats at 66 bpm with a second harmonic of 40 %.
        const int T = 64;
        auto wave = [&](double bpm, double harmonic, double phase) {
            auto t = torch::arange(T, torch::kFloat64) / 30.0;
            return (torch::sin(2 * M_PI * bpm / 60.0 * t + phase) + harmonic * torch::sin(4 * M_PI * bpm / 60.0 * t + phase))
                .unsqueeze(0);
        };
        const auto reference = wave(66, 0.4, 0.0);
        const double atRate = frequencyCrossEntropyLoss(wave(66, 0.0, 1.0), reference).item<double>();
        const double atHarmonic = frequencyCrossEntropyLoss(wave(132, 0.0, 1.0), reference).item<double>();
        const double offRate = frequencyCrossEntropyLoss(wave(90, 0.0, 1.0), reference).item<double>();
        // A 64-frame main lobe spreads over ~±40 of the 128 bins, so even the right rate keeps ~3.3.
        QVERIFY2(atRate < 4.0 && atHarmonic > atRate + 3.0 && offRate > atRate + 0.5,
                 qPrintable(QStringLiteral("%1 %2 %3").arg(atRate).arg(atHarmonic).arg(offRate)));
        // Scale, sign and offset do not matter; a flat prediction gives log(bins) and a finite gradient.
        QVERIFY(std::abs(frequencyCrossEntropyLoss(-7.0 * wave(66, 0.0, 1.0) + 3.0, reference).item<double>() - atRate) < 1e-9);
        auto flat = torch::full({1, T}, 0.25, torch::dtype(torch::kFloat64).requires_grad(true));
        auto loss = frequencyCrossEntropyLoss(flat, reference);
        QVERIFY(std::abs(loss.item<double>() - std::log(128.0)) < 1e-6);
        loss.backward();
        QVERIFY(torch::isfinite(flat.grad()).all().item<bool>());
        // Gradient descent on the term alone moves a harmonic-heavy prediction's power to the rate.
        auto x = (wave(66, 2.0, 0.3)).clone().set_requires_grad(true);
        torch::optim::Adam opt({x}, torch::optim::AdamOptions(0.05));
        const double before = frequencyCrossEntropyLoss(x, reference).item<double>();
        for (int i = 0; i < 50; ++i) {
            auto l = frequencyCrossEntropyLoss(x, reference);
            opt.zero_grad();
            l.backward();
            opt.step();
        }
        QVERIFY(frequencyCrossEntropyLoss(x, reference).item<double>() < before - 1.0);
        QVERIFY_EXCEPTION_THROWN(frequencyCrossEntropyLoss(torch::zeros({2, 8}), torch::zeros({2, 9})), std::invalid_argument);
    }

    void reconstructionAndPsnr()
    {
        const auto reference = torch::rand({1, 3, 4, 8, 8}, torch::kFloat64) * 2 - 1;
        const auto estimate = reference + 0.1;   // MSE 0.01, L1 0.1
        const auto terms = reconstructionLoss(estimate, reference);
        QVERIFY(std::abs(terms.l1.item<double>() - 0.1) < 1e-12);
        QVERIFY(std::abs(terms.mse.item<double>() - 0.01) < 1e-12);
        QVERIFY(std::abs(terms.loss.item<double>() - 0.11) < 1e-12);
        QVERIFY(std::abs(terms.psnrDb.item<double>() - 10 * std::log10(4.0 / (0.01 + 1e-7))) < 1e-9);
        QVERIFY(std::isfinite(psnrDb(reference, reference).item<double>()));
        // PSNR rises as the error falls; the loss must fall (the reference's +PSNR did the opposite).
        const auto better = reconstructionLoss(reference + 0.05, reference);
        QVERIFY(better.loss.item<double>() < terms.loss.item<double>());
        QVERIFY(better.psnrDb.item<double>() > terms.psnrDb.item<double>());
    }

    void freezeModuleStopsUpdatesAndBn()
    {
        RppgNet net(rppg::test::tinyRppgNet());
        net->train();
        freezeModule(*net);
        for (const auto &p : net->parameters())
            QVERIFY(!p.requires_grad());
        for (const auto &m : net->modules())
            QVERIFY(!m->is_training());
    }

    // Spec §2.4: gradients flow through the frozen rPPGNet into STVEN only; the total is
    // task + perceptual + 1e-4 · (L1 + MSE).
    void jointLossTrainsOnlyStven()
    {
        Stven generator(rppg::test::tinyStven(1, 3, 32));
        generator->train();
        RppgNet student(rppg::test::tinyRppgNet());
        RppgNet teacher(rppg::test::tinyRppgNet());
        std::string error;
        QVERIFY2(copyModuleState(*student, *teacher, &error), error.c_str());
        freezeModule(*student);
        freezeModule(*teacher);

        const auto original = torch::rand({2, 3, 8, 32, 32}) * 2 - 1;
        const auto compressed = (original + 0.05 * torch::randn_like(original)).clamp(-1, 1);
        const auto pulse = torch::sin(torch::arange(8).to(torch::kFloat32)).expand({2, 8});
        const auto skinLabel = (torch::rand({2, 8, 16, 16}) > 0.5).to(torch::kFloat32);

        const auto enhanced = generator->forward(compressed, oneHotLevels({0, 0}, 3));
        const auto studentOut = student->forward(enhanced);
        RppgNetOutput teacherOut;
        {
            torch::NoGradGuard noGrad;
            teacherOut = teacher->forward(original);
        }
        const auto terms = jointLoss(studentOut, teacherOut, pulse, skinLabel, enhanced, original);
        const double expected = terms.task.total.item<double>() + terms.perceptual.item<double>()
                                + 1e-4 * terms.reconstruction.loss.item<double>();
        QVERIFY(std::abs(terms.total.item<double>() - expected) < 1e-5);
        QVERIFY(std::isfinite(terms.total.item<double>()));
        terms.total.backward();
        for (const auto &p : generator->parameters()) {
            QVERIFY(p.grad().defined());
            QVERIFY(torch::isfinite(p.grad()).all().item<bool>());
        }
        QVERIFY(generator->parameters().front().grad().abs().sum().item<double>() > 0);
        for (const auto &p : student->parameters())
            QVERIFY(!p.grad().defined());
        QVERIFY(!student->is_training());

        // Same weights, same input: the perceptual term of the original clip against itself is
        // only the Pearson part of a perfect match, i.e. zero.
        RppgNetOutput same;
        {
            torch::NoGradGuard noGrad;
            same = student->forward(original);
        }
        const auto self = jointLoss(same, teacherOut, pulse, skinLabel, original, original);
        QVERIFY(self.perceptual.item<double>() < 1e-5);
    }
};

QTEST_GUILESS_MAIN(TstLosses)
#include "tst_losses.moc"
