#pragma once

// The live engine behind the application: frames arrive one by one from any source (file
// playback, camera bridge, tests), a worker thread tracks the face and measures skin colour per
// frame, and every `updateIntervalSec` of media time it re-analyses the most recent records
// (analyzeSignal on ~30 s of samples, cheap) to give the current heart rate, the scrolling pulse
// waveform, the beats and the heart-rate trend. Memory is bounded for any session length: every
// history is a ring (records, trend), so a camera can run for hours.
//
// Thread affinity: a LiveAnalyzer object belongs to the thread that created it (the GUI thread in
// the application); its processing runs on an internal worker QThread that owns the
// FrameProcessor, the PulseMethod and every buffer. submit(), endOfStream(), restart(),
// setConfig(), droppedFrames() and sessionSnapshot() are thread-safe. Signals are emitted from the
// worker thread, so receivers in other threads get them queued; their payloads are immutable,
// shared values (std::shared_ptr<const ...>), cheap to copy across threads.
//
// Units: seconds of media time (frame timestamps), Hz, beats per minute, decibels, pixels.

#include "analysisconfig.h"
#include "frame.h"
#include "frameprocessor.h"

#include <QMetaType>
#include <QObject>
#include <QStringList>

#include <memory>

namespace rppg {

enum class LiveState {
    Idle,        // no frame analysed yet in this session
    NoFace,      // the newest frame has no face (or no usable skin region)
    WarmingUp,   // a face, but less than one window of continuous signal so far
    LowQuality,  // enough signal, but the estimate is missing or below the SNR threshold
    Ok,          // an estimate at or above the SNR threshold
};

// "idle", "no-face", "warming-up", "low-quality", "ok" (logs, tests; the GUI translates its own).
QString liveStateName(LiveState state);

// How submit() behaves when the input queue is full.
enum class InputPolicy {
    NewestWins,    // never block: the oldest queued frame is dropped and counted (live sources)
    Backpressure,  // block the producer until there is room (files analysed as fast as possible)
};

struct LiveConfig
{
    AnalysisConfig analysis;
    double updateIntervalSec = 0.5;    // media time between live estimates
    double waveformSec = 20.0;         // pulse history carried by each update
    double bufferSec = 30.0;           // records re-analysed per update (at least window + 2 s)
    double trendSec = 1800.0;          // heart-rate history carried by each update (a ring)
    double sessionSec = 600.0;         // records kept for export (a ring; ~1.6 MB at 30 fps)
    int queueCapacity = 4;             // frames waiting for the worker
    double frameEmitIntervalSec = 1.0 / 60.0;  // wall-clock limit on frameReady (display rate)
    double updateEmitIntervalSec = 0.05;       // wall-clock limit on updateReady (fast analysis)
    // Other registry methods analysed beside analysis.method on the same frames and the same face
    // track (a live comparison); each gets its current estimate and trend in every update. The
    // main method, repeats and empty names are ignored. An unknown name fails the configuration.
    QStringList compareMethods;
};

// The frame just analysed with what a view draws over it. Emitted at most every
// frameEmitIntervalSec of wall time.
struct LiveFrame
{
    uint64_t generation = 0;    // analysis session; restart() and setConfig() start a new one
    VideoFrame frame;           // the frame (shared pixels, never modified)
    double timeSec = 0;         // its media time
    FaceObservation face;       // tracked face box and landmarks
    cv::Rect skinBounds;        // skin region bounds in frame pixels
    cv::Mat skinMask;           // CV_8UC1 over skinBounds (255 = skin); may be empty
    MethodVisuals visuals;      // enhanced frame, skin map, attention (neural methods only)
};

struct LiveHrPoint
{
    double timeSec = 0;         // media time of the window end (a face-video method's newest output)
    double hrBpm = kNaN;
    double snrDb = kNaN;
    Quality quality = Quality::NoSignal;
    bool motionLocked = false;  // rated Low because the face moves at this rate (or at half of it)
    bool unsteady = false;      // rated Low because one half of the window does not hold the rate
    bool unconfirmed = false;   // rated Low because no classical witness agrees (face-video methods)
    double octaveFromBpm = kNaN;  // the method's own peak when the octave check moved the rate
    bool frozen = false;        // rated Low because the skin colour is frozen (a still picture)
};

// A method analysed beside the main one (LiveConfig::compareMethods), in the same update.
struct LiveMethodEstimate
{
    QString method;                 // registry key
    QString device;                 // "CPU", "CUDA:0", ...
    double hrBpm = kNaN;            // window ending at the update's timeSec (face-video methods:
    double snrDb = kNaN;            // at their newest output, up to 1.5 clips behind: trend.back())
    Quality quality = Quality::NoSignal;
    std::vector<LiveHrPoint> trend; // oldest first, the last trendSec
};

// One live estimate, emitted every updateIntervalSec of media time (at most every
// updateEmitIntervalSec of wall time). The trend keeps one point per window end: every update's
// for RGB-trace methods; a face-video method's output comes in bursts, and an update whose window
// ends where the previous one's did replaces that point.
struct LiveUpdate
{
    uint64_t generation = 0;
    int64_t sequence = 0;           // updates in this session
    double timeSec = 0;             // media time of the newest analysed frame
    LiveState state = LiveState::Idle;
    double hrBpm = kNaN;            // window ending at timeSec − outputLagSec (trend.back())
    double snrDb = kNaN;
    Quality quality = Quality::NoSignal;
    bool motionLocked = false;      // Low because the face moves at the estimate's rate (or half of it)
    bool unsteady = false;          // Low because one half of the window does not hold the rate
    bool unconfirmed = false;       // Low because no classical witness agrees (face-video methods)
    // Face-video methods: the method's own spectral peak when the octave check
    // (AnalysisConfig::octavePowerRatio) moved hrBpm to half or twice it; NaN otherwise.
    double octaveFromBpm = kNaN;
    bool frozen = false;            // Low because the skin colour is frozen (a still picture, a stalled stream)
    double signalSec = 0;           // continuous usable signal up to the window's end (timeSec - outputLagSec)
    double windowSec = 10;          // the configured window (warming-up progress = signalSec / windowSec)
    // Media time from the main method's newest output to timeSec: what a face-video method still
    // holds (a neural one up to 1.5 clips; since the session's first frame before its first
    // output; 0 once the stream ended). Always 0 for RGB-trace methods, which have no backlog.
    // The estimate's window ends there, so a reference is compared over the same window.
    double outputLagSec = 0;

