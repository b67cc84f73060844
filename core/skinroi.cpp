#include "skinroi.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

namespace rppg {

namespace {

// Polygon geometry, in fractions of the inter-ocular distance (IOD) or of the brow-to-chin
// distance. Chosen to stay clear of the brows, eyes, nose sides, nostrils and lips with the
// landmark jitter of a 100 px face, and off the hairline and the jaw contour (background).
constexpr float kForeheadGap = 0.05f;     // above the brows, of brow-to-chin
constexpr float kForeheadHeight = 0.22f;  // band height, of brow-to-chin
constexpr float kCheekBelowLid = 0.15f;   // of IOD
constexpr float kCheekBesideNose = 0.12f; // of IOD
constexpr float kCheekAboveMouth = 0.12f; // of IOD

// Colour refinement: a box around the median skin colour in YCrCb, its half-widths from the
// median absolute deviation (robust against the hair or glasses that the polygons may include).
constexpr double kMadToSigma = 1.4826;
constexpr double kChromaSigmas = 3.5;
constexpr double kChromaMinTol = 6, kChromaMaxTol = 20;
constexpr double kLumaSigmas = 3.0;
constexpr double kLumaMinTolFraction = 0.2, kLumaMaxTolDown = 0.5, kLumaMaxTolUp = 0.6;
constexpr int kMinLuma = 20;         // darker is shadow or hair, with little pulse and much noise
constexpr int kSaturatedLevel = 255; // a clipped channel (specular highlight) carries no pulse

using Polygons = std::array<std::vector<cv::Point2f>, 3>;

cv::Point2f centroid(const std::array<cv::Point2f, 68> &p, int first, int last)
{
    cv::Point2f sum(0, 0);
    for (int i = first; i <= last; ++i)
        sum += p[i];
    return sum * (1.0f / float(last - first + 1));
}

cv::Point2f lerp(const cv::Point2f &a, const cv::Point2f &b, float t)
{
    return a + t * (b - a);
}

// Forehead, image-left cheek, image-right cheek (iBUG 68 numbering).
bool facePolygons(const FaceObservation &face, Polygons &polys)
{
    if (!face.found() || !face.landmarksValid)
        return false;
    const std::array<cv::Point2f, 68> &p = face.landmarks;
    // A face frame: x along the eye line, y down the face, so the offsets follow head roll.
    const cv::Point2f eyeLeft = centroid(p, 36, 41);
    const cv::Point2f eyeRight = centroid(p, 42, 47);
    cv::Point2f ex = eyeRight - eyeLeft;
    const float iod = std::hypot(ex.x, ex.y);
    if (!(iod >= 2.0f))
        return false;
    ex *= 1.0f / iod;
    const cv::Point2f ey(-ex.y, ex.x);

    const cv::Point2f browMid = 0.5f * (p[21] + p[22]);
    const float browToChin = std::max(iod, (p[8] - browMid).dot(ey));
    const float gap = kForeheadGap * browToChin;
    const float height = kForeheadHeight * browToChin;
    std::vector<cv::Point2f> &forehead = polys[0];
    forehead.clear();
    // Brow points 18..25 (the outermost ones bend down to the temples and the hair).
    for (int i = 18; i <= 25; ++i)
        forehead.push_back(p[i] - gap * ey);
    for (int i = 25; i >= 18; --i)
        forehead.push_back(p[i] - (gap + height) * ey);

    const auto cheek = [&](std::vector<cv::Point2f> &poly, int lidOuter, int lidInner, int nostril,
                           int mouthCorner, const std::array<int, 3> &jaw, float outward) {
        const cv::Point2f out = outward * ex;
        poly.clear();
        poly.push_back(p[lidOuter] + kCheekBelowLid * iod * ey);
        poly.push_back(p[lidInner] + kCheekBelowLid * iod * ey);
        poly.push_back(p[nostril] + kCheekBesideNose * iod * out);
        poly.push_back(p[mouthCorner] + kCheekBesideNose * iod * out - kCheekAboveMouth * iod * ey);
        // Along the jaw, pulled in toward the nose tip to stay off the face contour.
        poly.push_back(lerp(p[jaw[2]], p[30], 0.25f));
        poly.push_back(lerp(p[jaw[1]], p[30], 0.22f));
        poly.push_back(lerp(p[jaw[0]], p[30], 0.2f));
    };
    cheek(polys[1], 41, 40, 31, 48, {1, 2, 3}, -1.0f);
    cheek(polys[2], 46, 47, 35, 54, {15, 14, 13}, 1.0f);
    return true;
}

// Median of a histogram, interpolated inside its bin (bin v covers [v - 0.5, v + 0.5)), so it
// moves smoothly with the data: whole-level jumps of the colour limits would make a group of
// pixels enter or leave the mask at once and step the mean colour.
double histogramMedian(const int *hist, int bins, int total)
{
    const double half = 0.5 * total;
    int acc = 0;
    for (int v = 0; v < bins; ++v) {
        if (hist[v] > 0 && acc + hist[v] >= half)
            return v - 0.5 + (half - acc) / hist[v];
        acc += hist[v];
    }
    return bins - 1;
}

void medianAndMad(const int *hist, int total, double &median, double &mad)
{
    median = histogramMedian(hist, 256, total);
    const int centre = std::clamp(int(std::lround(median)), 0, 255);
    int deviations[256] = {};
    for (int v = 0; v < 256; ++v)
        deviations[std::abs(v - centre)] += hist[v];
    mad = std::max(0.0, histogramMedian(deviations, 256, total));
}

} // namespace

SkinRoi::SkinRoi(const SkinRoiConfig &config)
    : m_config(config)
{
}

std::vector<std::vector<cv::Point>> SkinRoi::landmarkPolygons(const FaceObservation &face)
{
    std::vector<std::vector<cv::Point>> result;
    Polygons polys;
    if (!facePolygons(face, polys))
        return result;
    for (const std::vector<cv::Point2f> &poly : polys) {
        std::vector<cv::Point> out;
        out.reserve(poly.size());
        for (const cv::Point2f &p : poly)
            out.emplace_back(int(std::lround(p.x)), int(std::lround(p.y)));
        result.push_back(std::move(out));
    }
    return result;
}

SkinSample SkinRoi::measure(const cv::Mat &bgr, const FaceObservation &face, cv::Mat *maskOut)
{
    SkinSample sample;
    if (maskOut)
        maskOut->release();
    if (bgr.empty() || bgr.type() != CV_8UC3)
        return sample;
    const cv::Rect frame(0, 0, bgr.cols, bgr.rows);

    if (m_config.mode != RoiMode::Face) {
        sample.bounds = m_config.mode == RoiMode::FullFrame ? frame : (m_config.rect & frame);
        if (sample.bounds.empty())
            return sample;
        const cv::Scalar bgrMean = cv::mean(bgr(sample.bounds));
        sample.meanRgb = cv::Vec3d(bgrMean[2], bgrMean[1], bgrMean[0]);
        sample.pixelCount = sample.bounds.area();
        sample.valid = true;
        if (maskOut)
            *maskOut = cv::Mat(sample.bounds.size(), CV_8UC1, cv::Scalar(255));
        return sample;
    }

    Polygons polys;
    if (!facePolygons(face, polys))
        return sample;
    float x0 = polys[0][0].x, y0 = polys[0][0].y, x1 = x0, y1 = y0;
    for (const std::vector<cv::Point2f> &poly : polys) {
        for (const cv::Point2f &p : poly) {
            x0 = std::min(x0, p.x);
            y0 = std::min(y0, p.y);
            x1 = std::max(x1, p.x);
            y1 = std::max(y1, p.y);
        }
    }
    const cv::Rect bounds = cv::Rect(cv::Point(int(std::floor(x0)), int(std::floor(y0))),
                                     cv::Point(int(std::ceil(x1)) + 1, int(std::ceil(y1)) + 1))
                            & frame;
    if (bounds.empty())
        return sample;
    sample.bounds = bounds;

    // Sub-pixel polygon vertices (4 fractional bits): the mask then moves smoothly with the face
    // instead of in whole-pixel steps, which would add noise to the mean.
    constexpr int kShift = 4;
    std::array<std::vector<cv::Point>, 3> fixedPolys;
    for (size_t k = 0; k < polys.size(); ++k) {
        fixedPolys[k].reserve(polys[k].size());
        for (const cv::Point2f &p : polys[k])
            fixedPolys[k].emplace_back(int(std::lround((p.x - bounds.x) * (1 << kShift))),
                                       int(std::lround((p.y - bounds.y) * (1 << kShift))));
    }
    m_mask.create(bounds.size(), CV_8UC1);
    m_mask.setTo(cv::Scalar(0));
    const cv::Point *vertices[3]
        = {fixedPolys[0].data(), fixedPolys[1].data(), fixedPolys[2].data()};
    const int counts[3]
        = {int(fixedPolys[0].size()), int(fixedPolys[1].size()), int(fixedPolys[2].size())};
    cv::fillPoly(m_mask, vertices, counts, 3, cv::Scalar(255), cv::LINE_8, kShift);

    const cv::Mat roi = bgr(bounds);
    int lo[3] = {0, 0, 0};
    int hi[3] = {255, 255, 255};
    int saturated = 256;
    if (m_config.colourRefine) {
        cv::cvtColor(roi, m_ycrcb, cv::COLOR_BGR2YCrCb);
        // Classify on a 3x3 mean: sensor noise then moves fewer pixels across the colour
        // limits from frame to frame. Each such pixel is far from the mean colour (that is why
        // it sits at a limit), so the toggling adds noise to the mean; measured on a 125 px face
        // with noise sigma 1.5, the blur halves the extra noise. The mean itself uses the
        // unfiltered pixels.
        cv::blur(m_ycrcb, m_ycrcb, cv::Size(3, 3));
        // Histograms over a subsample of the polygon pixels (every other row and column).
        int hist[3][256] = {};
        int total = 0;
        for (int pass = 0; pass < 2 && total < 64; ++pass) {
            const int step = pass == 0 ? 2 : 1; // tiny faces: use every pixel
            total = 0;
            std::fill(&hist[0][0], &hist[0][0] + 3 * 256, 0);
            for (int y = 0; y < bounds.height; y += step) {
                const uchar *m = m_mask.ptr<uchar>(y);
                const uchar *c = m_ycrcb.ptr<uchar>(y);
                for (int x = 0; x < bounds.width; x += step) {
                    if (!m[x])
                        continue;
                    ++hist[0][c[3 * x]];
                    ++hist[1][c[3 * x + 1]];
                    ++hist[2][c[3 * x + 2]];
                    ++total;
                }
            }
        }
        if (total == 0)
            return sample;
        for (int ch = 0; ch < 3; ++ch) {
            double median = 0, mad = 0;
            medianAndMad(hist[ch], total, median, mad);
            const double sigma = kMadToSigma * std::max(mad, 0.5);
            double low = 0, high = 255;
            if (ch == 0) {
                // Relative limits: a global gain change (the pulse itself, light drift) scales
                // the median and the pixels alike, so the mask does not change with it.
                const double tol = kLumaSigmas * sigma;
                low = median
                      - std::clamp(tol, kLumaMinTolFraction * median, kLumaMaxTolDown * median);
                high = median
                       + std::clamp(tol, kLumaMinTolFraction * median, kLumaMaxTolUp * median);
                low = std::max(low, double(kMinLuma));
            } else {
                const double tol = std::clamp(kChromaSigmas * sigma, kChromaMinTol, kChromaMaxTol);
                low = median - tol;
                high = median + tol;
            }
            lo[ch] = int(std::ceil(low)); // pixel values are whole levels
            hi[ch] = int(std::floor(high));
        }
        saturated = kSaturatedLevel;
    }

    // One pass: apply the colour limits to the mask and sum the surviving pixels.
    uint64_t sum[3] = {0, 0, 0};
    int count = 0;
    for (int y = 0; y < bounds.height; ++y) {
        uchar *m = m_mask.ptr<uchar>(y);
        const uchar *px = roi.ptr<uchar>(y);
        const uchar *c = m_config.colourRefine ? m_ycrcb.ptr<uchar>(y) : nullptr;
        for (int x = 0; x < bounds.width; ++x) {
            if (!m[x])
                continue;
            const uchar *b = px + 3 * x;
            if (c) {
                const uchar *v = c + 3 * x;
                if (v[0] < lo[0] || v[0] > hi[0] || v[1] < lo[1] || v[1] > hi[1] || v[2] < lo[2]
                    || v[2] > hi[2] || b[0] >= saturated || b[1] >= saturated
                    || b[2] >= saturated) {
                    m[x] = 0;
                    continue;
                }
            }
            sum[0] += b[0];
            sum[1] += b[1];
            sum[2] += b[2];
            ++count;
        }
    }
    sample.pixelCount = count;
    if (count > 0)
        sample.meanRgb
            = cv::Vec3d(double(sum[2]) / count, double(sum[1]) / count, double(sum[0]) / count);
    sample.valid = count >= std::max(1, m_config.minPixels);
    if (maskOut)
        m_mask.copyTo(*maskOut);
    return sample;
}

} // namespace rppg
