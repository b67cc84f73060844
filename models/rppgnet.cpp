#include "rppgnet.h"

#include <stdexcept>

namespace rppg::models {

namespace {

torch::nn::Conv3dOptions convOptions(int in, int out, int kernelHw, int padHw)
{
    return torch::nn::Conv3dOptions(in, out, {1, kernelHw, kernelHw}).padding({0, padHw, padHw}).bias(true);
}

torch::nn::Conv3d headConv(int in)
{
    return torch::nn::Conv3d(torch::nn::Conv3dOptions(in, 1, 1).bias(true));
}

torch::Tensor halveSpatially(const torch::Tensor &x)
{
    return torch::avg_pool3d(x, {1, 2, 2}, {1, 2, 2});
}

// The reference pools with AdaptiveAvgPool3d((frames, 1, 1)); with T == frames (checked on
// entry) that is exactly the mean over H and W. Then a 1×1×1 conv: B × C × T × 1 × 1 → B × T.
torch::Tensor regress(torch::nn::Conv3d &head, const torch::Tensor &features)
{
    const auto pooled = features.mean({3, 4}, /*keepdim=*/true);
    const auto y = head->forward(pooled);
    return y.reshape({y.size(0), y.size(2)});
}

} // namespace

std::string validateRppgNetConfig(const RppgNetConfig &c)
{
    if (c.frames < 1)
        return "rPPGNet: frames must be at least 1 (got " + std::to_string(c.frames) + ")";
    if (c.inputSize < 16 || c.inputSize % 16 != 0)
        return "rPPGNet: input size must be a positive multiple of 16 so the final map splits into "
               "2×2 partitions (got "
               + std::to_string(c.inputSize) + ")";
    const int widths[] = {c.stemChannels,   c.stage1Channels,     c.stage2Channels,
                          c.stage3Channels, c.skinHiddenChannels, c.skinChannels};
    for (int w : widths) {
        if (w < 1)
            return "rPPGNet: every channel width must be at least 1 (got " + std::to_string(w) + ")";
    }
    return {};
}

RppgNetImpl::RppgNetImpl(const RppgNetConfig &config)
    : m_config(config)
{
    if (auto error = validateRppgNetConfig(config); !error.empty())
        throw std::invalid_argument(error);
    const auto &c = m_config;
    // Registration order follows the reference constructor so state_dicts list tensors alike.
    m_stem = register_module("ConvSpa1", ConvBnReluSeq(std::vector<torch::nn::Conv3dOptions>{
                                             convOptions(3, c.stemChannels, 5, 2)}));
    m_stage1a = register_module("ConvSpa3", StBnRelu(c.stemChannels, c.stage1Channels));
    m_stage1b = register_module("ConvSpa4", StBnRelu(c.stage1Channels, c.stage1Channels));
    m_stage2a = register_module("ConvSpa5", StBnRelu(c.stage1Channels, c.stage2Channels));
    m_stage2b = register_module("ConvSpa6", StBnRelu(c.stage2Channels, c.stage2Channels));
    m_stage3a = register_module("ConvSpa7", StBnRelu(c.stage2Channels, c.stage3Channels));
    m_stage3b = register_module("ConvSpa8", StBnRelu(c.stage3Channels, c.stage3Channels));
    m_stage3c = register_module("ConvSpa9", StBnRelu(c.stage3Channels, c.stage3Channels));
    m_auxHead = register_module("ConvSpa10", headConv(c.stage2Channels));
    m_globalHead = register_module("ConvSpa11", headConv(c.stage3Channels));
    if (!c.shareGlobalHeadForPart1 || c.registerUnusedModules)
        m_partHeads[0] = register_module("ConvPart1", headConv(c.stage3Channels));
    for (int i = 1; i < 4; ++i)
        m_partHeads[size_t(i)] = register_module("ConvPart" + std::to_string(i + 1), headConv(c.stage3Channels));
    if (c.registerUnusedModules)
        m_unusedStem = register_module("ConvSpa", torch::nn::Conv3d(convOptions(3, c.stemChannels, 3, 1)));
    m_skinMain = register_module(
        "skin_main", ConvBnReluSeq(std::vector<torch::nn::Conv3dOptions>{
                         convOptions(c.stage1Channels, c.skinHiddenChannels, 3, 1),
                         convOptions(c.skinHiddenChannels, c.skinChannels, 3, 1)}));
    m_skinResidual = register_module("skin_residual", ConvBnReluSeq(std::vector<torch::nn::Conv3dOptions>{
                                                          convOptions(c.stage1Channels, c.skinChannels, 1, 0)}));
    // skin_output is Sequential(Conv3d, Sigmoid) in the reference: register the conv as its "0".
    auto skinOutput = register_module("skin_output", std::make_shared<torch::nn::Module>("SkinOutput"));
    m_skinOutput = torch::nn::Conv3d(convOptions(c.skinChannels, 1, 3, 1));
    skinOutput->register_module("0", m_skinOutput);
}

std::string RppgNetImpl::checkInput(const torch::Tensor &x) const
{
    if (!x.defined())
        return "rPPGNet: input tensor is empty";
    const bool ok = x.dim() == 5 && x.size(1) == 3 && x.size(2) == m_config.frames
                    && x.size(3) == m_config.inputSize && x.size(4) == m_config.inputSize;
    if (!ok) {
        return "rPPGNet: expected input B×3×" + std::to_string(m_config.frames) + "×"
               + std::to_string(m_config.inputSize) + "×" + std::to_string(m_config.inputSize)
               + " (batch × RGB × frames × height × width), got " + shapeString(x);
    }
    if (!x.is_floating_point())
        return "rPPGNet: input must be a floating-point tensor";
    return {};
}

std::pair<torch::Tensor, torch::Tensor> skinAttention(const torch::Tensor &features, const torch::Tensor &skin)
{
    const auto avg = torch::sigmoid(features.mean(1));
    const auto max = torch::sigmoid(std::get<0>(features.max(1)));
    const auto logits = avg + max + skin;   // B × T × H × W
    const auto alpha = torch::softmax(logits.flatten(2), -1).view_as(logits);
    // One weight per position for all channels: a broadcast multiply, not a channel loop.
    return {features * alpha.unsqueeze(1), alpha};
}

RppgNetOutput RppgNetImpl::forward(const torch::Tensor &input)
{
    if (auto error = checkInput(input); !error.empty())
        throw std::invalid_argument(error);
    if (m_batchNormFolded && is_training())
        throw std::logic_error("rPPGNet: BatchNorm was folded for inference; this instance cannot train");

    RppgNetOutput out;
    auto x = halveSpatially(m_stem->forward(input));
    x = m_stage1a->forward(x);
    out.visual64 = m_stage1b->forward(x);

    const auto skinFeatures = m_skinMain->forward(out.visual64) + m_skinResidual->forward(out.visual64);
    out.skinMap = torch::sigmoid(runConv3d(*m_skinOutput, skinFeatures)).select(1, 0);

    x = m_stage2a->forward(halveSpatially(out.visual64));
    out.visual32 = m_stage2b->forward(x);
    x = m_stage3a->forward(halveSpatially(out.visual32));
    x = m_stage3b->forward(x);
    const auto visual16 = m_stage3c->forward(x);

    // The skin map is pooled with T as the channel axis, i.e. over H and W only, and kept
    // undetached so the pulse losses also train the skin branch (as in the reference).
    const auto skin32 = torch::avg_pool2d(out.skinMap, 2, 2);
    const auto skin16 = torch::avg_pool2d(skin32, 2, 2);

    auto [weighted32, alpha32] = skinAttention(out.visual32, skin32);
    out.attention32 = alpha32;
    out.aux = regress(m_auxHead, weighted32);

    auto [weighted16, alpha16] = skinAttention(visual16, skin16);
    out.attention16 = alpha16;
    out.global = regress(m_globalHead, weighted16);

    // Quadrants are cut after attention (the softmax spans the whole map).
    const int64_t h = weighted16.size(3) / 2;
    const int64_t w = weighted16.size(4) / 2;
    const int64_t rowStart[4] = {0, h, 0, h};
    const int64_t colStart[4] = {0, 0, w, w};
    for (size_t i = 0; i < 4; ++i) {
        auto &head = (i == 0 && m_config.shareGlobalHeadForPart1) ? m_globalHead : m_partHeads[i];
        out.parts[i] = regress(head, weighted16.narrow(3, rowStart[i], h).narrow(4, colStart[i], w));
    }
    return out;
}

void RppgNetImpl::foldBatchNorm()
{
    if (is_training())
        throw std::logic_error("rPPGNet: BatchNorm folding needs eval mode (call eval() first)");
    if (m_batchNormFolded)
        return;
    m_stem->foldBatchNorm();
    for (auto *stage : {&m_stage1a, &m_stage1b, &m_stage2a, &m_stage2b, &m_stage3a, &m_stage3b, &m_stage3c})
        (*stage)->foldBatchNorm();
    m_skinMain->foldBatchNorm();
    m_skinResidual->foldBatchNorm();
    m_batchNormFolded = true;
}

RppgNet makeRppgNet(const RppgNetConfig &config, std::string *error)
{
    try {
        return RppgNet(config);
    } catch (const std::exception &e) {
        if (error)
            *error = e.what();
    }
    return RppgNet(nullptr);
}

bool foldBatchNorm(RppgNet &net, std::string *error)
{
    try {
        if (!net)
            throw std::invalid_argument("rPPGNet: no network");
        net->foldBatchNorm();
        return true;
    } catch (const std::exception &e) {
        if (error)
            *error = e.what();
    }
    return false;
}

} // namespace rppg::models
