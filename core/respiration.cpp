#include "respiration.h"

#include <algorithm>
#include <complex>
#include <cmath>

namespace rppg {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kStepHz = 0.0025;     // periodogram grid (0.15 per minute) before interpolation
constexpr double kGridMarginHz = 0.05; // the grid goes this far above the band
constexpr double kMinRunSec = 8.0;     // a stretch shorter than this holds under two breaths at 15/min
constexpr double kMinSpanSec = 15.0;   // usable beat series needed for an estimate
constexpr int kMinBeats = 12;
constexpr double kAgreementPerMin = 3.0;   // the two series agree within this: Good
constexpr double kPeakHalfWidthHz = 0.025;  // ±1.5 per minute: a peak of a 30 s window
constexpr double kMinPeakShare = 0.3;       // and each series' peak holds this share of its band
constexpr double kTrustedWindowShare = 1.0 / 3;   // whole recording: trusted windows needed...
constexpr double kWindowAgreementPerMin = 2.0;    // ...whose median rate is this close to it
constexpr double kMaxRejectedShare = 0.05;  // and at most this share of the intervals is implausible

// Lomb-Scargle periodogram of unevenly spaced samples (the series is known only at the beats)
// on the grid k * kStepHz: no interpolation onto a uniform grid, whose smoothing would weaken fast
// breathing against slow waves at low heart rates. `x` is detrended and normalised here.
std::vector<double> lombScargle(const std::vector<double> &t, std::vector<double> x, double topHz)
{
    const size_t n = t.size();
    // A straight-line fit removes drift slower than the segment (a change of heart rate, of light).
    const double tm = dsp::mean(t), xm = dsp::mean(x);
    double sxy = 0, sxx = 0;
    for (size_t i = 0; i < n; ++i) {
        sxy += (t[i] - tm) * (x[i] - xm);
        sxx += (t[i] - tm) * (t[i] - tm);
    }
    const double slope = sxx > 0 ? sxy / sxx : 0.0;
    for (size_t i = 0; i < n; ++i)
        x[i] -= xm + slope * (t[i] - tm);
    dsp::normalize(x);

    const int bins = int(std::lround(topHz / kStepHz)) + 1;
    // Per frequency w the periodogram needs Σ x cos wt, Σ x sin wt, Σ cos 2wt and Σ sin 2wt; on
    // the grid w = k Δw they follow for each sample by rotating through k (no trigonometry per
    // bin). Then, with φ = 2wτ the phase that decouples sine and cosine:
    // Σ x cos(wt − wτ), Σ x sin(wt − wτ) by rotation, Σ cos²(wt − wτ) = n/2 + |Σ e^{2iwt}|/2.
    const size_t m = static_cast<size_t>(bins);
    std::vector<std::complex<double>> sx(m), s2(m);
    const double dw = 2.0 * kPi * kStepHz;
    for (size_t i = 0; i < n; ++i) {
        const std::complex<double> step = std::polar(1.0, dw * t[i]);
        const std::complex<double> step2 = step * step;
        std::complex<double> z = 1.0, z2 = 1.0;
        for (int k = 1; k < bins; ++k) {
            z *= step;
            z2 *= step2;
            sx[size_t(k)] += x[i] * z;
            s2[size_t(k)] += z2;
        }
    }
    std::vector<double> p(size_t(bins), 0.0);
    for (int k = 1; k < bins; ++k) {
        const double phi = std::arg(s2[size_t(k)]);
        const std::complex<double> y = sx[size_t(k)] * std::polar(1.0, -0.5 * phi);
        const double r = std::abs(s2[size_t(k)]);
        const double cc = 0.5 * (double(n) + r), ss = 0.5 * (double(n) - r);
        p[size_t(k)] = 0.5 * ((cc > 1e-12 ? y.real() * y.real() / cc : 0.0)
                              + (ss > 1e-12 ? y.imag() * y.imag() / ss : 0.0));
    }
    p[0] = p[1];
    return p;
}

// Periodograms of one kind of series over several stretches, averaged over half-overlapping
// segments of the window's length (a long recording's breathing changes; one long periodogram
// would spread it over many narrow peaks), weighted by the beats in each.
struct SpectrumSum
{
    double topHz = 0;   // grid end: a little above the band, for the peak search at its edge
    dsp::Spectrum sum;   // empty until a segment was added

