#pragma once

// Reference pulse recordings: a PPG (or ECG) waveform with timestamps, read from the CSV layouts
// users have — "time,ppg" with a header, a single column of samples at a known rate, HeartPy's
// "timer"/"datetime" + "hr" layouts, vitallens' "ppg" column (one row per video frame), and our
// own synthetic ground truth (".gt.csv").
//
// Thread-safe (pure functions). Units: seconds, Hz, bpm.

#include "result.h"

#include <QString>

#include <vector>

namespace rppg {

struct PpgSeries
{
    std::vector<double> timeSec;   // strictly increasing, starting at 0
    std::vector<double> value;     // waveform samples
    double rateHz = 0;             // nominal sample rate (median interval)
    QString description;           // where it came from

    double durationSec() const { return timeSec.empty() ? 0 : timeSec.back() - timeSec.front(); }
};

// `defaultRateHz` applies to files without a time column (0 = refuse such files with BadData).
// Errors: FileNotFound, BadData (no numeric column, too few samples, non-monotonic time).
Result<PpgSeries> readPpgCsv(const QString &path, double defaultRateHz = 0);

// Beat (systolic peak) times found in a reference waveform: band-pass 0.5–4 Hz, peak detection.
std::vector<double> referenceBeats(const PpgSeries &ppg);
// Mean HR (bpm) of a reference waveform over [fromSec, toSec] (whole series when toSec <= fromSec),
// from its spectral peak; NaN when no clear peak.
double referenceHeartRate(const PpgSeries &ppg, double fromSec = 0, double toSec = 0);
// The same for samples at `timeSec` (the rate from the median step), e.g. a reference's waveform.
double referenceHeartRate(const std::vector<double> &timeSec, const std::vector<double> &value);

} // namespace rppg
