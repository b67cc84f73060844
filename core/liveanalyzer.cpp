#include "liveanalyzer.h"

#include "boundedqueue.h"
#include "signalanalyzer.h"
#include "threadpriority.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QThread>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <mutex>

Q_LOGGING_CATEGORY(lcLive, "rppg.core.live")

namespace rppg {

namespace {

using FrameQueue = BoundedQueue<VideoFrame>;

// The end-of-stream marker travels through the frame queue, behind the frames it follows.
constexpr int64_t kEndMarkerIndex = -1;
constexpr double kInf = std::numeric_limits<double>::infinity();

bool isEndMarker(const VideoFrame &f)
{
    return f.index == kEndMarkerIndex && f.bgr.empty();
}

void registerMetaTypes()
{
    static const bool once = [] {
        qRegisterMetaType<rppg::LiveFramePtr>("rppg::LiveFramePtr");
        qRegisterMetaType<rppg::LiveUpdatePtr>("rppg::LiveUpdatePtr");
        return true;
    }();
    Q_UNUSED(once);
}

// Attaches face-video method output to its records (matched by pts, searching back from the
// newest: a method lags by at most a clip), and moves `lastOutputSec` to the newest of them (values
// come in frame order; a NaN, no face, is output too). `samples` is emptied.
void attachSamples(std::deque<FrameRecord> &records, std::vector<PulseSample> &samples, double &lastOutputSec)
{
    if (!samples.empty())
        lastOutputSec = samples.back().ptsUs / 1e6;
    for (const PulseSample &s : samples) {
        const double t = s.ptsUs / 1e6;
        for (auto it = records.rbegin(); it != records.rend(); ++it) {
            if (std::abs(it->timeSec - t) < 1e-6) {
                it->methodPulse = s.value;
                break;
            }
            if (it->timeSec < t)
                break;
        }
    }
    samples.clear();
}

// The records of `log` within the last `spanSec` before `nowSec`, up to `outputEndSec`: a
// face-video method's newest output (the records after it have no value yet; "now" is where its
// output ends), +inf for RGB-trace methods.
void recentRecords(const std::deque<FrameRecord> &log, double nowSec, double spanSec, double outputEndSec,
                   std::vector<FrameRecord> &out)
{
    out.clear();
    if (log.empty())
        return;
    auto first = std::lower_bound(log.begin(), log.end(), nowSec - spanSec,
                                  [](const FrameRecord &r, double v) { return r.timeSec < v; });
    out.assign(first, log.end());
    while (!out.empty() && out.back().timeSec > outputEndSec + 1e-9)
        out.pop_back();
}

// The heart rate of the window that ends with the signal, at `endSec` (NaN when less than the
// configured coverage of it is usable).
LiveHrPoint latestEstimate(const SignalResult &s, const AnalysisConfig &cfg, double endSec)
{
    LiveHrPoint p;
    p.timeSec = endSec;
    const int total = int(s.pulse.size());
    if (s.fsHz <= 0 || total <= 0)
        return p;
    const int win = std::max(8, int(std::lround(cfg.windowSec * s.fsHz)));
    if (total < win)
        return p;
    const auto [runStart, runLen] = longestValidRun(s.valid, total - win, total);
    if (double(runLen) / win < cfg.minWindowCoverage)
        return p;
    const WindowEstimate w = measureWindow(s, runStart, runLen, cfg);
    return {endSec, w.hrBpm, w.snrDb, w.quality, w.motionLocked, w.unsteady, w.unconfirmed, w.octaveFromBpm, w.frozen};
}

// One point per window end: an update whose window ends where the last point's did (a face-video
// method gives its output in bursts) replaces that point.
void pushTrend(std::deque<LiveHrPoint> &trend, const LiveHrPoint &p, double keepSec)
{
    if (!trend.empty() && p.timeSec <= trend.back().timeSec)
        trend.back() = p;
    else
        trend.push_back(p);
    while (!trend.empty() && p.timeSec - trend.front().timeSec > keepSec)
        trend.pop_front();
}

} // namespace

QString liveStateName(LiveState state)
{
    switch (state) {
    case LiveState::Idle: return QStringLiteral("idle");
    case LiveState::NoFace: return QStringLiteral("no-face");
    case LiveState::WarmingUp: return QStringLiteral("warming-up");
    case LiveState::LowQuality: return QStringLiteral("low-quality");
    case LiveState::Ok: return QStringLiteral("ok");
    }
    return QStringLiteral("idle");
}

// ---- worker-side state ---------------------------------------------------------------------------

// Everything the worker thread owns. Only the session log is shared (with sessionSnapshot()).
struct Engine
{
    LiveAnalyzer *owner = nullptr;
    LiveConfig cfg;
    uint64_t generation = 0;
    std::unique_ptr<PulseMethod> method;
    std::unique_ptr<FrameProcessor> processor;
    bool rgbMethod = true;
    QString methodName, deviceName, modelName;

