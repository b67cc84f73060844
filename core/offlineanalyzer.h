#pragma once

// Whole-file analysis: decode → track → skin colour → method(s) → signal analysis. A decode thread
// feeds the processing loop through a small bounded queue, so memory stays flat for any length.
// Several methods can share one pass: tracking and skin colour are computed once for every
// RGB-trace method; each face-video method gets its own crops.
//
// Thread affinity: the functions block the calling thread; progress and hooks are called on it.

#include "analysisconfig.h"
#include "frame.h"

#include <atomic>
#include <functional>
#include <memory>

namespace rppg {

// Called with (frames done, frames expected or 0 when unknown).
using ProgressFn = std::function<void(int64_t done, int64_t total)>;

// Errors: FileNotFound, NotAVideo, CorruptVideo, NoFrames, NoFace, Usage (unknown method),
// Cancelled. A recording with too little signal for a heart rate is not an error: the result
// has no HR and says so in `warnings`.
Result<AnalysisResult> analyzeFile(const QString &path, const AnalysisConfig &config,
                                   const ProgressFn &progress = {},
                                   const std::atomic<bool> *cancel = nullptr);

// The same on any frame source (synthetic, camera bridge).
Result<AnalysisResult> analyzeSource(FrameSource &source, const AnalysisConfig &config,
                                     const ProgressFn &progress = {},
                                     const std::atomic<bool> *cancel = nullptr);

// ---- several methods in one pass ---------------------------------------------------------------

struct MethodSignal
{
    QString method;
    QString device;
    QString model;
    SignalResult signal;
};

struct MultiAnalysis
{
    VideoInfo video;
    std::vector<FrameRecord> frames;     // tracking and skin colour (method-independent)
    std::vector<MethodSignal> methods;   // in the order asked for
    int faceFrames = 0;
    bool truncated = false;
    int decodeErrors = 0;
    double processingSec = 0;            // wall time
    double decodeSec = 0;                // time the decode thread spent decoding
    double analysisSec = 0;              // time spent tracking, extracting and analysing
    QStringList warnings;

    const MethodSignal *find(const QString &method) const;
};

struct MultiOptions
{
    // Called for every decoded frame before analysis; may crop or otherwise change it.
    std::function<void(VideoFrame &)> prepare;
    // Called after a frame has been analysed (with its record), e.g. to compare or keep it.
    std::function<void(const VideoFrame &, const FrameRecord &)> inspect;
};

// The same, fed frame by frame by the caller (for interleaving several videos on one thread).
class MethodsAnalyzer
{
public:
    MethodsAnalyzer(const AnalysisConfig &config, const QStringList &methods);
    ~MethodsAnalyzer();
    MethodsAnalyzer(const MethodsAnalyzer &) = delete;
    MethodsAnalyzer &operator=(const MethodsAnalyzer &) = delete;

    // Creates the methods and loads the face model. Errors: Usage, FileNotFound, BadData.
    Error init();
    FrameRecord push(const VideoFrame &frame);
    // Ends the input and analyses the signals. `video` describes the source; `truncated` and
    // `decodeErrors` come from its decoder. Errors: NoFrames, CorruptVideo, NoFace.
    Result<MultiAnalysis> finish(const VideoInfo &video, bool truncated, int decodeErrors,
                                 const Error &decodeError = {});

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

Result<MultiAnalysis> analyzeSourceMethods(FrameSource &source, const AnalysisConfig &config,
                                           const QStringList &methods, const ProgressFn &progress = {},
                                           const std::atomic<bool> *cancel = nullptr,
                                           const MultiOptions &options = {});
Result<MultiAnalysis> analyzeFileMethods(const QString &path, const AnalysisConfig &config,
                                         const QStringList &methods, const ProgressFn &progress = {},
                                         const std::atomic<bool> *cancel = nullptr,
                                         const MultiOptions &options = {});

// The first method of `multi` as a single-method result (what analyzeFile gives): its signal and
// the shared records are moved out; the other methods stay in `multi`.
AnalysisResult takeFirstMethod(MultiAnalysis &multi, const AnalysisConfig &config);

} // namespace rppg
