// From per-frame records to heart rate: uniform resampling of variable-rate timestamps, gaps
// without a face, windowed and whole-recording HR, quality flags, beats and HRV — against a
// skin-colour model driven by known beat times.
#include "signalanalyzer.h"

#include <QTest>

#include <cmath>
#include <random>

using namespace rppg;

namespace {

constexpr double kPi = 3.14159265358979323846;

// Beat times with a given HR (rising linearly to `endHrBpm` at `seconds` when that is set) and a
// respiratory modulation of the intervals.
std::vector<double> beatTimes(double hrBpm, double seconds, double rsaFraction, double endHrBpm = 0)
{
    std::vector<double> beats;
    double t = 0.2;
    while (t < seconds + 2) {
        beats.push_back(t);
        const double hr = endHrBpm > 0 ? hrBpm + (endHrBpm - hrBpm) * std::min(t / seconds, 1.0) : hrBpm;
        t += 60.0 / hr * (1 + rsaFraction * std::sin(2 * kPi * 0.25 * t));
    }
    return beats;
}

// Blood volume from beat times: a systolic peak (Gaussian, σ = 90 ms) at each beat and a smaller
// diastolic wave 300 ms later.
double bloodVolume(const std::vector<double> &beats, double t)
{
    double v = 0;
    auto it = std::lower_bound(beats.begin(), beats.end(), t - 1.0);
    for (; it != beats.end() && *it < t + 1.0; ++it) {
        const double d = (t - *it) / 0.09;
        const double e = (t - *it - 0.3) / 0.12;
        v += std::exp(-0.5 * d * d) + 0.35 * std::exp(-0.5 * e * e);
    }
    return v;
}

struct RecordOptions
{
    double hrBpm = 72;
    double seconds = 30;
    double fps = 30;
    double jitter = 0;        // relative frame-interval jitter (VFR)
    double noise = 0.05;      // colour noise in levels
    double rsa = 0.0;
    double endHrBpm = 0;      // > 0: the rate rises linearly from hrBpm to this
    std::vector<std::pair<double, double>> noFace;
    double pulse = 1.0;       // pulse strength (0: no pulse at all)
    // A 150 px face box whose centre bobs up and down by bobFraction of its width at bobHz; with
    // bobShading the skin's brightness follows the bob's displacement raised to that power
    // (1: linear, at bobHz; 2: shading that changes twice per swing, at 2 × bobHz).
    double bobHz = 0;
    double bobFraction = 0;
    int bobShading = 0;
    unsigned seed = 4;        // the noise's and the jitter's
};

std::vector<FrameRecord> makeRecords(const RecordOptions &o, std::vector<double> *beatsOut = nullptr)
{
    std::mt19937 rng(o.seed);
    std::normal_distribution<double> nd(0, o.noise);
    std::uniform_real_distribution<double> uj(1 - o.jitter, 1 + o.jitter);
    const auto beats = beatTimes(o.hrBpm, o.seconds, o.rsa, o.endHrBpm);
    if (beatsOut)
        *beatsOut = beats;
    std::vector<FrameRecord> out;
    double t = 0;
    int64_t i = 0;
    while (t < o.seconds) {
        FrameRecord r;
        r.index = i++;
        r.timeSec = t;
        bool face = true;
        for (const auto &[a, b] : o.noFace)
            if (t >= a && t < b)
                face = false;
        if (face) {
            r.faceState = FaceState::Tracked;
            r.skinValid = true;
            const double p = o.pulse * bloodVolume(beats, t);
            const double pbv[3] = {0.43, 1.0, 0.69};
            const double base[3] = {185, 130, 105};
            const double bob = std::sin(2 * kPi * o.bobHz * t);   // -1..1
            const double shade = o.bobShading > 0 ? 0.01 * std::pow(bob, o.bobShading) : 0.0;
            for (int c = 0; c < 3; ++c)
                r.rgb[c] = base[c] * (1 - 0.004 * p * pbv[c]) * (1 + shade) + nd(rng);
            const double side = 150;
            r.faceBox = cv::Rect2f(245, float(165 + o.bobFraction * side * bob), float(side), float(side));
        }
        out.push_back(r);
        t += uj(rng) / o.fps;
    }
    return out;
}

std::unique_ptr<PulseMethod> pos()
{
    return std::move(MethodRegistry::instance().create(QStringLiteral("pos")).value());
}

} // namespace

