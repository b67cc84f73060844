#include "trainer.h"

#include "checkpoint.h"
#include "device.h"
#include "losses.h"
#include "textparse.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <future>
#include <limits>
#include <numeric>
#include <sstream>
#include <thread>
#include <sys/stat.h>
#include <unistd.h>

namespace rppg::models {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Failure
{
    TrainErrorKind kind;
    std::string message;
};

std::string joinPath(const std::string &dir, const std::string &name)
{
    if (!dir.empty() && dir.back() == '/')
        return dir + name;
    return dir + "/" + name;
}

bool pathExists(const std::string &path)
{
    struct stat st{};
    return ::stat(path.c_str(), &st) == 0;
}

// Creates the folder (and its parents) and checks that a file can be written in it.
std::string prepareOutDir(const std::string &dir)
{
    if (dir.empty())
        return "no output folder given";
    std::string partial;
    std::istringstream parts(dir);
    std::string part;
    if (dir[0] == '/')
        partial = "/";
    while (std::getline(parts, part, '/')) {
        if (part.empty())
            continue;
        partial += part;
        struct stat st{};
        if (::stat(partial.c_str(), &st) != 0) {
            if (::mkdir(partial.c_str(), 0777) != 0)
                return "cannot create output folder " + dir;
        } else if (!S_ISDIR(st.st_mode)) {
            return "output " + partial + " is not a folder";
        }
        partial += "/";
    }
    const std::string probe = joinPath(dir, ".rppg-train-write-test");
    {
        std::ofstream f(probe);
        if (!f || !(f << "x") || !f.flush())
            return "output folder " + dir + " is not writable";
    }
    std::remove(probe.c_str());
    return {};
}

std::string fixed(double v, int digits)
{
    if (!std::isfinite(v))
        return "n/a";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

double pearson(const std::vector<float> &a, const std::vector<float> &b)
{
    const size_t n = std::min(a.size(), b.size());
    if (n < 2)
        return kNaN;
    double ma = 0, mb = 0;
    for (size_t i = 0; i < n; ++i) {
        ma += a[i];
        mb += b[i];
    }
    ma /= double(n);
    mb /= double(n);
    double sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < n; ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : kNaN;
}

std::vector<float> toVector(const torch::Tensor &row)
{
    const auto c = row.detach().to(torch::kCPU, torch::kFloat).contiguous();
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

std::string rppgNetConfigText(const RppgNetConfig &c)
{
    std::ostringstream os;
    os << c.inputSize << " px, " << c.frames << " frames, widths " << c.stemChannels << "/" << c.stage1Channels << "/"
       << c.stage2Channels << "/" << c.stage3Channels;
    return os.str();
}

std::string stvenConfigText(const StvenConfig &c)
{
    std::ostringstream os;
    os << c.inputSize << " px, conv " << c.convDim << ", bottleneck " << c.bottleneckChannels << ", " << c.repeatNum
       << " blocks, " << c.cDim << " levels";
    return os.str();
}

// One mini-batch on the device.
struct Batch
{
    torch::Tensor frames;     // B × 3 × T × S × S (level `source`, or the only level)
    torch::Tensor target;     // B × 3 × T × S × S (level `targetLevels`), stven/joint
    torch::Tensor mask;       // B × T × S/2 × S/2
    torch::Tensor ppg;        // B × T
    std::vector<int> sourceLevels, targetLevels;
    std::vector<double> hr, fps;
};

class Trainer
{
public:
    Trainer(const TrainOptions &o, const TrainCallbacks &cb, const std::atomic<bool> *cancel)
        : m_o(o), m_cb(cb), m_cancel(cancel), m_device(torch::kCPU)
    {
    }

    TrainResult run()
    {
        const auto t0 = std::chrono::steady_clock::now();
        try {
            if (auto f = setUp()) {
                m_result.error = f->kind;
                m_result.message = f->message;
                return m_result;
            }
            if (auto f = loop()) {
                m_result.error = f->kind;
                m_result.message = f->message;
            }
        } catch (const c10::Error &e) {
            m_result.error = TrainErrorKind::Internal;
            const std::string what = e.what_without_backtrace();
            m_result.message = "libtorch: " + what.substr(0, what.find('\n'));
        } catch (const std::exception &e) {
            m_result.error = TrainErrorKind::Internal;
            const std::string what = e.what();
            m_result.message = what.substr(0, what.find('\n'));
        }
        m_result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return m_result;
    }

private:
    void log(const std::string &line) const
    {
        if (m_cb.log)
            m_cb.log(line);
    }
    bool cancelled() const { return m_cancel && m_cancel->load(); }

    std::optional<Failure> setUp()
    {
        using K = TrainErrorKind;
        if (m_o.epochs < 1 || m_o.batch < 1 || !(m_o.lr > 0) || !std::isfinite(m_o.lr) || m_o.valFraction < 0
            || m_o.valFraction >= 1 || m_o.stepsPerEpoch < 0 || m_o.maxValidationClips < 0
            || !(m_o.frequencyWeight >= 0) || !std::isfinite(m_o.frequencyWeight) || !(m_o.jointReconstruction >= 0)
            || !std::isfinite(m_o.jointReconstruction))
            return Failure{K::Usage, "epochs and batch must be positive, lr > 0, val fraction in [0, 1), loss weights >= 0"};
        if (!m_o.resume.empty() && !m_o.init.empty())
            return Failure{K::Usage, "give either a checkpoint to resume or one to start from, not both"};
        if (m_o.mode == TrainMode::Joint && m_o.rppgNetCheckpoint.empty())
            return Failure{K::Usage, "joint training needs the pretrained rPPGNet (--rppgnet CKPT)"};
        for (const std::string &d : m_o.data)
            if (!pathExists(d))
                return Failure{K::FileNotFound, "clip cache " + d + " not found"};
        for (const std::string *p : {&m_o.resume, &m_o.init, &m_o.rppgNetCheckpoint})
            if (!p->empty() && !pathExists(*p))
                return Failure{K::FileNotFound, "checkpoint " + *p + " not found"};

        std::string err;
        auto ds = ClipDataset::open(m_o.data, &err);
        if (!ds)
            return Failure{K::BadData, err};
        m_data.emplace(std::move(*ds));
        if (!m_o.levels.empty()) {
            m_levelUsed.assign(size_t(m_data->levelCount()), false);
            m_levelUsed[0] = true;
            for (const std::string &want : m_o.levels) {
                const int level = m_data->compressedLevelIndex(want);
                if (level < 0) {
                    const auto &names = m_data->levelNames();
                    const std::string have = joinText({names.begin() + 1, names.end()}, ", ");
                    return Failure{K::Usage, "--levels: no cache has a level named '" + want + "' (they have: "
                                                 + (have.empty() ? "none" : have) + ")"};
                }
                m_levelUsed[size_t(level)] = true;
            }
        }
        if (m_o.mode != TrainMode::RppgNet && m_data->levelCount() < 2)
            return Failure{K::BadData, std::string(trainModeName(m_o.mode))
                                           + " training needs compressed copies of the clips (a cache with levels >= 2)"};

        if (m_o.threads > 0)
            setThreadsOnce(m_o.threads);
        const DeviceChoice choice = chooseDevice(m_o.device);
        if (!choice.error.empty())
            return Failure{choice.cuda || m_o.device.rfind("cuda", 0) == 0 ? K::Unsupported : K::Usage, choice.error};
        m_device = torch::Device(choice.spec);
        m_result.deviceDescription = choice.description;
        torch::manual_seed(m_o.seed);
        m_rng.seed(m_o.seed);

        if (auto f = buildNetworks())
            return f;
        if (auto f = prepareOutDirFailure())
            return f;

        const DatasetSplit split = splitBySubject(*m_data, m_o.valFraction, m_o.seed);
        m_train = split.train;
        m_val = split.validation;
        if (m_o.maxValidationClips > 0 && int64_t(m_val.size()) > m_o.maxValidationClips) {
            // Whole segments (the windowed HR needs runs of consecutive clips), spread evenly over
            // the validation segments rather than the first subject's; the last one may be cut.
            std::vector<std::vector<int64_t>> groups;
            for (int64_t c : m_val) {
                if (groups.empty() || m_data->clips()[size_t(groups.back().front())].segment != m_data->clips()[size_t(c)].segment)
                    groups.emplace_back();
                groups.back().push_back(c);
            }
            const double perGroup = double(m_val.size()) / double(groups.size());
            const auto wanted = std::min<int64_t>(int64_t(groups.size()),
                                                  int64_t(std::ceil(double(m_o.maxValidationClips) / perGroup)));
            std::vector<int64_t> kept;
            std::vector<char> taken(groups.size(), 0);
            auto take = [&](size_t g) {
                taken[g] = 1;
                for (int64_t c : groups[g])
                    if (int64_t(kept.size()) < m_o.maxValidationClips)
                        kept.push_back(c);
            };
            for (int64_t i = 0; i < wanted; ++i)
                take(size_t(i * int64_t(groups.size()) / wanted));
            for (size_t g = 0; g < groups.size() && int64_t(kept.size()) < m_o.maxValidationClips; ++g)
                if (!taken[g])   // short segments left room: fill it in order
                    take(g);
            m_val = kept;
        }
        if (m_train.empty())
            return Failure{K::BadData, "no training clips left after the validation split"};
        m_result.trainClips = int64_t(m_train.size());
        m_result.valClips = int64_t(m_val.size());
        m_result.validationSubjects = split.validationSubjects;
        m_valSubjects = split.validationSubjects;
        std::ostringstream os;
        os << "data: " << m_data->describe() << "; training " << m_train.size() << " clips, validation " << m_val.size()
           << " clips (" << split.validationSubjects.size() << " subjects)";
        log(os.str());
        log(std::string("device: ") + choice.description);
        return std::nullopt;
    }

    std::optional<Failure> prepareOutDirFailure()
    {
        const std::string why = prepareOutDir(m_o.outDir);
        if (!why.empty())
            return Failure{TrainErrorKind::WriteFailed, why};
        return std::nullopt;
    }

    std::optional<Failure> buildNetworks()
    {
        using K = TrainErrorKind;
        std::string err;
        const int T = m_data->clipFrames();
        auto needFrames = [&](int frames) -> std::optional<Failure> {
            if (frames > T)
                return Failure{K::BadData, "the cache's clips have " + std::to_string(T) + " frames, the network needs "
                                               + std::to_string(frames)};
            return std::nullopt;
        };

        // rPPGNet: trained (rppgnet mode), frozen (joint), optional judge (stven).
        const bool rppgTrained = m_o.mode == TrainMode::RppgNet;
        if (rppgTrained) {
            const std::string &from = !m_o.resume.empty() ? m_o.resume : m_o.init;
            if (!from.empty()) {
                auto loaded = loadRppgNet(from, m_device, &err);
                if (!loaded)
                    return Failure{K::BadData, wrongKindHint(from, err, "rppgnet")};
                m_rppg = loaded->net;
                if (!m_o.resume.empty())
                    if (auto f = takeResumeState(loaded->header, from))
                        return f;
            } else {
                auto cfg = m_o.rppgNetConfig ? m_o.rppgNetConfig : rppgNetPreset(m_o.preset);
                if (!cfg)
                    return Failure{K::Usage, "unknown configuration '" + m_o.preset + "' (cpu or paper)"};
                m_rppg = makeRppgNet(*cfg, &err);
                if (!m_rppg)
                    return Failure{K::Usage, "rPPGNet: " + err};
                m_rppg->to(m_device);
            }
            m_rppg->train();
        } else if (!m_o.rppgNetCheckpoint.empty()) {
            auto loaded = loadRppgNet(m_o.rppgNetCheckpoint, m_device, &err);
            if (!loaded)
                return Failure{K::BadData, wrongKindHint(m_o.rppgNetCheckpoint, err, "rppgnet")};
            m_rppg = loaded->net;
            freezeModule(*m_rppg);
        }
        if (m_rppg) {
            if (auto f = needFrames(m_rppg->config().frames))
                return f;
            m_frames = m_rppg->config().frames;
            m_size = m_rppg->config().inputSize;
        }

        if (m_o.mode != TrainMode::RppgNet) {
            const std::string &from = !m_o.resume.empty() ? m_o.resume : m_o.init;
            if (!from.empty()) {
                auto loaded = loadStven(from, m_device, &err);
                if (!loaded)
                    return Failure{K::BadData, wrongKindHint(from, err, "stven")};
                m_stven = loaded->net;
                if (m_stven->config().cDim < m_data->levelCount())
                    return Failure{K::BadData, from + ": STVEN knows " + std::to_string(m_stven->config().cDim - 1)
                                                   + " compression levels, the data has " + std::to_string(m_data->levelCount() - 1)};
                if (auto f = labelsMatch(loaded->header, from))
                    return f;
                if (!m_o.resume.empty())
                    if (auto f = takeResumeState(loaded->header, from))
                        return f;
            } else {
                auto cfg = m_o.stvenConfig ? m_o.stvenConfig : stvenPreset(m_o.preset);
                if (!cfg)
                    return Failure{K::Usage, "unknown configuration '" + m_o.preset + "' (cpu or paper)"};
                if (!m_o.stvenConfig)
                    cfg->cDim = std::max(2, m_data->levelCount());
                if (cfg->cDim < m_data->levelCount())
                    return Failure{K::Usage, "STVEN cDim " + std::to_string(cfg->cDim) + " is smaller than the data's "
                                                 + std::to_string(m_data->levelCount()) + " levels"};
                if (m_rppg) {   // the enhanced clips feed this rPPGNet
                    cfg->frames = m_rppg->config().frames;
                    cfg->inputSize = m_rppg->config().inputSize;
                }
                m_stven = makeStven(*cfg, &err);
                if (!m_stven)
                    return Failure{K::Usage, "STVEN: " + err};
                m_stven->to(m_device);
            }
            m_stven->train();
            if (m_rppg && (m_stven->config().inputSize != m_rppg->config().inputSize
                           || m_stven->config().frames != m_rppg->config().frames))
                return Failure{K::BadData, "STVEN (" + stvenConfigText(m_stven->config()) + ") and rPPGNet ("
                                               + rppgNetConfigText(m_rppg->config()) + ") disagree on clip size"};
            if (auto f = needFrames(m_stven->config().frames))
                return f;
            m_frames = m_stven->config().frames;
            m_size = m_stven->config().inputSize;
        }

        torch::nn::Module &trained = m_o.mode == TrainMode::RppgNet ? static_cast<torch::nn::Module &>(*m_rppg)
                                                                    : static_cast<torch::nn::Module &>(*m_stven);
        m_optimizer = std::make_unique<torch::optim::Adam>(trained.parameters(), torch::optim::AdamOptions(m_o.lr));
        if (!m_o.resume.empty()) {
            const std::string optPath = m_o.resume + ".optim";
            if (pathExists(optPath)) {
                try {
                    torch::load(*m_optimizer, optPath);
                    for (auto &group : m_optimizer->param_groups())
                        static_cast<torch::optim::AdamOptions &>(group.options()).lr(m_o.lr);
                    log("resumed optimizer state from " + optPath);
                } catch (const std::exception &) {
                    log("warning: " + optPath + " unreadable; Adam restarts with fresh moments");
                    m_optimizer = std::make_unique<torch::optim::Adam>(trained.parameters(), torch::optim::AdamOptions(m_o.lr));
                }
            } else {
                log("warning: no " + optPath + "; Adam restarts with fresh moments");
            }
        }
        return std::nullopt;
    }

    // A clearer message when a checkpoint of the other network was given.
    std::string wrongKindHint(const std::string &path, const std::string &err, const char *wanted)
    {
        std::string e2;
        if (auto h = readCheckpointHeader(path, &e2)) {
            const std::string kind = modelKindName(h->kind);
            if (kind != wanted)
                return path + " is a " + kind + " checkpoint, " + wanted + " expected";
        }
        return err.empty() ? path + ": unreadable checkpoint" : err;
    }

    std::optional<Failure> takeResumeState(const CheckpointHeader &h, const std::string &path)
    {
        auto it = h.meta.training.find("mode");
        if (it == h.meta.training.end() || it->second != trainModeName(m_o.mode))
            return Failure{TrainErrorKind::BadData,
                           path + " was not written by `rppg train " + trainModeName(m_o.mode)
                               + "` (use --init to start from its weights)"};
        m_startEpoch = h.meta.epochs;
        m_iterations = h.meta.iterations;
        m_priorSeconds = h.meta.trainSeconds;
        auto b = h.meta.metrics.find("best_score");
        if (b != h.meta.metrics.end())
            m_bestScore = b->second;
        auto bp = h.meta.training.find("best_checkpoint");
        if (bp != h.meta.training.end())
            m_result.bestCheckpoint = joinPath(m_o.outDir, pathLeaf(bp->second));   // older files: a full path
        m_result.startEpoch = m_startEpoch;
        log("resuming after epoch " + std::to_string(m_startEpoch) + " of " + path);
        return std::nullopt;
    }

    // STVEN's labels name levels (label k = the data's level k). In stven mode, where targets are
    // any level, a checkpoint trained on data whose levels come in another order would learn
    // under labels that now mean other codecs: refused. (Joint mode only ever asks for label 0.)
    std::optional<Failure> labelsMatch(const CheckpointHeader &h, const std::string &path) const
    {
        const auto it = h.meta.training.find("level_names");
        if (m_o.mode != TrainMode::Stven || it == h.meta.training.end())
            return std::nullopt;   // files from before 2026-11-26 do not say
        const std::vector<std::string> theirs = splitText(it->second, '|');
        const auto &ours = m_data->levelNames();
        for (size_t k = 0; k < std::min(theirs.size(), ours.size()); ++k)
            if (theirs[k] != ours[k])
                return Failure{TrainErrorKind::BadData,
                               path + ": STVEN label " + std::to_string(k) + " is " + theirs[k] + " there and " + ours[k]
                                   + " in this data (levels " + it->second + " vs " + levelList()
                                   + "); give the caches in the order it was trained on"};
        return std::nullopt;
    }

    std::string levelList() const { return joinText(m_data->levelNames(), "|"); }

    // The levels of `clip` this run uses (--levels).
    std::vector<int> levelsOf(int64_t clip) const
    {
        std::vector<int> levels = m_data->levelsOf(clip);
        if (!m_levelUsed.empty())
            levels.erase(std::remove_if(levels.begin(), levels.end(), [this](int l) { return !m_levelUsed[size_t(l)]; }),
                         levels.end());
        return levels;
    }

    int randomLevel(const std::vector<int> &levels, bool excludeZero)
    {
        std::vector<int> pool;
        for (int l : levels)
            if (!excludeZero || l != 0)
                pool.push_back(l);
        if (pool.empty())
            return levels.front();
        return pool[size_t(std::uniform_int_distribution<size_t>(0, pool.size() - 1)(m_rng))];
    }

    // The level a validation clip is scored at: one per segment (so that the windowed HR of a
    // segment reads one codec), the segments taking the compressed levels (or, with `original`,
    // all levels) in turn.
    int validationLevel(int64_t clip, const std::vector<int> &levels, bool original) const
    {
        const size_t first = original || levels.size() < 2 ? 0 : 1;
        const auto segment = size_t(m_data->clips()[size_t(clip)].segment);
        return levels[first + segment % (levels.size() - first)];
    }

    // `sources`, in validation: the level to read each clip at (empty: one level per segment).
    Batch makeBatch(const std::vector<int64_t> &clips, bool training, const std::vector<int> &sources = {})
    {
        // What to read is drawn in order on this thread (so batches depend on the seed alone);
        // the reads themselves (measured: 9 ms per clip pair here, half or more of a STVEN step on
        // an H200) run in parallel when training on CUDA, so batches stay the same either way.
        struct Job
        {
            ClipRequest req;
            int src = 0, dst = 0;
            ClipSample sample;
            torch::Tensor target;
        };
        std::vector<Job> jobs;
        const Augmentation aug = m_o.augment ? m_o.augmentation : Augmentation{false, 0.0, 0.0};
        for (int64_t c : clips) {
            const ClipRequest req = training ? m_data->randomRequest(c, m_frames, m_size, aug, m_rng)
                                             : m_data->plainRequest(c, m_frames, m_size);
            const std::vector<int> levels = levelsOf(c);
            int src = 0, dst = 0;
            switch (m_o.mode) {
            case TrainMode::RppgNet:
                if (!m_o.rppgNetAllLevels)
                    src = levels.front();
                else if (training)
                    src = randomLevel(levels, false);
                else
                    src = validationLevel(c, levels, true);
                break;
            case TrainMode::Stven:
                if (training) {
                    // Restore-only still draws the original as a source: inference asks for the
                    // original whatever the input, and a STVEN that never saw clean input rewrites
                    // it (measured: the lossless HR MAE rose from 0.2 to 38.6 bpm).
                    src = randomLevel(levels, false);
                    dst = m_o.stvenRestoreOnly || (m_rng() & 1u) ? levels.front() : randomLevel(levels, false);
                } else {   // validation: restored to the original from a fixed compressed level per segment
                    src = validationLevel(c, levels, false);
                    dst = levels.front();
                }
                break;
            case TrainMode::Joint:
                if (training)
                    src = randomLevel(levels, !m_o.jointWithOriginal);
                else
                    src = validationLevel(c, levels, false);
                dst = levels.front();
                break;
            }
            if (!training && !sources.empty())
                src = sources[jobs.size()];
            jobs.push_back(Job{req, src, dst, {}, {}});
        }
        const bool paired = m_o.mode != TrainMode::RppgNet;
        auto readJob = [this, paired](Job &j) {
            j.sample = m_data->read(j.req, j.src);
            if (paired)
                j.target = j.src == j.dst ? j.sample.frames : m_data->read(j.req, j.dst).frames;
        };
        const size_t wanted = m_o.readerThreads > 0 ? size_t(m_o.readerThreads)
                              : m_device.is_cuda() ? std::min<size_t>(8, std::max(1u, std::thread::hardware_concurrency()))
                                                   : 1;
        const size_t readers = std::min(jobs.size(), wanted);
        if (readers <= 1) {
            for (Job &j : jobs)
                readJob(j);
        } else {
            std::vector<std::future<void>> running;
            for (size_t r = 0; r < readers; ++r)
                running.push_back(std::async(std::launch::async, [&jobs, &readJob, r, readers] {
                    for (size_t i = r; i < jobs.size(); i += readers)
                        readJob(jobs[i]);
                }));
            for (auto &f : running)
                f.get();   // rethrows a reader's error
        }
        Batch b;
        std::vector<torch::Tensor> fr, tg, mk, pp;
        for (Job &j : jobs) {
            fr.push_back(j.sample.frames);
            mk.push_back(j.sample.mask);
            pp.push_back(j.sample.ppg);
            b.hr.push_back(j.sample.hrBpm);
            b.fps.push_back(j.sample.fps);
            b.sourceLevels.push_back(j.src);
            b.targetLevels.push_back(j.dst);
            if (paired)
                tg.push_back(j.target);
        }
        b.frames = torch::stack(fr).to(m_device);
        b.mask = torch::stack(mk).to(m_device);
        b.ppg = torch::stack(pp).to(m_device);
        if (!tg.empty())
            b.target = torch::stack(tg).to(m_device);
        return b;
    }

    // One optimisation step; returns the loss value.
    double step(const Batch &b)
    {
        torch::Tensor loss;
        switch (m_o.mode) {
        case TrainMode::RppgNet: loss = rppgNetStepLoss(m_rppg, b.frames, b.ppg, b.mask, rppgWeights()); break;
        case TrainMode::Stven:
            loss = stvenStepLoss(m_stven, b.frames, b.target, b.sourceLevels, b.targetLevels, !m_o.stvenRestoreOnly);
            break;
        case TrainMode::Joint: loss = jointStepLoss(m_stven, m_rppg, b.frames, b.target, b.ppg, b.mask, jointWeights()); break;
        }
        m_optimizer->zero_grad();
        loss.backward();
        m_optimizer->step();
        ++m_iterations;
        return loss.item<double>();
    }

    struct Validation
    {
        double loss = kNaN, mae = kNaN, clipMae = kNaN, pearson = kNaN, psnr = kNaN, psnrInput = kNaN;
        int64_t windows = 0;
        std::map<int, double> byLevel;   // level → windowed MAE, when several levels are held out
    };

    std::string levelName(int level) const
    {
        const auto &names = m_data->levelNames();
        return level >= 0 && size_t(level) < names.size() ? names[size_t(level)] : "level " + std::to_string(level);
    }

    RppgNetLossWeights rppgWeights() const
    {
        RppgNetLossWeights w;
        w.frequency = m_o.frequencyWeight;
        return w;
    }

    JointLossWeights jointWeights() const
    {
        JointLossWeights w;
        w.task = rppgWeights();
        w.stven = m_o.jointReconstruction;
        return w;
    }

    Validation validate()
    {
        Validation v;
        if (m_val.empty())
            return v;
        torch::NoGradGuard noGrad;
        if (m_rppg && m_o.mode == TrainMode::RppgNet)
            m_rppg->eval();
        if (m_stven)
            m_stven->eval();
        std::map<int, std::vector<PredictedClip>> predicted;   // by held-out level
        double lossSum = 0, maeSum = 0, rSum = 0, psnrSum = 0, psnrInSum = 0;
        int64_t n = 0, nMae = 0, nR = 0;
        // What to score: each clip at its segment's level, or (validateAllLevels) at every level
        // that mode scores (the compressed ones for STVEN and joint; all with rppgnet --all-levels).
        std::vector<int64_t> valClips;
        std::vector<int> valSources;
        const bool everyLevel = m_o.validateAllLevels && (m_o.mode != TrainMode::RppgNet || m_o.rppgNetAllLevels);
        for (int64_t c : m_val) {
            if (!everyLevel) {
                valClips.push_back(c);
                continue;   // makeBatch picks the level
            }
            const std::vector<int> levels = levelsOf(c);
            const size_t first = m_o.mode == TrainMode::RppgNet || levels.size() < 2 ? 0 : 1;
            for (size_t l = first; l < levels.size(); ++l) {
                valClips.push_back(c);
                valSources.push_back(levels[l]);
            }
        }
        for (size_t i = 0; i < valClips.size(); i += size_t(m_o.batch)) {
            if (cancelled())
                break;
            const size_t end = std::min(valClips.size(), i + size_t(m_o.batch));
            std::vector<int64_t> ids(valClips.begin() + long(i), valClips.begin() + long(end));
            const Batch b = makeBatch(ids, false,
                                      valSources.empty() ? std::vector<int>{}
                                                         : std::vector<int>(valSources.begin() + long(i), valSources.begin() + long(end)));
            const int64_t bs = int64_t(ids.size());
            torch::Tensor signal;
            switch (m_o.mode) {
            case TrainMode::RppgNet: {
                const RppgNetOutput out = m_rppg->forward(b.frames);
                lossSum += rppgNetLoss(out, b.ppg, b.mask, rppgWeights()).total.item<double>() * double(bs);
                signal = out.global;
                break;
            }
            case TrainMode::Stven:
            case TrainMode::Joint: {
                const int c = m_stven->config().cDim;
                const auto enhanced = m_stven->forward(b.frames, oneHotLevels(b.targetLevels, c).to(m_device));
                psnrSum += psnrDb(enhanced, b.target).item<double>() * double(bs);
                psnrInSum += psnrDb(b.frames, b.target).item<double>() * double(bs);
                if (m_o.mode == TrainMode::Stven) {
                    // Scored with the loss it trains: restore-only has no cycle term.
                    const double l = m_o.stvenRestoreOnly
                                         ? reconstructionLoss(enhanced, b.target).loss.item<double>()
                                         : stvenLoss(enhanced, b.target,
                                                     m_stven->forward(enhanced, oneHotLevels(b.sourceLevels, c).to(m_device)),
                                                     b.frames).total.item<double>();
                    lossSum += l * double(bs);
                    if (m_rppg)
                        signal = m_rppg->forward(enhanced).global;
                } else {
                    const RppgNetOutput teacher = m_rppg->forward(b.target);
                    const RppgNetOutput student = m_rppg->forward(enhanced);
                    lossSum += jointLoss(student, teacher, b.ppg, b.mask, enhanced, b.target, jointWeights()).total.item<double>()
                               * double(bs);
                    signal = student.global;
                }
                break;
            }
            }
            n += bs;
            if (signal.defined()) {
                for (int64_t k = 0; k < bs; ++k) {
                    const std::vector<float> pred = toVector(signal[k]);
                    const ClipInfo &info = m_data->clips()[size_t(ids[size_t(k)])];
                    predicted[b.sourceLevels[size_t(k)]].push_back(
                        {info.segment, info.start, b.fps[size_t(k)], pred, toVector(b.ppg[k])});
                    const double hr = spectralPeakBpm(pred, b.fps[size_t(k)]);
                    if (std::isfinite(hr) && b.hr[size_t(k)] > 0) {
                        maeSum += std::abs(hr - b.hr[size_t(k)]);
                        ++nMae;
                    }
                    const double r = pearson(pred, toVector(b.ppg[k]));
                    if (std::isfinite(r)) {
                        rSum += r;
                        ++nR;
                    }
                }
            }
        }
        if (n > 0) {
            v.loss = lossSum / double(n);
            if (m_stven) {
                v.psnr = psnrSum / double(n);
                v.psnrInput = psnrInSum / double(n);
            }
        }
        if (nMae > 0)
            v.clipMae = maeSum / double(nMae);
        // Each segment is held out at one level, so the overall windowed MAE is the window-weighted
        // mean of the levels' (scored once per level, not again over all clips).
        double windowedSum = 0;
        for (const auto &[level, clips] : predicted) {
            const WindowedHrScore score = windowedHrMae(clips);
            if (score.windows == 0)
                continue;
            windowedSum += score.maeBpm * double(score.windows);
            v.windows += score.windows;
            if (predicted.size() > 1)
                v.byLevel[level] = score.maeBpm;
        }
        v.mae = v.windows > 0 ? windowedSum / double(v.windows) : v.clipMae;
        if (nR > 0)
            v.pearson = rSum / double(nR);
        if (m_rppg && m_o.mode == TrainMode::RppgNet)
            m_rppg->train();
        if (m_stven)
            m_stven->train();
        return v;
    }

    CheckpointMeta meta(int epoch, const EpochReport &r, double seconds) const
    {
        CheckpointMeta m;
        std::ostringstream data;
        data << m_data->describe() << "; validation subjects (" << m_valSubjects.size() << "): ";
        for (size_t i = 0; i < m_valSubjects.size() && i < 20; ++i)
            data << (i ? " " : "") << m_valSubjects[i];
        if (m_valSubjects.size() > 20)
            data << " ...";
        m.trainingData = data.str();
        m.epochs = epoch;
        m.iterations = m_iterations;
        m.seed = m_o.seed;
        m.trainSeconds = seconds;
        m.software = std::string("rPPG Studio trainer (libtorch ") + TORCH_VERSION + ")";
        m.training["mode"] = trainModeName(m_o.mode);
        m.training["optimizer"] = "Adam";
        m.training["lr"] = fixed(m_o.lr, 8);
        m.training["batch"] = std::to_string(m_o.batch);
        m.training["epochs_planned"] = std::to_string(m_o.epochs);
        m.training["steps_per_epoch"] = std::to_string(m_stepsPerEpoch);
        m.training["val_fraction"] = fixed(m_o.valFraction, 3);
        m.training["val_levels"] = m_o.validateAllLevels ? "every level" : "one per segment";
        m.training["train_clips"] = std::to_string(m_train.size());
        m.training["val_clips"] = std::to_string(m_val.size());
        m.training["preset"] = (m_o.rppgNetConfig || m_o.stvenConfig) ? "custom" : m_o.preset;
        m.training["device"] = m_result.deviceDescription;
        m.training["input_size"] = std::to_string(m_size);
        m.training["frames"] = std::to_string(m_frames);
        m.training["augmentation"] = m_o.augment ? "flip " + std::string(m_o.augmentation.flip ? "on" : "off")
                                                       + ", brightness +-" + fixed(m_o.augmentation.brightness, 3)
                                                       + ", contrast +-" + fixed(m_o.augmentation.contrast, 3)
                                                 : "off";
        m.training["level_names"] = levelList();   // STVEN's label k is level k
        const std::string chosen = joinText(m_o.levels, ",");
        if (m_o.mode == TrainMode::RppgNet)
            m.training["levels"] = !m_o.rppgNetAllLevels ? "original" : chosen.empty() ? "all" : "original," + chosen;
        else if (!chosen.empty())
            m.training["levels"] = chosen;
        if (m_o.mode == TrainMode::Stven)
            m.training["pairs"] = m_o.stvenRestoreOnly ? "every level to the original, no cycle" : "any to any, with cycle";
        if (m_o.mode != TrainMode::Stven)
            m.training["frequency_weight"] = fixed(m_o.frequencyWeight, 6);
        if (m_o.mode == TrainMode::Joint) {
            m.training["sources"] = m_o.jointWithOriginal ? "every level, the original included" : "compressed levels";
            m.training["reconstruction_weight"] = fixed(m_o.jointReconstruction, 8);
        }
        if (!m_o.rppgNetCheckpoint.empty())
            m.training["rppgnet"] = pathLeaf(m_o.rppgNetCheckpoint);
        if (!m_result.bestCheckpoint.empty())
            m.training["best_checkpoint"] = pathLeaf(m_result.bestCheckpoint);   // in the same folder
        for (const auto &kv : m_o.extraMeta)
            m.training[kv.first] = kv.second;
        m.metrics["train_loss"] = r.trainLoss;
        m.metrics["val_loss"] = r.valLoss;
        m.metrics["val_mae_bpm"] = r.valMaeBpm;
        m.metrics["val_clip_mae_bpm"] = r.valClipMaeBpm;
        m.metrics["val_windows"] = double(r.valWindows);
        for (const auto &[level, mae] : r.valMaeByLevel)
            m.metrics["val_mae_bpm_level" + std::to_string(level)] = mae;
        m.metrics["val_pearson"] = r.valPearson;
        if (m_stven) {
            m.metrics["val_psnr_db"] = r.valPsnrDb;
            m.metrics["val_psnr_input_db"] = r.valPsnrInputDb;
        }
        m.metrics["best_score"] = m_bestScore;
        return m;
    }

    // Lower is better: HR MAE where measured, else the validation loss, else the training loss.
    static double scoreOf(const EpochReport &r)
    {
        if (std::isfinite(r.valMaeBpm))
            return r.valMaeBpm;
        if (std::isfinite(r.valLoss))
            return r.valLoss;
        return r.trainLoss;
    }

    std::optional<Failure> save(const std::string &path, const CheckpointMeta &meta)
    {
        std::string err;
        const bool ok = m_o.mode == TrainMode::RppgNet ? saveRppgNet(path, m_rppg, meta, &err)
                                                       : saveStven(path, m_stven, meta, &err);
        if (!ok)
            return Failure{TrainErrorKind::WriteFailed, err.empty() ? "cannot write " + path : err};
        return std::nullopt;
    }

    std::optional<Failure> saveOptimizer(const std::string &ckpt)
    {
        const std::string path = ckpt + ".optim";
        const std::string tmp = path + ".tmp";
        try {
            torch::save(*m_optimizer, tmp);
        } catch (const std::exception &) {
            std::remove(tmp.c_str());
            return Failure{TrainErrorKind::WriteFailed, "cannot write " + path};
        }
        if (std::rename(tmp.c_str(), path.c_str()) != 0) {
            std::remove(tmp.c_str());
            return Failure{TrainErrorKind::WriteFailed, "cannot write " + path};
        }
        return std::nullopt;
    }

    std::optional<Failure> loop()
    {
        const int64_t nTrain = int64_t(m_train.size());
        m_stepsPerEpoch = m_o.stepsPerEpoch > 0 ? m_o.stepsPerEpoch : (nTrain + m_o.batch - 1) / m_o.batch;
        if (m_startEpoch >= m_o.epochs) {
            log("nothing to do: the checkpoint already has " + std::to_string(m_startEpoch) + " epochs");
            return std::nullopt;
        }
        const auto runStart = std::chrono::steady_clock::now();
        const int64_t totalSteps = int64_t(m_o.epochs - m_startEpoch) * m_stepsPerEpoch;
        int64_t stepsDone = 0;
        for (int epoch = m_startEpoch + 1; epoch <= m_o.epochs; ++epoch) {
            const auto epochStart = std::chrono::steady_clock::now();
            // Shuffling and augmentation depend on (seed, epoch) only, so a resumed run draws
            // the same batches as an uninterrupted one.
            m_rng.seed(m_o.seed * 1000003ull + uint64_t(epoch));
            std::vector<int64_t> order = m_train;
            std::shuffle(order.begin(), order.end(), m_rng);
            double lossSum = 0;
            int64_t lossN = 0;
            size_t cursor = 0;
            for (int64_t s = 0; s < m_stepsPerEpoch; ++s) {
                if (cancelled())
                    return Failure{TrainErrorKind::Cancelled, "training cancelled"};
                std::vector<int64_t> ids;
                for (int k = 0; k < m_o.batch; ++k) {
                    if (cursor >= order.size()) {
                        std::shuffle(order.begin(), order.end(), m_rng);
                        cursor = 0;
                    }
                    ids.push_back(order[cursor++]);
                }
                const Batch b = makeBatch(ids, true);
                const double l = step(b);
                if (!std::isfinite(l))
                    return Failure{TrainErrorKind::Internal, "the loss became non-finite at epoch " + std::to_string(epoch)
                                                                 + " (try a lower --lr)"};
                lossSum += l;
                ++lossN;
                ++stepsDone;
                if (m_cb.progress) {
                    TrainProgress p;
                    p.epoch = epoch;
                    p.epochs = m_o.epochs;
                    p.step = s + 1;
                    p.steps = m_stepsPerEpoch;
                    p.loss = lossSum / double(lossN);
                    p.elapsedSec = std::chrono::duration<double>(std::chrono::steady_clock::now() - runStart).count();
                    p.etaSec = p.elapsedSec / double(stepsDone) * double(totalSteps - stepsDone);
                    m_cb.progress(p);
                }
            }
            EpochReport r;
            r.epoch = epoch;
            r.trainLoss = lossSum / double(std::max<int64_t>(1, lossN));
            const Validation v = validate();
            if (cancelled())
                return Failure{TrainErrorKind::Cancelled, "training cancelled"};
            r.valLoss = v.loss;
            r.valMaeBpm = v.mae;
            r.valClipMaeBpm = v.clipMae;
            r.valWindows = v.windows;
            r.valMaeByLevel = v.byLevel;
            r.valPearson = v.pearson;
            r.valPsnrDb = v.psnr;
            r.valPsnrInputDb = v.psnrInput;
            r.trainClips = nTrain;
            r.valClips = int64_t(m_val.size());
            r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - epochStart).count();
            const double score = scoreOf(r);
            r.best = !std::isfinite(m_bestScore) || score < m_bestScore;
            if (r.best)
                m_bestScore = score;
            const double totalSeconds =
                m_priorSeconds + std::chrono::duration<double>(std::chrono::steady_clock::now() - runStart).count();
            r.checkpoint = joinPath(m_o.outDir, epochCheckpointName(m_o.mode, epoch));
            if (r.best)
                m_result.bestCheckpoint = joinPath(m_o.outDir, bestCheckpointName(m_o.mode));
            const CheckpointMeta m = meta(epoch, r, totalSeconds);
            if (auto f = save(r.checkpoint, m))
                return f;
            if (auto f = saveOptimizer(r.checkpoint))
                return f;
            if (r.best)
                if (auto f = save(m_result.bestCheckpoint, m))
                    return f;
            m_result.lastCheckpoint = r.checkpoint;
            m_result.epochs.push_back(r);
            std::ostringstream os;
            os << "epoch " << epoch << "/" << m_o.epochs << ": train loss " << fixed(r.trainLoss, 4) << ", val loss "
               << fixed(r.valLoss, 4) << ", val HR MAE " << fixed(r.valMaeBpm, 2) << " bpm ("
               << (r.valWindows > 0 ? std::to_string(r.valWindows) + " windows of 10 s" : std::string("per clip")) << "), val r "
               << fixed(r.valPearson, 3);
            if (!r.valMaeByLevel.empty()) {
                os << " [MAE by level:";
                for (const auto &[level, mae] : r.valMaeByLevel)
                    os << " " << levelName(level) << " " << fixed(mae, 1);
                os << "]";
            }
            if (m_stven)
                os << ", val PSNR " << fixed(r.valPsnrDb, 2) << " dB (input " << fixed(r.valPsnrInputDb, 2) << " dB)";
            os << ", " << fixed(r.seconds, 1) << " s" << (r.best ? " (best)" : "");
            log(os.str());
            if (m_cb.epochDone)
                m_cb.epochDone(r);
        }
        return std::nullopt;
    }

    const TrainOptions &m_o;
    const TrainCallbacks &m_cb;
    const std::atomic<bool> *m_cancel;
    torch::Device m_device;
    std::optional<ClipDataset> m_data;
    std::vector<int64_t> m_train, m_val;
    std::vector<std::string> m_valSubjects;
    RppgNet m_rppg{nullptr};
    Stven m_stven{nullptr};
    std::unique_ptr<torch::optim::Adam> m_optimizer;
    std::mt19937_64 m_rng;
    std::vector<bool> m_levelUsed;   // by dataset level, with --levels (empty: every level)
    int m_frames = 64;
    int m_size = 64;
    int m_startEpoch = 0;
    int64_t m_iterations = 0;
    int64_t m_stepsPerEpoch = 0;
    double m_priorSeconds = 0;
    double m_bestScore = kNaN;
    TrainResult m_result;
};

} // namespace

const char *trainModeName(TrainMode mode)
{
    switch (mode) {
    case TrainMode::RppgNet: return "rppgnet";
    case TrainMode::Stven: return "stven";
    case TrainMode::Joint: return "joint";
    }
    return "?";
}

std::optional<TrainMode> trainModeFromName(const std::string &name)
{
    if (name == "rppgnet")
        return TrainMode::RppgNet;
    if (name == "stven")
        return TrainMode::Stven;
    if (name == "joint")
        return TrainMode::Joint;
    return std::nullopt;
}

std::optional<RppgNetConfig> rppgNetPreset(const std::string &name)
{
    RppgNetConfig c;   // paper widths, 64 frames
    if (name == "cpu") {
        c.inputSize = 64;
        return c;
    }
    if (name == "paper") {
        c.inputSize = 128;
        return c;
    }
    return std::nullopt;
}

std::optional<StvenConfig> stvenPreset(const std::string &name)
{
    StvenConfig c;
    if (name == "cpu") {
        c.inputSize = 64;
        c.convDim = 16;
        c.bottleneckChannels = 64;
        c.repeatNum = 2;
        return c;
    }
    if (name == "paper") {
        c.inputSize = 128;
        return c;
    }
    return std::nullopt;
}

std::string epochCheckpointName(TrainMode mode, int epoch)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s-epoch%03d.ckpt", trainModeName(mode), epoch);
    return buf;
}

