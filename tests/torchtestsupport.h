#pragma once

// Small network configurations for the torch tests: the real architectures at sizes that run in
// milliseconds on a CPU.

#include "rppgnet.h"
#include "stven.h"

namespace rppg::test {

// `width`: the first stage's channels; the skin branch gets half of them.
inline models::RppgNetConfig tinyRppgNet(int frames = 8, int inputSize = 32, int width = 6)
{
    models::RppgNetConfig c;
    c.frames = frames;
    c.inputSize = inputSize;
    c.stemChannels = 4;
    c.stage1Channels = width;
    c.stage2Channels = 8;
    c.stage3Channels = 8;
    c.skinHiddenChannels = 4;
    c.skinChannels = width / 2;
    return c;
}

inline models::StvenConfig tinyStven(int blocks = 2, int levels = 3, int inputSize = 16, int frames = 8)
{
    models::StvenConfig c;
    c.convDim = 4;
    c.bottleneckChannels = 8;
    c.repeatNum = blocks;
    c.cDim = levels;
    c.frames = frames;
    c.inputSize = inputSize;
    return c;
}

// Default initialisation shrinks the input's part of each activation layer by layer while the
// random biases stay, so a tiny untrained network's output hardly depends on its input (measured:
// rPPGNet's per-frame output was bit-identical for different input videos). Tests that compare
// outputs of different inputs re-initialise: He-normal convolution and linear weights, zero
// biases, so the input carries through to the output.
inline void makeInputSensitive(torch::nn::Module &net)
{
    torch::NoGradGuard noGrad;
    for (auto &p : net.named_parameters()) {
        const std::string &name = p.key();
        const bool isBias = name.size() >= 4 && name.compare(name.size() - 4, 4, "bias") == 0;
        if (p.value().dim() >= 2)
            torch::nn::init::kaiming_normal_(p.value(), 0.0, torch::kFanIn, torch::kReLU);
        else if (isBias && !name.empty())
            p.value().zero_();
    }
}

} // namespace rppg::test
