// The whole pipeline on generated face videos with a known pulse: decode → face → skin → method →
// heart rate, including head motion, time without a face, variable frame rate, cropped skin
// videos (whole-frame mode) and truncated files.
#include "analysiscsv.h"
#include "groundtruth.h"
#include "offlineanalyzer.h"
#include "signalanalyzer.h"
#include "testsupport.h"
#include "videoencoder.h"
#include "videofilesource.h"

#include <QFile>

#include <opencv2/imgproc.hpp>
#include <QTest>

#include <cmath>
#include <random>

using namespace rppg;

namespace {

double groundTruthHr(const QString &video)
{
    auto ref = readHrReference(groundTruthPathFor(video));
    return ref.ok() ? ref->meanHrBpm : NAN;
}

// The reference for one window, processed like the estimate (spectral peak of the true PPG).
double groundTruthWindowHr(const QString &video, double from, double to)
{
    auto ref = readHrReference(groundTruthPathFor(video));
    return ref.ok() ? ref->windowHr(from, to) : NAN;
}

AnalysisConfig configFor(const QString &method)
{
    AnalysisConfig c;
    c.method = method;
    return c;
}

} // namespace

class TstPipeline : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void heartRateWithMotion_data()
    {
        QTest::addColumn<double>("bpm");
        for (double bpm : {48.0, 72.0, 96.0, 120.0, 150.0})
            QTest::newRow(qPrintable(QStringLiteral("%1 bpm").arg(bpm))) << bpm;
    }
    void heartRateWithMotion()
    {
        // Lossless video with head motion: POS and CHROM within 1.5 bpm of the ground truth.
        QFETCH(double, bpm);
        SynthConfig sc = test::defaultSynthConfig(bpm, 20);
        sc.seed = uint64_t(bpm);
        sc.motionTranslationPx = 8;
        sc.motionRotationDeg = 3;
        sc.motionScale = 0.03;
        sc.illuminationDrift = 0.03;
        sc.writeMasks = false;
        const QString video = test::makeSynthVideo(m_dir, QStringLiteral("motion%1.mkv").arg(bpm), sc);
        QVERIFY(!video.isEmpty());
        const double truth = groundTruthHr(video);
        QVERIFY(std::abs(truth - bpm) < 3);
        auto pos = analyzeFile(video, configFor(QStringLiteral("pos")));
        QVERIFY2(pos.ok(), qPrintable(pos.error().message));
        QCOMPARE(pos->faceFrames, int(pos->frames.size()));
        QVERIFY2(std::abs(pos->signal.hrBpm - truth) < 1.5,
                 qPrintable(QStringLiteral("POS %1 vs %2").arg(pos->signal.hrBpm).arg(truth)));
        // CHROM on the same frames (tracking is method-independent).
        auto chrom = MethodRegistry::instance().create(QStringLiteral("chrom"));
        const SignalResult c = analyzeSignal(pos->frames, chrom.value().get(), pos->config);
        QVERIFY2(std::abs(c.hrBpm - truth) < 1.5, qPrintable(QStringLiteral("CHROM %1 vs %2").arg(c.hrBpm).arg(truth)));
        // Windowed estimates agree with the ground truth of their own window.
        int good = 0, total = 0;
        for (const WindowEstimate &w : pos->signal.windows) {
            ++total;
            if (std::isfinite(w.hrBpm) && std::abs(w.hrBpm - groundTruthWindowHr(video, w.startSec, w.endSec)) < 3)
                ++good;
        }
        QVERIFY2(good >= total * 0.9, qPrintable(QStringLiteral("%1 of %2 windows").arg(good).arg(total)));
    }

    void faceLeavesTheFrame()
    {
        SynthConfig sc = test::defaultSynthConfig(80, 36);
        sc.absentIntervals = {{13.0, 22.0}};
        sc.writeMasks = false;
        const QString video = test::makeSynthVideo(m_dir, QStringLiteral("absent.mkv"), sc);
        QVERIFY(!video.isEmpty());
        auto r = analyzeFile(video, configFor(QStringLiteral("pos")));
        QVERIFY2(r.ok(), qPrintable(r.error().message));
        int noFaceInGap = 0, gapFrames = 0;
        for (const FrameRecord &f : r->frames) {
            if (f.timeSec > 13.3 && f.timeSec < 22.0) {
                ++gapFrames;
                noFaceInGap += f.faceState == FaceState::NoFace;
            }
            if (f.timeSec < 12.9 || f.timeSec > 23.0)
                QVERIFY2(f.faceState != FaceState::NoFace, qPrintable(QString::number(f.timeSec)));
        }
        QCOMPARE(noFaceInGap, gapFrames);   // the track is dropped within 0.3 s
        // No heart rate is reported for time without a face.
        const auto values = frameSignalValues(r.value());
        for (size_t i = 0; i < r->frames.size(); ++i)
            if (r->frames[i].faceState == FaceState::NoFace)
                QVERIFY(std::isnan(values[i].hrBpm));
        // A window needs 80 % of its span with a face: windows mostly in the gap give nothing.
        int empty = 0;
        for (const WindowEstimate &w : r->signal.windows) {
            const double faceSec = std::max(0.0, std::min(w.endSec, 13.0) - w.startSec)
                                   + std::max(0.0, w.endSec - std::max(w.startSec, 22.0));
            if (faceSec < 0.75 * (w.endSec - w.startSec)) {
                QCOMPARE(w.quality, Quality::NoSignal);
                ++empty;
            }
        }
        QVERIFY(empty >= 10);
        QVERIFY(std::abs(r->signal.hrBpm - groundTruthHr(video)) < 1.5);
    }

    void variableFrameRate()
    {
        // Re-mux a constant-rate video dropping a quarter of the frames at random, keeping each
        // frame's own timestamp: the HR must not change. (Counting frames at the nominal rate
        // would read 4/3 of the true HR.)
        SynthConfig sc = test::defaultSynthConfig(70, 24);
        sc.writeMasks = false;
        const QString src = test::makeSynthVideo(m_dir, QStringLiteral("cfr.mkv"), sc);
        QVERIFY(!src.isEmpty());
        const QString vfr = m_dir.filePath(QStringLiteral("vfr.mkv"));
        VideoFileSource in;
        QVERIFY(!in.open(src).isError());
        VideoEncoder out;
        EncoderSettings es;
        es.codec = QStringLiteral("ffv1");
        es.width = in.info().width;
        es.height = in.info().height;
        QVERIFY(!out.open(vfr, es).isError());
        std::mt19937 rng(1);
        VideoFrame f;
        int kept = 0, total = 0;
        while (in.read(f) == ReadStatus::Frame) {
            ++total;
            if (total > 1 && rng() % 4 == 0)
                continue;
            QVERIFY(!out.write(f.bgr, f.ptsUs).isError());
            ++kept;
        }
        QVERIFY(!out.finish().isError());
        QVERIFY(kept < total * 0.85);
        auto r = analyzeFile(vfr, configFor(QStringLiteral("pos")));
        QVERIFY2(r.ok(), qPrintable(r.error().message));
        QCOMPARE(int(r->frames.size()), kept);
        const double truth = groundTruthHr(src);
        QVERIFY2(std::abs(r->signal.hrBpm - truth) < 1.5,
                 qPrintable(QStringLiteral("%1 vs %2").arg(r->signal.hrBpm).arg(truth)));
    }

    void croppedSkinVideoWholeFrame()
    {
        // An already-cropped skin patch (like bias-eval-rppg): no face to find. Face mode reports
        // NoFace; whole-frame and rectangle modes measure the pulse.
        SynthConfig sc = test::defaultSynthConfig(90, 20);
        sc.writeMasks = true;
        const QString full = test::makeSynthVideo(m_dir, QStringLiteral("face90.mkv"), sc);
        QVERIFY(!full.isEmpty());
        VideoFileSource in;
        QVERIFY(!in.open(full).isError());
        VideoFileSource masks;
        QVERIFY(!masks.open(maskPathFor(full)).isError());
        // Crop a 60×60 cheek-or-forehead patch: the skin pixel nearest the centre of the mask.
        VideoFrame f, m;
        QVERIFY(in.read(f) == ReadStatus::Frame);
        QVERIFY(masks.read(m) == ReadStatus::Frame);
        cv::Mat maskGrey;
        cv::cvtColor(m.bgr, maskGrey, cv::COLOR_BGR2GRAY);
        cv::Mat eroded;
        cv::erode(maskGrey > 127, eroded, cv::Mat::ones(41, 41, CV_8U));
        std::vector<cv::Point> skin;
        cv::findNonZero(eroded, skin);
        QVERIFY(!skin.empty());
        const cv::Rect patch(skin[skin.size() / 2].x - 20, skin[skin.size() / 2].y - 20, 40, 40);
        const QString cropped = m_dir.filePath(QStringLiteral("patch.avi"));
        VideoEncoder enc;
        EncoderSettings es;
        es.codec = QStringLiteral("mpeg4");
        es.crf = 2;
        es.width = 120;
        es.height = 120;
        QVERIFY(!enc.open(cropped, es).isError());
        do {
            cv::Mat up;
            cv::resize(f.bgr(patch), up, cv::Size(120, 120), 0, 0, cv::INTER_LINEAR);
            QVERIFY(!enc.write(up, f.ptsUs).isError());
        } while (in.read(f) == ReadStatus::Frame);
        QVERIFY(!enc.finish().isError());

        auto faceMode = analyzeFile(cropped, configFor(QStringLiteral("pos")));
        QVERIFY(!faceMode.ok());
        QCOMPARE(faceMode.error().code, ErrorCode::NoFace);

        AnalysisConfig whole = configFor(QStringLiteral("pos"));
        whole.roi.mode = RoiMode::FullFrame;
        auto r = analyzeFile(cropped, whole);
        QVERIFY2(r.ok(), qPrintable(r.error().message));
        const double truth = groundTruthHr(full);
        QVERIFY2(std::abs(r->signal.hrBpm - truth) < 2, qPrintable(QStringLiteral("%1 vs %2").arg(r->signal.hrBpm).arg(truth)));

        AnalysisConfig rect = whole;
        rect.roi.mode = RoiMode::Rectangle;
        rect.roi.rect = cv::Rect(20, 20, 80, 80);
        auto rr = analyzeFile(cropped, rect);
        QVERIFY2(rr.ok(), qPrintable(rr.error().message));
        QVERIFY(std::abs(rr->signal.hrBpm - truth) < 2);
        QCOMPARE(rr->frames.front().faceBox, cv::Rect2f(20, 20, 80, 80));
    }

    void truncatedVideoGivesPartialResult()
    {
        SynthConfig sc = test::defaultSynthConfig(100, 30);
        sc.writeMasks = false;
        sc.variants[0].encoder.codec = QStringLiteral("x264");
        sc.variants[0].encoder.bitrateBps = 1500000;
        const QString video = test::makeSynthVideo(m_dir, QStringLiteral("whole.mp4"), sc);
        QVERIFY(!video.isEmpty());
        // An MP4 whose index (moov) is at the end cannot be played when cut; MKV can. Cut a
        // Matroska copy instead, which keeps its frames decodable up to the cut.
        const QString mkv = m_dir.filePath(QStringLiteral("whole.mkv"));
        {
            VideoFileSource in;
            QVERIFY(!in.open(video).isError());
            VideoEncoder out;
            EncoderSettings es;
            es.codec = QStringLiteral("x264");
            es.bitrateBps = 1500000;
            es.width = in.info().width;
            es.height = in.info().height;
            QVERIFY(!out.open(mkv, es).isError());
            VideoFrame f;
            while (in.read(f) == ReadStatus::Frame)
                QVERIFY(!out.write(f.bgr, f.ptsUs).isError());
            QVERIFY(!out.finish().isError());
        }
        QFile file(mkv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        const QString cut = test::writeFile(m_dir, QStringLiteral("cut.mkv"), bytes.left(bytes.size() * 7 / 10));
        auto r = analyzeFile(cut, configFor(QStringLiteral("pos")));
        QVERIFY2(r.ok(), qPrintable(r.error().message));
        QVERIFY(r->frames.size() > 400 && r->frames.size() < 900);
        QVERIFY(!r->warnings.isEmpty());
        QVERIFY2(std::abs(r->signal.hrBpm - groundTruthHr(video)) < 2, qPrintable(QString::number(r->signal.hrBpm)));
    }

    void cancelStopsEarly()
    {
        SynthConfig sc = test::defaultSynthConfig(70, 12);
        sc.writeMasks = false;
        const QString video = test::makeSynthVideo(m_dir, QStringLiteral("cancel.mkv"), sc);
        std::atomic<bool> cancel{false};
        int64_t seen = 0;
        auto r = analyzeFile(video, configFor(QStringLiteral("pos")),
                             [&](int64_t done, int64_t) {
                                 seen = done;
                                 if (done == 50)
                                     cancel = true;
                             },
                             &cancel);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::Cancelled);
        QVERIFY(seen < 60);
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TstPipeline)
#include "tst_pipeline.moc"
