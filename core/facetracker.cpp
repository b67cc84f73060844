// Budget: face tracking and the skin colour share ~1.5 ms per 640x480 frame on one core, which
// rules out a detection (6.5 ms at 320 px) or a landmark fit on every frame. So:
//  - HOG detection only to acquire a face and, once a second, to verify it in a small crop;
//  - Lucas-Kanade points (a few dozen, on a downscaled window) carry box and landmarks from frame
//    to frame with a robust similarity;
//  - the 68-point fit every few frames, smoothed, and the box re-derived from its rigid points;
//  - a cheap appearance check, so a track that has slid onto background is verified and ended.
// Measured: ~0.6-0.8 ms per frame for tracker + skin region (tst_face benchmarkThroughput).

#include "facetracker.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>

#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_processing/shape_predictor.h>
#include <dlib/opencv/cv_image.h>
#include <dlib/serialize.h>

#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>

namespace rppg {

Q_LOGGING_CATEGORY(lcFace, "rppg.core.face", QtWarningMsg)

namespace {

constexpr int kNumLandmarks = 68;

// Detection. Re-detection runs in a crop around the track, scaled so the face is
// kDetectFacePx wide (the HOG window is 80 px) and kDetectRegionFactor times the box.
constexpr double kDetectFacePx = 90;
constexpr double kDetectRegionFactor = 1.9;
constexpr double kAcceptIou = 0.3;      // a re-detection must overlap the track this much
constexpr double kSnapIou = 0.5;        // below this the track had drifted: jump to the detection
constexpr int kFineSearchEvery = 4;     // every Nth search without a face also tries a finer scale
constexpr int kMaxMissedDetections = 2; // consecutive failed re-detections end a track
// After a loss, searches also look around the place of the loss for a while, in a crop this
// much larger than the face box (finds small faces the coarse full-frame search misses).
constexpr double kLostSearchSec = 2.0;
constexpr double kLostRegionFactor = 3.0;

// Lucas–Kanade tracking, in pixels of the downscaled tracking image. The tracking scale keeps
// the face box at 48..96 px; the tracking image covers the box and 35 % around it.
constexpr double kLkFacePx = 48;
constexpr double kLkWindowFactor = 1.7;
constexpr int kLkWinPx = 11;
constexpr int kLkMaxLevel = 2;
constexpr int kLkMaxPoints = 40;
constexpr int kLkMinPoints = 8;
constexpr double kLkMaxFbErrorPx = 1.0; // forward-backward error above which a point is dropped
constexpr int kLkReseedFrames = 30;
// Plausible motion from one frame to the next; beyond it the track is lost.
constexpr double kMinFrameScale = 0.85;
constexpr double kMaxFrameScale = 1.18;
constexpr double kMaxFrameRollRad = 0.35;   // ~20 degrees
constexpr double kMinVisibleFraction = 0.5; // of the box inside the frame

// Appearance check: a normalised grey patch of the face compared with the one at the last
// detection. LK happily follows a textured background once the face has gone; the appearance
// changes a lot then, which triggers a verifying detection.
constexpr int kPatchPx = 32;
constexpr double kVerifyNcc = 0.5;
constexpr double kLostNcc = 0.3;

// Landmark smoothing. Between fits the points move with the tracked head motion; a fit then
// pulls them toward its result by a factor that grows with the difference. Fit noise (~0.5 px
// on a 125 px face) is mostly damped, real changes (expressions, drift) pass within a fit or
// two. The damping matters: the region's borders cross strong brightness edges (brows, hair,
// nose), and 0.15 px of border jitter doubled the frame-to-frame noise of the mean colour.
constexpr double kSmoothMinAlpha = 0.05;
constexpr double kSmoothDeadZone = 0.01; // of the box size: below, only kSmoothMinAlpha
constexpr double kSmoothRamp = 0.04;     // of the box size: above dead zone + ramp, all of it

// The landmarks that move rigidly with the head (brows, nose, eyes); the box follows them.
constexpr int kRigidFirst = 17;
constexpr int kRigidLast = 47;

// 2D similarity q = [a -b; b a] p + t.
struct Similarity
{
    double a = 1, b = 0, tx = 0, ty = 0;

