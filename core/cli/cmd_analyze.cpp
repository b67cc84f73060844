// rppg analyze VIDEO: the headless pipeline from a video file to heart rate.

#include "analysiscsv.h"
#include "commands.h"
#include "datasets.h"
#include "evaluation.h"
#include "offlineanalyzer.h"
#include "options.h"
#include "ppgseries.h"
#include "progressbar.h"
#include "signalanalyzer.h"
#include "synth.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <cstdio>
#include <optional>

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

// The reference heart rate the results are compared with: a file given with --reference, or one
// found beside the video (its synthetic ground truth, or UBFC-rPPG's files in its folder).
struct Reference
{
    QString path;
    QString label;                       // how the summary names it
    std::optional<HrReference> hr;
    double meanHrBpm = kNaN;             // the printed reference
    double breathsPerMin = kNaN;         // a synthetic video's breathing rate, from its description
    std::optional<ReferenceScore> score; // the analysis against it
};

// The windows of a signal; with `reference`, each with the reference over it.
QJsonArray windowsJson(const SignalResult &s, const ReferenceScore *reference)
{
    QJsonArray windows;
    for (size_t k = 0; k < s.windows.size(); ++k) {
        const WindowEstimate &w = s.windows[k];
        QJsonObject jw;
        jw[QStringLiteral("end_s")] = jnum(w.endSec, 3);
        jw[QStringLiteral("hr_bpm")] = jnum(w.hrBpm, 2);
        jw[QStringLiteral("snr_db")] = jnum(w.snrDb, 2);
        jw[QStringLiteral("quality")] = qualityName(w.quality);
        if (w.quality == Quality::Low)
            jw[QStringLiteral("quality_reason")] = lowReasonName(lowReason(w));
        if (std::isfinite(w.motionAmplitude))
            jw[QStringLiteral("motion")] = jnum(w.motionAmplitude, 4);
        if (w.motionLocked)
            jw[QStringLiteral("motion_locked")] = true;
        if (std::isfinite(w.steadiness))
            jw[QStringLiteral("steadiness")] = jnum(w.steadiness, 3);
        if (w.unsteady)
            jw[QStringLiteral("unsteady")] = true;
        if (std::isfinite(w.witnessHrBpm))
            jw[QStringLiteral("witness_hr_bpm")] = jnum(w.witnessHrBpm, 2);
        if (w.unconfirmed)
            jw[QStringLiteral("unconfirmed")] = true;
        if (std::isfinite(w.octaveFromBpm))
            jw[QStringLiteral("octave_from_bpm")] = jnum(w.octaveFromBpm, 2);
        if (std::isfinite(w.frozenShare))
            jw[QStringLiteral("frozen_share")] = jnum(w.frozenShare, 3);
        if (w.frozen)
            jw[QStringLiteral("frozen")] = true;
        if (reference && k < reference->perWindow.size())
            jw[QStringLiteral("ref_hr_bpm")] = jnum(reference->perWindow[k], 2);
        windows.append(jw);
    }
    return windows;
}

QString rateText(double perMin)
{
    return std::isfinite(perMin) ? QString::number(perMin, 'f', 1) : QStringLiteral("n/a");
}

// Why the HRV is not to be trusted (SignalResult::hrvQuality Low), as a tail for the summary's
// HRV line; empty when it is.
QString hrvDoubt(const SignalResult &s, const AnalysisConfig &config)
{
    if (s.hrvQuality != Quality::Low)
        return {};
    QStringList why;
    if (fewWindowsOk(s))
        why << QStringLiteral("the heart rate is not to be trusted");
    if (!(s.beatShapeCorrelation >= config.hrvMinBeatCorrelation))
        why << QStringLiteral("beat-shape correlation %1, clean beats reach %2")
                   .arg(std::isfinite(s.beatShapeCorrelation) ? QString::number(s.beatShapeCorrelation, 'f', 2)
                                                              : QStringLiteral("n/a"))
                   .arg(config.hrvMinBeatCorrelation, 0, 'f', 2);
    if (s.hrv.implausible > config.hrvMaxImplausibleShare * s.hrv.intervals)
        why << QStringLiteral("%1 of %2 beat intervals implausible").arg(s.hrv.implausible).arg(s.hrv.intervals);
    if (why.isEmpty())   // rateBeatMeasures() without likeness as evidence
        why << QStringLiteral("a network's waveform: it draws every beat alike, so their likeness says nothing");
    return QStringLiteral(", uncertain (%1)").arg(why.join(QStringLiteral("; ")));
}