    double fsHz = 0;                // waveform grid: pulse[k] at pulseT0Sec + k / fsHz
    double pulseT0Sec = 0;
    std::vector<double> pulse;      // filtered pulse over the last waveformSec (NaN = no signal)
    std::vector<double> beatTimesSec;   // beats inside the waveform span
    std::vector<LiveHrPoint> trend;     // oldest first, the last trendSec
    RespirationEstimate breathing;      // over the records analysed for this update (bufferSec)
    dsp::Hrv hrv;                       // the same span's beats
    Quality hrvQuality = Quality::NoSignal;   // SignalResult::hrvQuality (Low unless the window is Good)

    double processingFps = 0;       // frames analysed per wall-clock second
    uint64_t droppedFrames = 0;     // stale frames dropped by NewestWins since start()
    int64_t framesAnalysed = 0;     // in this session
    int64_t faceFrames = 0;         // of which with a face / skin region
    QString method;                 // registry key
    QString device;                 // "CPU", "CUDA:0", ...
    QString model;                  // model description; empty for classical methods
    bool endOfStream = false;       // the source ended and every queued frame was analysed
    std::vector<LiveMethodEstimate> compare;   // LiveConfig::compareMethods, in that order
};

using LiveFramePtr = std::shared_ptr<const LiveFrame>;
using LiveUpdatePtr = std::shared_ptr<const LiveUpdate>;

// The records of the current session, for export (see buildSessionResult).
struct LiveSession
{
    QString source;
    VideoInfo video;
    QString method;
    QString device;
    QString model;
    AnalysisConfig config;
    std::vector<FrameRecord> frames;
    bool historyTruncated = false;   // older records fell out of the sessionSec ring
    uint64_t droppedFrames = 0;
};

// The session as the CLI's result type (whole-recording HR, windows, beats, HRV), ready for
// writeAnalysisCsv. Classical methods are re-created from the registry (the worker's instance
// stays on its thread). Thread-safe; meant for a pool thread. Errors: NoFrames, Usage.
Result<AnalysisResult> buildSessionResult(const LiveSession &session);

class LiveAnalyzer : public QObject
{
    Q_OBJECT
public:
    explicit LiveAnalyzer(QObject *parent = nullptr);
    ~LiveAnalyzer() override;   // stops the worker (waits for the frame in progress)

    // Starts the worker (once) and a new session with `config`. Method creation and the face
    // model load happen on the worker; failures arrive as errorOccurred.
    // Each of start(), setConfig() and restart() returns the new session's id (the `generation` of
    // the frames and updates it produces; ids only grow).
    uint64_t start(const LiveConfig &config);
    // A new session with another configuration: queued frames are discarded, the method and
    // tracker are rebuilt, every history is cleared. Non-blocking.
    uint64_t setConfig(const LiveConfig &config);
    // A new session with the same configuration (after a seek or a source change). Non-blocking.
    // Returns 0 when the analyzer is not running.
    uint64_t restart();
    // The current session's id (0 before start()).
    uint64_t session() const;
    // Stops and joins the worker. Frames submitted later are refused.
    void stop();
    bool isRunning() const;

    // Describes the source for export metadata.
    void setSource(const QString &name, const VideoInfo &video);

    // Hands a frame to the worker. NewestWins never blocks; Backpressure blocks while the queue
    // is full. Returns false when the frame was refused: the session was restarted meanwhile or
    // the analyzer is stopped (a blocked producer is released at once in both cases).
    // With `session` other than 0 the frame is refused unless that session is still the current
    // one, so a producer that belongs to an older session (a source being replaced) can never
    // feed frames into the new one.
    bool submit(VideoFrame frame, InputPolicy policy, uint64_t session = 0);
    // The source ended: the worker analyses what is queued, then emits a final update with
    // endOfStream set. Returns false when refused (as submit()).
    bool endOfStream(InputPolicy policy, uint64_t session = 0);

    uint64_t droppedFrames() const;
    // The configuration in use: the one asked for last, or, after it failed (errorOccurred), the
    // previous one that still runs.
    LiveConfig config() const;
    // Whether a configuration is running: false before start() and while every configuration
    // asked for so far has failed (then nothing is analysed). Set before errorOccurred is emitted.
    bool hasWorkingConfig() const;
    // A copy of the session's records (up to sessionSec of them). Locks briefly against the
    // worker's appends; call it from a pool thread, not the GUI thread.
    LiveSession sessionSnapshot() const;

Q_SIGNALS:
    void frameReady(rppg::LiveFramePtr frame);
    void updateReady(rppg::LiveUpdatePtr update);
    // The method or the face model could not be set up; the previous working configuration (if
    // any) stays in use.
    void errorOccurred(const QString &message);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace rppg

Q_DECLARE_METATYPE(rppg::LiveFramePtr)
Q_DECLARE_METATYPE(rppg::LiveUpdatePtr)
