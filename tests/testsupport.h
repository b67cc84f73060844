#pragma once

// Fixtures shared by the test suites: temporary folders and generated synthetic videos with known
// ground truth. Everything is generated; nothing outside the build and source trees is read.

#include "groundtruth.h"
#include "synth.h"

#include <QTemporaryDir>

namespace rppg::test {

// A short synthetic face video (defaults: 640×480, 30 fps, lossless FFV1, mild noise, no motion).
// Returns the video path inside `dir`; fails the current test on error (use QVERIFY(!path.isEmpty())).
QString makeSynthVideo(const QTemporaryDir &dir, const QString &fileName, SynthConfig config);
SynthConfig defaultSynthConfig(double meanHrBpm, double durationSec);

// Keeps the settings of a GUI test run (QSettings as INI) inside `dir`, under `applicationName`.
void isolateSettings(const QTemporaryDir &dir, const QString &applicationName);

// The bundled sample (resources/samples/sample.mp4) and its ground truth: "" when both were
// found, else what is wrong (use QVERIFY2(error.isEmpty(), …)).
QString loadSample(QString *videoPath, HrReference *truth);

// Writes raw bytes to a file in `dir` and returns its path.
QString writeFile(const QTemporaryDir &dir, const QString &fileName, const QByteArray &bytes);

// Registers a face-video method `name` that gives each frame the mean green of its crop (NaN
// without a face) `delayFrames` pushes late, the way a neural method holds frames for its clips;
// finish() gives the rest. Its output lag is known exactly: delayFrames frame intervals.
void registerDelayedMethod(const QString &name, int delayFrames);

// Registers (or replaces) a face-video method `name` whose output is a clean sine at `bpm` for
// every crop with a face (NaN without one), plus a sine at `otherBpm` with amplitude
// `otherAmplitude`: a network that is sure of itself, right or wrong.
void registerSineMethod(const QString &name, double bpm, double otherBpm = 0, double otherAmplitude = 0);

// Registers (or replaces) an RGB-trace (classical) method `name` whose output is a clean sine at
// `bpm` whatever the skin colour: a classical method fooled by something at that rate.
void registerRgbSineMethod(const QString &name, double bpm);

} // namespace rppg::test
