#pragma once

// From per-frame records to heart rate: uniform resampling by timestamp, splitting at gaps, the
// pulse method (for RGB-trace methods), detrending, band-pass, windowed and whole-recording HR,
// SNR and quality flags, beats and HRV. Used offline on a whole recording and live on the
// most recent records.
//
// Thread-safe (no state). Units: see analysisconfig.h.

#include "analysisconfig.h"

#include <utility>
#include <vector>

namespace rppg {

// `method` may be null for FaceVideo methods (their FrameRecord::methodPulse is used).
// `fsHz` <= 0 chooses the rate from the record timestamps (median frame interval).
SignalResult analyzeSignal(const std::vector<FrameRecord> &frames, const PulseMethod *method,
                           const AnalysisConfig &config, double fsHz = 0);

// The median over the windows rated Good of `values` (parallel to `windows`; null: the windows'
// own estimates) — SignalResult::windowsMedianHrBpm, and a reference's typical rate over the same
// windows. NaN without a Good window with a finite value.
double goodWindowsMedian(const std::vector<WindowEstimate> &windows, const std::vector<double> *values = nullptr);

// A one-line warning when fewer than half of the windows with an estimate are rated Good: no
// figure of the recording is to be trusted then (on synthetic faces without a pulse it fired on
// 53 of 54 classical analyses; with one, on 1 of 24 lossless ones). Empty otherwise.
QString fewOkWarning(const SignalResult &signal);
// Whether fewOkWarning() speaks: fewer than half of the windows with an estimate are Good.
bool fewWindowsOk(const SignalResult &signal);
// The windows with an estimate (Good or Low) and those of them rated Good.
struct WindowCounts
{
    int estimates = 0;
    int good = 0;

    double okShare() const { return estimates > 0 ? double(good) / estimates : kNaN; }
    // Under half of the windows with an estimate ok: nothing of the recording is to be trusted.
    bool fewOk() const { return estimates > 0 && 2 * good < estimates; }
    bool trusted() const { return estimates > 0 && !fewOk(); }
};
WindowCounts windowCounts(const SignalResult &signal);

// Rates the recording's HRV (SignalResult::hrvQuality): Good when the beats are clean
// (AnalysisConfig::hrvMinBeatCorrelation, hrvMaxImplausibleShare) and the recording itself is to be
// trusted (not fewWindowsOk()), Low otherwise, NoSignal without a valid HRV. Its breathing rate,
// from the same beats, is Low too when the recording is not to be trusted. `likenessIsEvidence`
// false (a network's waveform: rPPGNet draws every beat alike, beats off by 10-20 ms included,
// bench/RESULTS.md stop 28) rates a valid HRV Low whatever its beats look like.
void rateBeatMeasures(SignalResult &signal, const AnalysisConfig &config, bool likenessIsEvidence = true);

// A one-line warning when the whole-recording peak and the ok-window median disagree by more than
// 3 bpm and 3 %: the rate moved during the recording (or the peak sits on a harmonic), and the
// windows are the figure to trust. Empty when they agree, either is missing, or fewOkWarning()
// speaks (a median of a few ok windows is no figure to send the user to).
QString summaryDisagreement(const SignalResult &signal);

// A one-line warning when at least half of the windows with an estimate were rated low because
// their rate is the head's motion (WindowEstimate::motionLocked): the heart rate is then most
// likely the motion. Empty otherwise.
QString motionWarning(const SignalResult &signal);

// A one-line warning when a fifth of the recording's samples or more lie in frozen stretches of
// the skin colour (SignalResult::frozenShare): a still picture or a stalled stream. Empty otherwise.
QString frozenWarning(const SignalResult &signal);

// What a user should know about a signal, one line each: too little signal for a heart rate, or
// fewOkWarning(), summaryDisagreement(), motionWarning() and frozenWarning().
QStringList signalWarnings(const SignalResult &signal);

// HR and SNR of one stretch of pulse signal (already filtered), via a Welch periodogram.
struct SpectrumEstimate
{
    double hrBpm = kNaN;
    double snrDb = kNaN;
    double octaveFromBpm = kNaN;   // the spectral peak, when the octave check moved the estimate
    // estimateWindow() of a face-video method: each witness's rate over the same samples
    // (witnessRatesAt()), kept for measureWindow()'s witness check; empty otherwise.
    std::vector<double> witnessRates;
};
SpectrumEstimate estimateHeartRate(const std::vector<double> &pulse, double fsHz,
                                   double bandLowHz, double bandHighHz);

// The heart rate over samples [start, start + len) of s.pulse as a window (offline or live) takes
// it: estimateHeartRate() and, for a face-video method with witnesses, the octave check
// (AnalysisConfig::octavePowerRatio).
SpectrumEstimate estimateWindow(const SignalResult &s, int start, int len, const AnalysisConfig &config);

// A window over samples [start, start + len) of `s`, as the offline windows and the live estimate
// take it: estimateWindow(), then how far it can be trusted — Good when its SNR reaches the
// threshold, the face box does not move at its rate (see AnalysisConfig::motionLockAmplitude), both
// halves hold the rate (steadiness, see AnalysisConfig::steadyPowerRatio), the skin colour is not
// frozen (AnalysisConfig::frozenShareLimit) and, for a face-video method, a classical witness
// agrees (SignalResult::witnessPulses, AnalysisConfig::witnessToleranceBpm); Low otherwise;
// NoSignal without an estimate. Each Low window has one reason: a later check runs only on a Good
// window. Fills every field but startSec, endSec and coverage, which are the caller's.
WindowEstimate measureWindow(const SignalResult &s, int start, int len, const AnalysisConfig &config);

// Head motion over samples [start, start + len) of `s` near `hz` and `hz` / 2: the largest
// amplitude, as a share of the face's mean width, that the box's centre x, centre y or width has
// within ±0.05 Hz of `hz` (±0.025 Hz of `hz` / 2) once its linear trend is removed (Hann-weighted
// DFT). A trace counts only where its line peaks inside that tolerance: one that is stronger up to
// 0.1 Hz beyond it is a rhythm of the head beside the rate, seen through the window's main lobe.
// NaN when the stretch has no face box.
double motionAmplitudeAt(const SignalResult &s, int start, int len, double hz);

// How well both halves of the pulse over samples [start, start + len) of `s` hold `hz`: for each
// half, its power at `hz` over its largest power in [bandLowHz, bandHighHz] (Hann periodogram);
// the smaller of the two, 0..1. NaN when the stretch is too short or has no power.
double steadinessAt(const SignalResult &s, int start, int len, double hz, double bandLowHz, double bandHighHz);

// The mean of SignalResult::frozen over the valid samples of [start, start + len) where it is known;
// NaN when nowhere.
double frozenShareAt(const SignalResult &s, int start, int len);
// Each witness's rate over samples [start, start + len), in SignalResult::witnessPulses' order (NaN
// for one that does not cover the stretch).
std::vector<double> witnessRatesAt(const SignalResult &s, int start, int len, const AnalysisConfig &config);
// The frame rate implied by timestamps (median interval), clamped to 1..240 Hz; 0 when < 2 frames.
double estimateFrameRate(const std::vector<FrameRecord> &frames);

// The longest run of non-zero flags inside [a, b) of `valid`: (start, length); (a, 0) when none.
std::pair<int, int> longestValidRun(const std::vector<unsigned char> &valid, int a, int b);

} // namespace rppg
