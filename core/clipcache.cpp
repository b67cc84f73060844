#include "clipcache.h"

#include "dsp.h"
#include "facetracker.h"
#include "frameprocessor.h"   // faceCropRect
#include "skinroi.h"
#include "videofilesource.h"

#include "rppg_version.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QTextStream>
#include <QtEndian>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace rppg {

namespace {

constexpr double kBandLowHz = 0.5;
constexpr double kBandHighHz = 5.0;
constexpr double kHrLowHz = 0.7;    // 42 bpm
constexpr double kHrHighHz = 4.0;   // 240 bpm
constexpr double kHrWindowSec = 8.0;

QString csvSafe(QString s)
{
    s.replace(QLatin1Char(','), QLatin1Char('_'));
    s.replace(QLatin1Char('\n'), QLatin1Char('_'));
    s.replace(QLatin1Char('\r'), QLatin1Char('_'));
    return s;
}

bool removeTree(const QString &dir)
{
    return !QFileInfo::exists(dir) || QDir(dir).removeRecursively();
}

Error cannotWrite(const QString &path, const QString &why)
{
    return makeError(ErrorCode::WriteFailed, QStringLiteral("cannot write '%1': %2").arg(path, why));
}

// A binary output file that can be cut back to an earlier length (a run of frames too short for a
// clip is written, then taken back).
class BinWriter
{
public:
    Error open(const QString &path)
    {
        m_file.setFileName(path);
        if (!m_file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return cannotWrite(path, m_file.errorString());
        return {};
    }
    bool write(const void *data, qint64 bytes)
    {
        return m_file.write(static_cast<const char *>(data), bytes) == bytes;
    }
    qint64 size() const { return m_pos; }
    void advance(qint64 bytes) { m_pos += bytes; }
    bool truncate(qint64 bytes)
    {
        m_pos = bytes;
        return m_file.flush() && m_file.resize(bytes) && m_file.seek(bytes);
    }
    bool close()
    {
        const bool ok = m_file.flush();
        m_file.close();
        return ok && m_file.error() == QFileDevice::NoError;
    }
    // Appends the whole of another file.
    bool append(const QString &path)
    {
        QFile in(path);
        if (!in.open(QIODevice::ReadOnly))
            return false;
        for (;;) {
            const QByteArray chunk = in.read(qint64(1) << 20);
            if (chunk.isEmpty())
                break;
            if (!write(chunk.constData(), chunk.size()))
                return false;
            advance(chunk.size());
        }
        return in.error() == QFileDevice::NoError;
    }
    QString errorString() const { return m_file.errorString(); }

private:
    QFile m_file;
    qint64 m_pos = 0;
};

// The binary files of a cache, or of one recording's part of it: frames per level, masks, pulse.
struct CacheFiles
{
    std::vector<BinWriter> levels;
    BinWriter masks, ppg;

    Error open(const QString &dir, int levelCount)
    {
        levels = std::vector<BinWriter>(size_t(levelCount));
        for (int k = 0; k < levelCount; ++k)
            if (Error e = levels[size_t(k)].open(QDir(dir).filePath(QStringLiteral("frames_l%1.bin").arg(k))); e.isError())
                return e;
        if (Error e = masks.open(QDir(dir).filePath(QStringLiteral("masks.bin"))); e.isError())
            return e;
        return ppg.open(QDir(dir).filePath(QStringLiteral("ppg.bin")));
    }
    // Flushes and closes every file; the error names the first that failed.
    Error close(const QString &dir)
    {
        auto failed = [&dir](const QString &file, const BinWriter &w) { return cannotWrite(QDir(dir).filePath(file), w.errorString()); };
        for (size_t k = 0; k < levels.size(); ++k)
            if (!levels[k].close())
                return failed(QStringLiteral("frames_l%1.bin").arg(k), levels[k]);
        if (!masks.close())
            return failed(QStringLiteral("masks.bin"), masks);
        if (!ppg.close())
            return failed(QStringLiteral("ppg.bin"), ppg);
        return {};
    }
};

// The reference pulse prepared for sampling at frame times: band-passed and z-scored on a uniform
// grid, plus the HR track when the device gave one.
struct PreparedReference
{
    double t0 = 0, fs = 0;
    std::vector<double> pulse;
    std::vector<double> hrTime, hr;   // device HR (NaN where implausible)
    double tEnd() const { return pulse.empty() ? t0 : t0 + double(pulse.size() - 1) / fs; }

    // Frame times may sit a rounding error outside the reference's span.
    bool covers(double t) const { return !pulse.empty() && t >= t0 - 1e-3 && t <= tEnd() + 1e-3; }

    float at(double t) const
    {
        const double x = (t - t0) * fs;
        const int64_t i = std::clamp<int64_t>(int64_t(std::floor(x)), 0, int64_t(pulse.size()) - 1);
        const int64_t j = std::min<int64_t>(i + 1, int64_t(pulse.size()) - 1);
        const double f = std::clamp(x - double(i), 0.0, 1.0);
        return float(pulse[size_t(i)] * (1 - f) + pulse[size_t(j)] * f);
    }

