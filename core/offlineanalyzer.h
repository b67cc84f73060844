#pragma once

// Whole-file analysis: decode → track → skin colour → method → signal analysis. A decode thread
// feeds the processing loop through a small bounded queue, so memory stays flat for any length.
//
// Thread affinity: run() blocks the calling thread; progress is called on that thread.

#include "analysisconfig.h"

#include <atomic>
#include <functional>

namespace rppg {

// Called with (frames done, frames expected or 0 when unknown). Return value ignored.
using ProgressFn = std::function<void(int64_t done, int64_t total)>;

// Errors: FileNotFound, NotAVideo, CorruptVideo, NoFrames, NoFace, Usage (unknown method),
// Cancelled, TooShort (less than one window of signal; the partial result is still returned via
// `partial` when given).
Result<AnalysisResult> analyzeFile(const QString &path, const AnalysisConfig &config,
                                   const ProgressFn &progress = {},
                                   const std::atomic<bool> *cancel = nullptr);

// The same on any frame source (synthetic, camera bridge).
Result<AnalysisResult> analyzeSource(FrameSource &source, const AnalysisConfig &config,
                                     const ProgressFn &progress = {},
                                     const std::atomic<bool> *cancel = nullptr);

} // namespace rppg
