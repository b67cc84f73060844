#include "analysiscsv.h"

#include "rppg_version.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QTextStream>

#include <cmath>

namespace rppg {

namespace {

QString num(double v, int precision, char format = 'f')
{
    return std::isfinite(v) ? QString::number(v, format, precision) : QString();
}

QString roiName(const AnalysisConfig &c)
{
    switch (c.roi.mode) {
    case RoiMode::Face: return QStringLiteral("face");
    case RoiMode::FullFrame: return QStringLiteral("full");
    case RoiMode::Rectangle:
        return QStringLiteral("%1,%2,%3,%4").arg(c.roi.rect.x).arg(c.roi.rect.y).arg(c.roi.rect.width)
            .arg(c.roi.rect.height);
    }
    return {};
}

// Value of the uniform-grid signal at time t: linear between two valid neighbours, the nearest
// valid sample within half a step at segment ends, NaN elsewhere.
double sampleAt(const SignalResult &s, const std::vector<double> &v, double t)
{
    if (v.empty() || s.fsHz <= 0)
        return kNaN;
    const double x = (t - s.t0Sec) * s.fsHz;
    const long k = long(std::floor(x));
    const double a = x - k;
    auto ok = [&](long i) { return i >= 0 && i < long(v.size()) && s.valid[i] && std::isfinite(v[i]); };
    if (ok(k) && ok(k + 1))
        return v[k] + a * (v[k + 1] - v[k]);
    if (ok(k) && a <= 0.5 + 1e-9)
        return v[k];
    if (ok(k + 1) && a >= 0.5 - 1e-9)
        return v[k + 1];
    return kNaN;
}

} // namespace

QStringList analysisCsvColumns()
{
    return {QStringLiteral("frame"), QStringLiteral("time_s"), QStringLiteral("face"),
            QStringLiteral("face_x"), QStringLiteral("face_y"), QStringLiteral("face_w"),
            QStringLiteral("face_h"), QStringLiteral("r"), QStringLiteral("g"), QStringLiteral("b"),
            QStringLiteral("pulse_raw"), QStringLiteral("pulse"), QStringLiteral("hr_bpm"),
            QStringLiteral("snr_db"), QStringLiteral("quality"), QStringLiteral("ref_hr_bpm"),
            QStringLiteral("breaths_per_min"), QStringLiteral("breathing_quality"),
            QStringLiteral("quality_reason")};
}

std::vector<FrameSignalValues> frameSignalValues(const AnalysisResult &result,
                                                 const std::vector<double> &windowReferences)
{
    const SignalResult &s = result.signal;
    std::vector<FrameSignalValues> out(result.frames.size());
    size_t w = 0, b = 0;
    const WindowEstimate *current = nullptr;
    const RespirationEstimate *breathing = nullptr;
    for (size_t i = 0; i < result.frames.size(); ++i) {
        const double t = result.frames[i].timeSec;
        FrameSignalValues &v = out[i];
        v.pulseRaw = sampleAt(s, s.raw, t);
        v.pulse = sampleAt(s, s.pulse, t);
        while (w < s.windows.size() && s.windows[w].endSec <= t + 1e-6)
            current = &s.windows[w++];
        // No estimate for time without a face: a frame with no usable sample shows none either.
        if (current && std::isfinite(v.pulse)) {
            v.hrBpm = current->hrBpm;
            v.snrDb = current->snrDb;
            v.quality = current->quality;
            v.qualityReason = lowReasonName(lowReason(*current));
            if (w - 1 < windowReferences.size() && std::isfinite(v.hrBpm))
                v.refHrBpm = windowReferences[w - 1];
        }
        while (b < s.respirationWindows.size() && s.respirationWindows[b].endSec <= t + 1e-6)
            breathing = &s.respirationWindows[b++];
        if (breathing && std::isfinite(v.pulse) && breathing->hasRate()) {
            v.breathsPerMin = breathing->ratePerMin;
            v.breathingQuality = breathing->quality;
        }
    }
    return out;
}

Error writeAnalysisCsv(const QString &path, const AnalysisResult &result, const ReferenceScore *reference,
                       const std::vector<ComparedEstimates> &compared)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
        return Error{ErrorCode::WriteFailed,
                     QStringLiteral("cannot write '%1': %2").arg(path, file.errorString())};
    QTextStream out(&file);
    const SignalResult &s = result.signal;
    out << "# rppg-studio " RPPG_VERSION_STRING " per-frame analysis\n"
        << "# source: " << result.source << '\n'
        << "# method: " << result.method << '\n';
    if (!result.model.isEmpty())
        out << "# model: " << result.model << '\n';
    if (!s.witnessPulses.empty())
        out << "# witnesses: " << witnessesFor(result.config, result.method).join(QLatin1Char(',')) << '\n';
    out << "# device: " << result.device << '\n'
        << "# roi: " << roiName(result.config) << '\n'
        << "# window_s: " << result.config.windowSec << '\n'
        << "# hop_s: " << result.config.hopSec << '\n'
        << "# band_hz: " << result.config.bandLowHz << '-' << result.config.bandHighHz << '\n'
        << "# snr_threshold_db: " << result.config.snrThresholdDb << '\n'
        << "# fs_hz: " << num(s.fsHz, 3) << '\n'
        << "# frames: " << result.frames.size() << '\n'
        << "# face_frames: " << result.faceFrames << '\n'
        << "# hr_bpm: " << num(s.hrBpm, 2) << '\n'
        << "# snr_db: " << num(s.snrDb, 2) << '\n'
        << "# octave_from_bpm: " << num(s.octaveFromBpm, 2) << '\n'
        << "# frozen_share: " << num(s.frozenShare, 3) << '\n'
        << "# windows_median_hr_bpm: " << num(s.windowsMedianHrBpm, 2) << '\n'
        << "# mean_ibi_ms: " << (s.hrv.valid ? num(s.hrv.meanIbiMs, 1) : QString()) << '\n'
        << "# sdnn_ms: " << (s.hrv.valid ? num(s.hrv.sdnnMs, 1) : QString()) << '\n'
        << "# rmssd_ms: " << (s.hrv.valid ? num(s.hrv.rmssdMs, 1) : QString()) << '\n'
        << "# hrv_quality: " << qualityName(s.hrvQuality) << '\n'
        << "# beat_shape_correlation: " << num(s.beatShapeCorrelation, 3) << '\n'
        << "# breaths_per_min: " << num(s.respiration.ratePerMin, 2) << '\n'
        << "# breathing_quality: " << qualityName(s.respiration.quality) << '\n'
        << "# breathing_window_s: " << result.config.respirationWindowSec << '\n';
    if (reference)
        out << "# reference: " << reference->source << '\n'
            << "# reference_hr_bpm: " << num(reference->recordingHrBpm, 2) << '\n'
            << "# window_mae_bpm: " << num(reference->windowMaeBpm, 2) << '\n';
    QStringList columns = analysisCsvColumns();
    if (!compared.empty()) {
        QStringList names;
        for (const ComparedEstimates &c : compared) {
            names << c.method;
            columns << QStringLiteral("hr_bpm_") + c.method << QStringLiteral("snr_db_") + c.method;
        }
        out << "# compared: " << names.join(QLatin1Char(',')) << '\n';
    }
    for (const QString &w : result.warnings)   // one line each; a reader keeping one value per key sees the last
        out << "# warning: " << QString(w).replace(QLatin1Char('\n'), QLatin1Char(' ')) << '\n';
    out << "# truncated: " << (result.truncated ? "yes" : "no") << '\n'
        << "# created: " << QDateTime::currentDateTimeUtc().toString(Qt::ISODate) << '\n';
    out << columns.join(QLatin1Char(',')) << '\n';
    std::vector<size_t> next(compared.size(), 0);   // per compared method: its first estimate after the frame
    const auto values = frameSignalValues(result, reference ? reference->perWindow : std::vector<double>{});
    for (size_t i = 0; i < result.frames.size(); ++i) {
        const FrameRecord &f = result.frames[i];
        const FrameSignalValues &v = values[i];
        const bool face = f.faceState != FaceState::NoFace;
        out << f.index << ',' << num(f.timeSec, 6) << ',' << (face ? 1 : 0) << ','
            << (face ? num(f.faceBox.x, 1) : QString()) << ',' << (face ? num(f.faceBox.y, 1) : QString())
            << ',' << (face ? num(f.faceBox.width, 1) : QString()) << ','
            << (face ? num(f.faceBox.height, 1) : QString()) << ',' << num(f.rgb[0], 4) << ','
            << num(f.rgb[1], 4) << ',' << num(f.rgb[2], 4) << ',' << num(v.pulseRaw, 6, 'g') << ','
            << num(v.pulse, 6, 'g') << ',' << num(v.hrBpm, 2) << ',' << num(v.snrDb, 2) << ','
            << qualityName(v.quality) << ',' << num(v.refHrBpm, 2) << ',' << num(v.breathsPerMin, 2)
            << ',' << qualityName(v.breathingQuality) << ',' << v.qualityReason;
        for (size_t c = 0; c < compared.size(); ++c) {
            const ComparedEstimates &m = compared[c];
            const size_t n = std::min({m.timeSec.size(), m.hrBpm.size(), m.snrDb.size()});
            while (next[c] < n && m.timeSec[next[c]] <= f.timeSec + 1e-6)
                ++next[c];
            // As hr_bpm: nothing for a frame without a usable skin region.
            const bool has = next[c] > 0 && face && f.skinValid;
            out << ',' << (has ? num(m.hrBpm[next[c] - 1], 2) : QString()) << ','
                << (has ? num(m.snrDb[next[c] - 1], 2) : QString());
        }
        out << '\n';
    }
    out.flush();
    if (out.status() != QTextStream::Ok || !file.commit())
        return Error{ErrorCode::WriteFailed,
                     QStringLiteral("cannot write '%1': %2").arg(path, file.errorString())};
    return {};
}

