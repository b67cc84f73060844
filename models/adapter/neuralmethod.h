#pragma once

// The neural pulse methods behind core's PulseMethod interface: "rppgnet" (rPPGNet on the face
// crops) and "stven+rppgnet" (STVEN enhances each clip, rPPGNet reads the enhanced clip).
// Adapter-internal: core never includes this, and it has no torch types, so tests and the
// benchmark can build methods with non-default settings without paying for torch headers.
//
// How a stream of crops becomes one value per frame:
//  - Timing. The networks were trained on ~30 fps clips. The first few crops' timestamps give the
//    input rate; within ±25 % of 30 fps every crop is one network frame. Otherwise (60 fps,
//    15 fps, ...) the network frames lie on a 30 Hz grid anchored at the first face frame of each
//    stretch, each one linearly interpolated between the two crops around it in time, and a
//    frame's output is read back by linear interpolation at its own timestamp.
//  - Gaps. A crop without a face gives no value (NaN, which the pipeline treats as a gap). Gaps
//    up to maxFillSec are bridged for the network with crops interpolated between the faces on
//    either side, so the clip stays continuous; a longer gap ends the stretch, and the next face
//    starts a new one. Frames that never arrive (dropped by a source that fell behind, or a
//    camera that lowered its rate) are bridged the same way: in direct timing a step of n input
//    frame intervals becomes n network frames. A rate that rises above the tolerance later (the
//    median of the last 15 intervals) ends the stretch and switches to resampling.
//  - Windows. Clips of T frames with a hop of T/2. Each clip's output is z-scored, tapered with
//    sin²(π(i + ½)/T) (which sums to exactly 1 at 50 % overlap and is never zero) and
//    overlap-added into one continuous signal. A frame's value is final once the next window
//    starts after it, i.e. the output lags the input by up to one clip (inline; see Inference).
//    At the end of a stretch one more clip aligned to its last frame covers the tail; a stretch
//    shorter than T but at least T/2 frames long runs once, mirrored in time to T frames;
//    shorter ones stay NaN.
//  - Inference. A clip's network run takes a burst of CPU time (about 0.6 s for STVEN + rPPGNet
//    on one core, every 32 frames); inline, the caller stops for it, and a file played in real
//    time fell behind (a bounded frame queue filled and playback re-anchored its clock) although
//    the average rate sufficed. So by default a worker thread of the method's own runs the
//    clips while the caller tracks the next frames, and a clip's output is added when the stream
//    is T/2 network frames past its end (waiting for the worker if it is not done), or at the
//    end of the stretch. Adding at a fixed point of the stream, not when the worker happens to
//    finish, keeps the output a function of the input alone: the same values at the same pushes
//    on any machine, inline or not, only half a clip later than inline.
//  - Visuals. Every clip keeps its per-frame skin maps, attention maps (32×32 at 128 px) and,
//    with STVEN, enhanced frames; latestVisuals() gives those of the network frame half a clip
//    (plus the background delay) behind the newest (always inside the last clip added), so they
//    advance frame by frame and lag the input about as much as the pulse values do.
//
// Thread affinity: a method instance belongs to the thread that uses it (like every
// PulseMethod); in background mode it owns one more thread, started with its first clip (so it
// inherits that caller's scheduling priority) and joined when it is destroyed. The factory may be
// called from several threads at once.

#include "pulsemethod.h"
#include "result.h"

#include <QLoggingCategory>
#include <QString>

#include <memory>

Q_DECLARE_LOGGING_CATEGORY(lcModels)

namespace rppg {

enum class NeuralPipeline {
    RppgNet,        // "rppgnet"
    StvenRppgNet,   // "stven+rppgnet"
};

QString neuralMethodName(NeuralPipeline pipeline);

// CPU threads libtorch gets when MethodOptions::threads is 0: one fewer than the cores, 1 to 4.
int defaultInferenceThreads();

enum class BatchNormFolding {
    Auto,     // where it was measured faster (see neuralmethod.cpp)
    Always,
    Never,
};

// Settings beyond core's MethodOptions, with the defaults the registry uses.
struct NeuralMethodSettings
{
    BatchNormFolding folding = BatchNormFolding::Auto;
    double networkRateHz = 30.0;      // the frame rate the networks were trained at
    double rateTolerance = 1.25;      // input rates within [rate / tol, rate · tol] are used as they are
    double maxFillSec = 0.2;          // face gaps up to this long are bridged (≈ 6 frames at 30 fps)
    // true: visuals at crop size, attention min–max scaled for display (what the UI shows).
    // false: skin map and attention at the network's own resolution (S/2 and S/4), attention as
    // the softmax weights (each frame sums to 1); for tests and analysis.
    bool displayVisuals = true;
    // true: clips run on a thread of the method's own while the caller goes on tracking the next
    // frames, and each clip's output is added T/2 network frames after its end (see Inference
    // above). false: each clip runs inside the push() that completes it (no thread; output half
    // a clip earlier).
    bool backgroundInference = true;
};

// The checkpoint files a pipeline loads (STVEN's empty for "rppgnet").
struct NeuralModelFiles
{
    QString rppgNet;
    QString stven;
};

// Resolves the weights: `modelPath` may be a checkpoint (rppgnet), "A.ckpt,B.ckpt" (stven+rppgnet,
// either order: the files say what they hold), or a folder holding the shipped file names; empty
// means resources/models/. Within a folder "-paper" weights are preferred on CUDA when present
// (for stven+rppgnet only as a pair), else the "-cpu" ones.
// Errors: FileNotFound (names the missing file), BadData (unreadable or wrong kind), Usage.
Result<NeuralModelFiles> findNeuralModelFiles(NeuralPipeline pipeline, const QString &modelPath, bool cuda);

// Builds a method: device choice (logged once per device), thread count (set once per process),
// checkpoint loading and validation. Errors: Usage (bad device text or thread count), Unsupported
// (CUDA asked for but absent), FileNotFound, BadData (damaged or mismatched checkpoints); every
// message is one line.
Result<std::unique_ptr<PulseMethod>> createNeuralMethod(NeuralPipeline pipeline, const MethodOptions &options,
                                                        const NeuralMethodSettings &settings = {});

} // namespace rppg
