#pragma once

// Configuration and result types shared by the offline analyser, the live analyser, the CLI and
// the GUI, so that every front end builds the pipeline the same way.
//
// Units: seconds, Hz, beats per minute, decibels, pixels.

#include "dsp.h"
#include "facetracker.h"
#include "framesource.h"
#include "pulsemethod.h"
#include "skinroi.h"

#include <QString>
#include <QStringList>

#include <array>
#include <cmath>
#include <limits>
#include <vector>

namespace rppg {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct AnalysisConfig
{
    QString method = QStringLiteral("pos");
    MethodOptions methodOptions;
    double windowSec = 10.0;        // sliding window for windowed HR
    double hopSec = 1.0;            // step between windows
    double bandLowHz = 0.7;         // 42 bpm
    double bandHighHz = 4.0;        // 240 bpm
    int filterOrder = 3;            // Butterworth prototype order (band-pass has twice the poles)
    double snrThresholdDb = -3.0;   // windows below this harmonic SNR are flagged low quality
    double maxGapSec = 0.5;         // face or sample gaps longer than this split the signal
    double minWindowCoverage = 0.8; // a window needs this share of valid samples for an HR
    // A window whose heart rate sits where the face box moves (at the rate, or at half of it: the
    // skin's shading changes twice per swing) by at least this share of the face's width is
    // flagged low quality: its "pulse" is most likely the motion. 0 turns the check off.
    double motionLockAmplitude = 0.005;
    // A window whose SNR is below steadySnrDb must hold its rate in both halves: in each half the
    // power at the window's rate reaches at least steadyPowerRatio of that half's own spectral
    // peak, or the window is flagged low quality ("inconsistent": a peak that one half makes alone
    // is most often noise or a passing artefact). 0 turns the check off.
    double steadyPowerRatio = 0.5;
    double steadySnrDb = 0.0;
    // A face-video method's (a network's) window is rated ok only when a classical method reading
    // the same skin region agrees with its rate within witnessToleranceBpm: on compressed video
    // rPPGNet's wrong windows are as clean as its right ones (SNR, motion and both halves pass),
    // but POS and GREEN seldom land on the same wrong rate (bench/RESULTS.md, stop 29). A window
    // no witness can be computed for is not downgraded. Empty list or tolerance 0 turns it off.
    QStringList witnessMethods{QStringLiteral("pos"), QStringLiteral("green")};
    double witnessToleranceBpm = 5.0;
    // The same check (and the octave check below) for the classical methods too, each against the
    // witnesses other than itself (POS against GREEN, GREEN against POS). Off by default: on 24
    // varied synthetic faces (bench/RESULTS.md, stop 32) it left no wrong video trusted for POS and
    // GREEN at x264 60k and moved POS's octave errors back (MAE 17.8 -> 16.4), but it has not been
    // through the whole benchmark yet.
    bool witnessClassical = false;
    // Octave check of a face-video method's rate, with the same witnesses: when none of them finds
    // the method's spectral peak (within witnessToleranceBpm) but one finds half or twice that
    // rate, and the method's own spectrum has a local peak there with at least octavePowerRatio of
    // the top peak's power and a harmonic SNR at the threshold, that peak is the estimate. rPPGNet
    // on compressed video most often fails by an octave (a 52 bpm face read at 104, its waveform
    // with alternate tall beats), and then still carries the true rate (bench/RESULTS.md, stop 30).
    // A window (and the whole recording) moved so keeps the rate it was moved from
    // (WindowEstimate::octaveFromBpm). 0, or the witness check off, turns it off.
    double octavePowerRatio = 0.3;
    // A window in which at least frozenShareLimit of the samples lie in a frozen stretch (the
    // skin's mean colour exactly the same for 0.2 s or longer: a still picture the codec stopped
    // updating, or a stalled stream) is rated low quality: those samples carry no pulse, and the
    // few steps between them make a spectrum with a peak anywhere. A repeated frame (frame-rate
    // conversion) is far shorter and does not count. Measured (bench/RESULTS.md, stop 30): no
    // frozen sample in 64 synthetic videos with a pulse (lossless to MPEG-4 250k) nor in the 27
    // real clips of bias-eval-rppg; still photos without a pulse 2-86 % of their samples,
    // x264-encoded. 0 turns it off.
    double frozenShareLimit = 0.1;
    double analysisRateHz = 0.0;    // uniform resampling rate; 0 = the video's frame rate (10..60)
    // HRV (SDNN, RMSSD) is rated ok only from clean beats: the recording's windows mostly ok, the
    // beats alike (SignalResult::beatShapeCorrelation at least hrvMinBeatCorrelation), and at most
    // hrvMaxImplausibleShare of the beat intervals implausible (missed or spurious beats). Noise
    // moves the beat times and inflates SDNN and RMSSD long before it moves the heart rate
    // (bench/RESULTS.md, stop 28).
    double hrvMinBeatCorrelation = 0.96;
    double hrvMaxImplausibleShare = 0.05;
    double respirationWindowSec = 30.0;  // sliding window for the breathing rate (hop: hopSec)
    double respirationLowHz = 0.1;       // 6 breaths per minute
    double respirationHighHz = 0.6;      // 36 breaths per minute
    FaceTrackerConfig tracker;
    SkinRoiConfig roi;
};

// The settings that shape a result, as one line for reports and views: "window 10 s, band
// 0.70-4.00 Hz (42-240 bpm), networks checked against POS, GREEN" (or "…, networks not checked").
QString analysisSettingsText(const AnalysisConfig &config);

// The witnesses that check `method`'s windows: AnalysisConfig::witnessMethods without the method
// itself (a classical method is only checked with AnalysisConfig::witnessClassical; the caller
// knows which methods run at all).
QStringList witnessesFor(const AnalysisConfig &config, const QString &method);

// Per-frame measurements (small: an hour of 30 fps video is about 8 MB of these).
struct FrameRecord
{
    int64_t index = 0;
    double timeSec = 0;
    FaceState faceState = FaceState::NoFace;
    cv::Rect2f faceBox;
    bool skinValid = false;
    cv::Vec3d rgb{kNaN, kNaN, kNaN};  // mean skin R, G, B (0..255)
    int skinPixels = 0;
    double methodPulse = kNaN;       // per-frame output of FaceVideo methods
};

enum class Quality {
    Good,      // an estimate with SNR at or above the threshold
    Low,       // an estimate with SNR below the threshold
    NoSignal,  // no estimate: no face / too few valid samples in the window
};

QString qualityName(Quality q);    // "ok", "low", "none"

struct WindowEstimate
{
    double startSec = 0;
    double endSec = 0;
    double hrBpm = kNaN;
    double snrDb = kNaN;
    double coverage = 0;           // share of valid samples
    Quality quality = Quality::NoSignal;
    // Head motion at the estimate's rate or half of it, as a share of the face's width (NaN when
    // unknown); motionLocked: at or above AnalysisConfig::motionLockAmplitude, so rated Low.
    double motionAmplitude = kNaN;
    bool motionLocked = false;
    // The weaker half's power at the estimate's rate over its own spectral peak (NaN when not
    // measured: SNR at or above AnalysisConfig::steadySnrDb, or the check off); unsteady: below
    // AnalysisConfig::steadyPowerRatio in a window the SNR and motion checks passed, so rated Low.
    double steadiness = kNaN;
    bool unsteady = false;
    // Face-video methods: the witnesses' (AnalysisConfig::witnessMethods) rate nearest to the
    // estimate (NaN when not measured: another check had already rated the window Low, or no
    // witness); unconfirmed: none within AnalysisConfig::witnessToleranceBpm, so rated Low.
    double witnessHrBpm = kNaN;
    bool unconfirmed = false;
    // Face-video methods: the method's own spectral peak when the octave check
    // (AnalysisConfig::octavePowerRatio) moved the estimate to half or twice it; NaN otherwise.
    double octaveFromBpm = kNaN;
    // The share of the window's samples in a frozen stretch (see AnalysisConfig::frozenShareLimit;
    // NaN when not measured); frozen: at or above the limit in a window the other checks passed,
    // so rated Low.
    double frozenShare = kNaN;
    bool frozen = false;
};

// Why an estimate is Low. The checks run in this order, so the first that applies is the reason.
enum class LowReason {
    None,          // not Low
    Motion,        // its rate is the head's motion (AnalysisConfig::motionLockAmplitude)
    Inconsistent,  // one half of the window does not hold it (AnalysisConfig::steadyPowerRatio)
    Frozen,        // a frozen picture (AnalysisConfig::frozenShareLimit)
    Unconfirmed,   // no classical witness finds a network's rate (AnalysisConfig::witnessMethods)
    Snr,           // the SNR alone
};
LowReason lowReason(Quality q, bool motionLocked, bool unsteady, bool frozen, bool unconfirmed);
LowReason lowReason(const WindowEstimate &w);
// "motion", "inconsistent", "frozen", "unconfirmed", "snr"; "" for None (CSV and JSON).
QString lowReasonName(LowReason r);

// Breathing rate from the pulse: breathing modulates the beat intervals (respiratory sinus
// arrhythmia) and the beat amplitudes; each gives a rate, and their spectra multiplied give the
// estimate. Good when the two agree, Low when they do not, NoSignal without enough beats.
struct RespirationEstimate
{
    double startSec = 0;
    double endSec = 0;
    double ratePerMin = kNaN;           // breaths per minute
    double intervalRatePerMin = kNaN;   // from the beat intervals alone
    double amplitudeRatePerMin = kNaN;  // from the beat amplitudes alone
    int beats = 0;                      // beats used
    Quality quality = Quality::NoSignal;