    // The reference HR over [a, b]: the mean of the device track there, else the spectral peak of
    // the waveform over a window of at least kHrWindowSec centred on the span.
    double hrOver(double a, double b) const
    {
        if (!hr.empty()) {
            double sum = 0;
            int n = 0;
            for (size_t i = 0; i < hrTime.size(); ++i)
                if (hrTime[i] >= a && hrTime[i] <= b && std::isfinite(hr[i])) {
                    sum += hr[i];
                    ++n;
                }
            if (n > 0)
                return sum / n;
        }
        const double centre = (a + b) / 2, half = std::max(kHrWindowSec, b - a) / 2;
        const double from = std::max(t0, centre - half), to = std::min(tEnd(), centre + half);
        const int i0 = int(std::floor((from - t0) * fs)), i1 = int(std::ceil((to - t0) * fs));
        if (i1 - i0 < int(2 * fs))
            return std::nan("");
        const std::vector<double> seg(pulse.begin() + i0, pulse.begin() + std::min<int>(i1, int(pulse.size())));
        const int n = int(seg.size());
        const dsp::Spectrum s = dsp::welch(seg, fs, n, 0.0, std::max(2048, n));
        const dsp::Peak p = dsp::spectralPeak(s, kHrLowHz, kHrHighHz);
        return p.valid ? p.frequencyHz * 60.0 : std::nan("");
    }
};

Result<PreparedReference> prepareReference(const PulseReference &ref, const QString &id)
{
    PreparedReference out;
    const size_t n = ref.timeSec.size();
    std::vector<double> steps;
    for (size_t i = 1; i < n; ++i)
        steps.push_back(ref.timeSec[i] - ref.timeSec[i - 1]);
    const double step = dsp::median(steps);
    if (!(step > 0))
        return makeError(ErrorCode::BadData, QStringLiteral("%1: reference has no time step").arg(id));
    out.fs = std::clamp(1.0 / step, 10.0, 1000.0);
    out.t0 = ref.timeSec.front();
    const int samples = int(std::floor((ref.timeSec.back() - out.t0) * out.fs + 1e-6)) + 1;
    if (samples < int(2 * out.fs))
        return makeError(ErrorCode::BadData, QStringLiteral("%1: reference shorter than 2 s").arg(id));
    std::vector<double> uniform = dsp::resampleLinear(ref.timeSec, ref.ppg, out.t0, out.fs, samples);
    const double high = std::min(kBandHighHz, 0.45 * out.fs);
    out.pulse = dsp::sosFiltFilt(dsp::butterworthBandpass(2, kBandLowHz, high, out.fs), uniform);
    dsp::normalize(out.pulse);
    if (!ref.hrBpm.empty() && ref.hrBpm.size() == n) {
        out.hrTime = ref.timeSec;
        out.hr = ref.hrBpm;
    }
    return out;
}

// Per-frame skin colour model fitted to the landmark skin regions and applied to the whole crop:
// a Gaussian over (Y/2, Cr, Cb). Chroma separates skin from most backgrounds; luma at half weight
// keeps shaded skin in but drops hair and eyebrows, whose chroma is often close to the skin's.
struct SkinColourModel
{
    bool valid = false;
    cv::Vec3d mean;
    cv::Matx33d inverse;

    static cv::Vec3d feature(const cv::Vec3b &ycrcb) { return {ycrcb[0] * 0.5, double(ycrcb[1]), double(ycrcb[2])}; }

    void fit(const cv::Mat &bgr, const cv::Rect &bounds, const cv::Mat &mask)
    {
        if (bounds.area() <= 0 || mask.empty())
            return;
        cv::Mat ycrcb;
        cv::cvtColor(bgr(bounds), ycrcb, cv::COLOR_BGR2YCrCb);
        cv::Vec3d sum(0, 0, 0);
        cv::Matx33d sq = cv::Matx33d::zeros();
        int64_t count = 0;
        for (int y = 0; y < ycrcb.rows; ++y) {
            const cv::Vec3b *p = ycrcb.ptr<cv::Vec3b>(y);
            const uchar *m = mask.ptr<uchar>(y);
            for (int x = 0; x < ycrcb.cols; ++x) {
                if (!m[x])
                    continue;
                const cv::Vec3d f = feature(p[x]);
                sum += f;
                sq += f * f.t();
                ++count;
            }
        }
        if (count < 50)
            return;   // keep the previous frame's model
        const double n = double(count);
        const cv::Vec3d mu = sum / n;
        cv::Matx33d cov = sq * (1.0 / n) - mu * mu.t();
        // Variance floor: quantisation and an evenly lit face can give a nearly singular fit.
        for (int i = 0; i < 3; ++i)
            cov(i, i) += 4.0;
        bool ok = false;
        const cv::Matx33d inv = cov.inv(cv::DECOMP_CHOLESKY, &ok);
        if (!ok)
            return;
        mean = mu;
        inverse = inv;
        valid = true;
    }

