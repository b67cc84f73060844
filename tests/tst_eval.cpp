// Dataset evaluation: the metrics' closed forms, both dataset layouts, items with missing or
// malformed references reported and skipped, and the report files.
#include "evalreport.h"
#include "dsp.h"
#include "evaluation.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QTest>

#include <cmath>

using namespace rppg;

class TstEval : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QDir(m_dir.path()).mkpath(QStringLiteral("synth"));
        int i = 0;
        for (double bpm : {62.0, 95.0, 120.0, 80.0}) {
            SynthConfig sc = test::defaultSynthConfig(bpm, 12);
            sc.width = 320;
            sc.height = 240;
            sc.seed = uint64_t(bpm);
            sc.writeMasks = false;
            const QString v = test::makeSynthVideo(m_dir, QStringLiteral("synth/s%1.mkv").arg(i++), sc);
            QVERIFY(!v.isEmpty());
            m_videos << v;
        }
        // s2: ground truth missing; s3: malformed ground truth.
        QVERIFY(QFile::remove(groundTruthPathFor(m_videos[2])));
        test::writeFile(m_dir, QStringLiteral("synth/s3.gt.csv"), "frame,time_s\n1,abc\n");
    }

    void metricsClosedForm()
    {
        const auto m = computeMetrics({70, 82, NAN, 100}, {72, 80, 75, 90});
        QCOMPARE(m.items, 4);
        QCOMPARE(m.withHr, 3);
        QVERIFY(std::abs(m.maeBpm - (2 + 2 + 10) / 3.0) < 1e-9);
        QVERIFY(std::abs(m.rmseBpm - std::sqrt((4 + 4 + 100) / 3.0)) < 1e-9);
        QVERIFY(std::abs(m.mapePercent - 100 * (2 / 72.0 + 2 / 80.0 + 10 / 90.0) / 3) < 1e-9);
        QVERIFY(std::isfinite(m.pearsonR) && m.pearsonR > 0.9);
    }

    void syntheticLayout()
    {
        auto scan = scanDataset(m_dir.filePath(QStringLiteral("synth")));
        QVERIFY2(scan.ok(), qPrintable(scan.error().message));
        QCOMPARE(scan->layout, QStringLiteral("synthetic"));
        QCOMPARE(int(scan->items.size()), 2);
        QCOMPARE(scan->problems.size(), 2);
        QVERIFY(scan->problems.join(QLatin1Char(' ')).contains(QStringLiteral("s2")));
        QVERIFY(scan->problems.join(QLatin1Char(' ')).contains(QStringLiteral("s3")));

        AnalysisConfig ac;
        auto res = runEvaluation({scan.value()}, {QStringLiteral("pos"), QStringLiteral("chrom")}, ac);
        QVERIFY2(res.ok(), qPrintable(res.error().message));
        QCOMPARE(int(res->metrics.size()), 2);
        const MethodMetrics &pos = res->metrics[0];
        QCOMPARE(pos.items, 2);
        QCOMPARE(pos.withHr, 2);
        QVERIFY2(pos.maeBpm < 2.0, qPrintable(QString::number(pos.maeBpm)));
        QVERIFY(std::isfinite(pos.windowMaeBpm));
        QVERIFY(pos.windowCoverage > 0.9);
        QCOMPARE(res->problems.size(), 2);
        // The typical rate: the median of each video's ok windows against the reference's median
        // over the same windows; the metric is the mean of their differences.
        {
            std::vector<double> diffs;
            for (const ItemResult &ir : res->items)
                for (const ItemOutcome &o : ir.outcomes)
                    if (o.method == QLatin1String("pos")) {
                        QVERIFY(std::isfinite(o.typicalHrBpm) && std::isfinite(o.referenceTypicalHrBpm));
                        QVERIFY2(std::abs(o.referenceTypicalHrBpm - ir.item.reference.meanHrBpm) < 3,
                                 qPrintable(QString::number(o.referenceTypicalHrBpm)));
                        diffs.push_back(std::abs(o.typicalHrBpm - o.referenceTypicalHrBpm));
                    }
            QCOMPARE(int(diffs.size()), 2);
            QVERIFY(std::abs(pos.typicalMaeBpm - (diffs[0] + diffs[1]) / 2) < 1e-9);
            QVERIFY2(pos.typicalMaeBpm < 2.0, qPrintable(QString::number(pos.typicalMaeBpm)));
        }
        // The console summary carries the windowed MAE next to the whole-video one.
        const QStringList lines = evaluationSummaryText(res.value()).split(QLatin1Char('\n'));
        QVERIFY(lines.size() > 2 && lines[1].contains(QStringLiteral("win MAE")) && lines[1].contains(QStringLiteral("typ MAE")));
        QVERIFY2(lines[2].contains(QString::number(pos.typicalMaeBpm, 'f', 2)), qPrintable(lines[2]));
        QVERIFY2(lines[2].startsWith(QStringLiteral("POS"))
                     && lines[2].contains(QString::number(pos.windowMaeBpm, 'f', 2)),
                 qPrintable(lines[2]));

        const QString out = m_dir.filePath(QStringLiteral("out"));
        auto written = writeEvaluationReport(res.value(), out);
        QVERIFY2(written.ok(), qPrintable(written.error().message));
        for (const char *f : {"metrics.csv", "per_video.csv", "bland_altman.png", "scatter.png", "report.html"})
            QVERIFY2(QFile::exists(QDir(out).filePath(QLatin1String(f))), f);
        QFile per(QDir(out).filePath(QStringLiteral("per_video.csv")));
        QVERIFY(per.open(QIODevice::ReadOnly));
        const QList<QByteArray> perLines = per.readAll().trimmed().split('\n');
        QCOMPARE(perLines.size(), 1 + 2 * 2);   // header + 2 videos × 2 methods
        QVERIFY(perLines[0].endsWith("window_mae_bpm,typical_hr_bpm,reference_typical_hr_bpm,ok_window_share,trusted,error"));
        for (const QByteArray &line : perLines)
            QCOMPARE(line.count(','), perLines[0].count(','));
    }

    // The quality gate on a dataset: faces with a pulse are trusted and right, faces without one
    // mostly not trusted; the split MAEs are those of the two groups.
    void trustSplitsTheError()
    {
        // Three faces with a pulse (synthetic layout, their ground truth) and three without one,
        // scored against the rates a table claims for them (the folder-with-CSV layout).
        QVERIFY(QDir().mkpath(m_dir.filePath(QStringLiteral("trust/pulse")))
                && QDir().mkpath(m_dir.filePath(QStringLiteral("trust/flat"))));
        QByteArray table("name,hr\n");
        for (int i = 0; i < 6; ++i) {
            const bool pulse = i < 3;
            SynthConfig sc = test::defaultSynthConfig(60.0 + 12 * i, 16);
            sc.width = 320;
            sc.height = 240;
            sc.seed = uint64_t(100 + i);
            sc.writeMasks = false;
            if (!pulse)
                sc.pulseAmplitude = 0;
            const QString v = test::makeSynthVideo(
                m_dir, QStringLiteral("trust/%1/t%2.mkv").arg(pulse ? QStringLiteral("pulse") : QStringLiteral("flat")).arg(i), sc);
            QVERIFY(!v.isEmpty());
            if (!pulse) {
                QVERIFY(QFile::remove(groundTruthPathFor(v)));
                table += "t" + QByteArray::number(i) + "," + QByteArray::number(sc.pulse.meanHrBpm) + "\n";
            }
        }
        const QString csv = test::writeFile(m_dir, QStringLiteral("trust/claimed.csv"), table);
        auto pulseScan = scanDataset(m_dir.filePath(QStringLiteral("trust/pulse")));
        auto flatScan = scanDataset(m_dir.filePath(QStringLiteral("trust/flat")) + QStringLiteral(",csv=") + csv);
        QVERIFY2(pulseScan.ok(), qPrintable(pulseScan.error().message));
        QVERIFY2(flatScan.ok(), qPrintable(flatScan.error().message));
        QCOMPARE(int(pulseScan->items.size()), 3);
        QCOMPARE(int(flatScan->items.size()), 3);
        auto res = runEvaluation({pulseScan.value(), flatScan.value()}, {QStringLiteral("pos")}, AnalysisConfig{});
        QVERIFY2(res.ok(), qPrintable(res.error().message));
        std::vector<double> trustedErr, otherErr;
        int pulseTrusted = 0, flatTrusted = 0;
        for (const ItemResult &ir : res->items) {
            QCOMPARE(int(ir.outcomes.size()), 1);
            const ItemOutcome &o = ir.outcomes[0];
            QVERIFY(o.estimatedWindows > 0 && o.okWindows <= o.estimatedWindows);
            QCOMPARE(o.trusted(), 2 * o.okWindows >= o.estimatedWindows);
            const bool pulse = ir.item.videoPath.contains(QStringLiteral("/pulse/"));
            (pulse ? pulseTrusted : flatTrusted) += o.trusted();
            if (std::isfinite(o.hrBpm))
                (o.trusted() ? trustedErr : otherErr).push_back(std::abs(o.hrBpm - o.referenceHrBpm));
        }
        const MethodMetrics &m = res->metrics[0];
        qInfo("trusted %d of 6 (pulse %d of 3, no pulse %d of 3): MAE %.2f, the others %.2f", m.trusted, pulseTrusted,
              flatTrusted, m.trustedMaeBpm, m.untrustedMaeBpm);
        QCOMPARE(m.trusted, pulseTrusted + flatTrusted);
        QCOMPARE(pulseTrusted, 3);
        QVERIFY(flatTrusted <= 1);
        QVERIFY(!trustedErr.empty() && !otherErr.empty());
        QVERIFY(std::abs(m.trustedMaeBpm - dsp::mean(trustedErr)) < 1e-9);
        QVERIFY(std::abs(m.untrustedMaeBpm - dsp::mean(otherErr)) < 1e-9);
        QVERIFY2(m.trustedMaeBpm < 3.0 && m.untrustedMaeBpm > 3 * m.trustedMaeBpm,
                 qPrintable(QStringLiteral("%1 vs %2").arg(m.trustedMaeBpm).arg(m.untrustedMaeBpm)));
        // Stated in the summary and the tables.
        QVERIFY(evaluationSummaryText(res.value())
                    .contains(QStringLiteral("POS trusted (half or more windows ok): %1 of 6, MAE %2")
                                  .arg(m.trusted).arg(m.trustedMaeBpm, 0, 'f', 2)));
        const QString out = m_dir.filePath(QStringLiteral("trust-out"));
        auto written = writeEvaluationReport(res.value(), out);
        QVERIFY2(written.ok(), qPrintable(written.error().message));
        QFile metrics(QDir(out).filePath(QStringLiteral("metrics.csv")));
        QVERIFY(metrics.open(QIODevice::ReadOnly));
        const QList<QByteArray> rows = metrics.readAll().trimmed().split('\n');
        QVERIFY(rows[1].endsWith("trusted_items,trusted_mae_bpm,untrusted_mae_bpm"));
        QVERIFY2(rows[2].endsWith(QStringLiteral(",%1,%2,%3").arg(m.trusted).arg(m.trustedMaeBpm, 0, 'f', 3)
                                      .arg(m.untrustedMaeBpm, 0, 'f', 3).toLatin1()),
                 rows[2].constData());
        QFile per(QDir(out).filePath(QStringLiteral("per_video.csv")));
        QVERIFY(per.open(QIODevice::ReadOnly));
        const QList<QByteArray> perLines = per.readAll().trimmed().split('\n');
        QCOMPARE(perLines.size(), 7);
        int trustedRows = 0;
        for (int i = 1; i < perLines.size(); ++i)
            trustedRows += perLines[i].endsWith(",1,");
        QCOMPARE(trustedRows, m.trusted);
    }

    void folderWithReferenceCsv()
    {
        // The bias-eval-rppg layout: <Country>/videoN_<region>.<ext>, Ground_Truth/<Country>_GT.csv
        // with a BOM, spaces in the header and subjects named without the region; a country name
        // with an underscore, like Sierra_Leone, and a shorter folder that its name starts with.
        QDir root(m_dir.filePath(QStringLiteral("real")));
        QVERIFY(root.mkpath(QStringLiteral("South_Atlantis")) && root.mkpath(QStringLiteral("South"))
                && root.mkpath(QStringLiteral("Ground_Truth")));
        QVERIFY(QFile::copy(m_videos[0], root.filePath(QStringLiteral("South_Atlantis/video1_forehead.mkv"))));
        QVERIFY(QFile::copy(m_videos[1], root.filePath(QStringLiteral("South_Atlantis/video2_leftcheek.mkv"))));
        QVERIFY(QFile::copy(m_videos[1], root.filePath(QStringLiteral("South_Atlantis/video7_leftcheek.mkv"))));
        auto refHr = [this](int i) { return readHrReference(groundTruthPathFor(m_videos[i]))->recordingHr(); };
        const QByteArray csv = QByteArray("\xEF\xBB\xBFSubject ,Heart_Rate(BPM) \n") + "video1," + QByteArray::number(refHr(0))
                               + "\nvideo2," + QByteArray::number(refHr(1)) + "\nvideo9,70\n";
        test::writeFile(m_dir, QStringLiteral("real/Ground_Truth/South_Atlantis_GT.csv"), csv);
        auto scan = scanDataset(root.path());
        QVERIFY2(scan.ok(), qPrintable(scan.error().message));
        QCOMPARE(scan->layout, QStringLiteral("folder+csv"));
        QCOMPARE(int(scan->items.size()), 2);
        QCOMPARE(scan->items[0].subject, QStringLiteral("South_Atlantis/video1"));
        QCOMPARE(scan->problems.size(), 1);   // video7 has no reference
        {
            // The same folder given as a relative path: the same items and names.
            const QString cwd = QDir::currentPath();
            QVERIFY(QDir::setCurrent(m_dir.path()));
            auto relative = scanDataset(QStringLiteral("real"));
            QDir::setCurrent(cwd);
            QVERIFY2(relative.ok(), qPrintable(relative.error().message));
            QCOMPARE(int(relative->items.size()), 2);
            QCOMPARE(relative->items[0].subject, QStringLiteral("South_Atlantis/video1"));
        }
        auto res = runEvaluation({scan.value()}, {QStringLiteral("pos")}, AnalysisConfig{});
        QVERIFY2(res.ok(), qPrintable(res.error().message));
        QVERIFY2(res->metrics[0].maeBpm < 2.0, qPrintable(QString::number(res->metrics[0].maeBpm)));
        // A single HR per video: the reference's typical rate is that number.
        for (const ItemResult &ir : res->items)
            QCOMPARE(ir.outcomes[0].referenceTypicalHrBpm, ir.item.reference.meanHrBpm);
        QVERIFY2(res->metrics[0].typicalMaeBpm < 2.0, qPrintable(QString::number(res->metrics[0].typicalMaeBpm)));

        // A table whose name is not "<Folder>_…" applies to every video.
        QDir flat(m_dir.filePath(QStringLiteral("flat")));
        QVERIFY(flat.mkpath(QStringLiteral(".")));
        QVERIFY(QFile::copy(m_videos[0], flat.filePath(QStringLiteral("a.mkv"))));
        test::writeFile(m_dir, QStringLiteral("flat/ref_table.csv"), "name,hr_bpm\na," + QByteArray::number(refHr(0)) + "\n");
        auto flatScan = scanDataset(flat.path());
        QVERIFY2(flatScan.ok(), qPrintable(flatScan.error().message));
        QCOMPARE(int(flatScan->items.size()), 1);
        QVERIFY(flatScan->problems.isEmpty());
    }

    void badDatasets()
    {
        QCOMPARE(scanDataset(m_dir.filePath(QStringLiteral("nowhere"))).error().code, ErrorCode::FileNotFound);
        QCOMPARE(scanDataset(m_dir.filePath(QStringLiteral("synth")) + QStringLiteral(",colour=blue")).error().code,
                 ErrorCode::Usage);
        QDir(m_dir.path()).mkpath(QStringLiteral("empty"));
        QCOMPARE(scanDataset(m_dir.filePath(QStringLiteral("empty"))).error().code, ErrorCode::BadData);
        // A reference CSV without a heart-rate column.
        QDir(m_dir.path()).mkpath(QStringLiteral("nohr"));
        QVERIFY(QFile::copy(m_videos[0], m_dir.filePath(QStringLiteral("nohr/a.mkv"))));
        test::writeFile(m_dir, QStringLiteral("nohr/ref.csv"), "name,colour\na,red\n");
        QCOMPARE(scanDataset(m_dir.filePath(QStringLiteral("nohr"))).error().code, ErrorCode::BadData);
    }

private:
    QTemporaryDir m_dir;
    QStringList m_videos;
};

QTEST_MAIN(TstEval)
#include "tst_eval.moc"
