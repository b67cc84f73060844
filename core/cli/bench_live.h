#pragma once

// The live part of `rppg bench` (see bench_live.cpp): whether a method keeps up with a camera.
// A video is fed to the live engine at its own frame rate, the way a camera delivers frames (the
// newest frame wins; a frame the engine is not ready for is dropped and counted).

#include "result.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <cmath>
#include <cstdint>

namespace rppg::cli {

struct LiveFeedResult
{
    QString method;
    QString device;                   // "CPU", "CUDA:0", ...
    int64_t fed = 0;                  // frames handed to the engine
    int64_t analysed = 0;             // frames it analysed (the rest were dropped)
    uint64_t dropped = 0;
    double mediaSec = 0;              // media time fed
    double firstHrMediaSec = NAN;     // media time of the first update with a heart rate
    double firstHrLagSec = NAN;       // how long after that media time was fed the update came
    double medianLagSec = NAN;        // updates: wall time at the update − wall time its frame was fed
    double maxLagSec = NAN;
    double finalHrBpm = NAN;          // the last update's heart rate, over [finalFromSec, finalToSec]
    double finalFromSec = NAN, finalToSec = NAN;
};

// Feeds `video` to a fresh live engine running `method` (with `compare` beside it) in real time,
// after the method has loaded. Times are seconds; media times count from the first frame.
// `witnesses` false turns a network's witness and octave checks off (AnalysisConfig::witnessMethods).
Result<LiveFeedResult> feedLive(const QString &video, const QString &method, const QStringList &compare,
                                const std::atomic<bool> *cancel, bool witnesses = true);

} // namespace rppg::cli
