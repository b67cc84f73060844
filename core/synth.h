#pragma once

// The synthetic face-video generator (`rppg synth`): a real face photo animated with a known pulse.
// The pulse is a beat-by-beat PPG waveform (systolic peak, dicrotic notch) with chosen mean HR and
// HRV, or a real recording from a CSV. It modulates the skin pixels with a physiological colour
// ratio (green strongest, a few tenths of a percent), and the frame gets optional head motion,
// illumination drift and flicker, sensor noise and a skin tone across the Fitzpatrick range.
// Output: the video (any EncoderSettings), ground truth (per-frame PPG and HR), per-frame skin
// masks (lossless grey video) and a JSON description. Deterministic for a given seed.
//
// Thread affinity: one generation per call; independent calls may run in parallel.

#include "offlineanalyzer.h"   // ProgressFn
#include "videoencoder.h"

#include <QString>

#include <atomic>
#include <cstdint>
#include <vector>

namespace rppg {

struct PulseWaveConfig
{
    double meanHrBpm = 72.0;
    double sdnnMs = 40.0;           // beat-to-beat variability (0 = metronome); typical at 72 bpm,
                                    // see typicalSdnnMs() for other rates
    double respirationHz = 0.25;    // respiratory sinus arrhythmia frequency
    double dicroticRatio = 0.35;    // diastolic wave height relative to the systolic peak
    QString ppgCsvPath;             // when set, use this real recording instead of the model
    double ppgCsvRateHz = 0;        // rate for single-column CSVs
    double ppgCsvOffsetSec = 0;     // start offset into the recording
};

// One encoded copy of the rendered frames (the same frames go to every variant).
struct SynthVariant
{
    QString videoPath;
    EncoderSettings encoder;
};

struct SynthConfig
{
    QString facePhotoPath;          // empty = the bundled photo (resources/faces/astronaut.png)
    QString subject;                // the person, for subject-disjoint splits ("subject" in the
                                    // .synth.json); empty = each clip its own
    int width = 640;
    int height = 480;
    double fps = 30.0;
    double durationSec = 20.0;
    uint64_t seed = 1;

    PulseWaveConfig pulse;
    // Relative peak-to-peak modulation of the green channel: 0.8 % = an amplitude of 0.4 %, the
    // middle of the "few tenths of a percent" that cameras see on well-perfused facial skin.
    double pulseAmplitude = 0.008;
    int fitzpatrick = 0;            // 1..6 re-tones the skin; 0 = the photo's own tone

    double motionTranslationPx = 0; // amplitude of slow head translation
    double motionRotationDeg = 0;   // amplitude of in-plane head rotation
    double motionScale = 0;         // amplitude of scale change (0.05 = ±5 %)
    double illuminationDrift = 0;   // relative amplitude of slow light change (0.1 = ±10 %)
    double flickerAmplitude = 0;    // relative amplitude of light flicker
    double flickerHz = 10.0;        // flicker frequency as seen by the camera (aliased mains)
    double noiseSigma = 1.0;        // sensor noise standard deviation in 8-bit levels
    double faceScale = 1.0;         // relative face size in the frame

    // Frames without the face (the face leaves the frame): [startSec, endSec) intervals.
    std::vector<std::pair<double, double>> absentIntervals;

    std::vector<SynthVariant> variants;   // at least one
    bool writeGroundTruth = true;         // <stem>.gt.csv and <stem>.synth.json next to the first variant
    bool writeMasks = true;               // <stem>.mask.mkv next to the first variant
};

struct SynthResult
{
    QString groundTruthPath;
    QString maskPath;
    QString metaPath;
    std::vector<EncodeStats> variantStats;   // one per variant
    double meanHrBpm = 0;
    double sdnnMs = 0;
    double rmssdMs = 0;
    int64_t frames = 0;
};

// Errors: FileNotFound (photo, PPG CSV), NoFace (no face in the photo), Usage (bad values),
// Unsupported (codec), WriteFailed, Cancelled (partial files removed).
Result<SynthResult> generateSynthVideo(const SynthConfig &config, const ProgressFn &progress = {},
                                       const std::atomic<bool> *cancel = nullptr);

// Whether a photo can drive the generator: it decodes and holds a face with landmarks.
// Errors: FileNotFound, BadData (not an image), NoFace.
Error checkFacePhoto(const QString &photoPath);

// Head-motion presets by name — "none", "mild" (a seated person keeping still), "strong"
// (talking, looking around) — as amplitudes scaled to the frame height. False for an unknown name.
bool applyMotionPreset(SynthConfig &config, const QString &name);

// A resting SDNN typical for the mean rate: 40 ms at 72 bpm, scaled by (72 / HR)² so that the
// spread of the rate in bpm is the same at every rate (beat intervals shrink with the rate, and
// their variability in ms shrinks faster: a fixed 40 ms at 150 bpm would swing the rate ±15 bpm
// and split its spectral line into Mayer-wave sidebands). Capped at what validation allows.
double typicalSdnnMs(double meanHrBpm);

// Paths of the side files for a synthetic video.
QString groundTruthPathFor(const QString &videoPath);   // <stem>.gt.csv
QString maskPathFor(const QString &videoPath);          // <stem>.mask.mkv
QString synthMetaPathFor(const QString &videoPath);     // <stem>.synth.json

// The breathing rate (per minute) a synthetic video was made with, from its description beside
// it; NaN when there is none, it cannot be read, or the pulse came from a recording.
double synthBreathingRate(const QString &videoPath);

// The beat-by-beat PPG model on its own (tests, training labels): beat times and a waveform
// sampled at `fsHz` for `durationSec`.
struct PulseWave
{
    std::vector<double> beatTimesSec;   // systolic peak times
    std::vector<double> ppg;            // samples at fsHz, roughly in [0, 1]
    std::vector<double> instantHrBpm;   // 60 / current beat interval, per sample
    double fsHz = 0;
};
Result<PulseWave> makePulseWave(const PulseWaveConfig &config, double durationSec, double fsHz,
                                uint64_t seed);

} // namespace rppg
