// The classical pulse extractors (GREEN, CHROM, POS, PBV, LGI, ICA, PCA). Each gives a signal that
// rises with blood volume (the skin darkens as blood volume rises, so the projections are
// sign-flipped where needed, and ICA/PCA components are signed against the green channel); HR estimation does not care, but comparisons with reference PPG and training do.

#include "dsp.h"
#include "pulsemethod.h"

#include <algorithm>
#include <cmath>
#include <functional>

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

// Windows of `win` samples stepping by half a window (the last one aligned with the end), each
// filled by `fill(start, segment)` (the segment's size is the window's length), Hann-weighted and
// added into `out` (sized to the signal). The periodic Hann window sums to one at 50 % overlap;
// the two ends, and a final window off the step grid, get less than unit weight and are divided
// by it. A signal no longer than one window is filled once, unweighted.
void hannOverlapAdd(std::vector<double> &out, int win,
                    const std::function<void(int start, std::vector<double> &segment)> &fill)
{
    const int n = int(out.size());
    if (n < 2)
        return;
    if (n <= win) {   // too short to overlap: one window over everything, unweighted
        std::vector<double> seg(n, 0.0);
        fill(0, seg);
        out = seg;
        return;
    }
    const int step = std::max(1, win / 2);
    std::vector<double> hann(win), weight(n, 0.0), seg(win);
    for (int i = 0; i < win; ++i)
        hann[i] = 0.5 - 0.5 * std::cos(2.0 * M_PI * i / win);
    for (int start = 0;; start += step) {
        const int s = std::min(start, n - win);
        std::fill(seg.begin(), seg.end(), 0.0);
        fill(s, seg);
        for (int i = 0; i < win; ++i) {
            out[s + i] += seg[i] * hann[i];
            weight[s + i] += hann[i];
        }
        if (s == n - win)
            break;
    }
    for (int i = 0; i < n; ++i)
        if (weight[i] > 1e-3)
            out[i] /= std::max(weight[i], 0.5);
}