double AnalysisCsv::number(size_t row, const QString &name) const
{
    const int c = column(name);
    if (c < 0 || row >= rows.size() || c >= int(rows[row].size()))
        return kNaN;
    bool ok = false;
    const double v = rows[row][c].toDouble(&ok);
    return ok ? v : kNaN;
}

QString AnalysisCsv::text(size_t row, const QString &name) const
{
    const int c = column(name);
    if (c < 0 || row >= rows.size() || c >= int(rows[row].size()))
        return {};
    return rows[row][c];
}

Result<AnalysisCsv> readAnalysisCsv(const QString &path)
{
    QFile file(path);
    if (!file.exists())
        return Error{ErrorCode::FileNotFound, QStringLiteral("'%1' does not exist").arg(path)};
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return Error{ErrorCode::FileNotFound,
                     QStringLiteral("cannot read '%1': %2").arg(path, file.errorString())};
    AnalysisCsv csv;
    QTextStream in(&file);
    int lineNo = 0;
    while (!in.atEnd()) {
        const QString line = in.readLine();
        ++lineNo;
        if (line.trimmed().isEmpty())
            continue;
        if (line.startsWith(QLatin1Char('#'))) {
            const int colon = line.indexOf(QLatin1Char(':'));
            if (colon > 0)
                csv.meta.insert(line.mid(1, colon - 1).trimmed(), line.mid(colon + 1).trimmed());
            continue;
        }
        const QStringList cells = line.split(QLatin1Char(','));
        if (csv.columns.isEmpty()) {
            csv.columns = cells;
            for (const QString &required : {QStringLiteral("time_s"), QStringLiteral("pulse"),
                                            QStringLiteral("hr_bpm")}) {
                if (!csv.columns.contains(required))
                    return Error{ErrorCode::BadData,
                                 QStringLiteral("'%1' is not an rPPG Studio analysis CSV (no '%2' column)")
                                     .arg(path, required)};
            }
            continue;
        }
        if (cells.size() != csv.columns.size())
            return Error{ErrorCode::BadData, QStringLiteral("'%1' line %2: %3 cells where the header has %4")
                                                 .arg(path).arg(lineNo).arg(cells.size()).arg(csv.columns.size())};
        csv.rows.emplace_back(cells.begin(), cells.end());
    }
    if (csv.columns.isEmpty())
        return Error{ErrorCode::BadData, QStringLiteral("'%1' has no header row").arg(path)};
    return csv;
}

} // namespace rppg
