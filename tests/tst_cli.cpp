// The `rppg` program as a user runs it: real process, real files. Every bad input gives exactly
// one `error:` line and its documented exit code; good input gives the heart rate.
#include "analysiscsv.h"
#include "cli.h"
#include "dsp.h"
#include "groundtruth.h"
#include "pulsemethod.h"
#include "testsupport.h"
#include "videoencoder.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

#include <cmath>
#include <random>

using namespace rppg;

namespace {

struct Run
{
    int code = -1;
    QString out;
    QString err;
};

Run rppgRun(const QStringList &args, int timeoutMs = 120000)
{
    QProcess p;
    p.start(QStringLiteral(RPPG_CLI_PATH), args);
    Run r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = QStringLiteral("timeout");
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

// A video of frames without any face.
QString faceless(const QTemporaryDir &dir, const QString &name, int frames)
{
    const QString path = dir.filePath(name);
    VideoEncoder enc;
    EncoderSettings es;
    es.codec = QStringLiteral("ffv1");
    es.width = 320;
    es.height = 240;
    if (enc.open(path, es).isError())
        return {};
    cv::RNG rng(3);
    for (int i = 0; i < frames; ++i) {
        cv::Mat m(240, 320, CV_8UC3);
        rng.fill(m, cv::RNG::UNIFORM, 90, 110);
        enc.write(m);
    }
    return enc.finish().isError() ? QString() : path;
}

} // namespace

class TstCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        SynthConfig sc = test::defaultSynthConfig(78, 16);
        sc.variants[0].encoder.codec = QStringLiteral("x264");
        sc.variants[0].encoder.bitrateBps = 1000000;
        sc.motionTranslationPx = 5;
        sc.writeMasks = false;
        m_video = test::makeSynthVideo(m_dir, QStringLiteral("clip.mp4"), sc);
        QVERIFY(!m_video.isEmpty());
    }

    void analyzeJson()
    {
        const Run r = rppgRun({QStringLiteral("analyze"), m_video, QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        for (const char *key : {"hr_bpm", "snr_db", "frames", "face_frames", "duration_s", "method", "sdnn_ms", "rmssd_ms",
                                "hrv_quality", "beat_shape_correlation"})
            QVERIFY2(o.contains(QLatin1String(key)), key);
        // The HRV's rating follows its beats' likeness (AnalysisConfig::hrvMinBeatCorrelation).
        const double shape = o[QStringLiteral("beat_shape_correlation")].toDouble();
        QVERIFY2(shape > 0 && shape <= 1, qPrintable(QString::number(shape)));
        if (shape < AnalysisConfig{}.hrvMinBeatCorrelation)
            QCOMPARE(o[QStringLiteral("hrv_quality")].toString(), QStringLiteral("low"));
        QCOMPARE(o[QStringLiteral("method")].toString(), QStringLiteral("pos"));
        QCOMPARE(o[QStringLiteral("frames")].toInt(), 480);
        QVERIFY(std::abs(o[QStringLiteral("duration_s")].toDouble() - 16.0) < 0.05);
        // The synthetic ground truth next to the video is found and the estimate agrees with it.
        const double ref = o[QStringLiteral("reference_hr_bpm")].toDouble();
        QVERIFY(std::abs(ref - 78) < 3);
        QVERIFY2(std::abs(o[QStringLiteral("hr_bpm")].toDouble() - ref) < 2, qPrintable(r.out));
        // The typical rate: the median of the `ok` windows listed.
        std::vector<double> ok;
        for (const QJsonValue &w : o[QStringLiteral("windows")].toArray())
            if (w[QStringLiteral("quality")].toString() == QLatin1String("ok"))
                ok.push_back(w[QStringLiteral("hr_bpm")].toDouble());
        QVERIFY(!ok.empty());
        QVERIFY(std::abs(o[QStringLiteral("windows_median_hr_bpm")].toDouble() - dsp::median(ok)) < 0.006);
        QVERIFY(std::abs(o[QStringLiteral("windows_median_hr_bpm")].toDouble() - ref) < 2);
    }

    void analyzeSummaryAndCsv()
    {
        const QString csvPath = m_dir.filePath(QStringLiteral("out.csv"));
        const Run r = rppgRun({QStringLiteral("analyze"), m_video, QStringLiteral("--method"), QStringLiteral("chrom"),
                               QStringLiteral("--csv"), csvPath, QStringLiteral("--window"), QStringLiteral("8")});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains(QStringLiteral("heart rate:")));
        QVERIFY(r.out.contains(QStringLiteral("CHROM")));
        auto csv = readAnalysisCsv(csvPath);
        QVERIFY2(csv.ok(), qPrintable(csv.error().message));
        QCOMPARE(csv->columns, analysisCsvColumns());
        QCOMPARE(int(csv->rows.size()), 480);
        QCOMPARE(csv->meta.value(QStringLiteral("method")), QStringLiteral("chrom"));
        QCOMPARE(csv->meta.value(QStringLiteral("window_s")), QStringLiteral("8"));
        QVERIFY(csv->meta.contains(QStringLiteral("octave_from_bpm")) && csv->meta.value(QStringLiteral("octave_from_bpm")).isEmpty());
        QVERIFY(!csv->meta.contains(QStringLiteral("witnesses")));   // a classical method has none
        QVERIFY(std::abs(csv->meta.value(QStringLiteral("windows_median_hr_bpm")).toDouble() - 78) < 3);
        QVERIFY(r.out.contains(QStringLiteral("ok-window median")));
        // Windowed HR appears once the first 8 s window is complete.
        QVERIFY(std::isnan(csv->number(100, QStringLiteral("hr_bpm"))));
        QVERIFY(std::abs(csv->number(400, QStringLiteral("hr_bpm")) - 78) < 4);
        // The ground truth beside the video goes into the file: every row with an estimate gets
        // the true HR over that estimate's window (checked against the ground truth's own hr_bpm
        // column over the same span), and no row without one.
        QCOMPARE(csv->meta.value(QStringLiteral("reference")), groundTruthPathFor(m_video));
        auto truth = readHrReference(groundTruthPathFor(m_video));
        QVERIFY(truth.ok());
        int paired = 0;
        double sumError = 0;
        for (size_t i = 0; i < csv->rows.size(); ++i) {
            const double hr = csv->number(i, QStringLiteral("hr_bpm"));
            const double ref = csv->number(i, QStringLiteral("ref_hr_bpm"));
            QCOMPARE(std::isfinite(ref), std::isfinite(hr));
            if (!std::isfinite(ref))
                continue;
            const double t = csv->number(i, QStringLiteral("time_s"));
            const double windowEnd = std::floor(t + 1.0 / 30 + 1e-6);   // windows end one frame before whole seconds
            QVERIFY2(std::abs(ref - truth->meanOver(windowEnd - 8, windowEnd)) < 3, qPrintable(QString::number(t)));
            ++paired;
            sumError += std::abs(hr - ref);
        }
        QVERIFY(paired > 200);
        const double mae = csv->meta.value(QStringLiteral("window_mae_bpm")).toDouble();
        QVERIFY(mae < 4);
        QVERIFY(r.out.contains(QStringLiteral("windows vs reference: mean absolute error %1 bpm")
                                   .arg(mae, 0, 'f', 1)));
        QVERIFY(std::abs(sumError / paired - mae) < 1.5);   // rows weight windows by their frames
    }

    // --reference replaces the ground truth beside the video: a reference of 60 bpm against a
    // 78 bpm pulse gives errors of about 18 bpm in every window.
    void analyzeWithGivenReference()
    {
        const QString refPath = m_dir.filePath(QStringLiteral("oximeter.csv"));
        QByteArray text = "time_s,hr_bpm\n";
        for (int t = 0; t <= 16; ++t)
            text += QByteArray::number(t) + ",60\n";
        test::writeFile(m_dir, QStringLiteral("oximeter.csv"), text);
        const Run r = rppgRun({QStringLiteral("analyze"), m_video, QStringLiteral("--json"), QStringLiteral("--reference"),
                               refPath});
        QCOMPARE(r.code, 0);
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(o[QStringLiteral("reference")].toString(), refPath);
        QVERIFY(std::abs(o[QStringLiteral("reference_hr_bpm")].toDouble() - 60) < 1e-6);
        int windows = 0;
        for (const QJsonValue &v : o[QStringLiteral("windows")].toArray()) {
            const QJsonObject w = v.toObject();
            if (w[QStringLiteral("hr_bpm")].isNull()) {
                QVERIFY(w[QStringLiteral("ref_hr_bpm")].isNull());
                continue;
            }
            QCOMPARE(w[QStringLiteral("ref_hr_bpm")].toDouble(), 60.0);
            ++windows;
        }
        QVERIFY(windows >= 5);
        QVERIFY2(std::abs(o[QStringLiteral("window_mae_bpm")].toDouble() - 18) < 3, qPrintable(r.out));
    }

    // --compare runs other methods in the same pass: each gives exactly what it gives as the main
    // method (same frames, same track), in the summary, the JSON and the CSV columns.
    void analyzeCompare()
    {
        const QString both = m_dir.filePath(QStringLiteral("compare.csv"));
        const QString alone = m_dir.filePath(QStringLiteral("chrom-alone.csv"));
        const Run r = rppgRun({QStringLiteral("analyze"), m_video, QStringLiteral("--json"), QStringLiteral("--compare"),
                               QStringLiteral("chrom,pos,green"), QStringLiteral("--csv"), both});
        QCOMPARE(r.code, 0);
        const Run c = rppgRun({QStringLiteral("analyze"), m_video, QStringLiteral("--json"), QStringLiteral("--method"),
                               QStringLiteral("chrom"), QStringLiteral("--csv"), alone});
        QCOMPARE(c.code, 0);
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        const QJsonObject chromAlone = QJsonDocument::fromJson(c.out.toUtf8()).object();
        QCOMPARE(o[QStringLiteral("method")].toString(), QStringLiteral("pos"));
        const QJsonArray compared = o[QStringLiteral("compared")].toArray();
        QCOMPARE(compared.size(), 2);   // the main method is not repeated
        const QJsonObject chrom = compared[0].toObject();
        QCOMPARE(chrom[QStringLiteral("method")].toString(), QStringLiteral("chrom"));
        QCOMPARE(compared[1].toObject()[QStringLiteral("method")].toString(), QStringLiteral("green"));
        QCOMPARE(chrom[QStringLiteral("hr_bpm")].toDouble(), chromAlone[QStringLiteral("hr_bpm")].toDouble());
        QCOMPARE(chrom[QStringLiteral("window_mae_bpm")].toDouble(), chromAlone[QStringLiteral("window_mae_bpm")].toDouble());
        // Window by window the same estimates (the compared windows carry no ref_hr_bpm).
        QJsonArray aloneWindows;
        for (const QJsonValue &v : chromAlone[QStringLiteral("windows")].toArray()) {
            QJsonObject w = v.toObject();
            w.remove(QStringLiteral("ref_hr_bpm"));
            aloneWindows.append(w);
        }
        QVERIFY(aloneWindows.size() >= 5);
        QCOMPARE(chrom[QStringLiteral("windows")].toArray(), aloneWindows);
        QCOMPARE(chrom[QStringLiteral("respiration")].toObject(), chromAlone[QStringLiteral("respiration")].toObject());
        const double ref = o[QStringLiteral("reference_hr_bpm")].toDouble();
        for (const QJsonValue &v : compared) {
            const QJsonObject m = v.toObject();
            QVERIFY2(std::abs(m[QStringLiteral("hr_bpm")].toDouble() - ref) < 3, qPrintable(r.out));
            QVERIFY2(m[QStringLiteral("window_mae_bpm")].toDouble() < 4, qPrintable(r.out));
        }
        // CSV: the compared CHROM column is CHROM's own hr_bpm column.
        auto withCompare = readAnalysisCsv(both);
        auto chromCsv = readAnalysisCsv(alone);
        QVERIFY(withCompare.ok() && chromCsv.ok());
        QCOMPARE(withCompare->meta.value(QStringLiteral("compared")), QStringLiteral("chrom,green"));
        QCOMPARE(withCompare->rows.size(), chromCsv->rows.size());
        int filled = 0;
        for (size_t i = 0; i < chromCsv->rows.size(); ++i) {
            const double a = withCompare->number(i, QStringLiteral("hr_bpm_chrom"));
            const double b = chromCsv->number(i, QStringLiteral("hr_bpm"));
            QVERIFY2((std::isnan(a) && std::isnan(b)) || a == b, qPrintable(QStringLiteral("row %1: %2 vs %3").arg(i).arg(a).arg(b)));
            filled += std::isfinite(a);
        }
        QVERIFY2(filled >= 150, qPrintable(QString::number(filled)));   // the last 6 of 16 s
        // The summary names them; an unknown one is a usage error before any work.
        const Run s = rppgRun({QStringLiteral("analyze"), m_video, QStringLiteral("--compare"), QStringLiteral("green"),
                               QStringLiteral("--no-progress")});
        QCOMPARE(s.code, 0);
        QVERIFY2(s.out.contains(QStringLiteral("compared: GREEN ")), qPrintable(s.out));
        // "all": every registered method beside the main one, each once (neural ones when their
        // weights load, else a note on stderr says they were left out).
        const Run all = rppgRun({QStringLiteral("analyze"), m_video, QStringLiteral("--json"), QStringLiteral("--method"),
                                 QStringLiteral("green"), QStringLiteral("--compare"), QStringLiteral("ALL,chrom")});
        QCOMPARE(all.code, 0);
        QStringList allNames;
        for (const QJsonValue &v : QJsonDocument::fromJson(all.out.toUtf8()).object()[QStringLiteral("compared")].toArray())
            allNames << v.toObject()[QStringLiteral("method")].toString();
        QCOMPARE(allNames.removeDuplicates(), 0);
        QVERIFY2(!allNames.contains(QStringLiteral("green")), qPrintable(allNames.join(',')));
        for (const QString &name : MethodRegistry::instance().names())
            if (name != QLatin1String("green") && MethodRegistry::instance().find(name)->input == MethodInput::RgbTrace)
                QVERIFY2(allNames.contains(name), qPrintable(name + QStringLiteral(" missing from ") + allNames.join(',')));
        QVERIFY(allNames.size() >= 6);
        // A network's windows carry the classical witnesses' rate (only those the other checks
        // passed), ok only where it agrees; a classical method's carry none.
        for (const QJsonValue &v : QJsonDocument::fromJson(all.out.toUtf8()).object()[QStringLiteral("compared")].toArray()) {
            const QJsonObject m = v.toObject();
            const QString name = m[QStringLiteral("method")].toString();
            int witnessed = 0;
            QCOMPARE(m.contains(QStringLiteral("witnesses")), !classicalExtractor(name));
            if (!classicalExtractor(name))
                QCOMPARE(m[QStringLiteral("witnesses")].toArray(), QJsonArray({QStringLiteral("pos"), QStringLiteral("green")}));
            for (const QJsonValue &wv : m[QStringLiteral("windows")].toArray()) {
                const QJsonObject w = wv.toObject();
                // A window moved an octave (the network's peak at half or twice the rate a witness
                // finds) keeps the peak it left.
                if (w.contains(QStringLiteral("octave_from_bpm"))) {
                    const double ratio = w[QStringLiteral("octave_from_bpm")].toDouble() / w[QStringLiteral("hr_bpm")].toDouble();
                    QVERIFY2(std::abs(ratio - 2) < 0.2 || std::abs(ratio - 0.5) < 0.05, qPrintable(QString::number(ratio)));
                }
                if (!w.contains(QStringLiteral("witness_hr_bpm")))
                    continue;
                ++witnessed;
                const double gap = std::abs(w[QStringLiteral("witness_hr_bpm")].toDouble() - w[QStringLiteral("hr_bpm")].toDouble());
                QCOMPARE(w[QStringLiteral("quality")].toString() == QLatin1String("ok"), gap <= 5.0);
                QCOMPARE(w[QStringLiteral("unconfirmed")].toBool(), gap > 5.0);
            }
            if (classicalExtractor(name))
                QCOMPARE(witnessed, 0);
            else
                QVERIFY2(witnessed >= 3, qPrintable(name));   // a pulse the witnesses see too
        }
        // --witness none: no witness, so nothing unconfirmed and nothing moved an octave.
        const Run unwitnessed = rppgRun({QStringLiteral("analyze"), m_video, QStringLiteral("--json"), QStringLiteral("--method"),
                                         QStringLiteral("green"), QStringLiteral("--compare"), QStringLiteral("all"),
                                         QStringLiteral("--witness"), QStringLiteral("none")});
        QCOMPARE(unwitnessed.code, 0);
        const QJsonArray withWitness = QJsonDocument::fromJson(all.out.toUtf8()).object()[QStringLiteral("compared")].toArray();
        const QJsonArray noWitness = QJsonDocument::fromJson(unwitnessed.out.toUtf8()).object()[QStringLiteral("compared")].toArray();
        QVERIFY(noWitness.size() + 1 >= withWitness.size());   // "all,chrom" vs "all": the same methods
        for (const QJsonValue &v : noWitness)
            for (const QJsonValue &wv : v.toObject()[QStringLiteral("windows")].toArray())
                QVERIFY(!wv.toObject().contains(QStringLiteral("witness_hr_bpm")) && !wv.toObject().contains(QStringLiteral("unconfirmed"))
                        && !wv.toObject().contains(QStringLiteral("octave_from_bpm")));
        for (const QJsonValue &v : noWitness)
            QVERIFY(!v.toObject().contains(QStringLiteral("witnesses")));
        const Run bad = rppgRun({QStringLiteral("analyze"), m_video, QStringLiteral("--compare"), QStringLiteral("chrom,nosuch")});
        QCOMPARE(bad.code, 2);
        QVERIFY2(bad.err.trimmed().count(QLatin1Char('\n')) == 0 && bad.err.contains(QStringLiteral("unknown method 'nosuch'")),
                 qPrintable(bad.err));
    }

    void badInputs_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::newRow("no arguments") << QStringList{} << int(cli::kExitUsage);
        QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")} << int(cli::kExitUsage);
        QTest::newRow("analyze without file") << QStringList{QStringLiteral("analyze")} << int(cli::kExitUsage);
        QTest::newRow("missing file") << QStringList{QStringLiteral("analyze"), QStringLiteral("@dir/none.mp4")}
                                      << int(cli::kExitFileNotFound);
        QTest::newRow("text file") << QStringList{QStringLiteral("analyze"), QStringLiteral("@dir/text.mp4")}
                                   << int(cli::kExitNotAVideo);
        QTest::newRow("empty file") << QStringList{QStringLiteral("analyze"), QStringLiteral("@dir/empty.mkv")}
                                    << int(cli::kExitNotAVideo);
        QTest::newRow("random bytes") << QStringList{QStringLiteral("analyze"), QStringLiteral("@dir/random.avi")}
                                      << int(cli::kExitNotAVideo);
        QTest::newRow("corrupt frames") << QStringList{QStringLiteral("analyze"), QStringLiteral("@dir/corrupt.mkv")}
                                        << int(cli::kExitCorruptVideo);
        QTest::newRow("no face") << QStringList{QStringLiteral("analyze"), QStringLiteral("@dir/noface.mkv")}
                                 << int(cli::kExitNoFace);
        QTest::newRow("too short") << QStringList{QStringLiteral("analyze"), QStringLiteral("@dir/short.mkv")}
                                   << int(cli::kExitTooShort);
        QTest::newRow("unknown method") << QStringList{QStringLiteral("analyze"), QStringLiteral("@video"),
                                                       QStringLiteral("--method"), QStringLiteral("magic")}
                                        << int(cli::kExitUsage);
        QTest::newRow("bad band") << QStringList{QStringLiteral("analyze"), QStringLiteral("@video"),
                                                 QStringLiteral("--band"), QStringLiteral("4-0.7")}
                                  << int(cli::kExitUsage);
        QTest::newRow("bad roi") << QStringList{QStringLiteral("analyze"), QStringLiteral("@video"),
                                                QStringLiteral("--roi"), QStringLiteral("1,2,3")}
                                 << int(cli::kExitUsage);
        QTest::newRow("bad witness") << QStringList{QStringLiteral("analyze"), QStringLiteral("@video"),
                                                    QStringLiteral("--witness"), QStringLiteral("pos,rppgnet")}
                                     << int(cli::kExitUsage);
        QTest::newRow("missing reference") << QStringList{QStringLiteral("analyze"), QStringLiteral("@video"),
                                                          QStringLiteral("--reference"), QStringLiteral("@dir/none.csv")}
                                           << int(cli::kExitFileNotFound);
        QTest::newRow("garbage reference") << QStringList{QStringLiteral("analyze"), QStringLiteral("@video"),
                                                          QStringLiteral("--reference"), QStringLiteral("@dir/text.mp4")}
                                           << int(cli::kExitBadData);
        QTest::newRow("synth bad size") << QStringList{QStringLiteral("synth"), QStringLiteral("@dir/s.mkv"),
                                                       QStringLiteral("--size"), QStringLiteral("320by240")}
                                        << int(cli::kExitUsage);
        QTest::newRow("synth-set bad size") << QStringList{QStringLiteral("synth-set"), QStringLiteral("--out"),
                                                           QStringLiteral("@dir/set"), QStringLiteral("--size"),
                                                           QStringLiteral("320x")}
                                            << int(cli::kExitUsage);
        QTest::newRow("bench one subject") << QStringList{QStringLiteral("bench"), QStringLiteral("--subjects"), QStringLiteral("1")}
                                           << int(cli::kExitUsage);
        QTest::newRow("prepare bad threads") << QStringList{QStringLiteral("prepare"), QStringLiteral("@dir"), QStringLiteral("--out"),
                                                            QStringLiteral("@dir/c"), QStringLiteral("--threads"), QStringLiteral("0")}
                                             << int(cli::kExitUsage);
        QTest::newRow("unwritable csv") << QStringList{QStringLiteral("analyze"), QStringLiteral("@video"),
                                                       QStringLiteral("--csv"), QStringLiteral("@dir/no/such/dir/x.csv")}
                                        << int(cli::kExitWriteFailed);
    }
    void badInputs()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        if (!m_fixturesMade)
            makeBadFixtures();
        for (QString &a : args) {
            a.replace(QStringLiteral("@dir"), m_dir.path());
            a.replace(QStringLiteral("@video"), m_video);
        }
        const Run r = rppgRun(args);
        QCOMPARE(r.code, code);
        if (code == cli::kExitUsage && args.isEmpty())
            return;   // bare `rppg` prints the usage text
        const QStringList lines = r.err.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1);
        QVERIFY2(lines.first().startsWith(QStringLiteral("error: ")), qPrintable(r.err));
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("no/such/dir/x.csv"))));
    }

    void compareCodecsAndEval()
    {
        // A short study end to end through the program, then an evaluation of a folder.
        SynthConfig sc = test::defaultSynthConfig(90, 10);
        sc.width = 320;
        sc.height = 240;
        sc.writeMasks = false;
        QDir(m_dir.path()).mkpath(QStringLiteral("set"));
        const QString clip = test::makeSynthVideo(m_dir, QStringLiteral("set/short.mkv"), sc);
        QVERIFY(!clip.isEmpty());
        const QString out = m_dir.filePath(QStringLiteral("study"));
        const Run r = rppgRun({QStringLiteral("compare-codecs"), clip, QStringLiteral("--codecs"), QStringLiteral("x264,mpeg4"),
                               QStringLiteral("--bitrates"), QStringLiteral("150k,400k"), QStringLiteral("--methods"),
                               QStringLiteral("pos"), QStringLiteral("--out"), out, QStringLiteral("--no-progress")},
                              300000);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains(QStringLiteral("ground truth")));
        for (const char *f : {"summary.csv", "waveforms.csv", "report.html", "contact_sheet.png"})
            QVERIFY2(QFile::exists(QDir(out).filePath(QLatin1String(f))), f);
        QCOMPARE(rppgRun({QStringLiteral("compare-codecs"), clip, QStringLiteral("--out"), QStringLiteral("/proc/rppg-no")}).code,
                 int(cli::kExitWriteFailed));
        QCOMPARE(rppgRun({QStringLiteral("compare-codecs"), m_dir.filePath(QStringLiteral("none.mp4"))}).code,
                 int(cli::kExitFileNotFound));
        QCOMPARE(rppgRun({QStringLiteral("compare-codecs"), clip, QStringLiteral("--bitrates"), QStringLiteral("fast")}).code,
                 int(cli::kExitUsage));

        const QString evalOut = m_dir.filePath(QStringLiteral("eval"));
        const Run e = rppgRun({QStringLiteral("eval"), m_dir.filePath(QStringLiteral("set")), QStringLiteral("--methods"),
                               QStringLiteral("pos"), QStringLiteral("--out"), evalOut, QStringLiteral("--no-progress")});
        QVERIFY2(e.code == 0, qPrintable(e.err));
        QVERIFY(QFile::exists(QDir(evalOut).filePath(QStringLiteral("metrics.csv"))));
        QCOMPARE(rppgRun({QStringLiteral("eval"), m_dir.filePath(QStringLiteral("nowhere"))}).code, int(cli::kExitFileNotFound));
    }

    void helpForEveryCommand()
    {
        for (const char *cmd : {"analyze", "synth", "compare-codecs", "eval", "bench", "methods"}) {
            const Run r = rppgRun({QString::fromLatin1(cmd), QStringLiteral("--help")});
            QCOMPARE(r.code, 0);
            QVERIFY(r.out.contains(QStringLiteral("--")));
        }
        const Run v = rppgRun({QStringLiteral("--version")});
        QCOMPARE(v.code, 0);
        QVERIFY(v.out.startsWith(QStringLiteral("rppg ")));
    }

    // rppg methods: every registered method with what it reads and whether it runs here; a neural
    // one is really constructed, so a model file that is not there makes it unavailable, with why.
    void methodsCommand()
    {
        const Run r = rppgRun({QStringLiteral("methods"), QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        const QJsonArray list = QJsonDocument::fromJson(r.out.toUtf8()).object()[QStringLiteral("methods")].toArray();
        QStringList listed;
        for (const QJsonValue &v : list) {
            const QJsonObject o = v.toObject();
            listed << o[QStringLiteral("name")].toString();
            QVERIFY(!o[QStringLiteral("title")].toString().isEmpty());
            QVERIFY(!o[QStringLiteral("description")].toString().isEmpty());
            if (o[QStringLiteral("input")].toString() == QLatin1String("rgb_trace"))
                QVERIFY2(o[QStringLiteral("available")].toBool(), qPrintable(o[QStringLiteral("name")].toString()));
        }
        for (const QString &name : MethodRegistry::instance().names())   // the classical ones, linked here
            QVERIFY2(listed.contains(name), qPrintable(name));
        const Run missing = rppgRun({QStringLiteral("methods"), QStringLiteral("--json"), QStringLiteral("--model"),
                                     m_dir.filePath(QStringLiteral("no-such.ckpt"))});
        QCOMPARE(missing.code, 0);
        int neural = 0, namingTheFile = 0;
        for (const QJsonValue &v : QJsonDocument::fromJson(missing.out.toUtf8()).object()[QStringLiteral("methods")].toArray()) {
            const QJsonObject o = v.toObject();
            if (o[QStringLiteral("input")].toString() != QLatin1String("face_video"))
                continue;
            ++neural;
            QVERIFY(!o[QStringLiteral("available")].toBool());
            QVERIFY2(!o[QStringLiteral("reason")].toString().isEmpty(), qPrintable(missing.out));
            namingTheFile += o[QStringLiteral("reason")].toString().contains(QStringLiteral("no-such.ckpt"));
        }
        QVERIFY2(neural == 0 || namingTheFile > 0, qPrintable(missing.out));   // rppgnet names the missing file
        if (neural == 0)
            qInfo("no neural methods in this build: the --model check had nothing to try");
        const Run table = rppgRun({QStringLiteral("methods")});
        QCOMPARE(table.code, 0);
        QVERIFY2(table.out.contains(QRegularExpression(QStringLiteral("\\npbv +colour +ready +PBV"))), qPrintable(table.out));
        QCOMPARE(rppgRun({QStringLiteral("methods"), QStringLiteral("extra")}).code, int(cli::kExitUsage));
    }

    void synthCommand()
    {
        const QString out = m_dir.filePath(QStringLiteral("made.mkv"));
        const Run r = rppgRun({QStringLiteral("synth"), out, QStringLiteral("--hr"), QStringLiteral("95"),
                               QStringLiteral("--duration"), QStringLiteral("12"), QStringLiteral("--codec"),
                               QStringLiteral("ffv1"), QStringLiteral("--size"), QStringLiteral("320 \u00d7 240"),
                               QStringLiteral("--no-masks"), QStringLiteral("--seed"), QStringLiteral("5")});
        QCOMPARE(r.code, 0);
        QVERIFY(QFile::exists(out));
        QVERIFY(QFile::exists(groundTruthPathFor(out)));
        // Without --sdnn the variability is the rate's typical one (23 ms at 95 bpm, not 40).
        QFile meta(synthMetaPathFor(out));
        QVERIFY(meta.open(QIODevice::ReadOnly));
        const QJsonObject pulse = QJsonDocument::fromJson(meta.readAll()).object()[QStringLiteral("pulse")].toObject();
        QCOMPARE(pulse[QStringLiteral("requested_sdnn_ms")].toDouble(), typicalSdnnMs(95));
        QVERIFY(std::abs(pulse[QStringLiteral("sdnn_ms")].toDouble() - typicalSdnnMs(95)) < 0.3 * typicalSdnnMs(95));
        const Run a = rppgRun({QStringLiteral("analyze"), out, QStringLiteral("--json")});
        QCOMPARE(a.code, 0);
        const QJsonObject o = QJsonDocument::fromJson(a.out.toUtf8()).object();
        QVERIFY2(std::abs(o[QStringLiteral("hr_bpm")].toDouble() - o[QStringLiteral("reference_hr_bpm")].toDouble()) < 2,
                 qPrintable(a.out));

        const Run bad = rppgRun({QStringLiteral("synth"), m_dir.filePath(QStringLiteral("x.mp4")), QStringLiteral("--face"),
                                 m_dir.filePath(QStringLiteral("nophoto.png"))});
        QCOMPARE(bad.code, int(cli::kExitFileNotFound));
        QVERIFY(bad.err.startsWith(QStringLiteral("error: ")));
    }

    // A recorded pulse whose rate climbs from 65 to 125 bpm in 40 s: the windows follow it,
    // their median is the middle rate, and the summary warns that the whole-recording peak, which
    // lands elsewhere in the broad spectrum, is not the figure to trust.
    void risingRateWarning()
    {
        const QString ppg = m_dir.filePath(QStringLiteral("ramp.csv"));
        {
            QFile f(ppg);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Text));
            QTextStream s(&f);
            s << "time_s,ppg\n";
            double phase = 0;
            for (int i = 0; i < 4200; ++i) {
                const double t = i / 100.0;
                phase += 2 * M_PI * (65 + 60 * std::min(t / 40, 1.0)) / 60 / 100.0;
                s << t << ',' << std::exp(3 * std::cos(phase) - 3) << '\n';
            }
        }
        const QString out = m_dir.filePath(QStringLiteral("ramp.mkv"));
        const Run r = rppgRun({QStringLiteral("synth"), out, QStringLiteral("--ppg"), ppg, QStringLiteral("--duration"),
                               QStringLiteral("40"), QStringLiteral("--size"), QStringLiteral("320x240"),
                               QStringLiteral("--codec"), QStringLiteral("ffv1"), QStringLiteral("--no-masks"),
                               QStringLiteral("--motion"), QStringLiteral("none")});
        QCOMPARE(r.code, 0);
        const Run a = rppgRun({QStringLiteral("analyze"), out, QStringLiteral("--json")});
        QCOMPARE(a.code, 0);
        const QJsonObject o = QJsonDocument::fromJson(a.out.toUtf8()).object();
        const double median = o[QStringLiteral("windows_median_hr_bpm")].toDouble();
        QVERIFY2(std::abs(median - 95) < 1.5, qPrintable(QString::number(median)));
        QVERIFY2(o[QStringLiteral("window_mae_bpm")].toDouble() < 1.0, qPrintable(a.out));
        const double peak = o[QStringLiteral("hr_bpm")].toDouble();
        const QStringList warnings = o[QStringLiteral("warnings")].toVariant().toStringList();
        // A flat spectrum from 65 to 125 bpm: its peak (103.5 bpm when written) is far from 95.
        QVERIFY2(std::abs(peak - median) > 3 && std::abs(peak - median) > 0.03 * median, qPrintable(a.out));
        QCOMPARE(warnings.size(), 1);
        QVERIFY2(warnings[0].contains(QStringLiteral("trust the windows")), qPrintable(warnings[0]));
        const QString csvPath = m_dir.filePath(QStringLiteral("ramp.csv.out"));
        const Run summary = rppgRun({QStringLiteral("analyze"), out, QStringLiteral("--csv"), csvPath});
        QVERIFY(summary.out.contains(QStringLiteral("warning: pos: the whole recording's spectral peak")));
        // The CSV keeps the warning with the numbers it is about.
        auto csv = readAnalysisCsv(csvPath);
        QVERIFY2(csv.ok(), qPrintable(csv.error().message));
        QCOMPARE(csv->meta.value(QStringLiteral("warning")), warnings[0]);
        QCOMPARE(csv->meta.value(QStringLiteral("windows_median_hr_bpm")).toDouble(), std::round(median * 100) / 100);
    }

    // No pulse at all and a head that nods (`rppg synth --amplitude 0 --motion mild`): the skin's
    // shading changes twice per nod, a line near 51 bpm that POS takes for a pulse with an SNR
    // that passes. The motion check rates those windows low (JSON and summary).
    void motionLockedWithoutPulse()
    {
        const QString out = m_dir.filePath(QStringLiteral("nopulse.mp4"));
        const Run r = rppgRun({QStringLiteral("synth"), out, QStringLiteral("--amplitude"), QStringLiteral("0"),
                               QStringLiteral("--motion"), QStringLiteral("mild"), QStringLiteral("--no-masks")});
        QCOMPARE(r.code, 0);
        // Its ground truth says there is no pulse; analyze notes that and goes on without a reference.
        QVERIFY2(r.out.contains(QStringLiteral("pulse:        none (amplitude 0)")), qPrintable(r.out));
        QFile gt(m_dir.filePath(QStringLiteral("nopulse.gt.csv")));
        QVERIFY(gt.open(QIODevice::ReadOnly));
        const QByteArray truth = gt.readAll();
        QVERIFY(truth.contains(QByteArray(kNoPulseMarker) + " (rendered with amplitude 0)"));
        QVERIFY2(truth.contains("\n300,10.000000,0,,1\n"), truth.mid(truth.indexOf("\n300,"), 40).constData());
        const Run a = rppgRun({QStringLiteral("analyze"), out, QStringLiteral("--json")});
        QCOMPARE(a.code, 0);
        QVERIFY2(a.err.contains(QStringLiteral("records no pulse")), qPrintable(a.err));
        const QJsonObject o = QJsonDocument::fromJson(a.out.toUtf8()).object();
        QVERIFY(!o.contains(QStringLiteral("reference_hr_bpm")));
        const QJsonArray windows = o[QStringLiteral("windows")].toArray();
        QVERIFY(windows.size() >= 10);
        int locked = 0, passedSnr = 0, unsteady = 0;
        for (const QJsonValue &v : windows) {
            const QJsonObject w = v.toObject();
            // The halves' check: measured below 0 dB only; a window it flags passed the others.
            QVERIFY(!w.contains(QStringLiteral("ref_hr_bpm")));
            const double snr = w[QStringLiteral("snr_db")].toDouble();
            QCOMPARE(w.contains(QStringLiteral("steadiness")), snr < 0);
            if (w[QStringLiteral("unsteady")].toBool()) {
                ++unsteady;
                QVERIFY(w[QStringLiteral("steadiness")].toDouble() < 0.5 && snr >= -3);
                QVERIFY(!w[QStringLiteral("motion_locked")].toBool());
                QCOMPARE(w[QStringLiteral("quality")].toString(), QStringLiteral("low"));
            }
            if (w[QStringLiteral("motion_locked")].toBool()) {
                ++locked;
                QCOMPARE(w[QStringLiteral("quality")].toString(), QStringLiteral("low"));
                QVERIFY(w[QStringLiteral("motion")].toDouble() >= 0.005);
                passedSnr += w[QStringLiteral("snr_db")].toDouble() >= -3;
            }
        }
        // Measured: 9 of 11 windows locked, 6 of them with an SNR that passes (when written, before
        // the lines beside the rate were told apart, 11 and 8).
        QVERIFY2(locked >= windows.size() * 3 / 4, qPrintable(a.out));
        QVERIFY2(passedSnr >= windows.size() / 2, qPrintable(a.out));
        const QStringList warnings = o[QStringLiteral("warnings")].toVariant().toStringList();
        const QString expected = QStringLiteral("pos: %1 of %2 windows found their rate where the head moves")
                                     .arg(locked)
                                     .arg(windows.size());
        QString motion;
        for (const QString &w : warnings)
            if (w.startsWith(expected))
                motion = w;
        QVERIFY2(!motion.isEmpty(), qPrintable(warnings.join(QLatin1Char('\n'))));
        const Run summary = rppgRun({QStringLiteral("analyze"), out});
        QVERIFY2(summary.out.contains(QStringLiteral("%1 of them at the head's motion").arg(locked)), qPrintable(summary.out));
        QCOMPARE(summary.out.contains(QStringLiteral(", %1 whose two halves disagree").arg(unsteady)), unsteady > 0);
        QVERIFY2(summary.out.contains(QStringLiteral("warning: pos: ") + motion.mid(5)), qPrintable(summary.out));
    }

    // A still photo without a pulse, encoded with x264 at its default quality: the codec stops
    // updating the picture, so the skin's mean colour repeats exactly for up to a second at a time,
    // with small steps between (when written, POS read a steady 52 bpm from them, 6 of 11 windows
    // ok). The frozen stretches are measured; no window is ok, and a warning names the cause.
    void stillPictureFrozen()
    {
        const QString out = m_dir.filePath(QStringLiteral("still.mp4"));
        const Run r = rppgRun({QStringLiteral("synth"), out, QStringLiteral("--amplitude"), QStringLiteral("0"),
                               QStringLiteral("--motion"), QStringLiteral("none"), QStringLiteral("--size"),
                               QStringLiteral("320x240"), QStringLiteral("--no-masks")});
        QCOMPARE(r.code, 0);
        const QString csvPath = m_dir.filePath(QStringLiteral("still.csv"));
        const Run a = rppgRun({QStringLiteral("analyze"), out, QStringLiteral("--json"), QStringLiteral("--csv"), csvPath});
        QCOMPARE(a.code, 0);
        const QJsonObject o = QJsonDocument::fromJson(a.out.toUtf8()).object();
        QVERIFY2(o[QStringLiteral("frozen_share")].toDouble() >= 0.5, qPrintable(a.out));
        int frozen = 0;
        const QJsonArray windows = o[QStringLiteral("windows")].toArray();
        for (const QJsonValue &v : windows) {
            const QJsonObject w = v.toObject();
            QVERIFY2(w[QStringLiteral("quality")].toString() != QLatin1String("ok"), qPrintable(a.out));
            QVERIFY(w.contains(QStringLiteral("frozen_share")));
            frozen += w[QStringLiteral("frozen")].toBool();
            // The one-word reason: frozen where the picture was, else the first other check.
            if (w[QStringLiteral("quality")].toString() == QLatin1String("low"))
                QCOMPARE(w[QStringLiteral("quality_reason")].toString(),
                         w[QStringLiteral("motion_locked")].toBool() ? QStringLiteral("motion")
                         : w[QStringLiteral("unsteady")].toBool()    ? QStringLiteral("inconsistent")
                         : w[QStringLiteral("frozen")].toBool()      ? QStringLiteral("frozen")
                                                                     : QStringLiteral("snr"));
            else
                QVERIFY(!w.contains(QStringLiteral("quality_reason")));
        }
        QVERIFY2(frozen >= 1, qPrintable(a.out));   // windows whose SNR passed
        // The CSV's rows carry their window's reason.
        auto csv = readAnalysisCsv(csvPath);
        QVERIFY(csv.ok());
        int rowsFrozen = 0;
        for (size_t i = 0; i < csv->rows.size(); ++i) {
            const double t = csv->number(i, QStringLiteral("time_s"));
            const QString reason = csv->text(i, QStringLiteral("quality_reason"));
            if (std::isnan(csv->number(i, QStringLiteral("hr_bpm")))) {
                QVERIFY(reason.isEmpty());
                continue;
            }
            QJsonObject window;
            for (const QJsonValue &v : windows)
                if (v.toObject()[QStringLiteral("end_s")].toDouble() <= t + 1e-3)
                    window = v.toObject();
            QCOMPARE(csv->text(i, QStringLiteral("quality")), window[QStringLiteral("quality")].toString());
            QCOMPARE(reason, window[QStringLiteral("quality_reason")].toString());
            rowsFrozen += reason == QLatin1String("frozen");
        }
        QVERIFY(rowsFrozen >= 30);
        const QStringList warnings = o[QStringLiteral("warnings")].toVariant().toStringList();
        QVERIFY2(warnings.filter(QStringLiteral("a still picture or a frozen stream")).size() == 1,
                 qPrintable(warnings.join(QLatin1Char('\n'))));
        const Run summary = rppgRun({QStringLiteral("analyze"), out});
        QVERIFY2(summary.out.contains(QStringLiteral(", %1 on a frozen picture").arg(frozen)), qPrintable(summary.out));
    }

    // `rppg synth --breathing` makes a video whose pulse breathes 12 times a minute; `analyze`
    // reads the rate back from the beats (summary, JSON, CSV) next to the description's reference.
    void breathingRate()
    {
        const QString out = m_dir.filePath(QStringLiteral("breathing.mkv"));
        const Run r = rppgRun({QStringLiteral("synth"), out, QStringLiteral("--breathing"), QStringLiteral("12"),
                               QStringLiteral("--hr"), QStringLiteral("70"), QStringLiteral("--duration"),
                               QStringLiteral("40"), QStringLiteral("--size"), QStringLiteral("320x240"),
                               QStringLiteral("--codec"), QStringLiteral("ffv1"), QStringLiteral("--no-masks"),
                               QStringLiteral("--seed"), QStringLiteral("3")});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains(QStringLiteral("breathing 12.0 /min")));

        const QString csvPath = m_dir.filePath(QStringLiteral("breathing.csv"));
        const Run a = rppgRun({QStringLiteral("analyze"), out, QStringLiteral("--json"), QStringLiteral("--csv"), csvPath});
        QCOMPARE(a.code, 0);
        const QJsonObject o = QJsonDocument::fromJson(a.out.toUtf8()).object();
        QCOMPARE(o[QStringLiteral("reference_breaths_per_min")].toDouble(), 12.0);
        const QJsonObject whole = o[QStringLiteral("respiration")].toObject();
        QVERIFY2(std::abs(whole[QStringLiteral("breaths_per_min")].toDouble() - 12) <= 1.5, qPrintable(a.out));
        QVERIFY(whole[QStringLiteral("beats")].toInt() >= 40);
        QCOMPARE(o[QStringLiteral("beat_times_s")].toArray().size(), o[QStringLiteral("beats")].toInt());
        // 30 s windows every second from 30 s on: most of them near the truth, and every one
        // marked trustworthy within 2 per minute of it.
        const QJsonArray windows = o[QStringLiteral("respiration_windows")].toArray();
        QVERIFY(windows.size() >= 9 && windows.size() <= 11);
        QCOMPARE(windows.first().toObject()[QStringLiteral("end_s")].toDouble(), 30.0);
        int near = 0;
        for (const QJsonValue &v : windows) {
            const QJsonObject w = v.toObject();
            const double rate = w[QStringLiteral("breaths_per_min")].toDouble();
            near += std::abs(rate - 12) <= 1.5;
            if (w[QStringLiteral("quality")].toString() == QStringLiteral("ok"))
                QVERIFY2(std::abs(rate - 12) <= 2, qPrintable(a.out));
        }
        QVERIFY2(near * 3 >= windows.size() * 2, qPrintable(QString::number(near)));

        auto csv = readAnalysisCsv(csvPath);
        QVERIFY2(csv.ok(), qPrintable(csv.error().message));
        QVERIFY(std::abs(csv->meta.value(QStringLiteral("breaths_per_min")).toDouble() - 12) <= 1.5);
        QVERIFY(std::isnan(csv->number(600, QStringLiteral("breaths_per_min"))));     // 20 s: no window yet
        QVERIFY(std::abs(csv->number(1150, QStringLiteral("breaths_per_min")) - 12) <= 3);   // 38 s

        const Run summary = rppgRun({QStringLiteral("analyze"), out});
        QCOMPARE(summary.code, 0);
        QVERIFY2(summary.out.contains(QStringLiteral("breathing: ")) && summary.out.contains(QStringLiteral("reference 12.0 /min")),
                 qPrintable(summary.out));

        const Run bad = rppgRun({QStringLiteral("synth"), m_dir.filePath(QStringLiteral("y.mkv")),
                                 QStringLiteral("--breathing"), QStringLiteral("-4")});
        QCOMPARE(bad.code, int(cli::kExitUsage));
        QVERIFY(bad.err.contains(QStringLiteral("breathing")));
    }

    // `rppg bench --parts live`: frames handed to the live engine at 30 fps, newest frame wins,
    // each method alone and then all at once. Every frame is accounted for (analysed or counted
    // as dropped), the heart rate appears once a window is full and is right, and the section
    // lands in the results file. (Whether a method keeps up is the benchmark's finding, not
    // asserted: it depends on the machine and its load.)
    void benchLive()
    {
        const QString results = m_dir.filePath(QStringLiteral("LIVE.md"));
        const Run r = rppgRun({QStringLiteral("bench"), QStringLiteral("--parts"), QStringLiteral("live"), QStringLiteral("--quick"),
                               QStringLiteral("--methods"), QStringLiteral("pos,green"), QStringLiteral("--results"), results},
                              300000);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile f(results);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString md = QString::fromUtf8(f.readAll());
        QVERIFY(md.contains(QStringLiteral("<!-- rppg bench: live-camera -->")));
        QStringList rows;
        for (const QString &line : md.split(QLatin1Char('\n')))
            if (line.startsWith(QStringLiteral("| POS")) || line.startsWith(QStringLiteral("| GREEN")))
                rows << line;
        QCOMPARE(rows.size(), 3);
        QVERIFY(rows[2].startsWith(QStringLiteral("| GREEN with POS compared |")));
        for (const QString &row : rows) {
            const QStringList cells = row.split(QLatin1Char('|'));
            // | method | device | fed | dropped (x %) | first HR at | its lag | median lag | max lag | error |
            QCOMPARE(cells.size(), 11);
            QCOMPARE(cells[3].trimmed(), QStringLiteral("600"));   // 20 s at 30 fps
            const int dropped = cells[4].trimmed().section(QLatin1Char(' '), 0, 0).toInt();
            QVERIFY(dropped >= 0 && dropped < 600);
            bool ok = false;
            const double firstHr = cells[5].trimmed().toDouble(&ok);
            QVERIFY2(ok && firstHr >= 9.9 && firstHr <= 12.0, qPrintable(row));   // the 10 s window, then the next update
            const double error = cells[9].trimmed().toDouble(&ok);
            QVERIFY2(ok && error <= 3.0, qPrintable(row));
        }
    }

    // `rppg bench --parts hrv`: two subjects (52 and 64 bpm) rendered losslessly, their SDNN
    // scored against the generated beats. Each gets an HRV, and each one rated ok is within
    // 10 ms or 20 % of the truth (when written: 1 ok, 1.2 ms off; the moving one low, 5.5 ms).
    void benchHrv()
    {
        const QString results = m_dir.filePath(QStringLiteral("HRV.md"));
        const Run r = rppgRun({QStringLiteral("bench"), QStringLiteral("--parts"), QStringLiteral("hrv"), QStringLiteral("--subjects"),
                               QStringLiteral("2"), QStringLiteral("--methods"), QStringLiteral("pos"), QStringLiteral("--variants"),
                               QStringLiteral("lossless"), QStringLiteral("--results"), results},
                              300000);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile f(results);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString md = QString::fromUtf8(f.readAll());
        QVERIFY(md.contains(QStringLiteral("<!-- rppg bench: hrv-accuracy -->")));
        QStringList rows;
        for (const QString &line : md.split(QLatin1Char('\n')))
            if (line.startsWith(QStringLiteral("| POS | lossless |")))
                rows << line;
        QCOMPARE(rows.size(), 1);
        // | method | variant | with HRV | ok | median | worst | right | low | median | worst | right |
        const QStringList cells = rows[0].split(QLatin1Char('|'));
        QCOMPARE(cells.size(), 13);
        QCOMPARE(cells[3].trimmed(), QStringLiteral("2 / 2"));
        const int ok = cells[4].trimmed().toInt(), low = cells[8].trimmed().toInt();
        QCOMPARE(ok + low, 2);
        QVERIFY2(ok >= 1, qPrintable(rows[0]));
        QCOMPARE(cells[7].trimmed().toInt(), ok);   // every ok one right
    }

