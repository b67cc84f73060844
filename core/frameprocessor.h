#pragma once

// Per-frame stage of the pipeline: face tracking, skin region, mean colour, and (for FaceVideo
// methods) the face crop fed to the method. Shared by the offline analyser and the live worker.
//
// Thread affinity: one instance per processing thread.

#include "analysisconfig.h"
#include "frame.h"

#include <memory>
#include <vector>

namespace rppg {

// What a view can draw for the frame just processed.
struct FrameOverlay
{
    FaceObservation face;
    cv::Rect skinBounds;
    cv::Mat skinMask;      // CV_8UC1 over skinBounds (255 = skin); may be empty
};

// The square crop handed to face-video methods (and stored in the training clip cache): 1.2 × the
// longer side of the face box, centred on the box, clipped to the frame. Empty for an empty box.
cv::Rect faceCropRect(const cv::Rect2f &faceBox, const cv::Size &frameSize);

class FrameProcessor
{
public:
    // `method` is not owned and may be null (RGB only).
    FrameProcessor(const AnalysisConfig &config, PulseMethod *method);
    // Several methods share the tracking; every face-video method among them gets the crops.
    FrameProcessor(const AnalysisConfig &config, const std::vector<PulseMethod *> &methods);
    ~FrameProcessor();

    // Loads the face model when the ROI mode needs it. Errors: FileNotFound, BadData.
    Error init();
    FrameRecord process(const VideoFrame &frame, FrameOverlay *overlay = nullptr);
    void reset();

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace rppg
