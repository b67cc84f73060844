// Breathing rate from beats: beat series from the synthetic generator's pulse model with a known
// breathing rate (respiratory sinus arrhythmia in the intervals) and a known modulation of the beat
// amplitudes, and series without breathing in them, which must not come out as trusted.
#include "respiration.h"
#include "synth.h"

#include <QTest>

#include <cmath>
#include <random>

using namespace rppg;

namespace {

constexpr double kPi = 3.14159265358979323846;

struct Beats
{
    std::vector<double> times, amplitudes;
    std::vector<int> runs;
};

// Beats of the pulse model at `hrBpm` breathing `perMin` times a minute (0: no breathing), with
// beat amplitudes modulated by `amDepth` at the breathing rate and 3 % noise.
Beats modelBeats(double hrBpm, double perMin, double seconds, uint64_t seed, double amDepth = 0.1)
{
    PulseWaveConfig c;
    c.meanHrBpm = hrBpm;
    c.respirationHz = perMin / 60.0;
    auto wave = makePulseWave(c, seconds, 30.0, seed);
    Beats b;
    if (!wave.ok())
        return b;
    std::mt19937 rng{static_cast<unsigned>(seed)};
    std::normal_distribution<double> noise(0, 0.03);
    std::uniform_real_distribution<double> phase(0, 2 * kPi);
    const double ph = phase(rng);
    for (double t : wave.value().beatTimesSec) {
        b.times.push_back(t);
        b.amplitudes.push_back(1.0 + amDepth * std::sin(2 * kPi * perMin / 60.0 * t + ph) + noise(rng));
        b.runs.push_back(0);
    }
    return b;
}

RespirationEstimate estimate(const Beats &b, double from, double to)
{
    return estimateRespiration(b.times, b.amplitudes, b.runs, from, to, 30.0, 0.1, 0.6);
}

QString describe(const RespirationEstimate &e)
{
    return QStringLiteral("rate %1 (intervals %2, amplitudes %3), quality %4, %5 beats")
        .arg(e.ratePerMin)
        .arg(e.intervalRatePerMin)
        .arg(e.amplitudeRatePerMin)
        .arg(qualityName(e.quality))
        .arg(e.beats);
}

} // namespace

