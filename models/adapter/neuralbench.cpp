// End-to-end timing of the neural pulse methods as the pipeline runs them: 64×64 face crops in
// at 30 fps, per-frame pulse values out (BGR → RGB ring, sliding clips, network, overlap-add),
// for the CPU configuration (rPPGNet 64 px, paper widths, 64 frames; STVEN 64 px, conv 16,
// bottleneck 64, 2 blocks). Random weights (timing does not depend on them), written as real
// checkpoints and loaded through the same factory as `rppg analyze`. Not built by default:
//   ninja rppg_neural_bench && rppg_neural_bench [--threads 1,2] [--seconds 30] [--runs 3]
//       [--fold auto|on|off|both] [--only rppgnet|stven+rppgnet] [--device cpu|cuda]
// Prints a Markdown table: ms per frame (all work divided by the frames), fps, the median push
// that runs no clip (the per-frame overhead) and the median push that runs one (the clip cost).
#include "checkpoint.h"
#include "device.h"
#include "neuralmethod.h"
#include "syntheticcrops.h"
#include "tools/intlist.h"

#include <QCoreApplication>
#include <QDir>
#include <QTemporaryDir>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>

using namespace rppg;

namespace {

struct Options
{
    std::vector<int> threads{1, 2};
    double seconds = 30;
    int runs = 3;
    std::vector<BatchNormFolding> folds{BatchNormFolding::Auto};
    QStringList methods{QStringLiteral("rppgnet"), QStringLiteral("stven+rppgnet")};
    QString device = QStringLiteral("cpu");
};

struct Timing
{
    double msPerFrame = 0;
    double plainPushMs = 0;   // median push that runs no clip
    double clipPushMs = 0;    // median push that runs a clip
};

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
}

