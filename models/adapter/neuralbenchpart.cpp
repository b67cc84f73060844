// The `neural` part of `rppg bench`: inference time of the neural methods as the pipeline runs
// them (face crops in, per-frame pulse out: ring buffer, sliding 64-frame clips with 50 % overlap,
// STVEN, rPPGNet, overlap-add), for the shipped configurations with random weights (timing does
// not depend on the values), on 1 and 2 CPU threads, with and without BatchNorm folding, and the
// peak resident memory of each configuration.
#include "modelsadapter.h"

#include "checkpoint.h"
#include "device.h"
#include "neuralmethod.h"
#include "syntheticcrops.h"

#include <torch/torch.h>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <thread>

namespace rppg {

namespace {

// Peak resident set size of this process in MB (VmHWM), -1 when unknown.
double peakMemoryMb()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').first().toDouble() / 1024.0;
    return -1;
}

// Lowers the peak mark to the current size (Linux: "5" to clear_refs), so each configuration's
// peak is its own. False when the kernel does not allow it.
bool resetPeakMemory()
{
    QFile f(QStringLiteral("/proc/self/clear_refs"));
    return f.open(QIODevice::WriteOnly) && f.write("5") == 1;
}

// The 1-minute load average (other processes compete for the cores), -1 when unknown.
double loadAverage()
{
    QFile f(QStringLiteral("/proc/loadavg"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    return f.readAll().split(' ').first().toDouble();
}

double cpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + ts.tv_nsec / 1e9;
}

// A skin-coloured disc pulsing at 72 bpm on a darker background, with sensor noise.
std::vector<FaceCrop> makeCrops(int count, int size)
{
    SyntheticCropSpec spec;
    spec.count = count;
    spec.size = size;
    spec.amplitude = 2;
    return syntheticPulseCrops(spec);
}

struct Candidate
{
    QString label;
    NeuralPipeline pipeline;
    QString model;                     // --model text
    int size = 64;
    std::vector<BatchNormFolding> folds;
    int clips = 4;                     // timed clips
    bool warmUp = true;
    bool maxThreadsOnly = false;
};

QString num(double v, int decimals)
{
    return std::isfinite(v) && v >= 0 ? QString::number(v, 'f', decimals) : QStringLiteral("–");
}

QString fps(double v)
{
    return num(v, v < 10 ? 1 : 0);
}

} // namespace

Result<QString> neuralTimingMarkdown(const NeuralTimingOptions &options)
{
    QTemporaryDir dir;
    if (!dir.isValid())
        return Error{ErrorCode::WriteFailed, QStringLiteral("cannot create a temporary folder")};
    const double baselineMb = peakMemoryMb();
    const double loadBefore = loadAverage();
    const int T = 64, hop = T / 2;

    // The configurations of `rppg train` (models/trainer.cpp presets), random weights.
    models::RppgNetConfig rppgCpu, rppgPaper;   // paper widths, 64 frames
    rppgCpu.inputSize = 64;
    rppgPaper.inputSize = 128;
    models::StvenConfig stvenCpu, stvenPaper;   // paper: 128 px, conv 64, bottleneck 512, 4 blocks, C = 5
    stvenCpu.inputSize = 64;
    stvenCpu.convDim = 16;
    stvenCpu.bottleneckChannels = 64;
    stvenCpu.repeatNum = 2;
    torch::manual_seed(0);
    models::CheckpointMeta meta;
    meta.trainingData = "random weights (benchmark)";
    std::string error;
    auto path = [&dir](const char *name) { return dir.filePath(QString::fromLatin1(name)); };
    bool saved = models::saveRppgNet(path("rppgnet-cpu.ckpt").toStdString(), models::RppgNet(rppgCpu), meta, &error)
                 && models::saveStven(path("stven-cpu.ckpt").toStdString(), models::Stven(stvenCpu), meta, &error);
    if (saved && options.paper)
        saved = models::saveRppgNet(path("rppgnet-paper.ckpt").toStdString(), models::RppgNet(rppgPaper), meta, &error)
                && models::saveStven(path("stven-paper.ckpt").toStdString(), models::Stven(stvenPaper), meta, &error);
    if (!saved)
        return Error{ErrorCode::WriteFailed, QStringLiteral("cannot write benchmark checkpoints: %1")
                                                 .arg(QString::fromStdString(error))};

    const std::vector<BatchNormFolding> both{BatchNormFolding::Never, BatchNormFolding::Always};
    std::vector<Candidate> candidates{
        {QStringLiteral("rPPGNet CPU (64 px, widths 16/32/64/64)"), NeuralPipeline::RppgNet, path("rppgnet-cpu.ckpt"), 64,
         both, options.clips, true, false},
        {QStringLiteral("STVEN+rPPGNet CPU (STVEN 64 px, conv 16, bottleneck 64, 2 blocks)"), NeuralPipeline::StvenRppgNet,
         path("stven-cpu.ckpt") + QLatin1Char(',') + path("rppgnet-cpu.ckpt"), 64, both, options.clips, true, false},
    };
    if (options.paper) {
        candidates.push_back({QStringLiteral("rPPGNet paper (128 px)"), NeuralPipeline::RppgNet, path("rppgnet-paper.ckpt"),
                              128, both, std::max(1, options.clips / 2), true, false});
        // ~17 s per clip and 1.4 GB on this kind of machine: one clip, the most threads, no warm-up.
        candidates.push_back({QStringLiteral("STVEN+rPPGNet paper (STVEN 128 px, conv 64, bottleneck 512, 4 blocks)"),
                              NeuralPipeline::StvenRppgNet,
                              path("stven-paper.ckpt") + QLatin1Char(',') + path("rppgnet-paper.ckpt"), 128,
                              {BatchNormFolding::Auto}, 1, false, true});
    }
    // The factory sets the process's count once; claim that first, then vary it per row.
    models::setThreadsOnce(1);
    const bool canResetPeak = resetPeakMemory();
    const int maxThreads = options.threads.empty() ? 1 : *std::max_element(options.threads.begin(), options.threads.end());

    QString md;
    QTextStream out(&md);
    out << "- libtorch " TORCH_VERSION " (CPU), batch 1, InferenceMode, random weights in the shipped configurations; "
        << "end to end through the method as the pipeline calls it (BGR→RGB ring, 64-frame clips with a 32-frame hop, "
        << "network, overlap-add); one warm-up clip before timing (not for STVEN paper).\n"
        << "- *ms/clip*: wall time per 64-frame clip (total / clips); *CPU ms/clip*: process CPU time per clip (all threads; "
        << "less sensitive to other load than wall time); *clip fps* = 64 / wall time; *stream fps* = 32 / wall time, the "
        << "sustained live rate with 50 % overlap (each frame goes through two clips).\n"
        << "- *peak MB*: VmHWM of the process during that configuration"
        << (canResetPeak ? " (reset before each row via /proc/self/clear_refs)" : " (cumulative: clear_refs not allowed)")
        << "; the process before the part: " << num(baselineMb, 0) << " MB.\n\n"
        << "| configuration | BN folded | threads | clips | ms/clip | CPU ms/clip | clip fps | stream fps | peak MB |\n"
        << "|---|---|---|---|---|---|---|---|---|\n";
    out.flush();
    std::fprintf(stderr, "neural timing: %zu configurations\n", candidates.size());

    for (const Candidate &c : candidates) {
        const auto crops = makeCrops(T + hop * (c.clips - 1), c.size);
        for (int threads : options.threads) {
            if (c.maxThreadsOnly && threads != maxThreads)
                continue;
            torch::set_num_threads(threads);
            for (BatchNormFolding fold : c.folds) {
                resetPeakMemory();
                MethodOptions mo;
                mo.device = QStringLiteral("cpu");
                mo.modelPath = c.model;
                NeuralMethodSettings settings;
                settings.folding = fold;
                // Inline: the clip's whole cost lands in the push that completes it, on this
                // thread and with the thread count just set (the timing's subject).
                settings.backgroundInference = false;
                auto method = createNeuralMethod(c.pipeline, mo, settings);
                if (!method.ok())
                    return method.error();
                PulseMethod &m = *method.value();
                std::vector<PulseSample> samples;
                if (c.warmUp) {
                    for (int i = 0; i < T; ++i)
                        m.push(crops[size_t(i)]);
                    m.finish(samples);
                    m.reset();
                    samples.clear();
                }
                const auto start = std::chrono::steady_clock::now();
                const double cpu0 = cpuSeconds();
                for (const FaceCrop &crop : crops) {
                    m.push(crop);
                    m.drain(samples);
                }
                m.finish(samples);
                const double wallMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
                const double cpuMs = (cpuSeconds() - cpu0) * 1000.0;
                if (samples.size() != crops.size())
                    return Error{ErrorCode::Internal, QStringLiteral("%1: %2 values for %3 frames")
                                                          .arg(c.label).arg(samples.size()).arg(crops.size())};
                const double perClip = wallMs / c.clips;
                const bool folded = m.modelDescription().contains(QStringLiteral("BN folded"));
                QString row;
                QTextStream r(&row);
                r << "| " << c.label << " | " << (folded ? "yes" : "no")
                  << (fold == BatchNormFolding::Auto ? " (auto)" : "") << " | " << threads << " | " << c.clips << " | "
                  << num(perClip, 0) << " | " << num(cpuMs / c.clips, 0) << " | " << fps(T * 1000.0 / perClip)
                  << " | " << fps(hop * 1000.0 / perClip) << " | " << num(peakMemoryMb(), 0) << " |\n";
                r.flush();
                out << row;
                std::fprintf(stderr, "%s", qPrintable(row));
            }
        }
    }
    out << "\n- Load average (1 min) before / after: " << num(loadBefore, 1) << " / " << num(loadAverage(), 1) << " on "
        << std::thread::hardware_concurrency() << " CPUs. Under load, wall times grow and 2 threads can lose to 1 "
        << "(OpenMP threads wait for each other while one of them is descheduled); *CPU ms/clip* on 1 thread is then the "
        << "best estimate of an idle machine's wall time.\n\n";
    out.flush();
    return md;
}

} // namespace rppg
