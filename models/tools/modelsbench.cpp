// Inference timing of rPPGNet and STVEN configurations: milliseconds per clip (batch 1) under
// torch::InferenceMode, for 1 and 2 intra-op threads, rPPGNet before and after BatchNorm folding.
// Not built by default: `ninja rppg_models_bench`, then
//   rppg_models_bench [--threads 1,2] [--runs N] [--frames 64] [--only rppgnet|stven] [--device cpu|cuda]
// Prints a Markdown table (for bench/RESULTS.md). libtorch only, so it also runs on a GPU machine
// built from the standalone models folder.
#include "layers.h"
#include "rppgnet.h"
#include "stven.h"
#include "tools/intlist.h"
#include "trainer.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

using namespace rppg::models;

namespace {

struct Options
{
    std::vector<int> threads{1, 2};
    int runs = 3;
    int frames = 64;
    std::string only;
    std::string device = "cpu";
};

struct Timing
{
    double medianMs = 0;
    double minMs = 0;
};

template<typename Fn>
Timing timeRuns(int runs, const torch::Device &device, Fn &&fn)
{
    auto sync = [&device] {
        if (device.is_cuda())
            torch::cuda::synchronize();
    };
    fn();   // warm-up: allocator, oneDNN primitive caches
    sync();
    std::vector<double> ms;
    for (int i = 0; i < runs; ++i) {
        const auto start = std::chrono::steady_clock::now();
        fn();
        sync();
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());
    return {ms[ms.size() / 2], ms.front()};
}

struct RppgCandidate
{
    std::string name;
    RppgNetConfig config;
};

RppgNetConfig scaled(int inputSize, int divisor, int frames)
{
    RppgNetConfig c;
    c.frames = frames;
    c.inputSize = inputSize;
    c.stemChannels /= divisor;
    c.stage1Channels /= divisor;
    c.stage2Channels /= divisor;
    c.stage3Channels /= divisor;
    c.skinHiddenChannels /= divisor;
    c.skinChannels /= divisor;
    return c;
}

struct StvenCandidate
{
    std::string name;
    StvenConfig config;
};

StvenConfig stvenConfig(int size, int convDim, int bottleneck, int blocks, int frames)
{
    StvenConfig c;
    c.inputSize = size;
    c.convDim = convDim;
    c.bottleneckChannels = bottleneck;
    c.repeatNum = blocks;
    c.frames = frames;
    return c;
}

StvenConfig paperStven(int frames)
{
    StvenConfig c = *stvenPreset("paper");
    c.frames = frames;
    return c;
}

} // namespace

int main(int argc, char **argv)
{
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        if (key == "--threads")
            o.threads = tools::parseIntList(argv[i + 1]);
        else if (key == "--runs")
            o.runs = std::max(1, std::atoi(argv[i + 1]));
        else if (key == "--frames")
            o.frames = std::max(2, std::atoi(argv[i + 1]) / 2 * 2);
        else if (key == "--only")
            o.only = argv[i + 1];
        else if (key == "--device")
            o.device = argv[i + 1];
    }
    const torch::Device device(o.device);
    std::printf("libtorch %s, MKL-DNN %s, device %s, %d frames per clip, median of %d runs (min in brackets)\n\n",
                TORCH_VERSION, at::hasMKLDNN() ? "yes" : "no", device.str().c_str(), o.frames, o.runs);
    torch::manual_seed(0);

    if (o.only.empty() || o.only == "rppgnet") {
        const std::vector<RppgCandidate> candidates{
            {"128 px, paper widths", scaled(128, 1, o.frames)},
            {"128 px, half widths", scaled(128, 2, o.frames)},
            {"64 px, paper widths", scaled(64, 1, o.frames)},
            {"64 px, half widths", scaled(64, 2, o.frames)},
        };
        std::printf("| rPPGNet | params | threads | ms/clip | ms/clip BN folded | fps folded |\n");
        std::printf("|---|---|---|---|---|---|\n");
        for (const auto &candidate : candidates) {
            for (int threads : o.threads) {
                torch::set_num_threads(threads);
                RppgNet net(candidate.config);
                net->eval();
                net->to(device);
                const auto x = torch::randn({1, 3, o.frames, candidate.config.inputSize, candidate.config.inputSize},
                                            torch::TensorOptions().device(device));
                auto run = [&] {
                    torch::InferenceMode inference;
                    net->forward(x);
                };
                const auto plain = timeRuns(o.runs, device, run);
                const auto parameters = countParameters(*net);
                net->foldBatchNorm();
                const auto folded = timeRuns(o.runs, device, run);
                std::printf("| %s | %lld | %d | %.1f (%.1f) | %.1f (%.1f) | %.0f |\n", candidate.name.c_str(),
                            static_cast<long long>(parameters), threads, plain.medianMs, plain.minMs,
                            folded.medianMs, folded.minMs, 1000.0 * o.frames / folded.medianMs);
                std::fflush(stdout);
            }
        }
        std::printf("\n");
    }

    if (o.only.empty() || o.only == "stven") {
        const std::vector<StvenCandidate> candidates{
            {"64 px, conv 16, bottleneck 64, 2 blocks", stvenConfig(64, 16, 64, 2, o.frames)},
            {"64 px, conv 8, bottleneck 32, 2 blocks", stvenConfig(64, 8, 32, 2, o.frames)},
            {"64 px, conv 16, bottleneck 128, 2 blocks", stvenConfig(64, 16, 128, 2, o.frames)},
            {"64 px, conv 32, bottleneck 128, 4 blocks", stvenConfig(64, 32, 128, 4, o.frames)},
            {"128 px, conv 16, bottleneck 64, 2 blocks", stvenConfig(128, 16, 64, 2, o.frames)},
            {"paper: 128 px, conv 64, bottleneck 512, 4 blocks", paperStven(o.frames)},
        };
        std::printf("| STVEN | params | threads | ms/clip | fps |\n");
        std::printf("|---|---|---|---|---|\n");
        for (const auto &candidate : candidates) {
            for (int threads : o.threads) {
                torch::set_num_threads(threads);
                Stven net(candidate.config);
                net->eval();
                net->to(device);
                const int s = candidate.config.inputSize;
                const auto x = torch::rand({1, 3, o.frames, s, s}, torch::TensorOptions().device(device)) * 2 - 1;
                const auto label = oneHotLevels({0}, candidate.config.cDim).to(device);
                const auto t = timeRuns(o.runs, device, [&] {
                    torch::InferenceMode inference;
                    net->forward(x, label);
                });
                std::printf("| %s | %lld | %d | %.1f (%.1f) | %.0f |\n", candidate.name.c_str(),
                            static_cast<long long>(countParameters(*net)), threads, t.medianMs, t.minMs,
                            1000.0 * o.frames / t.medianMs);
                std::fflush(stdout);
            }
        }
    }
    return 0;
}