private:
    void makeBadFixtures()
    {
        m_fixturesMade = true;
        test::writeFile(m_dir, QStringLiteral("text.mp4"), "this is not a video\n");
        test::writeFile(m_dir, QStringLiteral("empty.mkv"), QByteArray());
        QByteArray random(200000, '\0');
        std::mt19937 rng(2);
        for (char &c : random)
            c = char(rng() & 0xff);
        test::writeFile(m_dir, QStringLiteral("random.avi"), random);
        QVERIFY(!faceless(m_dir, QStringLiteral("noface.mkv"), 60).isEmpty());
        // A valid Matroska header followed by garbage instead of frames.
        const QString good = faceless(m_dir, QStringLiteral("goodframes.mkv"), 30);
        QFile f(good);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QByteArray bytes = f.readAll();
        for (int i = 600; i < bytes.size(); ++i)
            bytes[i] = char(rng() & 0xff);
        test::writeFile(m_dir, QStringLiteral("corrupt.mkv"), bytes);
        SynthConfig sc = test::defaultSynthConfig(70, 3);
        sc.writeMasks = false;
        QVERIFY(!test::makeSynthVideo(m_dir, QStringLiteral("short.mkv"), sc).isEmpty());
    }

    QTemporaryDir m_dir;
    QString m_video;
    bool m_fixturesMade = false;
};

QTEST_GUILESS_MAIN(TstCli)
#include "tst_cli.moc"
