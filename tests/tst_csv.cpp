// The per-frame analysis CSV: schema, round trip of every value, atomic replacement, and the
// reader's handling of files that are not ours.
#include "analysiscsv.h"
#include "signalanalyzer.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>

#include <unistd.h>
#include <QTest>

#include <cmath>

using namespace rppg;

namespace {

AnalysisResult makeResult(double bpm, double seconds, double noFaceFrom, double noFaceTo)
{
    AnalysisResult r;
    r.source = QStringLiteral("/videos/test clip.mp4");
    r.method = QStringLiteral("pos");
    r.device = QStringLiteral("CPU");
    const double fps = 30;
    for (int i = 0; i < int(seconds * fps); ++i) {
        FrameRecord f;
        f.index = i;
        f.timeSec = i / fps;
        const bool face = !(f.timeSec >= noFaceFrom && f.timeSec < noFaceTo);
        if (face) {
            f.faceState = i % 30 == 0 ? FaceState::Detected : FaceState::Tracked;
            f.faceBox = cv::Rect2f(100.5f + i * 0.1f, 80, 200, 220);
            f.skinValid = true;
            f.skinPixels = 9000;
            const double p = std::sin(2 * M_PI * bpm / 60 * f.timeSec);
            f.rgb = cv::Vec3d(180 - 0.2 * p, 120 - 0.5 * p, 100 - 0.35 * p);
            ++r.faceFrames;
        }
        r.frames.push_back(f);
    }
    auto pos = MethodRegistry::instance().create(QStringLiteral("pos"));
    r.signal = analyzeSignal(r.frames, pos.value().get(), r.config);
    return r;
}

bool sameNumber(double a, double b, double tol)
{
    if (std::isnan(a) || std::isnan(b))
        return std::isnan(a) && std::isnan(b);
    return std::abs(a - b) <= tol;
}

} // namespace

