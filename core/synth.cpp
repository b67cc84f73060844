#include "synth.h"

#include "datasets.h"
#include "dsp.h"
#include "facetracker.h"
#include "groundtruth.h"
#include "ppgseries.h"
#include "resourcepaths.h"
#include "rppg_version.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSaveFile>
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

Q_LOGGING_CATEGORY(lcSynth, "rppg.core.synth", QtWarningMsg)

namespace rppg {

namespace {

constexpr double kPi = 3.14159265358979323846;
// Bumped whenever the same config and seed would render different pixels or ground truth.
// 2: a video without a pulse (amplitude 0) has a flat PPG and no hr_bpm in its ground truth.
constexpr int kModelVersion = 2;

// Relative pulsatile amplitudes of R, G, B in skin (the "blood volume pulse signature" of
// de Haan & van Leest 2014): green carries the most, red the least.
constexpr double kSignatureRgb[3] = {0.33, 0.77, 0.53};
// More melanin absorbs more of the light that reaches the blood: the relative pulse falls with the
// Fitzpatrick type (index 0 = the photo's own tone).
constexpr double kFitzpatrickAmplitude[7] = {1.0, 1.0, 1.0, 0.9, 0.8, 0.65, 0.5};
// Typical CIE L*a*b* of facial skin per Fitzpatrick type, chosen so the individual typology angle
// ITA = atan((L* - 50) / b*) falls in the usual class (I > 55°, II 41–55°, III 28–41°,
// IV 10–28°, V -30–10°, VI < -30°).
struct LabTone
{
    double l, a, b;
};
constexpr LabTone kFitzpatrickLab[7] = {{0, 0, 0},    {72, 9, 15},  {66, 11, 17}, {61, 12, 18},
                                        {55, 13, 21}, {43, 14, 22}, {33, 13, 18}};
// Blood reaches different parts of the face at slightly different times.
constexpr double kPhaseSpreadSec = 0.03;
// Hairline-to-chin height of the face relative to the frame height at faceScale 1: 225 of 480
// lines, which makes the face detector's box about 190 px tall, as in a typical webcam recording.
constexpr double kFaceHeightFraction = 225.0 / 480.0;
// Shading across the frame from a light on one side: 1 on the lit side down to 1 - this.
constexpr double kLightGradientDepth = 0.3;

enum RandomStream : uint64_t {
    kStreamBeats = 1,
    kStreamBeatShape,
    kStreamMotion,
    kStreamLight,
    kStreamMaps,
    kStreamNoise,
    kStreamLightDirection,
};

uint64_t splitMix64(uint64_t &state)
{
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// Each part of the generator draws from its own stream, so changing (say) the motion settings
// leaves the pulse of a given seed unchanged.
uint64_t streamSeed(uint64_t seed, uint64_t stream)
{
    uint64_t s = seed ^ (stream * 0xD1B54A32D192ED03ULL);
    splitMix64(s);
    return splitMix64(s);
}

// Portable random numbers: std::mt19937_64 is fully specified, the standard distributions are not
// (libstdc++ and libc++ differ), so the conversions are done here.
class Random
{
public:
    explicit Random(uint64_t seed)
        : m_engine(seed)
    {
    }
    double uniform() { return double(m_engine() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    double normal()
    {
        if (m_hasSpare) {
            m_hasSpare = false;
            return m_spare;
        }
        double u1 = uniform();
        while (u1 <= 0)
            u1 = uniform();
        const double u2 = uniform();
        const double r = std::sqrt(-2.0 * std::log(u1));
        m_spare = r * std::sin(2.0 * kPi * u2);
        m_hasSpare = true;
        return r * std::cos(2.0 * kPi * u2);
    }

private:
    std::mt19937_64 m_engine;
    bool m_hasSpare = false;
    double m_spare = 0;
};

// ---- the pulse ---------------------------------------------------------------------------------

double gaussian(double x, double sigma)
{
    return std::exp(-0.5 * x * x / (sigma * sigma));
}

// One beat of a finger/face PPG, relative to its systolic peak (tau = 0), for a cardiac cycle of
// rrSec: a fast upstroke, a slower systolic fall, the dicrotic notch where the reflected
// (diastolic) wave arrives, the diastolic wave and an exponential run-off. Timings shorten with
// the cycle, roughly with its square root, as the ejection time does.
double beatShape(double tauSec, double rrSec, double dicroticRatio)
{
    const double s = std::clamp(std::sqrt(rrSec / 0.8), 0.6, 1.35);
    if (tauSec < -0.35 * s || tauSec > 2.5 * s)
        return 0.0;
    const double systolic = tauSec < 0 ? gaussian(tauSec, 0.05 * s) : gaussian(tauSec, 0.10 * s);
    const double d = tauSec - 0.27 * s;
    const double diastolic
        = 0.85 * dicroticRatio * (d < 0 ? gaussian(d, 0.065 * s) : gaussian(d, 0.16 * s));
    const double runoff = 0.1 * (d < 0 ? gaussian(d, 0.065 * s) : std::exp(-d / (0.4 * s)));
    return systolic + diastolic + runoff;
}

// A continuous blood-volume waveform: either the beat model or a recorded PPG. valueAt() is the
// normalised waveform (per-beat peak-to-peak about 1, minimum over the clip 0), rrAt() the beat
// interval containing a time. Times are clip seconds.
struct PulseTrain
{
    std::vector<double> beats;     // systolic peak times, sorted, with margin around the clip
    std::vector<double> amplitude; // model: per-beat amplitude
    double dicroticRatio = 0.35;
    double respirationHz = 0;
    double baselineDepth = 0;
    double baselinePhase = 0;

    std::vector<double> samples; // recording: uniform samples (band-passed)
    double samplesT0 = 0;        // clip time of samples[0]
    double samplesFsHz = 0;

    double scale = 1.0;
    double offset = 0.0;

    double rrAt(double t) const
    {
        const int n = int(beats.size());
        if (n < 2)
            return 1.0;
        int k = int(std::upper_bound(beats.begin(), beats.end(), t) - beats.begin()) - 1;
        k = std::clamp(k, 0, n - 2);
        return beats[k + 1] - beats[k];
    }

    double rawAt(double t) const
    {
        if (!samples.empty()) {
            const double x = (t - samplesT0) * samplesFsHz;
            if (x <= 0)
                return samples.front();
            const size_t i = size_t(x);
            if (i + 1 >= samples.size())
                return samples.back();
            const double a = x - double(i);
            return samples[i] * (1.0 - a) + samples[i + 1] * a;
        }
        const int n = int(beats.size());
        const int k = int(std::upper_bound(beats.begin(), beats.end(), t) - beats.begin()) - 1;
        double v = 0;
        for (int j = std::max(0, k - 4); j <= std::min(n - 1, k + 1); ++j) {
            const double rr = j + 1 < n ? beats[j + 1] - beats[j] : beats[j] - beats[j - 1];
            v += amplitude[j] * beatShape(t - beats[j], rr, dicroticRatio);
        }
        if (baselineDepth > 0)
            v += baselineDepth * std::sin(2.0 * kPi * respirationHz * t + baselinePhase);
        return v;
    }

    double valueAt(double t) const { return (rawAt(t) - offset) * scale; }
};

struct BeatStats
{
    double meanHrBpm = 0;
    double sdnnMs = 0;
    double rmssdMs = 0;
    std::vector<double> beatsInClip;
};

BeatStats beatStats(const std::vector<double> &beats, double durationSec, bool robust)
{
    BeatStats s;
    for (double b : beats) {
        if (b >= 0 && b <= durationSec)
            s.beatsInClip.push_back(b);
    }
    const size_t n = s.beatsInClip.size();
    if (n < 2) {
        // A clip shorter than two beats: the rate of the beat interval around its middle.
        const auto it = std::upper_bound(beats.begin(), beats.end(), 0.5 * durationSec);
        if (it != beats.begin() && it != beats.end())
            s.meanHrBpm = 60.0 / (*it - *(it - 1));
        return s;
    }
    std::vector<double> rrMs;
    for (size_t i = 1; i < n; ++i)
        rrMs.push_back(1000.0 * (s.beatsInClip[i] - s.beatsInClip[i - 1]));
    s.meanHrBpm
        = 60000.0 * double(rrMs.size()) / (1000.0 * (s.beatsInClip.back() - s.beatsInClip.front()));
    if (robust) {
        // Beats found in a real recording can include a missed or spurious one; the HRV figures
        // skip those intervals as any HRV tool would.
        const dsp::Hrv h = dsp::hrvFromBeats(s.beatsInClip);
        if (h.valid) {
            s.sdnnMs = h.sdnnMs;
            s.rmssdMs = h.rmssdMs;
        }
        return s;
    }
    s.sdnnMs = rrMs.size() > 1 ? dsp::stddev(rrMs) : 0.0;
    double ss = 0;
    for (size_t i = 1; i < rrMs.size(); ++i)
        ss += (rrMs[i] - rrMs[i - 1]) * (rrMs[i] - rrMs[i - 1]);
    s.rmssdMs = rrMs.size() > 1 ? std::sqrt(ss / double(rrMs.size() - 1)) : 0.0;
    return s;
}

Error validatePulse(const PulseWaveConfig &c, double durationSec)
{
    if (!(durationSec > 0) || durationSec > 4 * 3600)
        return makeError(
            ErrorCode::Usage,
            QStringLiteral("duration must be between 0 and 4 hours, got %1 s").arg(durationSec));
    if (!c.ppgCsvPath.isEmpty()) {
        if (!(c.ppgCsvRateHz >= 0) || c.ppgCsvRateHz > 100000)
            return makeError(ErrorCode::Usage,
                             QStringLiteral("invalid PPG sample rate %1 Hz").arg(c.ppgCsvRateHz));
        if (!(c.ppgCsvOffsetSec >= 0))
            return makeError(ErrorCode::Usage,
                             QStringLiteral("invalid PPG offset %1 s").arg(c.ppgCsvOffsetSec));
        return {};
    }
    if (!(c.meanHrBpm >= 30 && c.meanHrBpm <= 240))
        return makeError(ErrorCode::Usage,
                         QStringLiteral("heart rate must be 30–240 bpm, got %1").arg(c.meanHrBpm));
    const double rrMs = 60000.0 / c.meanHrBpm;
    const double maxSdnn = std::min(150.0, 0.15 * rrMs);
    if (!(c.sdnnMs >= 0) || c.sdnnMs > maxSdnn)
        return makeError(ErrorCode::Usage, QStringLiteral("SDNN must be 0–%1 ms at %2 bpm, got %3")
                                               .arg(std::floor(maxSdnn))
                                               .arg(c.meanHrBpm)
                                               .arg(c.sdnnMs));
    if (!(c.respirationHz >= 0 && c.respirationHz <= 1.0))
        return makeError(ErrorCode::Usage,
                         QStringLiteral("respiration must be 0–1 Hz, got %1").arg(c.respirationHz));
    if (!(c.dicroticRatio >= 0 && c.dicroticRatio <= 1.0))
        return makeError(ErrorCode::Usage,
                         QStringLiteral("dicrotic ratio must be 0–1, got %1").arg(c.dicroticRatio));
    return {};
}

// RR intervals: mean HR, respiratory sinus arrhythmia, a ~0.1 Hz Mayer wave and white jitter.
// The variable part is scaled so that the intervals whose two beats both lie in the clip have
// exactly the requested mean and SDNN; since that set depends on the beat times, the scaling is
// repeated until it no longer changes.
PulseTrain modelTrain(const PulseWaveConfig &c, double durationSec, uint64_t seed)
{
    Random rng(streamSeed(seed, kStreamBeats));
    const double rr0 = 60.0 / c.meanHrBpm;
    const double respPhase = rng.uniform(0, 2 * kPi);
    const double mayerHz = rng.uniform(0.09, 0.11);
    const double mayerPhase = rng.uniform(0, 2 * kPi);
    const double firstBeat = rng.uniform(0.05, 0.95) * rr0;
    const int before = 6;
    const int after = int(std::ceil(durationSec / rr0 * 1.5)) + 6;
    // Index i >= 0: the interval after beat i (beat 0 is the first in the clip); i < 0 before it.
    std::vector<double> dev(before + after);
    for (int i = -before; i < after; ++i) {
        const double t = i * rr0;
        const double rsa
            = c.respirationHz > 0 ? std::sin(2 * kPi * c.respirationHz * t + respPhase) : 0.0;
        dev[i + before]
            = 1.0 * rsa + 0.7 * std::sin(2 * kPi * mayerHz * t + mayerPhase) + 0.5 * rng.normal();
    }

    std::vector<double> rr(dev.size(), rr0);
    std::vector<double> beats;
    auto layBeats = [&] {
        beats.assign(dev.size() + 1, 0.0);
        beats[before] = firstBeat;
        for (int i = before; i < int(dev.size()); ++i)
            beats[i + 1] = beats[i] + rr[i];
        for (int i = before - 1; i >= 0; --i)
            beats[i] = beats[i + 1] - rr[i];
    };
    auto intervalsInClip = [&] {
        int m = 0;
        while (before + m + 1 < int(beats.size()) && beats[before + m + 1] <= durationSec)
            ++m;
        return m;
    };
    layBeats();
    int inClip = intervalsInClip();
    if (c.sdnnMs > 0) {
        for (int iter = 0; iter < 10; ++iter) {
            const int m = std::max(inClip, 2);
            std::vector<double> window(dev.begin() + before, dev.begin() + before + m);
            const double mu = dsp::mean(window);
            const double sd = dsp::stddev(window);
            const double gain = sd > 1e-12 ? c.sdnnMs / 1000.0 / sd : 0.0;
            for (size_t i = 0; i < dev.size(); ++i)
                rr[i] = std::max(0.4 * rr0, rr0 + gain * (dev[i] - mu));
            layBeats();
            const int now = intervalsInClip();
            if (now == inClip)
                break;
            inClip = now;
        }
    }

    PulseTrain train;
    train.beats = beats;
    train.dicroticRatio = c.dicroticRatio;
    train.respirationHz = c.respirationHz;
    Random shape(streamSeed(seed, kStreamBeatShape));
    const double ampPhase = shape.uniform(0, 2 * kPi);
    train.baselinePhase = shape.uniform(0, 2 * kPi);
    // Breathing modulates the pulse amplitude and the baseline by a few per cent.
    train.baselineDepth = c.respirationHz > 0 ? 0.05 : 0.0;
    train.amplitude.resize(beats.size());
    for (size_t i = 0; i < beats.size(); ++i) {
        const double resp = c.respirationHz > 0
                                ? 0.07 * std::sin(2 * kPi * c.respirationHz * beats[i] + ampPhase)
                                : 0.0;
        train.amplitude[i] = std::max(0.5, 1.0 + resp + 0.03 * shape.normal());
    }
    return train;
}

Result<PulseTrain> recordedTrain(const PulseWaveConfig &c, double durationSec)
{
    auto series = readPpgCsv(c.ppgCsvPath, c.ppgCsvRateHz);
    if (!series.ok())
        return series.error();
    const PpgSeries &s = series.value();
    // A few frames of slack: the last frame starts before durationSec.
    if (s.durationSec() + 0.1 < c.ppgCsvOffsetSec + durationSec)
        return makeError(
            ErrorCode::Usage,
            QStringLiteral("the PPG recording %1 lasts %2 s; %3 s from %4 s are needed")
                .arg(QFileInfo(c.ppgCsvPath).fileName())
                .arg(s.durationSec(), 0, 'f', 1)
                .arg(durationSec, 0, 'f', 1)
                .arg(c.ppgCsvOffsetSec, 0, 'f', 1));
    PulseTrain train;
    for (double b : referenceBeats(s))
        train.beats.push_back(b - c.ppgCsvOffsetSec);
    int inClip = 0;
    for (double b : train.beats)
        inClip += (b >= 0 && b <= durationSec) ? 1 : 0;
    if (inClip < 2)
        return makeError(ErrorCode::BadData,
                         QStringLiteral("%1: no heartbeats found between %2 and %3 s")
                             .arg(QFileInfo(c.ppgCsvPath).fileName())
                             .arg(c.ppgCsvOffsetSec)
                             .arg(c.ppgCsvOffsetSec + durationSec));
    // The recording's drift and sensor noise are not blood volume: keep 0.3–12 Hz.
    const double fs = std::min(s.rateHz, 250.0);
    const int n = int(std::floor(s.durationSec() * fs)) + 1;
    std::vector<double> x = dsp::resampleLinear(s.timeSec, s.value, s.timeSec.front(), fs, n);
    const double highHz = std::min(12.0, 0.45 * fs);
    if (n > 32 && highHz > 0.5)
        x = dsp::sosFiltFilt(dsp::butterworthBandpass(2, 0.3, highHz, fs), x);
    train.samples = std::move(x);
    train.samplesFsHz = fs;
    train.samplesT0 = s.timeSec.front() - c.ppgCsvOffsetSec;
    return train;
}

// Scales the waveform so a typical beat spans 1 (foot to systolic peak) and the clip's minimum is
// 0.
void normaliseTrain(PulseTrain &train, double durationSec)
{
    const double step = 0.004;
    double lo = std::numeric_limits<double>::infinity();
    for (double t = 0; t <= durationSec; t += step)
        lo = std::min(lo, train.rawAt(t));
    std::vector<double> amps;
    const auto &b = train.beats;
    for (size_t k = 1; k < b.size(); ++k) {
        if (b[k] < 0 || b[k] > durationSec)
            continue;
        const double rr = b[k] - b[k - 1];
        double foot = std::numeric_limits<double>::infinity();
        for (double t = b[k - 1]; t <= b[k]; t += step)
            foot = std::min(foot, train.rawAt(t));
        double peak = -std::numeric_limits<double>::infinity();
        for (double t = b[k] - 0.15 * rr; t <= b[k] + 0.15 * rr; t += step)
            peak = std::max(peak, train.rawAt(t));
        if (peak > foot)
            amps.push_back(peak - foot);
    }
    const double typical = amps.empty() ? 1.0 : dsp::median(amps);
    train.offset = std::isfinite(lo) ? lo : 0.0;
    train.scale = typical > 0 ? 1.0 / typical : 1.0;
}

Result<PulseTrain> makePulseTrain(const PulseWaveConfig &c, double durationSec, uint64_t seed)
{
    if (Error e = validatePulse(c, durationSec); e.isError())
        return e;
    PulseTrain train;
    if (c.ppgCsvPath.isEmpty()) {
        train = modelTrain(c, durationSec, seed);
    } else {
        auto recorded = recordedTrain(c, durationSec);
        if (!recorded.ok())
            return recorded.error();
        train = std::move(recorded.value());
    }
    normaliseTrain(train, durationSec);
    return train;
}

// ---- the face ----------------------------------------------------------------------------------

using Landmarks = std::array<cv::Point2f, 68>;

cv::Point2f centroid(const Landmarks &lm, int from, int to)
{
    cv::Point2f c(0, 0);
    for (int i = from; i <= to; ++i)
        c += lm[i];
    return c * (1.0f / float(to - from + 1));
}

std::vector<cv::Point> scaledPolygon(const Landmarks &lm, int from, int to, float scaleAlong,
                                     float scaleAcross, cv::Point2f axis)
{
    const cv::Point2f c = centroid(lm, from, to);
    const cv::Point2f n(-axis.y, axis.x);
    std::vector<cv::Point> poly;
    for (int i = from; i <= to; ++i) {
        const cv::Point2f d = lm[i] - c;
        const float a = d.dot(axis) * scaleAlong;
        const float b = d.dot(n) * scaleAcross;
        poly.emplace_back(
            cv::Point(cvRound(c.x + a * axis.x + b * n.x), cvRound(c.y + a * axis.y + b * n.y)));
    }
    return poly;
}

// Landmark-derived measures of the face, in the coordinates the landmarks are in.
struct FaceFrame
{
    cv::Point2f up;         // unit vector from the chin towards the forehead
    cv::Point2f right;      // unit vector along the eye line (image left to right)
    float iod = 0;          // inter-ocular distance
    float foreheadLift = 0; // brow line to the top of the skin region
    cv::Point2f chin, browMid, top;
    float heightPx = 0; // chin to the top of the forehead
    cv::Point2f center;
};

FaceFrame faceFrame(const Landmarks &lm)
{
    FaceFrame f;
    const cv::Point2f eyeL = centroid(lm, 36, 41), eyeR = centroid(lm, 42, 47);
    f.iod = float(cv::norm(eyeR - eyeL));
    f.right = (eyeR - eyeL) * (1.0f / std::max(f.iod, 1e-3f));
    f.up = cv::Point2f(f.right.y, -f.right.x); // image y grows downwards
    f.chin = lm[8];
    f.browMid = centroid(lm, 17, 26);
    // Facial thirds: hairline to brows is about brows to the base of the nose; the skin region
    // stops a little short of the hairline.
    const float browToNose = float(cv::norm(lm[33] - f.browMid));
    f.foreheadLift = 0.85f * browToNose;
    f.top = f.browMid + f.up * f.foreheadLift;
    f.heightPx = float(cv::norm(f.top - f.chin));
    f.center = (f.top + f.chin) * 0.5f;
    return f;
}

// Skin colour statistics of the face: median and robust spread of Y, Cr, Cb inside a region.
struct SkinColour
{
    double y = 0, cr = 0, cb = 0;
    double sCr = 1, sCb = 1;
};

double histogramQuantile(const std::array<int, 256> &h, int total, double q)
{
    const double target = q * total;
    int acc = 0;
    for (int i = 0; i < 256; ++i) {
        acc += h[i];
        if (acc >= target)
            return i;
    }
    return 255;
}

SkinColour fitSkinColour(const cv::Mat &ycrcb, const cv::Mat &region)
{
    std::array<std::array<int, 256>, 3> hist{};
    int total = 0;
    for (int y = 0; y < ycrcb.rows; ++y) {
        const cv::Vec3b *p = ycrcb.ptr<cv::Vec3b>(y);
        const uchar *m = region.ptr<uchar>(y);
        for (int x = 0; x < ycrcb.cols; ++x) {
            if (!m[x])
                continue;
            for (int c = 0; c < 3; ++c)
                ++hist[c][p[x][c]];
            ++total;
        }
    }
    SkinColour s;
    if (total == 0)
        return s;
    s.y = histogramQuantile(hist[0], total, 0.5);
    s.cr = histogramQuantile(hist[1], total, 0.5);
    s.cb = histogramQuantile(hist[2], total, 0.5);
    // Interquartile range / 1.349 = a standard deviation that stray pixels in the region do not
    // inflate; the floor keeps very even skin from being cut to a few pixels. (Blond or brown hair
    // differs from skin by only a few levels of Cb, so the floor must stay small.)
    s.sCr = std::max(
        2.0, (histogramQuantile(hist[1], total, 0.75) - histogramQuantile(hist[1], total, 0.25))
                 / 1.349);
    s.sCb = std::max(
        2.0, (histogramQuantile(hist[2], total, 0.75) - histogramQuantile(hist[2], total, 0.25))
                 / 1.349);
    return s;
}

double smoothStep(double e0, double e1, double x)
{
    const double t = std::clamp((x - e0) / (e1 - e0), 0.0, 1.0);
    return t * t * (3 - 2 * t);
}

// Skin likelihood 0..1 from the fitted colour: full inside `inner` standard deviations in CrCb,
// none beyond `outer`; deep shadows, hair (much darker than the skin at nearly the same chroma)
// and blown highlights are not skin.
cv::Mat skinLikelihood(const cv::Mat &ycrcb, const SkinColour &sc, double inner, double outer,
                       double darkFraction)
{
    cv::Mat out(ycrcb.size(), CV_32F);
    std::array<float, 256> yWeight;
    for (int v = 0; v < 256; ++v)
        yWeight[v] = float(smoothStep(darkFraction * sc.y, (darkFraction + 0.2) * sc.y, v)
                           * (1.0 - smoothStep(245, 252, v)));
    for (int y = 0; y < ycrcb.rows; ++y) {
        const cv::Vec3b *p = ycrcb.ptr<cv::Vec3b>(y);
        float *o = out.ptr<float>(y);
        for (int x = 0; x < ycrcb.cols; ++x) {
            const double dr = (p[x][1] - sc.cr) / sc.sCr;
            const double db = (p[x][2] - sc.cb) / sc.sCb;
            const double d = std::sqrt(dr * dr + db * db);
            o[x] = float(1.0 - smoothStep(inner, outer, d)) * yWeight[p[x][0]];
        }
    }
    return out;
}

// The region of facial skin that carries the pulse, as a soft mask (0..1): the jaw-line hull
// extended over the forehead, minus eyes, brows, lips and nostrils, refined by the face's own skin
// colour and feathered.
cv::Mat facialSkinMask(const cv::Mat &bgr, const cv::Mat &ycrcb, const Landmarks &lm,
                       const FaceFrame &f, SkinColour *colourOut)
{
    std::vector<cv::Point2f> pts;
    for (int i = 0; i <= 16; ++i)
        pts.push_back(lm[i]);
    for (int i = 17; i <= 26; ++i)
        pts.push_back(lm[i] + f.up * f.foreheadLift);
    std::vector<cv::Point2f> hullF;
    cv::convexHull(pts, hullF);
    std::vector<cv::Point> hull;
    for (const auto &p : hullF)
        hull.emplace_back(cvRound(p.x), cvRound(p.y));

    cv::Mat geom = cv::Mat::zeros(bgr.size(), CV_8U);
    cv::fillConvexPoly(geom, hull, cv::Scalar(255), cv::LINE_AA);
    cv::threshold(geom, geom, 127, 255, cv::THRESH_BINARY);
    // Eyes with lids and lashes, brows, lips, nostrils: not skin, or not pulsatile skin.
    const std::vector<std::vector<cv::Point>> holes = {
        scaledPolygon(lm, 36, 41, 1.6f, 2.6f, f.right),
        scaledPolygon(lm, 42, 47, 1.6f, 2.6f, f.right),
        scaledPolygon(lm, 48, 59, 1.1f, 1.25f, f.right),
    };
    cv::fillPoly(geom, holes, cv::Scalar(0));
    const int browThickness = std::max(2, cvRound(0.18 * f.iod));
    for (int from : {17, 22}) {
        // The brow landmarks follow the brow's upper edge; the band is centred a little lower.
        std::vector<cv::Point> brow;
        for (int i = from; i < from + 5; ++i) {
            const cv::Point2f q = lm[i] - f.up * (0.05f * f.iod);
            brow.emplace_back(cvRound(q.x), cvRound(q.y));
        }
        cv::polylines(geom, brow, false, cv::Scalar(0), browThickness, cv::LINE_8);
    }
    const cv::Point2f nostrils = lm[33] + f.up * (0.05f * f.iod);
    const float nostrilHalfWidth = 0.45f * float(cv::norm(lm[35] - lm[31]));
    const double rollDeg = std::atan2(f.right.y, f.right.x) * 180.0 / kPi;
    cv::ellipse(geom, cv::Point(cvRound(nostrils.x), cvRound(nostrils.y)),
                cv::Size(cvRound(nostrilHalfWidth), std::max(2, cvRound(0.1 * f.iod))), rollDeg, 0,
                360, cv::Scalar(0), cv::FILLED);

    // The colour model is fitted on the cheeks and nose, which hair never covers (the forehead
    // often is under a fringe).
    std::vector<cv::Point2f> corePts;
    for (int i : {1, 2, 3, 13, 14, 15, 29, 31, 33, 35})
        corePts.push_back(lm[i]);
    std::vector<cv::Point2f> coreHullF;
    cv::convexHull(corePts, coreHullF);
    std::vector<cv::Point> coreHull;
    for (const auto &p : coreHullF)
        coreHull.emplace_back(cvRound(p.x), cvRound(p.y));
    cv::Mat core = cv::Mat::zeros(bgr.size(), CV_8U);
    cv::fillConvexPoly(core, coreHull, cv::Scalar(255));
    core &= geom;
    const SkinColour sc = fitSkinColour(ycrcb, cv::countNonZero(core) >= 30 ? core : geom);
    if (colourOut)
        *colourOut = sc;
    cv::Mat colour = skinLikelihood(ycrcb, sc, 2.5, 3.5, 0.55);
    cv::GaussianBlur(colour, colour, cv::Size(), 1.0);

    cv::Mat soft;
    geom.convertTo(soft, CV_32F, 1.0 / 255.0);
    soft = soft.mul(colour);
    cv::GaussianBlur(soft, soft, cv::Size(), std::max(1.0, 0.05 * f.iod));
    return soft;
}

// Skin of the whole head and neck for re-toning: the skin colour near the face, loosely.
cv::Mat retoneMask(const cv::Mat &ycrcb, const Landmarks &lm, const FaceFrame &f,
                   const SkinColour &sc)
{
    cv::Mat region = cv::Mat::zeros(ycrcb.size(), CV_8U);
    std::vector<cv::Point2f> pts;
    for (int i = 0; i <= 16; ++i)
        pts.push_back(lm[i]);
    for (int i = 17; i <= 26; ++i)
        pts.push_back(lm[i] + f.up * (1.3f * f.foreheadLift));
    // The neck: below the jaw, about as wide as the face is between the jaw corners.
    const cv::Point2f down = -f.up;
    pts.push_back(lm[4] + down * (0.9f * f.heightPx));
    pts.push_back(lm[12] + down * (0.9f * f.heightPx));
    std::vector<cv::Point2f> hullF;
    cv::convexHull(pts, hullF);
    std::vector<cv::Point> hull;
    for (const auto &p : hullF)
        hull.emplace_back(cvRound(p.x), cvRound(p.y));
    cv::fillConvexPoly(region, hull, cv::Scalar(255));
    cv::dilate(region, region,
               cv::getStructuringElement(cv::MORPH_ELLIPSE,
                                         cv::Size(1, 1) * std::max(3, cvRound(1.2 * f.iod))));
    cv::Mat w;
    region.convertTo(w, CV_32F, 1.0 / 255.0);
    // Loose: shaded skin (ears, jaw, neck) must darken with the face or it would stand out;
    // darkening a few hairs as well does no harm.
    w = w.mul(skinLikelihood(ycrcb, sc, 3.0, 4.5, 0.3));
    cv::GaussianBlur(w, w, cv::Size(), std::max(1.0, 0.08 * f.iod));
    return w;
}

// Re-tones skin towards the typical L*a*b* of a Fitzpatrick type: lightness scaled (so shading
// and texture keep their relative contrast), chroma shifted.
void retoneSkin(cv::Mat &bgrF, const cv::Mat &weight, const cv::Mat &faceSkin, int fitzpatrick)
{
    cv::Mat unit, lab;
    bgrF.convertTo(unit, CV_32F, 1.0 / 255.0);
    cv::cvtColor(unit, lab, cv::COLOR_BGR2Lab);
    double sw = 0;
    cv::Vec3d m(0, 0, 0);
    for (int y = 0; y < lab.rows; ++y) {
        const cv::Vec3f *p = lab.ptr<cv::Vec3f>(y);
        const float *w = faceSkin.ptr<float>(y);
        for (int x = 0; x < lab.cols; ++x) {
            if (w[x] < 0.5f)
                continue;
            m += cv::Vec3d(p[x]) * double(w[x]);
            sw += w[x];
        }
    }
    if (sw <= 0)
        return;
    m /= sw;
    const LabTone &t = kFitzpatrickLab[fitzpatrick];
    const float kL = float(t.l / std::max(m[0], 1.0));
    const float da = float(t.a - m[1]), db = float(t.b - m[2]);
    cv::Mat toned = lab.clone();
    for (int y = 0; y < toned.rows; ++y) {
        cv::Vec3f *p = toned.ptr<cv::Vec3f>(y);
        for (int x = 0; x < toned.cols; ++x)
            p[x] = cv::Vec3f(std::min(100.0f, p[x][0] * kL), p[x][1] + da, p[x][2] + db);
    }
    cv::cvtColor(toned, toned, cv::COLOR_Lab2BGR);
    for (int y = 0; y < bgrF.rows; ++y) {
        cv::Vec3f *o = bgrF.ptr<cv::Vec3f>(y);
        const cv::Vec3f *r = toned.ptr<cv::Vec3f>(y);
        const float *w = weight.ptr<float>(y);
        for (int x = 0; x < bgrF.cols; ++x) {
            if (w[x] <= 0)
                continue;
            const cv::Vec3f target = r[x] * 255.0f;
            o[x] = o[x] * (1.0f - w[x]) + target * w[x];
        }
    }
}

// A smooth random field in [-1, 1]: a coarse grid of random values, interpolated.
cv::Mat smoothField(Random &rng, cv::Size size, int cells)
{
    cv::Mat grid(cells, cells, CV_32F);
    for (int i = 0; i < cells * cells; ++i)
        grid.at<float>(i) = float(rng.uniform(-1, 1));
    cv::Mat out;
    cv::resize(grid, out, size, 0, 0, cv::INTER_CUBIC);
    double lo, hi;
    cv::minMaxLoc(out, &lo, &hi);
    const double m = std::max(std::abs(lo), std::abs(hi));
    if (m > 0)
        out *= 1.0 / m;
    return out;
}

double weightedMean(const cv::Mat &x, const cv::Mat &w)
{
    const double sw = cv::sum(w)[0];
    return sw > 0 ? cv::sum(x.mul(w))[0] / sw : 0.0;
}

// Fills the masked-out part of an image from its surroundings (push-pull on an image pyramid).
cv::Mat fillFromSurroundings(const cv::Mat &bgrF, const cv::Mat &known)
{
    std::vector<cv::Mat> premult, weight;
    cv::Mat w = known.clone();
    cv::Mat p;
    {
        cv::Mat w3;
        cv::merge(std::vector<cv::Mat>{w, w, w}, w3);
        p = bgrF.mul(w3);
    }
    premult.push_back(p);
    weight.push_back(w);
    while (premult.back().cols > 4 && premult.back().rows > 4) {
        cv::Mat p2, w2;
        const cv::Size half((premult.back().cols + 1) / 2, (premult.back().rows + 1) / 2);
        cv::resize(premult.back(), p2, half, 0, 0, cv::INTER_AREA);
        cv::resize(weight.back(), w2, half, 0, 0, cv::INTER_AREA);
        premult.push_back(p2);
        weight.push_back(w2);
    }
    cv::Mat filled;
    for (int l = int(premult.size()) - 1; l >= 0; --l) {
        cv::Mat up;
        if (!filled.empty())
            cv::resize(filled, up, premult[l].size(), 0, 0, cv::INTER_LINEAR);
        cv::Mat cur(premult[l].size(), CV_32FC3);
        for (int y = 0; y < cur.rows; ++y) {
            const cv::Vec3f *pp = premult[l].ptr<cv::Vec3f>(y);
            const float *ww = weight[l].ptr<float>(y);
            cv::Vec3f *o = cur.ptr<cv::Vec3f>(y);
            const cv::Vec3f *u = up.empty() ? nullptr : up.ptr<cv::Vec3f>(y);
            for (int x = 0; x < cur.cols; ++x) {
                const float a = std::min(1.0f, ww[x]);
                const cv::Vec3f own = ww[x] > 1e-6f ? pp[x] * (1.0f / ww[x]) : cv::Vec3f(0, 0, 0);
                o[x] = u ? own * a + u[x] * (1.0f - a) : own;
            }
        }
        filled = cur;
    }
    return filled;
}

// ---- motion and light --------------------------------------------------------------------------

// A smooth trajectory: a few low-frequency sinusoids with random frequencies (0.05–0.5 Hz) and
// phases, scaled so that its largest excursion over the clip equals `amplitude`.
std::vector<double> trajectory(Random &rng, int frames, double fps, double amplitude)
{
    std::vector<double> x(frames, 0.0);
    if (amplitude <= 0 || frames == 0)
        return x;
    const double weights[3] = {1.0, 0.5, 0.25};
    double f[3], ph[3];
    for (int k = 0; k < 3; ++k) {
        f[k] = 0.05 * std::pow(10.0, rng.uniform(0, 1)); // log-uniform in 0.05..0.5 Hz
        ph[k] = rng.uniform(0, 2 * kPi);
    }
    double peak = 0;
    for (int i = 0; i < frames; ++i) {
        const double t = i / fps;
        double v = 0;
        for (int k = 0; k < 3; ++k)
            v += weights[k] * std::sin(2 * kPi * f[k] * t + ph[k]);
        x[i] = v;
        peak = std::max(peak, std::abs(v));
    }
    if (peak > 1e-9) {
        for (double &v : x)
            v *= amplitude / peak;
    }
    return x;
}

struct Motion
{
    std::vector<double> dxPx, dyPx, angleDeg, scale;
};

Motion makeMotion(const SynthConfig &c, int frames, uint64_t seed)
{
    Random rng(streamSeed(seed, kStreamMotion));
    Motion m;
    m.dxPx = trajectory(rng, frames, c.fps, c.motionTranslationPx);
    m.dyPx = trajectory(rng, frames, c.fps, c.motionTranslationPx);
    m.angleDeg = trajectory(rng, frames, c.fps, c.motionRotationDeg);
    m.scale = trajectory(rng, frames, c.fps, c.motionScale);
    // Breathing moves the head a little, in time with the respiration of the pulse model.
    if (c.motionTranslationPx > 0 && c.pulse.respirationHz > 0) {
        const double bob = std::min(1.5, 0.15 * c.motionTranslationPx);
        const double ph = rng.uniform(0, 2 * kPi);
        for (int i = 0; i < frames; ++i)
            m.dyPx[i] += bob * std::sin(2 * kPi * c.pulse.respirationHz * i / c.fps + ph);
    }
    for (double &s : m.scale)
        s += 1.0;
    return m;
}

struct Lighting
{
    std::vector<std::array<double, 3>> gainBgr; // per frame, per channel (drift × flicker)
};

Lighting makeLighting(const SynthConfig &c, int frames, uint64_t seed)
{
    Random rng(streamSeed(seed, kStreamLight));
    Lighting l;
    l.gainBgr.resize(frames);
    const double f1 = rng.uniform(0.02, 0.06), f2 = rng.uniform(0.08, 0.15),
                 f3 = rng.uniform(0.02, 0.08);
    const double p1 = rng.uniform(0, 2 * kPi), p2 = rng.uniform(0, 2 * kPi),
                 p3 = rng.uniform(0, 2 * kPi);
    const double pf = rng.uniform(0, 2 * kPi);
    std::vector<double> drift(frames), tint(frames);
    double peak = 0, tintPeak = 0;
    for (int i = 0; i < frames; ++i) {
        const double t = i / c.fps;
        drift[i] = 0.7 * std::sin(2 * kPi * f1 * t + p1) + 0.3 * std::sin(2 * kPi * f2 * t + p2);
        tint[i] = std::sin(2 * kPi * f3 * t + p3);
        peak = std::max(peak, std::abs(drift[i]));
        tintPeak = std::max(tintPeak, std::abs(tint[i]));
    }
    for (int i = 0; i < frames; ++i) {
        const double t = i / c.fps;
        const double d = peak > 1e-9 ? c.illuminationDrift * drift[i] / peak : 0.0;
        // A slight colour-temperature change rides on the drift: warmer (R up, B down) or cooler.
        const double warm = tintPeak > 1e-9 ? 0.25 * c.illuminationDrift * tint[i] / tintPeak : 0.0;
        const double flicker = 1.0 + c.flickerAmplitude * std::sin(2 * kPi * c.flickerHz * t + pf);
        l.gainBgr[i]
            = {(1 + d) * (1 - warm) * flicker, (1 + d) * flicker, (1 + d) * (1 + warm) * flicker};
    }
    return l;
}

// ---- noise -------------------------------------------------------------------------------------

// Standard normal quantiles at (i + 0.5) / 65536: a table lookup with a fast generator gives
// Gaussian noise for a million values per frame at a few nanoseconds each.
const std::vector<float> &gaussianTable()
{
    static const std::vector<float> table = [] {
        std::vector<float> t(65536);
        auto cdf = [](double x) {
            return 0.5 * std::erfc(-x / std::sqrt(2.0));
        };
        // Bisection for the first quantile, then Newton steps from each neighbour (the table is
        // monotone and dense, so two or three steps converge).
        double lo = -10, hi = 10;
        for (int it = 0; it < 60; ++it) {
            const double mid = 0.5 * (lo + hi);
            (cdf(mid) < 0.5 / 65536.0 ? lo : hi) = mid;
        }
        double x = 0.5 * (lo + hi);
        for (int i = 0; i < 65536; ++i) {
            const double p = (i + 0.5) / 65536.0;
            for (int it = 0; it < 4; ++it) {
                const double density = std::exp(-0.5 * x * x) / std::sqrt(2.0 * kPi);
                const double step = (cdf(x) - p) / density;
                x -= step;
                if (std::abs(step) < 1e-12)
                    break;
            }
            t[i] = float(x);
        }
        return t;
    }();
    return table;
}

// The last pass of a frame: fixed light gradient × per-channel gain, sensor noise, rounding to
// 8 bits. Rows are independent (each seeds its own generator), so the result does not depend on
// how the rows are split between threads.
class FinishPass : public cv::ParallelLoopBody
{
public:
    FinishPass(const cv::Mat &src, const cv::Mat &gradient, const std::array<double, 3> &gain,
               double sigma, uint64_t seed, cv::Mat &dst)
        : m_src(src)
        , m_gradient(gradient)
        , m_sigma(float(sigma))
        , m_seed(seed)
        , m_dst(dst)
        , m_table(gaussianTable().data())
    {
        for (int c = 0; c < 3; ++c)
            m_gain[c] = float(gain[c]);
    }

    void operator()(const cv::Range &rows) const override
    {
        const int cols = m_src.cols;
        for (int y = rows.start; y < rows.end; ++y) {
            uint64_t state = m_seed ^ (uint64_t(y + 1) * 0x9E3779B97F4A7C15ULL);
            uint64_t bits = splitMix64(state);
            int left = 4;
            auto nextNoise = [&]() {
                if (left == 0) {
                    bits = splitMix64(state);
                    left = 4;
                }
                const float v = m_table[bits & 0xFFFF];
                bits >>= 16;
                --left;
                return v;
            };
            const float *s = m_src.ptr<float>(y);
            const float *g = m_gradient.ptr<float>(y);
            uchar *d = m_dst.ptr<uchar>(y);
            for (int x = 0; x < cols; ++x) {
                for (int c = 0; c < 3; ++c) {
                    float v = s[3 * x + c] * g[x] * m_gain[c];
                    if (m_sigma > 0)
                        v += m_sigma * nextNoise();
                    d[3 * x + c] = cv::saturate_cast<uchar>(v);
                }
            }
        }
    }

private:
    const cv::Mat &m_src;
    const cv::Mat &m_gradient;
    float m_gain[3];
    float m_sigma;
    uint64_t m_seed;
    cv::Mat &m_dst;
    const float *m_table;
};

// ---- the scene ---------------------------------------------------------------------------------

cv::Matx33d toMatx33(const cv::Matx23d &m)
{
    return cv::Matx33d(m(0, 0), m(0, 1), m(0, 2), m(1, 0), m(1, 1), m(1, 2), 0, 0, 1);
}

cv::Matx23d toMatx23(const cv::Matx33d &m)
{
    return cv::Matx23d(m(0, 0), m(0, 1), m(0, 2), m(1, 0), m(1, 1), m(1, 2));
}

cv::Point2d apply(const cv::Matx23d &m, cv::Point2d p)
{
    return {m(0, 0) * p.x + m(0, 1) * p.y + m(0, 2), m(1, 0) * p.x + m(1, 1) * p.y + m(1, 2)};
}

// Everything that does not change between frames, in "texture" coordinates (the part of the
// photo that can ever be visible, at about output resolution).
struct Scene
{
    cv::Size frameSize;
    double frameScale = 1;      // photo pixels → frame pixels
    double textureScale = 1;    // photo pixels → texture pixels
    cv::Matx23d textureToFrame; // without motion
    cv::Point2d faceCenterFrame;
    cv::Rect2d faceBoxFrame; // the tracker's face box, in the frame without motion
    double faceHeightFramePx = 0;

    cv::Mat baseF;              // CV_32FC3, 0..255, re-toned photo region
    cv::Rect skinBox;           // where the pulse modulates the texture
    cv::Mat kA, kB;             // CV_32FC3 over skinBox: modulation depth for the two delay layers
    cv::Mat skinMask8;          // CV_8UC1 texture-sized ground-truth mask (255 = skin)
    cv::Mat backgroundF;        // CV_32FC3 frame-sized empty scene (face absent)
    cv::Mat lightGradient;      // CV_32FC1 frame-sized
    double amplitudeFactor = 1; // Fitzpatrick attenuation of the pulse
    double skinPixelsFrame = 0; // GT mask area in the frame without motion
};

Result<Scene> buildScene(const SynthConfig &c, const cv::Mat &photo, const Landmarks &lmPhoto,
                         const cv::Rect2f &faceBoxPhoto, uint64_t seed)
{
    Scene s;
    s.frameSize = cv::Size(c.width, c.height);
    const FaceFrame fp = faceFrame(lmPhoto);
    if (fp.heightPx < 8 || fp.iod < 4)
        return makeError(
            ErrorCode::NoFace,
            QStringLiteral("the face in the photo is too small (%1 px)").arg(fp.heightPx));

    s.frameScale = kFaceHeightFraction * c.height * c.faceScale / fp.heightPx;
    // Where the frame looks into the photo: the face slightly above the centre, as in a portrait,
    // and the view shifted to stay inside the photo where the photo is big enough.
    const double cropW = c.width / s.frameScale, cropH = c.height / s.frameScale;
    double cropX = fp.center.x - 0.5 * cropW;
    double cropY = fp.center.y - 0.45 * cropH;
    auto fit = [](double origin, double size, double limit) {
        if (size >= limit)
            return 0.5 * (limit - size);
        return std::clamp(origin, 0.0, limit - size);
    };
    cropX = fit(cropX, cropW, photo.cols);
    cropY = fit(cropY, cropH, photo.rows);

    // The texture covers the view plus what motion can bring into it.
    const double halfDiag = 0.5 * std::hypot(c.width, c.height);
    const double marginFrame
        = c.motionTranslationPx * 1.3 + 2.0
          + halfDiag * (std::abs(c.motionScale) + c.motionRotationDeg * kPi / 180.0);
    const double margin = marginFrame / s.frameScale + 2;
    cv::Rect texRect(cvFloor(cropX - margin), cvFloor(cropY - margin),
                     cvCeil(cropW + 2 * margin) + 1, cvCeil(cropH + 2 * margin) + 1);
    texRect &= cv::Rect(0, 0, photo.cols, photo.rows);
    if (texRect.area() <= 0)
        return makeError(ErrorCode::Internal, QStringLiteral("the face lies outside the photo"));
    s.textureScale = std::min(1.0, s.frameScale);
    cv::Mat tex8;
    if (s.textureScale < 1.0)
        cv::resize(photo(texRect), tex8, cv::Size(), s.textureScale, s.textureScale,
                   cv::INTER_AREA);
    else
        tex8 = photo(texRect).clone();
    const double k = s.frameScale / s.textureScale;
    s.textureToFrame = cv::Matx23d(k, 0, (texRect.x - cropX) * s.frameScale, 0, k,
                                   (texRect.y - cropY) * s.frameScale);

    Landmarks lm;
    for (int i = 0; i < 68; ++i)
        lm[i] = cv::Point2f(float((lmPhoto[i].x - texRect.x) * s.textureScale),
                            float((lmPhoto[i].y - texRect.y) * s.textureScale));
    const FaceFrame f = faceFrame(lm);
    const cv::Point2d photoToFrameOffset(-cropX * s.frameScale, -cropY * s.frameScale);
    s.faceCenterFrame
        = cv::Point2d(fp.center.x * s.frameScale, fp.center.y * s.frameScale) + photoToFrameOffset;
    s.faceBoxFrame
        = cv::Rect2d(faceBoxPhoto.x * s.frameScale + photoToFrameOffset.x,
                     faceBoxPhoto.y * s.frameScale + photoToFrameOffset.y,
                     faceBoxPhoto.width * s.frameScale, faceBoxPhoto.height * s.frameScale);
    s.faceHeightFramePx = fp.heightPx * s.frameScale;

    cv::Mat ycrcb;
    cv::cvtColor(tex8, ycrcb, cv::COLOR_BGR2YCrCb);
    SkinColour colour;
    const cv::Mat soft = facialSkinMask(tex8, ycrcb, lm, f, &colour);
    cv::Mat mask8;
    cv::compare(soft, 0.5, mask8, cv::CMP_GE);
    if (cv::countNonZero(mask8) < 50)
        return makeError(ErrorCode::NoFace,
                         QStringLiteral("no skin found on the face in the photo"));
    s.skinMask8 = mask8;

    tex8.convertTo(s.baseF, CV_32FC3);
    if (c.fitzpatrick >= 1 && c.fitzpatrick <= 6)
        retoneSkin(s.baseF, retoneMask(ycrcb, lm, f, colour), soft, c.fitzpatrick);
    s.amplitudeFactor = kFitzpatrickAmplitude[std::clamp(c.fitzpatrick, 0, 6)];

    // Amplitude and delay maps over the skin: smooth, seeded, stronger on cheeks and forehead.
    const cv::Mat anySkin = soft > 0.01f;
    cv::Rect box = cv::boundingRect(anySkin);
    box = (box + cv::Size(2, 2) - cv::Point(1, 1)) & cv::Rect(0, 0, soft.cols, soft.rows);
    s.skinBox = box;
    Random rng(streamSeed(seed, kStreamMaps));
    const cv::Mat softBox = soft(box);
    const cv::Mat field = smoothField(rng, box.size(), 5);
    cv::Mat prior = cv::Mat::zeros(box.size(), CV_32F);
    const cv::Point2f cheekL = (lm[2] + lm[31]) * 0.5f + f.up * (0.1f * f.iod);
    const cv::Point2f cheekR = (lm[14] + lm[35]) * 0.5f + f.up * (0.1f * f.iod);
    const cv::Point2f forehead = f.browMid + f.up * (0.5f * f.foreheadLift);
    const float blobSigma = 0.4f * f.iod;
    for (int y = 0; y < box.height; ++y) {
        float *p = prior.ptr<float>(y);
        for (int x = 0; x < box.width; ++x) {
            const cv::Point2f q(float(x + box.x), float(y + box.y));
            float v = 0;
            for (const cv::Point2f &centre : {cheekL, cheekR, forehead}) {
                const cv::Point2f d = q - centre;
                v = std::max(v, std::exp(-0.5f * d.dot(d) / (blobSigma * blobSigma)));
            }
            p[x] = v;
        }
    }
    const double priorMean = weightedMean(prior, softBox);
    cv::Mat w = 1.0 + 0.12 * field + 0.35 * (prior - priorMean);
    for (int it = 0; it < 3; ++it) {
        const double m = weightedMean(w, softBox);
        if (m > 0)
            w *= 1.0 / m;
        const cv::Mat floor07 = cv::max(w, 0.7);
        w = cv::min(floor07, 1.3);
    }
    cv::Mat u = 0.5 + 0.5 * smoothField(rng, box.size(), 4);
    const cv::Mat floor0 = cv::max(u, 0.0);
    u = cv::min(floor0, 1.0);

    // Feathered edges and the amplitude map must not change the overall depth: over the
    // ground-truth mask the mean relative modulation of green is pulseAmplitude.
    cv::Mat depthMap = softBox.mul(w);
    const double meanDepth = cv::mean(depthMap, mask8(box))[0];
    const double gainG = c.pulseAmplitude * s.amplitudeFactor / std::max(meanDepth, 0.1);
    const float channelGain[3] = {float(gainG * kSignatureRgb[2] / kSignatureRgb[1]), float(gainG),
                                  float(gainG * kSignatureRgb[0] / kSignatureRgb[1])}; // B, G, R
    s.kA.create(box.size(), CV_32FC3);
    s.kB.create(box.size(), CV_32FC3);
    for (int y = 0; y < box.height; ++y) {
        const cv::Vec3f *b = s.baseF.ptr<cv::Vec3f>(y + box.y) + box.x;
        const float *sm = softBox.ptr<float>(y);
        const float *ww = w.ptr<float>(y);
        const float *uu = u.ptr<float>(y);
        cv::Vec3f *ka = s.kA.ptr<cv::Vec3f>(y);
        cv::Vec3f *kb = s.kB.ptr<cv::Vec3f>(y);
        for (int x = 0; x < box.width; ++x) {
            const float depth = sm[x] * ww[x];
            for (int ch = 0; ch < 3; ++ch) {
                const float full = b[x][ch] * channelGain[ch] * depth;
                ka[x][ch] = full * (1.0f - uu[x]);
                kb[x][ch] = full * uu[x];
            }
        }
    }

    // Light from one side, fixed in the frame: when the head moves, its skin moves through the
    // gradient and changes brightness as in real recordings.
    Random light(streamSeed(seed, kStreamLightDirection));
    const double side = light.uniform() < 0.5 ? -1.0 : 1.0;
    const double theta = light.uniform(-0.5, 0.5);
    const cv::Point2d dir(side * std::cos(theta), std::sin(theta));
    s.lightGradient.create(s.frameSize, CV_32F);
    const cv::Point2d mid(0.5 * c.width, 0.5 * c.height);
    for (int y = 0; y < c.height; ++y) {
        float *g = s.lightGradient.ptr<float>(y);
        for (int x = 0; x < c.width; ++x) {
            const double proj = ((x - mid.x) * dir.x + (y - mid.y) * dir.y) / halfDiag; // -1..1
            g[x] = float(1.0 - kLightGradientDepth * 0.5 * (1.0 - proj));
        }
    }

    // The empty scene: the head filled in from its surroundings, heavily defocused.
    if (!c.absentIntervals.empty()) {
        cv::Mat known(tex8.size(), CV_32F, cv::Scalar(1));
        const cv::Point2f headCentre = f.center + f.up * (0.15f * f.heightPx);
        const float faceWidth = float(cv::norm(lm[16] - lm[0]));
        cv::ellipse(known, cv::Point(cvRound(headCentre.x), cvRound(headCentre.y)),
                    cv::Size(cvRound(0.9f * faceWidth), cvRound(0.85f * f.heightPx)),
                    std::atan2(f.right.y, f.right.x) * 180.0 / kPi, 0, 360, cv::Scalar(0),
                    cv::FILLED);
        cv::Mat filled = fillFromSurroundings(s.baseF, known);
        cv::GaussianBlur(filled, filled, cv::Size(), std::max(2.0, 0.04 * c.width / k));
        cv::warpAffine(filled, s.backgroundF, s.textureToFrame, s.frameSize, cv::INTER_LINEAR,
                       cv::BORDER_REPLICATE);
    }

    cv::Mat frameMask;
    cv::warpAffine(s.skinMask8, frameMask, s.textureToFrame, s.frameSize, cv::INTER_LINEAR,
                   cv::BORDER_CONSTANT);
    const cv::Mat frameSkin = frameMask > 127;
    s.skinPixelsFrame = cv::countNonZero(frameSkin);
    return s;
}

cv::Matx23d frameTransform(const Scene &s, const Motion &m, int i)
{
    if (m.dxPx.empty())
        return s.textureToFrame;
    const double a = m.angleDeg[i] * kPi / 180.0;
    const double sc = m.scale[i];
    const double ca = sc * std::cos(a), sa = sc * std::sin(a);
    const cv::Point2d c = s.faceCenterFrame;
    // Rotate and scale about the face centre, then translate.
    const cv::Matx33d motion(ca, -sa, c.x + m.dxPx[i] - (ca * c.x - sa * c.y), sa, ca,
                             c.y + m.dyPx[i] - (sa * c.x + ca * c.y), 0, 0, 1);
    return toMatx23(motion * toMatx33(s.textureToFrame));
}

// ---- validation and outputs --------------------------------------------------------------------

Error validateConfig(const SynthConfig &c)
{
    auto usage = [](const QString &m) {
        return makeError(ErrorCode::Usage, m);
    };
    if (c.width < 64 || c.height < 64 || c.width > 7680 || c.height > 4320)
        return usage(QStringLiteral("frame size must be 64×64 to 7680×4320, got %1×%2")
                         .arg(c.width)
                         .arg(c.height));
    if (c.width % 2 || c.height % 2)
        return usage(QStringLiteral("frame width and height must be even, got %1×%2")
                         .arg(c.width)
                         .arg(c.height));
    if (!(c.fps >= 1 && c.fps <= 240))
        return usage(QStringLiteral("frame rate must be 1–240 fps, got %1").arg(c.fps));
    if (!(c.durationSec > 0) || c.durationSec > 4 * 3600)
        return usage(
            QStringLiteral("duration must be between 0 and 4 hours, got %1 s").arg(c.durationSec));
    if (std::llround(c.durationSec * c.fps) < 1)
        return usage(QStringLiteral("the clip would have no frames"));
    if (!(c.pulseAmplitude >= 0 && c.pulseAmplitude <= 0.2))
        return usage(QStringLiteral("pulse amplitude must be 0–0.2, got %1").arg(c.pulseAmplitude));
    if (c.fitzpatrick < 0 || c.fitzpatrick > 6)
        return usage(QStringLiteral("Fitzpatrick skin type must be 0 (photo) or 1–6, got %1")
                         .arg(c.fitzpatrick));
    if (!(c.motionTranslationPx >= 0
          && c.motionTranslationPx <= 0.25 * std::min(c.width, c.height)))
        return usage(QStringLiteral("translation must be 0–%1 px, got %2")
                         .arg(0.25 * std::min(c.width, c.height))
                         .arg(c.motionTranslationPx));
    if (!(c.motionRotationDeg >= 0 && c.motionRotationDeg <= 45))
        return usage(QStringLiteral("rotation must be 0–45°, got %1").arg(c.motionRotationDeg));
    if (!(c.motionScale >= 0 && c.motionScale <= 0.5))
        return usage(QStringLiteral("scale change must be 0–0.5, got %1").arg(c.motionScale));
    if (!(c.illuminationDrift >= 0 && c.illuminationDrift <= 0.9))
        return usage(
            QStringLiteral("illumination drift must be 0–0.9, got %1").arg(c.illuminationDrift));
    if (!(c.flickerAmplitude >= 0 && c.flickerAmplitude <= 0.9))
        return usage(
            QStringLiteral("flicker amplitude must be 0–0.9, got %1").arg(c.flickerAmplitude));
    if (!(c.flickerHz >= 0 && c.flickerHz <= 1000))
        return usage(
            QStringLiteral("flicker frequency must be 0–1000 Hz, got %1").arg(c.flickerHz));
    if (!(c.noiseSigma >= 0 && c.noiseSigma <= 64))
        return usage(QStringLiteral("noise sigma must be 0–64 levels, got %1").arg(c.noiseSigma));
    if (!(c.faceScale >= 0.1 && c.faceScale <= 4))
        return usage(QStringLiteral("face scale must be 0.1–4, got %1").arg(c.faceScale));
    for (const auto &[a, b] : c.absentIntervals) {
        if (!(a >= 0 && b > a))
            return usage(QStringLiteral("invalid absent interval %1–%2 s").arg(a).arg(b));
    }
    if (c.variants.empty())
        return usage(QStringLiteral("no output video given"));
    QStringList seen;
    for (const SynthVariant &v : c.variants) {
        if (v.videoPath.isEmpty())
            return usage(QStringLiteral("an output video path is empty"));
        const QString abs = QFileInfo(v.videoPath).absoluteFilePath();
        if (seen.contains(abs))
            return usage(QStringLiteral("output %1 is given twice").arg(v.videoPath));
        seen << abs;
    }
    const QString first = c.variants.front().videoPath;
    for (const QString &side :
         {groundTruthPathFor(first), maskPathFor(first), synthMetaPathFor(first)}) {
        if (seen.contains(QFileInfo(side).absoluteFilePath()))
            return usage(QStringLiteral("output %1 would be overwritten by a side file").arg(side));
    }
    return {};
}

QString bundledPhotoAttribution()
{
    return QStringLiteral(
        "Portrait of NASA astronaut Eileen Collins, official NASA photograph (public domain in "
        "the United States), via scikit-image's sample data (skimage/data/astronaut.png); "
        "see resources/faces/ATTRIBUTION.md. The pulse is simulated.");
}

QString pathForMeta(const QString &path, const QDir &metaDir)
{
    const QString rel = metaDir.relativeFilePath(QFileInfo(path).absoluteFilePath());
    return rel.startsWith(QLatin1String("..")) ? QFileInfo(path).absoluteFilePath() : rel;
}

QString codecNameFor(const EncoderSettings &e)
{
    const QString c = e.codec.toLower();
    if (c == QLatin1String("h264"))
        return QStringLiteral("x264");
    if (c == QLatin1String("hevc"))
        return QStringLiteral("x265");
    return c;
}

// Removes every output of a failed or cancelled run.
struct OutputGuard
{
    std::vector<std::unique_ptr<VideoEncoder>> encoders;
    QStringList paths;
    bool committed = false;

    ~OutputGuard()
    {
        if (committed)
            return;
        for (auto &e : encoders) {
            if (e)
                e->abort();
        }
        for (const QString &p : paths)
            QFile::remove(p);
    }
};

struct FacePhoto
{
    cv::Mat image;
    FaceObservation face;
};

// Reads a photo and finds the face and its landmarks in it.
Result<FacePhoto> loadFacePhoto(const QString &photoPath)
{
    if (!QFileInfo(photoPath).isFile())
        return makeError(ErrorCode::FileNotFound,
                         QStringLiteral("face photo not found: %1").arg(photoPath));
    FacePhoto out;
    try {
        out.image = cv::imread(QFile::encodeName(photoPath).toStdString(), cv::IMREAD_COLOR);
    } catch (const cv::Exception &e) {
        qCWarning(lcSynth) << "imread failed:" << e.what();
    }
    if (out.image.empty())
        return makeError(ErrorCode::BadData,
                         QStringLiteral("cannot decode the face photo %1").arg(photoPath));
    try {
        // One still photo: detect at (nearly) full resolution so small faces in big photos count.
        FaceTrackerConfig trackerConfig;
        trackerConfig.detectMaxWidthPx = std::min(out.image.cols, 1600);
        trackerConfig.minFaceFraction = 0.02;
        FaceTracker tracker(trackerConfig);
        if (Error e = tracker.init(); e.isError())
            return e;
        out.face = tracker.process(out.image, 0.0);
    } catch (const cv::Exception &e) {
        return makeError(
            ErrorCode::Internal,
            QStringLiteral("finding the face in %1 failed: %2").arg(photoPath, QString::fromUtf8(e.what())));
    }
    if (!out.face.found() || !out.face.landmarksValid)
        return makeError(ErrorCode::NoFace, QStringLiteral("no face found in the photo %1").arg(photoPath));
    return out;
}

} // namespace

Error checkFacePhoto(const QString &photoPath)
{
    auto photo = loadFacePhoto(photoPath);
    return photo.ok() ? Error::none() : photo.error();
}

bool applyMotionPreset(SynthConfig &config, const QString &name)
{
    struct Preset
    {
        const char *name;
        double translatePx;   // for a 480-line frame
        double rotateDeg;
        double scale;
    };
    static constexpr Preset kPresets[] = {
        {"none", 0, 0, 0},
        {"mild", 3, 1.5, 0.015},
        {"strong", 15, 6, 0.06},
    };
    for (const Preset &p : kPresets) {
        if (name.trimmed().toLower() == QLatin1String(p.name)) {
            config.motionTranslationPx = p.translatePx * config.height / 480.0;
            config.motionRotationDeg = p.rotateDeg;
            config.motionScale = p.scale;
            return true;
        }
    }
    return false;
}

double typicalSdnnMs(double meanHrBpm)
{
    if (!(meanHrBpm > 0))
        return 40.0;
    const double ratio = 72.0 / meanHrBpm;
    return std::min({40.0 * ratio * ratio, 150.0, 0.15 * 60000.0 / meanHrBpm});
}

QString groundTruthPathFor(const QString &videoPath)
{
    const QFileInfo fi(videoPath);
    return fi.dir().filePath(fi.completeBaseName() + QStringLiteral(".gt.csv"));
}

QString maskPathFor(const QString &videoPath)
{
    const QFileInfo fi(videoPath);
    return fi.dir().filePath(fi.completeBaseName() + QStringLiteral(".mask.mkv"));
}

double synthBreathingRate(const QString &videoPath)
{
    const auto meta = readJsonObject(synthMetaPathFor(videoPath));
    if (!meta.ok())
        return std::numeric_limits<double>::quiet_NaN();
    const QJsonObject pulse = meta->value(QStringLiteral("pulse")).toObject();
    const double hz = pulse.value(QStringLiteral("respiration_hz")).toDouble(-1);
    if (pulse.value(QStringLiteral("source")).toString() != QStringLiteral("model") || !(hz > 0 && hz <= 1))
        return std::numeric_limits<double>::quiet_NaN();
    return hz * 60.0;
}

QString synthMetaPathFor(const QString &videoPath)
{
    const QFileInfo fi(videoPath);
    return fi.dir().filePath(fi.completeBaseName() + QStringLiteral(".synth.json"));
}

Result<PulseWave> makePulseWave(const PulseWaveConfig &config, double durationSec, double fsHz,
                                uint64_t seed)
{
    if (!(fsHz > 0 && fsHz <= 10000))
        return makeError(ErrorCode::Usage,
                         QStringLiteral("sample rate must be 0–10000 Hz, got %1").arg(fsHz));
    auto train = makePulseTrain(config, durationSec, seed);
    if (!train.ok())
        return train.error();
    const PulseTrain &t = train.value();
    PulseWave w;
    w.fsHz = fsHz;
    const int n = std::max(1, int(std::llround(durationSec * fsHz)));
    w.ppg.resize(n);
    w.instantHrBpm.resize(n);
    for (int i = 0; i < n; ++i) {
        const double ts = i / fsHz;
        w.ppg[i] = t.valueAt(ts);
        w.instantHrBpm[i] = 60.0 / t.rrAt(ts);
    }
    for (double b : t.beats) {
        if (b >= 0 && b <= durationSec)
            w.beatTimesSec.push_back(b);
    }
    return w;
}

Result<SynthResult> generateSynthVideo(const SynthConfig &config, const ProgressFn &progress,
                                       const std::atomic<bool> *cancel)
{
    if (Error e = validateConfig(config); e.isError())
        return e;
    for (const SynthVariant &v : config.variants) {
        if (!VideoEncoder::isCodecAvailable(v.encoder.codec))
            return makeError(ErrorCode::Unsupported,
                             QStringLiteral("codec '%1' is not available in this build (for %2)")
                                 .arg(v.encoder.codec, v.videoPath));
        const QFileInfo out(v.videoPath);
        if (!out.absoluteDir().exists())
            return makeError(
                ErrorCode::WriteFailed,
                QStringLiteral("cannot write %1: the folder does not exist").arg(v.videoPath));
        if (out.isDir())
            return makeError(ErrorCode::WriteFailed,
                             QStringLiteral("cannot write %1: it is a folder").arg(v.videoPath));
    }
    if (config.writeMasks && !VideoEncoder::isCodecAvailable(QStringLiteral("ffv1")))
        return makeError(
            ErrorCode::Unsupported,
            QStringLiteral("the FFV1 codec for the masks is not available in this build"));

    const int frames = int(std::llround(config.durationSec * config.fps));
    auto pulse = makePulseTrain(config.pulse, config.durationSec, config.seed);
    if (!pulse.ok())
        return pulse.error();
    const PulseTrain &train = pulse.value();
    const BeatStats stats
        = beatStats(train.beats, config.durationSec, !config.pulse.ppgCsvPath.isEmpty());

    // The face photo and its landmarks.
    const bool bundled = config.facePhotoPath.isEmpty();
    const QString photoPath
        = bundled ? resourcePath(QStringLiteral("faces/astronaut.png")) : config.facePhotoPath;
    if (photoPath.isEmpty())
        return makeError(ErrorCode::FileNotFound,
                         QStringLiteral("the bundled face photo (resources/faces/astronaut.png) "
                                        "is missing; set RPPG_RESOURCE_DIR or give a photo"));
    auto facePhoto = loadFacePhoto(photoPath);
    if (!facePhoto.ok())
        return facePhoto.error();
    Scene scene;
    try {
        auto built = buildScene(config, facePhoto->image, facePhoto->face.landmarks, facePhoto->face.box,
                                config.seed);
        if (!built.ok())
            return built.error();
        scene = std::move(built.value());
    } catch (const cv::Exception &e) {
        return makeError(
            ErrorCode::Internal,
            QStringLiteral("preparing the face failed: %1").arg(QString::fromUtf8(e.what())));
    }
    qCInfo(lcSynth).nospace() << "face " << qRound(scene.faceHeightFramePx)
                              << " px tall (hairline to chin), scale " << scene.frameScale << ", "
                              << scene.skinPixelsFrame << " skin pixels";

    const Motion motion
        = (config.motionTranslationPx > 0 || config.motionRotationDeg > 0 || config.motionScale > 0)
              ? makeMotion(config, frames, config.seed)
              : Motion{};
    const Lighting lighting = makeLighting(config, frames, config.seed);

    // Pulse value per frame for the two delay layers, zero-mean over the clip.
    std::vector<double> ppgAtFrame(frames), pA(frames), pB(frames);
    double mean = 0;
    for (int i = 0; i < frames; ++i) {
        const double t = i / config.fps;
        ppgAtFrame[i] = train.valueAt(t);
        pA[i] = ppgAtFrame[i];
        pB[i] = train.valueAt(t - kPhaseSpreadSec);
        mean += ppgAtFrame[i];
    }
    mean /= std::max(frames, 1);
    for (int i = 0; i < frames; ++i) {
        pA[i] -= mean;
        pB[i] -= mean;
    }
    auto faceVisibleAt = [&](double t) {
        for (const auto &[a, b] : config.absentIntervals) {
            if (t >= a && t < b)
                return false;
        }
        return true;
    };

    // Outputs.
    OutputGuard guard;
    const QString firstPath = config.variants.front().videoPath;
    std::vector<EncoderSettings> settings;
    for (const SynthVariant &v : config.variants) {
        EncoderSettings es = v.encoder;
        es.width = config.width;
        es.height = config.height;
        es.fps = config.fps;
        es.grey = false;
        auto enc = std::make_unique<VideoEncoder>();
        guard.paths << v.videoPath;
        if (Error e = enc->open(v.videoPath, es); e.isError())
            return e;
        guard.encoders.push_back(std::move(enc));
        settings.push_back(es);
    }
    std::unique_ptr<VideoEncoder> maskEncoder;
    const QString maskPath = config.writeMasks ? maskPathFor(firstPath) : QString();
    if (config.writeMasks) {
        EncoderSettings es;
        es.codec = QStringLiteral("ffv1");
        es.width = config.width;
        es.height = config.height;
        es.fps = config.fps;
        es.grey = true;
        maskEncoder = std::make_unique<VideoEncoder>();
        guard.paths << maskPath;
        if (Error e = maskEncoder->open(maskPath, es); e.isError())
            return e;
    }

    const uint64_t noiseSeed = streamSeed(config.seed, kStreamNoise);
    cv::Mat work = scene.baseF.clone();
    cv::Mat frameF(scene.frameSize, CV_32FC3), out8(scene.frameSize, CV_8UC3),
        mask8(scene.frameSize, CV_8UC1);
    const cv::Mat emptyMask = cv::Mat::zeros(scene.frameSize, CV_8UC1);
    const bool still = motion.dxPx.empty();
    // Without motion only the skin's footprint in the frame changes from frame to frame.
    cv::Rect stillRect;
    cv::Mat stillMask;
    if (still) {
        cv::warpAffine(work, frameF, scene.textureToFrame, scene.frameSize, cv::INTER_LINEAR,
                       cv::BORDER_REPLICATE);
        std::vector<cv::Point2f> corners;
        const cv::Rect b = scene.skinBox;
        for (const cv::Point2d p :
             {cv::Point2d(b.x - 2, b.y - 2), cv::Point2d(b.br().x + 2, b.y - 2),
              cv::Point2d(b.x - 2, b.br().y + 2), cv::Point2d(b.br().x + 2, b.br().y + 2)})
            corners.push_back(cv::Point2f(apply(scene.textureToFrame, p)));
        stillRect = cv::boundingRect(corners) & cv::Rect(cv::Point(0, 0), scene.frameSize);
        cv::warpAffine(scene.skinMask8, stillMask, scene.textureToFrame, scene.frameSize,
                       cv::INTER_LINEAR, cv::BORDER_CONSTANT);
        cv::threshold(stillMask, stillMask, 127, 255, cv::THRESH_BINARY);
    }

    const bool noPulse = !(config.pulseAmplitude > 0);
    QByteArray gt;
    gt.reserve(frames * 48 + 512);
    double renderMs = 0, encodeMs = 0;
    QElapsedTimer timer;
    for (int i = 0; i < frames; ++i) {
        if (cancel && cancel->load())
            return makeError(ErrorCode::Cancelled, QStringLiteral("synthesis cancelled"));
        timer.start();
        const double t = i / config.fps;
        const bool visible = faceVisibleAt(t);
        const cv::Mat *src = &frameF;
        const cv::Mat *mask = &emptyMask;
        try {
            if (visible) {
                cv::Mat roi = work(scene.skinBox);
                cv::scaleAdd(scene.kA, -pA[i], scene.baseF(scene.skinBox), roi);
                cv::scaleAdd(scene.kB, -pB[i], roi, roi);
                if (still) {
                    // The footprint of the skin box, warped alone with the frame offset folded in.
                    cv::Matx23d m = scene.textureToFrame;
                    m(0, 2) -= stillRect.x;
                    m(1, 2) -= stillRect.y;
                    cv::Mat dst = frameF(stillRect);
                    cv::warpAffine(work, dst, m, stillRect.size(), cv::INTER_LINEAR,
                                   cv::BORDER_REPLICATE);
                    mask = &stillMask;
                } else {
                    const cv::Matx23d m = frameTransform(scene, motion, i);
                    cv::warpAffine(work, frameF, m, scene.frameSize, cv::INTER_LINEAR,
                                   cv::BORDER_REPLICATE);
                    if (maskEncoder) {
                        cv::warpAffine(scene.skinMask8, mask8, m, scene.frameSize, cv::INTER_LINEAR,
                                       cv::BORDER_CONSTANT);
                        cv::threshold(mask8, mask8, 127, 255, cv::THRESH_BINARY);
                        mask = &mask8;
                    }
                }
            } else {
                src = &scene.backgroundF;
            }
            const FinishPass pass(*src, scene.lightGradient, lighting.gainBgr[i], config.noiseSigma,
                                  noiseSeed ^ (uint64_t(i) * 0xA24BAED4963EE407ULL), out8);
            cv::parallel_for_(cv::Range(0, scene.frameSize.height), pass);
        } catch (const cv::Exception &e) {
            return makeError(ErrorCode::Internal, QStringLiteral("rendering frame %1 failed: %2")
                                                      .arg(i)
                                                      .arg(QString::fromUtf8(e.what())));
        }
        renderMs += timer.nsecsElapsed() / 1e6;

        timer.start();
        for (auto &enc : guard.encoders) {
            if (Error e = enc->write(out8); e.isError())
                return e;
        }
        if (maskEncoder) {
            if (Error e = maskEncoder->write(*mask); e.isError())
                return e;
        }
        encodeMs += timer.nsecsElapsed() / 1e6;

        // Without a pulse (amplitude 0) the skin never changes with it: the PPG is flat and there
        // is no heart rate to compare with.
        gt += QByteArray::number(i) + ',' + QByteArray::number(t, 'f', 6) + ','
              + (noPulse ? QByteArray("0") : QByteArray::number(ppgAtFrame[i], 'f', 6)) + ','
              + (noPulse ? QByteArray() : QByteArray::number(60.0 / train.rrAt(t), 'f', 3)) + ','
              + (visible ? '1' : '0') + '\n';
        if (progress)
            progress(i + 1, frames);
    }
    for (auto &enc : guard.encoders) {
        if (Error e = enc->finish(); e.isError())
            return e;
    }
    if (maskEncoder) {
        if (Error e = maskEncoder->finish(); e.isError())
            return e;
    }
    qCInfo(lcSynth).nospace() << "rendered " << frames << " frames at "
                              << (renderMs > 0 ? frames * 1000.0 / renderMs : 0)
                              << " fps (render only), encoding took " << encodeMs / 1000.0 << " s";

    SynthResult result;
    result.frames = frames;
    result.meanHrBpm = stats.meanHrBpm;
    result.sdnnMs = stats.sdnnMs;
    result.rmssdMs = stats.rmssdMs;
    result.maskPath = maskPath;
    for (auto &enc : guard.encoders)
        result.variantStats.push_back(enc->stats());

    if (config.writeGroundTruth) {
        const QString gtPath = groundTruthPathFor(firstPath);
        const QString metaPath = synthMetaPathFor(firstPath);
        QByteArray head;
        head += "# generator: rppg-studio synth " RPPG_VERSION_STRING " (model "
                + QByteArray::number(kModelVersion) + ")\n";
        head += "# mean_hr_bpm: " + QByteArray::number(stats.meanHrBpm, 'f', 3) + '\n';
        head += "# sdnn_ms: " + QByteArray::number(stats.sdnnMs, 'f', 3) + '\n';
        head += "# rmssd_ms: " + QByteArray::number(stats.rmssdMs, 'f', 3) + '\n';
        head += "# fps: " + QByteArray::number(config.fps, 'g', 10) + '\n';
        head += "# seed: " + QByteArray::number(qulonglong(config.seed)) + '\n';
        head += "# ppg: blood volume (rises at systole), typical beat 0..1; hr_bpm: 60 / the beat "
                "interval containing time_s\n";
        if (noPulse)
            head += QByteArray(kNoPulseMarker) + " (rendered with amplitude 0): ppg is flat and hr_bpm empty\n";
        head += "frame,time_s,ppg,hr_bpm,face_visible\n";
        guard.paths << gtPath;
        if (Error e = writeFileAtomically(gtPath, head + gt); e.isError())
            return e;

        const QDir metaDir = QFileInfo(metaPath).absoluteDir();
        QJsonObject pulseJson{
            {QStringLiteral("rendered"), !noPulse},   // false: amplitude 0, the model's beats unused
            {QStringLiteral("source"), config.pulse.ppgCsvPath.isEmpty()
                                           ? QStringLiteral("model")
                                           : QStringLiteral("recording")},
            {QStringLiteral("requested_mean_hr_bpm"), config.pulse.meanHrBpm},
            {QStringLiteral("requested_sdnn_ms"), config.pulse.sdnnMs},
            {QStringLiteral("respiration_hz"), config.pulse.respirationHz},
            {QStringLiteral("dicrotic_ratio"), config.pulse.dicroticRatio},
            {QStringLiteral("mean_hr_bpm"), stats.meanHrBpm},
            {QStringLiteral("sdnn_ms"), stats.sdnnMs},
            {QStringLiteral("rmssd_ms"), stats.rmssdMs},
        };
        if (!config.pulse.ppgCsvPath.isEmpty()) {
            pulseJson.insert(QStringLiteral("ppg_csv"),
                             pathForMeta(config.pulse.ppgCsvPath, metaDir));
            pulseJson.insert(QStringLiteral("ppg_csv_rate_hz"), config.pulse.ppgCsvRateHz);
            pulseJson.insert(QStringLiteral("ppg_csv_offset_s"), config.pulse.ppgCsvOffsetSec);
        }
        QJsonArray beats;
        for (double b : stats.beatsInClip)
            beats.append(std::round(b * 1e6) / 1e6);
        pulseJson.insert(QStringLiteral("beat_times_s"), beats);

        QJsonArray absent;
        for (const auto &[a, b] : config.absentIntervals)
            absent.append(QJsonArray{a, b});
        QJsonArray variants;
        for (size_t i = 0; i < config.variants.size(); ++i) {
            const EncoderSettings &es = settings[i];
            const EncodeStats &st = result.variantStats[i];
            variants.append(QJsonObject{
                {QStringLiteral("path"), pathForMeta(config.variants[i].videoPath, metaDir)},
                {QStringLiteral("codec"), codecNameFor(es)},
                {QStringLiteral("bitrate_bps"), double(es.bitrateBps)},
                {QStringLiteral("crf"), es.crf},
                {QStringLiteral("preset"), es.preset},
                {QStringLiteral("gop_frames"), es.gopFrames},
                {QStringLiteral("pixel_format"), es.pixelFormat},
                {QStringLiteral("frames"), double(st.frames)},
                {QStringLiteral("file_bytes"), double(st.fileBytes)},
                {QStringLiteral("achieved_bitrate_bps"), std::round(st.achievedBitrateBps)},
            });
        }
        const QString photoRef
            = bundled ? QStringLiteral("faces/astronaut.png") : pathForMeta(photoPath, metaDir);
        QJsonObject meta{
            {QStringLiteral("generator"), QStringLiteral("rppg-studio synth")},
            {QStringLiteral("version"), QStringLiteral(RPPG_VERSION_STRING)},
            {QStringLiteral("model_version"), kModelVersion},
            {QStringLiteral("seed"), QString::number(qulonglong(config.seed))},
            {QStringLiteral("width"), config.width},
            {QStringLiteral("height"), config.height},
            {QStringLiteral("fps"), config.fps},
            {QStringLiteral("duration_s"), config.durationSec},
            {QStringLiteral("frames"), frames},
            {QStringLiteral("pulse"), pulseJson},
            {QStringLiteral("optics"),
             QJsonObject{
                 {QStringLiteral("pulse_amplitude"), config.pulseAmplitude},
                 {QStringLiteral("signature_rgb"),
                  QJsonArray{kSignatureRgb[0], kSignatureRgb[1], kSignatureRgb[2]}},
                 {QStringLiteral("fitzpatrick"), config.fitzpatrick},
                 {QStringLiteral("skin_amplitude_factor"), scene.amplitudeFactor},
                 {QStringLiteral("phase_spread_ms"), kPhaseSpreadSec * 1000.0},
             }},
            {QStringLiteral("motion"),
             QJsonObject{
                 {QStringLiteral("translation_px"), config.motionTranslationPx},
                 {QStringLiteral("rotation_deg"), config.motionRotationDeg},
                 {QStringLiteral("scale"), config.motionScale},
             }},
            {QStringLiteral("illumination"),
             QJsonObject{
                 {QStringLiteral("drift"), config.illuminationDrift},
                 {QStringLiteral("flicker_amplitude"), config.flickerAmplitude},
                 {QStringLiteral("flicker_hz"), config.flickerHz},
                 {QStringLiteral("gradient_depth"), kLightGradientDepth},
             }},
            {QStringLiteral("noise_sigma"), config.noiseSigma},
            {QStringLiteral("absent_intervals_s"), absent},
            {QStringLiteral("face"),
             QJsonObject{
                 {QStringLiteral("photo"), photoRef},
                 {QStringLiteral("attribution"),
                  bundled ? bundledPhotoAttribution() : QStringLiteral("user-supplied photo")},
                 {QStringLiteral("face_scale"), config.faceScale},
                 {QStringLiteral("photo_to_frame_scale"), scene.frameScale},
                 {QStringLiteral("face_height_px"), scene.faceHeightFramePx},
                 {QStringLiteral("face_box_px"),
                  QJsonArray{std::round(scene.faceBoxFrame.x), std::round(scene.faceBoxFrame.y),
                             std::round(scene.faceBoxFrame.width),
                             std::round(scene.faceBoxFrame.height)}},
                 {QStringLiteral("skin_pixels"), scene.skinPixelsFrame},
             }},
            {QStringLiteral("outputs"),
             QJsonObject{
                 {QStringLiteral("ground_truth"), pathForMeta(gtPath, metaDir)},
                 {QStringLiteral("mask"),
                  config.writeMasks ? QJsonValue(pathForMeta(maskPath, metaDir)) : QJsonValue()},
                 {QStringLiteral("variants"), variants},
             }},
        };
        if (!config.subject.isEmpty())
            meta.insert(QStringLiteral("subject"), config.subject);
        guard.paths << metaPath;
        if (Error e = writeFileAtomically(metaPath, QJsonDocument(meta).toJson(QJsonDocument::Indented));
            e.isError())
            return e;
        result.groundTruthPath = gtPath;
        result.metaPath = metaPath;
    }
    guard.committed = true;
    return result;
}

} // namespace rppg