    // A method analysed beside the main one (LiveConfig::compareMethods).
    struct Companion
    {
        QString name, device;
        std::unique_ptr<PulseMethod> method;
        bool rgb = true;
        std::deque<FrameRecord> lane;    // face-video methods: recent records with their output
        double lastOutputSec = kNaN;     // face-video methods: their newest output's time
        std::deque<LiveHrPoint> trend;
    };
    std::vector<Companion> companions;

    // Session log (the ring of records): the worker appends, sessionSnapshot() copies.
    std::mutex *logMutex = nullptr;
    std::deque<FrameRecord> *log = nullptr;
    bool *historyTruncated = nullptr;

    std::vector<FrameRecord> span;          // scratch: records re-analysed per update
    std::vector<FrameRecord> laneSpan;      // scratch: a face-video companion's records
    std::vector<PulseSample> samples;       // scratch: face-video method output
    std::deque<LiveHrPoint> trend;
    double sessionT0 = kNaN;
    double lastTimeSec = kNaN;
    double nextUpdateSec = kNaN;
    double runStartSec = kNaN;              // start of the current continuous usable stretch
    double lastUsableSec = kNaN;
    double lastOutputSec = kNaN;            // face-video main method: its newest output's time
    int64_t framesAnalysed = 0;
    int64_t faceFrames = 0;
    int64_t updates = 0;
    bool lastFace = false;
    bool pendingUnsent = false;             // an update was computed but held back by the rate limit

    QElapsedTimer frameEmitClock, updateEmitClock, fpsClock;
    int fpsFrames = 0;
    double processingFps = 0;

    bool ready() const { return processor != nullptr; }

    // Builds the methods and the per-frame stage. On failure the previous ones stay.
    bool configure(const LiveConfig &config, QString *error)
    {
        auto created = MethodRegistry::instance().create(config.analysis.method,
                                                         config.analysis.methodOptions);
        if (!created.ok()) {
            *error = created.error().message;
            return false;
        }
        std::unique_ptr<PulseMethod> m = std::move(created.value());
        std::vector<Companion> others;
        std::vector<PulseMethod *> all{m.get()};
        QStringList seen{config.analysis.method};
        for (const QString &raw : config.compareMethods) {
            const QString name = raw.trimmed();
            if (name.isEmpty() || seen.contains(name))
                continue;
            seen << name;
            auto made = MethodRegistry::instance().create(name, config.analysis.methodOptions);
            if (!made.ok()) {
                *error = QStringLiteral("compare with %1: %2").arg(name, made.error().message);
                return false;
            }
            Companion c;
            c.name = name;
            c.method = std::move(made.value());
            c.rgb = c.method->input() == MethodInput::RgbTrace;
            c.device = c.method->deviceName();
            all.push_back(c.method.get());
            others.push_back(std::move(c));
        }
        auto proc = std::make_unique<FrameProcessor>(config.analysis, all);
        if (Error e = proc->init(); e.isError()) {
            *error = e.message;
            return false;
        }
        processor.reset();   // it points at the old methods
        method = std::move(m);
        companions = std::move(others);
        processor = std::move(proc);
        cfg = config;
        rgbMethod = method->input() == MethodInput::RgbTrace;
        methodName = config.analysis.method;
        deviceName = method->deviceName();
        modelName = method->modelDescription();
        qCInfo(lcLive) << "method" << methodName << "on" << deviceName
                       << (modelName.isEmpty() ? QString() : modelName);
        for (const Companion &c : companions)
            qCInfo(lcLive) << "compared with" << c.name << "on" << c.device;
        return true;
    }

