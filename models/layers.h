#pragma once

// Building blocks shared by rPPGNet and STVEN. Each block registers its children under the names
// the reference PyTorch code (ZitongYu/STVEN_rPPGNet) gets from nn.Sequential and from its
// SpatioTemporalConv class ("0", "1", "spatial_conv", "bn", "temporal_conv"), so a state_dict
// written by either implementation names the same tensors. Layout everywhere: N × C × T × H × W.
// Thread affinity: a module instance belongs to one thread at a time (libtorch modules are not
// synchronised); read-only forward passes in InferenceMode may share one instance.

#include <torch/torch.h>
#include <torch/version.h>

// libtorch's option variants (padding, padding mode) are c10::variant before 2.0 and std::variant
// since; RPPG_VARIANT_NS::get / get_if work on both.
#if TORCH_VERSION_MAJOR >= 2
#define RPPG_VARIANT_NS std
#else
#define RPPG_VARIANT_NS c10
#endif

#include <string>
#include <vector>

namespace rppg::models {

// "[2, 3, 64, 128, 128]", for error messages.
std::string shapeString(const torch::Tensor &t);

// Number of learnable scalars, what the spec's parameter tables count (BN/IN running statistics
// are buffers and not included).
int64_t countParameters(const torch::nn::Module &module);

// Intermediate width M of an R(2+1)D factorised convolution (Tran et al. 2018): the integer
// floor that gives the (2+1)D pair about the parameter count of the full kt×kh×kw kernel.
int rPlus1dIntermediateChannels(int inChannels, int outChannels, int kernelT = 3, int kernelH = 3,
                                int kernelW = 3);

// A Conv3d module's forward pass. For float32 CPU inference (no gradient needed) it calls oneDNN
// directly: libtorch 1.13's dispatch heuristic sends many small-channel 3-D convs to its slow
// im2col path (measured up to 16× slower, e.g. 16→57 channels at 64×16×16: 46 ms vs 2.9 ms).
// Training and other devices take the module's own forward.
torch::Tensor runConv3d(torch::nn::Conv3dImpl &conv, const torch::Tensor &x);
// The same choice for a plain stride-1 convolution (4-D or 5-D input and weight, no groups).
torch::Tensor convolve(const torch::Tensor &x, const torch::Tensor &weight, const torch::Tensor &bias,
                       torch::IntArrayRef padding);

// Folds an eval-mode BatchNorm (its running statistics and affine terms) into the convolution
// that feeds it: W' = W·s, b' = (b − μ)·s + β with s = γ / sqrt(σ² + ε), per output channel.
// Computed in double so the folded layer matches conv → BN to float rounding.
void foldBatchNormIntoConv(torch::nn::Conv3dImpl &conv, const torch::nn::BatchNorm3dImpl &bn);

// ConvTranspose3d (no bias) computed as stride-1 convolutions, one per output phase, then
// interleaved. Per axis it supports (kernel 4, stride 2, padding 1) — 2 phases with 2 taps each —
// and (1, 1, 0) — unchanged; other settings fall back to torch::conv_transpose3d. Same result up
// to float rounding; libtorch 1.13's CPU transposed 3-D conv is 6–23× slower (measured on STVEN's
// two decoder layers). weight: Cin × Cout × kT × kH × kW, as ConvTranspose3d stores it.
torch::Tensor convTranspose3dByPhases(const torch::Tensor &x, const torch::Tensor &weight,
                                      torch::IntArrayRef stride, torch::IntArrayRef padding);

// R(2+1)D convolution: spatial (1,3,3) conv → BatchNorm3d(M) → ReLU → temporal (3,1,1) conv,
// stride 1, "same" padding, with biases; no norm or activation after the temporal conv (as in the
// code the paper's authors released). The temporal conv runs as an equivalent Conv2d (see .cpp).
class SpatioTemporalConvImpl : public torch::nn::Module
{
public:
    SpatioTemporalConvImpl(int inChannels, int outChannels);
    torch::Tensor forward(torch::Tensor x);

    int intermediateChannels() const { return m_intermediateChannels; }
    // Folds the inner BN into the spatial conv (eval mode only; see foldBatchNormIntoConv).
    void foldInnerBatchNorm();
    // The temporal conv, so a wrapper can fold its own BN into it.
    torch::nn::Conv3dImpl &temporalConv() { return *m_temporalConv; }

private:
    int m_intermediateChannels = 0;
    torch::nn::Conv3d m_spatialConv{nullptr};
    torch::nn::BatchNorm3d m_bn{nullptr};   // null once folded
    torch::nn::Conv3d m_temporalConv{nullptr};
};
TORCH_MODULE(SpatioTemporalConv);

// [Conv3d → BatchNorm3d → ReLU] repeated, registered as the reference's nn.Sequential would be:
// unit i has its conv at child "3i" and its BN at "3i+1" (the ReLU at "3i+2" has no tensors).
class ConvBnReluSeqImpl : public torch::nn::Module
{
public:
    explicit ConvBnReluSeqImpl(const std::vector<torch::nn::Conv3dOptions> &units);
    torch::Tensor forward(torch::Tensor x);
    void foldBatchNorm();

private:
    std::vector<torch::nn::Conv3d> m_convs;
    std::vector<torch::nn::BatchNorm3d> m_bns;   // entries null once folded
};
TORCH_MODULE(ConvBnReluSeq);

// [SpatioTemporalConv → BatchNorm3d → ReLU]: rPPGNet's ConvSpa3 … ConvSpa9 (children "0", "1").
class StBnReluImpl : public torch::nn::Module
{
public:
    StBnReluImpl(int inChannels, int outChannels);
    torch::Tensor forward(torch::Tensor x);
    void foldBatchNorm();
    const SpatioTemporalConvImpl &st() const { return *m_st; }

private:
    SpatioTemporalConv m_st{nullptr};
    torch::nn::BatchNorm3d m_bn{nullptr};   // null once folded
};
TORCH_MODULE(StBnRelu);

} // namespace rppg::models