QJsonObject respirationJson(const RespirationEstimate &e)
{
    QJsonObject o;
    o[QStringLiteral("breaths_per_min")] = jnum(e.ratePerMin, 2);
    o[QStringLiteral("from_intervals_per_min")] = jnum(e.intervalRatePerMin, 2);
    o[QStringLiteral("from_amplitudes_per_min")] = jnum(e.amplitudeRatePerMin, 2);
    o[QStringLiteral("quality")] = qualityName(e.quality);
    o[QStringLiteral("beats")] = e.beats;
    return o;
}

// A method run beside the main one (--compare), scored against the same reference.
struct Compared
{
    MethodSignal method;
    std::optional<ReferenceScore> score;
};

QJsonObject toJson(const AnalysisResult &r, const Reference &ref, const std::vector<Compared> &compared)
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
    if (std::isfinite(s.octaveFromBpm))
        o[QStringLiteral("octave_from_bpm")] = jnum(s.octaveFromBpm, 2);
    if (!s.witnessPulses.empty())
        o[QStringLiteral("witnesses")] = QJsonArray::fromStringList(witnessesFor(r.config, r.method));
    o[QStringLiteral("frozen_share")] = jnum(s.frozenShare, 3);
    o[QStringLiteral("windows_median_hr_bpm")] = jnum(s.windowsMedianHrBpm, 2);
    o[QStringLiteral("frames")] = qint64(r.frames.size());
    o[QStringLiteral("face_frames")] = r.faceFrames;
    o[QStringLiteral("duration_s")] = jnum(durationOf(r), 3);
    o[QStringLiteral("fs_hz")] = jnum(s.fsHz, 3);
    o[QStringLiteral("mean_ibi_ms")] = s.hrv.valid ? jnum(s.hrv.meanIbiMs, 1) : QJsonValue();
    o[QStringLiteral("sdnn_ms")] = s.hrv.valid ? jnum(s.hrv.sdnnMs, 1) : QJsonValue();
    o[QStringLiteral("rmssd_ms")] = s.hrv.valid ? jnum(s.hrv.rmssdMs, 1) : QJsonValue();
    o[QStringLiteral("hrv_quality")] = qualityName(s.hrvQuality);
    o[QStringLiteral("beat_shape_correlation")] = jnum(s.beatShapeCorrelation, 3);
    o[QStringLiteral("beats")] = int(s.beatTimesSec.size());
    QJsonArray beatTimes;
    for (double t : s.beatTimesSec)
        beatTimes.append(jnum(t, 4));
    o[QStringLiteral("beat_times_s")] = beatTimes;
    o[QStringLiteral("truncated")] = r.truncated;
    o[QStringLiteral("processing_s")] = jnum(r.processingSec, 3);
    o[QStringLiteral("realtime_factor")] = r.processingSec > 0 ? jnum(durationOf(r) / r.processingSec, 2) : QJsonValue();
    if (std::isfinite(ref.meanHrBpm))
        o[QStringLiteral("reference_hr_bpm")] = jnum(ref.meanHrBpm, 2);
    if (ref.score) {
        o[QStringLiteral("reference")] = ref.path;
        o[QStringLiteral("window_mae_bpm")] = jnum(ref.score->windowMaeBpm, 2);
    }
    o[QStringLiteral("windows")] = windowsJson(s, ref.score ? &*ref.score : nullptr);
    o[QStringLiteral("respiration")] = respirationJson(s.respiration);
    if (std::isfinite(ref.breathsPerMin))
        o[QStringLiteral("reference_breaths_per_min")] = jnum(ref.breathsPerMin, 2);
    QJsonArray breathing;
    for (const RespirationEstimate &e : s.respirationWindows) {
        QJsonObject jw = respirationJson(e);
        jw[QStringLiteral("end_s")] = jnum(e.endSec, 3);
        breathing.append(jw);
    }
    o[QStringLiteral("respiration_windows")] = breathing;
    if (!compared.empty()) {
        QJsonArray list;
        for (const Compared &c : compared) {
            const SignalResult &cs = c.method.signal;
            QJsonObject jc;
            jc[QStringLiteral("method")] = c.method.method;
            jc[QStringLiteral("device")] = c.method.device;
            if (!c.method.model.isEmpty())
                jc[QStringLiteral("model")] = c.method.model;
            jc[QStringLiteral("hr_bpm")] = jnum(cs.hrBpm, 2);
            jc[QStringLiteral("snr_db")] = jnum(cs.snrDb, 2);
            if (std::isfinite(cs.octaveFromBpm))
                jc[QStringLiteral("octave_from_bpm")] = jnum(cs.octaveFromBpm, 2);
            if (!cs.witnessPulses.empty())
                jc[QStringLiteral("witnesses")] = QJsonArray::fromStringList(witnessesFor(r.config, c.method.method));
            jc[QStringLiteral("windows_median_hr_bpm")] = jnum(cs.windowsMedianHrBpm, 2);
            if (c.score)
                jc[QStringLiteral("window_mae_bpm")] = jnum(c.score->windowMaeBpm, 2);
            jc[QStringLiteral("windows")] = windowsJson(cs, nullptr);
            jc[QStringLiteral("respiration")] = respirationJson(cs.respiration);
            list.append(jc);
        }
        o[QStringLiteral("compared")] = list;
    }
    o[QStringLiteral("warnings")] = QJsonArray::fromStringList(r.warnings);
    return o;
}