    void resetSession(uint64_t gen)
    {
        generation = gen;
        if (processor)
            processor->reset();
        {
            std::lock_guard<std::mutex> lock(*logMutex);
            log->clear();
            log->shrink_to_fit();
            *historyTruncated = false;
        }
        trend.clear();
        samples.clear();
        for (Companion &c : companions) {
            c.lane.clear();
            c.lastOutputSec = kNaN;
            c.trend.clear();
        }
        sessionT0 = lastTimeSec = nextUpdateSec = runStartSec = lastUsableSec = lastOutputSec = kNaN;
        framesAnalysed = faceFrames = updates = 0;
        lastFace = false;
        pendingUnsent = false;
        fpsFrames = 0;
        processingFps = 0;
        fpsClock.start();
        frameEmitClock.invalidate();
        updateEmitClock.invalidate();
    }

    double spanSec() const
    {
        return std::max({cfg.bufferSec, cfg.analysis.windowSec + 2.0, cfg.waveformSec});
    }

    // Attaches the main face-video method's output to the session log.
    void assignMethodSamples()
    {
        if (samples.empty())
            return;
        std::lock_guard<std::mutex> lock(*logMutex);
        attachSamples(*log, samples, lastOutputSec);
    }

    // Face-video companions: their own copy of the recent records, with their output.
    void feedCompanions(const FrameRecord &rec, bool finishing)
    {
        for (Companion &c : companions) {
            if (c.rgb)
                continue;
            if (!finishing) {
                c.lane.push_back(rec);
                while (!c.lane.empty() && rec.timeSec - c.lane.front().timeSec > spanSec())
                    c.lane.pop_front();
                c.method->drain(samples);
            } else {
                c.method->finish(samples);
            }
            attachSamples(c.lane, samples, c.lastOutputSec);
        }
    }

    void process(const VideoFrame &frame, uint64_t dropped)
    {
        if (!ready())
            return;
        const double t = frame.ptsUs / 1e6;
        // Timestamps must increase within a session (the signal is resampled by time); a source
        // that jumps back without restart() would fold the signal onto itself.
        if (std::isfinite(lastTimeSec) && t <= lastTimeSec)
            return;
        const bool wantFrame = !frameEmitClock.isValid()
                               || frameEmitClock.nsecsElapsed() >= cfg.frameEmitIntervalSec * 1e9;
        FrameOverlay overlay;
        const FrameRecord rec = processor->process(frame, wantFrame ? &overlay : nullptr);
        lastTimeSec = t;
        if (!std::isfinite(sessionT0)) {
            sessionT0 = t;
            nextUpdateSec = t + cfg.updateIntervalSec;
        }
        ++framesAnalysed;
        const bool face = rec.faceState != FaceState::NoFace && rec.skinValid;
        if (face)
            ++faceFrames;
        lastFace = face;
        if (face) {
            if (!std::isfinite(lastUsableSec) || t - lastUsableSec > cfg.analysis.maxGapSec)
                runStartSec = t;
            lastUsableSec = t;
        }
        {
            std::lock_guard<std::mutex> lock(*logMutex);
            log->push_back(rec);
            const double keepSec = std::max(cfg.sessionSec, spanSec());
            while (!log->empty() && t - log->front().timeSec > keepSec) {
                log->pop_front();
                *historyTruncated = true;
            }
        }
        if (!rgbMethod) {
            method->drain(samples);
            assignMethodSamples();
        }
        feedCompanions(rec, false);

        ++fpsFrames;
        const qint64 fpsNs = fpsClock.nsecsElapsed();
        if (fpsNs >= 500'000'000) {
            processingFps = fpsFrames / (fpsNs / 1e9);
            fpsFrames = 0;
            fpsClock.restart();
        }

        if (wantFrame) {
            frameEmitClock.start();
            auto lf = std::make_shared<LiveFrame>();
            lf->generation = generation;
            lf->frame = frame;
            lf->timeSec = t;
            lf->face = overlay.face;
            lf->skinBounds = overlay.skinBounds;
            lf->skinMask = overlay.skinMask;
            if (method)
                method->latestVisuals(lf->visuals);
            Q_EMIT owner->frameReady(std::move(lf));
        }

        if (t + 1e-9 >= nextUpdateSec) {
            const double hop = std::max(0.05, cfg.updateIntervalSec);
            nextUpdateSec = sessionT0 + (std::floor((t - sessionT0) / hop + 1e-6) + 1.0) * hop;
            computeUpdate(dropped, false);
        }
    }

