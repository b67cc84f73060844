// Fuzz target: the video file source (core/videofilesource.h): bytes → temporary file → open →
// decode up to kMaxFrames frames. Any input must open with an Error or yield frames and then end
// (EndOfStream or Error), never crash, hang or leak.

#include "common.h"

#include "videofilesource.h"

#include <opencv2/core.hpp>

extern "C" {
#include <libavutil/log.h>
}

namespace {
constexpr int kMaxFrames = 16;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1 << 20))
        return -1;
    static bool quiet = [] {
        av_log_set_level(AV_LOG_QUIET);
        return true;
    }();
    (void)quiet;
    const QString path = rppg::fuzz::writeInput(QStringLiteral("input.bin"), data, size);
    rppg::VideoFileSource source;
    rppg::VideoFileSourceOptions options;
    options.maxWidth = 160;   // the decode is what is fuzzed; keep the conversion cheap
    if (source.open(path, options).isError())
        return 0;
    const rppg::VideoInfo &info = source.info();
    if (info.width <= 0 || info.height <= 0)
        __builtin_trap();   // open() promised a usable stream
    rppg::VideoFrame frame;
    int64_t lastPts = INT64_MIN;
    for (int i = 0; i < kMaxFrames; ++i) {
        const rppg::ReadStatus st = source.read(frame);
        if (st != rppg::ReadStatus::Frame)
            break;
        if (frame.bgr.empty() || frame.bgr.type() != CV_8UC3)
            __builtin_trap();
        if (frame.ptsUs < lastPts)
            __builtin_trap();   // timestamps are repaired to be never decreasing
        lastPts = frame.ptsUs;
    }
    return 0;
}
