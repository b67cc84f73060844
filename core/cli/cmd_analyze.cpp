// rppg analyze VIDEO: the headless pipeline from a video file to heart rate.

#include "analysiscsv.h"
#include "commands.h"
#include "datasets.h"
#include "offlineanalyzer.h"
#include "options.h"
#include "ppgseries.h"
#include "progressbar.h"
#include "synth.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <cstdio>

namespace rppg::cli {

namespace {

QJsonValue jnum(double v, int decimals = 3)
{
    if (!std::isfinite(v))
        return QJsonValue(QJsonValue::Null);
    const double p = std::pow(10.0, decimals);
    return std::round(v * p) / p;
}

double durationOf(const AnalysisResult &r)
{
    if (r.frames.empty())
        return 0;
    const double fps = r.signal.fsHz > 0 ? r.signal.fsHz : 30.0;
    return r.frames.back().timeSec - r.frames.front().timeSec + 1.0 / fps;
}

QJsonObject toJson(const AnalysisResult &r, double referenceHr)
{
    const SignalResult &s = r.signal;
    QJsonObject o;
    o[QStringLiteral("source")] = r.source;
    o[QStringLiteral("method")] = r.method;
    o[QStringLiteral("device")] = r.device;
    if (!r.model.isEmpty())
        o[QStringLiteral("model")] = r.model;
    o[QStringLiteral("hr_bpm")] = jnum(s.hrBpm, 2);
    o[QStringLiteral("snr_db")] = jnum(s.snrDb, 2);
    o[QStringLiteral("frames")] = qint64(r.frames.size());
    o[QStringLiteral("face_frames")] = r.faceFrames;
    o[QStringLiteral("duration_s")] = jnum(durationOf(r), 3);
    o[QStringLiteral("fs_hz")] = jnum(s.fsHz, 3);
    o[QStringLiteral("mean_ibi_ms")] = s.hrv.valid ? jnum(s.hrv.meanIbiMs, 1) : QJsonValue();
    o[QStringLiteral("sdnn_ms")] = s.hrv.valid ? jnum(s.hrv.sdnnMs, 1) : QJsonValue();
    o[QStringLiteral("rmssd_ms")] = s.hrv.valid ? jnum(s.hrv.rmssdMs, 1) : QJsonValue();
    o[QStringLiteral("beats")] = int(s.beatTimesSec.size());
    o[QStringLiteral("truncated")] = r.truncated;
    o[QStringLiteral("processing_s")] = jnum(r.processingSec, 3);
    o[QStringLiteral("realtime_factor")] = r.processingSec > 0 ? jnum(durationOf(r) / r.processingSec, 2) : QJsonValue();
    if (std::isfinite(referenceHr))
        o[QStringLiteral("reference_hr_bpm")] = jnum(referenceHr, 2);
    QJsonArray windows;
    for (const WindowEstimate &w : s.windows) {
        QJsonObject jw;
        jw[QStringLiteral("end_s")] = jnum(w.endSec, 3);
        jw[QStringLiteral("hr_bpm")] = jnum(w.hrBpm, 2);
        jw[QStringLiteral("snr_db")] = jnum(w.snrDb, 2);
        jw[QStringLiteral("quality")] = qualityName(w.quality);
        windows.append(jw);
    }
    o[QStringLiteral("windows")] = windows;
    o[QStringLiteral("warnings")] = QJsonArray::fromStringList(r.warnings);
    return o;
}

void printSummary(const AnalysisResult &r, double referenceHr)
{
    const SignalResult &s = r.signal;
    const VideoInfo &v = r.video;
    const double duration = durationOf(r);
    std::printf("%s: %.1f s, %zu frames (%dx%d, %.2f fps, %s)\n", qPrintable(QFileInfo(r.source).fileName()),
                duration, r.frames.size(), v.width, v.height, v.nominalFps, qPrintable(v.codecName));
    std::printf("region: %s in %d of %zu frames\n",
                r.config.roi.mode == RoiMode::Face ? "face" : "fixed region", r.faceFrames, r.frames.size());
    std::printf("method: %s on %s, window %.0f s, band %.2f-%.2f Hz\n", qPrintable(r.method.toUpper()),
                qPrintable(r.device), r.config.windowSec, r.config.bandLowHz, r.config.bandHighHz);
    if (s.hasHr())
        std::printf("heart rate: %.1f bpm (SNR %.1f dB)\n", s.hrBpm, s.snrDb);
    else
        std::printf("heart rate: n/a\n");
    if (std::isfinite(referenceHr))
        std::printf("reference: %.1f bpm (ground truth next to the video), error %+.1f bpm\n", referenceHr,
                    s.hrBpm - referenceHr);
    int good = 0, low = 0;
    double lo = 1e9, hi = -1e9;
    for (const WindowEstimate &w : s.windows) {
        if (w.quality == Quality::NoSignal)
            continue;
        (w.quality == Quality::Good ? good : low)++;
        lo = std::min(lo, w.hrBpm);
        hi = std::max(hi, w.hrBpm);
    }
    if (good + low > 0)
        std::printf("windows: %d of %zu with an estimate (%d low quality), %.1f-%.1f bpm\n", good + low,
                    s.windows.size(), low, lo, hi);
    if (s.hrv.valid)
        std::printf("HRV: mean IBI %.0f ms, SDNN %.1f ms, RMSSD %.1f ms (%zu beats)\n", s.hrv.meanIbiMs,
                    s.hrv.sdnnMs, s.hrv.rmssdMs, s.beatTimesSec.size());
    if (r.processingSec > 0)
        std::printf("speed: %.0f frames/s, %.1fx real time\n", r.frames.size() / r.processingSec,
                    duration / r.processingSec);
    for (const QString &w : r.warnings)
        std::printf("warning: %s\n", qPrintable(w));
}

// Mean HR of the reference beside the video (its synthetic ground truth, or UBFC-rPPG's files in
// its folder), if there is one.
double referenceHeartRateFor(const QString &videoPath)
{
    const QString gt = groundTruthPathFor(videoPath);
    if (QFileInfo::exists(gt)) {
        auto series = readPpgCsv(gt);
        return series.ok() ? referenceHeartRate(series.value()) : std::nan("");
    }
    const QString other = findVideoReference(videoPath);
    if (other.isEmpty())
        return std::nan("");
    auto reference = loadVideoReference(other, videoPath);
    return reference.ok() ? reference->meanHrBpm : std::nan("");
}

} // namespace

Command analyzeCommand()
{
    Command c;
    c.name = QStringLiteral("analyze");
    c.summary = QStringLiteral("heart rate from a video file (classical or neural methods)");
    c.run = [](const QStringList &args) -> int {
        QCommandLineParser p;
        p.setApplicationDescription(QStringLiteral("Measure heart rate from a face video."));
        addHelpOption(p);
        p.addPositionalArgument(QStringLiteral("video"), QStringLiteral("Video file (any format FFmpeg reads)."));
        addAnalysisOptions(p);
        p.addOption({QStringLiteral("csv"), QStringLiteral("Write one row per frame to <file> (README: CSV schema)."),
                     QStringLiteral("file")});
        p.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON object instead of the summary.")});
        p.addOption({QStringLiteral("no-progress"), QStringLiteral("Do not draw a progress bar.")});
        if (auto code = parseCommandLine(p, args))
            return *code;
        if (p.positionalArguments().size() != 1)
            return fail(ErrorCode::Usage, QStringLiteral("analyze needs exactly one video file (see --help)"));
        const QString video = p.positionalArguments().first();
        auto config = analysisConfigFromOptions(p);
        if (!config.ok())
            return fail(config.error());

        ProgressBar bar(QStringLiteral("analyzing"), !p.isSet(QStringLiteral("json")) && !p.isSet(QStringLiteral("no-progress")));
        auto result = analyzeFile(video, config.value(),
                                  [&bar](int64_t done, int64_t total) { bar.update(done, total); },
                                  interruptFlag());
        bar.finish();
        if (!result.ok())
            return fail(result.error());
        const double referenceHr = referenceHeartRateFor(video);
        if (p.isSet(QStringLiteral("csv"))) {
            if (Error e = writeAnalysisCsv(p.value(QStringLiteral("csv")), result.value()); e.isError())
                return fail(e);
        }
        if (p.isSet(QStringLiteral("json")))
            std::printf("%s\n", QJsonDocument(toJson(result.value(), referenceHr)).toJson(QJsonDocument::Compact).constData());
        else
            printSummary(result.value(), referenceHr);
        std::fflush(stdout);
        if (!result->signal.hasHr())
            return fail(ErrorCode::TooShort, QStringLiteral("not enough usable signal for a heart rate in '%1'")
                                                 .arg(QFileInfo(video).fileName()));
        return kExitOk;
    };
    return c;
}

} // namespace rppg::cli
