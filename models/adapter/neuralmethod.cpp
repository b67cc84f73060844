#include "neuralmethod.h"

#include "checkpoint.h"
#include "device.h"
#include "dsp.h"
#include "mathconst.h"
#include "modelsadapter.h"
#include "resourcepaths.h"

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMutex>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

namespace rppg {

namespace {

constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();
// Crops whose timestamps decide the input rate: enough for a median that ignores a late frame.
constexpr int kProbeFrames = 8;
// Direct timing watches the rate over this many recent intervals; a median above the tolerance
// switches to the resampled grid (a camera that speeds up mid-session).
constexpr size_t kRateIntervals = 15;

QString shippedFileName(const char *model, const char *variant)
{
    return QStringLiteral("%1-%2.ckpt").arg(QLatin1String(model), QLatin1String(variant));
}

QString firstLineOf(const char *text)
{
    const QString s = QString::fromLocal8Bit(text);
    return s.left(s.indexOf(QLatin1Char('\n'))).trimmed();
}

// Weights inside a folder (the shipped resources/models/ or one given with --model). `present`
// maps a file name to its path, or empty when it is not there; `shown` is how the folder is named
// in messages.
Result<NeuralModelFiles> filesInFolder(NeuralPipeline pipeline, bool cuda,
                                       const std::function<QString(const QString &)> &present,
                                       const QString &shown)
{
    const bool withStven = pipeline == NeuralPipeline::StvenRppgNet;
    // The paper-size weights only pay off on a GPU; STVEN is fine-tuned through one particular
    // rPPGNet, so the two are only ever used as the pair they were trained as.
    const bool paper = cuda && !present(shippedFileName("rppgnet", "paper")).isEmpty()
                       && (!withStven || !present(shippedFileName("stven", "paper")).isEmpty());
    const char *variant = paper ? "paper" : "cpu";
    NeuralModelFiles files;
    auto locate = [&](const char *model, QString &out) -> Error {
        const QString name = shippedFileName(model, variant);
        out = present(name);
        if (out.isEmpty())
            return Error{ErrorCode::FileNotFound,
                         QStringLiteral("no weights: %1%2 not found (see README: Training)").arg(shown, name)};
        return {};
    };
    if (withStven) {
        if (Error e = locate("stven", files.stven); e.isError())
            return e;
    }
    if (Error e = locate("rppgnet", files.rppgNet); e.isError())
        return e;
    return files;
}

// "rppgnet 64 px, 64 frames, widths 16/32/64/64, BN folded (rppgnet-cpu.ckpt); training: ..."
QString trainingSummary(const models::CheckpointMeta &meta)
{
    QString text = meta.trainingData.empty() ? QStringLiteral("training data not recorded")
                                             : QStringLiteral("trained on %1").arg(oneLine(meta.trainingData));
    if (meta.epochs > 0)
        text += QStringLiteral(", %1 epochs").arg(meta.epochs);
    else if (meta.iterations > 0)
        text += QStringLiteral(", %1 iterations").arg(meta.iterations);
    return text;
}

QString describeRppgNet(const models::CheckpointHeader &h, bool folded, const QString &file)
{
    const models::RppgNetConfig &c = h.rppgNet;
    return QStringLiteral("rppgnet %1 px, %2 frames, widths %3/%4/%5/%6%7 (%8; %9)")
        .arg(c.inputSize)
        .arg(c.frames)
        .arg(c.stemChannels)
        .arg(c.stage1Channels)
        .arg(c.stage2Channels)
        .arg(c.stage3Channels)
        .arg(folded ? QStringLiteral(", BN folded") : QString())
        .arg(QFileInfo(file).fileName(), trainingSummary(h.meta));
}

QString describeStven(const models::CheckpointHeader &h, const QString &file)
{
    const models::StvenConfig &c = h.stven;
    return QStringLiteral("stven %1 px, conv %2, bottleneck %3, %4 blocks, %5 levels (%6; %7)")
        .arg(c.inputSize)
        .arg(c.convDim)
        .arg(c.bottleneckChannels)
        .arg(c.repeatNum)
        .arg(c.cDim)
        .arg(QFileInfo(file).fileName(), trainingSummary(h.meta));
}

// At 64 px the folded graph measured slower on the CPU (the allocator, not arithmetic: see
// models/README.md and rppg_neural_bench); at 128 px and on CUDA folding saves ~20 %.
bool shouldFold(BatchNormFolding folding, const models::RppgNetConfig &config, const torch::Device &device)
{
    switch (folding) {
    case BatchNormFolding::Always: return true;
    case BatchNormFolding::Never: return false;
    case BatchNormFolding::Auto: break;
    }
    return device.is_cuda() || config.inputSize >= 128;
}

void logDeviceOnce(const models::DeviceChoice &choice, const QString &request)
{
    static QMutex mutex;
    static QSet<QString> logged;
    QMutexLocker lock(&mutex);
    const QString spec = QString::fromStdString(choice.spec);
    if (logged.contains(spec))
        return;
    logged.insert(spec);
    qCInfo(lcModels, "neural methods run on %s (requested '%s')", choice.description.c_str(),
           qPrintable(request));
}

// Per-frame pulse from face crops with rPPGNet, optionally after STVEN. See neuralmethod.h for
// timing, gaps and windows. Units: timestamps in µs; outputs are z-scored (unitless).
class NeuralPulseMethod final : public PulseMethod
{
public:
    NeuralPulseMethod(NeuralPipeline pipeline, models::RppgNet rppgNet, models::Stven stven,
                      const torch::Device &device, QString deviceName, QString description,
                      const NeuralMethodSettings &settings)
        : m_pipeline(pipeline)
        , m_settings(settings)
        , m_rppgNet(std::move(rppgNet))
        , m_stven(std::move(stven))
        , m_device(device)
        , m_deviceName(std::move(deviceName))
        , m_description(std::move(description))
        , m_frames(m_rppgNet->config().frames)
        , m_hop(std::max(1, m_rppgNet->config().frames / 2))
        , m_size(m_rppgNet->config().inputSize)
        , m_gridStepUs(1e6 / settings.networkRateHz)
        , m_maxFillUs(int64_t(std::llround(settings.maxFillSec * 1e6)))
        , m_delay(settings.backgroundInference ? m_hop : 0)
    {
        torch::InferenceMode inference;
        m_ring = torch::zeros({m_frames, m_size, m_size, 3}, torch::kUInt8);
        m_index = torch::empty({m_frames}, torch::kLong);
        m_slotPts.assign(size_t(m_frames), 0);
        for (int i = 0; i < m_frames; ++i)
            m_slots.emplace_back(m_size, m_size, CV_8UC3, m_ring[i].data_ptr<uint8_t>());
        m_prevRgb.create(m_size, m_size, CV_8UC3);
        m_curRgb.create(m_size, m_size, CV_8UC3);
        m_taper.resize(size_t(m_frames));
        for (int i = 0; i < m_frames; ++i) {
            const double s = std::sin(models::kPi * (i + 0.5) / m_frames);
            m_taper[size_t(i)] = s * s;
        }
        if (m_stven)
            m_label = models::oneHotLevels({0}, m_stven->config().cDim).to(m_device);
    }