void printSummary(const AnalysisResult &r, const Reference &ref, const std::vector<Compared> &compared)
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
    if (s.hasHr() && std::isfinite(s.octaveFromBpm))
        std::printf("heart rate: %.1f bpm (SNR %.1f dB; moved from the method's strongest peak, %.1f bpm, to the "
                    "octave %s confirms)\n",
                    s.hrBpm, s.snrDb, s.octaveFromBpm, qPrintable(witnessesFor(r.config, r.method).join(QLatin1Char('/')).toUpper()));
    else if (s.hasHr())
        std::printf("heart rate: %.1f bpm (SNR %.1f dB)\n", s.hrBpm, s.snrDb);
    else
        std::printf("heart rate: n/a\n");
    if (std::isfinite(ref.meanHrBpm))
        std::printf("reference: %.1f bpm (%s), error %+.1f bpm\n", ref.meanHrBpm, qPrintable(ref.label),
                    s.hrBpm - ref.meanHrBpm);
    int good = 0, low = 0, locked = 0, unsteady = 0, unconfirmed = 0, octave = 0, frozen = 0;
    double lo = 1e9, hi = -1e9;
    for (const WindowEstimate &w : s.windows) {
        if (w.quality == Quality::NoSignal)
            continue;
        (w.quality == Quality::Good ? good : low)++;
        locked += w.motionLocked ? 1 : 0;
        unsteady += w.unsteady ? 1 : 0;
        unconfirmed += w.unconfirmed ? 1 : 0;
        octave += std::isfinite(w.octaveFromBpm) ? 1 : 0;
        frozen += w.frozen ? 1 : 0;
        lo = std::min(lo, w.hrBpm);
        hi = std::max(hi, w.hrBpm);
    }
    if (good + low > 0) {
        QString lowText = QStringLiteral("%1 low quality").arg(low);
        if (locked > 0)
            lowText += QStringLiteral(", %1 of them at the head's motion").arg(locked);
        if (unsteady > 0)
            lowText += QStringLiteral(", %1 whose two halves disagree").arg(unsteady);
        if (frozen > 0)
            lowText += QStringLiteral(", %1 on a frozen picture").arg(frozen);
        if (unconfirmed > 0)
            lowText += QStringLiteral(", %1 that no classical method confirms").arg(unconfirmed);
        QString line = QStringLiteral("windows: %1 of %2 with an estimate (%3), %4-%5 bpm")
                           .arg(good + low)
                           .arg(s.windows.size())
                           .arg(lowText)
                           .arg(lo, 0, 'f', 1)
                           .arg(hi, 0, 'f', 1);
        if (octave > 0)
            line += QStringLiteral(", %1 moved an octave to the method's peak a classical method confirms").arg(octave);
        if (std::isfinite(s.windowsMedianHrBpm))
            line += QStringLiteral(", ok-window median %1 bpm").arg(s.windowsMedianHrBpm, 0, 'f', 1);
        std::printf("%s\n", qPrintable(line));
    }
    if (ref.score && ref.score->windowPairs > 0)
        std::printf("windows vs reference: mean absolute error %.1f bpm over %d windows\n", ref.score->windowMaeBpm,
                    ref.score->windowPairs);
    for (const Compared &c : compared) {
        const SignalResult &cs = c.method.signal;
        QString line = QStringLiteral("compared: %1 ").arg(c.method.method.toUpper());
        line += cs.hasHr() ? QStringLiteral("%1 bpm (SNR %2 dB)").arg(cs.hrBpm, 0, 'f', 1).arg(cs.snrDb, 0, 'f', 1)
                           : QStringLiteral("n/a");
        if (c.score && c.score->windowPairs > 0)
            line += QStringLiteral(", windows vs reference %1 bpm over %2")
                        .arg(c.score->windowMaeBpm, 0, 'f', 1)
                        .arg(c.score->windowPairs);
        std::printf("%s\n", qPrintable(line));
    }
    if (s.hrv.valid)
        std::printf("HRV: mean IBI %.0f ms, SDNN %.1f ms, RMSSD %.1f ms (%zu beats)%s\n", s.hrv.meanIbiMs,
                    s.hrv.sdnnMs, s.hrv.rmssdMs, s.beatTimesSec.size(), qPrintable(hrvDoubt(s, r.config)));
    const RespirationEstimate &b = s.respiration;
    QString breathing = QStringLiteral("breathing: ");
    if (!b.hasRate())
        breathing += QStringLiteral("n/a");
    else if (b.quality == Quality::Good)
        breathing += QStringLiteral("%1 /min (beat intervals and amplitudes agree)").arg(b.ratePerMin, 0, 'f', 1);
    else
        breathing += QStringLiteral("%1 /min, uncertain (beat intervals %2, amplitudes %3)")
                         .arg(b.ratePerMin, 0, 'f', 1)
                         .arg(rateText(b.intervalRatePerMin), rateText(b.amplitudeRatePerMin));
    if (std::isfinite(ref.breathsPerMin))
        breathing += QStringLiteral("; reference %1 /min").arg(ref.breathsPerMin, 0, 'f', 1);
    std::printf("%s\n", qPrintable(breathing));
    if (r.processingSec > 0)
        std::printf("speed: %.0f frames/s, %.1fx real time\n", r.frames.size() / r.processingSec,
                    duration / r.processingSec);
    for (const QString &w : r.warnings)
        std::printf("warning: %s\n", qPrintable(w));
}

