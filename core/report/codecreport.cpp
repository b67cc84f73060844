#include "codecreport.h"

#include "charts.h"
#include "dsp.h"
#include "htmlreport.h"
#include "signalanalyzer.h"

#include "rppg_version.h"

#include <opencv2/imgproc.hpp>

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSaveFile>
#include <QTextStream>

#include <algorithm>
#include <cmath>
#include <map>

namespace rppg {

namespace {

QString num(double v, int decimals)
{
    return std::isfinite(v) ? QString::number(v, 'f', decimals) : QString();
}

QString shown(double v, int decimals, const QString &unit = {})
{
    return std::isfinite(v) ? QString::number(v, 'f', decimals) + unit : QStringLiteral("–");
}

QString okWindowsText(const WindowCounts &n)
{
    return n.estimates > 0 ? QStringLiteral("%1 of %2").arg(n.good).arg(n.estimates) : QStringLiteral("–");
}

double achievedKbps(const VariantResult &v)
{
    return v.encode.achievedBitrateBps / 1000.0;
}

QStringList codecsOf(const CodecStudyResult &s)
{
    QStringList codecs;
    for (const VariantResult &v : s.variants)
        if (!codecs.contains(v.setting.codec))
            codecs << v.setting.codec;
    return codecs;
}

// Variants of one codec, lowest bit rate first.
std::vector<const VariantResult *> variantsOf(const CodecStudyResult &s, const QString &codec)
{
    std::vector<const VariantResult *> out;
    for (const VariantResult &v : s.variants)
        if (v.setting.codec == codec)
            out.push_back(&v);
    std::sort(out.begin(), out.end(), [](const VariantResult *a, const VariantResult *b) {
        return achievedKbps(*a) < achievedKbps(*b);
    });
    return out;
}

QImage toQImage(const cv::Mat &bgr)
{
    if (bgr.empty())
        return {};
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    return QImage(rgb.data, rgb.cols, rgb.rows, int(rgb.step), QImage::Format_RGB888).copy();
}

// The face crop of a contact frame, enlarged around the box; empty without a face.
QImage faceInset(const VariantResult &v)
{
    if (v.contactFrame.empty() || v.contactFace.area() <= 0)
        return {};
    const cv::Rect2f b = v.contactFace;
    const float side = std::max(b.width, b.height) * 0.6f;   // the middle of the face: cheeks and nose
    cv::Rect r(cvRound(b.x + b.width / 2 - side / 2), cvRound(b.y + b.height / 2 - side / 2), cvRound(side),
               cvRound(side));
    r &= cv::Rect(0, 0, v.contactFrame.cols, v.contactFrame.rows);
    if (r.area() <= 0)
        return {};
    cv::Mat zoom;
    cv::resize(v.contactFrame(r), zoom, cv::Size(), 3.0, 3.0, cv::INTER_NEAREST);   // show the blocks
    return toQImage(zoom);
}

std::vector<double> zscored(const SignalResult &s, double fromSec, double toSec, std::vector<double> &times)
{
    std::vector<double> v;
    times.clear();
    for (size_t k = 0; k < s.pulse.size(); ++k) {
        const double t = s.timeAt(k);
        if (t < fromSec || t > toSec)
            continue;
        times.push_back(t);
        v.push_back(s.valid[k] ? s.pulse[k] : kNaN);
    }
    std::vector<double> finite;
    for (double x : v)
        if (std::isfinite(x))
            finite.push_back(x);
    const double m = dsp::mean(finite), sd = dsp::stddev(finite);
    for (double &x : v)
        if (std::isfinite(x))
            x = sd > 0 ? (x - m) / sd : 0.0;
    return v;
}

Error writeText(const QString &path, const QString &text)
{
    return writeFileAtomically(path, text.toUtf8());
}

const VariantResult *worstVariant(const CodecStudyResult &s, const QString &method)
{
    const VariantResult *worst = nullptr;
    double worstErr = -1;
    for (const VariantResult &v : s.variants) {
        const MethodOutcome *o = v.outcome(method);
        const double e = o && std::isfinite(o->hrErrorBpm) ? std::abs(o->hrErrorBpm) : 1e9;
        if (e > worstErr) {
            worstErr = e;
            worst = &v;
        }
    }
    return worst;
}

} // namespace

QStringList codecTrendFindings(const CodecStudyResult &s)
{
    QStringList out;
    for (const QString &method : s.methods) {
        QStringList grows, flat;
        for (const QString &codec : codecsOf(s)) {
            const auto vs = variantsOf(s, codec);
            if (vs.size() < 2)
                continue;
            const MethodOutcome *lo = vs.front()->outcome(method);
            const MethodOutcome *hi = vs.back()->outcome(method);
            if (!lo || !hi)
                continue;
            // Window MAE is the steadier measure; a missing estimate counts as a large error.
            const double eLo = std::isfinite(lo->windowMaeBpm) ? lo->windowMaeBpm : 1e3;
            const double eHi = std::isfinite(hi->windowMaeBpm) ? hi->windowMaeBpm : 1e3;
            const QString detail = QStringLiteral("%1: %2 bpm at %3 kb/s vs %4 bpm at %5 kb/s")
                                       .arg(codec, shown(eLo < 1e3 ? eLo : kNaN, 1))
                                       .arg(achievedKbps(*vs.front()), 0, 'f', 0)
                                       .arg(shown(eHi < 1e3 ? eHi : kNaN, 1))
                                       .arg(achievedKbps(*vs.back()), 0, 'f', 0);
            (eLo > eHi + 0.5 ? grows : flat) << detail;
        }
        if (!grows.isEmpty())
            out << QStringLiteral("%1: the error grows as the bit rate falls for %2 (%3).")
                       .arg(method.toUpper(), QStringList(grows).replaceInStrings(QRegularExpression(QStringLiteral(":.*")), QString()).join(QStringLiteral(", ")), grows.join(QStringLiteral("; ")));
        if (!flat.isEmpty())
            out << QStringLiteral("%1: no such trend for %2 (%3) — here the lowest bit rate is not clearly worse.")
                       .arg(method.toUpper(), QStringList(flat).replaceInStrings(QRegularExpression(QStringLiteral(":.*")), QString()).join(QStringLiteral(", ")), flat.join(QStringLiteral("; ")));
    }
    return out;
}

QImage codecErrorFigure(const CodecStudyResult &s)
{
    std::vector<QImage> panels;
    for (const QString &method : s.methods) {
        std::vector<report::Series> series;
        int ci = 0;
        for (const QString &codec : codecsOf(s)) {
            report::Series sr;
            sr.name = codec;
            sr.color = report::paletteColor(ci++);
            for (const VariantResult *v : variantsOf(s, codec)) {
                const MethodOutcome *o = v->outcome(method);
                sr.x.push_back(achievedKbps(*v));
                sr.y.push_back(o ? o->windowMaeBpm : kNaN);
            }
            series.push_back(sr);
        }
        report::ChartOptions opt;
        opt.title = method.toUpper();
        opt.xLabel = QStringLiteral("achieved bit rate (kb/s)");
        opt.yLabel = QStringLiteral("HR error, window MAE (bpm)");
        opt.logX = true;
        opt.yMin = 0;
        opt.width = 620;
        opt.height = 420;
        panels.push_back(report::lineChart(series, opt));
    }
    return report::gridOfCharts(panels, std::min<int>(3, int(panels.size())),
                                QStringLiteral("Heart-rate error against bit rate (reference: %1)")
                                    .arg(referenceKindName(s.referenceKind)));
}

QImage codecQualityFigure(const CodecStudyResult &s)
{
    std::vector<report::Series> psnr, ssim;
    int ci = 0;
    for (const QString &codec : codecsOf(s)) {
        report::Series a, b;
        a.name = b.name = codec;
        a.color = b.color = report::paletteColor(ci++);
        for (const VariantResult *v : variantsOf(s, codec)) {
            a.x.push_back(achievedKbps(*v));
            a.y.push_back(v->meanPsnrDb);
            b.x.push_back(achievedKbps(*v));
            b.y.push_back(v->meanSsim);
        }
        psnr.push_back(a);
        ssim.push_back(b);
    }
    report::ChartOptions o;
    o.xLabel = QStringLiteral("achieved bit rate (kb/s)");
    o.logX = true;
    o.width = 620;
    o.height = 420;
    o.title = QStringLiteral("Luma PSNR");
    o.yLabel = QStringLiteral("PSNR (dB)");
    const QImage a = report::lineChart(psnr, o);
    o.title = QStringLiteral("Luma SSIM");
    o.yLabel = QStringLiteral("SSIM");
    const QImage b = report::lineChart(ssim, o);
    return report::gridOfCharts({a, b}, 2, QStringLiteral("Picture quality of the variants"));
}

QImage codecWaveformFigure(const CodecStudyResult &s, const QString &method)
{
    const MethodOutcome *src = s.original.outcome(method);
    std::vector<report::Lane> lanes;
    if (!src)
        return report::waveformLanes(lanes, {});
    const SignalResult &ss = src->signal;
    const double duration = ss.pulse.empty() ? 0 : ss.timeAt(ss.pulse.size() - 1) - ss.t0Sec;
    const double mid = ss.t0Sec + duration / 2;
    const double from = std::max(ss.t0Sec, mid - 5), to = from + 10;
    std::vector<double> t;
    const std::vector<double> srcWave = zscored(ss, from, to, t);
    const std::vector<double> srcTimes = t;

    if (s.referenceKind != ReferenceKind::SourceEstimate && !s.reference.ppg.empty()) {
        report::Series ref;
        ref.name = QStringLiteral("reference PPG");
        ref.color = QColor(30, 30, 30);
        ref.style = report::Series::Style::Line;
        std::vector<double> v;
        for (size_t i = 0; i < s.reference.timeSec.size(); ++i) {
            if (s.reference.timeSec[i] >= from && s.reference.timeSec[i] <= to) {
                ref.x.push_back(s.reference.timeSec[i]);
                v.push_back(s.reference.ppg[i]);
            }
        }
        const double m = dsp::mean(v), sd = dsp::stddev(v);
        for (double &x : v)
            x = sd > 0 ? (x - m) / sd : 0;
        ref.y = v;
        lanes.push_back({QStringLiteral("reference"), {ref}});
    }
    report::Series srcSeries;
    srcSeries.name = QStringLiteral("source");
    srcSeries.x = srcTimes;
    srcSeries.y = srcWave;
    srcSeries.color = QColor(120, 120, 120);
    srcSeries.style = report::Series::Style::Line;
    srcSeries.width = 1.5;
    lanes.push_back({QStringLiteral("source (%1)").arg(shown(ss.hrBpm, 1, QStringLiteral(" bpm"))), {srcSeries}});
    int ci = 0;
    for (const QString &codec : codecsOf(s)) {
        const QColor color = report::paletteColor(ci++);
        auto vs = variantsOf(s, codec);
        std::reverse(vs.begin(), vs.end());   // best first
        for (const VariantResult *v : vs) {
            const MethodOutcome *o = v->outcome(method);
            if (!o)
                continue;
            report::Series sr;
            sr.name = v->setting.label();
            sr.y = zscored(o->signal, from, to, sr.x);
            sr.color = color;
            sr.style = report::Series::Style::Line;
            report::Series under = srcSeries;
            under.color = QColor(200, 200, 200);
            lanes.push_back({QStringLiteral("%1 (%2)").arg(v->setting.label(), shown(o->signal.hrBpm, 1, QStringLiteral(" bpm"))),
                             {under, sr}});
        }
    }
    report::ChartOptions opt;
    opt.title = QStringLiteral("%1 pulse, %2–%3 s: each variant (colour) over the source (grey)")
                    .arg(method.toUpper()).arg(from, 0, 'f', 0).arg(to, 0, 'f', 0);
    opt.xLabel = QStringLiteral("time (s)");
    opt.width = 1100;
    opt.height = int(90 * lanes.size() + 120);
    opt.legend = false;
    return report::waveformLanes(lanes, opt);
}

QImage codecContactSheet(const CodecStudyResult &s, const QString &method)
{
    std::vector<report::Tile> tiles;
    report::Tile src;
    src.image = toQImage(s.original.contactFrame);
    src.inset = faceInset(s.original);
    const MethodOutcome *so = s.original.outcome(method);
    src.caption << QStringLiteral("source") << QStringLiteral("HR %1").arg(shown(so ? so->signal.hrBpm : kNaN, 1, QStringLiteral(" bpm")));
    tiles.push_back(src);
    const VariantResult *worst = worstVariant(s, method);
    for (const QString &codec : codecsOf(s)) {
        auto vs = variantsOf(s, codec);
        std::reverse(vs.begin(), vs.end());
        for (const VariantResult *v : vs) {
            report::Tile t;
            t.image = toQImage(v->contactFrame);
            t.inset = faceInset(*v);
            const MethodOutcome *o = v->outcome(method);
            t.caption << QStringLiteral("%1 (%2 kb/s)").arg(v->setting.label()).arg(achievedKbps(*v), 0, 'f', 0)
                      << QStringLiteral("PSNR %1, SSIM %2").arg(shown(v->meanPsnrDb, 1, QStringLiteral(" dB")), shown(v->meanSsim, 3))
                      << QStringLiteral("%1 error %2").arg(method.toUpper(), shown(o ? o->hrErrorBpm : kNaN, 1, QStringLiteral(" bpm")));
            if (v == worst)
                t.accent = QColor(200, 40, 40);
            tiles.push_back(t);
        }
    }
    return report::contactSheet(tiles, 4, 300,
                                QStringLiteral("Frame %1 from every variant (inset: face, 3× zoom)").arg(s.contactFrame));
}

QString codecStudySummaryText(const CodecStudyResult &s)
{
    QString text;
    QTextStream out(&text);
    out << QFileInfo(s.source.path).fileName() << ": " << s.source.width << "x" << s.source.height << ", "
        << s.original.frames.size() << " frames; reference: " << referenceKindName(s.referenceKind);
    if (s.referenceKind != ReferenceKind::SourceEstimate)
        out << " (" << shown(s.reference.recordingHr(), 1, QStringLiteral(" bpm")) << ")";
    out << "\nanalysis: " << analysisSettingsText(s.analysis) << "\n";
    out << QStringLiteral("%1 %2 %3 %4").arg(QStringLiteral("variant"), -14).arg(QStringLiteral("kb/s"), 7)
               .arg(QStringLiteral("PSNR"), 6).arg(QStringLiteral("SSIM"), 6);
    for (const QString &m : s.methods)
        out << QStringLiteral("  %1 HR/err").arg(m.toUpper(), 8);
    out << "\n";
    bool starred = false;
    auto row = [&](const VariantResult &v) {
        out << QStringLiteral("%1 %2 %3 %4").arg(v.setting.label(), -14)
                   .arg(v.isSource() ? QStringLiteral("-") : QString::number(achievedKbps(v), 'f', 0), 7)
                   .arg(v.isSource() ? QStringLiteral("-") : shown(v.meanPsnrDb, 1), 6)
                   .arg(v.isSource() ? QStringLiteral("-") : shown(v.meanSsim, 3), 6);
        for (const QString &m : s.methods) {
            const MethodOutcome *o = v.outcome(m);
            const bool untrusted = o && o->counts().fewOk();
            starred = starred || untrusted;
            out << QStringLiteral("  %1/%2").arg(shown(o ? o->signal.hrBpm : kNaN, 1), 8)
                       .arg(shown(o ? o->hrErrorBpm : kNaN, 1) + (untrusted ? QStringLiteral("*") : QString()), -6);
        }
        out << "\n";
    };
    row(s.original);
    for (const QString &codec : codecsOf(s))
        for (const VariantResult *v : variantsOf(s, codec))
            row(*v);
    if (starred)
        out << "* fewer than half of the windows are ok: that heart rate is not to be trusted\n";
    for (const QString &f : codecTrendFindings(s))
        out << f << "\n";
    out << QStringLiteral("time: %1 s (encoding %2 s; decoding %3 s, PSNR/SSIM %4 s, analysis %5 s summed over workers)\n")
               .arg(s.totalSec, 0, 'f', 1).arg(s.encodeSec, 0, 'f', 1).arg(s.decodeSec, 0, 'f', 1)
               .arg(s.qualitySec, 0, 'f', 1).arg(s.analysisSec, 0, 'f', 1);
    for (const QString &w : s.warnings)
        out << "warning: " << w << "\n";
    out.flush();
    return text;
}

Result<QStringList> writeCodecStudyReport(const CodecStudyResult &s, const QString &outDir)
{
    if (!QDir().mkpath(outDir))
        return Error{ErrorCode::WriteFailed, QStringLiteral("cannot create '%1'").arg(outDir)};
    QDir dir(outDir);
    QStringList written;
    auto all = [&s] {
        std::vector<const VariantResult *> v{&s.original};
        for (const VariantResult &x : s.variants)
            v.push_back(&x);
        return v;
    }();

    // summary.csv: one row per variant × method (the source first).
    {
        QString csv;
        QTextStream out(&csv);
        out << "# rppg-studio " RPPG_VERSION_STRING " codec study\n"
            << "# source: " << s.source.path << "\n"
            << "# reference: " << referenceKindName(s.referenceKind)
            << (s.referencePath.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(s.referencePath)) << "\n"
            << "# window_s: " << s.analysis.windowSec << "\n"
            << "# band_hz: " << s.analysis.bandLowHz << '-' << s.analysis.bandHighHz << "\n"
            << "# witnesses: " << s.analysis.witnessMethods.join(QLatin1Char(',')) << "\n"
            << "variant,codec,target_kbps,crf,achieved_kbps,file_bytes,psnr_db,ssim,method,hr_bpm,reference_hr_bpm,"
               "hr_error_bpm,abs_error_bpm,window_mae_bpm,snr_db,windows_with_hr,ok_window_share\n";
        for (const VariantResult *v : all) {
            for (const MethodOutcome &o : v->methods) {
                out << v->setting.label() << ',' << (v->isSource() ? QStringLiteral("source") : v->setting.codec) << ','
                    << (v->setting.bitrateBps > 0 ? QString::number(v->setting.bitrateBps / 1000) : QString()) << ','
                    << (v->setting.crf >= 0 && v->setting.bitrateBps == 0 ? QString::number(v->setting.crf) : QString()) << ','
                    << (v->isSource() ? QString() : num(achievedKbps(*v), 1)) << ','
                    << (v->isSource() ? QString() : QString::number(v->encode.fileBytes)) << ','
                    << num(v->meanPsnrDb, 3) << ',' << num(v->meanSsim, 5) << ',' << o.method << ','
                    << num(o.signal.hrBpm, 2) << ',' << num(o.referenceHrBpm, 2) << ',' << num(o.hrErrorBpm, 2) << ','
                    << num(std::abs(o.hrErrorBpm), 2) << ',' << num(o.windowMaeBpm, 2) << ',' << num(o.signal.snrDb, 2)
                    << ',' << num(o.windowCoverage, 3) << ',' << num(o.counts().okShare(), 3) << '\n';
            }
        }
        out.flush();
        if (Error e = writeText(dir.filePath(QStringLiteral("summary.csv")), csv); e.isError())
            return e;
        written << dir.filePath(QStringLiteral("summary.csv"));
    }
    // waveforms.csv: long format, one row per sample of every variant and method.
    {
        QString csv;
        QTextStream out(&csv);
        out << "variant,method,time_s,pulse\n";
        for (const VariantResult *v : all)
            for (const MethodOutcome &o : v->methods)
                for (size_t k = 0; k < o.signal.pulse.size(); ++k)
                    out << v->setting.label() << ',' << o.method << ',' << num(o.signal.timeAt(k), 4) << ','
                        << (o.signal.valid[k] ? QString::number(o.signal.pulse[k], 'g', 6) : QString()) << '\n';
        out.flush();
        if (Error e = writeText(dir.filePath(QStringLiteral("waveforms.csv")), csv); e.isError())
            return e;
        written << dir.filePath(QStringLiteral("waveforms.csv"));
    }
    // frames.csv: per-frame picture quality.
    {
        QString csv;
        QTextStream out(&csv);
        out << "variant,frame,psnr_db,ssim\n";
        for (const VariantResult &v : s.variants)
            for (size_t i = 0; i < v.psnrDb.size(); ++i)
                out << v.setting.label() << ',' << i << ',' << num(v.psnrDb[i], 3) << ',' << num(v.ssim[i], 5) << '\n';
        out.flush();
        if (Error e = writeText(dir.filePath(QStringLiteral("frames.csv")), csv); e.isError())
            return e;
        written << dir.filePath(QStringLiteral("frames.csv"));
    }

    // Figures and the HTML report.
    report::HtmlReport html(QStringLiteral("Codec study: %1").arg(QFileInfo(s.source.path).fileName()));
    html.addKeyValues({
        {QStringLiteral("Source"), QStringLiteral("%1 (%2×%3, %4 fps, %5, %6 frames)")
                                       .arg(s.source.path).arg(s.source.width).arg(s.source.height)
                                       .arg(s.source.nominalFps, 0, 'f', 2).arg(s.source.codecName).arg(s.original.frames.size())},
        {QStringLiteral("Reference"), referenceKindName(s.referenceKind)
                                          + (s.referenceKind == ReferenceKind::SourceEstimate
                                                 ? QStringLiteral(" (each method against itself on the source)")
                                                 : QStringLiteral(": %1 bpm over the recording (%2)")
                                                       .arg(shown(s.reference.recordingHr(), 1), s.referencePath))},
        {QStringLiteral("Methods"), s.methods.join(QStringLiteral(", ")).toUpper()},
        {QStringLiteral("Analysis"), analysisSettingsText(s.analysis)},
        {QStringLiteral("Time"), QStringLiteral("%1 s in all; encoding %2 s (wall); decoding %3 s, PSNR/SSIM %4 s, "
                                                "analysis %5 s (summed over workers)")
                                     .arg(s.totalSec, 0, 'f', 1).arg(s.encodeSec, 0, 'f', 1).arg(s.decodeSec, 0, 'f', 1)
                                     .arg(s.qualitySec, 0, 'f', 1).arg(s.analysisSec, 0, 'f', 1)},
        {QStringLiteral("Program"), QStringLiteral("rppg-studio " RPPG_VERSION_STRING ", %1")
                                        .arg(QDateTime::currentDateTimeUtc().toString(Qt::ISODate))},
    });
    html.addHeading(QStringLiteral("Findings"));
    for (const QString &f : codecTrendFindings(s))
        html.addParagraph(f);
    for (const QString &w : s.warnings)
        html.addNote(QStringLiteral("Warning: ") + w);

    struct Figure
    {
        QString file;
        QImage image;
        QString caption;
    };
    std::vector<Figure> figures;
    figures.push_back({QStringLiteral("hr_error_vs_bitrate.png"), codecErrorFigure(s),
                       QStringLiteral("Heart-rate error (mean absolute error over 10 s windows) against the achieved "
                                      "bit rate, per method and codec.")});
    figures.push_back({QStringLiteral("quality_vs_bitrate.png"), codecQualityFigure(s),
                       QStringLiteral("Mean luma PSNR and SSIM of each variant against the source.")});
    const QString firstMethod = s.methods.value(0);
    for (const QString &m : s.methods)
        figures.push_back({QStringLiteral("waveforms_%1.png").arg(m), codecWaveformFigure(s, m),
                           QStringLiteral("%1 pulse of every variant over the source's, 10 s from the middle (z-scored).")
                               .arg(m.toUpper())});
    figures.push_back({QStringLiteral("contact_sheet.png"), codecContactSheet(s, firstMethod),
                       QStringLiteral("The same frame from every variant; the inset enlarges the middle of the face 3× "
                                      "without smoothing, so the codec's blocks show. Red frame: largest %1 error.")
                           .arg(firstMethod.toUpper())});
    for (const Figure &f : figures) {
        if (Error e = report::writePng(f.image, dir.filePath(f.file)); e.isError())
            return e;
        written << dir.filePath(f.file);
    }
    html.addHeading(QStringLiteral("Heart-rate error"));
    html.addImage(figures[0].image, figures[0].caption, QStringLiteral("HR error against bit rate"));
    html.addHeading(QStringLiteral("Results per variant"));
    QStringList header{QStringLiteral("variant"), QStringLiteral("kb/s"), QStringLiteral("PSNR dB"), QStringLiteral("SSIM"),
                       QStringLiteral("method"), QStringLiteral("HR bpm"), QStringLiteral("error bpm"),
                       QStringLiteral("window MAE bpm"), QStringLiteral("SNR dB"), QStringLiteral("ok windows")};
    std::vector<QStringList> rows;
    for (const VariantResult *v : all)
        for (const MethodOutcome &o : v->methods)
            rows.push_back({v->setting.label(), v->isSource() ? QStringLiteral("–") : shown(achievedKbps(*v), 0),
                            v->isSource() ? QStringLiteral("–") : shown(v->meanPsnrDb, 1),
                            v->isSource() ? QStringLiteral("–") : shown(v->meanSsim, 3), o.method.toUpper(),
                            shown(o.signal.hrBpm, 1), shown(o.hrErrorBpm, 1), shown(o.windowMaeBpm, 1),
                            shown(o.signal.snrDb, 1), okWindowsText(o.counts())});
    html.addTable(header, rows, 7);
    html.addHeading(QStringLiteral("Picture quality"));
    html.addImage(figures[1].image, figures[1].caption, QStringLiteral("PSNR and SSIM against bit rate"));
    html.addHeading(QStringLiteral("Waveforms"));
    for (size_t i = 2; i + 1 < figures.size(); ++i)
        html.addImage(figures[i].image, figures[i].caption, figures[i].file);
    html.addHeading(QStringLiteral("Frames"));
    html.addImage(figures.back().image, figures.back().caption, QStringLiteral("contact sheet"));
    html.addParagraph(QStringLiteral("Tables: summary.csv (one row per variant and method), waveforms.csv (every pulse "
                                     "sample), frames.csv (per-frame PSNR and SSIM)."));
    if (Error e = html.write(dir.filePath(QStringLiteral("report.html"))); e.isError())
        return e;
    written << dir.filePath(QStringLiteral("report.html"));
    return written;
}

} // namespace rppg
