// The codec study engine and its reports on short generated videos: every variant is produced at
// about its bit rate, picture quality falls with the bit rate, errors are measured against the
// right reference, cancel leaves nothing behind, and bad inputs fail cleanly.
#include "codecreport.h"
#include "codecstudy.h"
#include "testsupport.h"
#include "videoencoder.h"
#include "videofilesource.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTest>
#include <QTextStream>

#include <cmath>

using namespace rppg;

namespace {

CodecStudyConfig studyConfig(const QString &video)
{
    CodecStudyConfig c;
    c.sourcePath = video;
    c.methods = {QStringLiteral("pos"), QStringLiteral("green")};
    c.settings.clear();
    for (const char *codec : {"x264", "x265", "mpeg4"})
        for (int64_t kbps : {100, 200, 400})
            c.settings.push_back({QString::fromLatin1(codec), kbps * 1000, -1});
    c.x265Preset = QStringLiteral("ultrafast");   // test speed; the default preset is covered by the benchmark
    return c;
}

std::vector<QStringList> readCsvRows(const QString &path)
{
    std::vector<QStringList> rows;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        return rows;
    QTextStream in(&f);
    while (!in.atEnd()) {
        const QString line = in.readLine();
        if (!line.startsWith(QLatin1Char('#')) && !line.isEmpty())
            rows.push_back(line.split(QLatin1Char(',')));
    }
    return rows;
}

} // namespace