// Reads the reference: `given` (--reference), else the one beside the video, if any. The printed
// mean of a synthetic ground truth is its PPG waveform's (as `rppg synth` reports it), not the
// mean of its hr_bpm column.
Result<Reference> loadReference(const QString &videoPath, const QString &given)
{
    Reference ref;
    ref.path = given.isEmpty() ? findVideoReference(videoPath) : given;
    if (ref.path.isEmpty())
        return ref;
    auto loaded = loadVideoReference(ref.path, videoPath);
    if (!loaded.ok()) {
        if (!given.isEmpty())
            return loaded.error();
        // A damaged file beside the video does not stop the analysis the user asked for.
        std::fprintf(stderr, "note: not using %s as the reference: %s\n", qPrintable(ref.path),
                     qPrintable(loaded.error().message));
        return Reference{};
    }
    ref.hr = std::move(loaded.value());
    ref.meanHrBpm = ref.hr->meanHrBpm;
    ref.label = given.isEmpty() ? QStringLiteral("ground truth next to the video") : QFileInfo(given).fileName();
    if (given.isEmpty() && ref.path == groundTruthPathFor(videoPath)) {
        ref.meanHrBpm = referenceHeartRate(ref.hr->timeSec, ref.hr->ppg);
        ref.breathsPerMin = synthBreathingRate(videoPath);
    }
    return ref;
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
        p.addOption({QStringLiteral("reference"),
                     QStringLiteral("Compare with this reference: a CSV with time_s,hr_bpm or a PPG recording "
                                    "(default: the ground truth beside the video, if any)."),
                     QStringLiteral("file")});
        p.addOption({QStringLiteral("compare"),
                     QStringLiteral("Also run these methods in the same pass (comma-separated, e.g. chrom,rppgnet, or all): "
                                    "their HR in the summary and JSON, hr_bpm_<method>/snr_db_<method> in the CSV. "
                                    "--model applies to every neural method run."),
                     QStringLiteral("list")});
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
        // A reference the user named is checked before the analysis, so a typo costs nothing.
        auto reference = loadReference(video, p.value(QStringLiteral("reference")));
        if (!reference.ok())
            return fail(reference.error());
        Reference &ref = reference.value();

        QStringList methods{config->method};
        for (const QString &raw : p.value(QStringLiteral("compare")).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const QString m = raw.trimmed().toLower();
            // "all": every registered method (neural ones when their weights load).
            const QStringList add = m == QLatin1String("all") ? defaultMethods(config->methodOptions) : QStringList{m};
            for (const QString &a : add)
                if (!a.isEmpty() && !methods.contains(a))
                    methods << a;
        }

        ProgressBar bar(QStringLiteral("analyzing"), !p.isSet(QStringLiteral("json")) && !p.isSet(QStringLiteral("no-progress")));
        auto multi = analyzeFileMethods(video, config.value(), methods,
                                        [&bar](int64_t done, int64_t total) { bar.update(done, total); },
                                        interruptFlag());
        bar.finish();
        if (!multi.ok())
            return fail(multi.error());
        std::vector<Compared> compared;
        for (size_t i = 1; i < multi->methods.size(); ++i) {
            Compared c{std::move(multi->methods[i]), std::nullopt};
            if (ref.hr)
                c.score = scoreAgainstReference(*ref.hr, ref.path, c.method.signal, config.value());
            compared.push_back(std::move(c));
        }
        const AnalysisResult result = takeFirstMethod(multi.value(), config.value());
        if (ref.hr)
            ref.score = scoreAgainstReference(*ref.hr, ref.path, result.signal, result.config);
        if (p.isSet(QStringLiteral("csv"))) {
            std::vector<ComparedEstimates> columns;
            for (const Compared &c : compared) {
                ComparedEstimates e;
                e.method = c.method.method;
                for (const WindowEstimate &w : c.method.signal.windows) {
                    e.timeSec.push_back(w.endSec);
                    e.hrBpm.push_back(w.hrBpm);
                    e.snrDb.push_back(w.snrDb);
                }
                columns.push_back(std::move(e));
            }
            if (Error e = writeAnalysisCsv(p.value(QStringLiteral("csv")), result, ref.score ? &*ref.score : nullptr,
                                           columns);
                e.isError())
                return fail(e);
        }
        if (p.isSet(QStringLiteral("json")))
            std::printf("%s\n", QJsonDocument(toJson(result, ref, compared)).toJson(QJsonDocument::Compact).constData());
        else
            printSummary(result, ref, compared);
        std::fflush(stdout);
        if (!result.signal.hasHr())
            return fail(ErrorCode::TooShort, QStringLiteral("not enough usable signal for a heart rate in '%1'")
                                                 .arg(QFileInfo(video).fileName()));
        return kExitOk;
    };
    return c;
}

} // namespace rppg::cli