    ~NeuralPulseMethod() override
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_all();
        if (m_worker.joinable())
            m_worker.join();   // after the clip it may be running
    }

    QString name() const override { return neuralMethodName(m_pipeline); }
    MethodInput input() const override { return MethodInput::FaceVideo; }
    cv::Size cropSize() const override { return {m_size, m_size}; }

    void push(const FaceCrop &crop) override
    {
        trackInterval(crop.ptsUs);
        if (m_timing == Timing::Probing) {
            // The crop's pixels may be reused by the caller; the few probe frames are copied.
            m_probe.push_back(FaceCrop{crop.ptsUs, crop.bgr.clone(), cv::Mat()});
            if (int(m_probe.size()) >= kProbeFrames)
                endProbe();
            return;
        }
        process(crop);
    }

    void drain(std::vector<PulseSample> &out) override { emitFinal(out); }

    void finish(std::vector<PulseSample> &out) override
    {
        if (m_timing == Timing::Probing)
            endProbe();
        closeSegment();
        emitFinal(out);
    }

    bool latestVisuals(MethodVisuals &out) const override
    {
        if (m_clipCount == 0)
            return false;
        // Half a clip (plus the background delay) behind the newest network frame: in steady
        // state always inside the last clip added, so the pictures advance frame by frame
        // (values become final in bursts of a hop, which would make them jump). Clamped to the
        // clip at the ends of a stretch.
        const int64_t sample = std::clamp<int64_t>(m_sampleCount - 1 - m_hop - m_delay, m_clipStart,
                                                   m_clipStart + m_clipCount - 1);
        if (sample != m_visualsSample || m_visuals.ptsUs < 0) {
            m_visuals = makeVisuals(int(sample - m_clipStart));
            m_visualsSample = sample;
        }
        out = m_visuals;   // fresh buffers per frame, never written again: safe to keep
        return true;
    }

    void reset() override
    {
        m_timing = Timing::Probing;
        m_probe.clear();
        m_recentIntervals.clear();
        m_lastPts = -1;
        m_segmentOpen = false;
        m_pendingEmpty.clear();
        m_sampleCount = m_final = m_base = 0;
        m_jobs.clear();
        {
            // A clip the worker is running now finishes unread.
            std::lock_guard<std::mutex> lock(m_mutex);
            m_queue.clear();
        }
        m_sum.clear();
        m_weight.clear();
        m_pending.clear();
        m_clipCount = 0;
        m_visualsSample = -1;
        m_visuals = MethodVisuals();
    }

    QString deviceName() const override { return m_deviceName; }
    QString modelDescription() const override { return m_description; }

private:
    enum class Timing {
        Probing,     // the first crops are held until their timestamps give the input rate
        Direct,      // every crop is one network frame
        Resampled,   // network frames on a networkRateHz grid, interpolated between crops
    };

