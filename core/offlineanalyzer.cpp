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

} // namespace

Result<AnalysisResult> analyzeSource(FrameSource &source, const AnalysisConfig &config,
                                     const ProgressFn &progress, const std::atomic<bool> *cancel)
{
    QElapsedTimer timer;
    timer.start();
    AnalysisResult result;
    result.config = config;
    result.video = source.info();
    result.source = source.info().path;

    auto created = MethodRegistry::instance().create(config.method, config.methodOptions);
    if (!created.ok())
        return created.error();
    std::unique_ptr<PulseMethod> method = std::move(created.value());
    result.method = method->name();
    result.device = method->deviceName();
    result.model = method->modelDescription();

    FrameProcessor processor(config, method.get());
    if (Error e = processor.init(); e.isError())
        return e;

    // Decoding runs ahead on its own thread by at most a few frames (bounded memory).
    BoundedQueue<VideoFrame> queue(8);
    Error decodeError;
    std::thread decoder([&] {
        VideoFrame frame;
        for (;;) {
            if (cancel && cancel->load())
                break;
            const ReadStatus st = source.read(frame);
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
    std::vector<PulseSample> samples;
    size_t cursor = 0;
    bool cancelled = false;
    while (auto frame = queue.pop()) {
        if (cancel && cancel->load()) {
            cancelled = true;
            break;
        }
        FrameRecord rec = processor.process(*frame);
        if (rec.faceState != FaceState::NoFace && config.roi.mode == RoiMode::Face)
            ++result.faceFrames;
        result.frames.push_back(rec);
        if (method->input() == MethodInput::FaceVideo) {
            method->drain(samples);
            assignMethodSamples(result.frames, samples, cursor);
        }
        if (progress)
            progress(int64_t(result.frames.size()), std::max<int64_t>(expected, int64_t(result.frames.size())));
    }
    queue.close();
    decoder.join();
    if (cancelled || (cancel && cancel->load()))
        return Error{ErrorCode::Cancelled, QStringLiteral("analysis cancelled")};
    if (method->input() == MethodInput::FaceVideo) {
        method->finish(samples);
        assignMethodSamples(result.frames, samples, cursor);
    }

    if (auto *file = dynamic_cast<VideoFileSource *>(&source)) {
        result.truncated = file->truncated();
        result.decodeErrors = file->decodeErrorCount();
    }
    const QString name = QFileInfo(result.source).fileName();
    if (result.frames.empty()) {
        if (decodeError.isError())
            return decodeError;
        if (result.decodeErrors > 0)
            return Error{ErrorCode::CorruptVideo,
                         QStringLiteral("'%1': no frame could be decoded (corrupt video)").arg(name)};
        return Error{ErrorCode::NoFrames, QStringLiteral("'%1' contains no video frames").arg(name)};
    }
    if (result.truncated || decodeError.isError())
        result.warnings << QStringLiteral("the video ends early (truncated or corrupt after %1 frames); "
                                          "results cover the part that decodes")
                               .arg(result.frames.size());
    if (config.roi.mode != RoiMode::Face)
        result.faceFrames = int(std::count_if(result.frames.begin(), result.frames.end(),
                                              [](const FrameRecord &r) { return r.skinValid; }));
    if (config.roi.mode == RoiMode::Face && result.faceFrames == 0)
        return Error{ErrorCode::NoFace,
                     QStringLiteral("no face found in any of the %1 frames of '%2' (for cropped skin "
                                    "videos use --roi full)")
                         .arg(result.frames.size())
                         .arg(name)};

    result.signal = analyzeSignal(result.frames, method.get(), config);
    if (!result.signal.hasHr())
        result.warnings << QStringLiteral("less usable signal than needed for a heart rate (%1 s of face)")
                               .arg(result.faceFrames / std::max(1.0, result.signal.fsHz), 0, 'f', 1);
    result.processingSec = timer.elapsed() / 1000.0;
    return result;
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
