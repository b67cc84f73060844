#pragma once

// Training of rPPGNet, STVEN and the joint STVEN + rPPGNet stage on clip caches (clipdataset.h),
// following docs/stven_rppgnet.md §1.7, §2.3–2.5 with the losses of losses.h:
//  - rppgnet: 0.1·skin BCE + 0.5·(Σ parts + aux) + global negative Pearson, on level-0 clips
//    (or every level with `rppgNetAllLevels`).
//  - stven:   for each clip a random source level k and target level j (j = 0 half the time, the
//    level inference asks for): G(x_k, l_j) vs x_j (L1 + MSE) plus the cycle G(G(x_k, l_j), l_k)
//    vs x_k.
//  - joint:   x̂ = G(x_k, l_0) with k a random compressed level; the frozen rPPGNet R (weights
//    fixed, BN in eval mode, gradients flow through it into G) reads x̂ for the task loss against
//    the labels; the perceptual loss compares R(x̂) with R(x_0) (the teacher: the same frozen
//    weights on the original clip, so one network serves as both copies of the reference code);
//    plus ρ · (L1 + MSE)(x̂, x_0) (ρ = 1e-4 as in the paper, or `jointReconstruction`); with
//    `jointWithOriginal` k may also be the original. Only STVEN is updated and saved.
// Adam, a fixed seed (weights, shuffling and augmentation), a subject-disjoint validation split,
// a validation pass per epoch (HR MAE over 10 s windows of each held-out segment, its clips'
// predictions overlap-added as inference does, against the reference PPG's HR over the same
// frames; see windowedHrMae), a checkpoint per epoch (architecture config, input size,
// training data, settings and validation metrics in its metadata; the optimizer state next to it
// as <checkpoint>.optim) plus <mode>-best.ckpt, and resume from an epoch checkpoint.
//
// Thread affinity: train() blocks the calling thread; callbacks run on it.

#include "clipdataset.h"
#include "losses.h"
#include "rppgnet.h"
#include "stven.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rppg::models {

enum class TrainMode {
    RppgNet,
    Stven,
    Joint,
};
const char *trainModeName(TrainMode mode);   // "rppgnet", "stven", "joint"
std::optional<TrainMode> trainModeFromName(const std::string &name);

enum class TrainErrorKind {
    None,
    Usage,          // bad settings
    FileNotFound,   // a cache folder or checkpoint that is not there
    BadData,        // not a clip cache, damaged, wrong checkpoint kind or config, clips too short
    WriteFailed,    // output folder not writable
    Unsupported,    // CUDA asked for but absent
    Cancelled,
    Internal,       // a libtorch error during training
};

struct TrainOptions
{
    TrainMode mode = TrainMode::RppgNet;
    std::vector<std::string> data;   // clip cache folders
    std::string outDir;
    int epochs = 15;                 // total; a resumed run continues up to this count
    int batch = 4;
    double lr = 1e-4;
    uint64_t seed = 1;
    double valFraction = 0.2;
    std::string device = "auto";     // "auto", "cpu", "cuda", "cuda:N"
    int threads = 0;                 // 0 = libtorch's default
    int readerThreads = 0;           // threads reading a batch's clips; 0 = up to 8 on CUDA, 1 on the CPU
    std::string preset = "cpu";      // "cpu" (the shipped live configuration) or "paper"
    std::optional<RppgNetConfig> rppgNetConfig;   // overrides the preset (tests, experiments)
    std::optional<StvenConfig> stvenConfig;
    std::string resume;              // checkpoint of this mode written by train(): continue it
    std::string init;                // checkpoint to start from (weights only, epoch 0)
    std::string rppgNetCheckpoint;   // joint: the pretrained rPPGNet (frozen); stven: optional, for HR MAE
    int64_t stepsPerEpoch = 0;       // 0 = one pass over the training clips
    int64_t maxValidationClips = 0;  // 0 = all
    bool validateAllLevels = false;  // score every held-out clip at every level it is scored at (the
                                     // original too in rppgnet --all-levels mode), not one level per
                                     // segment: n levels × the validation time, a steadier number
    bool augment = true;
    Augmentation augmentation;
    bool rppgNetAllLevels = false;   // rppgnet: train on every compression level, not only level 0
    std::vector<std::string> levels; // compressed levels to train and validate on, by name (empty =
                                     // all); the original stays available as STVEN's target
    bool stvenRestoreOnly = false;   // stven: only pairs to the original (from every level, the original
                                     // included), no cycle term: the one direction inference uses
    double jointReconstruction = 1e-4;   // joint: ρ, the weight of (L1 + MSE)(x̂, x_0) (the paper's 1e-4)
    bool jointWithOriginal = false;  // joint: draw the original as a source too (the paper: compressed only)
    double frequencyWeight = 0;      // rppgnet and joint's task loss: weight of frequencyCrossEntropyLoss
                                     // on the main prediction (0 = the paper's loss)
    std::map<std::string, std::string> extraMeta;   // copied into the checkpoints' training.* keys
};

