#pragma once

// rPPGNet (Yu et al., ICCV 2019): a (2+1)D CNN that regresses a pulse waveform from a clip of face
// crops, with a skin-segmentation branch, parameter-free skin-based attention, an auxiliary head
// on the mid-level features and a global plus four partition heads on the high-level features.
// Follows docs/stven_rppgnet.md §1 (the authors' released code is the ground truth there).
//
// Tensors: input B × 3 × T × S × S face crops (pixel range [-1, 1] by project convention), T =
// config.frames, S = config.inputSize; outputs are unitless waveforms (one value per frame) and
// probabilities. Child modules are registered under the reference code's names (ConvSpa1,
// ConvSpa3.0.spatial_conv, skin_main.0, ConvPart2, ...) so state_dicts match name for name.
//
// Thread affinity: one thread at a time per instance; concurrent forward passes on one instance
// are fine only in eval mode under torch::InferenceMode / NoGradGuard.

#include "layers.h"

#include <torch/torch.h>

#include <array>
#include <string>

namespace rppg::models {

struct RppgNetConfig
{
    int frames = 64;      // clip length T; the input must have exactly this many frames
    int inputSize = 128;  // face crop side S in pixels; multiple of 16 (final map S/8, split in 2×2)
    int stemChannels = 16;     // ConvSpa1 (5×5 plain conv)
    int stage1Channels = 32;   // ConvSpa3, ConvSpa4 (S/2 resolution; feeds the skin branch)
    int stage2Channels = 64;   // ConvSpa5, ConvSpa6 (S/4; auxiliary head)
    int stage3Channels = 64;   // ConvSpa7 … ConvSpa9 (S/8; global and partition heads)
    int skinHiddenChannels = 16;  // skin_main's first conv
    int skinChannels = 8;         // skin_main's second conv and skin_residual
    // The authors' final commit regresses partition 1 with the global head (ConvSpa11), which
    // looks accidental (spec §6 #1); the default gives part 1 its own head ConvPart1. Set true to
    // run checkpoints trained with the final reference code.
    bool shareGlobalHeadForPart1 = false;
    // Registers ConvSpa (and ConvPart1 when part 1 shares the global head): never used in forward,
    // but present in the reference state_dict, so names and parameter counts match it.
    bool registerUnusedModules = true;
};

// Empty when the config is usable, else a one-line reason.
std::string validateRppgNetConfig(const RppgNetConfig &config);

// All outputs of one forward pass. Names follow the paper configuration (S = 128: skin map 64×64,
// attention at 32×32 and 16×16); for other S the sizes scale with it.
struct RppgNetOutput
{
    torch::Tensor skinMap;      // B × T × S/2 × S/2, skin probability in (0, 1)
    torch::Tensor aux;          // B × T, mid-level signal (reference "ecg_SA1", loss "rPPG_aux")
    torch::Tensor global;       // B × T, the main pulse prediction (reference "ecg_global")
    // B × T each. Quadrants of the attention-weighted S/8 map, rows = dim 3, cols = dim 4:
    // [0] rows < h/2, cols < w/2; [1] rows ≥ h/2, cols < w/2; [2] rows < h/2, cols ≥ w/2;
    // [3] rows ≥ h/2, cols ≥ w/2 (the reference's ecg_part1 … ecg_part4).
    std::array<torch::Tensor, 4> parts;
    torch::Tensor visual64;     // B × C1 × T × S/2 × S/2, ConvSpa4 output (x_visual6464), pre-attention
    torch::Tensor visual32;     // B × C2 × T × S/4 × S/4, ConvSpa6 output (x_visual3232), pre-attention
    torch::Tensor attention32;  // B × T × S/4 × S/4, attention weights; each frame sums to 1
    torch::Tensor attention16;  // B × T × S/8 × S/8, attention weights; each frame sums to 1
};

class RppgNetImpl : public torch::nn::Module
{
public:
    // Throws std::invalid_argument on an unusable config; makeRppgNet() turns that into a value.
    explicit RppgNetImpl(const RppgNetConfig &config = {});

    // x: B × 3 × frames × inputSize × inputSize (float). Throws std::invalid_argument on a shape
    // mismatch (the reference would silently resample time instead).
    RppgNetOutput forward(const torch::Tensor &x);

    const RppgNetConfig &config() const { return m_config; }
    // Empty when x fits this network, else a one-line reason.
    std::string checkInput(const torch::Tensor &x) const;

    // Inference-only rewrite: folds every BatchNorm3d into the conv before it and removes the BN
    // modules (their tensors leave the state_dict). Requires eval mode; afterwards forward throws
    // in training mode. Irreversible: reload the weights to train again.
    void foldBatchNorm();
    bool isBatchNormFolded() const { return m_batchNormFolded; }

private:
    RppgNetConfig m_config;
    bool m_batchNormFolded = false;

    ConvBnReluSeq m_stem{nullptr};            // ConvSpa1
    StBnRelu m_stage1a{nullptr};              // ConvSpa3
    StBnRelu m_stage1b{nullptr};              // ConvSpa4
    StBnRelu m_stage2a{nullptr};              // ConvSpa5
    StBnRelu m_stage2b{nullptr};              // ConvSpa6
    StBnRelu m_stage3a{nullptr};              // ConvSpa7
    StBnRelu m_stage3b{nullptr};              // ConvSpa8
    StBnRelu m_stage3c{nullptr};              // ConvSpa9
    ConvBnReluSeq m_skinMain{nullptr};        // skin_main
    ConvBnReluSeq m_skinResidual{nullptr};    // skin_residual
    torch::nn::Conv3d m_skinOutput{nullptr};  // skin_output.0 (followed by a sigmoid)
    torch::nn::Conv3d m_auxHead{nullptr};     // ConvSpa10
    torch::nn::Conv3d m_globalHead{nullptr};  // ConvSpa11
    std::array<torch::nn::Conv3d, 4> m_partHeads{nullptr, nullptr, nullptr, nullptr};  // ConvPart1..4
    torch::nn::Conv3d m_unusedStem{nullptr};  // ConvSpa (registered only, never run)
};
TORCH_MODULE(RppgNet);

// Builds a network or returns nullptr with a one-line reason in *error (never throws).
RppgNet makeRppgNet(const RppgNetConfig &config, std::string *error = nullptr);

// Skin-based attention (spec §1.5), parameter-free. features B × C × T × H × W, skin B × T × H × W.
// Returns the attention-weighted features and the weights α (B × T × H × W, softmax over H·W).
std::pair<torch::Tensor, torch::Tensor> skinAttention(const torch::Tensor &features,
                                                      const torch::Tensor &skin);

// Convenience wrapper for boundaries: folds BN of an eval-mode network, false + reason otherwise.
bool foldBatchNorm(RppgNet &net, std::string *error = nullptr);

} // namespace rppg::models