std::string bestCheckpointName(TrainMode mode)
{
    return std::string(trainModeName(mode)) + "-best.ckpt";
}

torch::Tensor rppgNetStepLoss(RppgNet &net, const torch::Tensor &clips, const torch::Tensor &ppg, const torch::Tensor &mask,
                              const RppgNetLossWeights &weights)
{
    return rppgNetLoss(net->forward(clips), ppg, mask, weights).total;
}

torch::Tensor stvenStepLoss(Stven &net, const torch::Tensor &source, const torch::Tensor &target,
                            const std::vector<int> &sourceLevels, const std::vector<int> &targetLevels, bool cycle)
{
    const int c = net->config().cDim;
    const auto device = source.device();
    const auto enhanced = net->forward(source, oneHotLevels(targetLevels, c).to(device));
    if (!cycle)
        return reconstructionLoss(enhanced, target).loss;
    const auto cycled = net->forward(enhanced, oneHotLevels(sourceLevels, c).to(device));
    return stvenLoss(enhanced, target, cycled, source).total;
}

torch::Tensor jointStepLoss(Stven &net, RppgNet &frozenRppgNet, const torch::Tensor &source, const torch::Tensor &original,
                            const torch::Tensor &ppg, const torch::Tensor &mask, const JointLossWeights &weights)
{
    const std::vector<int> toOriginal(size_t(source.size(0)), 0);
    const auto enhanced = net->forward(source, oneHotLevels(toOriginal, net->config().cDim).to(source.device()));
    RppgNetOutput teacher;
    {
        torch::NoGradGuard noGrad;
        teacher = frozenRppgNet->forward(original);
    }
    const RppgNetOutput student = frozenRppgNet->forward(enhanced);
    return jointLoss(student, teacher, ppg, mask, enhanced, original, weights).total;
}

TrainResult train(const TrainOptions &options, const TrainCallbacks &callbacks, const std::atomic<bool> *cancel)
{
    Trainer t(options, callbacks, cancel);
    return t.run();
}

} // namespace rppg::models