class TstCsv : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip()
    {
        QTemporaryDir dir;
        const AnalysisResult r = makeResult(75, 30, 14, 18);
        const QString path = dir.filePath(QStringLiteral("out.csv"));
        QVERIFY(!writeAnalysisCsv(path, r).isError());
        auto csv = readAnalysisCsv(path);
        QVERIFY2(csv.ok(), qPrintable(csv.error().message));
        QCOMPARE(csv->columns, analysisCsvColumns());
        QCOMPARE(csv->rows.size(), r.frames.size());
        QCOMPARE(csv->meta.value(QStringLiteral("source")), r.source);
        QCOMPARE(csv->meta.value(QStringLiteral("method")), QStringLiteral("pos"));
        QVERIFY(std::abs(csv->meta.value(QStringLiteral("hr_bpm")).toDouble() - r.signal.hrBpm) < 0.01);
        const auto values = frameSignalValues(r);
        int withHr = 0;
        for (size_t i = 0; i < r.frames.size(); ++i) {
            const FrameRecord &f = r.frames[i];
            QCOMPARE(qint64(csv->number(i, QStringLiteral("frame"))), qint64(f.index));
            QVERIFY(sameNumber(csv->number(i, QStringLiteral("time_s")), f.timeSec, 1e-6));
            QCOMPARE(csv->number(i, QStringLiteral("face")), f.faceState == FaceState::NoFace ? 0.0 : 1.0);
            QVERIFY(sameNumber(csv->number(i, QStringLiteral("g")), f.rgb[1], 1e-4));
            QVERIFY(sameNumber(csv->number(i, QStringLiteral("face_w")),
                               f.faceState == FaceState::NoFace ? NAN : f.faceBox.width, 0.05));
            QVERIFY(sameNumber(csv->number(i, QStringLiteral("pulse")), values[i].pulse,
                               1e-5 * std::max(1.0, std::abs(values[i].pulse))));
            QVERIFY(sameNumber(csv->number(i, QStringLiteral("hr_bpm")), values[i].hrBpm, 0.005));
            QCOMPARE(csv->rows[i][csv->column(QStringLiteral("quality"))], qualityName(values[i].quality));
            QCOMPARE(csv->text(i, QStringLiteral("quality_reason")), values[i].qualityReason);
            if (std::isfinite(values[i].hrBpm)) {
                ++withHr;
                QVERIFY(std::abs(values[i].hrBpm - 75) < 2);
            }
            // No HR for frames without a face, and none before the first window is complete.
            if (f.faceState == FaceState::NoFace || f.timeSec < r.config.windowSec - 0.1)
                QVERIFY(std::isnan(values[i].hrBpm));
        }
        // HR from 10 s on, none in the 4 s gap, and none again until a window holds 8 s (80 %)
        // of fresh signal after the face returns.
        QVERIFY2(withHr > 200, qPrintable(QString::number(withHr)));
        for (size_t i = 0; i < r.frames.size(); ++i)
            if (r.frames[i].timeSec > 14 && r.frames[i].timeSec < 25.9)
                QVERIFY(std::isnan(values[i].hrBpm));
    }

    // A reference beside the estimates: each row with an estimate gets the reference HR of that
    // estimate's window; rows without one, and files written without a reference, get none.
    void referenceColumn()
    {
        QTemporaryDir dir;
        const AnalysisResult r = makeResult(75, 30, 14, 18);
        HrReference ref;
        for (int k = 0; k <= 300; ++k) {
            ref.timeSec.push_back(k * 0.1);
            ref.hrBpm.push_back(k < 200 ? 70.0 : 80.0);
        }
        ref.meanHrBpm = (200 * 70.0 + 101 * 80.0) / 301;
        const QString path = dir.filePath(QStringLiteral("ref.csv"));
        const ReferenceScore score = scoreAgainstReference(ref, QStringLiteral("/data/oximeter.csv"), r.signal, r.config);
        QVERIFY(!writeAnalysisCsv(path, r, &score).isError());
        auto csv = readAnalysisCsv(path);
        QVERIFY2(csv.ok(), qPrintable(csv.error().message));
        QCOMPARE(csv->meta.value(QStringLiteral("reference")), QStringLiteral("/data/oximeter.csv"));
        const auto values = frameSignalValues(r);
        size_t w = 0;
        int paired = 0;
        for (size_t i = 0; i < r.frames.size(); ++i) {
            while (w < r.signal.windows.size() && r.signal.windows[w].endSec <= r.frames[i].timeSec + 1e-6)
                ++w;
            const double written = csv->number(i, QStringLiteral("ref_hr_bpm"));
            if (!std::isfinite(values[i].hrBpm)) {
                QVERIFY(std::isnan(written));
                continue;
            }
            const WindowEstimate &win = r.signal.windows[w - 1];
            QVERIFY(sameNumber(written, ref.meanOver(win.startSec, win.endSec), 0.005));
            QVERIFY(written > 69.99 && written < 80.01);
            ++paired;
        }
        QVERIFY(paired > 200);
        double sum = 0;
        int n = 0;
        for (const WindowEstimate &win : r.signal.windows)
            if (std::isfinite(win.hrBpm)) {
                sum += std::abs(win.hrBpm - ref.meanOver(win.startSec, win.endSec));
                ++n;
            }
        QVERIFY(n > 5);
        QVERIFY(sameNumber(csv->meta.value(QStringLiteral("window_mae_bpm")).toDouble(), sum / n, 0.006));

        QVERIFY(!writeAnalysisCsv(path, r).isError());
        csv = readAnalysisCsv(path);
        QVERIFY(csv.ok());
        QVERIFY(!csv->meta.contains(QStringLiteral("reference")));
        for (size_t i = 0; i < csv->rows.size(); ++i)
            QVERIFY(std::isnan(csv->number(i, QStringLiteral("ref_hr_bpm"))));
    }

    // Methods compared live: two columns each after the fixed ones, holding the newest estimate at
    // or before the frame (none before its first, none without a face); named in the metadata.
    void comparedColumns()
    {
        QTemporaryDir dir;
        const AnalysisResult r = makeResult(75, 30, 14, 18);
        ComparedEstimates chrom{QStringLiteral("chrom"), {}, {}, {}};
        for (int k = 20; k <= 60; ++k) {   // every 0.5 s from 10 s, a value that says when
            chrom.timeSec.push_back(k * 0.5);
            chrom.hrBpm.push_back(60.0 + k);
            chrom.snrDb.push_back(k % 7 == 0 ? kNaN : k / 10.0);
        }
        const ComparedEstimates rppg{QStringLiteral("stven+rppgnet"), {5.0}, {90.0}, {3.0}};
        const QString path = dir.filePath(QStringLiteral("compared.csv"));
        QVERIFY(!writeAnalysisCsv(path, r, nullptr, {chrom, rppg}).isError());
        auto csv = readAnalysisCsv(path);
        QVERIFY2(csv.ok(), qPrintable(csv.error().message));
        QCOMPARE(csv->meta.value(QStringLiteral("compared")), QStringLiteral("chrom,stven+rppgnet"));
        QCOMPARE(csv->columns.mid(0, analysisCsvColumns().size()), analysisCsvColumns());
        QCOMPARE(csv->columns.mid(analysisCsvColumns().size()),
                 (QStringList{QStringLiteral("hr_bpm_chrom"), QStringLiteral("snr_db_chrom"),
                              QStringLiteral("hr_bpm_stven+rppgnet"), QStringLiteral("snr_db_stven+rppgnet")}));
        int filled = 0;
        for (size_t i = 0; i < r.frames.size(); ++i) {
            const double t = r.frames[i].timeSec;
            const bool face = r.frames[i].skinValid;
            const double hr = csv->number(i, QStringLiteral("hr_bpm_chrom"));
            const double snr = csv->number(i, QStringLiteral("snr_db_chrom"));
            const int k = int(std::floor(t / 0.5 + 1e-6));   // the newest estimate: k * 0.5 <= t
            if (!face || k < 20) {
                QVERIFY2(std::isnan(hr) && std::isnan(snr), qPrintable(QString::number(t)));
            } else {
                QCOMPARE(hr, 60.0 + std::min(k, 60));
                QVERIFY(k % 7 == 0 ? std::isnan(snr) : sameNumber(snr, std::min(k, 60) / 10.0, 1e-9));
                ++filled;
            }
            const double other = csv->number(i, QStringLiteral("hr_bpm_stven+rppgnet"));
            QVERIFY(face && t >= 5.0 - 1e-9 ? other == 90.0 : std::isnan(other));
        }
        QVERIFY(filled > 400);
        // Without compared methods: neither the columns nor the metadata line.
        QVERIFY(!writeAnalysisCsv(path, r).isError());
        csv = readAnalysisCsv(path);
        QVERIFY(csv.ok());
        QCOMPARE(csv->columns, analysisCsvColumns());
        QVERIFY(!csv->meta.contains(QStringLiteral("compared")));
    }

    void atomicReplace()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("out.csv"));
        QFile old(path);
        QVERIFY(old.open(QIODevice::WriteOnly));
        old.write("previous content\n");
        old.close();
        QVERIFY(!writeAnalysisCsv(path, makeResult(60, 20, 100, 100)).isError());
        QVERIFY(readAnalysisCsv(path).ok());
        // Only the final file remains: no temporary siblings.
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{QStringLiteral("out.csv")});
    }

    void unwritablePath()
    {
        QTemporaryDir dir;
        const Error e = writeAnalysisCsv(dir.filePath(QStringLiteral("missing/dir/out.csv")),
                                         makeResult(60, 12, 100, 100));
        QCOMPARE(e.code, ErrorCode::WriteFailed);
        QVERIFY(e.message.contains(QStringLiteral("out.csv")));
        if (::geteuid() != 0) {   // root ignores permissions
            QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::ExeOwner);
            QCOMPARE(writeAnalysisCsv(dir.filePath(QStringLiteral("x.csv")), makeResult(60, 12, 100, 100)).code,
                     ErrorCode::WriteFailed);
            QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        }
        // /proc files cannot be replaced by rename: the failure is reported, nothing crashes.
        QCOMPARE(writeAnalysisCsv(QStringLiteral("/proc/version"), makeResult(60, 12, 100, 100)).code,
                 ErrorCode::WriteFailed);
    }

    void readerRejectsForeignFiles_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<int>("code");
        QTest::newRow("empty") << QByteArray() << int(ErrorCode::BadData);
        QTest::newRow("comments only") << QByteArray("# a\n# b\n") << int(ErrorCode::BadData);
        QTest::newRow("other columns") << QByteArray("a,b,c\n1,2,3\n") << int(ErrorCode::BadData);
        QTest::newRow("ragged") << QByteArray("frame,time_s,pulse,hr_bpm\n1,0.1,0.5\n") << int(ErrorCode::BadData);
        QTest::newRow("binary") << QByteArray("\x00\x01\x02\xff\xfe", 5) << int(ErrorCode::BadData);
    }
    void readerRejectsForeignFiles()
    {
        QFETCH(QByteArray, content);
        QFETCH(int, code);
        QTemporaryDir dir;
        const QString path = test::writeFile(dir, QStringLiteral("x.csv"), content);
        auto r = readAnalysisCsv(path);
        QVERIFY(!r.ok());
        QCOMPARE(int(r.error().code), code);
        QCOMPARE(int(readAnalysisCsv(dir.filePath(QStringLiteral("none.csv"))).error().code),
                 int(ErrorCode::FileNotFound));
    }
};

QTEST_GUILESS_MAIN(TstCsv)
#include "tst_csv.moc"
