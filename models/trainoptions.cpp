#include "trainoptions.h"

#include "textparse.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>

namespace rppg::models {

namespace {

// A whole number in [lo, hi], written as digits (no sign, exponent or fraction).
bool readCount(const std::string &text, int64_t lo, int64_t hi, int64_t &out)
{
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
        return false;
    out = std::stoll(text);
    return out >= lo && out <= hi;
}

using Setter = std::function<bool(TrainOptions &, const std::string &)>;

struct Entry
{
    TrainOptionSpec spec;
    Setter set;
};

Setter count(int64_t lo, int64_t hi, std::function<void(TrainOptions &, int64_t)> store)
{
    return [=](TrainOptions &o, const std::string &v) {
        int64_t n = 0;
        if (!readCount(v, lo, hi, n))
            return false;
        store(o, n);
        return true;
    };
}

Setter number(std::function<bool(double)> valid, std::function<void(TrainOptions &, double)> store)
{
    return [=](TrainOptions &o, const std::string &v) {
        double x = 0;
        if (!readFiniteNumber(v, x) || !valid(x))
            return false;
        store(o, x);
        return true;
    };
}

Setter text(std::function<void(TrainOptions &, const std::string &)> store)
{
    return [=](TrainOptions &o, const std::string &v) {
        if (v.empty())
            return false;
        store(o, v);
        return true;
    };
}

// A comma-separated list, appended to `member` (the option may repeat); empty items are skipped,
// a value with none is refused.
Setter list(std::vector<std::string> TrainOptions::*member)
{
    return [member](TrainOptions &o, const std::string &v) {
        std::vector<std::string> add;
        for (std::string &item : splitText(v, ','))
            if (!item.empty())
                add.push_back(std::move(item));
        if (add.empty())
            return false;
        (o.*member).insert((o.*member).end(), add.begin(), add.end());
        return true;
    };
}

Setter flag(std::function<void(TrainOptions &)> store)
{
    return [=](TrainOptions &o, const std::string &) {
        store(o);
        return true;
    };
}

const std::vector<Entry> &entries()
{
    constexpr int64_t kMax = std::numeric_limits<int32_t>::max();
    static const std::vector<Entry> table = {
        {{"data", "CACHE", "Clip cache folder (repeat or separate with commas for several)."}, list(&TrainOptions::data)},
        {{"epochs", "N", "Total epochs (default 15)."}, count(1, kMax, [](TrainOptions &o, int64_t n) { o.epochs = int(n); })},
        {{"batch", "B", "Clips per step (default 4)."}, count(1, 4096, [](TrainOptions &o, int64_t n) { o.batch = int(n); })},
        {{"lr", "X", "Adam learning rate (default 1e-4)."},
         number([](double x) { return x > 0; }, [](TrainOptions &o, double x) { o.lr = x; })},
        {{"out", "DIR", "Output folder for checkpoints."}, text([](TrainOptions &o, const std::string &v) { o.outDir = v; })},
        {{"resume", "CKPT", "Continue from an epoch checkpoint of the same mode."},
         text([](TrainOptions &o, const std::string &v) { o.resume = v; })},
        {{"init", "CKPT", "Start from these weights at epoch 0 (e.g. joint from a STVEN checkpoint)."},
         text([](TrainOptions &o, const std::string &v) { o.init = v; })},
        {{"device", "DEV", "auto, cpu, cuda or cuda:N (default auto)."},
         text([](TrainOptions &o, const std::string &v) { o.device = v; })},
        {{"config", "NAME", "cpu (the shipped live networks, 64 px) or paper (128 px; default cpu)."},
         [](TrainOptions &o, const std::string &v) {
             if (v != "cpu" && v != "paper")
                 return false;
             o.preset = v;
             return true;
         }},
        {{"seed", "S", "Random seed (default 1)."},
         count(0, std::numeric_limits<int64_t>::max(), [](TrainOptions &o, int64_t n) { o.seed = uint64_t(n); })},
        {{"val-fraction", "F", "Share of clips (whole subjects) held out (default 0.2)."},
         number([](double x) { return x >= 0 && x < 1; }, [](TrainOptions &o, double x) { o.valFraction = x; })},
        {{"rppgnet", "CKPT", "Pretrained rPPGNet: frozen in joint mode, scores HR MAE in stven mode."},
         text([](TrainOptions &o, const std::string &v) { o.rppgNetCheckpoint = v; })},
        {{"steps-per-epoch", "N", "Steps per epoch (default: one pass over the training clips)."},
         count(0, std::numeric_limits<int64_t>::max(), [](TrainOptions &o, int64_t n) { o.stepsPerEpoch = n; })},
        {{"val-clips", "N", "Score at most N validation clips per epoch (default all)."},
         count(0, std::numeric_limits<int64_t>::max(), [](TrainOptions &o, int64_t n) { o.maxValidationClips = n; })},
        {{"val-all-levels", "",
          "Score every held-out clip at every level (default: one level per segment; n levels x the time)."},
         flag([](TrainOptions &o) { o.validateAllLevels = true; })},
        {{"levels", "NAMES",
          "Compressed levels to use, by name as the caches list them (e.g. x264@250k,mpeg4@250k; default all); "
          "the original stays available. Repeatable."},
         list(&TrainOptions::levels)},
        {{"all-levels", "", "rppgnet: train on every compression level, not only the original."},
         flag([](TrainOptions &o) { o.rppgNetAllLevels = true; })},
        {{"restore-only", "", "stven: train only pairs to the original (from every level), without the cycle term."},
         flag([](TrainOptions &o) { o.stvenRestoreOnly = true; })},
        {{"with-original", "", "joint: draw the original as a source too, so STVEN learns to leave clean video clean."},
         flag([](TrainOptions &o) { o.jointWithOriginal = true; })},
        {{"recon-weight", "X",
          "joint: weight of the reconstruction term (L1 + MSE to the original; default 1e-4, the paper's)."},
         number([](double x) { return x >= 0; }, [](TrainOptions &o, double x) { o.jointReconstruction = x; })},
        {{"freq-weight", "X",
          "rppgnet, joint: weight of a frequency cross-entropy term that puts the predicted power at the heart "
          "rate, not a harmonic (default 0, the paper's loss)."},
         number([](double x) { return x >= 0; }, [](TrainOptions &o, double x) { o.frequencyWeight = x; })},
        {{"no-augment", "", "No flips or brightness/contrast jitter."}, flag([](TrainOptions &o) { o.augment = false; })},
        {{"threads", "N", "CPU threads (default: libtorch's)."},
         count(0, 1024, [](TrainOptions &o, int64_t n) { o.threads = int(n); })},
    };
    return table;
}

} // namespace

const std::vector<TrainOptionSpec> &trainOptionSpecs()
{
    static const std::vector<TrainOptionSpec> specs = [] {
        std::vector<TrainOptionSpec> out;
        for (const Entry &e : entries())
            out.push_back(e.spec);
        return out;
    }();
    return specs;
}

const TrainOptionSpec *findTrainOption(const std::string &name)
{
    for (const TrainOptionSpec &s : trainOptionSpecs())
        if (s.name == name)
            return &s;
    return nullptr;
}

bool applyTrainOption(TrainOptions &o, const std::string &name, const std::string &value)
{
    for (const Entry &e : entries())
        if (e.spec.name == name)
            return e.set(o, value);
    return false;
}

} // namespace rppg::models