    // A pushed frame waiting for its value: `position` is where it lies on the network frames
    // (fractional when resampled), NaN for a frame without a face.
    struct PendingFrame
    {
        int64_t ptsUs = 0;
        double position = kNoValue;
    };

    // The intervals between the latest crops (those of the probe when it ends).
    void trackInterval(int64_t pts)
    {
        if (m_lastPts >= 0 && pts > m_lastPts) {
            m_recentIntervals.push_back(double(pts - m_lastPts));
            if (m_recentIntervals.size() > kRateIntervals)
                m_recentIntervals.pop_front();
        }
        m_lastPts = pts;
    }

    double medianIntervalUs() const
    {
        return dsp::median(std::vector<double>(m_recentIntervals.begin(), m_recentIntervals.end()));
    }

    void endProbe()
    {
        m_timing = Timing::Direct;
        m_inputStepUs = m_gridStepUs;
        if (!m_recentIntervals.empty()) {
            m_inputStepUs = medianIntervalUs();
            const double rateHz = 1e6 / m_inputStepUs;
            const double net = m_settings.networkRateHz;
            if (rateHz < net / m_settings.rateTolerance || rateHz > net * m_settings.rateTolerance)
                m_timing = Timing::Resampled;
            qCDebug(lcModels, "%s: input at %.1f fps, %s", qPrintable(name()), rateHz,
                    m_timing == Timing::Resampled ? "network frames resampled to the training rate"
                                                  : "one network frame per crop");
        }
        std::vector<FaceCrop> probe;
        probe.swap(m_probe);
        for (const FaceCrop &crop : probe)
            process(crop);
    }

    // Direct timing gives the network one crop per frame. Frames that never arrive are bridged (a
    // lower rate is handled), but frames coming faster than the probe measured would squeeze more
    // crops into each network second: once the median of the recent intervals says the rate has
    // risen above the tolerance, the stretch ends and the network frames are resampled from here on.
    void watchRate()
    {
        if (m_recentIntervals.size() < kRateIntervals)
            return;
        const double rateHz = 1e6 / medianIntervalUs();
        if (rateHz <= m_settings.networkRateHz * m_settings.rateTolerance)
            return;
        closeSegment();
        m_timing = Timing::Resampled;
        qCDebug(lcModels, "%s: input rate rose to %.1f fps, network frames resampled to the training rate from here on",
                qPrintable(name()), rateHz);
    }

    // BGR (or grey/BGRA) crop of any size → RGB at the network's size, into `dst` (preallocated).
    bool toRgb(const cv::Mat &src, cv::Mat &dst)
    {
        if (src.empty() || src.depth() != CV_8U)
            return false;
        const cv::Mat *in = &src;
        if (src.cols != m_size || src.rows != m_size) {
            cv::resize(src, m_resized, cv::Size(m_size, m_size), 0, 0, cv::INTER_AREA);
            in = &m_resized;
        }
        switch (in->channels()) {
        case 3: cv::cvtColor(*in, dst, cv::COLOR_BGR2RGB); return true;
        case 4: cv::cvtColor(*in, dst, cv::COLOR_BGRA2RGB); return true;
        case 1: cv::cvtColor(*in, dst, cv::COLOR_GRAY2RGB); return true;
        default: return false;
        }
    }

    void process(const FaceCrop &crop)
    {
        const int64_t pts = crop.ptsUs;
        if (m_timing == Timing::Direct)
            watchRate();
        // A long gap, or time running backwards (a seek without reset), ends the stretch.
        if (m_segmentOpen && (pts - m_lastFacePts > m_maxFillUs || pts <= m_lastFacePts))
            closeSegment();
        if (!toRgb(crop.bgr, m_curRgb)) {
            if (m_segmentOpen && m_timing == Timing::Direct)
                m_pendingEmpty.push_back(pts);
            m_pending.push_back({pts, kNoValue});
            return;
        }
        double position = kNoValue;
        if (!m_segmentOpen) {
            m_segmentOpen = true;
            m_segmentStart = m_sampleCount;
            m_nextWindow = m_sampleCount;
            m_lastWindowEnd = m_sampleCount;
            m_originUs = pts;
            m_nextGrid = 1;
            m_pendingEmpty.clear();
            position = double(m_sampleCount);
            addSample(1.0, pts);
        } else if (m_timing == Timing::Direct) {
            // Frames of a short gap get crops interpolated between the faces around them. Frames
            // the source never delivered (a camera or player that fell behind, a variable-rate
            // camera slowing down in low light) leave a step of several input frames with fewer
            // crops in it: the network still gets one frame per input step, on an even grid
            // over the gap, so time inside a clip is not compressed (which would raise the
            // pulse rate the network sees).
            const double span = double(pts - m_lastFacePts);
            const int64_t steps = std::llround(span / m_inputStepUs);
            if (steps - 1 > int64_t(m_pendingEmpty.size())) {
                for (int64_t k = 1; k < steps; ++k) {
                    const int64_t t = m_lastFacePts + std::llround(span * double(k) / double(steps));
                    addSample(double(t - m_lastFacePts) / span, t);
                }
            } else {
                for (int64_t e : m_pendingEmpty)
                    addSample(double(e - m_lastFacePts) / span, e);
            }
            m_pendingEmpty.clear();
            position = double(m_sampleCount);
            addSample(1.0, pts);
        } else {
            const double span = double(pts - m_lastFacePts);
            for (;; ++m_nextGrid) {
                const double t = double(m_originUs) + m_nextGrid * m_gridStepUs;
                if (t > double(pts) + 0.5)
                    break;
                const double a = std::clamp((t - double(m_lastFacePts)) / span, 0.0, 1.0);
                addSample(a, a < 0.5 ? m_lastFacePts : pts);
            }
            position = double(m_segmentStart) + double(pts - m_originUs) / m_gridStepUs;
            // Timestamps are whole µs: a crop within 0.1 % of a frame of a grid point is on it.
            if (std::abs(position - std::round(position)) < 1e-3)
                position = std::round(position);
        }
        m_pending.push_back({pts, position});
        cv::swap(m_prevRgb, m_curRgb);
        m_lastFacePts = pts;
    }