    cv::Point2f apply(const cv::Point2f &p) const
    {
        return {float(a * p.x - b * p.y + tx), float(b * p.x + a * p.y + ty)};
    }
    double scale() const { return std::hypot(a, b); }
    double angleRad() const { return std::atan2(b, a); }
};

// Least-squares similarity from p to q over the points where `use` is set (all when empty).
bool fitSimilarity(const cv::Point2f *p, const cv::Point2f *q, size_t n,
                   const std::vector<uchar> *use, Similarity &out)
{
    double mpx = 0, mpy = 0, mqx = 0, mqy = 0;
    size_t count = 0;
    for (size_t i = 0; i < n; ++i) {
        if (use && !(*use)[i])
            continue;
        mpx += p[i].x;
        mpy += p[i].y;
        mqx += q[i].x;
        mqy += q[i].y;
        ++count;
    }
    if (count < 2)
        return false;
    mpx /= count;
    mpy /= count;
    mqx /= count;
    mqy /= count;
    double sxx = 0, sa = 0, sb = 0;
    for (size_t i = 0; i < n; ++i) {
        if (use && !(*use)[i])
            continue;
        const double x0 = p[i].x - mpx, y0 = p[i].y - mpy;
        const double x1 = q[i].x - mqx, y1 = q[i].y - mqy;
        sxx += x0 * x0 + y0 * y0;
        sa += x0 * x1 + y0 * y1;
        sb += x0 * y1 - y0 * x1;
    }
    if (sxx < 1e-9)
        return false;
    out.a = sa / sxx;
    out.b = sb / sxx;
    out.tx = mqx - (out.a * mpx - out.b * mpy);
    out.ty = mqy - (out.b * mpx + out.a * mpy);
    return true;
}

int markInliers(const std::vector<cv::Point2f> &p, const std::vector<cv::Point2f> &q,
                const Similarity &s, double thresholdPx, std::vector<uchar> &inliers)
{
    const double t2 = thresholdPx * thresholdPx;
    int count = 0;
    inliers.resize(p.size());
    for (size_t i = 0; i < p.size(); ++i) {
        const cv::Point2f r = s.apply(p[i]) - q[i];
        inliers[i] = (double(r.x) * r.x + double(r.y) * r.y) < t2;
        count += inliers[i];
    }
    return count;
}

// RANSAC over two-point similarities, then least squares on the inliers. Deterministic (fixed
// seed), so tests and reruns give identical tracks. Returns the inlier count.
int robustSimilarity(const std::vector<cv::Point2f> &p, const std::vector<cv::Point2f> &q,
                     double thresholdPx, Similarity &out, std::vector<uchar> &inliers)
{
    const int n = int(p.size());
    if (n < 3)
        return 0;
    cv::RNG rng(0x5eed1234);
    const double t2 = thresholdPx * thresholdPx;
    int bestCount = 0;
    Similarity best;
    const int iterations = std::min(64, n * (n - 1) / 2);
    for (int it = 0; it < iterations; ++it) {
        const int i = rng.uniform(0, n);
        const int j = rng.uniform(0, n);
        const cv::Point2f dp = p[j] - p[i];
        const cv::Point2f dq = q[j] - q[i];
        const double den = double(dp.x) * dp.x + double(dp.y) * dp.y;
        if (i == j || den < 4.0)
            continue; // too close to pin down rotation and scale
        Similarity s;
        s.a = (double(dp.x) * dq.x + double(dp.y) * dq.y) / den;
        s.b = (double(dp.x) * dq.y - double(dp.y) * dq.x) / den;
        s.tx = q[i].x - (s.a * p[i].x - s.b * p[i].y);
        s.ty = q[i].y - (s.b * p[i].x + s.a * p[i].y);
        int count = 0;
        for (int k = 0; k < n; ++k) {
            const cv::Point2f r = s.apply(p[k]) - q[k];
            count += (double(r.x) * r.x + double(r.y) * r.y) < t2;
        }
        if (count > bestCount) {
            bestCount = count;
            best = s;
        }
    }
    if (bestCount < 3)
        return 0;
    // Two refinement rounds: the least-squares fit may pull in points the sample missed.
    Similarity refined = best;
    int count = markInliers(p, q, best, thresholdPx, inliers);
    for (int round = 0; round < 2; ++round) {
        if (!fitSimilarity(p.data(), q.data(), p.size(), &inliers, refined))
            return 0;
        count = markInliers(p, q, refined, thresholdPx, inliers);
    }
    out = refined;
    return count;
}

// A face box in the shape predictor's convention: the centre, the distance between the centres
// of the first and the last pixel (`span`, = dlib's right - left) and the in-plane roll.
struct FaceFrame
{
    cv::Point2f centre;
    float spanPx = 0;
    float rollRad = 0;

    cv::Rect2f box() const
    {
        return {centre.x - spanPx * 0.5f - 0.5f, centre.y - spanPx * 0.5f - 0.5f, spanPx + 1,
                spanPx + 1};
    }
};

double iou(const cv::Rect2f &a, const cv::Rect2f &b)
{
    const double inter = (a & b).area();
    const double uni = a.area() + b.area() - inter;
    return uni > 0 ? inter / uni : 0.0;
}

// The 68-point shape predictor (an ensemble of regression trees, Kazemi & Sullivan 2014) from
// dlib's model file, evaluated by our own code: the trees and leaves are stored flat (dlib keeps
// every tree and leaf in its own heap block), which halves the cost per fit, grey values are
// read straight from the BGR frame with a rotated box (no grey copy, tilted heads fit better),
// and the result keeps sub-pixel precision (dlib rounds it to whole pixels).
class LandmarkModel
{
public:
    static Result<std::shared_ptr<const LandmarkModel>> loadShared(const QString &path);

    void fit(const cv::Mat &bgr, const FaceFrame &frame,
             std::array<cv::Point2f, kNumLandmarks> &out) const;

    // The mean shape in box-normalised coordinates ((0,0) = top-left pixel, (1,1) = bottom-right).
    const std::array<cv::Point2f, kNumLandmarks> &meanShape() const { return m_meanShape; }

private:
    struct Split
    {
        uint16_t idx1;
        uint16_t idx2;
        float threshold;
    };
    struct Cascade
    {
        int firstTree = 0;
        int numTrees = 0;
        int firstFeature = 0;
        int numFeatures = 0;
    };

    Error parse(std::istream &in);

