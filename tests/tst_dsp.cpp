// Signal processing against analytic ground truth: Butterworth responses from the closed-form
// analog magnitude, detrending against a dense linear solve, heart rates of generated sinusoids.
#include "dsp.h"

#include <opencv2/core.hpp>

#include <QTest>

#include <cmath>
#include <random>

using namespace rppg;

namespace {

constexpr double kPi = 3.14159265358979323846;

std::vector<double> sine(double fHz, double fsHz, double durationSec, double phase = 0.3)
{
    std::vector<double> x(size_t(durationSec * fsHz));
    for (size_t i = 0; i < x.size(); ++i)
        x[i] = std::sin(2 * kPi * fHz * i / fsHz + phase);
    return x;
}

} // namespace

class TstDsp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bandpassMatchesAnalyticResponse_data()
    {
        QTest::addColumn<int>("order");
        QTest::addColumn<double>("fs");
        QTest::addColumn<double>("low");
        QTest::addColumn<double>("high");
        QTest::newRow("order2 30Hz") << 2 << 30.0 << 0.7 << 4.0;
        QTest::newRow("order3 30Hz") << 3 << 30.0 << 0.7 << 4.0;
        QTest::newRow("order4 15Hz") << 4 << 15.0 << 0.75 << 2.5;
        QTest::newRow("order1 60Hz") << 1 << 60.0 << 0.5 << 3.0;
        QTest::newRow("order3 wide 25Hz") << 3 << 25.0 << 0.2 << 10.0;
    }
    void bandpassMatchesAnalyticResponse()
    {
        QFETCH(int, order);
        QFETCH(double, fs);
        QFETCH(double, low);
        QFETCH(double, high);
        const auto sos = dsp::butterworthBandpass(order, low, high, fs);
        QCOMPARE(int(sos.size()), order);
        // The bilinear transform maps digital f to analog Ω = 2 fs tan(π f / fs), where the
        // Butterworth band-pass has |H|² = 1 / (1 + ((Ω² − Ω0²) / (Ω B))^(2N)).
        const double w1 = 2 * fs * std::tan(kPi * low / fs);
        const double w2 = 2 * fs * std::tan(kPi * high / fs);
        for (double f = 0.05; f < fs / 2 - 0.05; f += 0.05) {
            const double w = 2 * fs * std::tan(kPi * f / fs);
            const double r = (w * w - w1 * w2) / (w * (w2 - w1));
            const double expected = 1.0 / std::sqrt(1.0 + std::pow(r, 2 * order));
            const double got = dsp::sosMagnitude(sos, f, fs);
            QVERIFY2(std::abs(got - expected) < 1e-6,
                     qPrintable(QStringLiteral("f=%1 got %2 expected %3").arg(f).arg(got).arg(expected)));
        }
        QVERIFY(std::abs(dsp::sosMagnitude(sos, low, fs) - M_SQRT1_2) < 1e-6);
        QVERIFY(std::abs(dsp::sosMagnitude(sos, high, fs) - M_SQRT1_2) < 1e-6);
    }

    void lowpassMatchesAnalyticResponse()
    {
        const double fs = 30, fc = 2.0;
        for (int order : {1, 2, 3, 5}) {
            const auto sos = dsp::butterworthLowpass(order, fc, fs);
            const double wc = 2 * fs * std::tan(kPi * fc / fs);
            for (double f = 0.1; f < 14.9; f += 0.3) {
                const double w = 2 * fs * std::tan(kPi * f / fs);
                const double expected = 1.0 / std::sqrt(1.0 + std::pow(w / wc, 2 * order));
                QVERIFY(std::abs(dsp::sosMagnitude(sos, f, fs) - expected) < 1e-6);
            }
        }
    }

    void filtfiltIsZeroPhase()
    {
        const double fs = 30;
        const auto sos = dsp::butterworthBandpass(3, 0.7, 4.0, fs);
        const auto x = sine(1.5, fs, 20);
        const auto y = dsp::sosFiltFilt(sos, x);
        QCOMPARE(y.size(), x.size());
        // Away from the ends the output equals the input (gain ≈ 1 in band, no delay).
        double err = 0;
        for (size_t i = 60; i + 60 < x.size(); ++i)
            err = std::max(err, std::abs(y[i] - x[i]));
        QVERIFY2(err < 0.02, qPrintable(QString::number(err)));
        // A causal pass alone does delay the signal: the check above is not vacuous.
        const auto c = dsp::sosFilter(sos, x);
        double causalErr = 0;
        for (size_t i = 60; i + 60 < x.size(); ++i)
            causalErr = std::max(causalErr, std::abs(c[i] - x[i]));
        QVERIFY(causalErr > 0.1);
    }

    void filtfiltRemovesOutOfBand()
    {
        const double fs = 30;
        const auto sos = dsp::butterworthBandpass(3, 0.7, 4.0, fs);
        auto x = sine(1.2, fs, 30);
        const auto slow = sine(0.1, fs, 30, 1.0);
        const auto fast = sine(9.0, fs, 30, 0.0);
        for (size_t i = 0; i < x.size(); ++i)
            x[i] += 5 * slow[i] + 2 * fast[i] + 10.0;
        const auto y = dsp::sosFiltFilt(sos, x);
        const auto ref = sine(1.2, fs, 30);
        double err = 0;
        for (size_t i = 90; i + 90 < x.size(); ++i)
            err = std::max(err, std::abs(y[i] - ref[i]));
        QVERIFY2(err < 0.12, qPrintable(QString::number(err)));
    }

    void detrendMatchesDenseSolve()
    {
        const int n = 60;
        const double lambda = 25;
        std::mt19937 rng(3);
        std::normal_distribution<double> nd;
        std::vector<double> x(n);
        for (int i = 0; i < n; ++i)
            x[i] = 0.01 * i * i + nd(rng);
        const auto y = dsp::detrendSmoothnessPriors(x, lambda);
        cv::Mat D = cv::Mat::zeros(n - 2, n, CV_64F);
        for (int i = 0; i < n - 2; ++i) {
            D.at<double>(i, i) = 1;
            D.at<double>(i, i + 1) = -2;
            D.at<double>(i, i + 2) = 1;
        }
        cv::Mat A = cv::Mat::eye(n, n, CV_64F) + lambda * lambda * D.t() * D;
        cv::Mat trend;
        cv::solve(A, cv::Mat(x).reshape(1, n), trend, cv::DECOMP_CHOLESKY);
        for (int i = 0; i < n; ++i)
            QVERIFY(std::abs(y[i] - (x[i] - trend.at<double>(i))) < 1e-8);
    }

    void detrendKeepsPulseRemovesDrift()
    {
        const double fs = 30;
        auto x = sine(1.3, fs, 20);
        std::vector<double> withDrift(x.size());
        for (size_t i = 0; i < x.size(); ++i) {
            const double t = i / fs;
            withDrift[i] = x[i] + 3.0 * t + 0.2 * t * t;
        }
        const auto y = dsp::detrendSmoothnessPriors(withDrift, dsp::smoothnessLambdaForCutoff(0.35, fs));
        double err = 0;
        for (size_t i = 30; i + 30 < x.size(); ++i)
            err = std::max(err, std::abs(y[i] - x[i]));
        QVERIFY2(err < 0.15, qPrintable(QString::number(err)));
    }

    void heartRateOfSinusoids_data()
    {
        QTest::addColumn<double>("bpm");
        QTest::addColumn<double>("fs");
        QTest::addColumn<double>("noise");
        QTest::addColumn<double>("tolerance");
        // Clean sinusoids: within 0.5 bpm across the range (the requirement).
        for (double bpm = 45; bpm <= 180; bpm += 7.5)
            QTest::newRow(qPrintable(QStringLiteral("%1bpm@30").arg(bpm))) << bpm << 30.0 << 0.0 << 0.5;
        for (double bpm : {48.0, 97.0, 151.0, 179.0})
            QTest::newRow(qPrintable(QStringLiteral("%1bpm@15").arg(bpm))) << bpm << 15.0 << 0.0 << 0.5;
        for (double bpm : {52.0, 133.0})
            QTest::newRow(qPrintable(QStringLiteral("%1bpm@60").arg(bpm))) << bpm << 60.0 << 0.0 << 0.5;
        // With white noise at about 7 dB SNR the error stays around a bpm.
        for (double bpm : {50.0, 88.0, 121.0, 166.0})
            QTest::newRow(qPrintable(QStringLiteral("%1bpm@30 noisy").arg(bpm))) << bpm << 30.0 << 0.3 << 1.0;
        for (double bpm : {61.0, 151.0})
            QTest::newRow(qPrintable(QStringLiteral("%1bpm@15 noisy").arg(bpm))) << bpm << 15.0 << 0.3 << 1.5;
    }
    void heartRateOfSinusoids()
    {
        QFETCH(double, bpm);
        QFETCH(double, fs);
        QFETCH(double, noise);
        QFETCH(double, tolerance);
        std::mt19937 rng(11);
        std::normal_distribution<double> nd(0, noise > 0 ? noise : 1.0);
        auto x = sine(bpm / 60, fs, 10);
        if (noise > 0)
            for (double &v : x)
                v += nd(rng);
        const auto sos = dsp::butterworthBandpass(3, 0.7, 4.0, fs);
        const auto y = dsp::sosFiltFilt(sos, x);
        const auto spec = dsp::welch(y, fs, int(y.size()), 0.5, 8192);
        const auto peak = dsp::spectralPeak(spec, 0.7, 4.0);
        QVERIFY(peak.valid);
        QVERIFY2(std::abs(peak.frequencyHz * 60 - bpm) < tolerance,
                 qPrintable(QStringLiteral("got %1").arg(peak.frequencyHz * 60)));
        // Without zero-padding the bin is 6 bpm wide; interpolation keeps it within 0.5 bpm too.
        const auto coarse = dsp::spectralPeak(dsp::welch(y, fs, int(y.size()), 0.5, 0), 0.7, 4.0);
        QVERIFY2(std::abs(coarse.frequencyHz * 60 - bpm) < tolerance + 1.0,
                 qPrintable(QStringLiteral("coarse %1").arg(coarse.frequencyHz * 60)));
    }

    void welchDensityIntegratesToVariance()
    {
        const double fs = 30;
        const auto x = sine(2.0, fs, 60);
        const auto s = dsp::welch(x, fs, 300, 0.5, 0);
        double total = 0;
        for (double p : s.power)
            total += p * s.binHz;
        QVERIFY2(std::abs(total - 0.5) < 0.02, qPrintable(QString::number(total)));  // var(sin) = 1/2
    }

    void snrRanksSignals()
    {
        const double fs = 30;
        std::mt19937 rng(5);
        std::normal_distribution<double> nd;
        auto clean = sine(1.2, fs, 10);
        auto noisy = clean;
        std::vector<double> noise(clean.size());
        for (size_t i = 0; i < clean.size(); ++i) {
            noise[i] = nd(rng);
            noisy[i] += 1.5 * noise[i];
        }
        auto snr = [&](const std::vector<double> &x) {
            const auto s = dsp::welch(x, fs, int(x.size()), 0.5, 4096);
            return dsp::harmonicSnrDb(s, 1.2, 0.7, 4.0, 0.2);
        };
        const double a = snr(clean), b = snr(noisy), c = snr(noise);
        QVERIFY2(a > 15, qPrintable(QString::number(a)));
        QVERIFY2(a > b && b > c, qPrintable(QStringLiteral("%1 %2 %3").arg(a).arg(b).arg(c)));
        QVERIFY2(c < -3, qPrintable(QString::number(c)));
    }

    void findPeaksOnPulseTrain()
    {
        const double fs = 30, f = 1.25;
        const auto x = sine(f, fs, 20, 0.0);
        const auto peaks = dsp::findPeaks(x, 0.5 * fs / f, 0.5);
        QCOMPARE(int(peaks.size()), 25);
        for (size_t i = 0; i < peaks.size(); ++i) {
            // sin peaks at t = (0.25 + k) / f.
            const double expected = (0.25 + i) / f * fs;
            QVERIFY(std::abs(peaks[i] - expected) < 0.05);
        }
        // A small ripple on top must not create extra beats.
        auto rippled = x;
        const auto ripple = sine(7.0, fs, 20, 0.0);
        for (size_t i = 0; i < x.size(); ++i)
            rippled[i] += 0.1 * ripple[i];
        QCOMPARE(int(dsp::findPeaks(rippled, 0.5 * fs / f, 0.5).size()), 25);
        QVERIFY(dsp::findPeaks(rippled, 1, 0.0).size() > 25);
    }

    void hrvFromKnownIntervals()
    {
        // Intervals alternate 0.8 / 0.9 s: SDNN and RMSSD have closed forms.
        std::vector<double> beats{0.0};
        for (int i = 0; i < 40; ++i)
            beats.push_back(beats.back() + (i % 2 ? 0.9 : 0.8));
        const auto h = dsp::hrvFromBeats(beats);
        QVERIFY(h.valid);
        QVERIFY(std::abs(h.meanIbiMs - 850) < 1e-6);
        QVERIFY(std::abs(h.rmssdMs - 100) < 1e-6);
        const double sd = std::sqrt(40 * 50.0 * 50.0 / 39.0);
        QVERIFY(std::abs(h.sdnnMs - sd) < 1e-6);
        QCOMPARE(h.intervals, 40);
        QCOMPARE(h.implausible, 0);
        // A missed beat (one doubled interval) is rejected instead of inflating SDNN.
        std::vector<double> missed = beats;
        missed.erase(missed.begin() + 20);
        const auto hm = dsp::hrvFromBeats(missed);
        QVERIFY(hm.valid);
        QCOMPARE(hm.intervals, 39);
        QCOMPARE(hm.implausible, 1);
        QVERIFY(std::abs(hm.meanIbiMs - 850) < 5);
        QVERIFY(hm.sdnnMs < 60);
    }

    void resampleVariableFrameRate()
    {
        std::mt19937 rng(9);
        std::uniform_real_distribution<double> jitter(0.6, 1.4);
        std::vector<double> t, v;
        double time = 0;
        while (time < 10) {
            t.push_back(time);
            v.push_back(std::sin(2 * kPi * 1.1 * time));
            time += jitter(rng) / 30.0;
        }
        const auto u = dsp::resampleLinear(t, v, 0.0, 30.0, 290);
        for (int k = 0; k < 290; ++k) {
            const double expected = std::sin(2 * kPi * 1.1 * k / 30.0);
            QVERIFY(std::abs(u[k] - expected) < 0.03);
        }
    }

    void statsHelpers()
    {
        QCOMPARE(dsp::median({3, 1, 2}), 2.0);
        QCOMPARE(dsp::median({4, 1, 2, 3}), 2.5);
        QVERIFY(std::abs(dsp::pearson({1, 2, 3, 4}, {2, 4, 6, 8}) - 1.0) < 1e-12);
        QVERIFY(std::abs(dsp::pearson({1, 2, 3, 4}, {8, 6, 4, 2}) + 1.0) < 1e-12);
        QVERIFY(std::isnan(dsp::pearson({1, 1, 1}, {1, 2, 3})));
        std::vector<double> x{1, 2, 3, 4, 5};
        dsp::normalize(x);
        QVERIFY(std::abs(dsp::mean(x)) < 1e-12);
        QVERIFY(std::abs(dsp::stddev(x) - 1.0) < 1e-12);
    }

    // Paired differences with a cluster bootstrap: the interval must follow the clusters (whole
    // recordings), not the number of windows, and cover the true mean at about its nominal rate.
    void clusteredBootstrapInterval()
    {
        // Degenerate input: nothing, one cluster, NaN entries.
        QVERIFY(std::isnan(dsp::clusteredBootstrapMean({}, {}).mean));
        const auto one = dsp::clusteredBootstrapMean({1, 3, std::nan("")}, {7, 7, 7});
        QCOMPARE(one.mean, 2.0);
        QCOMPARE(one.pairs, 2);
        QCOMPARE(one.clusters, 1);
        QVERIFY(std::isnan(one.lo) && std::isnan(one.hi));

        // Three clusters at +5 and three at −5, 50 windows each with little noise: the mean is 0
        // and the interval must be wide, as wide as the clusters' spread; treating every window as
        // its own cluster would (wrongly) give a narrow one.
        std::mt19937 rng(3);
        std::normal_distribution<double> noise(0.0, 0.1);
        std::vector<double> d;
        std::vector<int> cl, each;
        for (int c = 0; c < 6; ++c)
            for (int w = 0; w < 50; ++w) {
                d.push_back((c % 2 ? 5.0 : -5.0) + noise(rng));
                cl.push_back(c);
                each.push_back(int(each.size()));
            }
        const auto byRecording = dsp::clusteredBootstrapMean(d, cl);
        const auto byWindow = dsp::clusteredBootstrapMean(d, each);
        QVERIFY(std::abs(byRecording.mean) < 0.1);
        QVERIFY2(byRecording.lo < -2 && byRecording.hi > 2,
                 qPrintable(QStringLiteral("[%1, %2]").arg(byRecording.lo).arg(byRecording.hi)));
        QVERIFY(byWindow.hi - byWindow.lo < 1.5);

        // A real effect of +2 bpm over 12 recordings with recording-level spread 1: the interval
        // holds the sample mean and excludes 0.
        std::normal_distribution<double> unit(0.0, 1.0);
        d.clear();
        cl.clear();
        for (int c = 0; c < 12; ++c) {
            const double offset = 2 + unit(rng);
            for (int w = 0; w < 20; ++w) {
                d.push_back(offset + unit(rng));
                cl.push_back(c);
            }
        }
        const auto effect = dsp::clusteredBootstrapMean(d, cl);
        QVERIFY(effect.lo < effect.mean && effect.mean < effect.hi);
        QVERIFY2(effect.lo > 0, qPrintable(QString::number(effect.lo)));

        // Coverage: over 200 data sets with a true mean of 0, the 95 % interval should hold 0 most
        // of the time (the percentile bootstrap runs a little short with 15 clusters).
        int covered = 0;
        for (int trial = 0; trial < 200; ++trial) {
            d.clear();
            cl.clear();
            for (int c = 0; c < 15; ++c) {
                const double offset = unit(rng);
                for (int w = 0; w < 10; ++w) {
                    d.push_back(offset + unit(rng));
                    cl.push_back(c);
                }
            }
            const auto r = dsp::clusteredBootstrapMean(d, cl, 1000, unsigned(trial + 1));
            covered += r.lo <= 0 && r.hi >= 0;
        }
        QVERIFY2(covered >= 170 && covered <= 199, qPrintable(QString::number(covered)));
    }
};

QTEST_GUILESS_MAIN(TstDsp)
#include "tst_dsp.moc"