    // Appends one network frame (1 − a)·previous face + a·current face, and runs a clip when
    // one is complete.
    void addSample(double a, int64_t ptsUs)
    {
        const int64_t index = m_sampleCount++;
        const int slot = int(index % m_frames);
        if (a >= 1.0)
            m_curRgb.copyTo(m_slots[size_t(slot)]);
        else
            cv::addWeighted(m_prevRgb, 1.0 - a, m_curRgb, a, 0.0, m_slots[size_t(slot)]);
        m_slotPts[size_t(slot)] = ptsUs;
        m_sum.push_back(0.0);
        m_weight.push_back(0.0);
        while (!m_jobs.empty() && m_sampleCount >= m_jobs.front()->dueAt)
            addNextClip();
        if (m_sampleCount - m_nextWindow == m_frames) {
            // Once added, no later clip reaches before the next one's start.
            submitClip(m_nextWindow, m_frames, m_nextWindow + m_hop);
            m_lastWindowEnd = m_nextWindow + m_frames;
            m_nextWindow += m_hop;
        }
    }

    void closeSegment()
    {
        if (!m_segmentOpen)
            return;
        m_segmentOpen = false;
        m_pendingEmpty.clear();
        const int64_t end = m_sampleCount;
        const int64_t length = end - m_segmentStart;
        if (length >= m_frames) {
            if (m_lastWindowEnd < end)
                submitClip(end - m_frames, m_frames, end);   // the tail, aligned to the last frame
        } else if (length >= std::max<int64_t>(2, m_frames / 2)) {
            submitClip(m_segmentStart, int(length), end);    // mirrored in time to a full clip
        }
        addAllClips();
        m_final = end;
        for (PendingFrame &f : m_pending)
            if (std::isfinite(f.position) && f.position > double(end - 1))
                f.position = double(end - 1);
    }

    // One clip on its way through the network, in stream order. The caller fills the input and
    // later adds the output; in between only the inference touches it (the worker, or the caller
    // itself when inference runs inline).
    struct ClipJob
    {
        int64_t start = 0;          // its first network frame
        int count = 0;              // frames of its own (< T: mirrored in time to T)
        int64_t finalAfter = 0;     // the final mark once its output is added
        int64_t dueAt = 0;          // added when the stream reaches this many network frames
        torch::Tensor frames;       // T × S × S × 3 uint8 RGB, in clip order
        std::vector<int64_t> pts;   // the timestamps its first `count` frames stand for
        // Output (valid once done; no signal after a failure, which `error` says):
        bool done = false;          // guarded by m_mutex
        std::string error;
        std::vector<double> signal;                 // T values of the global head
        torch::Tensor skin, attention, enhanced;    // CPU, count frames (kept by addClip)
    };

    // Queues network frames [start, start + count) for the network (count < T: mirrored to T).
    // Inline, it runs and is added at once; in the background it is added when the stream is
    // m_delay network frames past its end, or when the stretch closes.
    void submitClip(int64_t start, int count, int64_t finalAfter)
    {
        auto job = std::make_shared<ClipJob>();
        job->start = start;
        job->count = count;
        job->finalAfter = finalAfter;
        job->dueAt = start + count + m_delay;
        int64_t *index = m_index.data_ptr<int64_t>();
        const int period = 2 * (count - 1);
        for (int i = 0; i < m_frames; ++i) {
            int j = i;
            if (i >= count) {
                j = i % period;
                if (j >= count)
                    j = period - j;
            }
            index[i] = (start + j) % m_frames;
        }
        {
            torch::InferenceMode inference;
            job->frames = m_ring.index_select(0, m_index);   // a copy: the ring moves on
        }
        job->pts.resize(size_t(count));
        for (int i = 0; i < count; ++i)
            job->pts[size_t(i)] = m_slotPts[size_t((start + i) % m_frames)];
        if (!m_settings.backgroundInference) {
            infer(*job);
            addClip(*job);
            return;
        }
        if (!m_worker.joinable() && !m_noWorker) {
            try {   // started here so it shares the caller's scheduling priority
                m_worker = std::thread([this] { workerLoop(); });
            } catch (const std::system_error &e) {
                m_noWorker = true;
                qCWarning(lcModels, "%s: no inference thread (%s); running clips inline", qPrintable(name()), e.what());
            }
        }
        if (m_noWorker) {
            // Same output at the same pushes, only without the overlap.
            infer(*job);
            job->done = true;
        } else {
            {
                std::lock_guard<std::mutex> lock(m_mutex);
                m_queue.push_back(job);
            }
            m_wake.notify_one();
        }
        m_jobs.push_back(std::move(job));
    }