class TstSignal : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void constantRateRecovery_data()
    {
        QTest::addColumn<double>("bpm");
        for (double bpm : {45.0, 60.0, 90.0, 135.0, 180.0})
            QTest::newRow(qPrintable(QString::number(bpm))) << bpm;
    }
    void constantRateRecovery()
    {
        QFETCH(double, bpm);
        RecordOptions o;
        o.hrBpm = bpm;
        const auto frames = makeRecords(o);
        AnalysisConfig config;
        auto m = pos();
        const SignalResult s = analyzeSignal(frames, m.get(), config);
        QCOMPARE(s.fsHz, 30.0);
        QVERIFY2(std::abs(s.hrBpm - bpm) < 1.0, qPrintable(QString::number(s.hrBpm)));
        QCOMPARE(int(s.windows.size()), 21);   // 30 s, 10 s window, 1 s hop
        for (const WindowEstimate &w : s.windows) {
            QCOMPARE(w.quality, Quality::Good);
            QVERIFY2(std::abs(w.hrBpm - bpm) < 1.5, qPrintable(QString::number(w.hrBpm)));
        }
    }

    void variableFrameRate()
    {
        // ±40 % jitter on every frame interval (a webcam in dim light): timestamps, not frame
        // counts, define time, so the rate is still right.
        RecordOptions o;
        o.hrBpm = 84;
        o.jitter = 0.4;
        const auto frames = makeRecords(o);
        AnalysisConfig config;
        auto m = pos();
        const SignalResult s = analyzeSignal(frames, m.get(), config);
        QVERIFY2(std::abs(s.fsHz - 30) < 3, qPrintable(QString::number(s.fsHz)));
        QVERIFY2(std::abs(s.hrBpm - 84) < 1.0, qPrintable(QString::number(s.hrBpm)));
        // Treating the frames as evenly spaced at the nominal rate would be wrong; check that the
        // resampled grid spans the real duration.
        QVERIFY(std::abs(s.timeAt(s.pulse.size() - 1) - frames.back().timeSec) < 1.0 / s.fsHz);
    }

    void noFaceGivesNoEstimate()
    {
        RecordOptions o;
        o.hrBpm = 66;
        o.seconds = 40;
        o.noFace = {{12.0, 24.0}};
        const auto frames = makeRecords(o);
        AnalysisConfig config;
        auto m = pos();
        const SignalResult s = analyzeSignal(frames, m.get(), config);
        QVERIFY2(std::abs(s.hrBpm - 66) < 1.0, qPrintable(QString::number(s.hrBpm)));
        int none = 0;
        for (const WindowEstimate &w : s.windows) {
            const bool overlapsGap = w.endSec > 12.0 && w.startSec < 24.0;
            // A window is allowed an estimate only when it holds ≥ 80 % face time.
            const double faceShare = (std::max(0.0, std::min(w.endSec, 12.0) - w.startSec)
                                      + std::max(0.0, w.endSec - std::max(w.startSec, 24.0)))
                                     / (w.endSec - w.startSec);
            if (overlapsGap && faceShare < 0.75) {
                QCOMPARE(w.quality, Quality::NoSignal);
                QVERIFY(std::isnan(w.hrBpm));
                ++none;
            }
            if (w.quality != Quality::NoSignal)
                QVERIFY2(std::abs(w.hrBpm - 66) < 2.0, qPrintable(QString::number(w.hrBpm)));
        }
        QVERIFY(none >= 12);
        for (size_t k = 0; k < s.pulse.size(); ++k) {
            const double t = s.timeAt(k);
            if (t > 12.1 && t < 23.9)
                QVERIFY(!s.valid[k] && std::isnan(s.pulse[k]));
        }
    }

    void noFaceAtAll()
    {
        RecordOptions o;
        o.noFace = {{0.0, 100.0}};
        const auto frames = makeRecords(o);
        auto m = pos();
        const SignalResult s = analyzeSignal(frames, m.get(), AnalysisConfig{});
        QVERIFY(!s.hasHr());
        for (const WindowEstimate &w : s.windows)
            QCOMPARE(w.quality, Quality::NoSignal);
        QVERIFY(s.beatTimesSec.empty());
    }

    // A rate that climbs from 70 to 110 bpm: the windows' median is the typical rate (that of the
    // middle window), whatever the broad whole-recording spectrum does; a stretch of noise in the
    // middle gives low-quality windows, which the median leaves out.
    void windowsMedianOfARisingRate()
    {
        RecordOptions o;
        o.seconds = 60;
        o.hrBpm = 70;
        o.endHrBpm = 110;
        auto frames = makeRecords(o);
        AnalysisConfig config;
        auto m = pos();
        const SignalResult s = analyzeSignal(frames, m.get(), config);
        std::vector<double> truth;   // the true mean rate of each window
        for (const WindowEstimate &w : s.windows)
            truth.push_back(70 + 40 * 0.5 * (w.startSec + w.endSec) / 60);
        QVERIFY2(std::abs(s.windowsMedianHrBpm - dsp::median(truth)) < 1.5,
                 qPrintable(QStringLiteral("%1 vs %2").arg(s.windowsMedianHrBpm).arg(dsp::median(truth))));
        // The peak lands elsewhere in the broad spectrum (99.1 bpm here): the summary says so.
        const QString note = summaryDisagreement(s);
        QVERIFY2(std::abs(s.hrBpm - s.windowsMedianHrBpm) > 3.0, qPrintable(QString::number(s.hrBpm)));
        QVERIFY2(note.contains(QString::number(s.windowsMedianHrBpm, 'f', 1)), qPrintable(note));
        QVERIFY2(note.endsWith(QStringLiteral("trust the windows")), qPrintable(note));

        // One ok window among eleven (noise that cleared the checks, the rest low at a motion
        // line): the two still differ, but the lone window is no figure to trust either.
        SignalResult few;
        few.hrBpm = 51.5;
        for (int k = 0; k < 11; ++k) {
            WindowEstimate w;
            w.hrBpm = k == 10 ? 66.1 : 51.0;
            w.quality = k == 10 ? Quality::Good : Quality::Low;
            few.windows.push_back(w);
        }
        few.windowsMedianHrBpm = goodWindowsMedian(few.windows);
        QCOMPARE(few.windowsMedianHrBpm, 66.1);
        QVERIFY(summaryDisagreement(few).isEmpty());
        QCOMPARE(fewOkWarning(few), QStringLiteral("only 1 of 11 windows are ok: the heart rate is not to be trusted "
                                                   "(no pulse, or too much noise, compression or motion)"));
        QCOMPARE(signalWarnings(few), QStringList{fewOkWarning(few)});
        few.windows[9].quality = Quality::NoSignal;   // windows without an estimate do not count
        for (int k = 0; k < 4; ++k)
            few.windows[size_t(k)].quality = Quality::Good;
        few.windowsMedianHrBpm = 66.1;   // as if: the median differs from the peak all the same
        QVERIFY(fewOkWarning(few).isEmpty());   // 5 of 10
        QVERIFY2(summaryDisagreement(few).endsWith(QStringLiteral("trust the windows")), qPrintable(summaryDisagreement(few)));
        QCOMPARE(signalWarnings(few), QStringList{summaryDisagreement(few)});

        // Noise ten times the pulse over 20-45 s: those windows turn Low and drop out of the median.
        std::mt19937 rng(9);
        std::normal_distribution<double> nd(0, 3.0);
        for (FrameRecord &f : frames)
            if (f.timeSec >= 20 && f.timeSec < 45)
                for (int c = 0; c < 3; ++c)
                    f.rgb[c] += nd(rng);
        config.snrThresholdDb = 0;
        const SignalResult noisy = analyzeSignal(frames, m.get(), config);
        std::vector<double> good, goodTruth;
        int low = 0;
        for (const WindowEstimate &w : noisy.windows) {
            low += w.quality == Quality::Low;
            if (w.quality == Quality::Good) {
                good.push_back(w.hrBpm);
                goodTruth.push_back(70 + 40 * 0.5 * (w.startSec + w.endSec) / 60);
            }
        }
        QVERIFY2(low >= 10, qPrintable(QString::number(low)));
        QVERIFY(!good.empty());
        QCOMPARE(noisy.windowsMedianHrBpm, dsp::median(good));
        QVERIFY2(std::abs(noisy.windowsMedianHrBpm - dsp::median(goodTruth)) < 2.0,
                 qPrintable(QStringLiteral("%1 vs %2").arg(noisy.windowsMedianHrBpm).arg(dsp::median(goodTruth))));
    }

    void lowQualityFlagged()
    {
        RecordOptions o;
        o.noise = 3.0;   // ten times the pulse amplitude
        const auto frames = makeRecords(o);
        AnalysisConfig config;
        config.snrThresholdDb = 0;
        auto m = pos();
        const SignalResult noisy = analyzeSignal(frames, m.get(), config);
        const SignalResult clean = analyzeSignal(makeRecords(RecordOptions{}), m.get(), config);
        int low = 0;
        for (const WindowEstimate &w : noisy.windows)
            low += w.quality == Quality::Low;
        QVERIFY2(low > int(noisy.windows.size()) / 2, qPrintable(QString::number(low)));
        QVERIFY(noisy.snrDb < clean.snrDb - 6);
        QVERIFY(std::abs(clean.windowsMedianHrBpm - 72) < 1.0);
        QVERIFY(summaryDisagreement(clean).isEmpty());
        // Without a Good window there is no typical rate to give.
        config.snrThresholdDb = 100;
        const SignalResult strict = analyzeSignal(makeRecords(RecordOptions{}), m.get(), config);
        QVERIFY(strict.hasHr() && !strict.windows.empty());
        QVERIFY(std::isnan(strict.windowsMedianHrBpm));
    }

    void motionLockedWindowsRatedLow_data()
    {
        QTest::addColumn<double>("bobHz");
        QTest::addColumn<int>("shading");
        QTest::addColumn<double>("artefactBpm");
        // A nod at 0.45 Hz whose shading changes twice per swing: a strong line at 54 bpm.
        QTest::newRow("half the rate") << 0.45 << 2 << 54.0;
        // Swaying at 1.3 Hz (walking), the brightness following it: a line at 78 bpm.
        QTest::newRow("at the rate") << 1.3 << 1 << 78.0;
    }
    void motionLockedWindowsRatedLow()
    {
        // No pulse at all, a head that moves by 2 % of the face's width and the skin's brightness
        // following the motion: GREEN sees a clean line, with a high SNR, that is the motion.
        QFETCH(double, bobHz);
        QFETCH(int, shading);
        QFETCH(double, artefactBpm);
        RecordOptions o;
        o.pulse = 0;
        o.bobHz = bobHz;
        o.bobFraction = 0.02;
        o.bobShading = shading;
        const auto frames = makeRecords(o);
        const auto green = MethodRegistry::instance().create(QStringLiteral("green")).value();
        AnalysisConfig config;
        const SignalResult s = analyzeSignal(frames, green.get(), config);
        QCOMPARE(int(s.windows.size()), 21);
        for (const WindowEstimate &w : s.windows) {
            QVERIFY2(std::abs(w.hrBpm - artefactBpm) < 1.5, qPrintable(QString::number(w.hrBpm)));
            QVERIFY2(w.snrDb >= config.snrThresholdDb, qPrintable(QString::number(w.snrDb)));   // the SNR alone passes it
            QVERIFY2(std::abs(w.motionAmplitude - 0.02) < 0.003, qPrintable(QString::number(w.motionAmplitude)));
            QVERIFY(w.motionLocked);
            QCOMPARE(w.quality, Quality::Low);
        }
        QVERIFY(std::isnan(s.windowsMedianHrBpm));   // no window to trust
        // No window is ok, and the reason is the motion.
        const QStringList warnings = signalWarnings(s);
        QCOMPARE(warnings.size(), 2);
        QVERIFY2(warnings[0].startsWith(QStringLiteral("only 0 of 21 windows are ok")), qPrintable(warnings[0]));
        QVERIFY2(warnings[1].startsWith(QStringLiteral("21 of 21 windows found their rate where the head moves (by up to 2.")),
                 qPrintable(warnings[1]));

        // The check turned off: the SNR alone rates them.
        config.motionLockAmplitude = 0;
        const SignalResult unchecked = analyzeSignal(frames, green.get(), config);
        for (const WindowEstimate &w : unchecked.windows) {
            QVERIFY(!w.motionLocked && std::isnan(w.motionAmplitude));
            QCOMPARE(w.quality, Quality::Good);
        }
        QVERIFY(signalWarnings(unchecked).isEmpty());

        // A real pulse at 100 bpm under the same motion, without the shading: nothing moves at 100
        // or 50 bpm, so every window stays Good. (Within about one spectral bin of the motion,
        // 6 bpm for a 10 s window, the two cannot be told apart and the window is flagged.)
        o.pulse = 1;
        o.hrBpm = 100;
        o.bobShading = 0;
        const SignalResult pulse = analyzeSignal(makeRecords(o), green.get(), AnalysisConfig{});
        for (const WindowEstimate &w : pulse.windows) {
            QVERIFY2(std::abs(w.hrBpm - 100) < 1.5, qPrintable(QString::number(w.hrBpm)));
            QVERIFY2(w.motionAmplitude < 0.002, qPrintable(QString::number(w.motionAmplitude)));
            QVERIFY(!w.motionLocked);
            QCOMPARE(w.quality, Quality::Good);
        }
        QVERIFY(motionWarning(pulse).isEmpty());

        // A pulse at 63 bpm whose half (0.525 Hz) lies one bin of a 10 s window from a nod at
        // 0.43 Hz: the nod leaks into the half-rate tolerance through the window's main lobe (about
        // half its 2 %), but its line peaks outside it, so the window is the pulse's.
        o.hrBpm = 63;
        o.bobHz = 0.43;
        const SignalResult beside = analyzeSignal(makeRecords(o), green.get(), AnalysisConfig{});
        for (const WindowEstimate &w : beside.windows) {
            QVERIFY2(std::abs(w.hrBpm - 63) < 1.5, qPrintable(QString::number(w.hrBpm)));
            QVERIFY2(w.motionAmplitude < 0.002, qPrintable(QString::number(w.motionAmplitude)));
            QVERIFY(!w.motionLocked);
            QCOMPARE(w.quality, Quality::Good);
        }
    }

    void unsteadyWindowsRatedLow()
    {
        // Windows whose SNR passes the threshold by chance: colour noise alone. Most of their
        // peaks are made by one half of the window; a weak real pulse is held by both halves.
        const auto green = MethodRegistry::instance().create(QStringLiteral("green")).value();
        AnalysisConfig unchecked;
        unchecked.steadyPowerRatio = 0;
        int passNoise = 0, goodNoise = 0, unsteadyNoise = 0, passPulse = 0, goodPulse = 0;
        for (unsigned seed = 1; seed <= 8; ++seed) {
            RecordOptions o;
            o.seed = seed;
            o.seconds = 60;
            o.pulse = 0;
            const auto noise = makeRecords(o);
            const SignalResult before = analyzeSignal(noise, green.get(), unchecked);
            const SignalResult after = analyzeSignal(noise, green.get(), AnalysisConfig{});
            QCOMPARE(after.windows.size(), before.windows.size());
            for (size_t k = 0; k < after.windows.size(); ++k) {
                const WindowEstimate &b = before.windows[k], &a = after.windows[k];
                QCOMPARE(a.hrBpm, b.hrBpm);   // the check rates windows, it never moves them
                passNoise += b.quality == Quality::Good;
                goodNoise += a.quality == Quality::Good;
                unsteadyNoise += a.unsteady;
                QVERIFY(!a.unsteady || (b.quality == Quality::Good && a.steadiness < 0.5));
                QVERIFY(a.snrDb >= 0 ? std::isnan(a.steadiness) : a.steadiness >= 0 && a.steadiness <= 1);
            }
            // A pulse at 84 bpm, weak enough that its SNR mostly sits between -3 and 0 dB.
            o.pulse = 1;
            o.hrBpm = 84;
            o.noise = 0.4;
            const SignalResult pulse = analyzeSignal(makeRecords(o), green.get(), AnalysisConfig{});
            const SignalResult pulseBefore = analyzeSignal(makeRecords(o), green.get(), unchecked);
            for (size_t k = 0; k < pulse.windows.size(); ++k) {
                const bool right = std::abs(pulse.windows[k].hrBpm - 84) < 3;
                passPulse += right && pulseBefore.windows[k].quality == Quality::Good;
                goodPulse += right && pulse.windows[k].quality == Quality::Good;
            }
        }
        qInfo("noise: %d windows pass the SNR, %d stay ok (%d inconsistent); weak pulse: %d right and passing, %d stay ok",
              passNoise, goodNoise, unsteadyNoise, passPulse, goodPulse);
        QCOMPARE(passNoise - goodNoise, unsteadyNoise);
        QVERIFY(passNoise >= 20);
        QVERIFY(goodNoise * 3 <= passNoise);   // measured: 22 → 4
        QVERIFY(passPulse >= 200);
        QVERIFY(goodPulse * 5 >= passPulse * 4);   // measured: 327 → 295
    }

    // AnalysisConfig::witnessClassical: the classical methods checked too, each against the other
    // witnesses. Skin with a 72 bpm pulse under a light flickering at 100 bpm (every channel alike,
    // 1 %, over a 0.4 % pulse): GREEN reads the flicker, POS (which cancels brightness) the pulse.
    void classicalMethodsWitnessedOnRequest()
    {
        RecordOptions o;
        o.seconds = 40;
        const std::vector<FrameRecord> clean = makeRecords(o);
        std::vector<FrameRecord> flicker = clean;
        for (FrameRecord &r : flicker)
            if (r.skinValid)
                r.rgb *= 1 + 0.01 * std::sin(2 * kPi * (100.0 / 60) * r.timeSec);
        auto green = std::move(MethodRegistry::instance().create(QStringLiteral("green")).value());
        auto p = pos();
        AnalysisConfig on;
        on.witnessClassical = true;
        const auto good = [](const SignalResult &s) {
            int n = 0;
            for (const WindowEstimate &w : s.windows)
                n += w.quality == Quality::Good;
            return n;
        };
        // Off by default: a classical method has no witness.
        QVERIFY(analyzeSignal(flicker, green.get(), AnalysisConfig{}).witnessPulses.empty());
        // Clean skin: each confirmed by the other, every window ok.
        for (PulseMethod *m : {p.get(), green.get()}) {
            const SignalResult s = analyzeSignal(clean, m, on);
            QCOMPARE(s.witnessPulses.size(), size_t(1));   // itself left out
            QCOMPARE(good(s), int(s.windows.size()));
            for (const WindowEstimate &w : s.windows)
                QVERIFY2(std::abs(w.hrBpm - 72) < 3 && std::abs(w.witnessHrBpm - 72) < 3,
                         qPrintable(QStringLiteral("%1 %2").arg(w.hrBpm).arg(w.witnessHrBpm)));
        }
        // Under the flicker GREEN's clean 100 bpm passes every other check, and POS does not
        // confirm it; POS, right, is not confirmed either: its only witness reads the flicker.
        const SignalResult g0 = analyzeSignal(flicker, green.get(), AnalysisConfig{});
        QCOMPARE(good(g0), int(g0.windows.size()));
        const SignalResult g = analyzeSignal(flicker, green.get(), on);
        const SignalResult ps = analyzeSignal(flicker, p.get(), on);
        QCOMPARE(good(g), 0);
        QCOMPARE(good(ps), 0);
        for (size_t k = 0; k < g.windows.size(); ++k) {
            QVERIFY(g.windows[k].unconfirmed && ps.windows[k].unconfirmed);
            QVERIFY(std::abs(g.windows[k].hrBpm - 100) < 3 && std::abs(g.windows[k].witnessHrBpm - 72) < 3);
            QVERIFY(std::abs(ps.windows[k].hrBpm - 72) < 3 && std::abs(ps.windows[k].witnessHrBpm - 100) < 3);
        }
        QVERIFY(fewWindowsOk(g) && fewWindowsOk(ps));
        QVERIFY(analysisSettingsText(on).endsWith(QStringLiteral("every method checked against POS, GREEN")));
        QCOMPARE(witnessesFor(on, QStringLiteral("pos")), QStringList{QStringLiteral("green")});
    }

    void networkWindowsConfirmedByClassicalWitness()
    {
        // A face-video method's output (a network's waveform) beside the skin colour of the same
        // frames, which carries a 72 bpm pulse: POS and GREEN on that colour are the witnesses.
        RecordOptions o;
        o.seconds = 40;
        const auto withOutput = [](std::vector<FrameRecord> frames, double hz, unsigned seed) {
            std::mt19937 rng(seed);
            std::normal_distribution<double> nd(0, 0.3);
            for (FrameRecord &r : frames)
                r.methodPulse = r.faceState == FaceState::Tracked ? std::sin(2 * kPi * hz * r.timeSec) + nd(rng) : kNaN;
            return frames;
        };
        AnalysisConfig off;
        off.witnessToleranceBpm = 0;
        const auto count = [](const SignalResult &s, int *good, int *unconfirmed, int *witnessed) {
            *good = *unconfirmed = *witnessed = 0;
            for (const WindowEstimate &w : s.windows) {
                *good += w.quality == Quality::Good;
                *unconfirmed += w.unconfirmed;
                *witnessed += std::isfinite(w.witnessHrBpm);
                QVERIFY(!w.unconfirmed || w.quality == Quality::Low);
            }
        };
        int good = 0, unconfirmed = 0, witnessed = 0;

        // The network right (72 bpm): every window confirmed, the witness within a bin of it.
        const SignalResult right = analyzeSignal(withOutput(makeRecords(o), 1.2, 1), nullptr, AnalysisConfig{});
        QCOMPARE(right.witnessPulses.size(), size_t(2));
        count(right, &good, &unconfirmed, &witnessed);
        QCOMPARE(good, int(right.windows.size()));
        QCOMPARE(witnessed, good);
        for (const WindowEstimate &w : right.windows)
            QVERIFY2(std::abs(w.witnessHrBpm - 72) < 3, qPrintable(QString::number(w.witnessHrBpm)));

        // The network clean but wrong (100 bpm, as rPPGNet is on some compressed videos): every
        // window passes the SNR, motion and halves' checks, and none is confirmed.
        const auto wrongFrames = withOutput(makeRecords(o), 100.0 / 60, 2);
        const SignalResult unchecked = analyzeSignal(wrongFrames, nullptr, off);
        QVERIFY(unchecked.witnessPulses.empty());
        count(unchecked, &good, &unconfirmed, &witnessed);
        QCOMPARE(good, int(unchecked.windows.size()));
        QCOMPARE(witnessed, 0);
        const SignalResult wrong = analyzeSignal(wrongFrames, nullptr, AnalysisConfig{});
        count(wrong, &good, &unconfirmed, &witnessed);
        QCOMPARE(good, 0);
        QCOMPARE(unconfirmed, int(wrong.windows.size()));
        for (size_t k = 0; k < wrong.windows.size(); ++k) {
            QCOMPARE(wrong.windows[k].hrBpm, unchecked.windows[k].hrBpm);   // rated, never moved
            QVERIFY(std::abs(wrong.windows[k].hrBpm - 100) < 3 && std::abs(wrong.windows[k].witnessHrBpm - 72) < 3);
        }
        QVERIFY(fewWindowsOk(wrong));
        // A wider tolerance takes it in; a classical method analysed itself has no witness.
        AnalysisConfig wide;
        wide.witnessToleranceBpm = 40;
        count(analyzeSignal(wrongFrames, nullptr, wide), &good, &unconfirmed, &witnessed);
        QCOMPARE(unconfirmed, 0);
        auto m = pos();
        const SignalResult classical = analyzeSignal(makeRecords(o), m.get(), AnalysisConfig{});
        QVERIFY(classical.witnessPulses.empty());
        count(classical, &good, &unconfirmed, &witnessed);
        QCOMPARE(witnessed, 0);

        // No skin colour to read (the output alone): no evidence, so nothing is downgraded.
        std::vector<FrameRecord> blind = wrongFrames;
        for (FrameRecord &r : blind) {
            r.skinValid = false;
            r.rgb = cv::Vec3d(kNaN, kNaN, kNaN);
        }
        count(analyzeSignal(blind, nullptr, AnalysisConfig{}), &good, &unconfirmed, &witnessed);
        QCOMPARE(good, int(wrong.windows.size()));
        QCOMPARE(witnessed + unconfirmed, 0);

        // The skin without a pulse: the witnesses read noise and seldom land on the network's rate.
        o.pulse = 0;
        const SignalResult noPulse = analyzeSignal(withOutput(makeRecords(o), 1.2, 3), nullptr, AnalysisConfig{});
        count(noPulse, &good, &unconfirmed, &witnessed);
        qInfo("skin without a pulse: %d of %zu windows confirmed", good, noPulse.windows.size());
        QVERIFY(good * 4 <= int(noPulse.windows.size()));
    }

    void networkOctaveErrorMovedWhereWitnessFindsIt()
    {
        // rPPGNet on compressed video most often fails by an octave: its strongest peak at twice
        // the rate, the true rate still a local peak of its own spectrum. Here the skin colour
        // carries the true pulse and a network output is two tones: `strong` at `topHz`, `weak` at
        // `otherHz`, with noise.
        const auto withTones = [](std::vector<FrameRecord> frames, double topHz, double otherHz, double weak, unsigned seed) {
            std::mt19937 rng(seed);
            std::normal_distribution<double> nd(0, 0.3);
            for (FrameRecord &r : frames)
                r.methodPulse = r.faceState == FaceState::Tracked
                                    ? std::sin(2 * kPi * topHz * r.timeSec) + weak * std::sin(2 * kPi * otherHz * r.timeSec + 1.0) + nd(rng)
                                    : kNaN;
            return frames;
        };
        const auto moved = [](const SignalResult &s) {
            int n = 0;
            for (const WindowEstimate &w : s.windows)
                n += std::isfinite(w.octaveFromBpm);
            return n;
        };
        RecordOptions o;
        o.seconds = 40;
        o.hrBpm = 60;
        const std::vector<FrameRecord> skin60 = makeRecords(o);

        // Twice the rate on top, the true rate at half its power (amplitude 0.7): every window and
        // the whole recording moved down to 60 bpm, confirmed and ok; each keeps the peak it left.
        const auto down = withTones(skin60, 2.0, 1.0, 0.7, 1);
        const SignalResult s = analyzeSignal(down, nullptr, AnalysisConfig{});
        QCOMPARE(moved(s), int(s.windows.size()));
        for (const WindowEstimate &w : s.windows) {
            QVERIFY2(std::abs(w.hrBpm - 60) < 2 && std::abs(w.octaveFromBpm - 120) < 2,
                     qPrintable(QStringLiteral("%1 from %2").arg(w.hrBpm).arg(w.octaveFromBpm)));
            QCOMPARE(w.quality, Quality::Good);
            QVERIFY(!w.unconfirmed && std::abs(w.witnessHrBpm - w.hrBpm) <= 5);
            QVERIFY(w.snrDb >= AnalysisConfig{}.snrThresholdDb);
        }
        QVERIFY2(std::abs(s.hrBpm - 60) < 2 && std::abs(s.octaveFromBpm - 120) < 2,
                 qPrintable(QStringLiteral("%1 from %2").arg(s.hrBpm).arg(s.octaveFromBpm)));
        QVERIFY(std::abs(s.windowsMedianHrBpm - 60) < 2);
        // The beats follow the moved rate: about one a second.
        QVERIFY2(std::abs(int(s.beatTimesSec.size()) - 40) <= 3, qPrintable(QString::number(s.beatTimesSec.size())));

        // Off (the ratio 0, or no witnesses): the estimate stays on the strongest peak, unconfirmed.
        AnalysisConfig noOctave;
        noOctave.octavePowerRatio = 0;
        AnalysisConfig noWitness;
        noWitness.witnessMethods.clear();
        for (const AnalysisConfig &c : {noOctave, noWitness}) {
            const SignalResult kept = analyzeSignal(down, nullptr, c);
            QCOMPARE(moved(kept), 0);
            QVERIFY(!std::isfinite(kept.octaveFromBpm) && std::abs(kept.hrBpm - 120) < 2);
            for (const WindowEstimate &w : kept.windows) {
                QVERIFY(std::abs(w.hrBpm - 120) < 2);
                QCOMPARE(w.unconfirmed, !c.witnessMethods.isEmpty());
            }
        }

        // The true rate too weak in the output (amplitude 0.3: 9 % of the top's power): nothing to
        // move to; rated as before (unconfirmed).
        const SignalResult weak = analyzeSignal(withTones(skin60, 2.0, 1.0, 0.3, 2), nullptr, AnalysisConfig{});
        QCOMPARE(moved(weak), 0);
        QVERIFY(!std::isfinite(weak.octaveFromBpm));
        for (const WindowEstimate &w : weak.windows)
            QVERIFY(w.unconfirmed && std::abs(w.hrBpm - 120) < 2);

        // A second peak the witness finds that is no octave of the top (72 under 100 bpm): not moved.
        RecordOptions o72 = o;
        o72.hrBpm = 72;
        const SignalResult other = analyzeSignal(withTones(makeRecords(o72), 100.0 / 60, 1.2, 0.9, 3), nullptr, AnalysisConfig{});
        QCOMPARE(moved(other), 0);
        for (const WindowEstimate &w : other.windows)
            QVERIFY(w.unconfirmed && std::abs(w.hrBpm - 100) < 2);

        // Half the rate on top and the true 120 bpm below it: moved up where its SNR passes.
        RecordOptions o120 = o;
        o120.hrBpm = 120;
        const SignalResult up = analyzeSignal(withTones(makeRecords(o120), 1.0, 2.0, 0.9, 4), nullptr, AnalysisConfig{});
        qInfo("half the rate on top: %d of %zu windows moved up", moved(up), up.windows.size());
        QVERIFY2(moved(up) * 2 >= int(up.windows.size()), qPrintable(QString::number(moved(up))));
        for (const WindowEstimate &w : up.windows)
            if (std::isfinite(w.octaveFromBpm))
                QVERIFY(std::abs(w.hrBpm - 120) < 2 && std::abs(w.octaveFromBpm - 60) < 2 && w.quality == Quality::Good);

        // A classical method is never moved (it has no witnesses).
        auto m = pos();
        QCOMPARE(moved(analyzeSignal(skin60, m.get(), AnalysisConfig{})), 0);

        // Chance: the network right (72 bpm) with a strong second harmonic (144 bpm at half the
        // power), the skin without a pulse, so the witnesses read noise. A window moves only when a
        // witness lands within 5 bpm of 144 and the harmonic's SNR passes; over 8 seeds of 31
        // windows that happened in a few (printed), never in more than a quarter of one recording's.
        RecordOptions none = o;
        none.pulse = 0;
        int chance = 0, windows = 0;
        for (unsigned seed = 1; seed <= 8; ++seed) {
            none.seed = seed;
            const SignalResult s72 = analyzeSignal(withTones(makeRecords(none), 1.2, 2.4, 0.7, 10 + seed), nullptr, AnalysisConfig{});
            QVERIFY(moved(s72) * 4 <= int(s72.windows.size()));
            QVERIFY(!std::isfinite(s72.octaveFromBpm));
            chance += moved(s72);
            windows += int(s72.windows.size());
        }
        qInfo("a right network over skin without a pulse: %d of %d windows moved an octave by chance", chance, windows);
    }

    void frozenSkinColourRatedLow()
    {
        // A codec that stops updating a still picture repeats the skin's mean colour exactly for
        // many frames. Here a 72 bpm pulse is held for `hold` frames at a time (from `fromSec`
        // on): the held samples still trace the pulse (so the SNR passes), but a frozen stretch
        // carries no pulse of its own, and a window mostly made of them is rated low.
        RecordOptions o;
        o.seconds = 40;
        const auto held = [&](int hold, double fromSec) {
            std::vector<FrameRecord> frames = makeRecords(o);
            for (size_t i = 0; i < frames.size(); ++i)
                if (frames[i].timeSec >= fromSec)
                    frames[i].rgb = frames[i - i % size_t(hold)].rgb;
            return frames;
        };
        auto m = pos();
        const auto count = [](const SignalResult &s, int *frozen, int *good) {
            *frozen = *good = 0;
            for (const WindowEstimate &w : s.windows) {
                *frozen += w.frozen;
                *good += w.quality == Quality::Good;
                QVERIFY(!w.frozen || w.quality == Quality::Low);
            }
        };
        int frozen = 0, good = 0;

        // Held for 8 frames (0.27 s) everywhere: every window frozen, the warning.
        const auto still = held(8, 0);
        const SignalResult s = analyzeSignal(still, m.get(), AnalysisConfig{});
        count(s, &frozen, &good);
        QCOMPARE(good, 0);
        QCOMPARE(frozen, int(s.windows.size()));
        QVERIFY2(s.frozenShare > 0.95, qPrintable(QString::number(s.frozenShare)));
        QVERIFY(frozenWarning(s).contains(QStringLiteral("still picture")));
        QVERIFY(signalWarnings(s).contains(frozenWarning(s)));
        // The check off: the same windows pass (their rate is the pulse's), no warning from it.
        AnalysisConfig off;
        off.frozenShareLimit = 0;
        const SignalResult unchecked = analyzeSignal(still, m.get(), off);
        count(unchecked, &frozen, &good);
        QCOMPARE(frozen, 0);
        QCOMPARE(good, int(unchecked.windows.size()));
        QVERIFY(unchecked.frozen.empty() && !std::isfinite(unchecked.frozenShare) && frozenWarning(unchecked).isEmpty());
        for (const WindowEstimate &w : unchecked.windows)
            QVERIFY2(std::abs(w.hrBpm - 72) < 5, qPrintable(QString::number(w.hrBpm)));   // a held sample lags its beat

        // Every frame twice (frame-rate conversion): 0.067 s runs, nothing frozen.
        const SignalResult doubled = analyzeSignal(held(2, 0), m.get(), AnalysisConfig{});
        count(doubled, &frozen, &good);
        QCOMPARE(frozen, 0);
        QCOMPARE(good, int(doubled.windows.size()));
        QCOMPARE(doubled.frozenShare, 0.0);
        // A live colour: nothing frozen.
        QCOMPARE(analyzeSignal(makeRecords(o), m.get(), AnalysisConfig{}).frozenShare, 0.0);

        // Frozen for the last 6 s: the windows ending before then pass, those at least a tenth
        // frozen (ending after 35 s) are frozen; the recording is under a fifth frozen, so no
        // warning.
        const SignalResult late = analyzeSignal(held(8, 34), m.get(), AnalysisConfig{});
        for (const WindowEstimate &w : late.windows) {
            if (w.endSec < 34)
                QVERIFY(!w.frozen && w.frozenShare == 0.0 && w.quality == Quality::Good);
            if (w.endSec > 35.5)
                QVERIFY2(w.frozen && w.frozenShare >= 0.1, qPrintable(QString::number(w.endSec)));
        }
        QVERIFY2(late.frozenShare > 0.1 && late.frozenShare < 0.2, qPrintable(QString::number(late.frozenShare)));
        QVERIFY(frozenWarning(late).isEmpty());
    }

    void beatsAndHrv()
    {
        RecordOptions o;
        o.hrBpm = 70;
        o.seconds = 60;
        o.rsa = 0.06;
        std::vector<double> beats;
        const auto frames = makeRecords(o, &beats);
        auto m = pos();
        const SignalResult s = analyzeSignal(frames, m.get(), AnalysisConfig{});
        std::vector<double> truth;
        for (double b : beats)
            if (b > 1.0 && b < o.seconds - 1.0)
                truth.push_back(b);
        const dsp::Hrv h = dsp::hrvFromBeats(truth);
        QVERIFY(s.hrv.valid);
        QVERIFY2(std::abs(int(s.beatTimesSec.size()) - int(truth.size())) <= 3,
                 qPrintable(QStringLiteral("%1 vs %2").arg(s.beatTimesSec.size()).arg(truth.size())));
        QVERIFY2(std::abs(s.hrv.meanIbiMs - h.meanIbiMs) < 10, qPrintable(QString::number(s.hrv.meanIbiMs)));
        QVERIFY2(std::abs(s.hrv.sdnnMs - h.sdnnMs) < 0.3 * h.sdnnMs + 5,
                 qPrintable(QStringLiteral("%1 vs %2").arg(s.hrv.sdnnMs).arg(h.sdnnMs)));
        // Every detected beat lies within 60 ms of a true systolic peak.
        int matched = 0;
        for (double b : s.beatTimesSec) {
            double best = 1e9;
            for (double t : beats)
                best = std::min(best, std::abs(b - t));
            matched += best < 0.06;
        }
        QVERIFY2(matched >= int(s.beatTimesSec.size()) - 2, qPrintable(QString::number(matched)));
    }

    // HRV is rated ok only from clean beats: the same 70 bpm pulse with little noise (Good, SDNN
    // near the truth), with enough noise to leave the rate right but move the beats (Low, its SDNN
    // inflated), and with no pulse at all (Low: the recording is not to be trusted).
    void hrvRatedByTheBeats()
    {
        RecordOptions o;
        o.hrBpm = 70;
        o.seconds = 60;
        o.rsa = 0.06;
        o.noise = 0.02;
        std::vector<double> beats;
        auto m = pos();
        const AnalysisConfig config;
        auto sdnnError = [&](const SignalResult &s) {
            std::vector<double> truth;
            for (double b : beats)
                if (b > 1.0 && b < o.seconds - 1.0)
                    truth.push_back(b);
            return std::abs(s.hrv.sdnnMs - dsp::hrvFromBeats(truth).sdnnMs);
        };
        const SignalResult clean = analyzeSignal(makeRecords(o, &beats), m.get(), config);
        const double cleanError = sdnnError(clean);
        QVERIFY(clean.hrv.valid);
        QVERIFY2(clean.beatShapeCorrelation >= 0.94 && clean.beatShapeCorrelation <= 1.0,
                 qPrintable(QString::number(clean.beatShapeCorrelation)));   // measured 0.987
        QCOMPARE(clean.hrvQuality, Quality::Good);
        QVERIFY2(cleanError < 5, qPrintable(QString::number(cleanError)));    // measured 0.5 ms

        // The same beats as a face-video method's output (a network's waveform: its likeness is
        // no evidence): the same HRV, rated Low.
        std::vector<FrameRecord> net = makeRecords(o);
        for (FrameRecord &r : net)
            r.methodPulse = r.skinValid ? -r.rgb[1] : kNaN;
        const SignalResult fromNet = analyzeSignal(net, nullptr, config);
        QVERIFY(fromNet.hrv.valid && fromNet.beatShapeCorrelation >= config.hrvMinBeatCorrelation && !fewWindowsOk(fromNet));
        QVERIFY2(std::abs(fromNet.hrv.sdnnMs - clean.hrv.sdnnMs) < 5, qPrintable(QString::number(fromNet.hrv.sdnnMs)));
        QCOMPARE(fromNet.hrvQuality, Quality::Low);

        // The same clean beats are Low when the threshold asks for more than they give.
        AnalysisConfig strict = config;
        strict.hrvMinBeatCorrelation = clean.beatShapeCorrelation + 0.005;
        QCOMPARE(analyzeSignal(makeRecords(o), m.get(), strict).hrvQuality, Quality::Low);

        o.noise = 0.1;   // five times as much noise: measured 0.86 and 32 ms
        const SignalResult noisy = analyzeSignal(makeRecords(o, &beats), m.get(), config);
        QVERIFY(std::abs(noisy.hrBpm - 70) < 1.0 && !fewWindowsOk(noisy));   // the rate is right
        QVERIFY2(noisy.beatShapeCorrelation < clean.beatShapeCorrelation - 0.05,
                 qPrintable(QString::number(noisy.beatShapeCorrelation)));
        QCOMPARE(noisy.hrvQuality, Quality::Low);
        QVERIFY2(sdnnError(noisy) > std::max(10.0, 3 * cleanError), qPrintable(QString::number(sdnnError(noisy))));

        o.noise = 0.05;
        o.pulse = 0;   // noise only: a spectral peak somewhere, beats at it, no windows ok
        const SignalResult none = analyzeSignal(makeRecords(o), m.get(), config);
        QVERIFY(fewWindowsOk(none));
        QVERIFY(none.hrv.valid);
        QCOMPARE(none.hrvQuality, Quality::Low);
        QVERIFY(none.respiration.quality != Quality::Good);
    }

    void frameRateEstimate()
    {
        RecordOptions o;
        o.fps = 15;
        QVERIFY(std::abs(estimateFrameRate(makeRecords(o)) - 15) < 0.01);
        QCOMPARE(estimateFrameRate({}), 0.0);
    }
};

QTEST_GUILESS_MAIN(TstSignal)
#include "tst_signal.moc"