struct TrainProgress
{
    int epoch = 0;            // 1-based
    int epochs = 0;
    int64_t step = 0;         // within the epoch, 1-based
    int64_t steps = 0;
    double loss = 0;          // running mean over the epoch so far
    double elapsedSec = 0;    // this run
    double etaSec = 0;        // remaining training steps of the whole run at this run's step rate
};

struct EpochReport
{
    int epoch = 0;            // 1-based, counting resumed epochs
    double trainLoss = 0;
    double valLoss = 0;       // NaN without validation clips
    double valMaeBpm = 0;     // over 10 s windows of the held-out segments (windowedHrMae); per clip when no
                              // segment is covered for 10 s; NaN where not measured
    double valClipMaeBpm = 0; // per 64-frame clip (coarse: see windowedHrMae)
    int64_t valWindows = 0;   // windows behind valMaeBpm; 0 = it is the per-clip MAE
    std::map<int, double> valMaeByLevel;   // level → windowed MAE, when several levels are held out
    double valPearson = 0;
    double valPsnrDb = 0;     // stven/joint: enhanced vs original (NaN for rppgnet)
    double valPsnrInputDb = 0;   // stven/joint: compressed input vs original
    double seconds = 0;       // this epoch (training + validation)
    int64_t trainClips = 0;
    int64_t valClips = 0;
    std::string checkpoint;
    bool best = false;
};

struct TrainResult
{
    TrainErrorKind error = TrainErrorKind::None;
    std::string message;      // one line when error != None
    int startEpoch = 0;       // epochs already done when this run started (resume)
    std::vector<EpochReport> epochs;
    std::string bestCheckpoint;
    std::string lastCheckpoint;
    std::string deviceDescription;
    int64_t trainClips = 0;
    int64_t valClips = 0;
    std::vector<std::string> validationSubjects;
    double seconds = 0;
};

struct TrainCallbacks
{
    std::function<void(const std::string &)> log;            // one line per event
    std::function<void(const TrainProgress &)> progress;     // after every step
    std::function<void(const EpochReport &)> epochDone;
};

// The configurations the presets stand for: "cpu" = the shipped live networks (rPPGNet 64 px,
// paper widths, 64 frames; STVEN 64 px, conv 16, bottleneck 64, 2 blocks), "paper" = the
// published sizes (128 px). STVEN's cDim is set from the data. nullopt for an unknown name.
std::optional<RppgNetConfig> rppgNetPreset(const std::string &name);
std::optional<StvenConfig> stvenPreset(const std::string &name);

// Names of the files train() writes in outDir.
std::string epochCheckpointName(TrainMode mode, int epoch);   // "rppgnet-epoch003.ckpt"
std::string bestCheckpointName(TrainMode mode);               // "rppgnet-best.ckpt"

// The loss of one training step of each mode (what train() minimises; graph attached, so the
// caller runs backward and the optimizer). Clips B × 3 × T × S × S in [-1, 1], ppg B × T, mask
// B × T × S/2 × S/2, levels one per clip.
torch::Tensor rppgNetStepLoss(RppgNet &net, const torch::Tensor &clips, const torch::Tensor &ppg,
                              const torch::Tensor &mask, const RppgNetLossWeights &weights = {});
// source at sourceLevels → targetLevels, compared with `target`, plus the cycle back to source.
// Without `cycle` only the reconstruction term counts.
torch::Tensor stvenStepLoss(Stven &net, const torch::Tensor &source, const torch::Tensor &target,
                            const std::vector<int> &sourceLevels, const std::vector<int> &targetLevels,
                            bool cycle = true);
// STVEN restores `source` to level 0; the frozen rPPGNet (see freezeModule) reads the result.
torch::Tensor jointStepLoss(Stven &net, RppgNet &frozenRppgNet, const torch::Tensor &source,
                            const torch::Tensor &original, const torch::Tensor &ppg, const torch::Tensor &mask,
                            const JointLossWeights &weights = {});

TrainResult train(const TrainOptions &options, const TrainCallbacks &callbacks = {},
                  const std::atomic<bool> *cancel = nullptr);

} // namespace rppg::models