    void workerLoop()
    {
        for (;;) {
            std::shared_ptr<ClipJob> job;
            {
                std::unique_lock<std::mutex> lock(m_mutex);
                m_wake.wait(lock, [this] { return m_stop || !m_queue.empty(); });
                if (m_stop)
                    return;
                job = std::move(m_queue.front());
                m_queue.pop_front();
            }
            infer(*job);
            {
                std::lock_guard<std::mutex> lock(m_mutex);
                job->done = true;
            }
            m_ready.notify_all();
        }
    }

    // Waits for the oldest queued clip and adds it.
    void addNextClip()
    {
        std::shared_ptr<ClipJob> job = std::move(m_jobs.front());
        m_jobs.pop_front();
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_ready.wait(lock, [&job] { return job->done; });
        }
        addClip(*job);
    }

    void addAllClips()
    {
        while (!m_jobs.empty())
            addNextClip();
    }

    // The networks on one clip. Reads only the job and the networks (which nothing else runs
    // meanwhile), so it may run on the worker.
    void infer(ClipJob &job)
    {
        try {
            torch::InferenceMode inference;
            auto clip = job.frames.permute({3, 0, 1, 2}).contiguous().to(m_device);
            auto x = clip.to(torch::kFloat).div_(127.5).sub_(1.0).unsqueeze(0);   // 1 × 3 × T × S × S
            torch::Tensor enhanced;
            if (m_stven) {
                enhanced = m_stven->forward(x, m_label);
                x = enhanced;
            }
            const models::RppgNetOutput out = m_rppgNet->forward(x);
            const auto signal = out.global.reshape({-1}).to(torch::kCPU, torch::kDouble).contiguous();
            const double *s = signal.data_ptr<double>();
            job.signal.assign(s, s + m_frames);
            job.skin = out.skinMap[0].narrow(0, 0, job.count).to(torch::kCPU, torch::kFloat).contiguous();
            job.attention = out.attention32[0].narrow(0, 0, job.count).to(torch::kCPU, torch::kFloat).contiguous();
            if (enhanced.defined()) {
                // 1 × 3 × T × S × S in [-1, 1] → count × S × S × 3 uint8 RGB
                job.enhanced = enhanced[0]
                                   .narrow(1, 0, job.count)
                                   .clamp(-1.0, 1.0)
                                   .add(1.0)
                                   .mul(127.5)
                                   .round()
                                   .to(torch::kCPU, torch::kUInt8)
                                   .permute({1, 2, 3, 0})
                                   .contiguous();
            }
        } catch (const c10::Error &e) {
            job.signal.clear();
            job.error = e.what_without_backtrace();
        } catch (const std::exception &e) {
            job.signal.clear();
            job.error = e.what();
        }
    }

    // Overlap-adds a clip's z-scored output into the frames that are not final yet, keeps its
    // pictures, and moves the final mark.
    void addClip(const ClipJob &job)
    {
        if (job.signal.empty()) {
            warnOnce(job.error.c_str());
            m_final = job.finalAfter;
            return;
        }
        const int count = job.count;
        double mean = 0;
        for (int i = 0; i < count; ++i)
            mean += job.signal[size_t(i)];
        mean /= count;
        double var = 0;
        for (int i = 0; i < count; ++i)
            var += (job.signal[size_t(i)] - mean) * (job.signal[size_t(i)] - mean);
        const double sd = std::sqrt(var / count);
        // A flat output (a still image) carries no pulse: zeros rather than amplified rounding.
        const double scale = sd > 1e-9 ? 1.0 / sd : 0.0;
        for (int i = 0; i < count; ++i) {
            const int64_t g = job.start + i;
            if (g < m_final)
                continue;   // already handed out; a tail clip only completes the rest
            const size_t k = size_t(g - m_base);
            const double w = m_taper[size_t(i)];
            m_sum[k] += w * (job.signal[size_t(i)] - mean) * scale;
            m_weight[k] += w;
        }
        m_final = job.finalAfter;
        // The clip's per-frame pictures (a few hundred kB on the CPU) for latestVisuals().
        m_clipSkin = job.skin;
        m_clipAttention = job.attention;
        m_clipEnhanced = job.enhanced;
        m_clipPts = job.pts;
        m_clipStart = job.start;
        m_clipCount = count;
        m_visualsSample = -1;
    }

