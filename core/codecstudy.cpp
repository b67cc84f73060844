#include "codecstudy.h"

#include "boundedqueue.h"
#include "datasets.h"
#include "evaluation.h"
#include "offlineanalyzer.h"
#include "signalanalyzer.h"
#include "synth.h"
#include "videofilesource.h"

#include <opencv2/imgproc.hpp>

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

Q_LOGGING_CATEGORY(lcStudy, "rppg.core.study", QtWarningMsg)

namespace rppg {

namespace {

double psnrOfGrey(const cv::Mat &ga, const cv::Mat &gb)
{
    const double mse = cv::norm(ga, gb, cv::NORM_L2SQR) / double(ga.total());
    if (mse <= 1e-10)
        return 99.0;
    return 10.0 * std::log10(255.0 * 255.0 / mse);
}

// SSIM's automatic scale (Wang's reference implementation): average down by
// round(min(height, width) / 256), as float.
cv::Mat ssimScale(const cv::Mat &grey8)
{
    const int factor = std::max(1, int(std::lround(std::min(grey8.rows, grey8.cols) / 256.0)));
    cv::Mat out;
    if (factor > 1)
        cv::resize(grey8, out, cv::Size(grey8.cols / factor, grey8.rows / factor), 0, 0, cv::INTER_AREA);
    else
        out = grey8;
    out.convertTo(out, CV_32F);
    return out;
}

const cv::Size kSsimWindow(11, 11);
constexpr double kSsimSigma = 1.5;

// Local mean and variance of one image under the Gaussian window.
void ssimMoments(const cv::Mat &x, cv::Mat &mu, cv::Mat &sigma2)
{
    cv::GaussianBlur(x, mu, kSsimWindow, kSsimSigma);
    cv::GaussianBlur(x.mul(x), sigma2, kSsimWindow, kSsimSigma);
    sigma2 -= mu.mul(mu);
}

// SSIM of `b` against a reference whose moments are already known.
double ssimAgainst(const cv::Mat &a, const cv::Mat &muA, const cv::Mat &sigmaA2, const cv::Mat &b)
{
    const double c1 = (0.01 * 255) * (0.01 * 255), c2 = (0.03 * 255) * (0.03 * 255);
    cv::Mat muB, sigmaB2, sigmaAB;
    ssimMoments(b, muB, sigmaB2);
    cv::GaussianBlur(a.mul(b), sigmaAB, kSsimWindow, kSsimSigma);
    const cv::Mat muAB = muA.mul(muB);
    sigmaAB -= muAB;
    cv::Mat num = (2 * muAB + c1).mul(2 * sigmaAB + c2);
    cv::Mat den = (muA.mul(muA) + muB.mul(muB) + c1).mul(sigmaA2 + sigmaB2 + c2);
    cv::Mat map;
    cv::divide(num, den, map);
    return cv::mean(map)[0];
}

} // namespace

namespace {

QString containerFor(const QString &codec)
{
    if (codec == QLatin1String("mpeg4"))
        return QStringLiteral("avi");
    if (codec == QLatin1String("x264") || codec == QLatin1String("x265"))
        return QStringLiteral("mp4");
    return QStringLiteral("mkv");
}

QString fileStem(const CodecSetting &s)
{
    return s.bitrateBps > 0 ? QStringLiteral("%1_%2k").arg(s.codec).arg(s.bitrateBps / 1000)
                            : QStringLiteral("%1_crf%2").arg(s.codec).arg(s.crf);
}

// Thread-safe accumulation of per-stage seconds from the workers.
struct StageClock
{
    std::mutex mutex;
    double decode = 0, quality = 0, analysis = 0;
    void add(double d, double q, double a)
    {
        std::lock_guard<std::mutex> lock(mutex);
        decode += d;
        quality += q;
        analysis += a;
    }
};

// A video to analyse: an encoded variant, or the source itself.
struct VariantJob
{
    QString path;
    CodecSetting setting;
    EncodeStats encode;
    bool isSource = false;
};

// One video of an analysis group: its decoder, its analyser and the result being filled.
struct Lane
{
    VariantJob job;
    VideoFileSource video;     // unused for the source lane (the group's source decoder feeds it)
    std::unique_ptr<MethodsAnalyzer> analyzer;
    VariantResult out;
    bool ended = false;
};

// The source frame's luma, prepared once and compared with every variant of the group.
struct LumaReference
{
    cv::Mat grey;      // full resolution, 8 bit (PSNR)
    cv::Mat small;     // SSIM scale, float
    cv::Mat mu, sigma2;
};

// Analyses a group of videos (variants, and the source itself when its job is among them) in
// lock-step with one decode of the source: every source frame is decoded and prepared once for
// all the group's comparisons. The machine's throughput, not its thread count, limits this
// stage, so sharing work beats running videos side by side.
Result<std::vector<VariantResult>> analyseGroup(const std::vector<VariantJob> &jobs, const CodecStudyConfig &config,
                                                const cv::Rect &crop, int contactFrame, StageClock &clock,
                                                const std::atomic<bool> *cancel,
                                                const std::function<void(int64_t)> &onFrames)
{
    VideoFileSource source;
    if (Error e = source.open(config.sourcePath); e.isError())
        return e;
    std::vector<std::unique_ptr<Lane>> lanes;
    for (const VariantJob &job : jobs) {
        auto lane = std::make_unique<Lane>();
        lane->job = job;
        lane->out.setting = job.setting;
        lane->out.path = job.path;
        lane->out.encode = job.encode;
        if (!job.isSource) {
            if (Error e = lane->video.open(job.path); e.isError())
                return e;
        }
        lane->analyzer = std::make_unique<MethodsAnalyzer>(config.analysis, config.methods);
        if (Error e = lane->analyzer->init(); e.isError())
            return e;
        lanes.push_back(std::move(lane));
    }

    QElapsedTimer t;
    double tDecode = 0, tQuality = 0;
    VideoFrame sf, vf;
    int64_t index = 0;
    for (;;) {
        if (cancel && cancel->load())
            return Error{ErrorCode::Cancelled, QStringLiteral("codec study cancelled")};
        t.start();
        if (source.read(sf) != ReadStatus::Frame)
            break;
        VideoFrame src = sf;
        if (src.bgr.size() != crop.size())
            src.bgr = sf.bgr(crop);
        tDecode += t.nsecsElapsed() / 1e9;
        t.start();
        LumaReference ref;
        bool refReady = false;
        auto prepareRef = [&] {
            cv::cvtColor(src.bgr, ref.grey, cv::COLOR_BGR2GRAY);
            ref.small = ssimScale(ref.grey);
            ssimMoments(ref.small, ref.mu, ref.sigma2);
            refReady = true;
        };
        tQuality += t.nsecsElapsed() / 1e9;
        for (auto &lane : lanes) {
            if (lane->ended)
                continue;
            const VideoFrame *frame = &src;
            if (!lane->job.isSource) {
                t.start();
                if (lane->video.read(vf) != ReadStatus::Frame) {
                    lane->ended = true;
                    continue;
                }
                tDecode += t.nsecsElapsed() / 1e9;
                frame = &vf;
                t.start();
                if (vf.bgr.size() == src.bgr.size()) {
                    if (!refReady)
                        prepareRef();
                    cv::Mat grey;
                    cv::cvtColor(vf.bgr, grey, cv::COLOR_BGR2GRAY);
                    lane->out.psnrDb.push_back(psnrOfGrey(ref.grey, grey));
                    lane->out.ssim.push_back(ssimAgainst(ref.small, ref.mu, ref.sigma2, ssimScale(grey)));
                }
                tQuality += t.nsecsElapsed() / 1e9;
            }
            const FrameRecord rec = lane->analyzer->push(*frame);
            if (index == contactFrame) {
                lane->out.contactFrame = frame->bgr.clone();
                lane->out.contactFace = rec.faceBox;
            }
        }
        ++index;
        if (onFrames)
            onFrames(int64_t(lanes.size()));
    }

    std::vector<VariantResult> results;
    double tAnalysis = 0;
    for (auto &lane : lanes) {
        const VideoFileSource &dec = lane->job.isSource ? source : lane->video;
        VideoInfo info = dec.info();
        if (lane->job.isSource)
            info = source.info();
        auto multi = lane->analyzer->finish(info, dec.truncated(), dec.decodeErrorCount());
        if (!multi.ok())
            return multi.error();
        tAnalysis += multi->analysisSec;
        VariantResult &out = lane->out;
        out.frames = std::move(multi->frames);
        for (MethodSignal &m : multi->methods) {
            MethodOutcome o;
            o.method = m.method;
            o.signal = std::move(m.signal);
            out.methods.push_back(std::move(o));
        }
        auto meanOf = [](const std::vector<double> &v) {
            double sum = 0;
            int n = 0;
            for (double x : v)
                if (std::isfinite(x)) {
                    sum += x;
                    ++n;
                }
            return n ? sum / n : kNaN;
        };
        out.meanPsnrDb = meanOf(out.psnrDb);
        out.meanSsim = meanOf(out.ssim);
        results.push_back(std::move(out));
    }
    clock.add(tDecode, tQuality, tAnalysis);
    return results;
}

// Scores every outcome of `v` against the reference (ground truth / CSV, or the source's own
// estimate with the same method).
void score(VariantResult &v, const CodecStudyResult &study, const AnalysisConfig &ac)
{
    for (MethodOutcome &o : v.methods) {
        const MethodOutcome *src = study.original.outcome(o.method);
        const bool fromSource = study.referenceKind == ReferenceKind::SourceEstimate;
        o.referenceHrBpm = fromSource ? (src ? src->signal.hrBpm : kNaN)
                                      : study.reference.recordingHr(ac.windowSec, ac.bandLowHz, ac.bandHighHz);
        o.hrErrorBpm = o.signal.hrBpm - o.referenceHrBpm;
        std::vector<double> refs(o.signal.windows.size(), kNaN);
        if (!fromSource)
            refs = referencePerWindow(study.reference, o.signal.windows, ac.bandLowHz, ac.bandHighHz);
        else if (src)
            for (size_t k = 0; k < refs.size() && k < src->signal.windows.size(); ++k)
                refs[k] = src->signal.windows[k].hrBpm;
        o.windowMaeBpm = windowMaeBpm(o.signal.windows, refs);
        o.windowCoverage = windowCoverage(o.signal.windows);
    }
}

} // namespace

QString CodecSetting::label() const
{
    if (codec.isEmpty())
        return QStringLiteral("source");
    return bitrateBps > 0 ? QStringLiteral("%1 %2k").arg(codec).arg(bitrateBps / 1000)
                          : QStringLiteral("%1 crf %2").arg(codec).arg(crf);
}

std::vector<CodecSetting> defaultCodecSettings()
{
    std::vector<CodecSetting> s;
    for (const char *codec : {"x264", "x265", "mpeg4"})
        for (int64_t kbps : {250, 500, 1000})
            s.push_back({QString::fromLatin1(codec), kbps * 1000, -1});
    return s;
}

QString referenceKindName(ReferenceKind kind)
{
    switch (kind) {
    case ReferenceKind::GroundTruth: return QStringLiteral("ground truth");
    case ReferenceKind::Csv: return QStringLiteral("reference CSV");
    case ReferenceKind::SourceEstimate: return QStringLiteral("source estimate");
    }
    return {};
}

const MethodOutcome *VariantResult::outcome(const QString &method) const
{
    for (const MethodOutcome &o : methods)
        if (o.method == method)
            return &o;
    return nullptr;
}

LumaQuality lumaQuality(const cv::Mat &a, const cv::Mat &b)
{
    cv::Mat ga, gb;
    cv::cvtColor(a, ga, cv::COLOR_BGR2GRAY);
    cv::cvtColor(b, gb, cv::COLOR_BGR2GRAY);
    const cv::Mat sa = ssimScale(ga);
    cv::Mat mu, sigma2;
    ssimMoments(sa, mu, sigma2);
    return {psnrOfGrey(ga, gb), ssimAgainst(sa, mu, sigma2, ssimScale(gb))};
}

double lumaPsnrDb(const cv::Mat &a, const cv::Mat &b)
{
    return lumaQuality(a, b).psnrDb;
}

double lumaSsim(const cv::Mat &a, const cv::Mat &b)
{
    return lumaQuality(a, b).ssim;
}

WindowCounts MethodOutcome::counts() const
{
    return windowCounts(signal);
}

Result<CodecStudyResult> runCodecStudy(const CodecStudyConfig &configIn, const StudyProgressFn &progress,
                                       const std::atomic<bool> *cancel)
{
    QElapsedTimer total;
    total.start();
    CodecStudyConfig config = configIn;
    CodecStudyResult study;
    study.analysis = config.analysis;
    auto report = [&progress](const QString &stage, double f) {
        if (progress)
            progress(stage, std::clamp(f, 0.0, 1.0));
    };
    auto cancelled = [cancel] { return cancel && cancel->load(); };

    // Methods.
    if (config.methods.isEmpty())
        config.methods = MethodRegistry::instance().names();
    for (QString &m : config.methods) {
        m = m.trimmed().toLower();
        if (!MethodRegistry::instance().find(m))
            return Error{ErrorCode::Usage, QStringLiteral("unknown method '%1' (available: %2)")
                                               .arg(m, MethodRegistry::instance().names().join(QStringLiteral(", ")))};
    }
    study.methods = config.methods;

    // Codec settings: drop what this FFmpeg build cannot encode, but say so.
    std::vector<CodecSetting> settings;
    for (const CodecSetting &s : config.settings) {
        if (s.bitrateBps <= 0 && s.crf < 0)
            return Error{ErrorCode::Usage, QStringLiteral("%1: give a bit rate or a CRF").arg(s.codec)};
        if (!VideoEncoder::isCodecAvailable(s.codec)) {
            study.warnings << QStringLiteral("codec '%1' is not available in this FFmpeg build; its variants are skipped")
                                  .arg(s.codec);
            continue;
        }
        settings.push_back(s);
    }
    study.warnings.removeDuplicates();
    if (settings.empty())
        return Error{ErrorCode::Unsupported, QStringLiteral("none of the requested codecs can be encoded by this FFmpeg build")};

    // Source.
    VideoFileSource source;
    if (Error e = source.open(config.sourcePath); e.isError())
        return e;
    study.source = source.info();
    const int w = study.source.width & ~1, h = study.source.height & ~1;
    if (w < 16 || h < 16)
        return Error{ErrorCode::Unsupported,
                     QStringLiteral("the source is %1×%2 pixels; the encoders need at least 16×16")
                         .arg(study.source.width).arg(study.source.height)};
    study.sourceCrop = cv::Rect(0, 0, w, h);
    if (w != study.source.width || h != study.source.height)
        study.warnings << QStringLiteral("the source is %1×%2; the variants use %3×%4 (4:2:0 encoders need even sizes)")
                              .arg(study.source.width).arg(study.source.height).arg(w).arg(h);

    // Reference.
    if (!config.referencePath.isEmpty()) {
        auto ref = loadVideoReference(config.referencePath, config.sourcePath);
        if (!ref.ok())
            return ref.error();
        study.reference = ref.value();
        study.referenceKind = ReferenceKind::Csv;
        study.referencePath = config.referencePath;
    } else if (const QString found = findVideoReference(config.sourcePath); !found.isEmpty()) {
        // The synthetic ground truth, or a UBFC-rPPG subject's file beside its video.
        auto ref = loadVideoReference(found, config.sourcePath);
        if (ref.ok()) {
            study.reference = ref.value();
            study.referenceKind = ReferenceKind::GroundTruth;
            study.referencePath = found;
        } else {
            study.warnings << QStringLiteral("ground truth next to the source is unusable (%1); the source's own "
                                             "estimate is the reference").arg(ref.error().message);
        }
    }

    // Working folder.
    std::unique_ptr<QTemporaryDir> tmp;
    QString workDir = config.workDir;
    if (workDir.isEmpty()) {
        tmp = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/rppg-codecs-XXXXXX"));
        if (!tmp->isValid())
            return Error{ErrorCode::WriteFailed, QStringLiteral("cannot create a temporary folder in %1").arg(QDir::tempPath())};
        workDir = tmp->path();
    } else if (!QDir().mkpath(workDir)) {
        return Error{ErrorCode::WriteFailed, QStringLiteral("cannot create the working folder '%1'").arg(workDir)};
    }
    std::vector<VariantJob> jobs;
    for (const CodecSetting &s : settings)
        jobs.push_back({QDir(workDir).filePath(fileStem(s) + QLatin1Char('.') + containerFor(s.codec)), s, {}, false});
    auto removeVariants = [&jobs, &config] {
        if (config.keepVariants && !config.workDir.isEmpty())
            return;
        for (const VariantJob &j : jobs)
            QFile::remove(j.path);
    };

    // 1. Encoding: the source is decoded once and every frame fans out to one thread per
    //    encoder through small queues (bounded memory; the encoders use both cores).
    const double fps = study.source.nominalFps > 0 ? study.source.nominalFps : 30.0;
    std::vector<std::unique_ptr<VideoEncoder>> encoders;
    for (const VariantJob &j : jobs) {
        EncoderSettings es;
        es.codec = j.setting.codec;
        es.bitrateBps = j.setting.bitrateBps;
        es.crf = j.setting.bitrateBps > 0 ? -1 : j.setting.crf;
        es.fps = fps;
        es.width = w;
        es.height = h;
        es.threads = 1;
        if (es.codec == QLatin1String("x264"))
            es.preset = config.x264Preset;
        else if (es.codec == QLatin1String("x265"))
            es.preset = config.x265Preset;
        auto enc = std::make_unique<VideoEncoder>();
        if (Error e = enc->open(j.path, es); e.isError()) {
            for (auto &opened : encoders)
                opened->abort();
            removeVariants();
            return e;
        }
        encoders.push_back(std::move(enc));
    }
    const int64_t expected = std::max<int64_t>(1, study.source.frameCountEstimate);
    {
        std::vector<std::unique_ptr<BoundedQueue<VideoFrame>>> queues;
        std::vector<Error> errors(encoders.size());
        std::vector<std::thread> threads;
        // All queues exist before the first thread starts: the threads index `queues`, so it
        // must not grow (and reallocate) under them (found by ThreadSanitizer).
        for (size_t i = 0; i < encoders.size(); ++i)
            queues.push_back(std::make_unique<BoundedQueue<VideoFrame>>(6));
        for (size_t i = 0; i < encoders.size(); ++i) {
            threads.emplace_back([&, i] {
                while (auto f = queues[i]->pop()) {
                    if (errors[i].isError())
                        continue;   // keep draining so the producer never blocks on us
                    errors[i] = encoders[i]->write(f->bgr, f->ptsUs);
                }
                if (!errors[i].isError())
                    errors[i] = encoders[i]->finish();
            });
        }
        VideoFrame frame;
        int64_t n = 0;
        bool stop = false;
        while (!stop && source.read(frame) == ReadStatus::Frame) {
            if (cancelled()) {
                stop = true;
                break;
            }
            VideoFrame f = frame;
            if (f.bgr.size() != cv::Size(w, h))
                f.bgr = frame.bgr(study.sourceCrop).clone();
            for (auto &q : queues)
                q->push(f);
            frame = VideoFrame();
            report(QStringLiteral("encoding"), double(++n) / expected);
        }
        for (auto &q : queues)
            q->close();
        for (auto &t : threads)
            t.join();
        if (stop || cancelled()) {
            for (auto &e : encoders)
                e->abort();
            removeVariants();
            return Error{ErrorCode::Cancelled, QStringLiteral("codec study cancelled")};
        }
        if (n == 0) {
            removeVariants();
            return Error{source.decodeErrorCount() > 0 ? ErrorCode::CorruptVideo : ErrorCode::NoFrames,
                         QStringLiteral("no frame of '%1' could be decoded").arg(QFileInfo(config.sourcePath).fileName())};
        }
        if (source.truncated())
            study.warnings << QStringLiteral("the source ends early (truncated); the study covers the %1 frames that decode").arg(n);
        for (size_t i = 0; i < errors.size(); ++i) {
            if (errors[i].isError()) {
                for (auto &e : encoders)
                    e->abort();
                removeVariants();
                return errors[i];
            }
            jobs[i].encode = encoders[i]->stats();
        }
        study.contactFrame = config.contactFrame >= 0 ? int(std::min<int64_t>(config.contactFrame, n - 1)) : int(n / 2);
    }
    study.encodeSec = total.elapsed() / 1000.0;

    // 2. Decode and analyse the source and every variant. Videos are split into groups, one per
    //    worker; each group decodes the source once and analyses its videos in lock-step.
    std::vector<VariantJob> all = jobs;
    all.insert(all.begin(), VariantJob{config.sourcePath, CodecSetting{}, {}, true});
    const int workers = std::max(1, std::min<int>(config.workers > 0 ? config.workers : QThread::idealThreadCount(),
                                                  int(all.size())));
    std::vector<std::vector<VariantJob>> groups(workers);
    for (size_t i = 0; i < all.size(); ++i)
        groups[i % workers].push_back(all[i]);
    std::vector<std::optional<Result<std::vector<VariantResult>>>> groupResults(workers);
    StageClock clock;
    std::atomic<int64_t> framesDone{0};
    const int64_t totalFrames = int64_t(all.size()) * std::max<int64_t>(1, expected);
    std::mutex progressMutex;
    std::vector<std::thread> pool;
    for (int g = 0; g < workers; ++g) {
        pool.emplace_back([&, g] {
            groupResults[g] = analyseGroup(groups[g], config, study.sourceCrop, study.contactFrame, clock, cancel,
                                           [&](int64_t n) {
                                               const int64_t done = framesDone += n;
                                               std::lock_guard<std::mutex> lock(progressMutex);
                                               report(QStringLiteral("analysing"), double(done) / totalFrames);
                                           });
        });
    }
    for (auto &t : pool)
        t.join();
    if (cancelled()) {
        removeVariants();
        return Error{ErrorCode::Cancelled, QStringLiteral("codec study cancelled")};
    }
    std::vector<std::optional<VariantResult>> byJob(all.size());
    for (int g = 0; g < workers; ++g) {
        if (!groupResults[g]->ok()) {
            removeVariants();
            return groupResults[g]->error();
        }
        auto &vs = groupResults[g]->value();
        for (size_t k = 0; k < vs.size(); ++k)
            byJob[size_t(g) + k * size_t(workers)] = std::move(vs[k]);
    }
    study.original = std::move(*byJob[0]);
    for (size_t i = 1; i < byJob.size(); ++i)
        study.variants.push_back(std::move(*byJob[i]));
    const int faceFrames = int(std::count_if(study.original.frames.begin(), study.original.frames.end(),
                                             [](const FrameRecord &f) { return f.faceState != FaceState::NoFace; }));
    if (config.analysis.roi.mode == RoiMode::Face && faceFrames == 0) {
        removeVariants();
        return Error{ErrorCode::NoFace, QStringLiteral("no face found in '%1' (for cropped skin videos use the whole frame)")
                                            .arg(QFileInfo(config.sourcePath).fileName())};
    }

    // 3. Scores.
    score(study.original, study, config.analysis);
    for (VariantResult &v : study.variants)
        score(v, study, config.analysis);
    study.decodeSec = clock.decode;
    study.qualitySec = clock.quality;
    study.analysisSec = clock.analysis;
    removeVariants();
    if (!config.keepVariants || config.workDir.isEmpty())
        for (VariantResult &v : study.variants)
            v.path.clear();
    study.totalSec = total.elapsed() / 1000.0;
    report(QStringLiteral("done"), 1.0);
    return study;
}

} // namespace rppg
