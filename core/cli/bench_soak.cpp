// rppg bench --parts soak: an hour of live analysis at flat memory. A 60 s synthetic clip with a
// steady, known pulse is rendered once and decoded in a loop (streamed: a few frames in memory at
// a time), and every frame goes through the per-frame pipeline the live engine uses: FrameProcessor
// (tracking, skin, colour), a ring of the most recent records, and every second of media time
// analyzeSignal() over that ring for the current heart rate. Frames are fed as fast as they are
// processed (faster than real time). Each minute of media time the resident memory (VmRSS), the
// per-frame processing latency and the heart-rate error against the ground truth are recorded.

#include "bench_soak.h"

#include "charts.h"
#include "frameprocessor.h"
#include "groundtruth.h"
#include "options.h"
#include "signalanalyzer.h"
#include "synth.h"
#include "videofilesource.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTextStream>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>

namespace rppg::cli {

namespace {

// Resident set size of this process in MiB (VmRSS of /proc/self/status); NaN when unknown.
double residentMiB()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return std::nan("");
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0;
    return std::nan("");
}

QString num(double v, int decimals)
{
    return std::isfinite(v) ? QString::number(v, 'f', decimals) : QStringLiteral("–");
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return std::nan("");
    const size_t k = std::min(v.size() - 1, size_t(p * double(v.size() - 1) + 0.5));
    std::nth_element(v.begin(), v.begin() + long(k), v.end());
    return v[k];
}

} // namespace

