// Classical pulse methods on RGB traces from a physical skin model with a known pulse: the
// blood-volume signal darkens the skin with the PBV colour signature, while motion changes the
// light intensity on all channels alike (and adds a white specular part).
#include "dsp.h"
#include "pulsemethod.h"
#include "signalanalyzer.h"

#include <QTest>

#include <cmath>
#include <random>

using namespace rppg;

namespace {

constexpr double kPi = 3.14159265358979323846;

struct Trace
{
    std::vector<cv::Vec3d> rgb;
    std::vector<double> bloodVolume;
};

// `motionHz`/`motionAmp`: intensity modulation common to all channels (a head moving through
// uneven light); `specularAmp`: a white reflection varying at the same rate.
Trace skinTrace(double hrBpm, double fs, double seconds, double motionHz, double motionAmp,
                double specularAmp, double noise, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<double> nd(0, noise > 0 ? noise : 1);
    const cv::Vec3d skin(185, 130, 105);
    const cv::Vec3d pbv(0.33, 0.77, 0.53);
    const double amp = 0.004;
    Trace t;
    const int n = int(seconds * fs);
    for (int i = 0; i < n; ++i) {
        const double time = i / fs;
        // A pulse with a harmonic, like a real PPG.
        const double phase = 2 * kPi * hrBpm / 60 * time;
        const double p = 0.5 * (std::sin(phase) + 0.3 * std::sin(2 * phase + 0.6));
        const double intensity = 1 + motionAmp * std::sin(2 * kPi * motionHz * time)
                                 + 0.05 * time / seconds;
        const double specular = specularAmp * (1 + std::sin(2 * kPi * motionHz * time + 1.0));
        cv::Vec3d c;
        for (int ch = 0; ch < 3; ++ch)
            c[ch] = intensity * (skin[ch] * (1 - amp * p * pbv[ch] / pbv[1]) + specular)
                    + (noise > 0 ? nd(rng) : 0.0);
        t.rgb.push_back(c);
        t.bloodVolume.push_back(p);
    }
    return t;
}

double hrOf(const std::vector<double> &pulse, double fs)
{
    const auto sos = dsp::butterworthBandpass(3, 0.7, 4.0, fs);
    const auto f = dsp::sosFiltFilt(sos, dsp::detrendSmoothnessPriors(pulse, dsp::smoothnessLambdaForCutoff(0.35, fs)));
    return estimateHeartRate(std::vector<double>(f.begin() + int(fs), f.end() - int(fs)), fs, 0.7, 4.0).hrBpm;
}

} // namespace