    // The pictures of clip frame `t` (0 ≤ t < m_clipCount).
    MethodVisuals makeVisuals(int t) const
    {
        torch::InferenceMode inference;   // the clip tensors are inference tensors
        const cv::Size size(m_size, m_size);
        const bool display = m_settings.displayVisuals;
        MethodVisuals v;   // new buffers: copies handed out earlier stay as they were
        v.ptsUs = m_clipPts[size_t(t)];
        {
            const torch::Tensor skin = m_clipSkin[t];
            const cv::Mat m(int(skin.size(0)), int(skin.size(1)), CV_32FC1, skin.data_ptr<float>());
            if (display)
                cv::resize(m, v.skinMap, size, 0, 0, cv::INTER_LINEAR);
            else
                v.skinMap = m.clone();
        }
        {
            const torch::Tensor att = m_clipAttention[t];
            const cv::Mat m(int(att.size(0)), int(att.size(1)), CV_32FC1, att.data_ptr<float>());
            if (display) {
                double lo = 0, hi = 0;
                cv::minMaxLoc(m, &lo, &hi);
                cv::Mat scaled;
                // Min–max: the softmax weights differ by small factors that are invisible unscaled.
                const double range = hi - lo;
                m.convertTo(scaled, CV_32F, range > 1e-12 ? 1.0 / range : 0.0, range > 1e-12 ? -lo / range : 0.0);
                cv::resize(scaled, v.attention, size, 0, 0, cv::INTER_LINEAR);
                cv::min(cv::max(v.attention, 0.0), 1.0, v.attention);   // rounding: exactly 0..1
            } else {
                v.attention = m.clone();
            }
        }
        if (m_clipEnhanced.defined()) {
            const torch::Tensor rgb = m_clipEnhanced[t];
            const cv::Mat m(m_size, m_size, CV_8UC3, rgb.data_ptr<uint8_t>());
            cv::cvtColor(m, v.enhancedBgr, cv::COLOR_RGB2BGR);
        }
        return v;
    }

    // A failed clip gives no values: the frames it alone covers stay NaN, which the pipeline
    // treats as a gap. Said once, not per clip.
    void warnOnce(const char *what)
    {
        if (m_warned)
            return;
        m_warned = true;
        qCWarning(lcModels, "%s: inference failed: %s", qPrintable(name()), qPrintable(firstLineOf(what)));
    }

    double valueAt(int64_t index) const
    {
        const size_t k = size_t(index - m_base);
        return m_weight[k] > 0 ? m_sum[k] / m_weight[k] : kNoValue;
    }

    void emitFinal(std::vector<PulseSample> &out)
    {
        while (!m_pending.empty()) {
            const PendingFrame &f = m_pending.front();
            double value = kNoValue;
            if (std::isfinite(f.position)) {
                const auto lo = int64_t(std::floor(f.position));
                const auto hi = int64_t(std::ceil(f.position));
                if (hi >= m_final)
                    break;
                const double a = f.position - double(lo);
                value = hi == lo ? valueAt(lo) : (1.0 - a) * valueAt(lo) + a * valueAt(hi);
            }
            out.push_back({f.ptsUs, value});
            m_pending.pop_front();
        }
        // Network frames nobody will read again: below the final mark and the first waiting frame.
        int64_t keep = m_final;
        if (!m_pending.empty())
            keep = std::min(keep, int64_t(std::floor(m_pending.front().position)));
        while (m_base < keep && !m_sum.empty()) {
            m_sum.pop_front();
            m_weight.pop_front();
            ++m_base;
        }
    }

    const NeuralPipeline m_pipeline;
    const NeuralMethodSettings m_settings;
    models::RppgNet m_rppgNet{nullptr};
    models::Stven m_stven{nullptr};
    torch::Tensor m_label;   // STVEN target: one-hot of level 0 (original quality)
    const torch::Device m_device;
    const QString m_deviceName;
    const QString m_description;
    const int m_frames;   // clip length T
    const int m_hop;      // T / 2
    const int m_size;     // crop side in pixels
    const double m_gridStepUs;
    const int64_t m_maxFillUs;
    const int64_t m_delay;   // network frames from a clip's end to its adding: T/2 in the background, else 0

    Timing m_timing = Timing::Probing;
    std::vector<FaceCrop> m_probe;
    double m_inputStepUs = 0;   // direct: the input's frame interval (median of the probe's)
    std::deque<double> m_recentIntervals;   // µs between the last kRateIntervals + 1 crops
    int64_t m_lastPts = -1;

    // The open stretch of face frames.
    bool m_segmentOpen = false;
    int64_t m_segmentStart = 0;    // its first network frame
    int64_t m_nextWindow = 0;      // start of the next regular clip
    int64_t m_lastWindowEnd = 0;   // end of the last regular clip (exclusive)
    int64_t m_originUs = 0;        // resampled: the grid's time origin (first face of the stretch)
    int64_t m_nextGrid = 0;        // resampled: next grid point, relative to the origin
    int64_t m_lastFacePts = 0;
    std::vector<int64_t> m_pendingEmpty;   // direct: empty frames since the last face