    // Mask (0/1) of `crop` (already at the mask size): likelihood exp(-d²/2) above `threshold`.
    void apply(const cv::Mat &cropBgr, double threshold, cv::Mat &out) const
    {
        out.create(cropBgr.size(), CV_8UC1);
        cv::Mat ycrcb;
        cv::cvtColor(cropBgr, ycrcb, cv::COLOR_BGR2YCrCb);
        const double maxD2 = -2.0 * std::log(std::clamp(threshold, 1e-6, 0.999999));
        for (int y = 0; y < ycrcb.rows; ++y) {
            const cv::Vec3b *p = ycrcb.ptr<cv::Vec3b>(y);
            uchar *o = out.ptr<uchar>(y);
            for (int x = 0; x < ycrcb.cols; ++x) {
                const cv::Vec3d d = feature(p[x]) - mean;
                o[x] = (d.t() * inverse * d)(0) < maxD2 ? 1 : 0;
            }
        }
    }
};

struct SegmentOut
{
    int recording = 0;
    int64_t frames = 0;
    int64_t firstFrame = 0;
    double startSec = 0;
    double fps = 0;
    int64_t offset = 0;
    std::map<int, int64_t> levelOffsets;
};

struct RecordingInfo
{
    QString dataset, id, subject;
};

// Crops `r` of `bgr`, resizes to size × size and appends it as RGB bytes.
bool writeCrop(BinWriter &out, const cv::Mat &bgr, const cv::Rect &r, int size, cv::Mat &resized, cv::Mat &rgb)
{
    cv::resize(bgr(r), resized, cv::Size(size, size), 0, 0, cv::INTER_AREA);
    cv::cvtColor(resized, rgb, cv::COLOR_BGR2RGB);
    const qint64 bytes = qint64(size) * size * 3;
    if (!rgb.isContinuous())
        rgb = rgb.clone();
    if (!out.write(rgb.data, bytes))
        return false;
    out.advance(bytes);
    return true;
}

cv::Rect scaleRect(const cv::Rect &r, const cv::Size &from, const cv::Size &to)
{
    if (from == to)
        return r;
    const double sx = double(to.width) / from.width, sy = double(to.height) / from.height;
    const cv::Rect s(cvRound(r.x * sx), cvRound(r.y * sy), cvRound(r.width * sx), cvRound(r.height * sy));
    return s & cv::Rect(0, 0, to.width, to.height);
}

// What one recording adds to the cache, in its own files (appended to the cache's files in
// recording order by writeClipCache).
struct RecordingPart
{
    bool used = false;                   // it gave clips (else `problems` says why not)
    QStringList problems;
    std::vector<SegmentOut> segments;    // offsets into this part's files; recording index unset
    std::vector<ClipCacheClip> clips;    // segment: index into `segments`
};

// What the workers share: read-only settings, the stop flag and the progress count.
struct PrepareShared
{
    PrepareShared(const ClipCacheConfig &c, const std::map<QString, int> &levels, int count, const std::atomic<bool> *userCancel)
        : config(c), levelIndex(levels), levelCount(count), cancel(userCancel)
    {
    }
    const ClipCacheConfig &config;
    const std::map<QString, int> &levelIndex;
    const int levelCount;
    const std::atomic<bool> *cancel;
    std::atomic<bool> stop{false};          // another worker failed, or the cache is abandoned
    std::atomic<int64_t> doneWork{0};       // decoded frames over every level (progress)
    bool cancelled() const { return stop.load() || (cancel && cancel->load()); }
};

// Prepares recordings one at a time on one worker thread, with its own face tracker.
class RecordingPreparer
{
public:
    explicit RecordingPreparer(PrepareShared &shared)
        : m_sh(shared), m_skinRoi(SkinRoiConfig{RoiMode::Face, {}, true, 50})
    {
    }
    // Writes the recording's crops, masks and pulse into `dir`. An error is fatal for the whole
    // cache (cancelled, cannot write, no face model); a recording that cannot be used returns no
    // error with `part.used` false.
    Error run(const TrainingRecording &rec, int64_t estimate, const QString &dir, RecordingPart &part);

private:
    PrepareShared &m_sh;
    FaceTracker m_tracker;
    bool m_trackerReady = false;
    SkinRoi m_skinRoi;
};

Error RecordingPreparer::run(const TrainingRecording &rec, int64_t estimate, const QString &dir, RecordingPart &part)
{
    const ClipCacheConfig &config = m_sh.config;
    const int S = config.cropSizePx, M = config.cropSizePx / 2, T = config.clipFrames;
    const qint64 frameBytes = qint64(S) * S * 3, maskBytes = qint64(M) * M;
    auto cancelled = [this] { return m_sh.cancelled(); };
    auto writeError = [&](const QString &file, const QString &why) {
        return cannotWrite(QDir(dir).filePath(file), why);
    };
    int64_t credited = 0;   // this recording's share of the progress count
    auto creditFrame = [&] {
        ++credited;
        m_sh.doneWork.fetch_add(1, std::memory_order_relaxed);
    };
    auto creditUpTo = [&](int64_t target) {
        if (target > credited) {
            m_sh.doneWork.fetch_add(target - credited, std::memory_order_relaxed);
            credited = target;
        }
    };
    if (!QDir().mkpath(dir))
        return makeError(ErrorCode::WriteFailed, QStringLiteral("cannot create the folder '%1'").arg(dir));
    CacheFiles files;
    if (Error e = files.open(dir, m_sh.levelCount); e.isError())
        return e;
    std::vector<BinWriter> &levelFiles = files.levels;
    BinWriter &masks = files.masks, &ppg = files.ppg;
    std::vector<SegmentOut> &segments = part.segments;
    std::vector<ClipCacheClip> &clips = part.clips;
    cv::Mat resized, rgb, maskCrop, maskSmall, maskFull;

    const QString name = rec.dataset + QLatin1Char('/') + rec.id;
    auto skip = [&](const QString &why) {
        part.problems << QStringLiteral("%1: %2").arg(name, why);
        creditUpTo(estimate * int64_t(rec.levels.size()));
    };
    auto refResult = loadPulseReference(rec);
    if (!refResult.ok()) {
        skip(refResult.error().message);
        return {};
    }
    PulseReference refData = std::move(refResult).value();
    auto source = openRecordingLevel(rec, 0);
    if (!source.ok()) {
        skip(source.error().message);
        return {};
    }
    FrameSource &src = *source.value();
    const VideoInfo info0 = src.info();
    if (!stretchOverVideo(refData, info0)) {
        skip(QStringLiteral("the reference has no time axis and the video no duration"));
        return {};
    }
    auto prepared = prepareReference(refData, name);
    if (!prepared.ok()) {
        skip(prepared.error().message);
        return {};
    }
    const PreparedReference &ref = prepared.value();

    const bool faceMode = rec.roi == RoiMode::Face;
    if (faceMode && !m_trackerReady) {
        if (Error e = m_tracker.init(); e.isError())
            return e;
        m_trackerReady = true;
    }
    if (faceMode)
        m_tracker.reset();
    VideoFileSource maskSource;
    bool haveMasks = false;
    if (!rec.maskVideoPath.isEmpty()) {
        if (Error e = maskSource.open(rec.maskVideoPath); e.isError())
            part.problems << QStringLiteral("%1: skin masks unreadable (%2); using the colour model").arg(name, e.message);
        else
            haveMasks = true;
    }
    SkinColourModel colourModel;

    // ---- level 0: track, crop, mask, pulse ----
    std::vector<cv::Rect> boxes;   // per decoded frame; empty = not stored
    bool runOpen = false;
    SegmentOut run;
    double runLastSec = 0;
    auto closeRun = [&]() -> bool {
        if (!runOpen)
            return true;
        runOpen = false;
        if (run.frames >= T) {
            run.fps = run.frames > 1 && runLastSec > run.startSec ? double(run.frames - 1) / (runLastSec - run.startSec)
                                                                   : (info0.nominalFps > 0 ? info0.nominalFps : 30.0);
            segments.push_back(run);
            return true;
        }
        for (int64_t i = run.firstFrame; i < run.firstFrame + run.frames; ++i)
            boxes[size_t(i)] = cv::Rect();
        return levelFiles[0].truncate(run.levelOffsets[0] * frameBytes) && masks.truncate(run.offset * maskBytes)
               && ppg.truncate(run.offset * 4);
    };
    VideoFrame frame, maskFrame;
    Error readError;
    for (int64_t index = 0;; ++index) {
        if (cancelled())
            return makeError(ErrorCode::Cancelled, QStringLiteral("preparing the clip cache was cancelled"));
        const ReadStatus st = src.read(frame);
        if (st == ReadStatus::Error) {
            readError = src.lastError();
            break;
        }
        if (st != ReadStatus::Frame)
            break;
        creditFrame();
        const cv::Mat &bgr = frame.bgr;
        const double t = frame.ptsUs / 1e6;
        bool haveMaskFrame = false;
        if (haveMasks) {
            haveMaskFrame = maskSource.read(maskFrame) == ReadStatus::Frame && maskFrame.bgr.size() == bgr.size();
        }
        cv::Rect box;
        FaceObservation face;
        if (faceMode) {
            face = m_tracker.process(bgr, t);
            if (face.found())
                box = faceCropRect(face.box, bgr.size());
        } else {
            box = cv::Rect(0, 0, bgr.cols, bgr.rows);
        }
        boxes.push_back(cv::Rect());
        const bool good = box.width >= 8 && box.height >= 8 && ref.covers(t);
        if (!good) {
            if (!closeRun())
                return writeError(QStringLiteral("frames"), levelFiles[0].errorString());
            continue;
        }
        if (!runOpen) {
            runOpen = true;
            run = SegmentOut{};
            run.firstFrame = index;
            run.startSec = t;
            run.offset = ppg.size() / 4;
            run.levelOffsets[0] = levelFiles[0].size() / frameBytes;
        }
        boxes.back() = box;
        ++run.frames;
        runLastSec = t;

        if (!writeCrop(levelFiles[0], bgr, box, S, resized, rgb))
            return writeError(QStringLiteral("frames_l0.bin"), levelFiles[0].errorString());
        // Skin mask at M × M.
        if (haveMaskFrame) {
            cv::cvtColor(maskFrame.bgr(box), maskCrop, cv::COLOR_BGR2GRAY);
            cv::resize(maskCrop, maskSmall, cv::Size(M, M), 0, 0, cv::INTER_AREA);
            cv::threshold(maskSmall, maskSmall, 127, 1, cv::THRESH_BINARY);
        } else if (!faceMode) {
            maskSmall = cv::Mat(M, M, CV_8UC1, cv::Scalar(1));
        } else {
            const SkinSample s = m_skinRoi.measure(bgr, face, &maskFull);
            if (s.valid)
                colourModel.fit(bgr, s.bounds, maskFull);
            if (colourModel.valid) {
                cv::resize(bgr(box), maskCrop, cv::Size(M, M), 0, 0, cv::INTER_AREA);
                colourModel.apply(maskCrop, config.skinThreshold, maskSmall);
            } else {
                maskSmall = cv::Mat(M, M, CV_8UC1, cv::Scalar(0));
            }
        }
        if (!maskSmall.isContinuous())
            maskSmall = maskSmall.clone();
        if (!masks.write(maskSmall.data, maskBytes))
            return writeError(QStringLiteral("masks.bin"), masks.errorString());
        masks.advance(maskBytes);
        const float value = qToLittleEndian(ref.at(t));
        if (!ppg.write(&value, 4))
            return writeError(QStringLiteral("ppg.bin"), ppg.errorString());
        ppg.advance(4);
    }
    if (!closeRun())
        return writeError(QStringLiteral("frames"), levelFiles[0].errorString());
    if (readError.isError())
        part.problems << QStringLiteral("%1: decoding stopped early (%2)").arg(name, readError.message);
    creditUpTo(estimate);

    if (segments.empty()) {
        part.problems << QStringLiteral("%1: no run of %2 frames with a face and a reference").arg(name).arg(T);
        creditUpTo(estimate * int64_t(rec.levels.size()));
        return {};
    }

    // ---- other levels: the same boxes, frame for frame ----
    for (size_t l = 1; l < rec.levels.size(); ++l) {
        const int k = m_sh.levelIndex.at(rec.levels[l].name);
        BinWriter &out = levelFiles[size_t(k)];
        const int64_t levelWorkBefore = credited;
        auto lvl = openRecordingLevel(rec, int(l));
        if (!lvl.ok()) {
            part.problems << QStringLiteral("%1: level %2 dropped (%3)").arg(name, rec.levels[l].name, lvl.error().message);
            creditUpTo(levelWorkBefore + estimate);
            continue;
        }
        FrameSource &ls = *lvl.value();
        size_t seg = 0;
        int64_t segDone = 0;
        int64_t segStartBytes = out.size();
        bool failed = false;
        for (int64_t index = 0; seg < segments.size(); ++index) {
            if (cancelled())
                return makeError(ErrorCode::Cancelled, QStringLiteral("preparing the clip cache was cancelled"));
            const ReadStatus st = ls.read(frame);
            if (st != ReadStatus::Frame)
                break;
            creditFrame();
            SegmentOut &s = segments[seg];
            if (index < s.firstFrame)
                continue;
            if (segDone == 0) {
                segStartBytes = out.size();
                s.levelOffsets[k] = out.size() / frameBytes;
            }
            const cv::Rect box = scaleRect(boxes[size_t(index)], info0.width > 0 ? cv::Size(info0.width, info0.height) : frame.bgr.size(),
                                           frame.bgr.size());
            if (box.width < 1 || box.height < 1) {
                failed = true;
                break;
            }
            if (!writeCrop(out, frame.bgr, box, S, resized, rgb))
                return writeError(QStringLiteral("frames_l%1.bin").arg(k), out.errorString());
            if (++segDone == s.frames) {
                ++seg;
                segDone = 0;
            }
        }
        if (seg < segments.size()) {
            // The level ended early (or its frames do not match): keep the segments it covered.
            if (segDone > 0 && !out.truncate(segStartBytes))
                return writeError(QStringLiteral("frames_l%1.bin").arg(k), out.errorString());
            for (size_t s = seg; s < segments.size(); ++s)
                segments[s].levelOffsets.erase(k);
            part.problems << QStringLiteral("%1: level %2 %3; %4 of %5 segments kept")
                                    .arg(name, rec.levels[l].name,
                                         failed ? QStringLiteral("does not match the original's frame size")
                                                : QStringLiteral("has fewer frames than the original"))
                                    .arg(seg)
                                    .arg(segments.size());
        }
        creditUpTo(levelWorkBefore + estimate);
    }

    part.used = true;
    // Clips: T-frame windows every `stride` frames inside each segment; a window without a
    // reference HR (no clear pulse in the reference there) is left out.
    int noHr = 0;
    for (size_t s = 0; s < segments.size(); ++s) {
        const SegmentOut &seg = segments[s];
        for (int64_t start = 0; start + T <= seg.frames; start += config.strideFrames) {
            const double a = seg.startSec + double(start) / seg.fps;
            const double b = seg.startSec + double(start + T - 1) / seg.fps;
            const double hr = ref.hrOver(a, b);
            if (std::isfinite(hr))
                clips.push_back({int(s), start, hr});
            else
                ++noHr;
        }
    }
    if (noHr > 0)
        part.problems << QStringLiteral("%1: %2 clip(s) left out: no reference heart rate there").arg(name).arg(noHr);

    return files.close(dir);
}

bool isClipCacheDir(const QString &dir)
{
    QFile f(QDir(dir).filePath(QStringLiteral("index.txt")));
    return f.open(QIODevice::ReadOnly) && f.readLine(200).trimmed() == "format=rppg-clip-cache";
}

} // namespace

Result<ClipCacheSummary> writeClipCache(const std::vector<TrainingDatasetScan> &datasets, const ClipCacheConfig &config,
                                        const ProgressFn &progress, const std::atomic<bool> *cancel)
{
    QElapsedTimer timer;
    timer.start();
    const int S = config.cropSizePx, M = config.cropSizePx / 2, T = config.clipFrames;
    if (S < 8 || S > 1024 || S % 2 != 0)
        return makeError(ErrorCode::Usage, QStringLiteral("crop size must be an even number of pixels from 8 to 1024 (got %1)").arg(S));
    if (T < 2 || T > 100000)
        return makeError(ErrorCode::Usage, QStringLiteral("clip length must be 2 frames or more (got %1)").arg(T));
    if (config.strideFrames < 1)
        return makeError(ErrorCode::Usage, QStringLiteral("clip stride must be at least 1 frame (got %1)").arg(config.strideFrames));
    if (config.outDir.trimmed().isEmpty())
        return makeError(ErrorCode::Usage, QStringLiteral("no output folder given for the clip cache"));
    if (datasets.empty())
        return makeError(ErrorCode::Usage, QStringLiteral("no dataset given"));

    const QString outDir = QDir::cleanPath(QFileInfo(config.outDir).absoluteFilePath());
    if (QFileInfo::exists(outDir)) {
        if (!config.overwrite)
            return makeError(ErrorCode::WriteFailed, QStringLiteral("'%1' already exists (use --overwrite to replace it)").arg(config.outDir));
        if (!QFileInfo(outDir).isDir() || (!isClipCacheDir(outDir) && !QDir(outDir).isEmpty()))
            return makeError(ErrorCode::WriteFailed, QStringLiteral("refusing to replace '%1': it is not a clip cache").arg(config.outDir));
    }
    const QString parent = QFileInfo(outDir).absolutePath();
    if (!QDir().mkpath(parent))
        return makeError(ErrorCode::WriteFailed, QStringLiteral("cannot create the folder '%1'").arg(parent));
    const QString tmpDir = outDir + QStringLiteral(".part-%1").arg(QCoreApplication::applicationPid());
    removeTree(tmpDir);
    if (!QDir().mkpath(tmpDir))
        return makeError(ErrorCode::WriteFailed, QStringLiteral("cannot create the folder '%1'").arg(tmpDir));
    struct TmpGuard
    {
        QString dir;
        bool keep = false;
        ~TmpGuard()
        {
            if (!keep)
                removeTree(dir);
        }
    } guard{tmpDir};

    auto cancelled = [&] { return cancel && cancel->load(); };
    auto writeError = [&](const QString &file, const QString &why) {
        return cannotWrite(QDir(tmpDir).filePath(file), why);
    };

    // Global level numbering: 0 = each recording's original, then every other level name in the
    // order first met.
    ClipCacheSummary summary;
    summary.levelNames << QStringLiteral("original");
    std::map<QString, int> levelIndex;
    std::vector<const TrainingRecording *> recordings;
    for (const TrainingDatasetScan &scan : datasets)
        for (const TrainingRecording &rec : scan.recordings) {
            recordings.push_back(&rec);
            for (size_t l = 1; l < rec.levels.size(); ++l)
                if (!levelIndex.count(rec.levels[l].name)) {
                    levelIndex[rec.levels[l].name] = summary.levelNames.size();
                    summary.levelNames << rec.levels[l].name;
                }
        }
    const int levelCount = summary.levelNames.size();
    summary.levelFrames.assign(size_t(levelCount), 0);

    CacheFiles files;
    if (Error e = files.open(tmpDir, levelCount); e.isError())
        return e;
    std::vector<BinWriter> &levelFiles = files.levels;
    BinWriter &masks = files.masks, &ppg = files.ppg;

    // Progress counts decoded frames over every level; totals are the containers' estimates.
    PrepareShared shared(config, levelIndex, levelCount, cancel);
    int64_t totalWork = 0;
    std::vector<int64_t> estimates(recordings.size(), 0);
    for (size_t r = 0; r < recordings.size(); ++r) {
        auto src = openRecordingLevel(*recordings[r], 0);
        if (src.ok())
            estimates[r] = std::max<int64_t>(1, src.value()->info().frameCountEstimate);
        totalWork += estimates[r] * int64_t(recordings[r]->levels.size());
    }
    auto report = [&] {
        const int64_t done = shared.doneWork.load();
        if (progress)
            progress(done, std::max(totalWork, done));
    };

    std::vector<RecordingInfo> infos;
    std::vector<SegmentOut> segments;
    std::vector<ClipCacheClip> clips;
    std::set<QString> subjects;
    const qint64 frameBytes = qint64(S) * S * 3;

    // Recordings are prepared by worker threads, each into its own part folder (own face tracker,
    // own files); this thread appends the parts to the cache in recording order, so the cache is
    // the same whatever the thread count, and reports progress.
    const int wantedThreads = config.threads > 0 ? config.threads : int(std::min(8u, std::max(1u, std::thread::hardware_concurrency())));
    const size_t workerCount = std::min(recordings.size(), size_t(std::clamp(wantedThreads, 1, 64)));
    std::vector<RecordingPart> parts(recordings.size());
    std::vector<char> finished(recordings.size(), 0);
    std::mutex mutex;
    std::condition_variable changed;
    Error fatal;
    size_t nextRecording = 0;
    auto partDir = [&](size_t r) { return QDir(tmpDir).filePath(QStringLiteral("part-%1").arg(r)); };
    struct Workers
    {
        PrepareShared &shared;
        std::vector<std::thread> threads;
        ~Workers()
        {
            shared.stop = true;
            for (std::thread &t : threads)
                t.join();
        }
    } workers{shared, {}};
    for (size_t w = 0; w < workerCount; ++w)
        workers.threads.emplace_back([&] {
            RecordingPreparer preparer(shared);
            for (;;) {
                size_t r = 0;
                {
                    const std::lock_guard<std::mutex> lock(mutex);
                    if (nextRecording >= recordings.size() || shared.stop)
                        return;
                    r = nextRecording++;
                }
                RecordingPart part;
                const Error e = preparer.run(*recordings[r], estimates[r], partDir(r), part);
                const std::lock_guard<std::mutex> lock(mutex);
                parts[r] = std::move(part);
                finished[r] = 1;
                if (e.isError() && !fatal.isError()) {
                    fatal = e;
                    shared.stop = true;
                }
                changed.notify_all();
            }
        });

    for (size_t r = 0; r < recordings.size(); ++r) {
        {
            std::unique_lock<std::mutex> lock(mutex);
            while (!finished[r] && !fatal.isError()) {
                changed.wait_for(lock, std::chrono::milliseconds(200));
                lock.unlock();
                report();
                lock.lock();
            }
            if (fatal.isError())
                return fatal;
        }
        RecordingPart part = std::move(parts[r]);
        summary.problems << part.problems;
        if (part.used) {
            const TrainingRecording &rec = *recordings[r];
            const QDir from(partDir(r));
            const int64_t ppgBase = ppg.size() / 4;
            std::vector<int64_t> levelBase(static_cast<size_t>(levelCount), 0);
            for (int k = 0; k < levelCount; ++k) {
                const QString file = QStringLiteral("frames_l%1.bin").arg(k);
                levelBase[size_t(k)] = levelFiles[size_t(k)].size() / frameBytes;
                if (!levelFiles[size_t(k)].append(from.filePath(file)))
                    return writeError(file, levelFiles[size_t(k)].errorString());
            }
            if (!masks.append(from.filePath(QStringLiteral("masks.bin"))))
                return writeError(QStringLiteral("masks.bin"), masks.errorString());
            if (!ppg.append(from.filePath(QStringLiteral("ppg.bin"))))
                return writeError(QStringLiteral("ppg.bin"), ppg.errorString());
            const int segmentBase = int(segments.size());
            for (SegmentOut s : part.segments) {
                s.recording = int(infos.size());
                s.offset += ppgBase;
                for (auto &[k, off] : s.levelOffsets)
                    off += levelBase[size_t(k)];
                segments.push_back(std::move(s));
            }
            for (ClipCacheClip c : part.clips) {
                c.segment += segmentBase;
                clips.push_back(c);
            }
            infos.push_back({csvSafe(rec.dataset), csvSafe(rec.id), csvSafe(rec.subject)});
            subjects.insert(rec.dataset + QLatin1Char('/') + rec.subject);
        }
        removeTree(partDir(r));
    }
    report();

    summary.frames = ppg.size() / 4;
    for (int k = 0; k < levelCount; ++k)
        summary.levelFrames[size_t(k)] = levelFiles[size_t(k)].size() / frameBytes;
    if (Error e = files.close(tmpDir); e.isError())
        return e;

    if (clips.empty())
        return makeError(ErrorCode::BadData, QStringLiteral("no recording gave a clip of %1 frames%2")
                                                 .arg(T)
                                                 .arg(summary.problems.isEmpty() ? QString()
                                                                                 : QStringLiteral(": ") + summary.problems.first()));

    // ---- tables and index ----
    auto writeText = [&](const QString &file, const QString &text) -> Error {
        QSaveFile f(QDir(tmpDir).filePath(file));
        if (!f.open(QIODevice::WriteOnly) || f.write(text.toUtf8()) < 0 || !f.commit())
            return writeError(file, f.errorString());
        return {};
    };
    QString segCsv = QStringLiteral("segment,dataset,recording,subject,fps,frames,first_frame,start_s,offset,levels\n");
    for (size_t s = 0; s < segments.size(); ++s) {
        const SegmentOut &seg = segments[s];
        const RecordingInfo &ri = infos[size_t(seg.recording)];
        QStringList lv;
        for (const auto &[k, off] : seg.levelOffsets)
            lv << QStringLiteral("%1:%2").arg(k).arg(off);
        segCsv += QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8,%9,%10\n")
                      .arg(s)
                      .arg(ri.dataset, ri.id, ri.subject)
                      .arg(seg.fps, 0, 'f', 6)
                      .arg(seg.frames)
                      .arg(seg.firstFrame)
                      .arg(seg.startSec, 0, 'f', 6)
                      .arg(seg.offset)
                      .arg(lv.join(QLatin1Char(';')));
    }
    QString clipCsv = QStringLiteral("clip,segment,start,hr_bpm\n");
    for (size_t c = 0; c < clips.size(); ++c)
        clipCsv += QStringLiteral("%1,%2,%3,%4\n")
                       .arg(c)
                       .arg(clips[c].segment)
                       .arg(clips[c].start)
                       .arg(clips[c].hrBpm, 0, 'f', 3);
    if (Error e = writeText(QStringLiteral("segments.csv"), segCsv); e.isError())
        return e;
    if (Error e = writeText(QStringLiteral("clips.csv"), clipCsv); e.isError())
        return e;

    summary.recordings = int(infos.size());
    summary.subjects = int(subjects.size());
    summary.segments = int(segments.size());
    summary.clips = int64_t(clips.size());
    QStringList specs;
    for (const TrainingDatasetScan &scan : datasets)
        specs << csvSafe(scan.spec).replace(QLatin1Char(';'), QLatin1Char('_'));
    QString index;
    index += QStringLiteral("format=rppg-clip-cache\n");
    index += QStringLiteral("version=%1\n").arg(kClipCacheVersion);
    index += QStringLiteral("crop_size=%1\nmask_size=%2\nclip_frames=%3\nstride_frames=%4\nchannels=rgb\n").arg(S).arg(M).arg(T).arg(config.strideFrames);
    index += QStringLiteral("frames=%1\nsegments=%2\nclips=%3\nrecordings=%4\nsubjects=%5\nlevels=%6\n")
                 .arg(summary.frames)
                 .arg(summary.segments)
                 .arg(summary.clips)
                 .arg(summary.recordings)
                 .arg(summary.subjects)
                 .arg(levelCount);
    for (int k = 0; k < levelCount; ++k)
        index += QStringLiteral("level.%1.name=%2\nlevel.%1.frames=%3\n").arg(k).arg(summary.levelNames[k]).arg(summary.levelFrames[size_t(k)]);
    index += QStringLiteral("created_utc=%1\n").arg(QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
    index += QStringLiteral("software=rppg-studio %1\n").arg(QStringLiteral(RPPG_VERSION_STRING));
    index += QStringLiteral("sources=%1\n").arg(specs.join(QLatin1Char(';')).replace(QLatin1Char('\n'), QLatin1Char('_')));
    if (Error e = writeText(QStringLiteral("index.txt"), index); e.isError())
        return e;

    // ---- publish ----
    if (cancelled())
        return makeError(ErrorCode::Cancelled, QStringLiteral("preparing the clip cache was cancelled"));
    QString oldDir;
    if (QFileInfo::exists(outDir)) {
        oldDir = outDir + QStringLiteral(".old-%1").arg(QCoreApplication::applicationPid());
        removeTree(oldDir);
        if (!QDir().rename(outDir, oldDir))
            return makeError(ErrorCode::WriteFailed, QStringLiteral("cannot replace '%1'").arg(config.outDir));
    }
    if (!QDir().rename(tmpDir, outDir)) {
        if (!oldDir.isEmpty())
            QDir().rename(oldDir, outDir);
        return makeError(ErrorCode::WriteFailed, QStringLiteral("cannot rename '%1' to '%2'").arg(tmpDir, outDir));
    }
    guard.keep = true;
    if (!oldDir.isEmpty())
        removeTree(oldDir);

    summary.outDir = outDir;
    for (const QFileInfo &fi : QDir(outDir).entryInfoList(QDir::Files))
        summary.bytes += fi.size();
    summary.seconds = timer.elapsed() / 1000.0;
    return summary;
}

// ---- reading -------------------------------------------------------------------------------------

namespace {

Error badCache(const QString &dir, const QString &what)
{
    return makeError(ErrorCode::BadData, QStringLiteral("clip cache '%1': %2").arg(dir, what));
}

bool toInt64(const QString &s, int64_t &out)
{
    bool ok = false;
    const qlonglong v = s.trimmed().toLongLong(&ok);
    out = v;
    return ok;
}

} // namespace

Result<ClipCacheIndex> readClipCacheIndex(const QString &dir)
{
    ClipCacheIndex idx;
    idx.dir = dir;
    const QDir d(dir);
    if (!QFileInfo(dir).isDir())
        return makeError(ErrorCode::FileNotFound, QStringLiteral("clip cache folder '%1' does not exist").arg(dir));
    auto readLines = [&](const QString &name, QStringList &lines) -> Error {
        QFile f(d.filePath(name));
        if (!f.exists())
            return makeError(ErrorCode::FileNotFound, QStringLiteral("clip cache '%1' has no %2 (not a finished cache)").arg(dir, name));
        if (!f.open(QIODevice::ReadOnly) || f.size() > (int64_t(1) << 30))
            return badCache(dir, QStringLiteral("cannot read %1").arg(name));
        lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        return {};
    };
    QStringList lines;
    if (Error e = readLines(QStringLiteral("index.txt"), lines); e.isError())
        return e;
    std::map<QString, QString> kv;
    for (const QString &l : lines) {
        const int eq = l.indexOf(QLatin1Char('='));
        if (eq > 0)
            kv[l.left(eq).trimmed()] = l.mid(eq + 1).trimmed();
    }
    if (kv[QStringLiteral("format")] != QLatin1String("rppg-clip-cache"))
        return badCache(dir, QStringLiteral("index.txt is not a clip cache index"));
    auto intKey = [&](const char *key, int64_t &out) -> bool { return toInt64(kv[QString::fromLatin1(key)], out); };
    int64_t version = 0, crop = 0, mask = 0, clipFrames = 0, stride = 0, frames = 0, levels = 0, nSegments = 0, nClips = 0;
    if (!intKey("version", version))
        return badCache(dir, QStringLiteral("no version"));
    if (version != kClipCacheVersion)
        return makeError(ErrorCode::Unsupported, QStringLiteral("clip cache '%1' has format version %2; this build reads version %3").arg(dir).arg(version).arg(kClipCacheVersion));
    if (!intKey("crop_size", crop) || !intKey("mask_size", mask) || !intKey("clip_frames", clipFrames) || !intKey("stride_frames", stride)
        || !intKey("frames", frames) || !intKey("levels", levels) || !intKey("segments", nSegments) || !intKey("clips", nClips))
        return badCache(dir, QStringLiteral("index.txt misses a required key"));
    if (crop < 2 || crop > 4096 || mask != crop / 2 || clipFrames < 1 || frames < 0 || levels < 1 || levels > 1000 || nSegments < 0 || nClips < 0)
        return badCache(dir, QStringLiteral("index.txt has impossible values"));
    if (kv[QStringLiteral("channels")] != QLatin1String("rgb"))
        return badCache(dir, QStringLiteral("channels must be rgb"));
    idx.version = int(version);
    idx.cropSizePx = int(crop);
    idx.maskSizePx = int(mask);
    idx.clipFrames = int(clipFrames);
    idx.strideFrames = int(stride);
    idx.frames = frames;
    for (int k = 0; k < levels; ++k) {
        int64_t lf = 0;
        if (!toInt64(kv[QStringLiteral("level.%1.frames").arg(k)], lf) || lf < 0)
            return badCache(dir, QStringLiteral("no frame count for level %1").arg(k));
        idx.levelNames << kv[QStringLiteral("level.%1.name").arg(k)];
        idx.levelFrames.push_back(lf);
    }
    // File sizes.
    auto checkSize = [&](const QString &name, int64_t expected) -> Error {
        const QFileInfo fi(d.filePath(name));
        if (!fi.exists())
            return makeError(ErrorCode::FileNotFound, QStringLiteral("clip cache '%1' has no %2").arg(dir, name));
        if (fi.size() != expected)
            return badCache(dir, QStringLiteral("%1 has %2 bytes, the index says %3").arg(name).arg(fi.size()).arg(expected));
        return {};
    };
    for (int k = 0; k < levels; ++k)
        if (Error e = checkSize(QStringLiteral("frames_l%1.bin").arg(k), idx.levelFrames[size_t(k)] * crop * crop * 3); e.isError())
            return e;
    if (Error e = checkSize(QStringLiteral("masks.bin"), frames * mask * mask); e.isError())
        return e;
    if (Error e = checkSize(QStringLiteral("ppg.bin"), frames * 4); e.isError())
        return e;

    // Segments.
    if (Error e = readLines(QStringLiteral("segments.csv"), lines); e.isError())
        return e;
    if (lines.isEmpty() || !lines.first().startsWith(QLatin1String("segment,dataset,recording,subject,fps,frames")))
        return badCache(dir, QStringLiteral("segments.csv has no header"));
    std::set<QString> subjects;
    for (int i = 1; i < lines.size(); ++i) {
        const QStringList c = lines[i].split(QLatin1Char(','));
        ClipCacheSegment s;
        int64_t id = 0;
        bool ok = c.size() == 10 && toInt64(c[0], id) && id == i - 1;
        s.dataset = c.value(1);
        s.recording = c.value(2);
        s.subject = c.value(3);
        bool okFps = false, okStart = false;
        s.fps = c.value(4).toDouble(&okFps);
        s.startSec = c.value(7).toDouble(&okStart);
        ok = ok && toInt64(c.value(5), s.frames) && toInt64(c.value(6), s.firstFrame) && toInt64(c.value(8), s.offset);
        ok = ok && okFps && okStart && s.fps > 0 && s.frames > 0 && s.offset >= 0 && s.offset + s.frames <= frames;
        if (!ok)
            return badCache(dir, QStringLiteral("segments.csv line %1 is malformed").arg(i + 1));
        s.levelOffsets.assign(size_t(levels), -1);
        for (const QString &pair : c.value(9).split(QLatin1Char(';'), Qt::SkipEmptyParts)) {
            const QStringList kvp = pair.split(QLatin1Char(':'));
            int64_t k = 0, off = 0;
            if (kvp.size() != 2 || !toInt64(kvp[0], k) || !toInt64(kvp[1], off) || k < 0 || k >= levels || off < 0
                || off + s.frames > idx.levelFrames[size_t(k)])
                return badCache(dir, QStringLiteral("segments.csv line %1: bad level offset '%2'").arg(i + 1).arg(pair));
            s.levelOffsets[size_t(k)] = off;
        }
        if (s.levelOffsets[0] < 0)
            return badCache(dir, QStringLiteral("segments.csv line %1 has no level 0").arg(i + 1));
        subjects.insert(s.dataset + QLatin1Char('/') + s.subject);
        idx.segments.push_back(s);
    }
    if (int64_t(idx.segments.size()) != nSegments)
        return badCache(dir, QStringLiteral("segments.csv has %1 segments, the index says %2").arg(idx.segments.size()).arg(nSegments));
    for (const QString &s : subjects)
        idx.subjects << s;

    // Clips.
    if (Error e = readLines(QStringLiteral("clips.csv"), lines); e.isError())
        return e;
    if (lines.isEmpty() || !lines.first().startsWith(QLatin1String("clip,segment,start,hr_bpm")))
        return badCache(dir, QStringLiteral("clips.csv has no header"));
    idx.clips.reserve(size_t(lines.size()));
    for (int i = 1; i < lines.size(); ++i) {
        const QStringList c = lines[i].split(QLatin1Char(','));
        int64_t id = 0, seg = 0;
        ClipCacheClip clip;
        bool ok = c.size() == 4 && toInt64(c[0], id) && id == i - 1 && toInt64(c[1], seg) && toInt64(c[2], clip.start);
        ok = ok && seg >= 0 && seg < int64_t(idx.segments.size()) && clip.start >= 0
             && clip.start + clipFrames <= idx.segments[size_t(seg)].frames;
        if (!ok)
            return badCache(dir, QStringLiteral("clips.csv line %1 is malformed").arg(i + 1));
        clip.segment = int(seg);
        bool okHr = false;
        clip.hrBpm = c[3].toDouble(&okHr);
        if (!okHr || !std::isfinite(clip.hrBpm))
            return badCache(dir, QStringLiteral("clips.csv line %1 has no heart rate").arg(i + 1));
        idx.clips.push_back(clip);
    }
    if (int64_t(idx.clips.size()) != nClips)
        return badCache(dir, QStringLiteral("clips.csv has %1 clips, the index says %2").arg(idx.clips.size()).arg(nClips));
    return idx;
}

Result<ClipData> readClipCacheClip(const ClipCacheIndex &index, int64_t clip, int level)
{
    if (clip < 0 || clip >= int64_t(index.clips.size()))
        return makeError(ErrorCode::Usage, QStringLiteral("the clip cache has no clip %1").arg(clip));
    if (level < 0 || level >= index.levelNames.size())
        return makeError(ErrorCode::Usage, QStringLiteral("the clip cache has no level %1").arg(level));
    const ClipCacheClip &c = index.clips[size_t(clip)];
    const ClipCacheSegment &s = index.segments[size_t(c.segment)];
    const int64_t levelOffset = s.levelOffsets[size_t(level)];
    if (levelOffset < 0)
        return makeError(ErrorCode::Usage, QStringLiteral("clip %1 has no level %2 (%3)").arg(clip).arg(level).arg(index.levelNames[level]));
    const int64_t T = index.clipFrames, S = index.cropSizePx, M = index.maskSizePx;
    ClipData out;
    out.rgb.resize(size_t(T * S * S * 3));
    out.mask.resize(size_t(T * M * M));
    out.ppg.resize(size_t(T));
    const QDir d(index.dir);
    auto readAt = [&](const QString &name, int64_t offset, void *dst, int64_t bytes) -> Error {
        QFile f(d.filePath(name));
        if (!f.open(QIODevice::ReadOnly))
            return makeError(ErrorCode::FileNotFound, QStringLiteral("cannot read '%1'").arg(f.fileName()));
        if (!f.seek(offset) || f.read(static_cast<char *>(dst), bytes) != bytes)
            return makeError(ErrorCode::BadData, QStringLiteral("'%1' is shorter than the index says").arg(f.fileName()));
        return {};
    };
    if (Error e = readAt(QStringLiteral("frames_l%1.bin").arg(level), (levelOffset + c.start) * S * S * 3, out.rgb.data(), T * S * S * 3); e.isError())
        return e;
    if (Error e = readAt(QStringLiteral("masks.bin"), (s.offset + c.start) * M * M, out.mask.data(), T * M * M); e.isError())
        return e;
    if (Error e = readAt(QStringLiteral("ppg.bin"), (s.offset + c.start) * 4, out.ppg.data(), T * 4); e.isError())
        return e;
    for (float &v : out.ppg)
        v = qFromLittleEndian(v);
    return out;
}

} // namespace rppg