class TstRespiration : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void knownBreathingRate_data()
    {
        QTest::addColumn<double>("hr");
        QTest::addColumn<double>("perMin");
        for (double hr : {60.0, 95.0})
            for (double perMin : {8.0, 12.0, 18.0, 24.0})
                QTest::newRow(qPrintable(QStringLiteral("HR %1, %2 per min").arg(hr).arg(perMin)))
                    << hr << perMin;
    }
    void knownBreathingRate()
    {
        QFETCH(double, hr);
        QFETCH(double, perMin);
        int good = 0;
        for (uint64_t seed = 1; seed <= 5; ++seed) {
            const Beats b = modelBeats(hr, perMin, 60, seed);
            const RespirationEstimate e = estimate(b, 0, 60);
            QVERIFY2(std::abs(e.ratePerMin - perMin) <= 1.0, qPrintable(describe(e)));
            good += e.quality == Quality::Good;
            if (qEnvironmentVariableIsSet("RESP_DEBUG"))
                qInfo("%s", qPrintable(describe(e)));
        }
        QVERIFY2(good >= 4, qPrintable(QString::number(good)));
    }

    // Amplitudes that do not change: the intervals alone give the rate, and it is not trusted.
    void intervalsAloneAreNotTrusted()
    {
        Beats b = modelBeats(72, 15, 60, 3);
        std::fill(b.amplitudes.begin(), b.amplitudes.end(), 1.0);
        const RespirationEstimate e = estimate(b, 0, 60);
        QVERIFY2(std::abs(e.ratePerMin - 15) <= 1.0, qPrintable(describe(e)));
        QVERIFY(!std::isfinite(e.amplitudeRatePerMin));
        QCOMPARE(e.quality, Quality::Low);
    }

    // No breathing in either series (the intervals keep a 0.1 Hz Mayer wave and white jitter, the
    // amplitudes noise): agreement by chance must stay rare.
    void noBreathingIsRarelyTrusted()
    {
        int good = 0;
        for (uint64_t seed = 1; seed <= 20; ++seed) {
            const RespirationEstimate e = estimate(modelBeats(72, 0, 60, seed, 0.0), 0, 60);
            good += e.quality == Quality::Good;
        }
        QVERIFY2(good <= 2, qPrintable(QString::number(good)));
    }

    // A gap without beats (the face left the frame) splits the series: no interval spans it, and
    // the stretches on either side still give the rate.
    void gapSplitsTheSeries()
    {
        const Beats all = modelBeats(80, 14, 70, 5);
        Beats b;
        for (size_t i = 0; i < all.times.size(); ++i) {
            const double t = all.times[i];
            if (t > 30 && t < 40)
                continue;
            b.times.push_back(t);
            b.amplitudes.push_back(all.amplitudes[i]);
            b.runs.push_back(t < 35 ? 0 : 1);
        }
        const RespirationEstimate e = estimate(b, 0, 70);
        QVERIFY2(std::abs(e.ratePerMin - 14) <= 1.0, qPrintable(describe(e)));
        QCOMPARE(e.quality, Quality::Good);
        QCOMPARE(e.beats, int(b.times.size()));
    }

    void tooLittleSignal()
    {
        const Beats b = modelBeats(72, 15, 60, 2);
        QCOMPARE(estimate(b, 0, 12).quality, Quality::NoSignal);   // 12 s: under the 15 s needed
        QVERIFY(!estimate(b, 0, 12).hasRate());
        QVERIFY(!estimate(b, 100, 200).hasRate());                 // no beats there
        Beats ragged = b;
        ragged.amplitudes.pop_back();                              // mismatched inputs
        QVERIFY(!estimate(ragged, 0, 60).hasRate());
        QVERIFY(!estimateRespiration(b.times, b.amplitudes, b.runs, 0, 60, 30, 0.6, 0.1).hasRate());
    }

    // Breathing that slows from 20 to 8 per minute over two minutes: the whole recording's
    // periodogram (its 30 s segments averaged) spreads the peak so that it does not stand out (its
    // own test says low), while
    // each 30 s window sees a nearly steady rate and is trusted — and then so is the whole
    // estimate. With flat amplitudes no window is trusted, and the whole stays low.
    void wholeRecordingFollowsItsWindows()
    {
        std::mt19937 rng(12);
        std::normal_distribution<double> noise(0, 1);
        SignalResult s;
        s.fsHz = 30;
        s.pulse.assign(120 * 30, 0.0);
        double t = 0.3, phase = 0;
        while (t < 120) {
            const double perMin = 20.0 - 12.0 * t / 120;
            s.beatTimesSec.push_back(t);
            s.beatAmplitudes.push_back(1.0 + 0.1 * std::sin(phase) + 0.03 * noise(rng));
            s.beatRuns.push_back(0);
            const double ibi = 0.8 * (1 + 0.05 * std::sin(phase)) + 0.01 * noise(rng);
            phase += 2 * kPi * perMin / 60 * ibi;
            t += ibi;
        }
        AnalysisConfig config;
        addRespiration(s, config);
        const RespirationEstimate own = estimateRespiration(s.beatTimesSec, s.beatAmplitudes, s.beatRuns, 0,
                                                            120, 30, 0.1, 0.6);
        QCOMPARE(own.quality, Quality::Low);
        int trusted = 0;
        for (const RespirationEstimate &w : s.respirationWindows)
            trusted += w.quality == Quality::Good;
        QVERIFY(trusted * 3 >= int(s.respirationWindows.size()));
        QCOMPARE(s.respiration.quality, Quality::Good);
        QVERIFY2(s.respiration.ratePerMin > 8 && s.respiration.ratePerMin < 20, qPrintable(describe(s.respiration)));

        std::fill(s.beatAmplitudes.begin(), s.beatAmplitudes.end(), 1.0);
        addRespiration(s, config);
        QCOMPARE(s.respiration.quality, Quality::Low);
        for (const RespirationEstimate &w : s.respirationWindows)
            QVERIFY(w.quality != Quality::Good);
    }

    // Sliding windows through the signal analyser's path: each window covers its own span, and a
    // breathing rate that changes half-way is followed.
    void windowsFollowAChange()
    {
        const Beats slow = modelBeats(70, 10, 60, 6);
        const Beats fast = modelBeats(70, 20, 60, 7);
        SignalResult s;
        s.fsHz = 30;
        s.t0Sec = 0;
        s.pulse.assign(120 * 30, 0.0);
        for (size_t i = 0; i < slow.times.size(); ++i) {
            s.beatTimesSec.push_back(slow.times[i]);
            s.beatAmplitudes.push_back(slow.amplitudes[i]);
            s.beatRuns.push_back(0);
        }
        const double shift = s.beatTimesSec.back() + 60.0 / 70;
        for (size_t i = 0; i < fast.times.size(); ++i)
            if (fast.times[i] + shift < 120) {
                s.beatTimesSec.push_back(fast.times[i] + shift);
                s.beatAmplitudes.push_back(fast.amplitudes[i]);
                s.beatRuns.push_back(0);
            }
        AnalysisConfig config;
        addRespiration(s, config);
        QVERIFY(!s.respirationWindows.empty());
        QCOMPARE(s.respirationWindows.front().endSec, 30.0);
        QVERIFY(std::abs(s.respirationWindows.back().endSec - s.timeAt(s.pulse.size() - 1)) <= 1.0);
        const auto at = [&](double end) {
            for (const RespirationEstimate &e : s.respirationWindows)
                if (std::abs(e.endSec - end) < 0.5)
                    return e;
            return RespirationEstimate{};
        };
        QVERIFY2(std::abs(at(45).ratePerMin - 10) <= 1.0, qPrintable(describe(at(45))));
        QVERIFY2(std::abs(at(110).ratePerMin - 20) <= 1.0, qPrintable(describe(at(110))));
    }
};

QTEST_GUILESS_MAIN(TstRespiration)
#include "tst_respiration.moc"