    // Network frames: pixels in a ring of T slots (the only ones a clip can need), their
    // overlap-add sums from index m_base on; frames below m_final have their last contribution.
    torch::Tensor m_ring;                // T × S × S × 3, uint8 RGB
    std::vector<cv::Mat> m_slots;        // headers on m_ring's slots
    std::vector<int64_t> m_slotPts;      // the pts each slot's frame stands for
    torch::Tensor m_index;               // T slot indices of the clip being queued
    int64_t m_sampleCount = 0;
    int64_t m_final = 0;
    int64_t m_base = 0;
    std::deque<double> m_sum;
    std::deque<double> m_weight;
    std::vector<double> m_taper;

    std::deque<PendingFrame> m_pending;
    cv::Mat m_prevRgb, m_curRgb, m_resized;

    // The last clip's pictures (CPU): frames [m_clipStart, m_clipStart + m_clipCount).
    torch::Tensor m_clipSkin;        // count × S/2 × S/2 float
    torch::Tensor m_clipAttention;   // count × S/4 × S/4 float, softmax weights
    torch::Tensor m_clipEnhanced;    // count × S × S × 3 uint8 RGB (STVEN only)
    std::vector<int64_t> m_clipPts;
    int64_t m_clipStart = 0;
    int m_clipCount = 0;
    mutable int64_t m_visualsSample = -1;
    mutable MethodVisuals m_visuals;
    bool m_warned = false;

    // Clips between queueing and adding, in stream order (caller's thread only).
    std::deque<std::shared_ptr<ClipJob>> m_jobs;
    // The inference worker (background mode): m_queue holds the clips it has not started.
    std::mutex m_mutex;
    std::condition_variable m_wake;    // work or stop for the worker
    std::condition_variable m_ready;   // a clip is done
    std::deque<std::shared_ptr<ClipJob>> m_queue;
    bool m_stop = false;
    bool m_noWorker = false;   // the thread could not be started: clips run inline
    std::thread m_worker;
};

Error deviceError(const QString &request, const std::string &reason)
{
    static const QRegularExpression wellFormed(QStringLiteral("^(auto|cpu|gpu|cuda(:[0-9]+)?)$"));
    const bool cudaAsked = wellFormed.match(request).hasMatch();
    if (cudaAsked)
        return Error{ErrorCode::Unsupported, QStringLiteral("device '%1': %2 (use --device cpu)")
                                                 .arg(request, QString::fromStdString(reason))};
    return Error{ErrorCode::Usage, QString::fromStdString(reason)};
}

} // namespace

QString neuralMethodName(NeuralPipeline pipeline)
{
    return pipeline == NeuralPipeline::StvenRppgNet ? QStringLiteral("stven+rppgnet") : QStringLiteral("rppgnet");
}

Result<NeuralModelFiles> findNeuralModelFiles(NeuralPipeline pipeline, const QString &modelPath, bool cuda)
{
    const bool withStven = pipeline == NeuralPipeline::StvenRppgNet;
    const QString spec = modelPath.trimmed();
    if (spec.isEmpty()) {
        return filesInFolder(pipeline, cuda,
                             [](const QString &name) { return resourcePath(QStringLiteral("models/") + name); },
                             QStringLiteral("resources/models/"));
    }
    if (spec.contains(QLatin1Char(','))) {
        const QStringList parts = spec.split(QLatin1Char(','));
        if (!withStven)
            return Error{ErrorCode::Usage,
                         QStringLiteral("rppgnet takes one checkpoint or a folder, not a list ('%1')").arg(spec)};
        if (parts.size() != 2 || parts[0].trimmed().isEmpty() || parts[1].trimmed().isEmpty())
            return Error{ErrorCode::Usage,
                         QStringLiteral("--model for stven+rppgnet: STVEN.ckpt,RPPGNET.ckpt or a folder (got '%1')")
                             .arg(spec)};
        NeuralModelFiles files;
        for (const QString &raw : parts) {
            const QString path = raw.trimmed();
            if (!QFileInfo(path).isFile())
                return Error{ErrorCode::FileNotFound, QStringLiteral("model file '%1' not found").arg(path)};
            std::string error;
            const auto header = models::readCheckpointHeader(localPath(path), &error);
            if (!header)
                return Error{ErrorCode::BadData, QStringLiteral("cannot read model '%1': %2")
                                                     .arg(path, oneLine(error))};
            QString &slot = header->kind == models::ModelKind::Stven ? files.stven : files.rppgNet;
            if (!slot.isEmpty())
                return Error{ErrorCode::BadData,
                             QStringLiteral("'%1' and '%2' both hold %3 models; stven+rppgnet needs one of each")
                                 .arg(slot, path, QLatin1String(models::modelKindName(header->kind)))};
            slot = path;
        }
        return files;
    }
    const QFileInfo info(spec);
    if (info.isDir()) {
        const QDir dir(spec);
        return filesInFolder(pipeline, cuda,
                             [&dir](const QString &name) {
                                 const QFileInfo f(dir.filePath(name));
                                 return f.isFile() ? f.filePath() : QString();
                             },
                             QDir::cleanPath(spec) + QLatin1Char('/'));
    }
    if (withStven)
        return Error{ErrorCode::Usage,
                     QStringLiteral("stven+rppgnet needs two checkpoints: --model STVEN.ckpt,RPPGNET.ckpt or a folder")};
    if (!info.isFile())
        return Error{ErrorCode::FileNotFound, QStringLiteral("model file '%1' not found").arg(spec)};
    return NeuralModelFiles{spec, {}};
}

