#pragma once

// Abstract producer of frames (file, camera bridge, synthetic source). Used from one thread at a
// time; implementations are not thread-safe.

#include "frame.h"
#include "result.h"

#include <QString>

namespace rppg {

struct VideoInfo
{
    QString path;
    QString containerName;   // e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    QString codecName;       // e.g. "h264"
    QString pixelFormat;     // source pixel format name, e.g. "yuv420p"
    int width = 0;           // display width in pixels (after rotation)
    int height = 0;          // display height in pixels (after rotation)
    int rotationDeg = 0;     // display-matrix rotation applied to frames (0, 90, 180, 270)
    double nominalFps = 0;   // container/stream frame rate; may be 0 when unknown
    double durationSec = 0;  // container duration; 0 when unknown
    int64_t frameCountEstimate = 0; // 0 when unknown
    int64_t bitRateBps = 0;  // stream or container bit rate; 0 when unknown
};

enum class ReadStatus {
    Frame,        // a frame was produced
    EndOfStream,  // no more frames (normal end)
    Error,        // unrecoverable error; lastError() says why
};

class FrameSource
{
public:
    virtual ~FrameSource() = default;
    virtual const VideoInfo &info() const = 0;
    virtual ReadStatus read(VideoFrame &frame) = 0;
    virtual Error lastError() const { return {}; }
};

} // namespace rppg
