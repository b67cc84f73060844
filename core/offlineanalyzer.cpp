#include "offlineanalyzer.h"

#include "boundedqueue.h"
#include "frameprocessor.h"
#include "signalanalyzer.h"
#include "videofilesource.h"

#include <QElapsedTimer>
#include <QFileInfo>

#include <algorithm>
#include <thread>

namespace rppg {

namespace {

// Attaches the per-frame outputs of a FaceVideo method to their records (matched by pts; the
// method may lag by a clip, so samples arrive after their frames).
void assignMethodSamples(std::vector<FrameRecord> &records, std::vector<PulseSample> &samples,
                         size_t &cursor)
{
    for (const PulseSample &s : samples) {
        const double t = s.ptsUs / 1e6;
        while (cursor < records.size() && records[cursor].timeSec < t - 1e-7)
            ++cursor;
        if (cursor < records.size() && std::abs(records[cursor].timeSec - t) < 1e-6)
            records[cursor].methodPulse = s.value;
    }
    samples.clear();
}

// The per-frame records of one face-video method (the shared records plus its own output).
struct VideoMethodLane
{
    size_t methodIndex = 0;
    std::vector<FrameRecord> records;
    size_t cursor = 0;
};

} // namespace

const MethodSignal *MultiAnalysis::find(const QString &method) const
{
    for (const MethodSignal &m : methods)
        if (m.method == method)
            return &m;
    return nullptr;
}

struct MethodsAnalyzer::Impl
{
    AnalysisConfig config;
    QStringList names;
    std::vector<std::unique_ptr<PulseMethod>> methods;
    std::vector<VideoMethodLane> lanes;
    std::unique_ptr<FrameProcessor> processor;
    std::vector<PulseSample> samples;
    MultiAnalysis result;
    QElapsedTimer wall;
};

MethodsAnalyzer::MethodsAnalyzer(const AnalysisConfig &config, const QStringList &methods)
    : d(std::make_unique<Impl>())
{
    d->config = config;
    d->names = methods;
    d->wall.start();
}

MethodsAnalyzer::~MethodsAnalyzer() = default;

Error MethodsAnalyzer::init()
{
    for (const QString &name : d->names) {
        auto created = MethodRegistry::instance().create(name, d->config.methodOptions);
        if (!created.ok())
            return created.error();
        d->methods.push_back(std::move(created.value()));
    }
    if (d->methods.empty())
        return Error{ErrorCode::Usage, QStringLiteral("no method to run")};
    std::vector<PulseMethod *> raw;
    for (size_t i = 0; i < d->methods.size(); ++i) {
        raw.push_back(d->methods[i].get());
        if (d->methods[i]->input() == MethodInput::FaceVideo)
            d->lanes.push_back(VideoMethodLane{i, {}, 0});
    }
    d->processor = std::make_unique<FrameProcessor>(d->config, raw);
    return d->processor->init();
}

FrameRecord MethodsAnalyzer::push(const VideoFrame &frame)
{
    QElapsedTimer busy;
    busy.start();
    const FrameRecord rec = d->processor->process(frame);
    if (rec.faceState != FaceState::NoFace)
        ++d->result.faceFrames;
    d->result.frames.push_back(rec);
    for (VideoMethodLane &lane : d->lanes) {
        lane.records.push_back(rec);
        d->methods[lane.methodIndex]->drain(d->samples);
        assignMethodSamples(lane.records, d->samples, lane.cursor);
    }
    d->result.analysisSec += busy.nsecsElapsed() / 1e9;
    return rec;
}

Result<MultiAnalysis> MethodsAnalyzer::finish(const VideoInfo &video, bool truncated, int decodeErrors,
                                              const Error &decodeError)
{
    QElapsedTimer signalClock;
    signalClock.start();
    MultiAnalysis &result = d->result;
    result.video = video;
    result.truncated = truncated;
    result.decodeErrors = decodeErrors;
    const QString name = QFileInfo(video.path).fileName();
    if (result.frames.empty()) {
        if (decodeError.isError())
            return decodeError;
        if (decodeErrors > 0)
            return Error{ErrorCode::CorruptVideo,
                         QStringLiteral("'%1': no frame could be decoded (corrupt video)").arg(name)};
        return Error{ErrorCode::NoFrames, QStringLiteral("'%1' contains no video frames").arg(name)};
    }
    if (truncated || decodeError.isError())
        result.warnings << QStringLiteral("the video ends early (truncated or corrupt after %1 frames); "
                                          "results cover the part that decodes")
                               .arg(result.frames.size());
    if (d->config.roi.mode != RoiMode::Face)
        result.faceFrames = int(std::count_if(result.frames.begin(), result.frames.end(),
                                              [](const FrameRecord &r) { return r.skinValid; }));
    if (d->config.roi.mode == RoiMode::Face && result.faceFrames == 0)
        return Error{ErrorCode::NoFace,
                     QStringLiteral("no face found in any of the %1 frames of '%2' (for cropped skin "
                                    "videos use --roi full)")
                         .arg(result.frames.size())
                         .arg(name)};
    for (size_t i = 0; i < d->methods.size(); ++i) {
        PulseMethod *method = d->methods[i].get();
        MethodSignal ms;
        ms.method = method->name();
        ms.device = method->deviceName();
        ms.model = method->modelDescription();
        const auto lane = std::find_if(d->lanes.begin(), d->lanes.end(),
                                       [i](const VideoMethodLane &l) { return l.methodIndex == i; });
        if (lane != d->lanes.end()) {
            method->finish(d->samples);
            assignMethodSamples(lane->records, d->samples, lane->cursor);
            ms.signal = analyzeSignal(lane->records, method, d->config);
        } else {
            ms.signal = analyzeSignal(result.frames, method, d->config);
        }
        for (const QString &note : signalWarnings(ms.signal))
            result.warnings << QStringLiteral("%1: %2").arg(ms.method, note);
        result.methods.push_back(std::move(ms));
    }
    result.analysisSec += signalClock.nsecsElapsed() / 1e9;
    result.processingSec = d->wall.elapsed() / 1000.0;
    return std::move(result);
}

Result<MultiAnalysis> analyzeSourceMethods(FrameSource &source, const AnalysisConfig &config,
                                           const QStringList &methodNames, const ProgressFn &progress,
                                           const std::atomic<bool> *cancel, const MultiOptions &options)
{
    MethodsAnalyzer analyzer(config, methodNames);
    if (Error e = analyzer.init(); e.isError())
        return e;

    // Decoding runs ahead on its own thread by at most a few frames (bounded memory).
    BoundedQueue<VideoFrame> queue(8);
    Error decodeError;
    double decodeSec = 0;
    std::thread decoder([&] {
        VideoFrame frame;
        QElapsedTimer clock;
        for (;;) {
            if (cancel && cancel->load())
                break;
            clock.start();
            const ReadStatus st = source.read(frame);
            decodeSec += clock.nsecsElapsed() / 1e9;
            if (st == ReadStatus::Frame) {
                if (!queue.push(frame))
                    break;
                frame = VideoFrame();   // the queue holds the only reference now
                continue;
            }
            if (st == ReadStatus::Error)
                decodeError = source.lastError();
            break;
        }
        queue.close();
    });

    const int64_t expected = source.info().frameCountEstimate;
    int64_t done = 0;
    bool cancelled = false;
    while (auto frame = queue.pop()) {
        if (cancel && cancel->load()) {
            cancelled = true;
            break;
        }
        if (options.prepare)
            options.prepare(*frame);
        const FrameRecord rec = analyzer.push(*frame);
        if (options.inspect)
            options.inspect(*frame, rec);
        ++done;
        if (progress)
            progress(done, std::max<int64_t>(expected, done));
    }
    queue.close();
    decoder.join();
    if (cancelled || (cancel && cancel->load()))
        return Error{ErrorCode::Cancelled, QStringLiteral("analysis cancelled")};
    bool truncated = false;
    int decodeErrors = 0;
    if (auto *file = dynamic_cast<VideoFileSource *>(&source)) {
        truncated = file->truncated();
        decodeErrors = file->decodeErrorCount();
    }
    auto result = analyzer.finish(source.info(), truncated, decodeErrors, decodeError);
    if (result.ok())
        result->decodeSec = decodeSec;
    return result;
}

Result<MultiAnalysis> analyzeFileMethods(const QString &path, const AnalysisConfig &config,
                                         const QStringList &methods, const ProgressFn &progress,
                                         const std::atomic<bool> *cancel, const MultiOptions &options)
{
    VideoFileSource source;
    if (Error e = source.open(path); e.isError())
        return e;
    return analyzeSourceMethods(source, config, methods, progress, cancel, options);
}

AnalysisResult takeFirstMethod(MultiAnalysis &m, const AnalysisConfig &config)
{
    AnalysisResult r;
    r.source = m.video.path;
    r.video = m.video;
    r.config = config;
    if (!m.methods.empty()) {
        r.method = m.methods.front().method;
        r.device = m.methods.front().device;
        r.model = m.methods.front().model;
        r.signal = std::move(m.methods.front().signal);
    }
    r.frames = std::move(m.frames);
    r.faceFrames = m.faceFrames;
    r.truncated = m.truncated;
    r.decodeErrors = m.decodeErrors;
    r.processingSec = m.processingSec;
    r.warnings = m.warnings;
    return r;
}

Result<AnalysisResult> analyzeSource(FrameSource &source, const AnalysisConfig &config,
                                     const ProgressFn &progress, const std::atomic<bool> *cancel)
{
    auto multi = analyzeSourceMethods(source, config, {config.method}, progress, cancel);
    if (!multi.ok())
        return multi.error();
    return takeFirstMethod(multi.value(), config);
}

Result<AnalysisResult> analyzeFile(const QString &path, const AnalysisConfig &config,
                                   const ProgressFn &progress, const std::atomic<bool> *cancel)
{
    VideoFileSource source;
    if (Error e = source.open(path); e.isError())
        return e;
    return analyzeSource(source, config, progress, cancel);
}

} // namespace rppg
