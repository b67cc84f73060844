// Fuzz target: the video file source (core/videofilesource.h): bytes → temporary file → open →
// decode up to kMaxVideoFrames frames (fuzz/replay.h). Any input must open with an Error or yield
// frames and then end (EndOfStream or Error), never crash, hang or leak.

#include "common.h"
#include "replay.h"

#include <cstdio>
#include <cstdlib>

extern "C" {
#include <libavutil/log.h>
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
    const std::string failure = rppg::fuzz::checkVideoFile(path);
    if (!failure.empty()) {
        std::fprintf(stderr, "fuzz_video: %s\n", failure.c_str());
        std::abort();
    }
    return 0;
}
