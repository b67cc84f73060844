#include "dsp.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <array>
#include <limits>
#include <cmath>
#include <complex>
#include <map>
#include <numeric>
#include <random>

namespace rppg::dsp {

namespace {

constexpr double kPi = 3.14159265358979323846;
using cplx = std::complex<double>;

int nextPow2(int n)
{
    int p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

// One second-order section with two digital poles (a conjugate pair or two real poles) and the
// given numerator.
Biquad sectionFromPoles(cplx za, cplx zb, double b0, double b1, double b2)
{
    Biquad s;
    s.b0 = b0;
    s.b1 = b1;
    s.b2 = b2;
    s.a1 = -(za + zb).real();
    s.a2 = (za * zb).real();
    return s;
}

cplx bilinear(cplx s, double fsHz)
{
    const double k = 2.0 * fsHz;
    return (k + s) / (k - s);
}

cplx sectionResponse(const Biquad &s, double omega)
{
    const cplx z1 = std::polar(1.0, -omega);
    const cplx z2 = z1 * z1;
    return (s.b0 + s.b1 * z1 + s.b2 * z2) / (1.0 + s.a1 * z1 + s.a2 * z2);
}

void scaleSectionGain(Biquad &s, double omega)
{
    const double g = std::abs(sectionResponse(s, omega));
    if (g > 0 && std::isfinite(g)) {
        s.b0 /= g;
        s.b1 /= g;
        s.b2 /= g;
    }
}

// Steady-state initial conditions of each section for a unit step (scipy's sosfilt_zi).
std::vector<std::array<double, 2>> sosStepState(const std::vector<Biquad> &sos)
{
    std::vector<std::array<double, 2>> zi(sos.size());
    double scale = 1.0;
    for (size_t i = 0; i < sos.size(); ++i) {
        const Biquad &s = sos[i];
        const double den = 1.0 + s.a1 + s.a2;
        const double y = std::abs(den) > 1e-300 ? (s.b0 + s.b1 + s.b2) / den : 0.0;
        // Transposed direct form II: y = b0 x + z1; z1' = b1 x - a1 y + z2; z2' = b2 x - a2 y.
        zi[i][0] = scale * (y - s.b0);
        zi[i][1] = scale * (s.b2 - s.a2 * y);
        scale *= y;
    }
    return zi;
}

void filterInPlace(const std::vector<Biquad> &sos, std::vector<double> &x,
                   const std::vector<std::array<double, 2>> *zi, double ziScale)
{
    for (size_t i = 0; i < sos.size(); ++i) {
        const Biquad &s = sos[i];
        double z1 = zi ? (*zi)[i][0] * ziScale : 0.0;
        double z2 = zi ? (*zi)[i][1] * ziScale : 0.0;
        for (double &v : x) {
            const double in = v;
            const double y = s.b0 * in + z1;
            z1 = s.b1 * in - s.a1 * y + z2;
            z2 = s.b2 * in - s.a2 * y;
            v = y;
        }
    }
}

} // namespace

// ---- resampling --------------------------------------------------------------------------------

std::vector<double> resampleLinear(const std::vector<double> &t, const std::vector<double> &v,
                                   double t0, double fsHz, int n)
{
    std::vector<double> out(std::max(n, 0));
    if (t.empty() || v.size() != t.size() || fsHz <= 0)
        return out;
    size_t j = 0;
    for (int k = 0; k < n; ++k) {
        const double tk = t0 + k / fsHz;
        if (tk <= t.front()) {
            out[k] = v.front();
            continue;
        }
        if (tk >= t.back()) {
            out[k] = v.back();
            continue;
        }
        while (j + 1 < t.size() && t[j + 1] < tk)
            ++j;
        const double dt = t[j + 1] - t[j];
        const double a = dt > 0 ? (tk - t[j]) / dt : 0.0;
        out[k] = v[j] + a * (v[j + 1] - v[j]);
    }
    return out;
}

// ---- detrending --------------------------------------------------------------------------------

std::vector<double> detrendSmoothnessPriors(const std::vector<double> &x, double lambda)
{
    const size_t n = x.size();
    if (n < 3)
        return std::vector<double>(n, 0.0);
    const double l2 = lambda * lambda;
    // Bands of A = I + λ² D₂ᵀD₂ (symmetric, pentadiagonal): diagonal, first and second off-diagonal.
    std::vector<double> d(n, 1.0), e(n, 0.0), f(n, 0.0);
    const double c[3] = {1.0, -2.0, 1.0};
    for (size_t i = 0; i + 2 < n; ++i) {
        for (int a = 0; a < 3; ++a) {
            d[i + a] += l2 * c[a] * c[a];
            for (int b = a + 1; b < 3; ++b) {
                if (b - a == 1)
                    e[i + a] += l2 * c[a] * c[b];
                else
                    f[i + a] += l2 * c[a] * c[b];
            }
        }
    }
    // Banded LDLᵀ: L has unit diagonal and two sub-diagonals l1 (k+1,k) and l2 (k+2,k).
    std::vector<double> D(n), L1(n, 0.0), L2(n, 0.0);
    for (size_t k = 0; k < n; ++k) {
        double dk = d[k];
        if (k >= 1)
            dk -= L1[k - 1] * L1[k - 1] * D[k - 1];
        if (k >= 2)
            dk -= L2[k - 2] * L2[k - 2] * D[k - 2];
        D[k] = dk;
        if (k + 1 < n) {
            double v = e[k];
            if (k >= 1)
                v -= L2[k - 1] * L1[k - 1] * D[k - 1];
            L1[k] = v / dk;
        }
        if (k + 2 < n)
            L2[k] = f[k] / dk;
    }
    std::vector<double> y(n);
    for (size_t k = 0; k < n; ++k) {
        double v = x[k];
        if (k >= 1)
            v -= L1[k - 1] * y[k - 1];
        if (k >= 2)
            v -= L2[k - 2] * y[k - 2];
        y[k] = v;
    }
    for (size_t k = 0; k < n; ++k)
        y[k] /= D[k];
    std::vector<double> trend(n);
    for (size_t kk = n; kk-- > 0;) {
        double v = y[kk];
        if (kk + 1 < n)
            v -= L1[kk] * trend[kk + 1];
        if (kk + 2 < n)
            v -= L2[kk] * trend[kk + 2];
        trend[kk] = v;
    }
    std::vector<double> out(n);
    for (size_t k = 0; k < n; ++k)
        out[k] = x[k] - trend[k];
    return out;
}

double smoothnessLambdaForCutoff(double cutoffHz, double fsHz)
{
    // The detrender is a high-pass with |H| = a / (1 + a), a = λ²(2 − 2cos ω)²; a = 1 at
    // ω ≈ 1/√λ, so λ = (fs / (2π fc))² puts the half-gain point at fc.
    if (cutoffHz <= 0 || fsHz <= 0)
        return 100.0;
    const double r = fsHz / (2.0 * kPi * cutoffHz);
    return r * r;
}

// ---- filtering ---------------------------------------------------------------------------------

std::vector<Biquad> butterworthBandpass(int order, double lowHz, double highHz, double fsHz)
{
    std::vector<Biquad> sos;
    const double nyq = fsHz / 2.0;
    if (order < 1 || fsHz <= 0 || lowHz <= 0 || highHz <= lowHz)
        return sos;
    highHz = std::min(highHz, 0.99 * nyq);
    if (highHz <= lowHz)
        return sos;
    // Pre-warped analog band edges.
    const double w1 = 2.0 * fsHz * std::tan(kPi * lowHz / fsHz);
    const double w2 = 2.0 * fsHz * std::tan(kPi * highHz / fsHz);
    const double bw = w2 - w1;
    const double w0sq = w1 * w2;
    const double omegaCentre = 2.0 * std::atan(std::sqrt(w0sq) / (2.0 * fsHz));
    // Prototype poles in the upper half plane (plus the real one for odd orders); each maps to a
    // pair of band-pass poles, whose conjugates come from the mirrored prototype pole.
    for (int k = 0; k < (order + 1) / 2; ++k) {
        const double theta = kPi * (2.0 * k + 1.0 + order) / (2.0 * order);
        const cplx p = std::polar(1.0, theta);
        const cplx pb = p * bw;
        const cplx root = std::sqrt(pb * pb - 4.0 * w0sq);
        const cplx s1 = (pb + root) / 2.0;
        const cplx s2 = (pb - root) / 2.0;
        const bool realPrototype = std::abs(p.imag()) < 1e-12;
        if (realPrototype) {
            // One section holding both poles (a conjugate pair or two real poles).
            Biquad s = sectionFromPoles(bilinear(s1, fsHz), bilinear(s2, fsHz), 1.0, 0.0, -1.0);
            scaleSectionGain(s, omegaCentre);
            sos.push_back(s);
        } else {
            for (const cplx &sp : {s1, s2}) {
                const cplx z = bilinear(sp, fsHz);
                Biquad s = sectionFromPoles(z, std::conj(z), 1.0, 0.0, -1.0);
                scaleSectionGain(s, omegaCentre);
                sos.push_back(s);
            }
        }
    }
    return sos;
}

std::vector<Biquad> butterworthLowpass(int order, double cutoffHz, double fsHz)
{
    std::vector<Biquad> sos;
    if (order < 1 || fsHz <= 0 || cutoffHz <= 0)
        return sos;
    cutoffHz = std::min(cutoffHz, 0.99 * fsHz / 2.0);
    const double wc = 2.0 * fsHz * std::tan(kPi * cutoffHz / fsHz);
    for (int k = 0; k < (order + 1) / 2; ++k) {
        const double theta = kPi * (2.0 * k + 1.0 + order) / (2.0 * order);
        const cplx p = std::polar(1.0, theta) * wc;
        Biquad s;
        if (std::abs(p.imag()) < 1e-9) {
            const double z = bilinear(p, fsHz).real();
            s.b0 = 1.0;
            s.b1 = 1.0;
            s.b2 = 0.0;
            s.a1 = -z;
            s.a2 = 0.0;
        } else {
            const cplx z = bilinear(p, fsHz);
            s = sectionFromPoles(z, std::conj(z), 1.0, 2.0, 1.0);
        }
        scaleSectionGain(s, 0.0);
        sos.push_back(s);
    }
    return sos;
}

std::vector<double> sosFilter(const std::vector<Biquad> &sos, const std::vector<double> &x)
{
    std::vector<double> y = x;
    filterInPlace(sos, y, nullptr, 0.0);
    return y;
}

std::vector<double> sosFiltFilt(const std::vector<Biquad> &sos, const std::vector<double> &x)
{
    const int n = int(x.size());
    if (n == 0 || sos.empty())
        return x;
    int pad = 3 * (2 * int(sos.size()) + 1);
    pad = std::min(pad, n - 1);
    std::vector<double> ext;
    ext.reserve(n + 2 * pad);
    for (int i = pad; i >= 1; --i)
        ext.push_back(2.0 * x[0] - x[i]);
    ext.insert(ext.end(), x.begin(), x.end());
    for (int i = 1; i <= pad; ++i)
        ext.push_back(2.0 * x[n - 1] - x[n - 1 - i]);

    const auto zi = sosStepState(sos);
    filterInPlace(sos, ext, &zi, ext.front());
    std::reverse(ext.begin(), ext.end());
    filterInPlace(sos, ext, &zi, ext.front());
    std::reverse(ext.begin(), ext.end());
    return std::vector<double>(ext.begin() + pad, ext.begin() + pad + n);
}

double sosMagnitude(const std::vector<Biquad> &sos, double fHz, double fsHz)
{
    const double omega = 2.0 * kPi * fHz / fsHz;
    double g = 1.0;
    for (const Biquad &s : sos)
        g *= std::abs(sectionResponse(s, omega));
    return g;
}

// ---- spectra -----------------------------------------------------------------------------------

Spectrum welch(const std::vector<double> &x, double fsHz, int segmentLen, double overlap, int nfft)
{
    Spectrum out;
    const int n = int(x.size());
    if (n < 4 || fsHz <= 0)
        return out;
    const int len = std::clamp(segmentLen, 4, n);
    nfft = nextPow2(std::max(nfft, len));
    const int step = std::max(1, int(std::lround(len * (1.0 - std::clamp(overlap, 0.0, 0.95)))));

    // Periodic Hann window (as scipy's welch), and its power for density scaling.
    std::vector<double> w(len);
    double wss = 0;
    for (int i = 0; i < len; ++i) {
        w[i] = 0.5 - 0.5 * std::cos(2.0 * kPi * i / len);
        wss += w[i] * w[i];
    }
    const int bins = nfft / 2 + 1;
    out.binHz = fsHz / nfft;
    out.power.assign(bins, 0.0);

    cv::Mat buf(1, nfft, CV_64F), spec;
    int segments = 0;
    for (int start = 0; start + len <= n; start += step) {
        double m = 0;
        for (int i = 0; i < len; ++i)
            m += x[start + i];
        m /= len;
        double *b = buf.ptr<double>();
        for (int i = 0; i < len; ++i)
            b[i] = (x[start + i] - m) * w[i];
        std::fill(b + len, b + nfft, 0.0);
        cv::dft(buf, spec, cv::DFT_COMPLEX_OUTPUT);
        const cv::Vec2d *c = spec.ptr<cv::Vec2d>();
        for (int k = 0; k < bins; ++k)
            out.power[k] += c[k][0] * c[k][0] + c[k][1] * c[k][1];
        ++segments;
    }
    const double scale = 1.0 / (fsHz * wss * std::max(segments, 1));
    for (int k = 0; k < bins; ++k) {
        double p = out.power[k] * scale;
        if (k > 0 && k < bins - 1)
            p *= 2.0;   // one-sided
        out.power[k] = p;
    }
    return out;
}

Peak spectralPeak(const Spectrum &s, double lowHz, double highHz)
{
    Peak peak;
    const int bins = int(s.power.size());
    if (bins < 3 || s.binHz <= 0)
        return peak;
    const int lo = std::max(0, int(std::ceil(lowHz / s.binHz)));
    const int hi = std::min(bins - 1, int(std::floor(highHz / s.binHz)));
    if (hi < lo)
        return peak;
    // Prefer the highest true local maximum inside the band: a maximum at the band edge that is
    // only the flank of out-of-band power (a trend, a harmonic) is not a heart rate.
    int best = -1;
    for (int k = std::max(lo, 1); k <= std::min(hi, bins - 2); ++k) {
        if (s.power[k] >= s.power[k - 1] && s.power[k] > s.power[k + 1]
            && (best < 0 || s.power[k] > s.power[best]))
            best = k;
    }
    if (best < 0) {
        best = lo;
        for (int k = lo; k <= hi; ++k)
            if (s.power[k] > s.power[best])
                best = k;
    }
    double delta = 0;
    if (best > 0 && best < bins - 1) {
        const double tiny = 1e-300;
        const double a = std::log(std::max(s.power[best - 1], tiny));
        const double b = std::log(std::max(s.power[best], tiny));
        const double c = std::log(std::max(s.power[best + 1], tiny));
        const double den = a - 2.0 * b + c;
        if (den < 0)
            delta = std::clamp(0.5 * (a - c) / den, -0.5, 0.5);
    }
    peak.frequencyHz = (best + delta) * s.binHz;
    peak.power = s.power[best];
    peak.valid = s.power[best] > 0;
    return peak;
}

double harmonicSnrDb(const Spectrum &s, double f0Hz, double lowHz, double highHz,
                     double halfWidthHz)
{
    if (s.power.empty() || s.binHz <= 0 || !(f0Hz > 0))
        return std::numeric_limits<double>::quiet_NaN();
    double signal = 0, noise = 0;
    for (size_t k = 0; k < s.power.size(); ++k) {
        const double f = s.frequency(int(k));
        if (f < lowHz || f > highHz)
            continue;
        const bool inHarmonic = std::abs(f - f0Hz) <= halfWidthHz
                                || std::abs(f - 2.0 * f0Hz) <= halfWidthHz;
        (inHarmonic ? signal : noise) += s.power[k];
    }
    if (signal <= 0)
        return -60.0;
    if (noise <= 0)
        return 60.0;
    return std::clamp(10.0 * std::log10(signal / noise), -60.0, 60.0);
}

// ---- beats and HRV -----------------------------------------------------------------------------

std::vector<double> findPeaks(const std::vector<double> &x, double minDistance, double minProminence)
{
    const int n = int(x.size());
    std::vector<int> cand;
    for (int i = 1; i + 1 < n; ++i) {
        if (!(x[i] > x[i - 1]))
            continue;
        // A plateau counts once, at its middle.
        int j = i;
        while (j + 1 < n && x[j + 1] == x[i])
            ++j;
        if (j + 1 < n && x[j + 1] < x[i])
            cand.push_back((i + j) / 2);
        i = j;
    }
    // Prominence: height above the higher of the two lowest points between the peak and the
    // nearest higher sample on either side (or the signal end).
    std::vector<int> kept;
    for (int p : cand) {
        double leftMin = x[p];
        for (int i = p - 1; i >= 0 && x[i] <= x[p]; --i)
            leftMin = std::min(leftMin, x[i]);
        double rightMin = x[p];
        for (int i = p + 1; i < n && x[i] <= x[p]; ++i)
            rightMin = std::min(rightMin, x[i]);
        if (x[p] - std::max(leftMin, rightMin) >= minProminence)
            kept.push_back(p);
    }
    // Distance: keep the tallest peaks first, drop any closer than minDistance to a kept one.
    std::vector<int> order(kept.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return x[kept[a]] > x[kept[b]]; });
    std::vector<char> remove(kept.size(), 0);
    for (int oi : order) {
        if (remove[oi])
            continue;
        for (int j = oi - 1; j >= 0 && kept[oi] - kept[j] < minDistance; --j)
            remove[j] = 1;
        for (int j = oi + 1; j < int(kept.size()) && kept[j] - kept[oi] < minDistance; ++j)
            remove[j] = 1;
    }
    std::vector<double> out;
    for (size_t i = 0; i < kept.size(); ++i) {
        if (remove[i])
            continue;
        const int p = kept[i];
        double pos = p;
        if (p > 0 && p + 1 < n) {
            const double den = x[p - 1] - 2.0 * x[p] + x[p + 1];
            if (den < 0)
                pos += std::clamp(0.5 * (x[p - 1] - x[p + 1]) / den, -0.5, 0.5);
        }
        out.push_back(pos);
    }
    return out;
}

Hrv hrvFromBeats(const std::vector<double> &beatTimesSec, double outlierFraction)
{
    return hrvFromBeatRuns({beatTimesSec}, outlierFraction);
}

std::vector<char> plausibleIntervals(const std::vector<double> &ibi, double outlierFraction)
{
    const int m = int(ibi.size());
    std::vector<char> ok(m, 0);
    for (int i = 0; i < m; ++i) {
        std::vector<double> nb;
        for (int j = std::max(0, i - 3); j <= std::min(m - 1, i + 3); ++j)
            nb.push_back(ibi[j]);
        const double med = median(nb);
        ok[i] = ibi[i] > 0 && std::abs(ibi[i] - med) <= outlierFraction * med;
    }
    return ok;
}

Hrv hrvFromBeatRuns(const std::vector<std::vector<double>> &runs, double outlierFraction)
{
    Hrv h;
    std::vector<double> good, diffs;
    int beats = 0;
    for (const std::vector<double> &beatTimesSec : runs) {
        if (beatTimesSec.size() < 2)
            continue;
        std::vector<double> ibi;
        for (size_t i = 1; i < beatTimesSec.size(); ++i)
            ibi.push_back(beatTimesSec[i] - beatTimesSec[i - 1]);
        const int m = int(ibi.size());
        const std::vector<char> ok = plausibleIntervals(ibi, outlierFraction);
        h.intervals += m;
        for (int i = 0; i < m; ++i) {
            if (!ok[i]) {
                ++h.implausible;
                continue;
            }
            good.push_back(ibi[i] * 1000.0);
            if (i > 0 && ok[i - 1])
                diffs.push_back((ibi[i] - ibi[i - 1]) * 1000.0);
        }
        beats += int(beatTimesSec.size());
    }
    h.beats = beats;
    if (good.size() < 3)
        return h;
    h.meanIbiMs = mean(good);
    h.sdnnMs = stddev(good);
    double ss = 0;
    for (double d : diffs)
        ss += d * d;
    h.rmssdMs = diffs.empty() ? 0.0 : std::sqrt(ss / diffs.size());
    h.valid = true;
    return h;
}

// ---- small helpers -----------------------------------------------------------------------------

double mean(const std::vector<double> &x)
{
    if (x.empty())
        return std::numeric_limits<double>::quiet_NaN();
    return std::accumulate(x.begin(), x.end(), 0.0) / double(x.size());
}

double stddev(const std::vector<double> &x)
{
    if (x.size() < 2)
        return 0.0;
    const double m = mean(x);
    double ss = 0;
    for (double v : x)
        ss += (v - m) * (v - m);
    return std::sqrt(ss / double(x.size() - 1));
}

double pearson(const std::vector<double> &a, const std::vector<double> &b)
{
    const size_t n = std::min(a.size(), b.size());
    if (n < 2)
        return std::numeric_limits<double>::quiet_NaN();
    double ma = 0, mb = 0;
    for (size_t i = 0; i < n; ++i) {
        ma += a[i];
        mb += b[i];
    }
    ma /= n;
    mb /= n;
    double sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < n; ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    if (saa <= 0 || sbb <= 0)
        return std::numeric_limits<double>::quiet_NaN();
    return sab / std::sqrt(saa * sbb);
}

double median(std::vector<double> x)
{
    if (x.empty())
        return std::numeric_limits<double>::quiet_NaN();
    const size_t mid = x.size() / 2;
    std::nth_element(x.begin(), x.begin() + mid, x.end());
    double m = x[mid];
    if (x.size() % 2 == 0) {
        const double lower = *std::max_element(x.begin(), x.begin() + mid);
        m = 0.5 * (m + lower);
    }
    return m;
}

void normalize(std::vector<double> &x)
{
    if (x.empty())
        return;
    const double m = mean(x);
    const double s = stddev(x);
    for (double &v : x)
        v = s > 0 ? (v - m) / s : v - m;
}

PairedDifference clusteredBootstrapMean(const std::vector<double> &d, const std::vector<int> &cluster, int resamples,
                                        unsigned seed)
{
    PairedDifference out;
    const size_t n = std::min(d.size(), cluster.size());
    // Per cluster: the sum of its differences and their count (a resample adds whole clusters).
    std::map<int, std::pair<double, int>> byCluster;
    for (size_t i = 0; i < n; ++i) {
        if (!std::isfinite(d[i]))
            continue;
        auto &c = byCluster[cluster[i]];
        c.first += d[i];
        ++c.second;
        ++out.pairs;
    }
    if (out.pairs == 0)
        return out;
    std::vector<std::pair<double, int>> sums;
    double total = 0;
    for (const auto &[id, c] : byCluster) {
        sums.push_back(c);
        total += c.first;
    }
    out.clusters = int(sums.size());
    out.mean = total / out.pairs;
    if (sums.size() < 2 || resamples < 10)
        return out;
    std::mt19937 rng(seed);
    std::uniform_int_distribution<size_t> pick(0, sums.size() - 1);
    std::vector<double> means;
    means.reserve(size_t(resamples));
    for (int r = 0; r < resamples; ++r) {
        double s = 0;
        int k = 0;
        for (size_t j = 0; j < sums.size(); ++j) {
            const auto &c = sums[pick(rng)];
            s += c.first;
            k += c.second;
        }
        means.push_back(s / k);
    }
    std::sort(means.begin(), means.end());
    auto quantile = [&means](double q) {
        const double pos = q * double(means.size() - 1);
        const size_t i = size_t(pos);
        const double f = pos - double(i);
        return i + 1 < means.size() ? means[i] * (1 - f) + means[i + 1] * f : means[i];
    };
    out.lo = quantile(0.025);
    out.hi = quantile(0.975);
    return out;
}

} // namespace rppg::dsp