class ClassicalMethod final : public PulseMethod
{
public:
    using Fn = PulseExtractor;
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
    hannOverlapAdd(out, win, [&](int s, std::vector<double> &seg) {
        const int w = int(seg.size());
        const double sy = stddevOf(yf.data() + s, w);
        const double a = sy > 0 ? stddevOf(xf.data() + s, w) / sy : 0.0;
        double m = 0;
        for (int i = 0; i < w; ++i)
            m += xf[s + i] - a * yf[s + i];
        m /= w;
        for (int i = 0; i < w; ++i)
            seg[i] = xf[s + i] - a * yf[s + i] - m;
    });
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

namespace {

// Each channel of rgb[start, start + len) divided by its mean over that stretch; false when a
// channel's mean is not positive (a black or missing region).
bool meanNormalised(const std::vector<cv::Vec3d> &rgb, int start, int len, std::vector<cv::Vec3d> &x)
{
    cv::Vec3d m(0, 0, 0);
    for (int i = start; i < start + len; ++i)
        m += rgb[i];
    m /= double(len);
    if (m[0] <= 0 || m[1] <= 0 || m[2] <= 0)
        return false;
    x.resize(len);
    for (int i = 0; i < len; ++i)
        for (int c = 0; c < 3; ++c)
            x[i][c] = rgb[start + i][c] / m[c];
    return true;
}

cv::Matx33d outerSum(const std::vector<cv::Vec3d> &x)
{
    cv::Matx33d q = cv::Matx33d::zeros();
    for (const cv::Vec3d &v : x)
        q += v * v.t();
    return q;
}

// Eigen-decomposition of a symmetric 3×3 matrix: eigenvalues descending, eigenvectors as rows.
void symmetricEigen(const cv::Matx33d &m, cv::Vec3d &values, cv::Matx33d &vectors)
{
    cv::Mat v, e;
    cv::eigen(cv::Mat(m), v, e);
    for (int k = 0; k < 3; ++k) {
        values[k] = v.at<double>(k);
        for (int c = 0; c < 3; ++c)
            vectors(k, c) = e.at<double>(k, c);
    }
}

// Long window of the blind-separation methods: ~10 s, enough cycles for the spectrum to single out
// the pulse (Poh et al. used 30 s; 10 s follows a changing rate and fits the live buffer).
int separationWindow(double fsHz)
{
    return std::max(16, int(std::lround(10.0 * fsHz)));
}

// Temporally normalised, band-passed channels (as CHROM prepares them): each channel over its
// moving mean, minus one, band-passed to the pulse band.
std::vector<std::vector<double>> bandpassedChannels(const std::vector<cv::Vec3d> &rgb, double fsHz,
                                                    double highHz)
{
    const int n = int(rgb.size());
    const int win = shortWindow(fsHz);
    const auto sos = dsp::butterworthBandpass(3, 0.7, highHz, fsHz);
    std::vector<std::vector<double>> out(3);
    for (int c = 0; c < 3; ++c) {
        const auto m = movingMean(rgb, c, win);
        std::vector<double> v(n);
        for (int i = 0; i < n; ++i)
            v[i] = m[i] > 0 ? rgb[i][c] / m[i] - 1.0 : 0.0;
        out[size_t(c)] = dsp::sosFiltFilt(sos, v);
    }
    return out;
}

// How clearly a candidate holds one pulse (Poh et al. 2011's choice): the share of its power in the
// pulse band that falls in the strongest bin.
double pulseClarity(const std::vector<double> &x, double fsHz, double highHz)
{
    const int n = int(x.size());
    const auto spec = dsp::welch(x, fsHz, n, 0.0, 4 * n);
    double total = 0, strongest = 0;
    for (size_t b = 0; b < spec.power.size(); ++b) {
        const double f = spec.frequency(int(b));
        if (f < 0.7 || f > highHz)
            continue;
        total += spec.power[b];
        strongest = std::max(strongest, spec.power[b]);
    }
    return total > 0 ? strongest / total : 0.0;
}

// Symmetric FastICA (Hyvärinen 1999, tanh contrast) on whitened rows z (d × len); returns the
// unmixing matrix's rows. Starts from the identity, so the result is deterministic.
std::vector<std::vector<double>> fastIca(const std::vector<std::vector<double>> &z)
{
    const int d = int(z.size());
    const int len = d ? int(z[0].size()) : 0;
    cv::Mat w = cv::Mat::eye(d, d, CV_64F);
    for (int iter = 0; iter < 200; ++iter) {
        cv::Mat next(d, d, CV_64F, cv::Scalar(0));
        for (int j = 0; j < d; ++j) {
            double gPrimeMean = 0;
            for (int i = 0; i < len; ++i) {
                double u = 0;
                for (int k = 0; k < d; ++k)
                    u += w.at<double>(j, k) * z[size_t(k)][size_t(i)];
                const double g = std::tanh(u);
                gPrimeMean += 1.0 - g * g;
                for (int k = 0; k < d; ++k)
                    next.at<double>(j, k) += z[size_t(k)][size_t(i)] * g;
            }
            for (int k = 0; k < d; ++k)
                next.at<double>(j, k) = next.at<double>(j, k) / len - gPrimeMean / len * w.at<double>(j, k);
        }
        // Symmetric decorrelation: W ← (W Wᵀ)^(-1/2) W.
        cv::Mat vals, vecs;
        cv::eigen(next * next.t(), vals, vecs);
        cv::Mat invSqrt = cv::Mat::zeros(d, d, CV_64F);
        for (int k = 0; k < d; ++k)
            invSqrt.at<double>(k, k) = 1.0 / std::sqrt(std::max(vals.at<double>(k), 1e-30));
        next = vecs.t() * invSqrt * vecs * next;
        double change = 0;
        const cv::Mat overlap = next * w.t();
        for (int k = 0; k < d; ++k)
            change = std::max(change, std::abs(1.0 - std::abs(overlap.at<double>(k, k))));
        w = next;
        if (change < 1e-7)
            break;
    }
    std::vector<std::vector<double>> rows(static_cast<size_t>(d), std::vector<double>(static_cast<size_t>(d)));
    for (int j = 0; j < d; ++j)
        for (int k = 0; k < d; ++k)
            rows[size_t(j)][size_t(k)] = w.at<double>(j, k);
    return rows;
}

// PCA and ICA: per ~10 s window, whiten the three band-passed channels, optionally rotate them to
// independent components, and keep the component whose spectrum holds the clearest pulse. Its sign
// is set to follow blood volume (against the green channel, which falls as blood volume rises) and
// its scale to the green channel's.
std::vector<double> separatedPulse(const std::vector<cv::Vec3d> &rgb, double fsHz, bool independent)
{
    const int n = int(rgb.size());
    std::vector<double> out(n, 0.0);
    if (n < 8 || fsHz <= 0)
        return out;
    const double high = std::min(4.0, 0.45 * fsHz);
    const auto ch = bandpassedChannels(rgb, fsHz, high);
    hannOverlapAdd(out, separationWindow(fsHz), [&](int s, std::vector<double> &seg) {
        const int len = int(seg.size());
        std::vector<cv::Vec3d> x(static_cast<size_t>(len));
        for (int i = 0; i < len; ++i)
            x[size_t(i)] = cv::Vec3d(ch[0][size_t(s + i)], ch[1][size_t(s + i)], ch[2][size_t(s + i)]);
        cv::Vec3d lambda;
        cv::Matx33d e;
        symmetricEigen(outerSum(x) * (1.0 / len), lambda, e);
        if (!(lambda[0] > 1e-20))
            return;   // no variation at all
        std::vector<std::vector<double>> z;
        for (int k = 0; k < 3; ++k) {
            if (!(lambda[k] > 1e-9 * lambda[0]))
                break;   // rank-deficient: the remaining directions hold nothing
            std::vector<double> row(static_cast<size_t>(len));
            const cv::Vec3d dir(e(k, 0), e(k, 1), e(k, 2));
            for (int i = 0; i < len; ++i)
                row[size_t(i)] = dir.dot(x[size_t(i)]) / std::sqrt(lambda[k]);
            z.push_back(std::move(row));
        }
        std::vector<std::vector<double>> candidates = z;
        if (independent && z.size() > 1) {
            const auto w = fastIca(z);
            for (size_t j = 0; j < w.size(); ++j)
                for (int i = 0; i < len; ++i) {
                    double v = 0;
                    for (size_t k = 0; k < z.size(); ++k)
                        v += w[j][k] * z[k][size_t(i)];
                    candidates[j][size_t(i)] = v;
                }
        }
        size_t best = 0;
        double bestClarity = -1.0;
        for (size_t j = 0; j < candidates.size(); ++j) {
            const double c = pulseClarity(candidates[j], fsHz, high);
            if (c > bestClarity) {
                bestClarity = c;
                best = j;
            }
        }
        std::vector<double> green(static_cast<size_t>(len));
        for (int i = 0; i < len; ++i)
            green[size_t(i)] = -x[size_t(i)][1];
        const double r = dsp::pearson(candidates[best], green);
        const double scale = (r < 0 ? -1.0 : 1.0) * stddevOf(green.data(), len);
        for (int i = 0; i < len; ++i)
            seg[size_t(i)] = scale * candidates[best][size_t(i)];
    });
    return out;
}

} // namespace

std::vector<double> pulsePbv(const std::vector<cv::Vec3d> &rgb, double fsHz)
{
    // de Haan & van Leest 2014 (blood-volume pulse signature): per 1.6 s window, the weights that
    // pass the pulse's known colour direction in normalised RGB with unit gain and give the least
    // output variance, i.e. w ∝ Q⁻¹·Pbv with Q the window's covariance. Motion and specular changes
    // off that direction are suppressed. The signature (R, G, B) = (0.33, 0.77, 0.53) is the one
    // the synthetic generator renders (kSignatureRgb in synth.cpp); a real camera's differs a little.
    const int n = int(rgb.size());
    std::vector<double> out(n, 0.0);
    if (n < 4 || fsHz <= 0)
        return out;
    const cv::Vec3d signature = cv::normalize(cv::Vec3d(0.33, 0.77, 0.53));
    std::vector<cv::Vec3d> x;
    hannOverlapAdd(out, shortWindow(fsHz), [&](int s, std::vector<double> &seg) {
        const int len = int(seg.size());
        if (!meanNormalised(rgb, s, len, x))
            return;
        for (auto &v : x)
            v -= cv::Vec3d(1, 1, 1);
        cv::Matx33d q = outerSum(x);
        const double ridge = 1e-6 * (q(0, 0) + q(1, 1) + q(2, 2)) + 1e-30;
        q += cv::Matx33d::eye() * ridge;
        const cv::Vec3d w = q.solve(signature, cv::DECOMP_CHOLESKY);
        const double gain = w.dot(signature);
        if (!(std::abs(gain) > 0) || !std::isfinite(gain))
            return;
        for (int i = 0; i < len; ++i)
            seg[size_t(i)] = -w.dot(x[size_t(i)]) / gain;   // negated: the skin darkens with blood
    });
    return out;
}

std::vector<double> pulseLgi(const std::vector<cv::Vec3d> &rgb, double fsHz)
{
    // Pilz et al. 2018 (local group invariance): per 1.6 s window, the dominant direction of the
    // normalised colour samples (the skin tone lit by the current light, which carries intensity
    // and motion changes) is projected out, and the green coordinate of what remains is the pulse.
    const int n = int(rgb.size());
    std::vector<double> out(n, 0.0);
    if (n < 4 || fsHz <= 0)
        return out;
    std::vector<cv::Vec3d> x;
    hannOverlapAdd(out, shortWindow(fsHz), [&](int s, std::vector<double> &seg) {
        const int len = int(seg.size());
        if (!meanNormalised(rgb, s, len, x))
            return;
        cv::Vec3d lambda;
        cv::Matx33d e;
        symmetricEigen(outerSum(x), lambda, e);
        const cv::Vec3d u(e(0, 0), e(0, 1), e(0, 2));
        double m = 0;
        for (int i = 0; i < len; ++i) {
            const cv::Vec3d residual = x[size_t(i)] - u * u.dot(x[size_t(i)]);
            seg[size_t(i)] = -residual[1];   // negated: green falls as blood volume rises
            m += seg[size_t(i)];
        }
        m /= len;
        for (double &v : seg)
            v -= m;
    });
    return out;
}

std::vector<double> pulseIca(const std::vector<cv::Vec3d> &rgb, double fsHz)
{
    // Poh et al. 2010/2011: independent components of the three normalised colour traces.
    return separatedPulse(rgb, fsHz, true);
}

std::vector<double> pulsePca(const std::vector<cv::Vec3d> &rgb, double fsHz)
{
    // Lewandowska et al. 2011: principal components of the three normalised colour traces.
    return separatedPulse(rgb, fsHz, false);
}

namespace {

struct ClassicalEntry
{
    const char *name, *title, *description;
    PulseExtractor fn;
};

const ClassicalEntry kClassical[] = {
    {"pos", "POS", "Plane-orthogonal-to-skin projection (Wang et al. 2017)", &pulsePos},
    {"chrom", "CHROM", "Chrominance-based method (de Haan & Jeanne 2013)", &pulseChrom},
    {"green", "GREEN", "Green channel (Verkruysse et al. 2008)", &pulseGreen},
    {"pbv", "PBV", "Blood-volume pulse signature (de Haan & van Leest 2014)", &pulsePbv},
    {"lgi", "LGI", "Local group invariance (Pilz et al. 2018)", &pulseLgi},
    {"ica", "ICA", "Independent component analysis (Poh et al. 2010)", &pulseIca},
    {"pca", "PCA", "Principal component analysis (Lewandowska et al. 2011)", &pulsePca},
};

} // namespace

PulseExtractor classicalExtractor(const QString &name)
{
    for (const ClassicalEntry &e : kClassical)
        if (name.compare(QLatin1String(e.name), Qt::CaseInsensitive) == 0)
            return e.fn;
    return nullptr;
}

void registerClassicalMethods(MethodRegistry &registry)
{
    for (const ClassicalEntry &e : kClassical) {
        MethodInfo info;
        info.name = QString::fromLatin1(e.name);
        info.title = QString::fromLatin1(e.title);
        info.description = QString::fromUtf8(e.description);
        info.input = MethodInput::RgbTrace;
        info.create = [n = info.name, fn = e.fn](const MethodOptions &) -> Result<std::unique_ptr<PulseMethod>> {
            return std::unique_ptr<PulseMethod>(new ClassicalMethod(n, fn));
        };
        registry.add(info);
    }
}

} // namespace rppg
