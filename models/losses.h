#pragma once

// Training losses for rPPGNet (spec §1.7), STVEN (§2.3) and the joint STVEN + rPPGNet stage
// (§2.4), with the spec's recommended fixes: an epsilon in the negative Pearson loss, per-sample
// z-scoring, L1 + MSE reconstruction (PSNR only reported, never added), MSE as the perceptual
// regression criterion. Every function returns a scalar loss tensor (graph attached) plus its
// components, so a trainer can log each term. Pure functions, any thread.

#include "rppgnet.h"

#include <torch/torch.h>

namespace rppg::models {

enum class SignalNormalisation {
    PerSampleZScore,   // (x − mean) / sqrt(var + ε) per row: scale-free and finite on flat rows
    None,
};

// Rows of a B × T tensor z-scored independently (unbiased variance, ε under the square root so a
// constant row maps to zeros with a finite gradient).
torch::Tensor zScoreRows(const torch::Tensor &signals);

// 1 − Pearson r per row of B × T prediction/target pairs, averaged over the batch:
// r = S_xy / sqrt(S_xx·S_yy + ε) with centred sums S (the spec's closed form, rearranged). The
// epsilon keeps the value (≈ 1 for a flat row) and its gradient finite.
torch::Tensor negPearsonLoss(const torch::Tensor &prediction, const torch::Tensor &target,
                             SignalNormalisation normalisation = SignalNormalisation::PerSampleZScore,
                             double epsilon = 1e-8);

// Mean binary cross-entropy between the sigmoid skin map and a 0/1 label of the same shape.
torch::Tensor skinLoss(const torch::Tensor &skinMap, const torch::Tensor &skinLabel);

// Frequency cross-entropy of the prediction's spectrum against the reference's dominant frequency
// (not in the ICCV 2019 paper; the same group's PhysFormer, CVPR 2022, trains with such a term).
// Power of each Hann-windowed, mean-removed row on `bins` frequencies evenly spaced over
// [low, high] cycles per frame (default 0.02–0.12: 36–216 bpm at 30 fps, 30–180 at 25), read as a
// distribution; the loss is −log of its share at the bin where the reference's power peaks,
// averaged over the batch. Negative Pearson rewards a waveform's shape, harmonics included; this
// term rewards putting the power at the heart rate rather than at a harmonic. Scale-free; finite
// (log bins) on flat rows.
torch::Tensor frequencyCrossEntropyLoss(const torch::Tensor &prediction, const torch::Tensor &target,
                                        double lowCyclesPerFrame = 0.02, double highCyclesPerFrame = 0.12,
                                        int bins = 128);

struct RppgNetLossWeights
{
    double skin = 0.1;    // α: skin segmentation BCE
    double local = 0.5;   // β: partition heads and the auxiliary head
    double global = 1.0;  // the main prediction
    double frequency = 0.0;   // frequencyCrossEntropyLoss on the main prediction (0 = the paper's loss)
};

struct RppgNetLossTerms
{
    torch::Tensor total;    // skin·BCE + local·(Σ parts + aux) + global·L_np(global) [+ frequency·CE(global)]
    torch::Tensor skinBce;
    torch::Tensor global;   // negative Pearson terms, each in [0, 2]
    torch::Tensor aux;
    std::array<torch::Tensor, 4> parts;
    torch::Tensor frequency;   // undefined when its weight is 0
};

// targetPpg: B × T pulse (PPG/BVP or smoothed ECG); skinLabel: B × T × S/2 × S/2, 0/1 floats.
// Throws std::invalid_argument on shape mismatches.
RppgNetLossTerms rppgNetLoss(const RppgNetOutput &output, const torch::Tensor &targetPpg,
                             const torch::Tensor &skinLabel, const RppgNetLossWeights &weights = {});

// Peak signal-to-noise ratio in dB (no gradient), for logging. dataRange = max − min of the pixel
// scale: 2 for the project's [-1, 1] clips.
torch::Tensor psnrDb(const torch::Tensor &estimate, const torch::Tensor &reference, double dataRange = 2.0);

struct ReconstructionTerms
{
    torch::Tensor loss;    // l1Weight·L1 + mseWeight·MSE
    torch::Tensor l1;
    torch::Tensor mse;
    torch::Tensor psnrDb;  // detached, logging only
};

struct StvenLossWeights
{
    double l1 = 1.0;
    double mse = 1.0;
    double cycle = 1.0;       // weight of the cycle term against the reconstruction term
    double dataRange = 2.0;   // for the reported PSNR
};

ReconstructionTerms reconstructionLoss(const torch::Tensor &estimate, const torch::Tensor &reference,
                                       const StvenLossWeights &weights = {});

struct StvenLossTerms
{
    torch::Tensor total;   // rec.loss + cycle·cyc.loss
    ReconstructionTerms reconstruction;   // G(x_k, l_0) vs x_0
    ReconstructionTerms cycle;            // G(G(x_k, l_0), l_k) vs x_k
};

// enhanced = G(compressed, l_0), cycled = G(enhanced, l_k).
StvenLossTerms stvenLoss(const torch::Tensor &enhanced, const torch::Tensor &original,
                         const torch::Tensor &cycled, const torch::Tensor &compressed,
                         const StvenLossWeights &weights = {});

struct JointLossWeights
{
    RppgNetLossWeights task;     // the rPPGNet loss of the enhanced clip vs the labels
    double perceptual = 1.0;     // ε in L = L_task + ε·L_p + ρ·L_STVEN
    double stven = 1e-4;         // ρ
    double perceptualSkin = 0.1;
    double perceptualParts = 0.5;
    double perceptualGlobal = 1.0;
    double perceptualFeatures = 1.0;   // each of the two feature maps
    StvenLossWeights reconstruction;   // cycle weight unused: the joint stage has no cycle term
};

struct JointLossTerms
{
    torch::Tensor total;
    RppgNetLossTerms task;
    torch::Tensor perceptual;
    ReconstructionTerms reconstruction;   // enhanced vs original
};

// student: the frozen rPPGNet on the enhanced clip (gradients flow through it into STVEN);
// teacher: the frozen pretrained rPPGNet on the original clip (detached here). The aux signal is
// not part of the perceptual term, as in the reference.
JointLossTerms jointLoss(const RppgNetOutput &student, const RppgNetOutput &teacher,
                         const torch::Tensor &targetPpg, const torch::Tensor &skinLabel,
                         const torch::Tensor &enhanced, const torch::Tensor &original,
                         const JointLossWeights &weights = {});

// Freezes a module for the joint stage: no parameter requires a gradient and BN/IN run in eval
// mode. Gradients still flow through it to its input. A later train() on a parent undoes the
// eval part, so call this after the parent's train().
void freezeModule(torch::nn::Module &module);

} // namespace rppg::models