    void finishStream(uint64_t dropped)
    {
        // Answered even without a working method, so a source waiting for the end never hangs.
        if (ready() && !rgbMethod) {
            method->finish(samples);
            assignMethodSamples();
        }
        if (ready())
            feedCompanions(FrameRecord{}, true);
        computeUpdate(dropped, true);
    }

    void computeUpdate(uint64_t dropped, bool endOfStream)
    {
        auto up = std::make_shared<LiveUpdate>();
        up->generation = generation;
        up->sequence = ++updates;
        up->timeSec = std::isfinite(lastTimeSec) ? lastTimeSec : 0.0;
        up->windowSec = cfg.analysis.windowSec;
        up->processingFps = processingFps;
        up->droppedFrames = dropped;
        up->framesAnalysed = framesAnalysed;
        up->faceFrames = faceFrames;
        up->method = methodName;
        up->device = deviceName;
        up->model = modelName;
        up->endOfStream = endOfStream;

        // The recent records (the worker is the only writer, so it reads its own log unlocked).
        const double now = std::isfinite(lastTimeSec) ? lastTimeSec : 0.0;
        // Where the estimate's window ends: now for an RGB-trace method, the newest output of a
        // face-video one (the session's start before it has any).
        const auto windowEnd = [&](bool rgb, double lastOutput) {
            if (rgb)
                return now;
            return std::isfinite(lastOutput) ? lastOutput : (std::isfinite(sessionT0) ? sessionT0 : now);
        };
        const double mainEnd = windowEnd(rgbMethod, lastOutputSec);
        up->outputLagSec = std::max(0.0, now - mainEnd);
        // Signal the estimate can use: up to the window's end, so a face-video method warms up
        // until its output (not the newest frame) covers a window.
        up->signalSec = lastFace && std::isfinite(runStartSec) ? std::max(0.0, std::min(now, mainEnd) - runStartSec) : 0.0;
        recentRecords(*log, now, spanSec(), rgbMethod ? kInf : mainEnd, span);
        AnalysisConfig ac = cfg.analysis;
        ac.hopSec = 1e6;   // only the current window is estimated; skip the sliding ones
        LiveHrPoint e;   // the main method's, also the trend's newest point
        e.timeSec = mainEnd;
        if (span.size() >= 2) {
            const SignalResult s = analyzeSignal(span, rgbMethod ? method.get() : nullptr, ac);
            e = latestEstimate(s, cfg.analysis, mainEnd);
            up->hrBpm = e.hrBpm;
            up->snrDb = e.snrDb;
            up->quality = e.quality;
            up->motionLocked = e.motionLocked;
            up->unsteady = e.unsteady;
            up->unconfirmed = e.unconfirmed;
            up->octaveFromBpm = e.octaveFromBpm;
            up->frozen = e.frozen;
            up->breathing = s.respiration;
            up->hrv = s.hrv;
            up->hrvQuality = s.hrvQuality;
            const int total = int(s.pulse.size());
            if (s.fsHz > 0 && total > 0) {
                const int waveSamples = std::max(1, int(std::lround(cfg.waveformSec * s.fsHz)));
                const int k0 = std::max(0, total - waveSamples);
                up->fsHz = s.fsHz;
                up->pulseT0Sec = s.timeAt(size_t(k0));
                up->pulse.assign(s.pulse.begin() + k0, s.pulse.end());
                for (double b : s.beatTimesSec)
                    if (b >= up->pulseT0Sec)
                        up->beatTimesSec.push_back(b);
            }
        }
        // RGB-trace companions read the records an RGB-trace main method read (taken once more only
        // when the main method's span was cut at its output); face-video ones their own lane.
        bool spanIsFull = rgbMethod;
        for (Companion &c : companions) {
            const double end = windowEnd(c.rgb, c.lastOutputSec);
            if (!c.rgb)
                recentRecords(c.lane, now, spanSec(), end, laneSpan);
            else if (!spanIsFull) {
                recentRecords(*log, now, spanSec(), kInf, span);
                spanIsFull = true;
            }
            const std::vector<FrameRecord> &records = c.rgb ? span : laneSpan;
            LiveHrPoint ce;
            ce.timeSec = end;
            if (records.size() >= 2)
                ce = latestEstimate(analyzeSignal(records, c.rgb ? c.method.get() : nullptr, ac), cfg.analysis, end);
            pushTrend(c.trend, ce, cfg.trendSec);
        }

        if (!lastFace && framesAnalysed > 0)
            up->state = LiveState::NoFace;
        else if (framesAnalysed == 0)
            up->state = LiveState::Idle;
        else if (up->quality == Quality::NoSignal && up->signalSec < cfg.analysis.windowSec)
            up->state = LiveState::WarmingUp;
        else if (up->quality != Quality::Good)
            up->state = LiveState::LowQuality;
        else
            up->state = LiveState::Ok;

        pushTrend(trend, e, cfg.trendSec);

        const bool due = endOfStream || !updateEmitClock.isValid()
                         || updateEmitClock.nsecsElapsed() >= cfg.updateEmitIntervalSec * 1e9;
        if (!due) {
            pendingUnsent = true;
            return;
        }
        pendingUnsent = false;
        updateEmitClock.start();
        up->trend.assign(trend.begin(), trend.end());
        for (const Companion &c : companions) {
            LiveMethodEstimate m;
            m.method = c.name;
            m.device = c.device;
            const LiveHrPoint &latest = c.trend.back();
            m.hrBpm = latest.hrBpm;
            m.snrDb = latest.snrDb;
            m.quality = latest.quality;
            m.trend.assign(c.trend.begin(), c.trend.end());
            up->compare.push_back(std::move(m));
        }
        Q_EMIT owner->updateReady(std::move(up));
    }
};

// ---- LiveAnalyzer ----------------------------------------------------------------------------

struct LiveAnalyzer::Impl
{
    LiveAnalyzer *q = nullptr;

