#pragma once

// STVEN (Yu et al., ICCV 2019): a spatio-temporal video enhancement generator, StarGAN-style. The
// target compression level is a one-hot label broadcast into constant planes and concatenated to
// the RGB channels; a 3D conv encoder (InstanceNorm), R(2+1)D bottleneck blocks and a decoder
// produce a residual: out = x + tanh(G(x, label)). Follows docs/stven_rppgnet.md §2.
//
// Tensors: video B × 3 × T × H × W in [-1, 1] (project convention), T even and H, W multiples of
// 4; label B × cDim, one-hot with index 0 = original quality, k = compression level k. Child
// modules carry the reference names (down3Dmain.0, down3Dmain.9.spatial_conv, layers2.0, ...).
//
// Thread affinity: as for any libtorch module, one thread at a time per instance.

#include "layers.h"

#include <torch/torch.h>

#include <string>
#include <vector>

namespace rppg::models {

struct StvenConfig
{
    int convDim = 64;              // Conv_1 width; Conv_2 and DConv_1 use 2×, DConv_2 1×
    int bottleneckChannels = 512;  // Conv_3 and ST-block width (the reference fixes it at 8 × convDim)
    int repeatNum = 4;             // ST blocks in the bottleneck: 4 in the released code, 6 per the paper (?)
    int cDim = 5;                  // label entries = compression levels + 1 (index 0 = original)
    int frames = 64;               // clip length the model is trained for (must be even)
    int inputSize = 128;           // crop side it is trained for (multiple of 4)
    // InstanceNorm3d(track_running_stats) as in the reference: eval mode then normalises with
    // running statistics like BN. false = per-clip statistics at eval time (spec §6 #12).
    bool instanceNormTrackStats = true;
};

std::string validateStvenConfig(const StvenConfig &config);

class StvenImpl : public torch::nn::Module
{
public:
    // Throws std::invalid_argument on an unusable config; makeStven() turns that into a value.
    explicit StvenImpl(const StvenConfig &config = {});

    // x: B × 3 × T × H × W; label: B × cDim (any float dtype). Returns the enhanced clip,
    // x + residual(x, label). The network is fully convolutional: any even T and H, W that are
    // multiples of 4 work, not only config.frames / config.inputSize.
    torch::Tensor forward(const torch::Tensor &x, const torch::Tensor &label);
    // The tanh branch alone, in (−1, 1).
    torch::Tensor residual(const torch::Tensor &x, const torch::Tensor &label);

    const StvenConfig &config() const { return m_config; }
    std::string checkInput(const torch::Tensor &x, const torch::Tensor &label) const;

private:
    StvenConfig m_config;
    torch::nn::Conv3d m_conv1{nullptr};
    torch::nn::InstanceNorm3d m_norm1{nullptr};
    torch::nn::Conv3d m_conv2{nullptr};
    torch::nn::InstanceNorm3d m_norm2{nullptr};
    torch::nn::Conv3d m_conv3{nullptr};
    torch::nn::InstanceNorm3d m_norm3{nullptr};
    std::vector<SpatioTemporalConv> m_blocks;
    torch::nn::ConvTranspose3d m_deconv1{nullptr};
    torch::nn::InstanceNorm3d m_norm4{nullptr};
    torch::nn::ConvTranspose3d m_deconv2{nullptr};
    torch::nn::InstanceNorm3d m_norm5{nullptr};
    torch::nn::Conv3d m_outputConv{nullptr};
};
TORCH_MODULE(Stven);

// Builds a generator or returns nullptr with a one-line reason in *error (never throws).
Stven makeStven(const StvenConfig &config, std::string *error = nullptr);

// One-hot labels B × cDim (float32) for the given levels (0 = original quality). Throws
// std::out_of_range for a level outside [0, cDim).
torch::Tensor oneHotLevels(const std::vector<int> &levels, int cDim);

} // namespace rppg::models