Result<QString> soakPart(const SoakOptions &opt, const std::function<QString(const QString &, double)> &machineLines)
{
    QElapsedTimer total;
    total.start();
    constexpr double kFps = 30.0;
    constexpr double kLoopSec = 60.0;
    constexpr double kHrBpm = 72.0;   // 72 beats in the 60 s loop: the pulse phase is continuous at the seam

    // 1. The loop clip: steady HR, no HRV (so the loop joins without a phase jump), mild noise.
    SynthConfig sc;
    sc.width = 480;
    sc.height = 360;
    sc.fps = kFps;
    sc.durationSec = kLoopSec;
    sc.seed = 6;
    sc.pulse.meanHrBpm = kHrBpm;
    sc.pulse.sdnnMs = 0;
    sc.noiseSigma = 1.0;
    sc.writeMasks = false;
    SynthVariant v;
    v.videoPath = QDir(opt.workDir).filePath(QStringLiteral("soak_loop.mp4"));
    v.encoder.codec = QStringLiteral("x264");
    v.encoder.bitrateBps = 2000000;
    v.encoder.threads = 2;
    sc.variants.push_back(v);
    std::fprintf(stderr, "soak: rendering the 60 s loop clip\n");
    auto synth = generateSynthVideo(sc, {}, opt.cancel);
    if (!synth.ok())
        return synth.error();
    auto reference = loadHrReference(synth->groundTruthPath);
    if (!reference.ok())
        return reference.error();

    // 2. The per-frame pipeline.
    AnalysisConfig config;
    config.method = opt.method;
    auto method = MethodRegistry::instance().create(config.method, config.methodOptions);
    if (!method.ok())
        return method.error();
    if (method.value()->input() != MethodInput::RgbTrace)
        return Error{ErrorCode::Usage, QStringLiteral("the soak runs a classical (RGB-trace) method, not '%1'").arg(opt.method)};
    FrameProcessor processor(config, method.value().get());
    if (Error e = processor.init(); e.isError())
        return e;

    const int64_t totalFrames = int64_t(std::llround(opt.minutes * 60.0 * kFps));
    const int64_t framesPerMinute = int64_t(60 * kFps);
    const size_t ringFrames = size_t(30 * kFps);   // 30 s of records re-analysed per update, like the live engine
    std::deque<FrameRecord> ring;
    std::vector<FrameRecord> windowRecords;
    windowRecords.reserve(ringFrames);

    struct Minute
    {
        double minute = 0;
        double rssMiB = 0;
        double meanMs = 0, p99Ms = 0, maxMs = 0;   // per-frame processing latency
        double analysisMs = 0;                     // mean time of one HR update
        double maxErrBpm = 0;                      // largest |HR − reference| of the minute's updates
        int updates = 0, within2 = 0, missing = 0;
    };
    std::vector<Minute> minutes;
    std::vector<double> frameMs;
    frameMs.reserve(size_t(framesPerMinute));
    double analysisMsSum = 0;
    Minute cur;
    int64_t frameIndex = 0;
    int loops = 0;
    const double rssStart = residentMiB();

    VideoFileSource source;
    VideoFrame frame;
    std::fprintf(stderr, "soak: %.0f min of media time (%lld frames)\n", opt.minutes, static_cast<long long>(totalFrames));
    while (frameIndex < totalFrames) {
        if (opt.cancel && opt.cancel->load())
            return Error{ErrorCode::Cancelled, QStringLiteral("cancelled")};
        if (!source.isOpen() || source.read(frame) != ReadStatus::Frame) {
            source.close();
            if (Error e = source.open(v.videoPath); e.isError())
                return e;
            if (source.read(frame) != ReadStatus::Frame)
                return Error{ErrorCode::CorruptVideo, QStringLiteral("the soak clip does not decode")};
            ++loops;
        }
        // A continuous clock across loops, as a camera's would be.
        const double tSec = double(frameIndex) / kFps;
        frame.ptsUs = int64_t(std::llround(tSec * 1e6));
        frame.index = frameIndex;

        QElapsedTimer t;
        t.start();
        FrameRecord rec = processor.process(frame);
        rec.index = frameIndex;
        rec.timeSec = tSec;
        ring.push_back(rec);
        if (ring.size() > ringFrames)
            ring.pop_front();
        frameMs.push_back(t.nsecsElapsed() / 1e6);
        ++frameIndex;

        // Every second of media time: the live HR over the ring's newest window.
        if (frameIndex % int64_t(kFps) == 0 && tSec >= config.windowSec) {
            QElapsedTimer ta;
            ta.start();
            windowRecords.assign(ring.begin(), ring.end());
            const SignalResult sig = analyzeSignal(windowRecords, method.value().get(), config, kFps);
            analysisMsSum += ta.nsecsElapsed() / 1e6;
            ++cur.updates;
            const WindowEstimate *last = sig.windows.empty() ? nullptr : &sig.windows.back();
            if (!last || !std::isfinite(last->hrBpm)) {
                ++cur.missing;
            } else {
                // The reference of the same window on the loop's clock (whole loops removed); a
                // window across the seam takes the recording's mean, the HR being steady.
                const double a = std::fmod(last->startSec, kLoopSec), b = std::fmod(last->endSec, kLoopSec);
                const double ref = b > a ? reference->windowHr(a, b) : reference->meanHrBpm;
                const double err = std::abs(last->hrBpm - ref);
                cur.maxErrBpm = std::max(cur.maxErrBpm, err);
                cur.within2 += err <= 2.0;
            }
        }
        if (frameIndex % framesPerMinute == 0 || frameIndex == totalFrames) {
            cur.minute = tSec / 60.0;
            cur.rssMiB = residentMiB();
            double s = 0;
            for (double ms : frameMs)
                s += ms;
            cur.meanMs = frameMs.empty() ? 0 : s / double(frameMs.size());
            cur.p99Ms = percentile(frameMs, 0.99);
            cur.maxMs = frameMs.empty() ? 0 : *std::max_element(frameMs.begin(), frameMs.end());
            cur.analysisMs = cur.updates ? analysisMsSum / cur.updates : 0;
            minutes.push_back(cur);
            std::fprintf(stderr, "soak: minute %3.0f  RSS %.1f MiB  frame %.2f ms (p99 %.2f)  HR updates %d, within 2 bpm %d, "
                                 "missing %d, max error %.2f bpm\n",
                         std::ceil(cur.minute - 1e-9), cur.rssMiB, cur.meanMs, cur.p99Ms, cur.updates, cur.within2,
                         cur.missing, cur.maxErrBpm);
            frameMs.clear();
            analysisMsSum = 0;
            cur = Minute{};
        }
    }
    const double wallSec = total.elapsed() / 1000.0;

    // 3. Figures.
    double rssAfterFirst = minutes.front().rssMiB, rssMax = rssAfterFirst;
    for (const Minute &m : minutes)
        rssMax = std::max(rssMax, m.rssMiB);
    const double growth = rssMax - rssAfterFirst;
    int updates = 0, within = 0, missing = 0;
    double worst = 0, firstMean = minutes.front().meanMs, lastMean = minutes.back().meanMs;
    for (const Minute &m : minutes) {
        updates += m.updates;
        within += m.within2;
        missing += m.missing;
        worst = std::max(worst, m.maxErrBpm);
    }
    const bool rssOk = growth < 20.0;
    const bool hrOk = updates > 0 && within == updates;

    // 4. The curve.
    std::vector<double> x, rss, lat, p99, err;
    for (const Minute &m : minutes) {
        x.push_back(m.minute);
        rss.push_back(m.rssMiB);
        lat.push_back(m.meanMs);
        p99.push_back(m.p99Ms);
        err.push_back(m.maxErrBpm);
    }
    auto chart = [&](std::vector<report::Series> s, const QString &title, const QString &y, double yMin) {
        report::ChartOptions o;
        o.title = title;
        o.xLabel = QStringLiteral("media time (min)");
        o.yLabel = y;
        o.width = 640;
        o.height = 380;
        o.yMin = yMin;
        return report::lineChart(s, o);
    };
    auto series = [&x](const QString &name, const std::vector<double> &y) {
        report::Series s;
        s.name = name;
        s.x = x;
        s.y = y;
        return s;
    };
    const report::Series sRss = series(QStringLiteral("VmRSS"), rss);
    const report::Series sLat = series(QStringLiteral("mean"), lat);
    const report::Series sP99 = series(QStringLiteral("p99"), p99);
    const report::Series sErr = series(QStringLiteral("max |HR error| per minute"), err);
    const QImage png = report::gridOfCharts(
        {chart({sRss}, QStringLiteral("Resident memory"), QStringLiteral("MiB"), 0),
         chart({sLat, sP99}, QStringLiteral("Per-frame processing latency"), QStringLiteral("ms"), 0),
         chart({sErr}, QStringLiteral("Heart-rate error vs ground truth"), QStringLiteral("bpm"), 0)},
        3, QStringLiteral("Soak: %1 min of live analysis (%2, synthetic %3 bpm)").arg(opt.minutes, 0, 'f', 0)
               .arg(opt.method.toUpper()).arg(kHrBpm, 0, 'f', 0));
    QString pngNote;
    if (!opt.pngPath.isEmpty()) {
        QDir().mkpath(QFileInfo(opt.pngPath).absolutePath());
        pngNote = png.save(opt.pngPath) ? QStringLiteral("![soak curve](%1)\n\n").arg(QFileInfo(opt.pngPath).fileName())
                                        : QStringLiteral("(the curve could not be written to %1)\n\n").arg(opt.pngPath);
    }

    // 5. Markdown.
    QString md;
    QTextStream out(&md);
    out << "## Reliability: soak (an hour of live analysis)\n\n"
        << machineLines(QStringLiteral("rppg bench --parts soak --soak-minutes %1").arg(opt.minutes, 0, 'f', 0), wallSec / 60.0)
        << "- Source: a 60 s synthetic clip (480×360, 30 fps, x264 2000k, steady " << kHrBpm << " bpm, no HRV) decoded in a loop "
        << loops << " times; " << frameIndex << " frames = " << num(frameIndex / kFps / 60.0, 1) << " min of media time, fed "
        << "as fast as processed: " << num(frameIndex / kFps / wallSec, 1) << "× real time.\n"
        << "- Pipeline: FrameProcessor (face tracking, skin, mean colour) per frame, a 30 s ring of records, and every second "
        << "of media time " << opt.method.toUpper() << " + analyzeSignal() on the ring (the live engine's loop); HR = the newest "
        << num(config.windowSec, 0) << " s window.\n"
        << "- **Resident memory:** " << num(rssStart, 1) << " MiB before the loop, " << num(rssAfterFirst, 1)
        << " MiB after the first minute, at most " << num(rssMax, 1) << " MiB later: growth **" << num(growth, 1)
        << " MiB** (target < 20 MiB: " << (rssOk ? "met" : "NOT met") << ").\n"
        << "- **Latency:** per-frame processing " << num(firstMean, 2) << " ms (mean, first minute) → " << num(lastMean, 2)
        << " ms (last minute).\n"
        << "- **Heart rate:** " << within << " of " << updates << " updates within 2 bpm of the ground truth ("
        << missing << " without an estimate); largest error " << num(worst, 2) << " bpm (target: all within 2 bpm: "
        << (hrOk ? "met" : "NOT met") << ").\n\n"
        << pngNote
        << "| minute | VmRSS (MiB) | frame mean (ms) | frame p99 (ms) | frame max (ms) | HR update (ms) | updates | within 2 bpm | max error (bpm) |\n"
        << "|---|---|---|---|---|---|---|---|---|\n";
    const size_t step = minutes.size() > 20 ? minutes.size() / 12 : 1;
    for (size_t i = 0; i < minutes.size(); ++i) {
        if (i % step != 0 && i + 1 != minutes.size())
            continue;
        const Minute &m = minutes[i];
        out << "| " << num(m.minute, 1) << " | " << num(m.rssMiB, 1) << " | " << num(m.meanMs, 2) << " | " << num(m.p99Ms, 2)
            << " | " << num(m.maxMs, 1) << " | " << num(m.analysisMs, 2) << " | " << m.updates << " | " << m.within2 << " | "
            << num(m.maxErrBpm, 2) << " |\n";
    }
    out << "\n";
    out.flush();
    return md;
}

} // namespace rppg::cli
