#pragma once

// Building blocks shared by rPPGNet and STVEN. Each block registers its children under the names
// the reference PyTorch code (ZitongYu/STVEN_rPPGNet) gets from nn.Sequential and from its
// SpatioTemporalConv class ("0", "1", "spatial_conv", "bn", "temporal_conv"), so a state_dict
// written by either implementation names the same tensors. Layout everywhere: N × C × T × H × W.
// Thread affinity: a module instance belongs to one thread at a time (libtorch modules are not
// synchronised); read-only forward passes in InferenceMode may share one instance.

#include <torch/torch.h>

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

// Folds an eval-mode BatchNorm (its running statistics and affine terms) into the convolution
// that feeds it: W' = W·s, b' = (b − μ)·s + β with s = γ / sqrt(σ² + ε), per output channel.
// Computed in double so the folded layer matches conv → BN to float rounding.
void foldBatchNormIntoConv(torch::nn::Conv3dImpl &conv, const torch::nn::BatchNorm3dImpl &bn);

// R(2+1)D convolution: spatial (1,k,k) conv → BatchNorm3d(M) → ReLU → temporal (k,1,1) conv, stride
// 1, "same" padding, with biases; no norm or activation after the temporal conv (as in the code
// the paper's authors released).
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