    std::array<cv::Point2f, kNumLandmarks> m_meanShape{};
    std::vector<Cascade> m_cascades;
    std::vector<uint16_t> m_anchor;   // per feature: the landmark it hangs on
    std::vector<cv::Point2f> m_delta; // per feature: offset from it in the mean shape
    std::vector<Split> m_splits;      // per tree: m_splitsPerTree nodes (complete binary tree)
    // Per tree: (m_splitsPerTree + 1) leaves of 136 values, stored as int16 with one scale per
    // cascade (m_leafScale). The leaves are the bulk of the model (65 MB as float); a fit reads
    // 7500 of them at random, so halving their size matters more than the arithmetic. The
    // rounding error of the sum is ~1e-5 of the box size.
    std::vector<int16_t> m_leaves;
    std::vector<float> m_leafScale;
    int m_splitsPerTree = 0;
};

Error LandmarkModel::parse(std::istream &in)
{
    int version = 0;
    dlib::deserialize(version, in);
    if (version != 1)
        return makeError(ErrorCode::BadData,
                         QStringLiteral("unsupported shape predictor version %1").arg(version));
    dlib::matrix<float, 0, 1> initialShape;
    std::vector<std::vector<dlib::impl::regression_tree>> forests;
    std::vector<std::vector<unsigned long>> anchors;
    std::vector<std::vector<dlib::vector<float, 2>>> deltas;
    dlib::deserialize(initialShape, in);
    dlib::deserialize(forests, in);
    dlib::deserialize(anchors, in);
    dlib::deserialize(deltas, in);

    if (initialShape.size() != 2 * kNumLandmarks)
        return makeError(
            ErrorCode::BadData,
            QStringLiteral("the model has %1 landmarks, not 68").arg(initialShape.size() / 2));
    if (forests.empty() || forests.size() != anchors.size() || forests.size() != deltas.size())
        return makeError(ErrorCode::BadData, QStringLiteral("inconsistent cascade count"));
    for (int i = 0; i < kNumLandmarks; ++i)
        m_meanShape[i] = {initialShape(2 * i), initialShape(2 * i + 1)};

    constexpr size_t kValues = 2 * kNumLandmarks;
    m_splitsPerTree = -1;
    std::vector<float> leafValues;
    for (size_t c = 0; c < forests.size(); ++c) {
        if (anchors[c].size() != deltas[c].size() || anchors[c].size() > 65535)
            return makeError(ErrorCode::BadData, QStringLiteral("inconsistent feature pool"));
        Cascade cascade;
        cascade.numTrees = int(forests[c].size());
        cascade.firstFeature = int(m_anchor.size());
        cascade.numFeatures = int(anchors[c].size());
        for (size_t f = 0; f < anchors[c].size(); ++f) {
            if (anchors[c][f] >= size_t(kNumLandmarks))
                return makeError(ErrorCode::BadData, QStringLiteral("feature anchor out of range"));
            m_anchor.push_back(uint16_t(anchors[c][f]));
            m_delta.emplace_back(deltas[c][f].x(), deltas[c][f].y());
        }
        if (forests[c].empty() || forests[c].size() > 65535)
            return makeError(ErrorCode::BadData, QStringLiteral("bad cascade size"));
        leafValues.clear();
        for (const dlib::impl::regression_tree &tree : forests[c]) {
            if (m_splitsPerTree < 0)
                m_splitsPerTree = int(tree.splits.size());
            if (int(tree.splits.size()) != m_splitsPerTree
                || tree.leaf_values.size() != tree.splits.size() + 1)
                return makeError(ErrorCode::BadData, QStringLiteral("irregular regression tree"));
            for (const dlib::impl::split_feature &s : tree.splits) {
                if (s.idx1 >= anchors[c].size() || s.idx2 >= anchors[c].size())
                    return makeError(ErrorCode::BadData,
                                     QStringLiteral("split index out of range"));
                m_splits.push_back({uint16_t(s.idx1), uint16_t(s.idx2), s.thresh});
            }
            for (const dlib::matrix<float, 0, 1> &leaf : tree.leaf_values) {
                if (size_t(leaf.size()) != kValues)
                    return makeError(ErrorCode::BadData, QStringLiteral("leaf size mismatch"));
                leafValues.insert(leafValues.end(), &leaf(0), &leaf(0) + kValues);
            }
        }
        float maxAbs = 0;
        for (float v : leafValues) {
            if (!std::isfinite(v))
                return makeError(ErrorCode::BadData, QStringLiteral("non-finite leaf value"));
            maxAbs = std::max(maxAbs, std::abs(v));
        }
        const float scale = maxAbs > 0 ? maxAbs / 32767.0f : 1.0f;
        m_leafScale.push_back(scale);
        for (float v : leafValues)
            m_leaves.push_back(int16_t(std::lround(v / scale)));
        m_cascades.push_back(cascade);
        // Free each cascade once copied: the model is ~65 MB and loading must not hold it twice.
        std::vector<dlib::impl::regression_tree>().swap(forests[c]);
    }
    // Complete binary trees only: the walk in fit() relies on it.
    if (m_splitsPerTree <= 0 || m_splitsPerTree > 4095 || ((m_splitsPerTree + 1) & m_splitsPerTree))
        return makeError(ErrorCode::BadData, QStringLiteral("the model has no complete trees"));
    int tree = 0;
    for (Cascade &c : m_cascades) {
        c.firstTree = tree;
        tree += c.numTrees;
    }
    return Error::none();
}

Result<std::shared_ptr<const LandmarkModel>> LandmarkModel::loadShared(const QString &path)
{
    // One copy per process: the model is large and slow to parse, and fit() is const.
    static std::mutex mutex;
    static std::map<QString, std::shared_ptr<const LandmarkModel>> cache;
    std::lock_guard<std::mutex> lock(mutex);
    const auto cached = cache.find(path);
    if (cached != cache.end())
        return cached->second;

    const QFileInfo info(path);
    if (!info.isFile() || !info.isReadable())
        return makeError(ErrorCode::FileNotFound,
                         QStringLiteral("landmark model not found: %1").arg(path));
    std::ifstream in(QFile::encodeName(path).toStdString(), std::ios::binary);
    if (!in)
        return makeError(ErrorCode::FileNotFound,
                         QStringLiteral("cannot open landmark model: %1").arg(path));

    QElapsedTimer timer;
    timer.start();
    auto model = std::make_shared<LandmarkModel>();
    Error error;
    try {
        error = model->parse(in);
    } catch (const dlib::serialization_error &e) {
        error = makeError(ErrorCode::BadData, QString::fromLocal8Bit(e.what()).trimmed());
    } catch (const std::bad_alloc &) {
        // A corrupt length field asks for an absurd allocation.
        error = makeError(ErrorCode::BadData, QStringLiteral("corrupt model (allocation failed)"));
    } catch (const std::exception &e) {
        error = makeError(ErrorCode::BadData, QString::fromLocal8Bit(e.what()).trimmed());
    }
    if (error.isError()) {
        error.message = QStringLiteral("bad landmark model %1: %2").arg(path, error.message);
        return error;
    }
    qCInfo(lcFace) << "loaded landmark model" << path << "in" << timer.elapsed() << "ms";
    std::shared_ptr<const LandmarkModel> shared = std::move(model);
    cache.emplace(path, shared);
    return shared;
}

void LandmarkModel::fit(const cv::Mat &bgr, const FaceFrame &frame,
                        std::array<cv::Point2f, kNumLandmarks> &out) const
{
    constexpr int kValues = 2 * kNumLandmarks;
    float shape[kValues];
    for (int i = 0; i < kNumLandmarks; ++i) {
        shape[2 * i] = m_meanShape[i].x;
        shape[2 * i + 1] = m_meanShape[i].y;
    }
    // Normalised box coordinates -> frame pixels.
    const float c = std::cos(frame.rollRad) * frame.spanPx;
    const float s = std::sin(frame.rollRad) * frame.spanPx;
    const float ox = frame.centre.x - 0.5f * (c - s);
    const float oy = frame.centre.y - 0.5f * (s + c);
    const int width = bgr.cols, height = bgr.rows;

    // A few hundred values each; the allocations are noise next to the fit.
    std::vector<float> pixels;
    std::vector<size_t> leafOffsets;
    const size_t leafStride = size_t(m_splitsPerTree + 1) * kValues;
    for (const Cascade &cascade : m_cascades) {
        // The similarity from the mean shape to the current estimate places the features.
        Similarity toShape;
        std::array<cv::Point2f, kNumLandmarks> current;
        for (int i = 0; i < kNumLandmarks; ++i)
            current[i] = {shape[2 * i], shape[2 * i + 1]};
        fitSimilarity(m_meanShape.data(), current.data(), kNumLandmarks, nullptr, toShape);
        const float a = float(toShape.a), b = float(toShape.b);

        pixels.resize(cascade.numFeatures);
        for (int f = 0; f < cascade.numFeatures; ++f) {
            const int k = cascade.firstFeature + f;
            const cv::Point2f d = m_delta[k];
            const int anchor = m_anchor[k];
            const float u = a * d.x - b * d.y + shape[2 * anchor];
            const float v = b * d.x + a * d.y + shape[2 * anchor + 1];
            const int x = int(std::floor(ox + c * u - s * v + 0.5f));
            const int y = int(std::floor(oy + s * u + c * v + 0.5f));
            if (x >= 0 && y >= 0 && x < width && y < height) {
                const uchar *p = bgr.ptr<uchar>(y) + 3 * x;
                // Same fixed-point weights as cv::cvtColor(BGR2GRAY).
                pixels[f] = float((p[0] * 1868 + p[1] * 9617 + p[2] * 4899 + 8192) >> 14);
            } else {
                pixels[f] = 0;
            }
        }
        // Walk all trees first (they only read the pixels), then add their leaves with the
        // next ones prefetched: the leaves are scattered over 33 MB and mostly not in cache.
        leafOffsets.resize(cascade.numTrees);
        for (int t = 0; t < cascade.numTrees; ++t) {
            const size_t tree = size_t(cascade.firstTree + t);
            const Split *splits = &m_splits[tree * m_splitsPerTree];
            int node = 0;
            while (node < m_splitsPerTree) {
                const Split &sp = splits[node];
                node = (pixels[sp.idx1] - pixels[sp.idx2] > sp.threshold) ? 2 * node + 1
                                                                          : 2 * node + 2;
            }
            leafOffsets[t] = tree * leafStride + size_t(node - m_splitsPerTree) * kValues;
        }
        int32_t sum[kValues] = {};
        constexpr int kAhead = 6;
        for (int t = 0; t < cascade.numTrees; ++t) {
#if defined(__GNUC__)
            if (t + kAhead < cascade.numTrees) {
                const auto first = reinterpret_cast<uintptr_t>(&m_leaves[leafOffsets[t + kAhead]]);
                const uintptr_t last = first + kValues * sizeof(int16_t) - 1;
                for (uintptr_t line = first & ~uintptr_t(63); line <= last; line += 64)
                    __builtin_prefetch(reinterpret_cast<const void *>(line));
            }
#endif
            const int16_t *leaf = &m_leaves[leafOffsets[t]];
            for (int i = 0; i < kValues; ++i)
                sum[i] += leaf[i];
        }
        const float scale = m_leafScale[size_t(&cascade - m_cascades.data())];
        for (int i = 0; i < kValues; ++i)
            shape[i] += scale * float(sum[i]);
    }
    for (int i = 0; i < kNumLandmarks; ++i) {
        const float u = shape[2 * i], v = shape[2 * i + 1];
        out[i] = {ox + c * u - s * v, oy + s * u + c * v};
    }
}

} // namespace

struct FaceTracker::Impl
{
    explicit Impl(const FaceTrackerConfig &c)
        : config(c)
    {
    }

