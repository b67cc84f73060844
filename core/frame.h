#pragma once

// One decoded video frame. The pixel buffer is a reference-counted cv::Mat; once a frame has been
// produced nobody writes to it, so copies are cheap and frames may cross threads by value.

#include <opencv2/core.hpp>

#include <cstdint>

namespace rppg {

struct VideoFrame
{
    cv::Mat bgr;          // CV_8UC3, BGR order, never modified after production
    int64_t ptsUs = 0;    // presentation time in microseconds from the start of the stream
    int64_t index = 0;    // 0-based decode order index
};

} // namespace rppg
