#pragma once

// Background work (decoding, analysis) runs at a lower scheduling priority than the thread that
// draws, so that a busy machine slows the analysis before it freezes the window: with decode,
// analysis and drawing all busy on two cores (As fast as possible playback), the window's thread
// otherwise waited up to ~90 ms at a time (bench/RESULTS.md, rppg_gui_bench).

namespace rppg {

// Lowers the calling thread's priority by `niceSteps` (Linux: its nice value; threads it starts
// later, such as an inference pool, inherit it). No-op where the platform has no per-thread nice
// value, or when it cannot be changed.
void lowerCurrentThreadPriority(int niceSteps = 5);

} // namespace rppg
