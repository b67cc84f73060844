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

namespace {

bool useOneDnnDirectly(const torch::Tensor &x, const torch::Tensor &weight)
{
    const bool needsGrad = torch::GradMode::is_enabled() && (x.requires_grad() || weight.requires_grad());
    return !needsGrad && x.device().is_cpu() && x.scalar_type() == torch::kFloat32
           && weight.scalar_type() == torch::kFloat32 && at::hasMKLDNN() && at::globalContext().userEnabledMkldnn();
}

} // namespace

torch::Tensor convolve(const torch::Tensor &x, const torch::Tensor &weight, const torch::Tensor &bias,
                       torch::IntArrayRef padding)
{
    const std::vector<int64_t> ones(padding.size(), 1);
    if (useOneDnnDirectly(x, weight))
        return at::mkldnn_convolution(x.contiguous(), weight.contiguous(), bias, padding, ones, ones, 1);
    if (x.dim() == 5)
        return torch::conv3d(x, weight, bias, ones, padding);
    return torch::conv2d(x, weight, bias, ones, padding);
}

torch::Tensor runConv3d(torch::nn::Conv3dImpl &conv, const torch::Tensor &x)
{
    const auto &o = conv.options;
    const auto *padding = RPPG_VARIANT_NS::get_if<torch::ExpandingArray<3>>(&o.padding());
    const bool plain = padding && o.groups() == 1 && RPPG_VARIANT_NS::get_if<torch::enumtype::kZeros>(&o.padding_mode())
                       && *o.stride() == std::array<int64_t, 3>{1, 1, 1}
                       && *o.dilation() == std::array<int64_t, 3>{1, 1, 1};
    if (plain && useOneDnnDirectly(x, conv.weight))
        return convolve(x, conv.weight, conv.bias, **padding);
    return conv.forward(x);
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

torch::Tensor convTranspose3dByPhases(const torch::Tensor &x, const torch::Tensor &weight,
                                      torch::IntArrayRef stride, torch::IntArrayRef padding)
{
    bool strided[3];
    for (int d = 0; d < 3; ++d) {
        const auto k = weight.size(2 + d);
        strided[d] = k == 4 && stride[size_t(d)] == 2 && padding[size_t(d)] == 1;
        const bool plain = k == 1 && stride[size_t(d)] == 1 && padding[size_t(d)] == 0;
        if (!strided[d] && !plain)
            return torch::conv_transpose3d(x, weight, {}, stride, padding);
    }
    // Output o = 2m + r of a (4, 2, 1) axis gathers x[m−1]·w[3] + x[m]·w[1] for r = 0 and
    // x[m]·w[2] + x[m+1]·w[0] for r = 1: a 2-tap correlation over the input padded by one, window
    // starting at m + r.
    const auto indexOptions = torch::TensorOptions().dtype(torch::kLong).device(weight.device());
    const torch::Tensor taps[2] = {torch::tensor({3, 1}, indexOptions), torch::tensor({2, 0}, indexOptions)};
    const auto padded = torch::constant_pad_nd(
        x, {strided[2] ? 1 : 0, strided[2] ? 1 : 0, strided[1] ? 1 : 0, strided[1] ? 1 : 0, strided[0] ? 1 : 0,
            strided[0] ? 1 : 0});
    const int phases[3] = {strided[0] ? 2 : 1, strided[1] ? 2 : 1, strided[2] ? 2 : 1};
    std::vector<torch::Tensor> outputs;
    for (int rt = 0; rt < phases[0]; ++rt) {
        for (int rh = 0; rh < phases[1]; ++rh) {
            for (int rw = 0; rw < phases[2]; ++rw) {
                const int r[3] = {rt, rh, rw};
                auto window = padded;
                auto kernel = weight;
                for (int d = 0; d < 3; ++d) {
                    if (!strided[d])
                        continue;
                    window = window.narrow(2 + d, r[d], x.size(2 + d) + 1);
                    kernel = kernel.index_select(2 + d, taps[r[d]]);
                }
                outputs.push_back(convolve(window, kernel.transpose(0, 1).contiguous(), {}, {0, 0, 0}));
            }
        }
    }
    const auto n = x.size(0), c = weight.size(1), t = x.size(2), h = x.size(3), w = x.size(4);
    return torch::stack(outputs, 0)
        .view({phases[0], phases[1], phases[2], n, c, t, h, w})
        .permute({3, 4, 5, 0, 6, 1, 7, 2})
        .reshape({n, c, t * phases[0], h * phases[1], w * phases[2]});
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
    x = runConv3d(*m_spatialConv, x);
    if (m_bn)
        x = m_bn->forward(x);
    // In place is safe: neither BN nor conv backward needs its own output.
    x = torch::relu_(x);
    // A (k,1,1) Conv3d is the same arithmetic as a (k,1) Conv2d over N × M × T × (H·W), and
    // libtorch 1.13's CPU conv3d takes a path about 10× slower for this kernel shape (measured:
    // 144→64 channels at 64×32×32, 920 ms vs 58 ms). The weight keeps its Conv3d shape and name.
    const auto n = x.size(0), t = x.size(2), h = x.size(3), w = x.size(4);
    const auto &weight = m_temporalConv->weight;
    const auto kernelT = weight.size(2);
    const auto y = convolve(x.reshape({n, x.size(1), t, h * w}),
                            weight.view({weight.size(0), weight.size(1), kernelT, 1}), m_temporalConv->bias,
                            /*padding=*/{kernelT / 2, 0});
    return y.view({n, weight.size(0), t, h, w});
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
        x = runConv3d(*m_convs[i], x);
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