class TstCodecStudy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        SynthConfig sc = test::defaultSynthConfig(84, 14);
        sc.width = 320;
        sc.height = 240;
        sc.writeMasks = false;
        m_video = test::makeSynthVideo(m_dir, QStringLiteral("clip.mkv"), sc);
        QVERIFY(!m_video.isEmpty());
        auto r = runCodecStudy(studyConfig(m_video));
        QVERIFY2(r.ok(), qPrintable(r.error().message));
        m_study = r.value();
    }

    void everyVariantNearItsBitrate()
    {
        QCOMPARE(int(m_study.variants.size()), 9);
        for (const VariantResult &v : m_study.variants) {
            QVERIFY(v.encode.frames == int64_t(m_study.original.frames.size()));
            const double ratio = v.encode.achievedBitrateBps / double(v.setting.bitrateBps);
            // x264/x265 rate control lands within about a third on a 14 s clip; MPEG-4 Part 2
            // overshoots low targets (its quantiser cannot go coarser), never undershoots much.
            if (v.setting.codec == QLatin1String("mpeg4"))
                QVERIFY2(ratio > 0.6 && ratio < 4.0, qPrintable(QStringLiteral("%1: %2").arg(v.setting.label()).arg(ratio)));
            else
                QVERIFY2(ratio > 0.65 && ratio < 1.35, qPrintable(QStringLiteral("%1: %2").arg(v.setting.label()).arg(ratio)));
            QCOMPARE(v.psnrDb.size(), m_study.original.frames.size());
            QCOMPARE(v.ssim.size(), m_study.original.frames.size());
        }
    }

    void qualityFallsWithBitrate()
    {
        for (const char *codec : {"x264", "x265", "mpeg4"}) {
            std::vector<const VariantResult *> vs;
            for (const VariantResult &v : m_study.variants)
                if (v.setting.codec == QLatin1String(codec))
                    vs.push_back(&v);
            std::sort(vs.begin(), vs.end(), [](auto *a, auto *b) { return a->setting.bitrateBps < b->setting.bitrateBps; });
            // Never better at a lower rate (a codec may saturate: MPEG-4's finest quantiser), and
            // clearly worse at the lowest than at the highest.
            QVERIFY2(vs.back()->meanPsnrDb > vs.front()->meanPsnrDb + 1.0,
                     qPrintable(QStringLiteral("%1 %2 vs %3").arg(QLatin1String(codec)).arg(vs.back()->meanPsnrDb).arg(vs.front()->meanPsnrDb)));
            for (size_t i = 1; i < vs.size(); ++i) {
                QVERIFY2(vs[i]->meanPsnrDb > vs[i - 1]->meanPsnrDb - 0.05,
                         qPrintable(QStringLiteral("%1 %2 vs %3").arg(QLatin1String(codec)).arg(vs[i]->meanPsnrDb).arg(vs[i - 1]->meanPsnrDb)));
                QVERIFY(vs[i]->meanSsim >= vs[i - 1]->meanSsim - 1e-4);
            }
            QVERIFY(vs.front()->meanPsnrDb > 20 && vs.back()->meanPsnrDb < 60);
        }
    }

    void psnrAndSsimOfKnownPairs()
    {
        cv::Mat a(64, 64, CV_8UC3, cv::Scalar(100, 120, 140));
        QCOMPARE(lumaPsnrDb(a, a), 99.0);
        QVERIFY(std::abs(lumaSsim(a, a) - 1.0) < 1e-6);
        cv::Mat b = a + cv::Scalar(10, 10, 10);   // luma +10 everywhere: MSE 100
        QVERIFY(std::abs(lumaPsnrDb(a, b) - 10 * std::log10(255.0 * 255.0 / 100.0)) < 0.05);
        cv::Mat noise(64, 64, CV_8UC3);
        cv::randu(noise, 0, 255);
        QVERIFY(lumaSsim(a, noise) < 0.2);
    }

    void groundTruthIsTheReference()
    {
        QCOMPARE(m_study.referenceKind, ReferenceKind::GroundTruth);
        QCOMPARE(m_study.referencePath, groundTruthPathFor(m_video));
        const double truth = m_study.reference.recordingHr();
        QVERIFY(std::abs(truth - 84) < 3);
        for (const VariantResult &v : m_study.variants)
            for (const MethodOutcome &o : v.methods) {
                QCOMPARE(o.referenceHrBpm, truth);
                if (std::isfinite(o.signal.hrBpm))
                    QCOMPARE(o.hrErrorBpm, o.signal.hrBpm - truth);
            }
        // On the lossless source the estimate is close to the truth.
        QVERIFY(std::abs(m_study.original.outcome(QStringLiteral("pos"))->hrErrorBpm) < 2);
    }

    void sourceEstimateAndCsvReferences()
    {
        // Without ground truth, each method is compared with itself on the source.
        const QString copy = m_dir.filePath(QStringLiteral("nogt.mkv"));
        QVERIFY(QFile::copy(m_video, copy));
        CodecStudyConfig c = studyConfig(copy);
        c.settings = {{QStringLiteral("x264"), 300000, -1}};
        auto r = runCodecStudy(c);
        QVERIFY2(r.ok(), qPrintable(r.error().message));
        QCOMPARE(r->referenceKind, ReferenceKind::SourceEstimate);
        QCOMPARE(r->original.outcome(QStringLiteral("pos"))->hrErrorBpm, 0.0);
        const MethodOutcome *o = r->variants[0].outcome(QStringLiteral("pos"));
        QCOMPARE(o->referenceHrBpm, r->original.outcome(QStringLiteral("pos"))->signal.hrBpm);

        // A given CSV (time_s,hr_bpm) wins over everything.
        const QString csv = test::writeFile(m_dir, QStringLiteral("ref.csv"), "time_s,hr_bpm\n0,100\n5,100\n10,100\n");
        c.referencePath = csv;
        auto rc = runCodecStudy(c);
        QVERIFY2(rc.ok(), qPrintable(rc.error().message));
        QCOMPARE(rc->referenceKind, ReferenceKind::Csv);
        QCOMPARE(rc->variants[0].outcome(QStringLiteral("pos"))->referenceHrBpm, 100.0);
        c.referencePath = test::writeFile(m_dir, QStringLiteral("bad.csv"), "what,ever\nx,y\n");
        auto bad = runCodecStudy(c);
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().code, ErrorCode::BadData);
    }

    void reportFilesExistAndParse()
    {
        const QString out = m_dir.filePath(QStringLiteral("report"));
        auto written = writeCodecStudyReport(m_study, out);
        QVERIFY2(written.ok(), qPrintable(written.error().message));
        for (const char *f : {"summary.csv", "waveforms.csv", "frames.csv", "report.html", "hr_error_vs_bitrate.png",
                              "quality_vs_bitrate.png", "waveforms_pos.png", "contact_sheet.png"})
            QVERIFY2(QFile::exists(QDir(out).filePath(QLatin1String(f))), f);
        const auto rows = readCsvRows(QDir(out).filePath(QStringLiteral("summary.csv")));
        QCOMPARE(int(rows.size()), 1 + 10 * 2);   // header + (source + 9 variants) × 2 methods
        const int err = rows[0].indexOf(QStringLiteral("hr_error_bpm"));
        QVERIFY(err > 0);
        for (size_t i = 1; i < rows.size(); ++i)
            QCOMPARE(rows[i].size(), rows[0].size());
        // ok_window_share: each row's share of windows rated ok, counted from its outcome's windows.
        const int share = rows[0].indexOf(QStringLiteral("ok_window_share"));
        const int method = rows[0].indexOf(QStringLiteral("method"));
        QVERIFY(share > 0 && method > 0);
        int untrusted = 0;
        for (size_t i = 1; i < rows.size(); ++i) {
            const VariantResult *v = rows[i][0] == m_study.original.setting.label() ? &m_study.original : nullptr;
            for (const VariantResult &x : m_study.variants)
                if (x.setting.label() == rows[i][0])
                    v = &x;
            QVERIFY2(v, qPrintable(rows[i][0]));
            const MethodOutcome *o = v->outcome(rows[i][method]);
            QVERIFY(o);
            int estimates = 0, good = 0;
            for (const WindowEstimate &w : o->signal.windows) {
                estimates += w.quality != Quality::NoSignal;
                good += w.quality == Quality::Good;
            }
            QVERIFY(estimates > 0);
            QCOMPARE(rows[i][share], QString::number(double(good) / estimates, 'f', 3));
            untrusted += 2 * good < estimates;
        }
        // The text summary stars exactly the heart rates of those under half ok.
        const QString summary = codecStudySummaryText(m_study);
        QCOMPARE(int(summary.count(QRegularExpression(QStringLiteral("\\d\\*")))), untrusted);
        QCOMPARE(summary.contains(QStringLiteral("* fewer than half of the windows are ok")), untrusted > 0);
        QImage png;
        QVERIFY(png.load(QDir(out).filePath(QStringLiteral("contact_sheet.png"))));
        QVERIFY(png.width() > 600);
        QFile html(QDir(out).filePath(QStringLiteral("report.html")));
        QVERIFY(html.open(QIODevice::ReadOnly));
        const QByteArray text = html.readAll();
        QVERIFY(text.contains("data:image/png;base64,"));
        QVERIFY(!text.contains("http://") && !text.contains("https://"));   // opens without network
        QVERIFY(text.contains("x265 200k"));
        // The settings the variants were analysed with, stated in the report, the table and the text.
        QCOMPARE(m_study.analysis.windowSec, AnalysisConfig{}.windowSec);
        QVERIFY(text.contains("window 10 s, band 0.70-4.00 Hz (42-240 bpm), networks checked against POS, GREEN"));
        QFile table(QDir(out).filePath(QStringLiteral("summary.csv")));
        QVERIFY(table.open(QIODevice::ReadOnly));
        const QByteArray csv = table.readAll();
        QVERIFY(csv.contains("\n# window_s: 10\n# band_hz: 0.7-4\n# witnesses: pos,green\n"));
        QVERIFY(codecStudySummaryText(m_study).contains(QStringLiteral("\nanalysis: window 10 s, band 0.70-4.00 Hz")));
        // Unwritable output: a clear error, not a crash.
        auto fail = writeCodecStudyReport(m_study, QStringLiteral("/proc/rppg-nope"));
        QVERIFY(!fail.ok());
        QCOMPARE(fail.error().code, ErrorCode::WriteFailed);
    }

    void cancelLeavesNoFiles()
    {
        const QString work = m_dir.filePath(QStringLiteral("work"));
        CodecStudyConfig c = studyConfig(m_video);
        c.workDir = work;
        std::atomic<bool> cancel{false};
        auto r = runCodecStudy(c, [&](const QString &stage, double f) {
            if (stage == QLatin1String("encoding") && f > 0.3)
                cancel = true;
        }, &cancel);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::Cancelled);
        QVERIFY(QDir(work).entryList(QDir::Files).isEmpty());
        // Cancelling during the analysis stage too.
        cancel = false;
        auto r2 = runCodecStudy(c, [&](const QString &stage, double f) {
            if (stage == QLatin1String("analysing") && f > 0.2)
                cancel = true;
        }, &cancel);
        QCOMPARE(r2.error().code, ErrorCode::Cancelled);
        QVERIFY(QDir(work).entryList(QDir::Files).isEmpty());
    }

    void oddSizeAndUnusualPixelFormat()
    {
        // 321×241 in 4:4:4 10-bit FFV1: cropped to even size for the 4:2:0 encoders, with a warning.
        const QString odd = m_dir.filePath(QStringLiteral("odd.mkv"));
        {
            VideoFileSource in;
            QVERIFY(!in.open(m_video).isError());
            VideoEncoder enc;
            EncoderSettings es;
            es.codec = QStringLiteral("ffv1");
            es.pixelFormat = QStringLiteral("yuv444p10le");
            es.width = 321;
            es.height = 241;
            QVERIFY(!enc.open(odd, es).isError());
            VideoFrame f;
            int n = 0;
            while (in.read(f) == ReadStatus::Frame && n++ < 150) {
                cv::Mat big;
                cv::copyMakeBorder(f.bgr, big, 0, 1, 0, 1, cv::BORDER_REPLICATE);
                QVERIFY(!enc.write(big, f.ptsUs).isError());
            }
            QVERIFY(!enc.finish().isError());
        }
        CodecStudyConfig c = studyConfig(odd);
        c.settings = {{QStringLiteral("x264"), 300000, -1}, {QStringLiteral("mpeg4"), 300000, -1}};
        auto r = runCodecStudy(c);
        QVERIFY2(r.ok(), qPrintable(r.error().message));
        QCOMPARE(r->sourceCrop, cv::Rect(0, 0, 320, 240));
        QVERIFY(r->warnings.join(QLatin1Char(' ')).contains(QStringLiteral("even")));
        QVERIFY(r->variants[0].meanPsnrDb > 25);
    }

    void missingCodecsAndBadSources()
    {
        CodecStudyConfig c = studyConfig(m_video);
        c.settings = {{QStringLiteral("nonexistent"), 300000, -1}, {QStringLiteral("x264"), 300000, -1}};
        auto r = runCodecStudy(c);
        QVERIFY2(r.ok(), qPrintable(r.error().message));
        QCOMPARE(int(r->variants.size()), 1);
        QVERIFY(r->warnings.join(QLatin1Char(' ')).contains(QStringLiteral("nonexistent")));
        c.settings = {{QStringLiteral("nonexistent"), 300000, -1}};
        QCOMPARE(runCodecStudy(c).error().code, ErrorCode::Unsupported);

        c = studyConfig(m_dir.filePath(QStringLiteral("missing.mp4")));
        QCOMPARE(runCodecStudy(c).error().code, ErrorCode::FileNotFound);
        c = studyConfig(test::writeFile(m_dir, QStringLiteral("text.mp4"), "not a video"));
        QCOMPARE(runCodecStudy(c).error().code, ErrorCode::NotAVideo);
        c = studyConfig(m_video);
        c.methods = {QStringLiteral("nope")};
        QCOMPARE(runCodecStudy(c).error().code, ErrorCode::Usage);
        c = studyConfig(m_video);
        c.workDir = QStringLiteral("/proc/rppg-cannot");
        QCOMPARE(runCodecStudy(c).error().code, ErrorCode::WriteFailed);
    }

private:
    QTemporaryDir m_dir;
    QString m_video;
    CodecStudyResult m_study;
};

QTEST_MAIN(TstCodecStudy)
#include "tst_codecstudy.moc"
