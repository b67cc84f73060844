#include "layers.h"

#include <sstream>
#include <stdexcept>

namespace rppg::models {

std::string shapeString(const torch::Tensor &t)
{
    if (!t.defined())
        return "[undefined]";
    std::ostringstream s;
    s << '[';
    for (int64_t i = 0; i < t.dim(); ++i)
        s << (i ? ", " : "") << t.size(i);
    s << ']';
    return s.str();
}

int64_t countParameters(const torch::nn::Module &module)
{
    int64_t n = 0;
    for (const auto &p : module.parameters())
        n += p.numel();
    return n;
}

int rPlus1dIntermediateChannels(int inChannels, int outChannels, int kernelT, int kernelH, int kernelW)
{
    // Integer arithmetic gives the floor exactly (the reference computes it in floating point,
    // which agrees for every width that occurs).
    const long long numerator = 1LL * kernelT * kernelH * kernelW * inChannels * outChannels;
    const long long denominator = 1LL * kernelH * kernelW * inChannels + 1LL * kernelT * outChannels;
    return int(numerator / denominator);
}

void foldBatchNormIntoConv(torch::nn::Conv3dImpl &conv, const torch::nn::BatchNorm3dImpl &bn)
{
    if (!bn.options.track_running_stats() || !bn.running_mean.defined())
        throw std::logic_error("BatchNorm without running statistics cannot be folded");
    // A bias-free conv registers an undefined "bias" that cannot be re-registered; every conv
    // this is used on has a bias, so keep it simple.
    if (!conv.bias.defined())
        throw std::logic_error("BatchNorm folding needs a convolution with a bias");
    torch::NoGradGuard noGrad;
    const auto dtype = conv.weight.scalar_type();
    const auto mean = bn.running_mean.to(torch::kDouble);
    const auto var = bn.running_var.to(torch::kDouble);
    const auto outChannels = conv.weight.size(0);
    const auto gamma = bn.options.affine() ? bn.weight.to(torch::kDouble)
                                           : torch::ones({outChannels}, mean.options());
    const auto beta = bn.options.affine() ? bn.bias.to(torch::kDouble)
                                          : torch::zeros({outChannels}, mean.options());
    const auto scale = gamma / torch::sqrt(var + bn.options.eps());
    const auto oldBias = conv.bias.to(torch::kDouble);
    const auto newWeight = (conv.weight.to(torch::kDouble) * scale.view({-1, 1, 1, 1, 1})).to(dtype);
    const auto newBias = ((oldBias - mean) * scale + beta).to(dtype);
    conv.weight.copy_(newWeight);
    conv.bias.copy_(newBias);
}

// ---------------------------------------------------------------------------------------------

SpatioTemporalConvImpl::SpatioTemporalConvImpl(int inChannels, int outChannels)
    : m_intermediateChannels(rPlus1dIntermediateChannels(inChannels, outChannels))
{
    namespace nn = torch::nn;
    m_spatialConv = register_module(
        "spatial_conv", nn::Conv3d(nn::Conv3dOptions(inChannels, m_intermediateChannels, {1, 3, 3})
                                       .padding({0, 1, 1})
                                       .bias(true)));
    m_bn = register_module("bn", nn::BatchNorm3d(m_intermediateChannels));
    m_temporalConv = register_module(
        "temporal_conv", nn::Conv3d(nn::Conv3dOptions(m_intermediateChannels, outChannels, {3, 1, 1})
                                        .padding({1, 0, 0})
                                        .bias(true)));
}

torch::Tensor SpatioTemporalConvImpl::forward(torch::Tensor x)
{
    x = m_spatialConv->forward(x);
    if (m_bn)
        x = m_bn->forward(x);
    // In place is safe: neither BN nor conv backward needs its own output.
    x = torch::relu_(x);
    return m_temporalConv->forward(x);
}

void SpatioTemporalConvImpl::foldInnerBatchNorm()
{
    if (!m_bn)
        return;
    foldBatchNormIntoConv(*m_spatialConv, *m_bn);
    unregister_module("bn");
    m_bn = nullptr;
}

// ---------------------------------------------------------------------------------------------

ConvBnReluSeqImpl::ConvBnReluSeqImpl(const std::vector<torch::nn::Conv3dOptions> &units)
{
    for (size_t i = 0; i < units.size(); ++i) {
        m_convs.push_back(register_module(std::to_string(3 * i), torch::nn::Conv3d(units[i])));
        m_bns.push_back(register_module(std::to_string(3 * i + 1),
                                        torch::nn::BatchNorm3d(units[i].out_channels())));
    }
}

torch::Tensor ConvBnReluSeqImpl::forward(torch::Tensor x)
{
    for (size_t i = 0; i < m_convs.size(); ++i) {
        x = m_convs[i]->forward(x);
        if (m_bns[i])
            x = m_bns[i]->forward(x);
        x = torch::relu_(x);
    }
    return x;
}

void ConvBnReluSeqImpl::foldBatchNorm()
{
    for (size_t i = 0; i < m_convs.size(); ++i) {
        if (!m_bns[i])
            continue;
        foldBatchNormIntoConv(*m_convs[i], *m_bns[i]);
        unregister_module(std::to_string(3 * i + 1));
        m_bns[i] = nullptr;
    }
}

// ---------------------------------------------------------------------------------------------

StBnReluImpl::StBnReluImpl(int inChannels, int outChannels)
{
    m_st = register_module("0", SpatioTemporalConv(inChannels, outChannels));
    m_bn = register_module("1", torch::nn::BatchNorm3d(outChannels));
}

torch::Tensor StBnReluImpl::forward(torch::Tensor x)
{
    x = m_st->forward(x);
    if (m_bn)
        x = m_bn->forward(x);
    return torch::relu_(x);
}

void StBnReluImpl::foldBatchNorm()
{
    m_st->foldInnerBatchNorm();
    if (!m_bn)
        return;
    foldBatchNormIntoConv(m_st->temporalConv(), *m_bn);
    unregister_module("1");
    m_bn = nullptr;
}

} // namespace rppg::models
