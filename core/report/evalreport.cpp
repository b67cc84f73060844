#include "evalreport.h"

#include "charts.h"
#include "htmlreport.h"

#include "rppg_version.h"

#include <QDateTime>
#include <QDir>
#include <QSaveFile>
#include <QTextStream>

#include <cmath>

namespace rppg {

namespace {

QString num(double v, int d)
{
    return std::isfinite(v) ? QString::number(v, 'f', d) : QString();
}

QString shown(double v, int d)
{
    return std::isfinite(v) ? QString::number(v, 'f', d) : QStringLiteral("–");
}

QString roiName(RoiMode m)
{
    switch (m) {
    case RoiMode::Face: return QStringLiteral("face");
    case RoiMode::FullFrame: return QStringLiteral("full");
    case RoiMode::Rectangle: return QStringLiteral("rect");
    }
    return {};
}

std::vector<report::PairedGroup> groups(const EvaluationResult &r)
{
    std::vector<report::PairedGroup> out;
    for (const QString &m : r.methods) {
        report::PairedGroup g;
        g.name = m.toUpper();
        for (const ItemResult &ir : r.items)
            for (const ItemOutcome &o : ir.outcomes)
                if (o.method == m && std::isfinite(o.hrBpm) && std::isfinite(o.referenceHrBpm)) {
                    g.estimate.push_back(o.hrBpm);
                    g.reference.push_back(o.referenceHrBpm);
                }
        out.push_back(g);
    }
    return out;
}

Error writeText(const QString &path, const QString &text)
{
    return writeFileAtomically(path, text.toUtf8());
}

} // namespace

QImage evaluationBlandAltman(const EvaluationResult &r)
{
    report::ChartOptions o;
    o.title = QStringLiteral("Bland–Altman: estimate against reference");
    o.xLabel = QStringLiteral("mean of estimate and reference (bpm)");
    o.yLabel = QStringLiteral("estimate − reference (bpm)");
    return report::blandAltman(groups(r), o);
}

QImage evaluationScatter(const EvaluationResult &r)
{
    report::ChartOptions o;
    o.title = QStringLiteral("Estimated against reference heart rate");
    o.xLabel = QStringLiteral("reference (bpm)");
    o.yLabel = QStringLiteral("estimate (bpm)");
    return report::scatterVsReference(groups(r), o);
}

QString evaluationSummaryText(const EvaluationResult &r)
{
    QString text;
    QTextStream out(&text);
    int items = 0;
    for (const DatasetScan &d : r.datasets)
        items += int(d.items.size());
    out << items << " videos from " << r.datasets.size() << " dataset(s), " << r.problems.size()
        << " problem(s) reported\n";
    // MAE..r: whole-video estimates; "win MAE": the windows against the time-resolved reference
    // (what `rppg bench` reports as MAE); "typ MAE": the median of the ok windows against the
    // reference's median over the same windows.
    out << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9 %10\n")
               .arg(QStringLiteral("method"), -8).arg(QStringLiteral("MAE"), 7).arg(QStringLiteral("RMSE"), 7)
               .arg(QStringLiteral("MAPE%"), 7).arg(QStringLiteral("r"), 6).arg(QStringLiteral("SNR dB"), 7)
               .arg(QStringLiteral("windows"), 8).arg(QStringLiteral("win MAE"), 8).arg(QStringLiteral("typ MAE"), 8)
               .arg(QStringLiteral("with HR"), 8);
    for (const MethodMetrics &m : r.metrics)
        out << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9 %10\n")
                   .arg(m.method.toUpper(), -8).arg(shown(m.maeBpm, 2), 7).arg(shown(m.rmseBpm, 2), 7)
                   .arg(shown(m.mapePercent, 1), 7).arg(shown(m.pearsonR, 3), 6).arg(shown(m.meanSnrDb, 1), 7)
                   .arg(shown(100 * m.windowCoverage, 0) + QLatin1Char('%'), 8).arg(shown(m.windowMaeBpm, 2), 8)
                   .arg(shown(m.typicalMaeBpm, 2), 8).arg(QStringLiteral("%1/%2").arg(m.withHr).arg(m.items), 8);
    // The quality gate: recordings with at least half of their windows ok, and the error of those
    // against the others'.
    for (const MethodMetrics &m : r.metrics)
        out << QStringLiteral("%1 trusted (half or more windows ok): %2 of %3, MAE %4; the others: MAE %5\n")
                   .arg(m.method.toUpper()).arg(m.trusted).arg(m.items).arg(shown(m.trustedMaeBpm, 2))
                   .arg(shown(m.untrustedMaeBpm, 2));
    for (const QString &p : r.problems)
        out << "skipped: " << p << "\n";
    out.flush();
    return text;
}

Result<QStringList> writeEvaluationReport(const EvaluationResult &r, const QString &outDir)
{
    if (!QDir().mkpath(outDir))
        return Error{ErrorCode::WriteFailed, QStringLiteral("cannot create '%1'").arg(outDir)};
    QDir dir(outDir);
    QStringList written;
    {
        QString csv;
        QTextStream out(&csv);
        out << "# rppg-studio " RPPG_VERSION_STRING " evaluation\n"
            << "method,items,items_with_hr,mae_bpm,rmse_bpm,mape_percent,pearson_r,mean_snr_db,window_coverage,window_mae_bpm,"
               "typical_mae_bpm,trusted_items,trusted_mae_bpm,untrusted_mae_bpm\n";
        for (const MethodMetrics &m : r.metrics)
            out << m.method << ',' << m.items << ',' << m.withHr << ',' << num(m.maeBpm, 3) << ',' << num(m.rmseBpm, 3)
                << ',' << num(m.mapePercent, 2) << ',' << num(m.pearsonR, 4) << ',' << num(m.meanSnrDb, 2) << ','
                << num(m.windowCoverage, 3) << ',' << num(m.windowMaeBpm, 3) << ',' << num(m.typicalMaeBpm, 3) << ','
                << m.trusted << ',' << num(m.trustedMaeBpm, 3) << ',' << num(m.untrustedMaeBpm, 3) << '\n';
        out.flush();
        if (Error e = writeText(dir.filePath(QStringLiteral("metrics.csv")), csv); e.isError())
            return e;
        written << dir.filePath(QStringLiteral("metrics.csv"));
    }
    {
        QString csv;
        QTextStream out(&csv);
        out << "video,subject,path,roi,reference_source,method,hr_bpm,reference_hr_bpm,error_bpm,snr_db,window_coverage,"
               "window_mae_bpm,typical_hr_bpm,reference_typical_hr_bpm,ok_window_share,trusted,error\n";
        for (const ItemResult &ir : r.items) {
            auto quoted = [](QString s) { return QLatin1Char('"') + s.replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"'); };
            if (!ir.error.isEmpty()) {
                out << quoted(ir.item.name) << ',' << quoted(ir.item.subject) << ',' << quoted(ir.item.videoPath) << ','
                    << roiName(ir.item.roi) << ',' << quoted(ir.item.referenceSource) << ",,,,,,,,,,,," << quoted(ir.error) << '\n';
                continue;
            }
            for (const ItemOutcome &o : ir.outcomes)
                out << quoted(ir.item.name) << ',' << quoted(ir.item.subject) << ',' << quoted(ir.item.videoPath) << ','
                    << roiName(ir.item.roi) << ',' << quoted(ir.item.referenceSource) << ',' << o.method << ','
                    << num(o.hrBpm, 2) << ',' << num(o.referenceHrBpm, 2) << ',' << num(o.hrBpm - o.referenceHrBpm, 2)
                    << ',' << num(o.snrDb, 2) << ',' << num(o.windowCoverage, 3) << ',' << num(o.windowMaeBpm, 2) << ','
                    << num(o.typicalHrBpm, 2) << ',' << num(o.referenceTypicalHrBpm, 2) << ','
                    << num(WindowCounts{o.estimatedWindows, o.okWindows}.okShare(), 3) << ','
                    << (o.trusted() ? 1 : 0) << ",\n";
        }
        out.flush();
        if (Error e = writeText(dir.filePath(QStringLiteral("per_video.csv")), csv); e.isError())
            return e;
        written << dir.filePath(QStringLiteral("per_video.csv"));
    }
    const QImage ba = evaluationBlandAltman(r), sc = evaluationScatter(r);
    for (const auto &[file, img] : {std::pair<QString, QImage>{QStringLiteral("bland_altman.png"), ba},
                                    std::pair<QString, QImage>{QStringLiteral("scatter.png"), sc}}) {
        if (Error e = report::writePng(img, dir.filePath(file)); e.isError())
            return e;
        written << dir.filePath(file);
    }

    report::HtmlReport html(QStringLiteral("Evaluation"));
    QStringList specs;
    for (const DatasetScan &d : r.datasets)
        specs << QStringLiteral("%1 (%2, %3 videos)").arg(d.root, d.layout).arg(d.items.size());
    html.addKeyValues({{QStringLiteral("Datasets"), specs.join(QStringLiteral("; "))},
                       {QStringLiteral("Methods"), r.methods.join(QStringLiteral(", ")).toUpper()},
                       {QStringLiteral("Time"), QStringLiteral("%1 s").arg(r.totalSec, 0, 'f', 1)},
                       {QStringLiteral("Program"), QStringLiteral("rppg-studio " RPPG_VERSION_STRING ", %1")
                                                       .arg(QDateTime::currentDateTimeUtc().toString(Qt::ISODate))}});
    html.addHeading(QStringLiteral("Metrics per method"));
    html.addParagraph(QStringLiteral("Whole-recording heart rate of each video against its reference. MAE, RMSE and MAPE "
                                     "are over the videos with an estimate; \"windows\" is the share of 10 s windows "
                                     "with an estimate; window MAE uses time-resolved references (synthetic ground truth); "
                                     "typical MAE compares the median of each video's good windows with the reference's "
                                     "median over the same windows (robust when the rate moves); a video is trusted when "
                                     "at least half of its windows with an estimate are rated ok (otherwise rppg analyze "
                                     "warns that its heart rate is not to be trusted), and MAE trusted / others splits the "
                                     "MAE by that."));
    std::vector<QStringList> rows;
    for (const MethodMetrics &m : r.metrics)
        rows.push_back({m.method.toUpper(), QStringLiteral("%1/%2").arg(m.withHr).arg(m.items), shown(m.maeBpm, 2),
                        shown(m.rmseBpm, 2), shown(m.mapePercent, 1), shown(m.pearsonR, 3), shown(m.meanSnrDb, 1),
                        shown(100 * m.windowCoverage, 0) + QStringLiteral(" %"), shown(m.windowMaeBpm, 2),
                        shown(m.typicalMaeBpm, 2), QStringLiteral("%1/%2").arg(m.trusted).arg(m.items),
                        shown(m.trustedMaeBpm, 2), shown(m.untrustedMaeBpm, 2)});
    html.addTable({QStringLiteral("method"), QStringLiteral("videos with HR"), QStringLiteral("MAE bpm"),
                   QStringLiteral("RMSE bpm"), QStringLiteral("MAPE %"), QStringLiteral("Pearson r"),
                   QStringLiteral("mean SNR dB"), QStringLiteral("windows"), QStringLiteral("window MAE bpm"),
                   QStringLiteral("typical MAE bpm"), QStringLiteral("trusted videos"), QStringLiteral("MAE trusted"),
                   QStringLiteral("MAE others")},
                  rows, 2);
    html.addImage(ba, QStringLiteral("Bland–Altman plot per method: bias and 95 % limits of agreement."), QStringLiteral("Bland–Altman"));
    html.addImage(sc, QStringLiteral("Estimated against reference heart rate; the diagonal is perfect agreement."), QStringLiteral("scatter"));
    html.addHeading(QStringLiteral("Per video"));
    std::vector<QStringList> vrows;
    for (const ItemResult &ir : r.items) {
        if (!ir.error.isEmpty()) {
            vrows.push_back({ir.item.name, QStringLiteral("–"), QStringLiteral("–"), QStringLiteral("–"), QStringLiteral("–"),
                             QStringLiteral("–"), QStringLiteral("–"), QStringLiteral("–"), ir.error});
            continue;
        }
        for (const ItemOutcome &o : ir.outcomes)
            vrows.push_back({ir.item.name, o.method.toUpper(), shown(o.hrBpm, 1), shown(o.referenceHrBpm, 1),
                             shown(std::abs(o.hrBpm - o.referenceHrBpm), 1), shown(o.typicalHrBpm, 1),
                             shown(o.referenceTypicalHrBpm, 1),
                             o.estimatedWindows > 0 ? QStringLiteral("%1 of %2%3").arg(o.okWindows).arg(o.estimatedWindows)
                                                          .arg(o.trusted() ? QString() : QStringLiteral(" (not trusted)"))
                                                    : QStringLiteral("–"),
                             shown(o.snrDb, 1)});
    }
    html.addTable({QStringLiteral("video"), QStringLiteral("method"), QStringLiteral("HR bpm"), QStringLiteral("reference bpm"),
                   QStringLiteral("|error| bpm"), QStringLiteral("typical bpm"), QStringLiteral("reference typical bpm"),
                   QStringLiteral("ok windows"), QStringLiteral("SNR dB")},
                  vrows, 4);
    for (const QString &p : r.problems)
        html.addNote(QStringLiteral("Skipped: ") + p);
    if (Error e = html.write(dir.filePath(QStringLiteral("report.html"))); e.isError())
        return e;
    written << dir.filePath(QStringLiteral("report.html"));
    return written;
}

} // namespace rppg
