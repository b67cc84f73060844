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

} // namespace rppg::test