    bool hasRate() const { return std::isfinite(ratePerMin); }
};

// The processed signal on the uniform grid t0Sec + k / fsHz.
struct SignalResult
{
    double fsHz = 0;
    double t0Sec = 0;
    std::vector<double> raw;             // method output before filtering (NaN where invalid)
    std::vector<double> pulse;           // detrended, band-passed pulse (NaN where invalid)
    std::vector<unsigned char> valid;    // 1 where the sample belongs to a usable segment
    // The face box on the same grid: centre x, centre y and width in pixels (NaN where unknown;
    // constant for a fixed region). Used to tell a pulse from head motion.
    std::array<std::vector<double>, 3> faceMotion;
    // Face-video methods: the pulse of each AnalysisConfig::witnessMethods entry from the same
    // records' skin colour, processed like `pulse` (NaN where there is none); empty otherwise.
    std::vector<std::vector<double>> witnessPulses;
    // 1 where the sample lies in a frozen stretch of the skin colour, 0 where not, in between at
    // a stretch's edge; NaN where unknown (see AnalysisConfig::frozenShareLimit).
    std::vector<double> frozen;
    double frozenShare = kNaN;           // the mean of `frozen` over the valid samples
    std::vector<WindowEstimate> windows;
    double hrBpm = kNaN;                 // whole-recording estimate (Welch over valid segments)
    double snrDb = kNaN;
    // The whole recording's spectral peak when the octave check (AnalysisConfig::octavePowerRatio,
    // on the witnesses' own whole-recording rates) moved hrBpm to half or twice it; NaN otherwise.
    double octaveFromBpm = kNaN;
    // The median of the windows rated Good: the typical rate when it wanders (a broad spectrum
    // puts the Welch peak anywhere in the range); NaN without a Good window.
    double windowsMedianHrBpm = kNaN;
    std::vector<double> beatTimesSec;
    std::vector<double> beatAmplitudes;  // per beat: height above the trough before it
    std::vector<int> beatRuns;           // per beat: the stretch of signal it belongs to
    dsp::Hrv hrv;
    // How alike the beats are: the mean correlation of each beat (one median interval of the pulse
    // around its peak) with the average beat; NaN with fewer than 3 whole beats.
    double beatShapeCorrelation = kNaN;
    // Whether the HRV can be trusted (AnalysisConfig::hrvMinBeatCorrelation): Good, Low, or
    // NoSignal without a valid HRV.
    Quality hrvQuality = Quality::NoSignal;
    RespirationEstimate respiration;                  // whole recording
    std::vector<RespirationEstimate> respirationWindows;  // causal windows, hop hopSec

    bool hasHr() const { return std::isfinite(hrBpm); }
    double timeAt(size_t k) const { return t0Sec + double(k) / fsHz; }
};

struct AnalysisResult
{
    QString source;
    QString method;
    QString device;
    QString model;
    VideoInfo video;
    AnalysisConfig config;
    std::vector<FrameRecord> frames;
    SignalResult signal;
    int faceFrames = 0;
    bool truncated = false;       // the video ended early (partial results)
    int decodeErrors = 0;
    double processingSec = 0;     // wall time of decode + track + extract + analysis
    QStringList warnings;
};

} // namespace rppg