class TstMethods : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void registryHoldsClassicalMethods()
    {
        const QStringList names = MethodRegistry::instance().names();
        QVERIFY(names.contains(QStringLiteral("pos")));
        QVERIFY(names.contains(QStringLiteral("chrom")));
        QVERIFY(names.contains(QStringLiteral("green")));
        for (const char *m : {"pbv", "lgi", "ica", "pca"})
            QVERIFY2(names.contains(QLatin1String(m)), m);
        auto m = MethodRegistry::instance().create(QStringLiteral("POS"));
        QVERIFY(m.ok());
        QCOMPARE(m.value()->name(), QStringLiteral("pos"));
        QCOMPARE(m.value()->input(), MethodInput::RgbTrace);
        auto bad = MethodRegistry::instance().create(QStringLiteral("nonsense"));
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().code, ErrorCode::Usage);
        QVERIFY(bad.error().message.contains(QStringLiteral("pos")));
    }

    void registryAcceptsExtensions()
    {
        // models/ registers its methods the same way; a later registration replaces an earlier one.
        MethodInfo info;
        info.name = QStringLiteral("test-only");
        info.title = QStringLiteral("Test");
        info.create = [](const MethodOptions &) -> Result<std::unique_ptr<PulseMethod>> {
            return Error{ErrorCode::Unsupported, QStringLiteral("weights missing")};
        };
        MethodRegistry::instance().add(info);
        auto m = MethodRegistry::instance().create(QStringLiteral("test-only"));
        QVERIFY(!m.ok());
        QCOMPARE(m.error().code, ErrorCode::Unsupported);
    }

    void recoversHeartRate_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<double>("bpm");
        QTest::addColumn<double>("fs");
        for (const char *m : {"pos", "chrom", "green", "pbv", "lgi", "ica", "pca"})
            for (double bpm : {48.0, 72.0, 96.0, 120.0, 150.0})
                for (double fs : {15.0, 30.0})
                    QTest::newRow(qPrintable(QStringLiteral("%1 %2bpm %3fps").arg(QLatin1String(m)).arg(bpm).arg(fs)))
                        << QString::fromLatin1(m) << bpm << fs;
    }
    void recoversHeartRate()
    {
        QFETCH(QString, method);
        QFETCH(double, bpm);
        QFETCH(double, fs);
        const Trace t = skinTrace(bpm, fs, 20, 0.2, 0.0, 0.0, 0.05, 1);
        auto m = MethodRegistry::instance().create(method);
        QVERIFY(m.ok());
        const auto pulse = m.value()->extract(t.rgb, fs);
        QCOMPARE(pulse.size(), t.rgb.size());
        const double hr = hrOf(pulse, fs);
        QVERIFY2(std::abs(hr - bpm) < 1.0, qPrintable(QStringLiteral("got %1").arg(hr)));
        // The output follows blood volume (positive correlation), whatever the method.
        const auto sos = dsp::butterworthBandpass(3, 0.7, 4.0, fs);
        auto a = dsp::sosFiltFilt(sos, pulse), b = dsp::sosFiltFilt(sos, t.bloodVolume);
        const int edge = int(2 * fs);   // overlap-add ramps at both ends
        a = std::vector<double>(a.begin() + edge, a.end() - edge);
        b = std::vector<double>(b.begin() + edge, b.end() - edge);
        const double r = dsp::pearson(a, b);
        QVERIFY2(r > 0.8, qPrintable(QStringLiteral("r = %1").arg(r)));
    }

    void posAndChromCancelMotion_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<bool>("robust");
        QTest::newRow("pos") << QStringLiteral("pos") << true;
        QTest::newRow("chrom") << QStringLiteral("chrom") << true;
        QTest::newRow("pbv") << QStringLiteral("pbv") << true;
        QTest::newRow("lgi") << QStringLiteral("lgi") << true;
        QTest::newRow("green") << QStringLiteral("green") << false;
    }
    void posAndChromCancelMotion()
    {
        // Intensity changes at 1.6 Hz, five times the pulse amplitude, plus a specular part: the
        // chrominance methods still find the 66 bpm pulse; the green channel follows the motion.
        QFETCH(QString, method);
        QFETCH(bool, robust);
        const double fs = 30, bpm = 66;
        const Trace t = skinTrace(bpm, fs, 30, 1.6, 0.02, 2.0, 0.05, 2);
        auto m = MethodRegistry::instance().create(method);
        const double hr = hrOf(m.value()->extract(t.rgb, fs), fs);
        if (robust)
            QVERIFY2(std::abs(hr - bpm) < 1.0, qPrintable(QStringLiteral("got %1").arg(hr)));
        else
            QVERIFY2(std::abs(hr - 96) < 2.0, qPrintable(QStringLiteral("green got %1").arg(hr)));
    }

    void icaSeparatesColouredFlicker()
    {
        // A screen beside the face flickers irregularly in a warm colour, inside the pulse band and
        // several times stronger than the pulse: the green channel follows the flicker, while ICA
        // finds the pulse as the independent source with the clearest spectrum.
        const double fs = 30, bpm = 78;
        Trace t = skinTrace(bpm, fs, 40, 0.2, 0.0, 0.0, 0.02, 3);
        std::mt19937 rng(7);
        std::normal_distribution<double> nd(0, 1);
        std::vector<double> flicker(t.rgb.size());
        for (double &v : flicker)
            v = nd(rng);
        flicker = dsp::sosFiltFilt(dsp::butterworthBandpass(3, 0.8, 3.0, fs), flicker);
        dsp::normalize(flicker);
        const cv::Vec3d warm(0.9, 0.5, 0.2);
        for (size_t i = 0; i < t.rgb.size(); ++i)
            for (int c = 0; c < 3; ++c)
                t.rgb[i][c] += 4.0 * warm[c] * flicker[i];   // ~5× the pulse on green
        const auto ica = pulseIca(t.rgb, fs);
        const double hrIca = hrOf(ica, fs);
        QVERIFY2(std::abs(hrIca - bpm) < 1.0, qPrintable(QStringLiteral("ica got %1").arg(hrIca)));
        // The separated pulse follows blood volume (the sign is resolved per window).
        const auto sos = dsp::butterworthBandpass(3, 0.7, 4.0, fs);
        auto a = dsp::sosFiltFilt(sos, ica), b = dsp::sosFiltFilt(sos, t.bloodVolume);
        const int edge = int(2 * fs);
        const double r = dsp::pearson(std::vector<double>(a.begin() + edge, a.end() - edge),
                                      std::vector<double>(b.begin() + edge, b.end() - edge));
        QVERIFY2(r > 0.7, qPrintable(QStringLiteral("ica r = %1").arg(r)));
        auto g = dsp::sosFiltFilt(sos, pulseGreen(t.rgb, fs));
        const double rGreen = dsp::pearson(std::vector<double>(g.begin() + edge, g.end() - edge),
                                           std::vector<double>(b.begin() + edge, b.end() - edge));
        QVERIFY2(rGreen < 0.5, qPrintable(QStringLiteral("green r = %1").arg(rGreen)));
        qInfo("flicker 5x pulse: ICA %.1f bpm (r %.2f), GREEN r %.2f, PCA %.1f bpm", hrIca, r, rGreen,
              hrOf(pulsePca(t.rgb, fs), fs));
    }

    void degenerateInput()
    {
        for (const QString &name : MethodRegistry::instance().names()) {
            auto m = MethodRegistry::instance().create(name);
            if (!m.ok() || m.value()->input() != MethodInput::RgbTrace)
                continue;
            QVERIFY(m.value()->extract({}, 30).empty());
            const std::vector<cv::Vec3d> black(90, cv::Vec3d(0, 0, 0));
            for (double v : m.value()->extract(black, 30))
                QVERIFY(std::isfinite(v));
            const std::vector<cv::Vec3d> flat(90, cv::Vec3d(120, 100, 90));
            for (double v : m.value()->extract(flat, 30))
                QVERIFY(std::abs(v) < 1e-9);
            // Every length around the windows' sizes, and a light switched on half way (black,
            // then lit): one output per input, all finite.
            std::mt19937 rng(11);
            std::uniform_real_distribution<double> ud(1, 255);
            for (int n : {1, 2, 3, 5, 7, 8, 9, 47, 48, 49, 299, 300, 301, 451}) {
                std::vector<cv::Vec3d> noise(n), step(n);
                for (int i = 0; i < n; ++i) {
                    noise[i] = cv::Vec3d(ud(rng), ud(rng), ud(rng));
                    step[i] = i < n / 2 ? cv::Vec3d(0, 0, 0) : cv::Vec3d(150, 110, 90) + 0.01 * noise[i];
                }
                for (const auto *trace : {&noise, &step}) {
                    const auto out = m.value()->extract(*trace, 30);
                    QCOMPARE(int(out.size()), n);
                    for (double v : out)
                        QVERIFY2(std::isfinite(v), qPrintable(QStringLiteral("%1, %2 samples").arg(name).arg(n)));
                }
            }
        }
    }
};

QTEST_GUILESS_MAIN(TstMethods)
#include "tst_methods.moc"
