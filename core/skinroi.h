#pragma once

// The skin region whose colour carries the pulse: forehead and both cheeks from the 68 landmarks
// (eyes, brows, nostrils and mouth excluded), refined by a skin-colour mask fitted to the face's own
// colour; or the whole frame / a fixed rectangle for already-cropped skin videos.
//
// Thread affinity: one instance per processing thread. Units: pixels; colours as 0..255 means.

#include "facetracker.h"

#include <opencv2/core.hpp>

namespace rppg {

enum class RoiMode {
    Face,        // landmarks + skin colour (needs a FaceObservation)
    FullFrame,   // every pixel of the frame
    Rectangle,   // a fixed rectangle of the frame
};

struct SkinRoiConfig
{
    RoiMode mode = RoiMode::Face;
    cv::Rect rect;                 // for RoiMode::Rectangle (clipped to the frame)
    bool colourRefine = true;      // drop non-skin pixels (hair, glasses, shadows) inside the polygons
    int minPixels = 50;            // fewer skin pixels than this = no valid sample
};

struct SkinSample
{
    bool valid = false;
    cv::Vec3d meanRgb;             // mean R, G, B (0..255) over the skin pixels, in RGB order
    int pixelCount = 0;
    cv::Rect bounds;               // bounding box of the region in frame pixels
};

class SkinRoi
{
public:
    explicit SkinRoi(const SkinRoiConfig &config = {});

    // Measures the mean skin colour in `bgr`. For RoiMode::Face `face` must hold landmarks; a face
    // without them gives an invalid sample. When `maskOut` is given it receives the CV_8UC1 mask
    // (255 = skin) covering `bounds` (not the whole frame).
    SkinSample measure(const cv::Mat &bgr, const FaceObservation &face, cv::Mat *maskOut = nullptr);

    // The landmark polygons (forehead, left cheek, right cheek) used for RoiMode::Face.
    static std::vector<std::vector<cv::Point>> landmarkPolygons(const FaceObservation &face);

    const SkinRoiConfig &config() const { return m_config; }

private:
    SkinRoiConfig m_config;
    cv::Mat m_mask;        // reused buffers (no allocation per frame)
    cv::Mat m_ycrcb;
};

} // namespace rppg
