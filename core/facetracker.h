#pragma once

// Finds and follows one face: dlib HOG frontal detection (on a downscaled image), 68-point
// landmarks from dlib's shape predictor, and Lucas–Kanade point tracking between detections and
// landmark fits. The largest face is chosen at (re)acquisition and kept while the track holds;
// detection runs again when the track is lost and periodically to correct drift.
//
// Thread affinity: one instance per processing thread (not thread-safe). The landmark model is
// loaded once per process and shared read-only. Units: pixels of the input frame.

#include "result.h"

#include <opencv2/core.hpp>

#include <QString>

#include <array>
#include <memory>

namespace rppg {

enum class FaceState {
    NoFace,     // nothing found (or track lost and not re-acquired)
    Detected,   // a fresh detection this frame
    Tracked,    // carried over from earlier frames by tracking
};

struct FaceObservation
{
    FaceState state = FaceState::NoFace;
    cv::Rect2f box;                          // face box in frame pixels
    std::array<cv::Point2f, 68> landmarks{}; // iBUG 68-point layout
    bool landmarksValid = false;

    bool found() const { return state != FaceState::NoFace; }
};

struct FaceTrackerConfig
{
    QString landmarkModelPath;          // empty = default (/usr/share/dlib/shape_predictor_68_face_landmarks.dat)
    double detectMaxWidthPx = 320;      // frames are downscaled to at most this width for detection
    double redetectIntervalSec = 1.0;   // periodic re-detection while tracking
    double searchIntervalSec = 0.25;    // how often to search for a face while none is tracked
    int landmarkIntervalFrames = 3;     // full landmark fit every N frames; points tracked between
    double minFaceFraction = 0.08;      // ignore detections smaller than this fraction of frame height
};

class FaceTracker
{
public:
    explicit FaceTracker(const FaceTrackerConfig &config = {});
    ~FaceTracker();
    FaceTracker(const FaceTracker &) = delete;
    FaceTracker &operator=(const FaceTracker &) = delete;

    // Loads the landmark model (once per process). Errors: FileNotFound, BadData.
    Error init();

    // Processes the next frame (BGR, CV_8UC3). `timeSec` is the frame's presentation time.
    FaceObservation process(const cv::Mat &bgr, double timeSec);

    // Forgets the current track (after a seek, or a source change).
    void reset();

    static QString defaultLandmarkModelPath();

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace rppg
