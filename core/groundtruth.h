#pragma once

// Reference heart rate over time, for scoring estimates: the per-frame `hr_bpm` of a synthetic
// ground-truth file (<stem>.gt.csv), or a single mean HR (datasets that give one number per video).
//
// Thread-safe (values). Units: seconds, beats per minute.

#include "result.h"

#include <QString>

#include <vector>

namespace rppg {

// The comment line that starts a ground-truth file of a video without a pulse (`rppg synth
// --amplitude 0`): readHrReference() refuses it with a message that says so.
inline constexpr char kNoPulseMarker[] = "# pulse: none";

struct HrReference
{
    std::vector<double> timeSec;   // empty for a constant reference
    std::vector<double> hrBpm;
    std::vector<double> ppg;       // reference waveform at timeSec (may be empty)
    double meanHrBpm = 0;

    // Mean reference HR over [fromSec, toSec] (the constant when there is no track).
    double meanOver(double fromSec, double toSec) const;
    // The reference HR of a window as an estimator sees it: the spectral peak of the reference
    // waveform over the same window with the same processing (the "FFT label" of rPPG-Toolbox).
    // A spectral estimate weights the window's centre more than its ends, so with a varying HR
    // it can differ from meanOver() by several bpm. Falls back to meanOver() without a waveform.
    double windowHr(double fromSec, double toSec, double bandLowHz = 0.7, double bandHighHz = 4.0) const;
    // The whole-recording reference, processed like the analyser's whole-recording estimate
    // (Welch over window-long segments). Falls back to meanHrBpm without a waveform.
    double recordingHr(double windowSec = 10.0, double bandLowHz = 0.7, double bandHighHz = 4.0) const;
    static HrReference constant(double hrBpm);
};

// Reads the `time_s`, `hr_bpm` and (when present) `ppg` columns of a ground-truth CSV (ours, or any CSV with those
// columns). Errors: FileNotFound, BadData.
Result<HrReference> readHrReference(const QString &path);

// Any reference file a user may have: a CSV with time_s and hr_bpm (and optionally ppg), or a PPG
// recording in one of the layouts readPpgCsv() understands (HR then comes from the waveform).
// `defaultRateHz` is for PPG files without a time column. Errors: FileNotFound, BadData.
Result<HrReference> loadHrReference(const QString &path, double defaultRateHz = 0);

} // namespace rppg