    // Control state, shared by the API (any thread) and the worker.
    mutable std::mutex ctlMutex;
    std::shared_ptr<FrameQueue> queue;
    LiveConfig config;             // the configuration asked for last
    bool pendingConfig = false;    // rebuild the method and the tracker
    bool pendingRestart = false;   // new session with the current method
    bool stopRequested = false;
    bool working = false;          // the worker has a configuration that runs
    uint64_t generation = 0;
    uint64_t droppedBase = 0;      // drops counted by queues that were replaced
    QString sourceName;
    VideoInfo video;
    QThread *thread = nullptr;

    // The session log, shared with sessionSnapshot().
    mutable std::mutex logMutex;
    std::deque<FrameRecord> log;
    bool historyTruncated = false;
    QString activeMethod, activeDevice, activeModel;
    AnalysisConfig activeConfig;

    uint64_t droppedLocked() const { return droppedBase + (queue ? queue->dropped() : 0); }

    // Replaces the input queue; the old one is closed, which wakes the worker and releases a
    // producer blocked in push(). Caller holds ctlMutex.
    std::shared_ptr<FrameQueue> renewQueueLocked()
    {
        std::shared_ptr<FrameQueue> old = queue;
        if (old)
            droppedBase += old->dropped();
        queue = std::make_shared<FrameQueue>(size_t(std::max(1, config.queueCapacity)));
        ++generation;
        return old;
    }

