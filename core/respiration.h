#pragma once

// Breathing rate from the beats of a pulse signal. Breathing speeds the heart up and slows it down
// (respiratory sinus arrhythmia) and changes how much blood each beat pushes into the skin, so
// both the inter-beat intervals and the beat amplitudes carry it. Each series, known only at the
// beats, gets a Lomb-Scargle periodogram (averaged over half-overlapping window-long segments);
// the two, normalised over the breathing band and multiplied, give the rate (a peak has to be in
// both), and whether the two series agree on their own says how far it can be trusted.
//
// Pure functions; thread-safe. Units: seconds, Hz; rates per minute.

#include "analysisconfig.h"

#include <vector>

namespace rppg {

// Beats: `beatTimesSec` sorted, `beatAmplitudes` and `beatRuns` (the stretch of uninterrupted
// signal each beat belongs to; beats of different stretches are never paired) of the same length.
// Only beats in [fromSec, toSec] are used; `windowSec` is the periodogram's segment length
// (longer spans are averaged over half-overlapping segments of it).
RespirationEstimate estimateRespiration(const std::vector<double> &beatTimesSec,
                                        const std::vector<double> &beatAmplitudes,
                                        const std::vector<int> &beatRuns, double fromSec,
                                        double toSec, double windowSec, double bandLowHz,
                                        double bandHighHz);

// Estimates the whole recording and the causal sliding windows (config.respirationWindowSec, hop
// config.hopSec) of a signal whose beats have been found; fills signal.respiration and
// signal.respirationWindows.
void addRespiration(SignalResult &signal, const AnalysisConfig &config);

} // namespace rppg
