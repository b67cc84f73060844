#pragma once

// Encodes BGR (or grey) frames to a video file with FFmpeg's libraries (libavcodec + libavformat):
// the synthetic generator's output and the codec study's variants. The container follows the file
// extension (.mp4, .mkv, .avi, .mov).
//
// Thread affinity: one thread at a time. Units: bit rates in bits per second, times in microseconds.

#include "result.h"

#include <opencv2/core.hpp>

#include <QString>
#include <QStringList>

#include <memory>

namespace rppg {

struct EncoderSettings
{
    // "x264", "x265", "mpeg4", "ffv1", "mjpeg", "raw" (rawvideo). "h264"/"hevc" are accepted as
    // aliases of x264/x265.
    QString codec = QStringLiteral("x264");
    int64_t bitrateBps = 0;      // target bit rate; 0 = use crf / quality instead
    int crf = -1;                // constant rate factor (x264/x265) or qscale (mpeg4, mjpeg); -1 = codec default
    QString preset;              // x264/x265 preset ("medium" when empty)
    double fps = 30.0;           // nominal frame rate (time base); frames may carry their own pts
    int width = 0;               // frame size; must match every frame written
    int height = 0;
    int gopFrames = 0;           // key-frame interval; 0 = codec default
    bool grey = false;           // frames are CV_8UC1 (masks); stored losslessly when codec is ffv1
    // Encoder threads. With more than one, x265 (its own thread pool) does not always write the
    // same stream for the same frames (bench/RESULTS.md, stop 31); 1 is reproducible.
    int threads = 1;
    // Optional overrides (empty / 0 = the codec's default for BGR or grey input):
    QString pixelFormat;         // FFmpeg pix_fmt name, e.g. "yuv420p10le", "yuv444p"
    int rotationDeg = 0;         // clockwise display rotation (0/90/180/270) as mp4/mov metadata
};

struct EncodeStats
{
    int64_t frames = 0;
    int64_t fileBytes = 0;
    double durationSec = 0;
    double achievedBitrateBps = 0;  // video payload bits / duration
};

class VideoEncoder
{
public:
    VideoEncoder();
    ~VideoEncoder();
    VideoEncoder(const VideoEncoder &) = delete;
    VideoEncoder &operator=(const VideoEncoder &) = delete;

    // Error codes: Unsupported (codec not in this FFmpeg build, size the codec cannot take),
    // WriteFailed (cannot create the file), Usage (bad settings).
    Error open(const QString &path, const EncoderSettings &settings);
    // `ptsUs` < 0 means "frame index / fps". Frames must be CV_8UC3 BGR (or CV_8UC1 when grey).
    Error write(const cv::Mat &frame, int64_t ptsUs = -1);
    // Flushes the encoder and writes the trailer. Safe to call twice.
    Error finish();
    // Abandons the output: closes and deletes the partial file.
    void abort();

    EncodeStats stats() const;

    // Codec names (as accepted by EncoderSettings::codec) that this FFmpeg build can encode.
    static QStringList availableCodecs();
    static bool isCodecAvailable(const QString &codec);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace rppg
