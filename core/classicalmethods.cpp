// The classical pulse extractors. All three give a signal that rises with blood volume (the
// skin darkens as blood volume rises, so the colour-based projections are sign-flipped where
// needed); HR estimation does not care, but comparisons with reference PPG and training do.

#include "dsp.h"
#include "pulsemethod.h"

#include <algorithm>
#include <cmath>

namespace rppg {

namespace {

// Window of ~1.6 s (both papers' choice: long enough to hold one beat at 40 bpm's half period,
// short enough to follow changing conditions).
int shortWindow(double fsHz)
{
    return std::max(4, int(std::lround(1.6 * fsHz)));
}

// Centred moving average of one channel (window clipped at the ends).
std::vector<double> movingMean(const std::vector<cv::Vec3d> &rgb, int channel, int window)
{
    const int n = int(rgb.size());
    std::vector<double> prefix(n + 1, 0.0);
    for (int i = 0; i < n; ++i)
        prefix[i + 1] = prefix[i] + rgb[i][channel];
    std::vector<double> out(n);
    const int half = window / 2;
    for (int i = 0; i < n; ++i) {
        const int a = std::max(0, i - half);
        const int b = std::min(n, i + half + 1);
        out[i] = (prefix[b] - prefix[a]) / double(b - a);
    }
    return out;
}

double stddevOf(const double *x, int n)
{
    if (n < 2)
        return 0.0;
    double m = 0;
    for (int i = 0; i < n; ++i)
        m += x[i];
    m /= n;
    double ss = 0;
    for (int i = 0; i < n; ++i)
        ss += (x[i] - m) * (x[i] - m);
    return std::sqrt(ss / (n - 1));
}

class ClassicalMethod final : public PulseMethod
{
public:
    using Fn = std::vector<double> (*)(const std::vector<cv::Vec3d> &, double);
    ClassicalMethod(QString name, Fn fn)
        : m_name(std::move(name))
        , m_fn(fn)
    {}
    QString name() const override { return m_name; }
    MethodInput input() const override { return MethodInput::RgbTrace; }
    std::vector<double> extract(const std::vector<cv::Vec3d> &rgb, double fsHz) const override
    {
        return m_fn(rgb, fsHz);
    }

private:
    QString m_name;
    Fn m_fn;
};

} // namespace

std::vector<double> pulseGreen(const std::vector<cv::Vec3d> &rgb, double fsHz)
{
    // Verkruysse et al. 2008: the green channel alone; normalised by its mean so the amplitude is
    // relative, and negated so the signal follows blood volume.
    std::vector<double> out(rgb.size(), 0.0);
    if (rgb.empty())
        return out;
    double m = 0;
    for (const auto &c : rgb)
        m += c[1];
    m /= double(rgb.size());
    if (m <= 0)
        return out;
    for (size_t i = 0; i < rgb.size(); ++i)
        out[i] = 1.0 - rgb[i][1] / m;
    return out;
}

std::vector<double> pulseChrom(const std::vector<cv::Vec3d> &rgb, double fsHz)
{
    // de Haan & Jeanne 2013: two chrominance signals that cancel the specular (white) component,
    // band-passed, combined with a per-window tuning α = σ(Xf)/σ(Yf) that cancels the remaining
    // motion-induced intensity change; Hann-windowed overlap-add with 50 % overlap.
    const int n = int(rgb.size());
    std::vector<double> out(n, 0.0);
    if (n < 8 || fsHz <= 0)
        return out;
    const int win = shortWindow(fsHz) & ~1;
    const auto mr = movingMean(rgb, 0, win), mg = movingMean(rgb, 1, win), mb = movingMean(rgb, 2, win);
    std::vector<double> xs(n), ys(n);
    for (int i = 0; i < n; ++i) {
        const double rn = mr[i] > 0 ? rgb[i][0] / mr[i] : 1.0;
        const double gn = mg[i] > 0 ? rgb[i][1] / mg[i] : 1.0;
        const double bn = mb[i] > 0 ? rgb[i][2] / mb[i] : 1.0;
        xs[i] = 3.0 * rn - 2.0 * gn;
        ys[i] = 1.5 * rn + gn - 1.5 * bn;
    }
    const double high = std::min(4.0, 0.45 * fsHz);
    const auto sos = dsp::butterworthBandpass(3, 0.7, high, fsHz);
    const auto xf = dsp::sosFiltFilt(sos, xs);
    const auto yf = dsp::sosFiltFilt(sos, ys);
    if (n <= win) {
        const double a = stddevOf(yf.data(), n) > 0 ? stddevOf(xf.data(), n) / stddevOf(yf.data(), n) : 0.0;
        for (int i = 0; i < n; ++i)
            out[i] = xf[i] - a * yf[i];
        return out;
    }
    const int step = win / 2;
    std::vector<double> hann(win);
    for (int i = 0; i < win; ++i)
        hann[i] = 0.5 - 0.5 * std::cos(2.0 * M_PI * i / win);   // periodic: sums to 1 at 50 %
    std::vector<double> weight(n, 0.0);
    for (int start = 0;; start += step) {
        const int s = std::min(start, n - win);
        const double sy = stddevOf(yf.data() + s, win);
        const double a = sy > 0 ? stddevOf(xf.data() + s, win) / sy : 0.0;
        double m = 0;
        for (int i = 0; i < win; ++i)
            m += xf[s + i] - a * yf[s + i];
        m /= win;
        for (int i = 0; i < win; ++i) {
            out[s + i] += (xf[s + i] - a * yf[s + i] - m) * hann[i];
            weight[s + i] += hann[i];
        }
        if (s == n - win)
            break;
    }
    // The ends (and a final window that did not fall on the step grid) get less than unit weight.
    for (int i = 0; i < n; ++i)
        if (weight[i] > 1e-3)
            out[i] /= std::max(weight[i], 0.5);
    return out;
}

std::vector<double> pulsePos(const std::vector<cv::Vec3d> &rgb, double fsHz)
{
    // Wang et al. 2017 (Plane-Orthogonal-to-Skin): in each 1.6 s window the temporally normalised
    // colour is projected onto the plane orthogonal to the skin tone, and the two projections are
    // alpha-tuned; windows overlap-add with a step of one sample.
    const int n = int(rgb.size());
    std::vector<double> out(n, 0.0);
    if (n < 4 || fsHz <= 0)
        return out;
    const int win = std::min(shortWindow(fsHz), n);
    std::vector<double> s1(win), s2(win);
    for (int end = win; end <= n; ++end) {
        const int start = end - win;
        cv::Vec3d m(0, 0, 0);
        for (int i = start; i < end; ++i)
            m += rgb[i];
        m /= double(win);
        if (m[0] <= 0 || m[1] <= 0 || m[2] <= 0)
            continue;
        for (int i = 0; i < win; ++i) {
            const cv::Vec3d &c = rgb[start + i];
            const double r = c[0] / m[0], g = c[1] / m[1], b = c[2] / m[2];
            s1[i] = g - b;
            s2[i] = -2.0 * r + g + b;
        }
        const double sd2 = stddevOf(s2.data(), win);
        const double alpha = sd2 > 0 ? stddevOf(s1.data(), win) / sd2 : 0.0;
        double hm = 0;
        for (int i = 0; i < win; ++i)
            hm += s1[i] + alpha * s2[i];
        hm /= win;
        for (int i = 0; i < win; ++i)
            out[start + i] -= s1[i] + alpha * s2[i] - hm;   // negated: follow blood volume
    }
    return out;
}

void registerClassicalMethods(MethodRegistry &registry)
{
    auto add = [&registry](const char *name, const char *title, const char *desc,
                           ClassicalMethod::Fn fn) {
        MethodInfo info;
        info.name = QString::fromLatin1(name);
        info.title = QString::fromLatin1(title);
        info.description = QString::fromUtf8(desc);
        info.input = MethodInput::RgbTrace;
        info.create = [n = info.name, fn](const MethodOptions &) -> Result<std::unique_ptr<PulseMethod>> {
            return std::unique_ptr<PulseMethod>(new ClassicalMethod(n, fn));
        };
        registry.add(info);
    };
    add("pos", "POS", "Plane-orthogonal-to-skin projection (Wang et al. 2017)", &pulsePos);
    add("chrom", "CHROM", "Chrominance-based method (de Haan & Jeanne 2013)", &pulseChrom);
    add("green", "GREEN", "Green channel (Verkruysse et al. 2008)", &pulseGreen);
}

} // namespace rppg
