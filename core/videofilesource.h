#pragma once

// Decodes a video file with FFmpeg (libavformat + libavcodec + libswscale) and yields BGR frames
// with presentation timestamps in microseconds. Frames are streamed: at most a few decoded frames
// are held at any time, whatever the length of the file.
//
// Thread affinity: one thread at a time. Units: timestamps in microseconds from the first frame.

#include "framesource.h"

#include <memory>

namespace rppg {

struct VideoFileSourceOptions
{
    int decoderThreads = 1;     // FFmpeg decoder threads (0 = FFmpeg's choice)
    int maxWidth = 0;           // downscale frames wider than this (0 = keep size); keeps aspect
    bool applyRotation = true;  // honour the display matrix (phone videos)
};

class VideoFileSource final : public FrameSource
{
public:
    VideoFileSource();
    ~VideoFileSource() override;
    VideoFileSource(const VideoFileSource &) = delete;
    VideoFileSource &operator=(const VideoFileSource &) = delete;

    // Opens the file and its best video stream. Error codes: FileNotFound, NotAVideo, Unsupported.
    Error open(const QString &path, const VideoFileSourceOptions &options = {});
    bool isOpen() const;
    void close();

    const VideoInfo &info() const override;
    // Decodes the next frame. A file that is truncated or corrupt part-way yields the frames that
    // decode and then EndOfStream, with `truncated()` set; Error only when nothing can continue.
    ReadStatus read(VideoFrame &frame) override;
    Error lastError() const override;

    // Seeks to the key frame at or before `timeSec`; the next read() returns the first frame with
    // pts >= timeSec. Returns false when the container cannot seek.
    bool seek(double timeSec);

    // Packets or frames the decoder rejected so far (corrupt data that was skipped).
    int decodeErrorCount() const;
    // True when the stream ended early (read error before the container's end).
    bool truncated() const;
    // Frames whose timestamp went backwards (or was missing) and was repaired to keep pts monotonic.
    int repairedTimestampCount() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace rppg