    FaceTrackerConfig config;
    std::shared_ptr<const LandmarkModel> model;
    std::unique_ptr<dlib::frontal_face_detector> detector;
    bool initAttempted = false;

    // Track (frame pixels).
    bool tracking = false;
    FaceFrame face;
    std::array<cv::Point2f, kNumLandmarks> landmarks{};
    bool landmarksValid = false;
    int framesSinceFit = 0;
    int missedDetections = 0;
    int searchCount = 0;
    double nextSearchSec = std::numeric_limits<double>::lowest();
    double nextDetectSec = 0;
    double lastTimeSec = 0;
    bool haveTime = false;
    cv::Size frameSize;

    // Lucas–Kanade state: a grey, downscaled copy of a window around the face.
    cv::Rect lkWindow;
    double lkScale = 1;
    cv::Mat lkGrey, lkImage;
    std::vector<cv::Mat> prevPyramid, curPyramid;
    bool prevValid = false;
    std::vector<cv::Point2f> points; // in tracking-image pixels of the previous frame
    size_t seededCount = 0;
    int framesSinceSeed = 0;

    // Appearance template (unit-norm, zero-mean patch).
    cv::Mat templ;
    cv::Mat patch, patchF;
    double nextVerifySec = 0;

    // Where the face was when the track was lost: a local search there finds it again even when
    // it is too small for the coarse full-frame search.
    FaceFrame lostFace;
    double lostSec = 0;
    bool haveLostFace = false;

    // Scratch buffers, kept to avoid per-frame allocation.
    std::vector<cv::Point2f> fwdPts, backPts, srcFull, dstFull, kept;
    std::vector<uchar> fwdStatus, backStatus, inliers;
    std::vector<float> lkError;
    cv::Mat searchGrey, searchSmall, cropBgr, cropGrey, regionGrey, regionSmall;

    void resetTrack()
    {
        tracking = false;
        landmarksValid = false;
        prevValid = false;
        points.clear();
        templ.release();
        missedDetections = 0;
    }

    void dropTrack(double timeSec, const char *why)
    {
        qCDebug(lcFace) << "track lost at" << timeSec << "s:" << why;
        lostFace = face;
        lostSec = timeSec;
        haveLostFace = true;
        resetTrack();
        nextSearchSec = timeSec; // look again right away: the face may only have moved fast
    }

    cv::Point2f toLk(const cv::Point2f &p) const
    {
        return {float((p.x - lkWindow.x + 0.5) * lkScale - 0.5),
                float((p.y - lkWindow.y + 0.5) * lkScale - 0.5)};
    }
    cv::Point2f fromLk(const cv::Point2f &p) const
    {
        return {float((p.x + 0.5) / lkScale - 0.5 + lkWindow.x),
                float((p.y + 0.5) / lkScale - 0.5 + lkWindow.y)};
    }

