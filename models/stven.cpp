#include "stven.h"

#include <stdexcept>

namespace rppg::models {

namespace {

// A container registered under a reference nn.Sequential name; children get index names.
std::shared_ptr<torch::nn::Module> sequentialName(torch::nn::Module &parent, const std::string &name)
{
    return parent.register_module(name, std::make_shared<torch::nn::Module>("Sequential"));
}

// cuDNN's transposed conv is fine; on the CPU the phase decomposition is several times faster.
torch::Tensor upsample(torch::nn::ConvTranspose3dImpl &deconv, const torch::Tensor &x)
{
    if (x.is_cuda())
        return deconv.forward(x);
    const auto &padding = RPPG_VARIANT_NS::get<torch::ExpandingArray<3>>(deconv.options.padding());
    return convTranspose3dByPhases(x, deconv.weight, deconv.options.stride(), padding);
}

} // namespace

std::string validateStvenConfig(const StvenConfig &c)
{
    if (c.convDim < 1 || c.bottleneckChannels < 1)
        return "STVEN: convDim and bottleneckChannels must be at least 1";
    if (c.repeatNum < 0)
        return "STVEN: repeatNum must not be negative";
    if (c.cDim < 1)
        return "STVEN: cDim (compression levels + 1) must be at least 1";
    if (c.frames < 2 || c.frames % 2 != 0)
        return "STVEN: frames must be even (the encoder halves time once), got " + std::to_string(c.frames);
    if (c.inputSize < 4 || c.inputSize % 4 != 0)
        return "STVEN: input size must be a multiple of 4 (the encoder quarters H and W), got "
               + std::to_string(c.inputSize);
    return {};
}

StvenImpl::StvenImpl(const StvenConfig &config)
    : m_config(config)
{
    if (auto error = validateStvenConfig(config); !error.empty())
        throw std::invalid_argument(error);
    namespace nn = torch::nn;
    const auto &c = m_config;
    const int wide = 2 * c.convDim;
    auto instanceNorm = [&c](int channels) {
        return nn::InstanceNorm3d(
            nn::InstanceNorm3dOptions(channels).affine(true).track_running_stats(c.instanceNormTrackStats));
    };

    // down3Dmain = [conv, IN, ReLU] × 3 then the ST blocks, numbered as one flat Sequential.
    auto down = sequentialName(*this, "down3Dmain");
    m_conv1 = down->register_module(
        "0", nn::Conv3d(nn::Conv3dOptions(3 + c.cDim, c.convDim, {3, 7, 7}).padding({1, 3, 3}).bias(false)));
    m_norm1 = down->register_module("1", instanceNorm(c.convDim));
    m_conv2 = down->register_module(
        "3", nn::Conv3d(nn::Conv3dOptions(c.convDim, wide, {3, 4, 4}).stride({1, 2, 2}).padding(1).bias(false)));
    m_norm2 = down->register_module("4", instanceNorm(wide));
    m_conv3 = down->register_module(
        "6", nn::Conv3d(nn::Conv3dOptions(wide, c.bottleneckChannels, 4).stride(2).padding(1).bias(false)));
    m_norm3 = down->register_module("7", instanceNorm(c.bottleneckChannels));
    for (int i = 0; i < c.repeatNum; ++i) {
        m_blocks.push_back(down->register_module(
            std::to_string(9 + i), SpatioTemporalConv(c.bottleneckChannels, c.bottleneckChannels)));
    }

    auto up1 = sequentialName(*this, "layers2");
    m_deconv1 = up1->register_module(
        "0", nn::ConvTranspose3d(
                 nn::ConvTranspose3dOptions(c.bottleneckChannels, wide, 4).stride(2).padding(1).bias(false)));
    m_norm4 = up1->register_module("1", instanceNorm(wide));

    auto up2 = sequentialName(*this, "layers3");
    m_deconv2 = up2->register_module(
        "0", nn::ConvTranspose3d(nn::ConvTranspose3dOptions(wide, c.convDim, {1, 4, 4})
                                     .stride({1, 2, 2})
                                     .padding({0, 1, 1})
                                     .bias(false)));
    m_norm5 = up2->register_module("1", instanceNorm(c.convDim));

    auto out = sequentialName(*this, "layers4");
    m_outputConv = out->register_module(
        "0", nn::Conv3d(nn::Conv3dOptions(c.convDim, 3, {1, 7, 7}).padding({0, 3, 3}).bias(false)));
    // Start close to the identity: with the default initialisation tanh(G) adds a residual of
    // about ±0.5 to every pixel, and a short CPU training run spends most of its steps unlearning
    // it. A small (not zero) output layer keeps gradients flowing to every layer from step one.
    torch::NoGradGuard noGrad;
    m_outputConv->weight.mul_(0.01);
}

std::string StvenImpl::checkInput(const torch::Tensor &x, const torch::Tensor &label) const
{
    if (!x.defined() || !label.defined())
        return "STVEN: input or label tensor is empty";
    if (x.dim() != 5 || x.size(1) != 3)
        return "STVEN: expected video B×3×T×H×W, got " + shapeString(x);
    if (x.size(2) < 2 || x.size(2) % 2 != 0)
        return "STVEN: the frame count must be even, got " + shapeString(x);
    if (x.size(3) < 4 || x.size(3) % 4 != 0 || x.size(4) < 4 || x.size(4) % 4 != 0)
        return "STVEN: height and width must be multiples of 4, got " + shapeString(x);
    if (label.dim() != 2 || label.size(0) != x.size(0) || label.size(1) != m_config.cDim)
        return "STVEN: expected label B×" + std::to_string(m_config.cDim) + " with B = "
               + std::to_string(x.size(0)) + ", got " + shapeString(label);
    if (!x.is_floating_point())
        return "STVEN: input must be a floating-point tensor";
    return {};
}

torch::Tensor StvenImpl::residual(const torch::Tensor &x, const torch::Tensor &label)
{
    if (auto error = checkInput(x, label); !error.empty())
        throw std::invalid_argument(error);
    const auto planes = label.to(x.options())
                            .view({x.size(0), label.size(1), 1, 1, 1})
                            .expand({x.size(0), label.size(1), x.size(2), x.size(3), x.size(4)});
    auto y = torch::cat({x, planes}, 1);
    y = m_norm1->forward(runConv3d(*m_conv1, y)).relu_();
    y = m_norm2->forward(runConv3d(*m_conv2, y)).relu_();
    y = m_norm3->forward(runConv3d(*m_conv3, y)).relu_();
    // The reference chains the blocks with no norm, activation or skip between them.
    for (auto &block : m_blocks)
        y = block->forward(y);
    y = m_norm4->forward(upsample(*m_deconv1, y)).relu_();
    y = m_norm5->forward(upsample(*m_deconv2, y)).relu_();
    return torch::tanh(runConv3d(*m_outputConv, y));
}

torch::Tensor StvenImpl::forward(const torch::Tensor &x, const torch::Tensor &label)
{
    // Global residual to the RGB input only; the label planes are not added back.
    return x + residual(x, label);
}

Stven makeStven(const StvenConfig &config, std::string *error)
{
    try {
        return Stven(config);
    } catch (const std::exception &e) {
        if (error)
            *error = e.what();
    }
    return Stven(nullptr);
}

torch::Tensor oneHotLevels(const std::vector<int> &levels, int cDim)
{
    auto labels = torch::zeros({int64_t(levels.size()), int64_t(cDim)}, torch::kFloat32);
    auto accessor = labels.accessor<float, 2>();
    for (size_t i = 0; i < levels.size(); ++i) {
        if (levels[i] < 0 || levels[i] >= cDim)
            throw std::out_of_range("compression level " + std::to_string(levels[i]) + " outside [0, "
                                    + std::to_string(cDim) + ")");
        accessor[int64_t(i)][levels[i]] = 1.0f;
    }
    return labels;
}

} // namespace rppg::models
