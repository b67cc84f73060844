// rppg_models_train: the trainer of models/ without the rest of rPPG Studio, for a GPU machine
// that has a CUDA libtorch and nothing else (no Qt, OpenCV or FFmpeg). It reads clip caches made
// elsewhere by `rppg prepare` / `rppg synth-set`. Built with models/ (tests/tst_models_tools.sh).
//
//   rppg_models_train rppgnet|stven|joint --data CACHE[,CACHE] --out DIR [options]
//       the options of `rppg train` (one table: models/trainoptions.cpp) plus --log-every N and
//       --max-minutes M; run it without arguments for the list
//   rppg_models_train devicecheck --device cuda CKPT...
//
// Training prints one line per event and, with --log-every, a progress line every N steps. With
// --max-minutes the run stops after that time (what the finished epochs saved stays). devicecheck
// loads each checkpoint on the CPU and on the device, runs both on the same clip and prints the
// largest output difference, then saves from the device and reloads on the CPU to check that the
// round trip is bit-exact. Exit codes: 0 done, 2 bad usage, 1 anything else.

#include "checkpoint.h"
#include "device.h"
#include "trainer.h"
#include "textparse.h"
#include "trainoptions.h"

#include <torch/torch.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using namespace rppg::models;

namespace {

int usage(const std::string &why)
{
    std::fprintf(stderr, "rppg_models_train: %s (run it without arguments for the options)\n", why.c_str());
    return 2;
}

int printUsage()
{
    std::printf("usage: rppg_models_train rppgnet|stven|joint --data CACHE --out DIR [options]\n"
                "       rppg_models_train devicecheck --device DEV CKPT...\n"
                "       rppg_models_train removefolders CKPT...   (the paths a checkpoint records, cut to their last\n"
                "                                                component; for files trained before 2026-11-26)\n\noptions:\n");
    auto line = [](const std::string &left, const std::string &help) {
        std::printf("  %-24s %s\n", left.c_str(), help.c_str());
    };
    for (const TrainOptionSpec &s : trainOptionSpecs())
        line("--" + s.name + (s.valueName.empty() ? "" : " " + s.valueName), s.help);
    line("--log-every N", "Print a progress line every N steps (default 0 = off).");
    line("--max-minutes M", "Stop after M minutes; the finished epochs' checkpoints stay.");
    return 2;
}

// Largest absolute difference between two tensors on any device.
double maxDiff(const torch::Tensor &a, const torch::Tensor &b)
{
    return (a.to(torch::kCPU) - b.to(torch::kCPU)).abs().max().item<double>();
}

bool sameState(const torch::nn::Module &a, const torch::nn::Module &b)
{
    const auto pa = a.named_parameters(true), pb = b.named_parameters(true);
    const auto ba = a.named_buffers(true), bb = b.named_buffers(true);
    if (pa.size() != pb.size() || ba.size() != bb.size())
        return false;
    for (const auto &item : pa)
        if (!torch::equal(item.value().to(torch::kCPU), pb[item.key()].to(torch::kCPU)))
            return false;
    for (const auto &item : ba)
        if (!torch::equal(item.value().to(torch::kCPU), bb[item.key()].to(torch::kCPU)))
            return false;
    return true;
}

int deviceCheck(const std::string &deviceSpec, const std::vector<std::string> &files)
{
    const DeviceChoice choice = chooseDevice(deviceSpec);
    if (!choice.error.empty()) {
        std::fprintf(stderr, "rppg_models_train: %s\n", choice.error.c_str());
        return 1;
    }
    std::printf("device: %s\n", choice.description.c_str());
    const torch::Device device(choice.spec);
    int failures = 0;
    for (const std::string &file : files) {
        std::string err;
        const auto header = readCheckpointHeader(file, &err);
        if (!header) {
            std::fprintf(stderr, "rppg_models_train: %s\n", err.c_str());
            return 1;
        }
        torch::manual_seed(7);
        const int size = header->inputSize;
        const int frames = header->kind == ModelKind::RppgNet ? header->rppgNet.frames : header->stven.frames;
        const auto clip = torch::rand({1, 3, frames, size, size}) * 2 - 1;
        torch::NoGradGuard noGrad;
        const std::string tmp = file + ".devicecheck.ckpt";
        // The same steps for either network: load on both devices, run the clip, save from the
        // device, reload on the CPU.
        auto check = [&](auto load, auto save, auto run) -> std::optional<std::pair<double, bool>> {
            auto cpu = load(file, torch::Device(torch::kCPU), &err);
            auto dev = load(file, device, &err);
            if (!cpu || !dev)
                return std::nullopt;
            const double diff = maxDiff(run(cpu->net, clip), run(dev->net, clip.to(device)));
            auto back = save(tmp, dev->net, header->meta, &err) ? load(tmp, torch::Device(torch::kCPU), &err) : std::nullopt;
            return std::make_pair(diff, back && sameState(*cpu->net, *back->net));
        };
        std::optional<std::pair<double, bool>> result;
        if (header->kind == ModelKind::RppgNet) {
            result = check(loadRppgNet, saveRppgNet, [](RppgNet &net, const torch::Tensor &x) { return net->forward(x).global; });
        } else {
            const auto label = oneHotLevels({0}, header->stven.cDim);
            result = check(loadStven, saveStven,
                           [&label](Stven &net, const torch::Tensor &x) { return net->forward(x, label.to(x.device())); });
        }
        if (!result) {
            std::fprintf(stderr, "rppg_models_train: %s\n", err.c_str());
            return 1;
        }
        const auto [diff, exact] = *result;
        std::remove(tmp.c_str());
        const bool ok = exact && diff < 1e-3;
        failures += ok ? 0 : 1;
        std::printf("%s: %s, CPU vs %s max |difference| %.3g; saved from %s and reloaded on CPU: %s -> %s\n",
                    file.c_str(), modelKindName(header->kind), choice.spec.c_str(), diff, choice.spec.c_str(),
                    exact ? "bit-exact" : "DIFFERENT", ok ? "ok" : "FAILED");
    }
    return failures == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")
        return printUsage();
    const std::string modeName = argv[1];
    if (modeName == "removefolders") {
        if (argc < 3)
            return usage("removefolders needs one or more checkpoints");
        for (int i = 2; i < argc; ++i) {
            std::string err;
            if (!removeFoldersFromCheckpoint(argv[i], &err)) {
                std::fprintf(stderr, "rppg_models_train: %s: %s\n", argv[i], err.c_str());
                return 1;
            }
            std::printf("%s: folders removed\n", argv[i]);
        }
        return 0;
    }
    std::vector<std::string> positional;
    TrainOptions o;
    int logEvery = 0;
    double maxMinutes = 0;
    for (int i = 2; i < argc; ++i) {
        const std::string key = argv[i];
        if (key.rfind("--", 0) != 0) {
            positional.push_back(key);
            continue;
        }
        const std::string name = key.substr(2);
        const TrainOptionSpec *spec = findTrainOption(name);
        const bool takesValue = spec ? !spec->valueName.empty() : (name == "log-every" || name == "max-minutes");
        if (!spec && !takesValue)
            return usage("unknown option " + key);
        if (takesValue && i + 1 >= argc)
            return usage(key + " needs a value");
        const std::string value = takesValue ? argv[++i] : std::string();
        double number = 0;
        bool ok = false;
        if (spec)
            ok = applyTrainOption(o, name, value);
        else if (name == "log-every" && readFiniteNumber(value, number) && number >= 0 && number == double(int(number)))
            ok = (logEvery = int(number), true);
        else if (name == "max-minutes" && readFiniteNumber(value, number) && number > 0)
            ok = (maxMinutes = number, true);
        if (!ok)
            return usage("invalid " + key + " value '" + value + "'");
    }

    if (modeName == "devicecheck") {
        if (positional.empty())
            return usage("devicecheck needs checkpoint files");
        return deviceCheck(o.device, positional);
    }
    const auto mode = trainModeFromName(modeName);
    if (!mode)
        return usage("unknown mode '" + modeName + "'");
    if (!positional.empty())
        return usage("unexpected argument '" + positional.front() + "'");
    if (o.data.empty() || o.outDir.empty())
        return usage("--data and --out are required");
    o.mode = *mode;
    o.extraMeta["command"] = commandWithoutFolders(std::vector<std::string>(argv, argv + argc));

    std::atomic<bool> cancel{false};
    std::mutex mutex;
    std::condition_variable wake;
    bool finished = false;
    std::thread watchdog;
    if (maxMinutes > 0)
        watchdog = std::thread([&] {
            std::unique_lock<std::mutex> lock(mutex);
            if (!wake.wait_for(lock, std::chrono::duration<double, std::ratio<60>>(maxMinutes), [&] { return finished; })) {
                std::printf("time limit of %g min reached: stopping\n", maxMinutes);
                cancel = true;
            }
        });

    TrainCallbacks cb;
    cb.log = [](const std::string &line) {
        std::printf("%s\n", line.c_str());
        std::fflush(stdout);
    };
    cb.progress = [logEvery](const TrainProgress &p) {
        if (logEvery > 0 && (p.step % logEvery == 0 || p.step == p.steps)) {
            std::printf("epoch %d/%d step %lld/%lld loss %.4f elapsed %.0f s ETA %.0f s\n", p.epoch, p.epochs,
                        (long long)p.step, (long long)p.steps, p.loss, p.elapsedSec, p.etaSec);
            std::fflush(stdout);
        }
    };
    const TrainResult r = train(o, cb, &cancel);
    {
        std::lock_guard<std::mutex> lock(mutex);
        finished = true;
    }
    wake.notify_all();
    if (watchdog.joinable())
        watchdog.join();
    std::printf("%d epochs in %.0f s on %s; last %s; best %s\n", int(r.epochs.size()), r.seconds,
                r.deviceDescription.c_str(), r.lastCheckpoint.empty() ? "-" : r.lastCheckpoint.c_str(),
                r.bestCheckpoint.empty() ? "-" : r.bestCheckpoint.c_str());
    if (r.error == TrainErrorKind::Cancelled && !r.epochs.empty())
        return 0;
    if (r.error != TrainErrorKind::None) {
        std::fprintf(stderr, "rppg_models_train: %s\n", r.message.c_str());
        return r.error == TrainErrorKind::Usage ? 2 : 1;
    }
    return 0;
}