    void run();
};

void LiveAnalyzer::Impl::run()
{
    lowerCurrentThreadPriority();   // the window that shows the results stays responsive
    Engine engine;
    engine.owner = q;
    engine.logMutex = &logMutex;
    engine.log = &log;
    engine.historyTruncated = &historyTruncated;
    for (;;) {
        std::shared_ptr<FrameQueue> input;
        LiveConfig wanted;
        bool rebuild = false, restart = false;
        uint64_t gen = 0;
        {
            std::lock_guard<std::mutex> lock(ctlMutex);
            if (stopRequested)
                break;
            input = queue;
            gen = generation;
            rebuild = pendingConfig;
            restart = pendingRestart;
            wanted = config;
            pendingConfig = pendingRestart = false;
        }
        if (rebuild) {
            QString error;
            const bool ok = engine.configure(wanted, &error);
            {
                std::lock_guard<std::mutex> lock(ctlMutex);
                working = engine.ready();
                // Keep reporting the configuration really in use (unless a newer one is pending).
                if (!ok && engine.ready() && !pendingConfig)
                    config = engine.cfg;
            }
            if (!ok) {
                qCWarning(lcLive) << "cannot set up" << wanted.analysis.method << ":" << error;
                Q_EMIT q->errorOccurred(error);
            }
        }
        if (rebuild || restart) {
            engine.resetSession(gen);
            std::lock_guard<std::mutex> lock(logMutex);
            activeMethod = engine.methodName;
            activeDevice = engine.deviceName;
            activeModel = engine.modelName;
            activeConfig = engine.cfg.analysis;
        }
        while (std::optional<VideoFrame> item = input->pop()) {
            uint64_t current, dropped;
            {
                std::lock_guard<std::mutex> lock(ctlMutex);
                current = generation;
                dropped = droppedLocked();
            }
            if (current != gen)
                break;   // restarted: the rest of this queue is stale
            if (isEndMarker(*item))
                engine.finishStream(dropped);
            else
                engine.process(*item, dropped);
        }
        // The queue was closed: a control change or stop() is pending.
    }
}

LiveAnalyzer::LiveAnalyzer(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Impl>())
{
    registerMetaTypes();
    d->q = this;
}

LiveAnalyzer::~LiveAnalyzer()
{
    stop();
}

uint64_t LiveAnalyzer::start(const LiveConfig &config)
{
    std::shared_ptr<FrameQueue> old;
    uint64_t gen = 0;
    {
        std::lock_guard<std::mutex> lock(d->ctlMutex);
        d->config = config;
        d->pendingConfig = true;
        d->stopRequested = false;
        old = d->renewQueueLocked();
        if (!d->thread) {
            d->thread = QThread::create([this] { d->run(); });
            d->thread->setObjectName(QStringLiteral("rppg-live"));
            d->thread->start();
        }
        gen = d->generation;
    }
    if (old)
        old->close();
    return gen;
}

uint64_t LiveAnalyzer::setConfig(const LiveConfig &config)
{
    return start(config);
}

uint64_t LiveAnalyzer::restart()
{
    std::shared_ptr<FrameQueue> old;
    uint64_t gen = 0;
    {
        std::lock_guard<std::mutex> lock(d->ctlMutex);
        if (!d->thread)
            return 0;
        d->pendingRestart = true;
        old = d->renewQueueLocked();
        gen = d->generation;
    }
    if (old)
        old->close();
    return gen;
}

uint64_t LiveAnalyzer::session() const
{
    std::lock_guard<std::mutex> lock(d->ctlMutex);
    return d->generation;
}

void LiveAnalyzer::stop()
{
    QThread *thread = nullptr;
    std::shared_ptr<FrameQueue> queue;
    {
        std::lock_guard<std::mutex> lock(d->ctlMutex);
        d->stopRequested = true;
        thread = d->thread;
        d->thread = nullptr;
        queue = d->queue;
    }
    if (queue)
        queue->close();
    if (thread) {
        thread->wait();
        delete thread;
    }
}

bool LiveAnalyzer::isRunning() const
{
    std::lock_guard<std::mutex> lock(d->ctlMutex);
    return d->thread != nullptr;
}

void LiveAnalyzer::setSource(const QString &name, const VideoInfo &video)
{
    std::lock_guard<std::mutex> lock(d->ctlMutex);
    d->sourceName = name;
    d->video = video;
}

bool LiveAnalyzer::submit(VideoFrame frame, InputPolicy policy, uint64_t session)
{
    std::shared_ptr<FrameQueue> queue;
    {
        std::lock_guard<std::mutex> lock(d->ctlMutex);
        if (!d->thread || d->stopRequested)
            return false;
        // The queue belongs to this generation: once restarted it is closed, so a frame taken
        // past this check can only land in the session it was meant for (or be refused).
        if (session != 0 && session != d->generation)
            return false;
        queue = d->queue;
    }
    return policy == InputPolicy::NewestWins ? queue->pushLatest(std::move(frame))
                                             : queue->push(std::move(frame));
}

bool LiveAnalyzer::endOfStream(InputPolicy policy, uint64_t session)
{
    VideoFrame marker;
    marker.index = kEndMarkerIndex;
    return submit(std::move(marker), policy, session);
}

uint64_t LiveAnalyzer::droppedFrames() const
{
    std::lock_guard<std::mutex> lock(d->ctlMutex);
    return d->droppedLocked();
}

LiveConfig LiveAnalyzer::config() const
{
    std::lock_guard<std::mutex> lock(d->ctlMutex);
    return d->config;
}

bool LiveAnalyzer::hasWorkingConfig() const
{
    std::lock_guard<std::mutex> lock(d->ctlMutex);
    return d->working;
}

LiveSession LiveAnalyzer::sessionSnapshot() const
{
    LiveSession s;
    {
        std::lock_guard<std::mutex> lock(d->ctlMutex);
        s.source = d->sourceName;
        s.video = d->video;
        s.droppedFrames = d->droppedLocked();
    }
    std::lock_guard<std::mutex> lock(d->logMutex);
    s.method = d->activeMethod;
    s.device = d->activeDevice;
    s.model = d->activeModel;
    s.config = d->activeConfig;
    s.frames.assign(d->log.begin(), d->log.end());
    s.historyTruncated = d->historyTruncated;
    return s;
}

Result<AnalysisResult> buildSessionResult(const LiveSession &session)
{
    if (session.frames.empty())
        return Error{ErrorCode::NoFrames, QStringLiteral("nothing has been analysed yet")};
    const MethodInfo *info = MethodRegistry::instance().find(session.method);
    if (!info)
        return Error{ErrorCode::Usage, QStringLiteral("unknown method '%1'").arg(session.method)};
    std::unique_ptr<PulseMethod> method;
    if (info->input == MethodInput::RgbTrace) {
        auto created = MethodRegistry::instance().create(session.method, session.config.methodOptions);
        if (!created.ok())
            return created.error();
        method = std::move(created.value());
    }
    QElapsedTimer clock;
    clock.start();
    AnalysisResult r;
    r.source = session.source;
    r.method = session.method;
    r.device = session.device;
    r.model = session.model;
    r.video = session.video;
    r.config = session.config;
    r.frames = session.frames;
    r.faceFrames = int(std::count_if(r.frames.begin(), r.frames.end(), [](const FrameRecord &f) {
        return f.faceState != FaceState::NoFace;
    }));
    r.signal = analyzeSignal(r.frames, method.get(), r.config);
    r.processingSec = clock.nsecsElapsed() / 1e9;
    if (session.historyTruncated)
        r.warnings << QStringLiteral("only the most recent %1 s of the session were kept")
                          .arg(r.frames.back().timeSec - r.frames.front().timeSec, 0, 'f', 0);
    if (session.droppedFrames > 0)
        r.warnings << QStringLiteral("%1 frames were dropped because analysis fell behind the source")
                          .arg(session.droppedFrames);
    r.warnings << signalWarnings(r.signal);
    return r;
}

} // namespace rppg