    bool ensureDetector();
    std::vector<cv::Rect2f> detect(const cv::Mat &grey);
    bool searchFullFrame(const cv::Mat &bgr, double scale, FaceFrame &found);
    bool detectNear(const cv::Mat &bgr, const FaceFrame &around, double regionFactor, double minIou,
                    FaceFrame &found);
    void extractCrop(const cv::Mat &bgr, const FaceFrame &at, double sigma, int side);

    bool search(const cv::Mat &bgr, double timeSec);
    bool continueTrack(const cv::Mat &bgr, double timeSec);
    void startTrack(const cv::Mat &bgr, const FaceFrame &found, double timeSec);

    void fitLandmarks(const cv::Mat &bgr, bool smooth);
    void makeLkImage(const cv::Mat &bgr);
    void buildPyramid(std::vector<cv::Mat> &pyramid);
    void chooseWindow();
    bool windowNeedsUpdate() const;
    void reseed();
    const char *trackStep(const cv::Mat &bgr);
    void finishLkFrame(const cv::Mat &bgr, bool haveCurrentImage, bool forceReseed);
    bool appearance(cv::Mat &out);
    double appearanceScore();
};

// dlib builds its HOG face detector by decompressing a serialised model, which takes 0.3-0.5 s;
// a copy takes 0.1 ms. Every tracker copies this one (detection itself needs per-instance
// scratch memory, so the detector cannot be shared).
static const dlib::frontal_face_detector &detectorPrototype()
{
    static const dlib::frontal_face_detector prototype = dlib::get_frontal_face_detector();
    return prototype;
}

bool FaceTracker::Impl::ensureDetector()
{
    if (detector)
        return true;
    try {
        detector = std::make_unique<dlib::frontal_face_detector>(detectorPrototype());
    } catch (const std::exception &e) {
        qCWarning(lcFace) << "cannot create the face detector:" << e.what();
        return false;
    }
    return true;
}

// HOG detections in `grey` (its pixels): x, y = first pixel, width, height = span.
std::vector<cv::Rect2f> FaceTracker::Impl::detect(const cv::Mat &grey)
{
    std::vector<cv::Rect2f> boxes;
    if (!ensureDetector() || grey.cols < 40 || grey.rows < 40)
        return boxes;
    try {
        const dlib::cv_image<unsigned char> image(grey);
        const std::vector<dlib::rectangle> rects = (*detector)(image);
        for (const dlib::rectangle &r : rects)
            boxes.emplace_back(float(r.left()), float(r.top()), float(r.right() - r.left()),
                               float(r.bottom() - r.top()));
    } catch (const std::exception &e) {
        qCWarning(lcFace) << "face detection failed:" << e.what();
    }
    return boxes;
}

bool FaceTracker::Impl::searchFullFrame(const cv::Mat &bgr, double scale, FaceFrame &found)
{
    cv::cvtColor(bgr, searchGrey, cv::COLOR_BGR2GRAY);
    const cv::Mat *grey = &searchGrey;
    double sx = 1, sy = 1;
    if (scale < 1.0) {
        const cv::Size size(std::max(1, int(std::lround(bgr.cols * scale))),
                            std::max(1, int(std::lround(bgr.rows * scale))));
        cv::resize(searchGrey, searchSmall, size, 0, 0, cv::INTER_AREA);
        grey = &searchSmall;
        sx = double(size.width) / bgr.cols;
        sy = double(size.height) / bgr.rows;
    }
    const double minSpan = config.minFaceFraction * bgr.rows - 1;
    bool any = false;
    for (const cv::Rect2f &r : detect(*grey)) {
        FaceFrame f;
        f.centre = {float((r.x + r.width * 0.5 + 0.5) / sx - 0.5),
                    float((r.y + r.height * 0.5 + 0.5) / sy - 0.5)};
        f.spanPx = float(0.5 * (r.width / sx + r.height / sy));
        if (f.spanPx < minSpan)
            continue;
        // The largest face: dlib sometimes adds a small false face next to the real one.
        if (!any || f.spanPx > found.spanPx)
            found = f;
        any = true;
    }
    return any;
}

// A grey crop (side x side) around `at`, de-rotated by its roll and scaled by sigma:
// crop = sigma * R(-roll) (p - centre) + (side - 1) / 2.
void FaceTracker::Impl::extractCrop(const cv::Mat &bgr, const FaceFrame &at, double sigma, int side)
{
    const double cs = std::cos(at.rollRad), sn = std::sin(at.rollRad);
    const double half = (side - 1) * 0.5;
    if (sigma >= 0.6) {
        const cv::Matx23d m(sigma * cs, sigma * sn,
                            half - sigma * (cs * at.centre.x + sn * at.centre.y), -sigma * sn,
                            sigma * cs, half - sigma * (-sn * at.centre.x + cs * at.centre.y));
        cv::warpAffine(bgr, cropBgr, m, cv::Size(side, side), cv::INTER_LINEAR,
                       cv::BORDER_REPLICATE);
        cv::cvtColor(cropBgr, cropGrey, cv::COLOR_BGR2GRAY);
        return;
    }
    // Large faces: area-average first so the HOG features see no aliasing.
    const double reach = half / sigma * 1.4143 + 2;
    const cv::Rect region
        = cv::Rect(int(std::floor(at.centre.x - reach)), int(std::floor(at.centre.y - reach)),
                   int(2 * reach) + 1, int(2 * reach) + 1)
          & cv::Rect(0, 0, bgr.cols, bgr.rows);
    if (region.width < 2 || region.height < 2) {
        cropGrey = cv::Mat::zeros(side, side, CV_8UC1);
        return;
    }
    cv::cvtColor(bgr(region), regionGrey, cv::COLOR_BGR2GRAY);
    cv::resize(regionGrey, regionSmall, cv::Size(), sigma, sigma, cv::INTER_AREA);
    const double sx = double(regionSmall.cols) / region.width;
    const double sy = double(regionSmall.rows) / region.height;
    const double cx = (at.centre.x - region.x + 0.5) * sx - 0.5;
    const double cy = (at.centre.y - region.y + 0.5) * sy - 0.5;
    const double kx = sigma / sx, ky = sigma / sy;
    const cv::Matx23d m(kx * cs, kx * sn, half - kx * (cs * cx + sn * cy), -ky * sn, ky * cs,
                        half - ky * (-sn * cx + cs * cy));
    cv::warpAffine(regionSmall, cropGrey, m, cv::Size(side, side), cv::INTER_LINEAR,
                   cv::BORDER_REPLICATE);
}

// A detection in a de-rotated crop around `around`, scaled so the face is ~90 px whatever its
// size in the frame. Cheap, and unlike a full search it stays with this face when a larger one
// appears elsewhere. Takes the detection overlapping `around` most (at least `minIou`); with
// minIou = 0 a detection that does not overlap at all is also taken (the largest).
bool FaceTracker::Impl::detectNear(const cv::Mat &bgr, const FaceFrame &around, double regionFactor,
                                   double minIou, FaceFrame &found)
{
    const double sigma = std::clamp(kDetectFacePx / (around.spanPx + 1), 1.0 / 16, 3.0);
    const int side = int(std::lround(regionFactor * (around.spanPx + 1) * sigma));
    extractCrop(bgr, around, sigma, side);
    const double half = (side - 1) * 0.5;
    const double cs = std::cos(around.rollRad), sn = std::sin(around.rollRad);
    const cv::Rect2f aroundBox = around.box();
    const double minSpan = config.minFaceFraction * bgr.rows - 1;
    bool any = false;
    double bestIou = 0;
    for (const cv::Rect2f &r : detect(cropGrey)) {
        const double ux = (r.x + r.width * 0.5 - half) / sigma;
        const double uy = (r.y + r.height * 0.5 - half) / sigma;
        FaceFrame f;
        f.centre = {float(around.centre.x + cs * ux - sn * uy),
                    float(around.centre.y + sn * ux + cs * uy)};
        f.spanPx = float(0.5 * (r.width + r.height) / sigma);
        f.rollRad = around.rollRad;
        if (f.spanPx < minSpan)
            continue;
        const double overlap = iou(f.box(), aroundBox);
        if (minIou > 0 && overlap <= minIou)
            continue;
        if (!any || overlap > bestIou || (overlap == bestIou && f.spanPx > found.spanPx)) {
            bestIou = overlap;
            found = f;
            any = true;
        }
    }
    return any;
}

void FaceTracker::Impl::fitLandmarks(const cv::Mat &bgr, bool smooth)
{
    std::array<cv::Point2f, kNumLandmarks> fitted;
    model->fit(bgr, face, fitted);
    if (smooth && landmarksValid) {
        const double size = std::max(1.0f, face.spanPx);
        for (int i = 0; i < kNumLandmarks; ++i) {
            const cv::Point2f d = fitted[i] - landmarks[i];
            const double change = std::hypot(d.x, d.y) / size;
            const double ramp = std::clamp((change - kSmoothDeadZone) / kSmoothRamp, 0.0, 1.0);
            landmarks[i] += float(kSmoothMinAlpha + (1.0 - kSmoothMinAlpha) * ramp) * d;
        }
    } else {
        landmarks = fitted;
    }
    landmarksValid = true;
    framesSinceFit = 0;

    // The box follows the rigid landmarks: the similarity that maps the model's mean shape onto
    // them gives the box the detector would report, without its ~20 % scale quantisation.
    Similarity s;
    const int n = kRigidLast - kRigidFirst + 1;
    if (fitSimilarity(model->meanShape().data() + kRigidFirst, landmarks.data() + kRigidFirst,
                      size_t(n), nullptr, s)) {
        const double ratio = s.scale() / std::max(1.0f, face.spanPx);
        if (ratio > 0.75 && ratio < 1.33) { // else the fit failed; keep the tracked box
            face.centre = s.apply({0.5f, 0.5f});
            face.spanPx = float(s.scale());
            face.rollRad = float(s.angleRad());
        }
    }
}

void FaceTracker::Impl::chooseWindow()
{
    int step = 1;
    while (step < 16 && face.spanPx / (2.0 * step) >= kLkFacePx)
        step *= 2;
    lkScale = 1.0 / step;
    const cv::Rect frame(0, 0, frameSize.width, frameSize.height);
    const double half = kLkWindowFactor * 0.5 * (face.spanPx + 1);
    int x0 = int(std::floor((face.centre.x - half) / step)) * step;
    int y0 = int(std::floor((face.centre.y - half) / step)) * step;
    int x1 = int(std::ceil((face.centre.x + half) / step)) * step;
    int y1 = int(std::ceil((face.centre.y + half) / step)) * step;
    x0 = std::max(x0, 0);
    y0 = std::max(y0, 0);
    x1 = std::min(x1, frame.width);
    y1 = std::min(y1, frame.height);
    // Whole multiples of the step so the INTER_AREA downscale is exact.
    const int w = std::max(0, (x1 - x0) / step * step);
    const int h = std::max(0, (y1 - y0) / step * step);
    lkWindow = cv::Rect(x0, y0, w, h);
}

bool FaceTracker::Impl::windowNeedsUpdate() const
{
    const double faceLk = face.spanPx * lkScale;
    if ((faceLk < kLkFacePx * 0.7 && lkScale < 1.0) || faceLk > kLkFacePx * 2.8)
        return true;
    const float margin = face.spanPx * 0.2f;
    const cv::Rect2f need
        = cv::Rect2f(face.box().x - margin, face.box().y - margin, face.box().width + 2 * margin,
                     face.box().height + 2 * margin)
          & cv::Rect2f(0, 0, float(frameSize.width), float(frameSize.height));
    const cv::Rect2f window(lkWindow);
    return (need & window).area() + 1.0 < need.area();
}

void FaceTracker::Impl::makeLkImage(const cv::Mat &bgr)
{
    cv::cvtColor(bgr(lkWindow), lkGrey, cv::COLOR_BGR2GRAY);
    if (lkScale < 1.0)
        cv::resize(lkGrey, lkImage,
                   cv::Size(int(std::lround(lkWindow.width * lkScale)),
                            int(std::lround(lkWindow.height * lkScale))),
                   0, 0, cv::INTER_AREA);
    else
        lkImage = lkGrey;
}

void FaceTracker::Impl::buildPyramid(std::vector<cv::Mat> &pyramid)
{
    // Copies the image (tryReuseInputImage = false): lkImage is overwritten next frame.
    cv::buildOpticalFlowPyramid(lkImage, pyramid, cv::Size(kLkWinPx, kLkWinPx), kLkMaxLevel, true,
                                cv::BORDER_REFLECT_101, cv::BORDER_CONSTANT, false);
}

void FaceTracker::Impl::reseed()
{
    framesSinceSeed = 0;
    points.clear();
    // The inner 80 % of the box: corners of the box itself are often background.
    const float r = face.spanPx * 0.4f;
    const cv::Point2f a = toLk(face.centre - cv::Point2f(r, r));
    const cv::Point2f b = toLk(face.centre + cv::Point2f(r, r));
    const cv::Rect roi = cv::Rect(cv::Point(int(std::ceil(a.x)), int(std::ceil(a.y))),
                                  cv::Point(int(std::floor(b.x)), int(std::floor(b.y))))
                         & cv::Rect(0, 0, lkImage.cols, lkImage.rows);
    if (roi.width < 8 || roi.height < 8)
        return;
    const double minDistance = std::max(2.0, roi.width / 10.0);
    cv::goodFeaturesToTrack(lkImage(roi), points, kLkMaxPoints, 0.01, minDistance, cv::noArray(), 3,
                            false);
    for (cv::Point2f &p : points)
        p += cv::Point2f(float(roi.x), float(roi.y));
    if (points.size() < 12) {
        // Low-texture faces (blur, strong compression): a grid still gives LK something to do.
        for (int gy = 1; gy <= 5; ++gy)
            for (int gx = 1; gx <= 5; ++gx)
                points.emplace_back(roi.x + roi.width * gx / 6.0f, roi.y + roi.height * gy / 6.0f);
    }
    seededCount = points.size();
}

// Moves the box and landmarks by the similarity the tracked points underwent since the previous
// frame. Returns null on success, else why the track is lost.
const char *FaceTracker::Impl::trackStep(const cv::Mat &bgr)
{
    if (!prevValid || int(points.size()) < kLkMinPoints)
        return "no points to track";
    makeLkImage(bgr);
    buildPyramid(curPyramid);
    const cv::Size win(kLkWinPx, kLkWinPx);
    const cv::TermCriteria criteria(cv::TermCriteria::COUNT | cv::TermCriteria::EPS, 10, 0.03);
    cv::calcOpticalFlowPyrLK(prevPyramid, curPyramid, points, fwdPts, fwdStatus, lkError, win,
                             kLkMaxLevel, criteria);
    cv::calcOpticalFlowPyrLK(curPyramid, prevPyramid, fwdPts, backPts, backStatus, lkError, win,
                             kLkMaxLevel, criteria);
    srcFull.clear();
    dstFull.clear();
    kept.clear();
    const float maxX = float(lkImage.cols - 1), maxY = float(lkImage.rows - 1);
    for (size_t i = 0; i < points.size(); ++i) {
        if (!fwdStatus[i] || !backStatus[i])
            continue;
        const cv::Point2f fb = backPts[i] - points[i];
        if (fb.x * fb.x + fb.y * fb.y > kLkMaxFbErrorPx * kLkMaxFbErrorPx)
            continue;
        const cv::Point2f &q = fwdPts[i];
        if (q.x < 0 || q.y < 0 || q.x > maxX || q.y > maxY)
            continue;
        srcFull.push_back(fromLk(points[i]));
        dstFull.push_back(fromLk(q));
        kept.push_back(q);
    }
    if (int(kept.size()) < kLkMinPoints)
        return "too few points survive the forward-backward check";
    Similarity motion;
    const int inlierCount
        = robustSimilarity(srcFull, dstFull, std::max(1.0, 1.0 / lkScale), motion, inliers);
    if (inlierCount < kLkMinPoints || inlierCount * 2 < int(kept.size()))
        return "too few points move together";
    const double scale = motion.scale();
    if (scale < kMinFrameScale || scale > kMaxFrameScale
        || std::abs(motion.angleRad()) > kMaxFrameRollRad)
        return "implausible scale or rotation jump";

    face.centre = motion.apply(face.centre);
    face.spanPx = float(face.spanPx * scale);
    face.rollRad = float(face.rollRad + motion.angleRad());
    if (landmarksValid) {
        for (cv::Point2f &p : landmarks)
            p = motion.apply(p);
    }
    points.clear();
    for (size_t i = 0; i < kept.size(); ++i) {
        if (inliers[i])
            points.push_back(kept[i]);
    }
    const cv::Rect2f box = face.box();
    const cv::Rect2f visible = box & cv::Rect2f(0, 0, float(bgr.cols), float(bgr.rows));
    if (visible.area() < kMinVisibleFraction * box.area())
        return "the face left the frame";
    return nullptr;
}

void FaceTracker::Impl::finishLkFrame(const cv::Mat &bgr, bool haveCurrentImage, bool forceReseed)
{
    if (!haveCurrentImage || windowNeedsUpdate()) {
        chooseWindow();
        if (lkWindow.width < 16 || lkWindow.height < 16) {
            prevValid = false;
            points.clear();
            return;
        }
        makeLkImage(bgr);
        buildPyramid(curPyramid);
        reseed();
    } else if (forceReseed || ++framesSinceSeed > kLkReseedFrames
               || points.size() < std::max<size_t>(2 * kLkMinPoints, seededCount / 2)) {
        reseed();
    }
    std::swap(prevPyramid, curPyramid);
    prevValid = true;
}

// The face patch in the current tracking image, de-rotated, zero-mean and unit-norm.
bool FaceTracker::Impl::appearance(cv::Mat &out)
{
    if (lkImage.empty())
        return false;
    const cv::Point2f c = toLk(face.centre);
    const double k = kPatchPx / std::max(1.0, (face.spanPx + 1) * lkScale);
    const double cs = std::cos(face.rollRad), sn = std::sin(face.rollRad);
    const double half = (kPatchPx - 1) * 0.5;
    const cv::Matx23d m(k * cs, k * sn, half - k * (cs * c.x + sn * c.y), -k * sn, k * cs,
                        half - k * (-sn * c.x + cs * c.y));
    cv::warpAffine(lkImage, patch, m, cv::Size(kPatchPx, kPatchPx), cv::INTER_LINEAR,
                   cv::BORDER_REPLICATE);
    patch.convertTo(out, CV_32F);
    out -= cv::mean(out);
    const double norm = cv::norm(out);
    if (norm < 1e-3 * kPatchPx) // a flat patch has no appearance to compare
        return false;
    out /= norm;
    return true;
}

double FaceTracker::Impl::appearanceScore()
{
    if (templ.empty())
        return 1.0;
    if (!appearance(patchF))
        return 0.0;
    return templ.dot(patchF);
}

void FaceTracker::Impl::startTrack(const cv::Mat &bgr, const FaceFrame &found, double timeSec)
{
    resetTrack();
    tracking = true;
    face = found;
    nextDetectSec = timeSec + config.redetectIntervalSec;
    nextVerifySec = timeSec;
    if (model)
        fitLandmarks(bgr, false);
    finishLkFrame(bgr, false, true);
    if (!appearance(templ))
        templ.release();
}

bool FaceTracker::Impl::search(const cv::Mat &bgr, double timeSec)
{
    ++searchCount;
    const double coarse = std::min(1.0, config.detectMaxWidthPx / std::max(1, bgr.cols));
    const double fine = std::min(1.0, 2.0 * coarse);
    FaceFrame found;
    bool ok = searchFullFrame(bgr, coarse, found);
    // Faces under ~60 px at the coarse scale are missed; a larger scale costs four times as
    // much, so it runs on the first search and then only every few searches.
    if (!ok && fine > coarse && (searchCount == 1 || searchCount % kFineSearchEvery == 0))
        ok = searchFullFrame(bgr, fine, found);
    if (!ok && haveLostFace && timeSec >= lostSec && timeSec - lostSec <= kLostSearchSec)
        ok = detectNear(bgr, lostFace, kLostRegionFactor, 0.0, found);
    if (!ok) {
        nextSearchSec = timeSec + config.searchIntervalSec;
        return false;
    }
    qCDebug(lcFace) << "face found at" << timeSec << "s, size" << found.spanPx + 1 << "px";
    startTrack(bgr, found, timeSec);
    return true;
}

bool FaceTracker::Impl::continueTrack(const cv::Mat &bgr, double timeSec)
{
    if (const char *why = trackStep(bgr)) {
        dropTrack(timeSec, why);
        return false;
    }
    ++framesSinceFit;

    const double score = appearanceScore();
    const bool suspicious = score < kVerifyNcc;
    bool detected = false;
    if (timeSec >= nextDetectSec || (suspicious && timeSec >= nextVerifySec)) {
        FaceFrame found;
        if (detectNear(bgr, face, kDetectRegionFactor, kAcceptIou, found)) {
            detected = true;
            missedDetections = 0;
            nextDetectSec = timeSec + config.redetectIntervalSec;
            const double overlap = iou(found.box(), face.box());
            qCDebug(lcFace) << "re-detected at" << timeSec << "s, overlap" << overlap;
            if (overlap < kSnapIou)
                face = found; // drifted: restart from the detection
        } else {
            ++missedDetections;
            if (missedDetections >= kMaxMissedDetections || score < kLostNcc) {
                dropTrack(timeSec, "re-detection failed");
                return false;
            }
            nextDetectSec = timeSec + config.searchIntervalSec; // confirm soon
            nextVerifySec = nextDetectSec;
        }
    }
    if (model && (detected || framesSinceFit >= std::max(1, config.landmarkIntervalFrames)))
        fitLandmarks(bgr, true);
    finishLkFrame(bgr, true, detected);
    if (detected && !appearance(templ))
        templ.release();
    return detected;
}

FaceTracker::FaceTracker(const FaceTrackerConfig &config)
    : d(std::make_unique<Impl>(config))
{
}

FaceTracker::~FaceTracker() = default;

QString FaceTracker::defaultLandmarkModelPath()
{
    return QStringLiteral("/usr/share/dlib/shape_predictor_68_face_landmarks.dat");
}

Error FaceTracker::init()
{
    d->initAttempted = true;
    if (!d->ensureDetector())
        return makeError(ErrorCode::Internal, QStringLiteral("cannot create the face detector"));
    if (d->model)
        return Error::none();
    const QString path = d->config.landmarkModelPath.isEmpty() ? defaultLandmarkModelPath()
                                                               : d->config.landmarkModelPath;
    Result<std::shared_ptr<const LandmarkModel>> loaded = LandmarkModel::loadShared(path);
    if (!loaded)
        return loaded.error();
    d->model = loaded.value();
    return Error::none();
}

FaceObservation FaceTracker::process(const cv::Mat &bgr, double timeSec)
{
    FaceObservation obs;
    if (!d->initAttempted) {
        const Error error = init();
        if (error.isError())
            qCWarning(lcFace) << "tracking without landmarks:" << error.message;
    }
    if (bgr.empty() || bgr.type() != CV_8UC3) {
        if (!bgr.empty())
            qCWarning(lcFace) << "unsupported frame type" << bgr.type();
        d->resetTrack();
        return obs;
    }
    if (bgr.size() != d->frameSize) {
        reset();
        d->frameSize = bgr.size();
    }
    if (d->haveTime && timeSec < d->lastTimeSec) {
        // Time went backwards (a seek the caller did not announce): verify at once.
        d->nextSearchSec = std::numeric_limits<double>::lowest();
        d->nextDetectSec = timeSec;
    }
    d->lastTimeSec = timeSec;
    d->haveTime = true;

    bool detected = false;
    if (d->tracking)
        detected = d->continueTrack(bgr, timeSec);
    if (!d->tracking && timeSec >= d->nextSearchSec)
        detected = d->search(bgr, timeSec);
    if (!d->tracking)
        return obs;

    obs.state = detected ? FaceState::Detected : FaceState::Tracked;
    obs.box = d->face.box();
    obs.landmarksValid = d->landmarksValid;
    if (d->landmarksValid)
        obs.landmarks = d->landmarks;
    return obs;
}

void FaceTracker::reset()
{
    d->resetTrack();
    d->haveLostFace = false;
    d->searchCount = 0;
    d->nextSearchSec = std::numeric_limits<double>::lowest();
    d->haveTime = false;
}

} // namespace rppg