    void add(const std::vector<double> &t, const std::vector<double> &v, double windowSec)
    {
        if (t.size() < 4 || t.back() - t.front() < kMinRunSec)
            return;
        const double span = t.back() - t.front();
        const int segments = span <= windowSec ? 1 : int(std::ceil((span - windowSec) / (0.5 * windowSec))) + 1;
        const double step = segments > 1 ? (span - windowSec) / (segments - 1) : 0.0;
        for (int g = 0; g < segments; ++g) {
            const double a = t.front() + g * step, b = segments > 1 ? a + windowSec : t.back();
            std::vector<double> ts, vs;
            for (size_t i = 0; i < t.size(); ++i)
                if (t[i] >= a - 1e-9 && t[i] <= b + 1e-9) {
                    ts.push_back(t[i]);
                    vs.push_back(v[i]);
                }
            if (ts.size() < 4)
                continue;
            const std::vector<double> p = lombScargle(ts, vs, topHz);
            if (sum.power.empty()) {
                sum.binHz = kStepHz;
                sum.power.assign(p.size(), 0.0);
            }
            for (size_t k = 0; k < p.size(); ++k)
                sum.power[k] += p[k] * double(ts.size());
        }
    }

    // The spectrum scaled so that its power inside the band sums to 1 (empty without power
    // there); the bins outside are kept, so a peak at a band edge meets its true neighbours.
    std::vector<double> bandShare(double lowHz, double highHz) const
    {
        std::vector<double> p(sum.power.size(), 0.0);
        double total = 0;
        for (size_t k = 0; k < p.size(); ++k) {
            const double f = sum.frequency(int(k));
            if (f >= lowHz && f <= highHz)
                total += sum.power[k];
        }
        if (!(total > 0))
            return {};
        for (size_t k = 0; k < p.size(); ++k)
            p[k] = sum.power[k] / total;
        return p;
    }
};

// The share of a spectrum's power in [lowHz, highHz] that lies within kPeakHalfWidthHz of a rate.
double peakShare(const std::vector<double> &p, double perMin, double lowHz, double highHz)
{
    double in = 0, all = 0;
    for (size_t k = 0; k < p.size(); ++k) {
        const double f = double(k) * kStepHz;
        if (f < lowHz || f > highHz)
            continue;
        all += p[k];
        if (std::abs(f - perMin / 60.0) <= kPeakHalfWidthHz)
            in += p[k];
    }
    return all > 0 ? in / all : 0.0;
}

double peakPerMin(const dsp::Spectrum &s, double lowHz, double highHz)
{
    const dsp::Peak p = dsp::spectralPeak(s, lowHz, highHz);
    return p.valid ? p.frequencyHz * 60.0 : kNaN;
}

} // namespace