int defaultInferenceThreads()
{
    // One core stays free for decoding and face tracking, which run beside the network in every
    // pipeline; at most 4, where the small CPU networks stop scaling. Measured on the 2-core VM
    // (bench/RESULTS.md, neural timing): with 2 OpenMP threads, their busy-waiting between the
    // many small parallel regions took the decoder's core (16 stream fps); 1 thread gave 88.
    const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
    return std::clamp(cores - 1, 1, 4);
}

Result<std::unique_ptr<PulseMethod>> createNeuralMethod(NeuralPipeline pipeline, const MethodOptions &options,
                                                        const NeuralMethodSettings &settings)
{
    if (options.threads < 0)
        return Error{ErrorCode::Usage, QStringLiteral("thread count must be 0 (default) or more, not %1")
                                           .arg(options.threads)};
    if (!(settings.networkRateHz > 0) || !(settings.rateTolerance >= 1) || !(settings.maxFillSec >= 0))
        return Error{ErrorCode::Usage, QStringLiteral("invalid neural method settings")};
    // Before anything runs in libtorch, so the count holds for the whole process.
    models::setThreadsOnce(options.threads > 0 ? options.threads : defaultInferenceThreads());

    const QString request = options.device.trimmed().isEmpty() ? QStringLiteral("auto")
                                                               : options.device.trimmed().toLower();
    const models::DeviceChoice choice = models::chooseDevice(request.toStdString());
    if (!choice.error.empty())
        return deviceError(request, choice.error);
    logDeviceOnce(choice, request);

    auto files = findNeuralModelFiles(pipeline, options.modelPath, choice.cuda);
    if (!files.ok())
        return files.error();

    try {
        const torch::Device device(choice.spec);
        std::string error;
        auto rppg = models::loadRppgNet(localPath(files->rppgNet), device, &error);
        if (!rppg)
            return Error{ErrorCode::BadData, QStringLiteral("cannot load model '%1': %2")
                                                 .arg(files->rppgNet, oneLine(error))};
        const models::RppgNetConfig &rc = rppg->header.rppgNet;
        std::optional<models::LoadedStven> stven;
        if (pipeline == NeuralPipeline::StvenRppgNet) {
            stven = models::loadStven(localPath(files->stven), device, &error);
            if (!stven)
                return Error{ErrorCode::BadData, QStringLiteral("cannot load model '%1': %2")
                                                     .arg(files->stven, oneLine(error))};
            const models::StvenConfig &sc = stven->header.stven;
            if (sc.inputSize != rc.inputSize)
                return Error{ErrorCode::BadData,
                             QStringLiteral("STVEN was trained on %1 px crops and rPPGNet on %2 px: use a matching pair")
                                 .arg(sc.inputSize)
                                 .arg(rc.inputSize)};
            if (rc.frames % 2 != 0)
                return Error{ErrorCode::BadData,
                             QStringLiteral("rPPGNet clips of %1 frames cannot go through STVEN (needs an even length)")
                                 .arg(rc.frames)};
        }
        if (rc.frames < 4)
            return Error{ErrorCode::BadData,
                         QStringLiteral("'%1': clips of %2 frames are too short").arg(files->rppgNet).arg(rc.frames)};

        const bool fold = shouldFold(settings.folding, rc, device);
        if (fold && !models::foldBatchNorm(rppg->net, &error))
            return Error{ErrorCode::Internal, QStringLiteral("BatchNorm folding failed: %1")
                                                  .arg(QString::fromStdString(error))};
        QString description = describeRppgNet(rppg->header, fold, files->rppgNet);
        if (stven)
            description = describeStven(stven->header, files->stven) + QStringLiteral(" + ") + description;
        const QString deviceName = choice.cuda ? QStringLiteral("CUDA:%1").arg(choice.index) : QStringLiteral("CPU");
        qCDebug(lcModels, "%s: %s", qPrintable(neuralMethodName(pipeline)), qPrintable(description));
        return std::unique_ptr<PulseMethod>(new NeuralPulseMethod(
            pipeline, rppg->net, stven ? stven->net : models::Stven(nullptr), device, deviceName, description,
            settings));
    } catch (const c10::Error &e) {
        return Error{ErrorCode::Internal, QStringLiteral("cannot set up %1: %2")
                                              .arg(neuralMethodName(pipeline), firstLineOf(e.what_without_backtrace()))};
    } catch (const std::exception &e) {
        return Error{ErrorCode::Internal,
                     QStringLiteral("cannot set up %1: %2").arg(neuralMethodName(pipeline), firstLineOf(e.what()))};
    }
}

} // namespace rppg