Timing timeOnce(PulseMethod &method, const std::vector<FaceCrop> &crops)
{
    using Clock = std::chrono::steady_clock;
    std::vector<PulseSample> out;
    out.reserve(crops.size());
    std::vector<double> pushes;
    pushes.reserve(crops.size());
    method.reset();
    const auto start = Clock::now();
    for (const FaceCrop &c : crops) {
        const auto t0 = Clock::now();
        method.push(c);
        method.drain(out);
        pushes.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    method.finish(out);
    const double totalMs = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (out.size() != crops.size())
        std::fprintf(stderr, "warning: %zu samples for %zu frames\n", out.size(), crops.size());
    // Pushes that ran a clip are the slow ones; a threshold halfway (in log) between the fastest
    // and slowest separates them without knowing the clip schedule.
    const auto [lo, hi] = std::minmax_element(pushes.begin(), pushes.end());
    const double threshold = std::sqrt(std::max(*lo, 1e-6) * *hi);
    std::vector<double> plain, clip;
    for (double ms : pushes)
        (ms < threshold ? plain : clip).push_back(ms);
    return {totalMs / double(crops.size()), median(plain), median(clip)};
}

const char *foldName(BatchNormFolding f)
{
    switch (f) {
    case BatchNormFolding::Auto: return "auto";
    case BatchNormFolding::Always: return "on";
    case BatchNormFolding::Never: return "off";
    }
    return "?";
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        const char *value = argv[i + 1];
        if (key == "--threads")
            o.threads = models::tools::parseIntList(value);
        else if (key == "--seconds")
            o.seconds = std::max(5.0, std::atof(value));
        else if (key == "--runs")
            o.runs = std::max(1, std::atoi(value));
        else if (key == "--only")
            o.methods = {QString::fromLocal8Bit(value)};
        else if (key == "--device")
            o.device = QString::fromLocal8Bit(value);
        else if (key == "--fold") {
            const std::string f = value;
            o.folds = f == "on"     ? std::vector<BatchNormFolding>{BatchNormFolding::Always}
                      : f == "off"  ? std::vector<BatchNormFolding>{BatchNormFolding::Never}
                      : f == "both" ? std::vector<BatchNormFolding>{BatchNormFolding::Never, BatchNormFolding::Always}
                                    : std::vector<BatchNormFolding>{BatchNormFolding::Auto};
        }
    }

    QTemporaryDir dir;
    torch::manual_seed(0);
    {
        models::RppgNetConfig rc;   // paper widths
        rc.inputSize = 64;
        rc.frames = 64;
        models::StvenConfig sc;
        sc.inputSize = 64;
        sc.frames = 64;
        sc.convDim = 16;
        sc.bottleneckChannels = 64;
        sc.repeatNum = 2;
        models::CheckpointMeta meta;
        meta.trainingData = "random weights (benchmark)";
        std::string error;
        models::RppgNet rppgNet(rc);
        models::Stven stven(sc);
        rppgNet->eval();
        stven->eval();
        if (!models::saveRppgNet(QDir(dir.path()).filePath("rppgnet-cpu.ckpt").toStdString(), rppgNet, meta, &error)
            || !models::saveStven(QDir(dir.path()).filePath("stven-cpu.ckpt").toStdString(), stven, meta, &error)) {
            std::fprintf(stderr, "error: %s\n", error.c_str());
            return 1;
        }
    }

    const int frames = int(o.seconds * 30);
    SyntheticCropSpec spec;   // a 72 bpm pulse, seed 1
    spec.count = frames;
    spec.size = 64;
    const auto crops = syntheticPulseCrops(spec);
    std::printf("libtorch %s, device %s, %d crops of 64×64 at 30 fps, median of %d runs\n\n", TORCH_VERSION,
                qPrintable(o.device), frames, o.runs);
    std::printf("| method | BN folded | threads | ms/frame | fps | push without clip (ms) | push with clip (ms) |\n");
    std::printf("|---|---|---|---|---|---|---|\n");
    models::setThreadsOnce(1);   // claim the factory's once-per-process setting
    for (int threads : o.threads) {
        // The factory sets the count once per process; the benchmark changes it between rows.
        torch::set_num_threads(threads);
        for (const QString &name : o.methods) {
            const NeuralPipeline pipeline = name == QLatin1String("stven+rppgnet") ? NeuralPipeline::StvenRppgNet
                                                                                   : NeuralPipeline::RppgNet;
            for (BatchNormFolding fold : o.folds) {
                MethodOptions mo;
                mo.device = o.device;
                mo.modelPath = dir.path();
                NeuralMethodSettings settings;
                settings.folding = fold;
                // Inline: the clip's whole cost lands in the push that completes it, on this
                // thread and with the thread count just set (the timing's subject).
                settings.backgroundInference = false;
                auto method = createNeuralMethod(pipeline, mo, settings);
                if (!method.ok()) {
                    std::fprintf(stderr, "error: %s\n", qPrintable(method.error().message));
                    return 1;
                }
                const bool folded = method.value()->modelDescription().contains(QStringLiteral("BN folded"));
                // Warm-up: oneDNN primitives and the allocator's pools.
                timeOnce(*method.value(), std::vector<FaceCrop>(crops.begin(), crops.begin() + 160));
                std::vector<Timing> runs;
                for (int r = 0; r < o.runs; ++r)
                    runs.push_back(timeOnce(*method.value(), crops));
                std::sort(runs.begin(), runs.end(),
                          [](const Timing &a, const Timing &b) { return a.msPerFrame < b.msPerFrame; });
                const Timing &t = runs[runs.size() / 2];
                std::printf("| %s | %s (%s) | %d | %.2f | %.0f | %.3f | %.1f |\n", qPrintable(name),
                            folded ? "yes" : "no", foldName(fold), threads, t.msPerFrame, 1000.0 / t.msPerFrame,
                            t.plainPushMs, t.clipPushMs);
                std::fflush(stdout);
            }
        }
    }
    return 0;
}
