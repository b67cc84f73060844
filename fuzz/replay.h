#pragma once

// What the fuzz targets do with one input, as plain functions, so that a finding can be replayed
// by a normal test (tests/tst_fuzzreplay.cpp) as well as by the fuzzer. Each returns an empty
// string when the input was handled (a value or an Error), or what went wrong.

#include "groundtruth.h"
#include "ppgseries.h"
#include "videofilesource.h"

#include <opencv2/core.hpp>

#include <QString>

#include <cstdint>
#include <string>

namespace rppg::fuzz {

constexpr int kMaxVideoFrames = 16;

// Opens a video file and decodes up to kMaxVideoFrames frames, checking what VideoFileSource
// promises: BGR frames of the size info() reports, timestamps that never go back.
inline std::string checkVideoFile(const QString &path)
{
    VideoFileSource source;
    VideoFileSourceOptions options;
    options.maxWidth = 160;   // the decode is what is tested; keep the conversion cheap
    if (source.open(path, options).isError())
        return {};
    // The size may be unknown (0) until the first frame when the container does not give it.
    const VideoInfo &info = source.info();
    VideoFrame frame;
    int64_t lastPts = INT64_MIN;
    for (int i = 0; i < kMaxVideoFrames; ++i) {
        const ReadStatus st = source.read(frame);
        if (st != ReadStatus::Frame)
            break;
        if (frame.bgr.empty() || frame.bgr.type() != CV_8UC3)
            return "a frame that is not BGR";
        if (frame.bgr.cols != info.width || frame.bgr.rows != info.height)
            return "frame size differs from info()";
        if (frame.ptsUs < lastPts)
            return "timestamps went back";
        lastPts = frame.ptsUs;
    }
    return {};
}

// The reference readers and what callers compute from their result.
inline std::string checkReferenceFile(const QString &path, double defaultRateHz)
{
    auto ppg = readPpgCsv(path, defaultRateHz);
    if (ppg.ok()) {
        const PpgSeries &s = ppg.value();
        if (s.timeSec.size() != s.value.size())
            return "readPpgCsv: time and value columns differ in length";
        for (size_t i = 1; i < s.timeSec.size(); ++i)
            if (!(s.timeSec[i] > s.timeSec[i - 1]))
                return "readPpgCsv: time not strictly increasing";
        (void)referenceBeats(s);
        (void)referenceHeartRate(s);
        (void)referenceHeartRate(s, 0, s.durationSec() / 2);
    }
    auto gt = readHrReference(path);
    if (gt.ok()) {
        const HrReference &r = gt.value();
        (void)r.meanOver(0, 5);
        (void)r.windowHr(0, 10);
        (void)r.recordingHr();
    }
    auto any = loadHrReference(path, defaultRateHz);
    if (any.ok()) {
        (void)any.value().windowHr(1, 11);
        (void)any.value().recordingHr();
    }
    return {};
}

} // namespace rppg::fuzz