RespirationEstimate estimateRespiration(const std::vector<double> &beatTimesSec,
                                        const std::vector<double> &beatAmplitudes,
                                        const std::vector<int> &beatRuns, double fromSec,
                                        double toSec, double windowSec, double bandLowHz,
                                        double bandHighHz)
{
    RespirationEstimate e;
    e.startSec = fromSec;
    e.endSec = toSec;
    const size_t n = beatTimesSec.size();
    if (beatAmplitudes.size() != n || beatRuns.size() != n || !(bandHighHz > bandLowHz))
        return e;

    SpectrumSum intervals, amplitudes;
    intervals.topHz = amplitudes.topHz = bandHighHz + kGridMarginHz;
    double spanSec = 0;
    double meanIbiSec = 0;
    int ibiCount = 0, rejected = 0;   // plausible and implausible intervals
    size_t i = 0;
    while (i < n) {
        // One stretch: beats [i, j) of the same run inside [fromSec, toSec].
        size_t j = i;
        while (j < n && beatRuns[j] == beatRuns[i])
            ++j;
        std::vector<double> t, a;
        for (size_t k = i; k < j; ++k)
            if (beatTimesSec[k] >= fromSec && beatTimesSec[k] <= toSec) {
                t.push_back(beatTimesSec[k]);
                a.push_back(beatAmplitudes[k]);
            }
        i = j;
        if (t.size() < 4)
            continue;
        spanSec += t.back() - t.front();
        e.beats += int(t.size());

        // Intervals, at the middle of their two beats; missed and spurious beats left out.
        std::vector<double> ibi;
        for (size_t k = 1; k < t.size(); ++k)
            ibi.push_back(t[k] - t[k - 1]);
        const std::vector<char> ok = dsp::plausibleIntervals(ibi);
        std::vector<double> ti, vi;
        for (size_t k = 0; k < ibi.size(); ++k)
            if (ok[k]) {
                ti.push_back(0.5 * (t[k] + t[k + 1]));
                vi.push_back(ibi[k]);
                meanIbiSec += ibi[k];
                ++ibiCount;
            } else {
                ++rejected;
            }
        intervals.add(ti, vi, windowSec);

        // Amplitudes, without the ones far from the stretch's median (a beat on a motion spike).
        const double med = dsp::median(a);
        std::vector<double> ta, va;
        for (size_t k = 0; k < a.size(); ++k)
            if (med > 0 && a[k] > med / 3.0 && a[k] < med * 3.0) {
                ta.push_back(t[k]);
                va.push_back(a[k]);
            }
        amplitudes.add(ta, va, windowSec);
    }
    if (spanSec < kMinSpanSec || e.beats < kMinBeats || ibiCount == 0)
        return e;

    // The beats sample the breathing: a rate above half the heart rate cannot be told apart.
    const double high = std::min(bandHighHz, 0.45 / (meanIbiSec / ibiCount));
    if (!(high > bandLowHz))
        return e;
    // An empty or flat series gives no peak (NaN) and no band share (empty).
    e.intervalRatePerMin = peakPerMin(intervals.sum, bandLowHz, high);
    e.amplitudeRatePerMin = peakPerMin(amplitudes.sum, bandLowHz, high);
    const std::vector<double> pi = intervals.bandShare(bandLowHz, high);
    const std::vector<double> pa = amplitudes.bandShare(bandLowHz, high);
    if (!pi.empty() && !pa.empty()) {   // the same grid: both run to topHz
        dsp::Spectrum fused;
        fused.binHz = intervals.sum.binHz;
        fused.power.resize(pi.size());
        for (size_t k = 0; k < pi.size(); ++k)
            fused.power[k] = pi[k] * pa[k];
        e.ratePerMin = peakPerMin(fused, bandLowHz, high);
    }
    // Fall back to the one series there is (a flat amplitude, say): an estimate, not a trusted one.
    if (!e.hasRate())
        e.ratePerMin = std::isfinite(e.intervalRatePerMin) ? e.intervalRatePerMin : e.amplitudeRatePerMin;
    if (!e.hasRate())
        return e;
    // Two noise spectra agree now and then; breathing also stands out in each of them.
    const bool agree = std::isfinite(e.intervalRatePerMin) && std::isfinite(e.amplitudeRatePerMin)
                       && std::abs(e.intervalRatePerMin - e.amplitudeRatePerMin) <= kAgreementPerMin
                       && peakShare(pi, e.intervalRatePerMin, bandLowHz, high) >= kMinPeakShare
                       && peakShare(pa, e.amplitudeRatePerMin, bandLowHz, high) >= kMinPeakShare;
    // Beats that the pulse did not give cleanly (missed, spurious) make both series noise that
    // can agree by chance.
    const bool cleanBeats = rejected <= kMaxRejectedShare * (ibiCount + rejected);
    e.quality = agree && cleanBeats ? Quality::Good : Quality::Low;
    return e;
}

void addRespiration(SignalResult &s, const AnalysisConfig &config)
{
    s.respiration = {};
    s.respirationWindows.clear();
    if (s.beatTimesSec.empty() || s.fsHz <= 0)
        return;
    const double lo = config.respirationLowHz, hi = config.respirationHighHz;
    const double win = std::max(10.0, config.respirationWindowSec);
    const double t0 = s.t0Sec;
    const double t1 = s.timeAt(s.pulse.empty() ? 0 : s.pulse.size() - 1);
    s.respiration = estimateRespiration(s.beatTimesSec, s.beatAmplitudes, s.beatRuns, t0, t1, win, lo, hi);
    const double hop = std::max(0.1, config.hopSec);
    for (double end = t0 + win; end <= t1 + 1e-9; end += hop)
        s.respirationWindows.push_back(
            estimateRespiration(s.beatTimesSec, s.beatAmplitudes, s.beatRuns, end - win, end, win, lo, hi));

    // Over a long recording the windows are the better witnesses: when a good share of them is
    // trusted and those put the rate where the whole recording does, the whole estimate is
    // trusted too (its own test averages the evidence of every window into one periodogram).
    if (s.respiration.quality == Quality::Low) {
        std::vector<double> trusted;
        int withRate = 0;
        for (const RespirationEstimate &w : s.respirationWindows) {
            withRate += w.hasRate();
            if (w.quality == Quality::Good)
                trusted.push_back(w.ratePerMin);
        }
        if (trusted.size() >= 3 && double(trusted.size()) >= kTrustedWindowShare * withRate
            && std::abs(dsp::median(trusted) - s.respiration.ratePerMin) <= kWindowAgreementPerMin)
            s.respiration.quality = Quality::Good;
    }
}

} // namespace rppg
