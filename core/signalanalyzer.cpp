#include "signalanalyzer.h"

#include "respiration.h"

#include <algorithm>
#include <cmath>
#include <complex>

namespace rppg {

namespace {

// Zero-padding target for spectra: bins of about 0.3 bpm, refined further by interpolation.
constexpr int kMinNfft = 4096;

// The head-motion sweep (motionAmplitudeAt): its step, and how far it looks beyond the tolerance
// for a stronger line beside it (one bin of a 10 s window).
constexpr double kMotionStepHz = 0.01;
constexpr double kMotionMarginHz = 0.1;

struct Segment
{
    int first = 0;   // index of the first sample on the global grid
    int count = 0;   // samples
};

// Samples that can be used: classical methods need a skin colour, neural ones their output.
bool usable(const FrameRecord &r, bool rgbInput)
{
    return rgbInput ? r.skinValid : std::isfinite(r.methodPulse);
}

// The face box of the usable frames [a, b] (frames without a box bridged) resampled onto
// out.faceMotion's samples [k0, k0 + count), for the head-motion check.
void faceBoxOnGrid(const std::vector<FrameRecord> &frames, size_t a, size_t b, bool rgbInput, int k0,
                   int count, SignalResult &out)
{
    std::vector<double> t, box[3];
    for (size_t i = a; i <= b; ++i) {
        const cv::Rect2f &r = frames[i].faceBox;
        if (!usable(frames[i], rgbInput) || !(r.width > 0 && r.height > 0))
            continue;
        t.push_back(frames[i].timeSec);
        box[0].push_back(r.x + 0.5 * r.width);
        box[1].push_back(r.y + 0.5 * r.height);
        box[2].push_back(r.width);
    }
    if (t.size() < 2)
        return;
    for (int c = 0; c < 3; ++c) {
        const auto u = dsp::resampleLinear(t, box[c], out.timeAt(size_t(k0)), out.fsHz, count);
        std::copy(u.begin(), u.end(), out.faceMotion[size_t(c)].begin() + k0);
    }
}

// A frame is frozen when its skin colour is exactly that of a run of frames lasting at least
// this long (a codec's skipped blocks over a still picture); a repeated frame is far shorter.
constexpr double kFrozenRunSec = 0.2;
// The share of the recording's samples that, frozen, earns the recording a warning.
constexpr double kFrozenWarnShare = 0.2;

// Per frame: 1 when it lies in a frozen run of the skin colour (frames without one break a run).
std::vector<double> frozenFrames(const std::vector<FrameRecord> &frames)
{
    std::vector<double> flags(frames.size(), 0.0);
    size_t first = 0;
    for (size_t i = 1; i <= frames.size(); ++i) {
        const bool same = i < frames.size() && frames[i].skinValid && frames[first].skinValid
                          && frames[i].rgb == frames[first].rgb;
        if (same)
            continue;
        // Run [first, i): its span reaches to the next frame's time (one frame period at the end).
        const double end = i < frames.size() ? frames[i].timeSec : frames[i - 1].timeSec;
        if (i - first >= 2 && end - frames[first].timeSec >= kFrozenRunSec - 1e-9)
            std::fill(flags.begin() + long(first), flags.begin() + long(i), 1.0);
        first = i;
    }
    return flags;
}

int nfftFor(int samples)
{
    int n = kMinNfft;
    while (n < samples)
        n <<= 1;
    return n;
}

} // namespace

std::pair<int, int> longestValidRun(const std::vector<unsigned char> &valid, int a, int b)
{
    int bestStart = a, bestLen = 0, runStart = -1;
    for (int k = a; k <= b; ++k) {
        const bool v = k < b && valid[size_t(k)];
        if (v && runStart < 0)
            runStart = k;
        if (!v && runStart >= 0) {
            if (k - runStart > bestLen) {
                bestLen = k - runStart;
                bestStart = runStart;
            }
            runStart = -1;
        }
    }
    return {bestStart, bestLen};
}

double estimateFrameRate(const std::vector<FrameRecord> &frames)
{
    if (frames.size() < 2)
        return 0.0;
    std::vector<double> dt;
    dt.reserve(frames.size() - 1);
    for (size_t i = 1; i < frames.size(); ++i) {
        const double d = frames[i].timeSec - frames[i - 1].timeSec;
        if (d > 0)
            dt.push_back(d);
    }
    if (dt.empty())
        return 0.0;
    const double med = dsp::median(dt);
    return med > 0 ? std::clamp(1.0 / med, 1.0, 240.0) : 0.0;
}

namespace {

// The peak of a spectrum in [lowHz, highHz] and its harmonic SNR, for a stretch `seconds` long:
// the harmonic windows must hold the Hann main lobe of a window that long (±2 bins of 1/T).
SpectrumEstimate estimateFromSpectrum(const dsp::Spectrum &spec, double seconds, double lowHz, double highHz)
{
    SpectrumEstimate e;
    const auto peak = dsp::spectralPeak(spec, lowHz, highHz);
    if (!peak.valid)
        return e;
    e.hrBpm = peak.frequencyHz * 60.0;
    e.snrDb = dsp::harmonicSnrDb(spec, peak.frequencyHz, lowHz, highHz, std::max(0.1, 1.0 / seconds));
    return e;
}

// The octave check (AnalysisConfig::octavePowerRatio) of estimate `e` taken from `spec`, against
// the witnesses' rates over the same stretch: `e` itself when a witness confirms it, none finds
// half or twice its rate, or the spectrum has no strong enough local peak there; else that peak.
SpectrumEstimate octaveChecked(const dsp::Spectrum &spec, const SpectrumEstimate &e, const std::vector<double> &witnessRates,
                               double seconds, double lowHz, double highHz, const AnalysisConfig &config)
{
    const double tol = config.witnessToleranceBpm;
    if (!(config.octavePowerRatio > 0) || !(tol > 0) || !std::isfinite(e.hrBpm) || !(spec.binHz > 0))
        return e;
    for (const double w : witnessRates)
        if (std::abs(w - e.hrBpm) <= tol)
            return e;   // confirmed as it is
    const int bins = int(spec.power.size());
    const int lowBin = std::max(1, int(std::ceil(lowHz / spec.binHz)));
    const int highBin = std::min(bins - 2, int(std::floor(highHz / spec.binHz)));
    double topPower = 0;
    for (int k = lowBin; k <= highBin; ++k)
        topPower = std::max(topPower, spec.power[size_t(k)]);
    int best = -1;
    for (const double w : witnessRates) {
        for (const double factor : {0.5, 2.0}) {
            // Within the tolerance of both the witness's rate and the octave of the estimate.
            const double target = factor * e.hrBpm;
            const double from = std::max(w, target) - tol, to = std::min(w, target) + tol;   // NaN w: empty
            if (!(from <= to))
                continue;
            const int first = std::max(lowBin, int(std::ceil(from / 60.0 / spec.binHz)));
            const int last = std::min(highBin, int(std::floor(to / 60.0 / spec.binHz)));
            for (int k = first; k <= last; ++k) {
                const double p = spec.power[size_t(k)];
                if (p >= spec.power[size_t(k - 1)] && p > spec.power[size_t(k + 1)] && (best < 0 || p > spec.power[size_t(best)]))
                    best = k;
            }
        }
    }
    if (best < 0 || !(spec.power[size_t(best)] >= config.octavePowerRatio * topPower))
        return e;
    const auto peak = dsp::spectralPeak(spec, (best - 0.5) * spec.binHz, (best + 0.5) * spec.binHz);
    if (!peak.valid)
        return e;
    SpectrumEstimate moved;
    moved.hrBpm = peak.frequencyHz * 60.0;
    // The SNR against the whole band, as for any estimate.
    moved.snrDb = dsp::harmonicSnrDb(spec, peak.frequencyHz, lowHz, highHz, std::max(0.1, 1.0 / seconds));
    if (!(moved.snrDb >= config.snrThresholdDb))
        return e;
    moved.octaveFromBpm = e.hrBpm;
    return moved;
}

} // namespace

SpectrumEstimate estimateHeartRate(const std::vector<double> &pulse, double fsHz, double bandLowHz,
                                   double bandHighHz)
{
    if (pulse.size() < 8 || fsHz <= 0)
        return {};
    const int n = int(pulse.size());
    const auto spec = dsp::welch(pulse, fsHz, n, 0.5, nfftFor(n));
    return estimateFromSpectrum(spec, n / fsHz, bandLowHz, std::min(bandHighHz, 0.5 * fsHz));
}

SpectrumEstimate estimateWindow(const SignalResult &s, int start, int len, const AnalysisConfig &config)
{
    if (start < 0 || len < 8 || s.fsHz <= 0 || int(s.pulse.size()) < start + len)
        return {};
    const double high = std::min(config.bandHighHz, 0.45 * s.fsHz);
    const auto spec = dsp::welch(std::vector<double>(s.pulse.begin() + start, s.pulse.begin() + start + len), s.fsHz, len,
                                 0.5, nfftFor(len));
    const double seconds = len / s.fsHz;
    const SpectrumEstimate e = estimateFromSpectrum(spec, seconds, config.bandLowHz, high);
    if (s.witnessPulses.empty())
        return e;
    std::vector<double> rates = witnessRatesAt(s, start, len, config);
    SpectrumEstimate checked = octaveChecked(spec, e, rates, seconds, config.bandLowHz, high, config);
    checked.witnessRates = std::move(rates);
    return checked;
}

double motionAmplitudeAt(const SignalResult &s, int start, int len, double hz)
{
    if (start < 0 || len < 8 || s.fsHz <= 0 || !(hz > 0))
        return kNaN;
    for (const std::vector<double> &m : s.faceMotion)
        if (int(m.size()) < start + len)
            return kNaN;
    double width = 0;
    for (int k = 0; k < len; ++k)
        width += s.faceMotion[2][size_t(start + k)];
    width /= len;
    if (!(width > 0))   // NaN too: part of the stretch has no box
        return kNaN;
    std::vector<double> hann(static_cast<size_t>(len)), x(static_cast<size_t>(len));
    double hannSum = 0;
    for (int k = 0; k < len; ++k) {
        hann[size_t(k)] = 0.5 - 0.5 * std::cos(2.0 * M_PI * k / (len - 1));
        hannSum += hann[size_t(k)];
    }
    double amplitude = 0;
    for (const std::vector<double> &m : s.faceMotion) {
        // Least-squares line through the trace (in face widths), removed.
        double sk = 0, sx = 0, skk = 0, skx = 0;
        for (int k = 0; k < len; ++k) {
            const double v = m[size_t(start + k)] / width;
            sk += k;
            sx += v;
            skk += double(k) * k;
            skx += k * v;
        }
        const double den = len * skk - sk * sk;
        const double slope = den > 0 ? (len * skx - sk * sx) / den : 0.0;
        const double icpt = (sx - slope * sk) / len;
        for (int k = 0; k < len; ++k)
            x[size_t(k)] = (m[size_t(start + k)] / width - icpt - slope * k) * hann[size_t(k)];
        for (const double divisor : {1.0, 2.0}) {
            // The sweep reaches kMotionMarginHz beyond the tolerance on each side: a line there
            // (the head's own rhythm beside the pulse) leaks into the tolerance through the
            // window's main lobe but peaks outside it, and is not the window's rate.
            const double centre = hz / divisor, tol = 0.05 / divisor;
            const int steps = int(std::lround(2.0 * (tol + kMotionMarginHz) / kMotionStepHz));
            double inside = 0, anywhere = 0;
            for (int i = 0; i <= steps; ++i) {
                const double f = centre - tol - kMotionMarginHz + i * kMotionStepHz;
                // A rotating phasor instead of a cosine and a sine per sample.
                const std::complex<double> step = std::polar(1.0, -2.0 * M_PI * f / s.fsHz);
                std::complex<double> z = 1.0, acc = 0.0;
                for (int k = 0; k < len; ++k) {
                    acc += x[size_t(k)] * z;
                    z *= step;
                }
                const double a = 2.0 * std::abs(acc) / hannSum;
                anywhere = std::max(anywhere, a);
                if (std::abs(f - centre) <= tol + 1e-9)
                    inside = std::max(inside, a);
            }
            if (inside >= anywhere)
                amplitude = std::max(amplitude, inside);
        }
    }
    return amplitude;
}

double steadinessAt(const SignalResult &s, int start, int len, double hz, double bandLowHz, double bandHighHz)
{
    const int half = len / 2;
    if (start < 0 || half < 8 || s.fsHz <= 0 || !(hz > 0) || int(s.pulse.size()) < start + len)
        return kNaN;
    double steadiness = 1.0;
    for (const int from : {start, start + len - half}) {
        const std::vector<double> part(s.pulse.begin() + from, s.pulse.begin() + from + half);
        const dsp::Spectrum spec = dsp::welch(part, s.fsHz, half, 0.5, nfftFor(half));
        if (spec.power.empty() || !(spec.binHz > 0))
            return kNaN;
        const int last = int(spec.power.size()) - 1;
        const int lo = std::clamp(int(std::ceil(bandLowHz / spec.binHz)), 0, last);
        const int hi = std::clamp(int(std::floor(bandHighHz / spec.binHz)), lo, last);
        const double peak = *std::max_element(spec.power.begin() + lo, spec.power.begin() + hi + 1);
        // The power at `hz`, linearly between the two bins around it.
        const double pos = std::clamp(hz / spec.binHz, 0.0, double(last));
        const int k = std::min(int(pos), last - 1);
        const double at = spec.power[size_t(k)] + (pos - k) * (spec.power[size_t(k + 1)] - spec.power[size_t(k)]);
        if (!(peak > 0))
            return kNaN;
        steadiness = std::min(steadiness, at / peak);
    }
    return steadiness;
}

WindowEstimate measureWindow(const SignalResult &s, int start, int len, const AnalysisConfig &config)
{
    const SpectrumEstimate estimate = estimateWindow(s, start, len, config);
    WindowEstimate r;
    r.hrBpm = estimate.hrBpm;
    r.snrDb = estimate.snrDb;
    r.octaveFromBpm = estimate.octaveFromBpm;
    if (!std::isfinite(estimate.hrBpm))
        return r;
    r.quality = estimate.snrDb >= config.snrThresholdDb ? Quality::Good : Quality::Low;
    if (config.motionLockAmplitude > 0) {
        r.motionAmplitude = motionAmplitudeAt(s, start, len, estimate.hrBpm / 60.0);
        r.motionLocked = r.motionAmplitude >= config.motionLockAmplitude;
        if (r.motionLocked)
            r.quality = Quality::Low;
    }
    if (config.steadyPowerRatio > 0 && !(estimate.snrDb >= config.steadySnrDb)) {
        const double high = std::min(config.bandHighHz, 0.45 * s.fsHz);
        r.steadiness = steadinessAt(s, start, len, estimate.hrBpm / 60.0, config.bandLowHz, high);
        // Flagged only where the other checks passed, so each Low window has one reason.
        r.unsteady = r.quality == Quality::Good && r.steadiness < config.steadyPowerRatio;
        if (r.unsteady)
            r.quality = Quality::Low;
    }
    if (config.frozenShareLimit > 0 && !s.frozen.empty()) {
        r.frozenShare = frozenShareAt(s, start, len);
        // Flagged only where the other checks passed, so each Low window has one reason.
        r.frozen = r.quality == Quality::Good && r.frozenShare >= config.frozenShareLimit;
        if (r.frozen)
            r.quality = Quality::Low;
    }
    if (r.quality == Quality::Good && config.witnessToleranceBpm > 0 && !s.witnessPulses.empty()) {
        for (const double rate : estimate.witnessRates)   // the nearest to the estimate
            if (std::isfinite(rate) && !(std::abs(r.witnessHrBpm - estimate.hrBpm) <= std::abs(rate - estimate.hrBpm)))
                r.witnessHrBpm = rate;
        r.unconfirmed = std::isfinite(r.witnessHrBpm)
                        && !(std::abs(r.witnessHrBpm - estimate.hrBpm) <= config.witnessToleranceBpm);
        if (r.unconfirmed)
            r.quality = Quality::Low;
    }
    return r;
}

double frozenShareAt(const SignalResult &s, int start, int len)
{
    double sum = 0;
    int n = 0;
    for (int k = std::max(0, start); k < start + len && k < int(s.frozen.size()) && k < int(s.valid.size()); ++k)
        if (s.valid[size_t(k)] && std::isfinite(s.frozen[size_t(k)])) {
            sum += s.frozen[size_t(k)];
            ++n;
        }
    return n > 0 ? sum / n : kNaN;
}

std::vector<double> witnessRatesAt(const SignalResult &s, int start, int len, const AnalysisConfig &config)
{
    std::vector<double> rates(s.witnessPulses.size(), kNaN);
    if (start < 0 || len < 8 || s.fsHz <= 0)
        return rates;
    const double high = std::min(config.bandHighHz, 0.45 * s.fsHz);
    for (size_t i = 0; i < s.witnessPulses.size(); ++i) {
        const std::vector<double> &w = s.witnessPulses[i];
        if (int(w.size()) < start + len)
            continue;
        const auto first = w.begin() + start, last = first + len;
        if (std::any_of(first, last, [](double v) { return !std::isfinite(v); }))
            continue;   // no skin colour somewhere in the window: no evidence
        rates[i] = estimateHeartRate(std::vector<double>(first, last), s.fsHz, config.bandLowHz, high).hrBpm;
    }
    return rates;
}

namespace {

// How alike the beats are (a template-matching signal quality index, as used for contact PPG):
// each beat's stretch of the broadband pulse x[first, first + count) (x sampled from t0Sec at fsHz), one median beat
// interval long and centred on its peak, is correlated with the mean of all of them. The mean
// correlation and the number of beats it was taken over; NaN and 0 with fewer than 3 whole beats
// (beats too near either end of `x` are left out).
// Unlike a spectral SNR it does not fall when the rate varies: each beat is aligned on its own.
std::pair<double, int> beatTemplateCorrelation(const std::vector<double> &x, int first, int count,
                                               const std::vector<double> &beatsSec, double t0Sec, double fsHz)
{
    if (beatsSec.size() < 4)
        return {kNaN, 0};
    std::vector<double> ibi;
    for (size_t i = 1; i < beatsSec.size(); ++i)
        ibi.push_back(beatsSec[i] - beatsSec[i - 1]);
    const int half = int(std::lround(0.5 * dsp::median(ibi) * fsHz));
    std::vector<std::vector<double>> beats;
    for (double b : beatsSec) {
        const int at = int(std::lround((b - t0Sec) * fsHz));
        if (half < 2 || at - half < first || at + half >= first + count)
            continue;
        beats.emplace_back(x.begin() + (at - half), x.begin() + (at + half + 1));
    }
    if (beats.size() < 3)
        return {kNaN, 0};
    std::vector<double> mean(beats.front().size(), 0.0);
    for (const auto &b : beats)
        for (size_t k = 0; k < b.size(); ++k)
            mean[k] += b[k] / double(beats.size());
    double sum = 0;
    for (const auto &b : beats)
        sum += dsp::pearson(b, mean);
    return {sum / double(beats.size()), int(beats.size())};
}

} // namespace

SignalResult analyzeSignal(const std::vector<FrameRecord> &frames, const PulseMethod *method,
                           const AnalysisConfig &config, double fsHz)
{
    SignalResult out;
    if (frames.empty())
        return out;
    const bool rgbInput = method && method->input() == MethodInput::RgbTrace;
    if (fsHz <= 0)
        fsHz = config.analysisRateHz > 0 ? config.analysisRateHz : estimateFrameRate(frames);
    if (fsHz <= 0)
        fsHz = 30.0;
    fsHz = std::clamp(fsHz, 5.0, 120.0);
    out.fsHz = fsHz;
    out.t0Sec = frames.front().timeSec;
    const int total = int(std::floor((frames.back().timeSec - out.t0Sec) * fsHz)) + 1;
    out.raw.assign(total, kNaN);
    out.pulse.assign(total, kNaN);
    out.valid.assign(total, 0);
    for (std::vector<double> &m : out.faceMotion)
        m.assign(total, kNaN);

    // A face-video method's witnesses: classical methods on the same records' skin colour; with
    // AnalysisConfig::witnessClassical a classical method's too, itself left out.
    std::vector<PulseExtractor> witnesses;
    if ((!rgbInput || config.witnessClassical) && config.witnessToleranceBpm > 0) {
        for (const QString &name : witnessesFor(config, method ? method->name() : QString()))
            if (const PulseExtractor fn = classicalExtractor(name))
                witnesses.push_back(fn);
        out.witnessPulses.assign(witnesses.size(), std::vector<double>(size_t(total), kNaN));
    }

    std::vector<double> frameFrozen;
    if (config.frozenShareLimit > 0) {
        frameFrozen = frozenFrames(frames);
        out.frozen.assign(size_t(total), kNaN);
    }

    // 1. Contiguous stretches of usable frames; a gap longer than maxGapSec splits them.
    std::vector<std::pair<size_t, size_t>> runs;   // [first, last] frame indices
    for (size_t i = 0; i < frames.size(); ++i) {
        if (!usable(frames[i], rgbInput))
            continue;
        if (!runs.empty()) {
            const FrameRecord &prev = frames[runs.back().second];
            const bool contiguous = frames[i].timeSec - prev.timeSec <= config.maxGapSec;
            if (contiguous) {
                runs.back().second = i;
                continue;
            }
        }
        runs.push_back({i, i});
    }

    // 2. Each stretch: resample to the uniform grid, extract, detrend, band-pass.
    const double high = std::min(config.bandHighHz, 0.45 * fsHz);
    const auto sos = dsp::butterworthBandpass(std::max(1, config.filterOrder), config.bandLowHz, high, fsHz);
    const double lambda = dsp::smoothnessLambdaForCutoff(0.5 * config.bandLowHz, fsHz);
    std::vector<Segment> segments;
    for (const auto &[a, b] : runs) {
        const double ta = frames[a].timeSec, tb = frames[b].timeSec;
        const int k0 = int(std::ceil((ta - out.t0Sec) * fsHz - 1e-9));
        const int k1 = std::min(total - 1, int(std::floor((tb - out.t0Sec) * fsHz + 1e-9)));
        const int count = k1 - k0 + 1;
        if (count < int(std::ceil(2.0 * fsHz)))   // under 2 s: no pulse can be told apart
            continue;
        std::vector<double> t, tw;   // tw: frames with a skin colour (witnesses of a face-video method)
        t.reserve(b - a + 1);
        std::vector<double> ch[3], mp, tf, fz;   // tf, fz: frames with a skin colour, frozen or not
        for (size_t i = a; i <= b; ++i) {
            if (!usable(frames[i], rgbInput))
                continue;
            t.push_back(frames[i].timeSec);
            if (!frameFrozen.empty() && frames[i].skinValid) {
                tf.push_back(frames[i].timeSec);
                fz.push_back(frameFrozen[i]);
            }
            if (rgbInput) {
                for (int c = 0; c < 3; ++c)
                    ch[c].push_back(frames[i].rgb[c]);
                if (!witnesses.empty())
                    tw.push_back(frames[i].timeSec);
            } else {
                mp.push_back(frames[i].methodPulse);
                if (!witnesses.empty() && frames[i].skinValid) {
                    tw.push_back(frames[i].timeSec);
                    for (int c = 0; c < 3; ++c)
                        ch[c].push_back(frames[i].rgb[c]);
                }
            }
        }
        const double gridStart = out.t0Sec + k0 / fsHz;
        if (config.motionLockAmplitude > 0)
            faceBoxOnGrid(frames, a, b, rgbInput, k0, count, out);
        const auto rgbOnGrid = [&](const std::vector<double> &times) {
            std::vector<cv::Vec3d> rgb(count);
            for (int c = 0; c < 3; ++c) {
                const auto u = dsp::resampleLinear(times, ch[c], gridStart, fsHz, count);
                for (int k = 0; k < count; ++k)
                    rgb[k][c] = u[k];
            }
            return rgb;
        };
        const auto process = [&](const std::vector<double> &x) {
            return dsp::sosFiltFilt(sos, dsp::detrendSmoothnessPriors(x, lambda));
        };
        std::vector<double> raw;
        if (rgbInput)
            raw = method->extract(rgbOnGrid(t), fsHz);
        else
            raw = dsp::resampleLinear(t, mp, gridStart, fsHz, count);
        if (int(raw.size()) != count)
            continue;
        if (tw.size() >= 2) {
            const std::vector<cv::Vec3d> rgb = rgbOnGrid(tw);
            for (size_t w = 0; w < witnesses.size(); ++w) {
                const std::vector<double> x = witnesses[w](rgb, fsHz);
                if (int(x.size()) != count)
                    continue;
                const auto filtered = process(x);
                std::copy(filtered.begin(), filtered.end(), out.witnessPulses[w].begin() + k0);
            }
        }
        if (tf.size() >= 2) {
            const auto u = dsp::resampleLinear(tf, fz, gridStart, fsHz, count);
            std::copy(u.begin(), u.end(), out.frozen.begin() + k0);
        }
        const auto filtered = process(raw);
        for (int k = 0; k < count; ++k) {
            out.raw[k0 + k] = raw[k];
            out.pulse[k0 + k] = filtered[k];
            out.valid[k0 + k] = 1;
        }
        segments.push_back({k0, count});
    }

    // 3. Sliding windows, causal: the estimate at time t uses [t − window, t].
    const int winSamples = std::max(8, int(std::lround(config.windowSec * fsHz)));
    const int hopSamples = std::max(1, int(std::lround(config.hopSec * fsHz)));
    for (int end = winSamples; end <= total; end += hopSamples) {
        WindowEstimate w;
        const auto [runStart, runLen] = longestValidRun(out.valid, end - winSamples, end);
        const double coverage = double(runLen) / winSamples;
        if (coverage >= config.minWindowCoverage)
            w = measureWindow(out, runStart, runLen, config);
        w.startSec = out.timeAt(end - winSamples);
        w.endSec = out.timeAt(end - 1);
        w.coverage = coverage;
        out.windows.push_back(w);
    }
    out.windowsMedianHrBpm = goodWindowsMedian(out.windows);
    out.frozenShare = frozenShareAt(out, 0, int(out.frozen.size()));

    // 4. Whole recording: Welch over every segment (window-long pieces, 50 % overlap), the
    //    spectra averaged with weights proportional to their length.
    //    A face-video method's peak gets the octave check against its witnesses' own
    //    whole-recording rates, as each window does.
    {
        const int nfft = nfftFor(winSamples);
        // The averaged spectrum of `series` and the samples it covers (segments with a NaN left out).
        const auto averaged = [&](const std::vector<double> &series, double *weightSum) {
            dsp::Spectrum sum;
            *weightSum = 0;
            for (const Segment &s : segments) {
                const std::vector<double> part(series.begin() + s.first, series.begin() + s.first + s.count);
                if (std::any_of(part.begin(), part.end(), [](double v) { return !std::isfinite(v); }))
                    continue;
                const auto spec = dsp::welch(part, fsHz, std::min(winSamples, s.count), 0.5, nfft);
                if (spec.power.empty())
                    continue;
                if (sum.power.empty()) {
                    sum.binHz = spec.binHz;
                    sum.power.assign(spec.power.size(), 0.0);
                }
                for (size_t k = 0; k < spec.power.size(); ++k)
                    sum.power[k] += spec.power[k] * s.count;
                *weightSum += s.count;
            }
            for (double &p : sum.power)
                p /= std::max(1.0, *weightSum);
            return sum;
        };
        double weightSum = 0;
        const dsp::Spectrum sum = averaged(out.pulse, &weightSum);
        // A recording shorter than ~4 s of usable signal has no meaningful spectrum.
        if (weightSum >= 4.0 * fsHz) {
            const double segSec = std::min(double(winSamples), weightSum) / fsHz;
            SpectrumEstimate e = estimateFromSpectrum(sum, segSec, config.bandLowHz, high);
            if (!out.witnessPulses.empty()) {
                std::vector<double> rates;
                for (const std::vector<double> &w : out.witnessPulses) {
                    double covered = 0;
                    const dsp::Spectrum ws = averaged(w, &covered);
                    rates.push_back(covered >= 4.0 * fsHz ? estimateFromSpectrum(ws, segSec, config.bandLowHz, high).hrBpm : kNaN);
                }
                e = octaveChecked(sum, e, rates, segSec, config.bandLowHz, high, config);
            }
            out.hrBpm = e.hrBpm;
            out.snrDb = e.snrDb;
            out.octaveFromBpm = e.octaveFromBpm;
        }
    }

    // 5. Beats. The pulse is filtered again in a band around the heart rate (0.6–2.2 × f0): the
    //    fundamental and most of the second harmonic, without the broadband noise that would
    //    move each peak. Peaks at least 60 % of the mean period apart, above the ripple.
    if (out.hasHr()) {
        const double f0 = out.hrBpm / 60.0;
        const double lo = std::max(config.bandLowHz * 0.8, 0.6 * f0);
        const double hi = std::min(0.45 * fsHz, 2.2 * f0);
        const auto beatSos = dsp::butterworthBandpass(2, lo, hi, fsHz);
        const double minDistance = 0.6 * fsHz / f0;
        std::vector<std::vector<double>> runs;
        double shapeSum = 0;
        int shapeBeats = 0;
        for (const Segment &s : segments) {
            std::vector<double> part(out.pulse.begin() + s.first, out.pulse.begin() + s.first + s.count);
            if (!beatSos.empty())
                part = dsp::sosFiltFilt(beatSos, part);
            const double sd = dsp::stddev(part);
            std::vector<double> run;
            int previous = -1;
            for (double p : dsp::findPeaks(part, minDistance, 0.3 * sd)) {
                run.push_back(out.t0Sec + (s.first + p) / fsHz);
                // The beat's amplitude: its peak above the lowest point since the beat before
                // (the first beat: since one mean period before it).
                const int at = std::clamp(int(std::lround(p)), 0, int(part.size()) - 1);
                const int from = previous >= 0 ? previous : std::max(0, at - int(std::lround(fsHz / f0)));
                const double trough = *std::min_element(part.begin() + from, part.begin() + at + 1);
                out.beatAmplitudes.push_back(part[size_t(at)] - trough);
                out.beatRuns.push_back(int(runs.size()));
                previous = at;
            }
            const auto [shape, shaped] = beatTemplateCorrelation(out.pulse, s.first, s.count, run, out.t0Sec, fsHz);
            shapeSum += shape * shaped;
            shapeBeats += shaped;
            out.beatTimesSec.insert(out.beatTimesSec.end(), run.begin(), run.end());
            runs.push_back(std::move(run));
        }
        out.beatShapeCorrelation = shapeBeats > 0 ? shapeSum / shapeBeats : kNaN;
        // Intervals are taken within each stretch, never across a gap without a face.
        out.hrv = dsp::hrvFromBeatRuns(runs);
        addRespiration(out, config);
        rateBeatMeasures(out, config, rgbInput);
    }
    return out;
}

double goodWindowsMedian(const std::vector<WindowEstimate> &windows, const std::vector<double> *values)
{
    std::vector<double> good;
    for (size_t k = 0; k < windows.size(); ++k) {
        const double v = values ? (k < values->size() ? (*values)[k] : kNaN) : windows[k].hrBpm;
        if (windows[k].quality == Quality::Good && std::isfinite(v))
            good.push_back(v);
    }
    return good.empty() ? kNaN : dsp::median(good);
}

QString motionWarning(const SignalResult &signal)
{
    int estimates = 0, locked = 0;
    double largest = 0;
    for (const WindowEstimate &w : signal.windows) {
        if (w.quality == Quality::NoSignal)
            continue;
        ++estimates;
        if (w.motionLocked) {
            ++locked;
            largest = std::max(largest, w.motionAmplitude);
        }
    }
    if (locked == 0 || 2 * locked < estimates)
        return {};
    return QStringLiteral("%1 of %2 windows found their rate where the head moves (by up to %3 % of the face's width): "
                          "the heart rate is most likely the motion; keep the head still")
        .arg(locked)
        .arg(estimates)
        .arg(100.0 * largest, 0, 'f', 1);
}

QString frozenWarning(const SignalResult &signal)
{
    if (!(signal.frozenShare >= kFrozenWarnShare))
        return {};
    return QStringLiteral("the skin's colour stays exactly the same for 0.2 s or longer in %1 % of the signal: a still "
                          "picture or a frozen stream, which carries no pulse")
        .arg(100.0 * signal.frozenShare, 0, 'f', 0);
}

QStringList signalWarnings(const SignalResult &signal)
{
    if (!signal.hasHr())
        return {QStringLiteral("less usable signal than a heart rate needs")};
    QStringList out;
    for (const QString &w : {fewOkWarning(signal), summaryDisagreement(signal), motionWarning(signal), frozenWarning(signal)})
        if (!w.isEmpty())
            out << w;
    return out;
}

WindowCounts windowCounts(const SignalResult &signal)
{
    WindowCounts n;
    for (const WindowEstimate &w : signal.windows) {
        n.estimates += w.quality != Quality::NoSignal;
        n.good += w.quality == Quality::Good;
    }
    return n;
}

bool fewWindowsOk(const SignalResult &signal)
{
    return windowCounts(signal).fewOk();
}

QString fewOkWarning(const SignalResult &signal)
{
    if (!fewWindowsOk(signal))
        return {};
    const auto [estimates, good] = windowCounts(signal);
    return QStringLiteral("only %1 of %2 windows are ok: the heart rate is not to be trusted (no pulse, or too much "
                          "noise, compression or motion)")
        .arg(good)
        .arg(estimates);
}

void rateBeatMeasures(SignalResult &signal, const AnalysisConfig &config, bool likenessIsEvidence)
{
    const bool untrusted = fewWindowsOk(signal);
    if (!signal.hrv.valid)
        signal.hrvQuality = Quality::NoSignal;
    else
        signal.hrvQuality = likenessIsEvidence && !untrusted && signal.beatShapeCorrelation >= config.hrvMinBeatCorrelation
                                    && signal.hrv.implausible <= config.hrvMaxImplausibleShare * signal.hrv.intervals
                                ? Quality::Good
                                : Quality::Low;
    if (untrusted && signal.respiration.quality == Quality::Good)
        signal.respiration.quality = Quality::Low;
}

QString summaryDisagreement(const SignalResult &signal)
{
    const double peak = signal.hrBpm, median = signal.windowsMedianHrBpm;
    if (!std::isfinite(peak) || !std::isfinite(median))
        return {};
    const double gap = std::abs(peak - median);
    if (gap <= 3.0 || gap <= 0.03 * median)
        return {};
    // A median of a few ok windows among many low ones is no figure to send the user to.
    if (fewWindowsOk(signal))
        return {};
    double lo = median, hi = median;
    for (const WindowEstimate &w : signal.windows)
        if (w.quality == Quality::Good) {
            lo = std::min(lo, w.hrBpm);
            hi = std::max(hi, w.hrBpm);
        }
    return QStringLiteral("the whole recording's spectral peak (%1 bpm) and the median of the ok windows "
                          "(%2 bpm) differ by %3 bpm: the rate moved (ok windows %4-%5 bpm); trust the windows")
        .arg(peak, 0, 'f', 1)
        .arg(median, 0, 'f', 1)
        .arg(gap, 0, 'f', 1)
        .arg(lo, 0, 'f', 1)
        .arg(hi, 0, 'f', 1);
}

} // namespace rppg
