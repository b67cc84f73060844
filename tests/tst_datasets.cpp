// Training-data readers and the clip cache: a tiny fixture in every layout (synthetic with two
// levels, UBFC-rPPG 2 and 1, PURE in both folder layouts, a folder of videos with CSVs), built
// from one generated face video whose pulse is known; references read back against what was
// written; malformed ground truth reported and skipped; the clip cache checked against an
// independent crop of the synthetic video and its masks; corrupt caches rejected.
#include "cli.h"
#include "clipcache.h"
#include "datasets.h"
#include "dsp.h"
#include "evaluation.h"
#include "facetracker.h"
#include "frameprocessor.h"
#include "groundtruth.h"
#include "imagesequencesource.h"
#include "ppgseries.h"
#include "resourcepaths.h"
#include "testsupport.h"
#include "videofilesource.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <set>

using namespace rppg;

namespace {

constexpr int kClipFrames = 32;
constexpr int kStride = 16;
constexpr int kCrop = 64;
constexpr double kDuration = 4.0;
constexpr int64_t kPureT0Ns = 1392643993642815000LL;   // a PURE-like Unix time in ns

QString fmt(double v)
{
    return QString::number(v, 'g', 12);
}

bool copyFile(const QString &from, const QString &to)
{
    QDir().mkpath(QFileInfo(to).absolutePath());
    QFile::remove(to);
    return QFile::copy(from, to);
}

double meanAbsDiff(const uint8_t *a, const uint8_t *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; ++i)
        s += std::abs(int(a[i]) - int(b[i]));
    return s / double(n);
}

} // namespace

class TstDatasets : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_video;      // synth/clip.mkv (FFV1, level 0)
    QString m_lossy;      // synth/clip_x264.mp4
    QString m_avi;        // MPEG-4 copy for the UBFC layouts
    HrReference m_gt;     // the generator's ground truth (one row per frame)
    PulseWave m_wave62;   // UBFC1 PPG
    PulseWave m_wave60;   // PURE PPG
    QString path(const QString &rel) const { return m_dir.filePath(rel); }

    // Crops of `video` and of the synthetic skin masks over a cache segment's frames, tracked by a
    // fresh FaceTracker (deterministic, so its boxes are the cache writer's).
    bool independentCrops(const QString &video, const ClipCacheSegment &seg, std::vector<cv::Mat> &crops,
                          std::vector<cv::Mat> &masksOut) const
    {
        const int S = kCrop, M = kCrop / 2;
        FaceTracker tracker;
        VideoFileSource src, masks;
        if (tracker.init().isError() || src.open(video).isError() || masks.open(maskPathFor(m_video)).isError())
            return false;
        VideoFrame f, m;
        while (src.read(f) == ReadStatus::Frame) {
            if (masks.read(m) != ReadStatus::Frame)
                return false;
            const FaceObservation face = tracker.process(f.bgr, f.ptsUs / 1e6);
            if (f.index < seg.firstFrame || f.index >= seg.firstFrame + seg.frames)
                continue;
            if (!face.found())
                return false;
            const cv::Rect box = faceCropRect(face.box, f.bgr.size());
            cv::Mat crop, rgb, grey, small;
            cv::resize(f.bgr(box), crop, cv::Size(S, S), 0, 0, cv::INTER_AREA);
            cv::cvtColor(crop, rgb, cv::COLOR_BGR2RGB);
            crops.push_back(rgb);
            cv::cvtColor(m.bgr(box), grey, cv::COLOR_BGR2GRAY);
            cv::resize(grey, small, cv::Size(M, M), 0, 0, cv::INTER_AREA);
            masksOut.push_back(small > 127);
        }
        return int64_t(crops.size()) == seg.frames;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QDir(m_dir.path()).mkpath(QStringLiteral("synth"));
        SynthConfig sc = test::defaultSynthConfig(84, kDuration);
        sc.width = 320;
        sc.height = 240;
        sc.seed = 11;
        QVERIFY(applyMotionPreset(sc, QStringLiteral("strong")));   // alignment must be real
        SynthVariant lossy;
        lossy.videoPath = path(QStringLiteral("synth/clip_x264.mp4"));
        lossy.encoder.codec = QStringLiteral("x264");
        lossy.encoder.bitrateBps = 200000;
        sc.variants.push_back(lossy);
        m_video = test::makeSynthVideo(m_dir, QStringLiteral("synth/clip.mkv"), sc);
        QVERIFY(!m_video.isEmpty());
        m_lossy = lossy.videoPath;
        auto gt = readHrReference(groundTruthPathFor(m_video));
        QVERIFY2(gt.ok(), qPrintable(gt.error().message));
        m_gt = gt.value();
        QCOMPARE(int(m_gt.timeSec.size()), int(kDuration * 30));

        // An MPEG-4 AVI of the same frames (UBFC's vid.avi), and PNG frames (PURE).
        m_avi = path(QStringLiteral("vid.avi"));
        VideoFileSource src;
        QVERIFY(!src.open(m_video).isError());
        VideoEncoder enc;
        EncoderSettings es;
        es.codec = QStringLiteral("mpeg4");
        es.crf = 3;
        es.width = 320;
        es.height = 240;
        QVERIFY(!enc.open(m_avi, es).isError());
        QDir().mkpath(path(QStringLiteral("pure/01-01")));
        QDir().mkpath(path(QStringLiteral("pure/02-01/02-01")));
        VideoFrame f;
        QJsonArray images;
        while (src.read(f) == ReadStatus::Frame) {
            QVERIFY(!enc.write(f.bgr, f.ptsUs).isError());
            if (f.index < 60) {
                const int64_t ns = kPureT0Ns + f.index * 33333333LL;
                const QString name = QStringLiteral("Image%1.png").arg(ns);
                QVERIFY(cv::imwrite(path(QStringLiteral("pure/01-01/") + name).toStdString(), f.bgr));
                QVERIFY(QFile::copy(path(QStringLiteral("pure/01-01/") + name), path(QStringLiteral("pure/02-01/02-01/") + name)));
                images.append(QJsonObject{{QStringLiteral("Timestamp"), double(ns)}});
            }
        }
        QVERIFY(!enc.finish().isError());

        // ---- UBFC-rPPG 2: a good subject, a malformed one, one without ground truth ----
        {
            QStringList l1, l2, l3;
            for (size_t i = 0; i < m_gt.timeSec.size(); ++i) {
                l1 << fmt(m_gt.ppg[i]);
                l2 << fmt(m_gt.hrBpm[i]);
                l3 << fmt(100.0 + m_gt.timeSec[i]);   // a clock that does not start at 0
            }
            QVERIFY(copyFile(m_avi, path(QStringLiteral("ubfc2/subject1/vid.avi"))));
            test::writeFile(m_dir, QStringLiteral("ubfc2/subject1/ground_truth.txt"),
                            (l1.join(QLatin1Char(' ')) + QLatin1Char('\n') + l2.join(QLatin1Char(' ')) + QLatin1Char('\n')
                             + l3.join(QLatin1Char(' ')) + QLatin1Char('\n'))
                                .toUtf8());
            QVERIFY(copyFile(m_avi, path(QStringLiteral("ubfc2/subject2/vid.avi"))));
            test::writeFile(m_dir, QStringLiteral("ubfc2/subject2/ground_truth.txt"), "0.1 0.2 zz 0.4\n70 70 70 70\n");
            QVERIFY(copyFile(m_avi, path(QStringLiteral("ubfc2/subject3/vid.avi"))));
            // Two lines only: the PPG spans the video.
            QVERIFY(copyFile(m_avi, path(QStringLiteral("ubfc2b/subject9/vid.avi"))));
            test::writeFile(m_dir, QStringLiteral("ubfc2b/subject9/ground_truth.txt"),
                            (l1.join(QLatin1Char(' ')) + QLatin1Char('\n') + l2.join(QLatin1Char(' ')) + QLatin1Char('\n')).toUtf8());
        }
        // ---- UBFC-rPPG 1: gtdump.xmp at 62 Hz, clock in ms from 1000 ----
        {
            PulseWaveConfig pc;
            pc.meanHrBpm = 70;
            auto w = makePulseWave(pc, kDuration, 62.0, 5);
            QVERIFY(w.ok());
            m_wave62 = w.value();
            QByteArray rows;
            for (size_t i = 0; i < m_wave62.ppg.size(); ++i)
                rows += QStringLiteral("%1,%2,98,%3\n").arg(fmt(1000.0 + i * 1000.0 / 62.0), fmt(m_wave62.instantHrBpm[i]), fmt(m_wave62.ppg[i])).toUtf8();
            QVERIFY(copyFile(m_avi, path(QStringLiteral("ubfc1/after-exercise/vid.avi"))));
            test::writeFile(m_dir, QStringLiteral("ubfc1/after-exercise/gtdump.xmp"), rows);
        }
        // ---- PURE: oximeter at 60 Hz starting 0.5 s before the first frame ----
        {
            PulseWaveConfig pc;
            pc.meanHrBpm = 66;
            auto w = makePulseWave(pc, 3.0, 60.0, 9);
            QVERIFY(w.ok());
            m_wave60 = w.value();
            QJsonArray package;
            for (size_t i = 0; i < m_wave60.ppg.size(); ++i)
                package.append(QJsonObject{
                    {QStringLiteral("Timestamp"), double(kPureT0Ns - 500000000LL + int64_t(std::llround(i * 1e9 / 60.0)))},
                    {QStringLiteral("Value"), QJsonObject{{QStringLiteral("waveform"), m_wave60.ppg[i]},
                                                          {QStringLiteral("pulseRate"), 66}}}});
            const QByteArray json = QJsonDocument(QJsonObject{{QStringLiteral("/FullPackage"), package},
                                                              {QStringLiteral("/Image"), images}})
                                        .toJson(QJsonDocument::Compact);
            test::writeFile(m_dir, QStringLiteral("pure/01-01.json"), json);              // original layout
            // Toolbox layout, without /Image: the frame times come from the file names.
            test::writeFile(m_dir, QStringLiteral("pure/02-01/02-01.json"),
                            QJsonDocument(QJsonObject{{QStringLiteral("/FullPackage"), package}}).toJson(QJsonDocument::Compact));
        }
        // ---- folder: per-person folders and prefixed names; one video without CSV ----
        {
            QByteArray csv = "time,ppg\n";
            for (size_t i = 0; i < m_gt.timeSec.size(); ++i)
                csv += QStringLiteral("%1,%2\n").arg(fmt(m_gt.timeSec[i]), fmt(m_gt.ppg[i])).toUtf8();
            QVERIFY(copyFile(m_lossy, path(QStringLiteral("folder/alice/rec_1.mp4"))));
            test::writeFile(m_dir, QStringLiteral("folder/alice/rec_1.csv"), csv);
            QVERIFY(copyFile(m_avi, path(QStringLiteral("folder/bob_2.avi"))));
            test::writeFile(m_dir, QStringLiteral("folder/bob_2.csv"), csv);
            QVERIFY(copyFile(m_avi, path(QStringLiteral("folder/carol_3.avi"))));
        }
    }

    void specErrors()
    {
        QCOMPARE(scanTrainingDataset(path(QStringLiteral("nope"))).error().code, ErrorCode::FileNotFound);
        QCOMPARE(scanTrainingDataset(path(QStringLiteral("synth")) + QStringLiteral(",layout=mpii")).error().code, ErrorCode::Usage);
        QCOMPARE(scanTrainingDataset(path(QStringLiteral("synth")) + QStringLiteral(",colour=red")).error().code, ErrorCode::Usage);
        QDir().mkpath(path(QStringLiteral("empty")));
        QCOMPARE(scanTrainingDataset(path(QStringLiteral("empty"))).error().code, ErrorCode::BadData);
    }

    void synthetic()
    {
        auto scan = scanTrainingDataset(path(QStringLiteral("synth")));
        QVERIFY2(scan.ok(), qPrintable(scan.error().message));
        QCOMPARE(scan->layout, DatasetLayout::Synthetic);
        QCOMPARE(int(scan->recordings.size()), 1);
        const TrainingRecording &r = scan->recordings[0];
        QCOMPARE(r.id, QStringLiteral("clip"));
        QCOMPARE(int(r.levels.size()), 2);
        QCOMPARE(r.levels[0].name, QStringLiteral("ffv1"));
        QCOMPARE(QFileInfo(r.levels[0].path).fileName(), QStringLiteral("clip.mkv"));
        QCOMPARE(r.levels[1].name, QStringLiteral("x264@200k"));
        QCOMPARE(QFileInfo(r.maskVideoPath).fileName(), QStringLiteral("clip.mask.mkv"));
        auto ref = loadPulseReference(r);
        QVERIFY2(ref.ok(), qPrintable(ref.error().message));
        QCOMPARE(ref->timeSec.size(), m_gt.timeSec.size());
        for (size_t i = 0; i < m_gt.timeSec.size(); ++i) {
            QVERIFY(std::abs(ref->timeSec[i] - m_gt.timeSec[i]) < 1e-9);
            QVERIFY(std::abs(ref->ppg[i] - m_gt.ppg[i]) < 1e-9);
        }
        QVERIFY(!ref->spansVideo);
    }

    void ubfc2()
    {
        auto scan = scanTrainingDataset(path(QStringLiteral("ubfc2")));
        QVERIFY2(scan.ok(), qPrintable(scan.error().message));
        QCOMPARE(scan->layout, DatasetLayout::Ubfc2);
        QCOMPARE(int(scan->recordings.size()), 2);
        QCOMPARE(scan->problems.size(), 1);
        QVERIFY(scan->problems[0].contains(QStringLiteral("subject3")));
        QCOMPARE(scan->recordings[0].subject, QStringLiteral("subject1"));
        QCOMPARE(scan->recordings[1].subject, QStringLiteral("subject2"));
        auto ref = loadPulseReference(scan->recordings[0]);
        QVERIFY2(ref.ok(), qPrintable(ref.error().message));
        QVERIFY(!ref->spansVideo);
        QCOMPARE(ref->ppg.size(), m_gt.ppg.size());
        for (size_t i = 0; i < m_gt.ppg.size(); ++i) {
            QVERIFY(std::abs(ref->timeSec[i] - m_gt.timeSec[i]) < 1e-6);   // shifted to start at 0
            QVERIFY(std::abs(ref->ppg[i] - m_gt.ppg[i]) < 1e-9);
        }
        QCOMPARE(ref->hrBpm.size(), m_gt.hrBpm.size());
        auto bad = loadPulseReference(scan->recordings[1]);
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().code, ErrorCode::BadData);
        QVERIFY2(bad.error().message.contains(QStringLiteral("ground_truth.txt")) && bad.error().message.contains(QStringLiteral("line 1")),
                 qPrintable(bad.error().message));

        // Without the time line the samples span the video.
        auto scanB = scanTrainingDataset(path(QStringLiteral("ubfc2b")) + QStringLiteral(",layout=ubfc2"));
        QVERIFY2(scanB.ok(), qPrintable(scanB.error().message));
        auto refB = loadPulseReference(scanB->recordings[0]);
        QVERIFY2(refB.ok(), qPrintable(refB.error().message));
        QVERIFY(refB->spansVideo);
        refB.value().stretchToDuration(kDuration);
        QVERIFY(!refB->spansVideo);
        QVERIFY(std::abs(refB->timeSec[30] - 30 * kDuration / double(m_gt.ppg.size())) < 1e-9);
    }

    void ubfc1()
    {
        auto scan = scanTrainingDataset(path(QStringLiteral("ubfc1")));
        QVERIFY2(scan.ok(), qPrintable(scan.error().message));
        QCOMPARE(scan->layout, DatasetLayout::Ubfc1);
        QCOMPARE(int(scan->recordings.size()), 1);
        QCOMPARE(scan->recordings[0].subject, QStringLiteral("after-exercise"));
        auto ref = loadPulseReference(scan->recordings[0]);
        QVERIFY2(ref.ok(), qPrintable(ref.error().message));
        QCOMPARE(ref->ppg.size(), m_wave62.ppg.size());
        for (size_t i = 0; i < ref->ppg.size(); ++i) {
            QVERIFY(std::abs(ref->timeSec[i] - i / 62.0) < 1e-6);
            QVERIFY(std::abs(ref->ppg[i] - m_wave62.ppg[i]) < 1e-9);
        }
    }

    void pure()
    {
        auto scan = scanTrainingDataset(path(QStringLiteral("pure")));
        QVERIFY2(scan.ok(), qPrintable(scan.error().message));
        QCOMPARE(scan->layout, DatasetLayout::Pure);
        QCOMPARE(int(scan->recordings.size()), 2);
        QStringList ids, subjects;
        for (const TrainingRecording &r : scan->recordings) {
            ids << r.id;
            subjects << r.subject;
            QVERIFY(r.levels[0].imageSequence);
            auto ref = loadPulseReference(r);
            QVERIFY2(ref.ok(), qPrintable(ref.error().message));
            QVERIFY(ref->description.contains(QStringLiteral("timestamps")));
            QCOMPARE(ref->ppg.size(), m_wave60.ppg.size());
            // The oximeter started 0.5 s before the first frame.
            for (size_t i = 0; i < ref->ppg.size(); ++i) {
                QVERIFY(std::abs(ref->timeSec[i] - (-0.5 + i / 60.0)) < 1e-6);
                QVERIFY(std::abs(ref->ppg[i] - m_wave60.ppg[i]) < 1e-9);
            }
            auto src = openRecordingLevel(r, 0);
            QVERIFY2(src.ok(), qPrintable(src.error().message));
            VideoFrame f;
            int n = 0;
            while (src.value()->read(f) == ReadStatus::Frame) {
                QVERIFY(std::abs(f.ptsUs - int64_t(n) * 33333333LL / 1000) <= 1);
                QCOMPARE(f.bgr.cols, 320);
                ++n;
            }
            QCOMPARE(n, 60);
        }
        ids.sort();
        subjects.sort();
        QCOMPARE(ids, QStringList({QStringLiteral("01-01"), QStringLiteral("02-01")}));
        QCOMPARE(subjects, QStringList({QStringLiteral("01"), QStringLiteral("02")}));
    }

    void folder()
    {
        auto scan = scanTrainingDataset(path(QStringLiteral("folder")));
        QVERIFY2(scan.ok(), qPrintable(scan.error().message));
        QCOMPARE(scan->layout, DatasetLayout::Folder);
        QCOMPARE(int(scan->recordings.size()), 2);
        QCOMPARE(scan->problems.size(), 1);
        QVERIFY(scan->problems[0].contains(QStringLiteral("carol_3")));
        QStringList subjects;
        for (const TrainingRecording &r : scan->recordings) {
            subjects << r.subject;
            auto ref = loadPulseReference(r);
            QVERIFY2(ref.ok(), qPrintable(ref.error().message));
            QCOMPARE(ref->ppg.size(), m_gt.ppg.size());
            for (size_t i = 0; i < ref->ppg.size(); i += 7) {
                QVERIFY(std::abs(ref->timeSec[i] - m_gt.timeSec[i]) < 1e-6);
                QVERIFY(std::abs(ref->ppg[i] - m_gt.ppg[i]) < 1e-9);
            }
        }
        subjects.sort();
        QCOMPARE(subjects, QStringList({QStringLiteral("alice"), QStringLiteral("bob")}));
    }

    // The reference beside a video, as the desktop app and `rppg analyze` find and read it.
    void videoReference()
    {
        QCOMPARE(findVideoReference(m_video), groundTruthPathFor(m_video));
        PpgSeries truth;   // the waveform written to the UBFC-rPPG 2 file, on its own clock
        truth.timeSec = m_gt.timeSec;
        truth.value = m_gt.ppg;
        truth.rateHz = 30;
        const double truthHr = referenceHeartRate(truth);
        QVERIFY(std::isfinite(truthHr));

        const QString ubfc = path(QStringLiteral("ubfc2/subject1/vid.avi"));
        QCOMPARE(QFileInfo(findVideoReference(ubfc)).fileName(), QStringLiteral("ground_truth.txt"));
        auto ref = loadVideoReference(findVideoReference(ubfc), ubfc);
        QVERIFY2(ref.ok(), qPrintable(ref.error().message));
        QCOMPARE(ref->timeSec.size(), m_gt.timeSec.size());
        QVERIFY(std::abs(ref->timeSec.front()) < 1e-6);   // the clock from 100 s, moved to the video's
        QVERIFY(std::abs(ref->hrBpm[10] - m_gt.hrBpm[10]) < 1e-6);   // the device's HR line
        QVERIFY2(std::abs(ref->meanHrBpm - truthHr) < 0.5,   // the file holds rounded text
                 qPrintable(QStringLiteral("%1 vs %2").arg(ref->meanHrBpm).arg(truthHr)));

        // Two lines only: spread over the video (4 s), which the reader must be given.
        const QString two = path(QStringLiteral("ubfc2b/subject9/vid.avi"));
        auto spread = loadVideoReference(findVideoReference(two), two);
        QVERIFY2(spread.ok(), qPrintable(spread.error().message));
        const double step = kDuration / double(m_gt.ppg.size());
        QVERIFY(std::abs(spread->timeSec.back() - step * double(m_gt.ppg.size() - 1)) < 0.05);
        auto unplaced = loadVideoReference(findVideoReference(two), QString());
        QVERIFY(!unplaced.ok());
        QCOMPARE(unplaced.error().code, ErrorCode::BadData);

        // UBFC-rPPG 1, at 62 Hz around 70 bpm.
        const QString one = path(QStringLiteral("ubfc1/after-exercise/vid.avi"));
        QCOMPARE(QFileInfo(findVideoReference(one)).fileName(), QStringLiteral("gtdump.xmp"));
        auto ref1 = loadVideoReference(findVideoReference(one), one);
        QVERIFY2(ref1.ok(), qPrintable(ref1.error().message));
        QVERIFY2(std::abs(ref1->meanHrBpm - 70) < 6, qPrintable(QString::number(ref1->meanHrBpm)));

        // A malformed file names itself and its line; a folder without one has none.
        auto bad = loadVideoReference(path(QStringLiteral("ubfc2/subject2/ground_truth.txt")),
                                      path(QStringLiteral("ubfc2/subject2/vid.avi")));
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().code, ErrorCode::BadData);
        QVERIFY2(bad.error().message.contains(QStringLiteral("ground_truth.txt")), qPrintable(bad.error().message));
        QVERIFY(findVideoReference(path(QStringLiteral("ubfc2/subject3/vid.avi"))).isEmpty());
    }

    // `rppg eval` reads the training layouts through the same scanner.
    void evaluationScan()
    {
        auto ubfc = scanDataset(path(QStringLiteral("ubfc2")));
        QVERIFY2(ubfc.ok(), qPrintable(ubfc.error().message));
        QCOMPARE(ubfc->layout, QStringLiteral("ubfc2"));
        QCOMPARE(int(ubfc->items.size()), 1);
        QCOMPARE(ubfc->items[0].subject, QStringLiteral("subject1"));
        QVERIFY(ubfc->problems.join(QLatin1Char('|')).contains(QStringLiteral("subject2")));
        QVERIFY(ubfc->problems.join(QLatin1Char('|')).contains(QStringLiteral("subject3")));
        const double gtMean = m_gt.meanOver(0, kDuration);
        QVERIFY2(std::abs(ubfc->items[0].reference.meanHrBpm - gtMean) < 4,
                 qPrintable(QStringLiteral("%1 vs %2").arg(ubfc->items[0].reference.meanHrBpm).arg(gtMean)));
        QVERIFY(std::abs(ubfc->items[0].reference.meanOver(0, kDuration) - gtMean) < 1e-6);   // the device track

        auto pure = scanDataset(path(QStringLiteral("pure")));
        QVERIFY2(pure.ok(), qPrintable(pure.error().message));
        QCOMPARE(pure->layout, QStringLiteral("pure"));
        QCOMPARE(int(pure->items.size()), 2);
        QVERIFY(QFileInfo(pure->items[0].videoPath).isDir());

        auto folder = scanDataset(path(QStringLiteral("folder")) + QStringLiteral(",layout=folder"));
        QVERIFY2(folder.ok(), qPrintable(folder.error().message));
        QCOMPARE(folder->layout, QStringLiteral("folder+ppg"));
        QCOMPARE(int(folder->items.size()), 2);
        QVERIFY(std::abs(folder->items[0].reference.meanHrBpm - gtMean) < 4);
        QCOMPARE(scanDataset(path(QStringLiteral("ubfc2")) + QStringLiteral(",layout=nope")).error().code, ErrorCode::Usage);

        // Both levels of the synthetic clip are evaluated against the clip's ground truth.
        auto synth = scanDataset(path(QStringLiteral("synth")));
        QVERIFY2(synth.ok(), qPrintable(synth.error().message));
        QCOMPARE(synth->layout, QStringLiteral("synthetic"));
        QCOMPARE(int(synth->items.size()), 2);
        QVERIFY2(synth->problems.isEmpty(), qPrintable(synth->problems.join(QLatin1Char('|'))));
        QCOMPARE(synth->items[1].reference.hrBpm, synth->items[0].reference.hrBpm);
    }

    void clipCache()
    {
        auto synth = scanTrainingDataset(path(QStringLiteral("synth")));
        auto ubfc = scanTrainingDataset(path(QStringLiteral("ubfc2")));
        QVERIFY(synth.ok() && ubfc.ok());
        ClipCacheConfig cfg;
        cfg.outDir = path(QStringLiteral("cache"));
        cfg.cropSizePx = kCrop;
        cfg.clipFrames = kClipFrames;
        cfg.strideFrames = kStride;
        int64_t calls = 0, lastDone = -1, lastTotal = 0;
        auto written = writeClipCache({synth.value(), ubfc.value()}, cfg, [&](int64_t d, int64_t t) {
            ++calls;
            QVERIFY(d >= lastDone && d <= t);
            lastDone = d;
            lastTotal = t;
        });
        QVERIFY2(written.ok(), qPrintable(written.error().message));
        QVERIFY(calls > 0 && lastDone == lastTotal);
        const ClipCacheSummary &s = written.value();
        QCOMPARE(s.recordings, 2);
        QCOMPARE(s.levelNames, QStringList({QStringLiteral("original"), QStringLiteral("x264@200k")}));
        // The malformed UBFC subject is reported and skipped.
        QVERIFY2(s.problems.join(QLatin1Char('|')).contains(QStringLiteral("subject2")), qPrintable(s.problems.join(QLatin1Char('|'))));
        QVERIFY(!QFileInfo::exists(cfg.outDir + QStringLiteral(".part-%1").arg(QCoreApplication::applicationPid())));

        auto index = readClipCacheIndex(cfg.outDir);
        QVERIFY2(index.ok(), qPrintable(index.error().message));
        const ClipCacheIndex &idx = index.value();
        QCOMPARE(idx.cropSizePx, kCrop);
        QCOMPARE(idx.maskSizePx, kCrop / 2);
        QCOMPARE(idx.clipFrames, kClipFrames);
        QCOMPARE(idx.levelNames, s.levelNames);
        QCOMPARE(int64_t(idx.clips.size()), s.clips);
        int64_t expectedClips = 0, frames = 0;
        int synthSegments = 0;
        for (const ClipCacheSegment &seg : idx.segments) {
            expectedClips += (seg.frames - kClipFrames) / kStride + 1;
            frames += seg.frames;
            QVERIFY(std::abs(seg.fps - 30.0) < 0.1);
            if (seg.dataset == QLatin1String("synth")) {
                ++synthSegments;
                QVERIFY(seg.levelOffsets[1] >= 0);
            } else {
                QCOMPARE(seg.recording, QStringLiteral("subject1"));
                QCOMPARE(seg.levelOffsets[1], int64_t(-1));   // UBFC has one level
            }
        }
        QCOMPARE(int64_t(idx.clips.size()), expectedClips);
        QCOMPARE(idx.frames, frames);
        // The face is in every frame of both videos: nearly all frames are stored.
        QVERIFY2(frames >= 2 * (int64_t(m_gt.ppg.size()) - 10), qPrintable(QString::number(frames)));
        QCOMPARE(synthSegments, 1);
        QCOMPARE(idx.subjects.size(), 2);

        // Independent crops of the synthetic video and its masks, with the same tracker.
        const ClipCacheSegment *seg = nullptr;
        for (const ClipCacheSegment &sg : idx.segments)
            if (sg.dataset == QLatin1String("synth"))
                seg = &sg;
        QVERIFY(seg);
        const int S = kCrop, M = kCrop / 2;
        std::vector<cv::Mat> refCrops, refMasks;
        QVERIFY(independentCrops(m_video, *seg, refCrops, refMasks));
        QCOMPARE(int64_t(refCrops.size()), seg->frames);

        double sameDiff = 0, shiftedDiff = 0, maskAgree = 0, skinShare = 0, pearsonSum = 0, hrErr = 0;
        int clipsChecked = 0;
        const int segIndex = int(seg - idx.segments.data());
        for (size_t c = 0; c < idx.clips.size(); ++c) {
            const ClipCacheClip &clip = idx.clips[c];
            if (clip.segment != segIndex)
                continue;
            auto l0 = readClipCacheClip(idx, int64_t(c), 0);
            auto l1 = readClipCacheClip(idx, int64_t(c), 1);
            QVERIFY2(l0.ok() && l1.ok(), qPrintable(l0.ok() ? l1.error().message : l0.error().message));
            const size_t frameBytes = size_t(S * S * 3);
            std::vector<double> got, truth;
            for (int t = 0; t < kClipFrames; ++t) {
                const uint8_t *a = l0->rgb.data() + t * frameBytes;
                // Level 0 is exactly the crop of the lossless video.
                const cv::Mat &want = refCrops[size_t(clip.start + t)];
                QVERIFY(meanAbsDiff(a, want.data, frameBytes) < 0.5);
                sameDiff += meanAbsDiff(a, l1->rgb.data() + t * frameBytes, frameBytes);
                const int u = (t + 6) % kClipFrames;
                shiftedDiff += meanAbsDiff(a, l1->rgb.data() + u * frameBytes, frameBytes);
                const cv::Mat &wantMask = refMasks[size_t(clip.start + t)];
                int agree = 0, skin = 0;
                for (int i = 0; i < M * M; ++i) {
                    const bool cached = l0->mask[size_t(t * M * M + i)] != 0;
                    agree += cached == (wantMask.data[i] != 0);
                    skin += cached;
                }
                maskAgree += double(agree) / (M * M);
                skinShare += double(skin) / (M * M);
                got.push_back(l0->ppg[size_t(t)]);
                truth.push_back(m_gt.ppg[size_t(seg->firstFrame + clip.start + t)]);
            }
            pearsonSum += dsp::pearson(got, truth);
            const double a = m_gt.timeSec[size_t(seg->firstFrame + clip.start)];
            hrErr += std::abs(clip.hrBpm - m_gt.meanOver(a, a + (kClipFrames - 1) / 30.0));
            ++clipsChecked;
        }
        QVERIFY(clipsChecked >= 5);
        const double n = double(clipsChecked) * kClipFrames;
        qInfo("levels: |l0-l1| %.2f, shifted by 6 frames %.2f; masks agree %.3f, skin %.2f; ppg r %.3f; HR error %.2f bpm",
              sameDiff / n, shiftedDiff / n, maskAgree / n, skinShare / n, pearsonSum / clipsChecked, hrErr / clipsChecked);
        QVERIFY(sameDiff / n < 6.0);
        QVERIFY(sameDiff < 0.6 * shiftedDiff);
        QVERIFY(maskAgree / n > 0.99);
        QVERIFY(skinShare / n > 0.15 && skinShare / n < 0.85);
        QVERIFY(pearsonSum / clipsChecked > 0.9);
        QVERIFY(hrErr / clipsChecked < 1.0);

        // The UBFC copy has no mask video: its masks come from the skin-colour model. The frames
        // are the synthetic ones, so the generator's masks say where the skin really is.
        const ClipCacheSegment *useg = nullptr;
        for (const ClipCacheSegment &sg : idx.segments)
            if (sg.dataset == QLatin1String("ubfc2"))
                useg = &sg;
        QVERIFY(useg);
        std::vector<cv::Mat> uCrops, uMasks;
        QVERIFY(independentCrops(m_avi, *useg, uCrops, uMasks));
        int64_t inter = 0, uni = 0, agree = 0, total = 0;
        for (size_t c = 0; c < idx.clips.size(); ++c) {
            if (idx.segments[size_t(idx.clips[c].segment)].dataset != QLatin1String("ubfc2"))
                continue;
            auto clip = readClipCacheClip(idx, int64_t(c), 0);
            QVERIFY(clip.ok());
            for (int t = 0; t < kClipFrames; ++t)
                for (int i = 0; i < M * M; ++i) {
                    const bool model = clip->mask[size_t(t * M * M + i)] != 0;
                    const bool truth = uMasks[size_t(idx.clips[c].start + t)].data[i] != 0;
                    inter += model && truth;
                    uni += model || truth;
                    agree += model == truth;
                    ++total;
                }
        }
        const double iou = double(inter) / double(std::max<int64_t>(1, uni)), acc = double(agree) / double(std::max<int64_t>(1, total));
        qInfo("colour-model skin masks against the generator's: IoU %.2f, pixel agreement %.2f", iou, acc);
        QVERIFY(iou > 0.45);   // an all-skin mask scores 0.30, an empty one 0
        QVERIFY(acc > 0.7);
    }

    // A lossy level shorter than the original (a cut or damaged copy): the segments it does not
    // cover lose that level, with a problem line, and the cache stays consistent.
    // Recordings are prepared in parallel and appended in order: the cache (every table and binary
    // file) and the problem list are the same on one thread as on several.
    void clipCacheSameOnAnyThreadCount()
    {
        auto synth = scanTrainingDataset(path(QStringLiteral("synth")));
        auto ubfc = scanTrainingDataset(path(QStringLiteral("ubfc2")));
        QVERIFY(synth.ok() && ubfc.ok());
        QStringList problems[2];
        for (int run = 0; run < 2; ++run) {
            ClipCacheConfig cfg;
            cfg.outDir = path(QStringLiteral("cache-threads%1").arg(run));
            cfg.cropSizePx = kCrop;
            cfg.clipFrames = kClipFrames;
            cfg.strideFrames = kStride;
            cfg.threads = run == 0 ? 1 : 3;
            auto written = writeClipCache({ubfc.value(), synth.value(), ubfc.value()}, cfg);
            QVERIFY2(written.ok(), qPrintable(written.error().message));
            QCOMPARE(written->recordings, 3);
            problems[run] = written->problems;
        }
        QCOMPARE(problems[0], problems[1]);
        const QDir a(path(QStringLiteral("cache-threads0"))), b(path(QStringLiteral("cache-threads1")));
        const QStringList files = a.entryList(QDir::Files, QDir::Name);
        QCOMPARE(files, b.entryList(QDir::Files, QDir::Name));
        QVERIFY(files.contains(QStringLiteral("frames_l1.bin")) && files.contains(QStringLiteral("clips.csv")));
        for (const QString &f : files) {
            QFile fa(a.filePath(f)), fb(b.filePath(f));
            QVERIFY(fa.open(QIODevice::ReadOnly) && fb.open(QIODevice::ReadOnly));
            QByteArray da = fa.readAll(), db = fb.readAll();
            if (f == QLatin1String("index.txt")) {   // differs only in its creation time
                const QRegularExpression notTime(QStringLiteral("^(?!created_utc=)"));
                QCOMPARE(QString::fromUtf8(da).split(QLatin1Char('\n')).filter(notTime),
                         QString::fromUtf8(db).split(QLatin1Char('\n')).filter(notTime));
                continue;
            }
            QVERIFY2(!da.isEmpty(), qPrintable(f));
            QVERIFY2(da == db, qPrintable(f + QStringLiteral(" differs")));
        }
    }

    void shortLevel()
    {
        QDir().mkpath(path(QStringLiteral("synthcut")));
        for (const QString &f : QDir(path(QStringLiteral("synth"))).entryList(QDir::Files))
            QVERIFY(QFile::copy(path(QStringLiteral("synth/")) + f, path(QStringLiteral("synthcut/")) + f));
        {
            const QString cut = path(QStringLiteral("synthcut/clip_x264.mp4"));
            QVERIFY(QFile::remove(cut));
            VideoFileSource src;
            QVERIFY(!src.open(m_video).isError());
            VideoEncoder enc;
            EncoderSettings es;
            es.codec = QStringLiteral("x264");
            es.bitrateBps = 200000;
            es.width = 320;
            es.height = 240;
            QVERIFY(!enc.open(cut, es).isError());
            VideoFrame f;
            while (src.read(f) == ReadStatus::Frame && f.index < 60)
                QVERIFY(!enc.write(f.bgr, f.ptsUs).isError());
            QVERIFY(!enc.finish().isError());
        }
        auto scan = scanTrainingDataset(path(QStringLiteral("synthcut")));
        QVERIFY2(scan.ok(), qPrintable(scan.error().message));
        ClipCacheConfig cfg;
        cfg.outDir = path(QStringLiteral("cache-cut"));
        cfg.cropSizePx = 32;
        cfg.clipFrames = kClipFrames;
        cfg.strideFrames = kStride;
        auto written = writeClipCache({scan.value()}, cfg);
        QVERIFY2(written.ok(), qPrintable(written.error().message));
        QVERIFY2(written->problems.join(QLatin1Char('|')).contains(QStringLiteral("fewer frames")),
                 qPrintable(written->problems.join(QLatin1Char('|'))));
        auto idx = readClipCacheIndex(cfg.outDir);
        QVERIFY2(idx.ok(), qPrintable(idx.error().message));
        QCOMPARE(idx->levelFrames[1], int64_t(0));
        QCOMPARE(idx->segments[0].levelOffsets[1], int64_t(-1));
        QVERIFY(idx->frames > 100);
        QCOMPARE(readClipCacheClip(idx.value(), 0, 1).error().code, ErrorCode::Usage);
        QVERIFY(readClipCacheClip(idx.value(), 0, 0).ok());
    }

    void cacheErrors()
    {
        auto synth = scanTrainingDataset(path(QStringLiteral("synth")));
        QVERIFY(synth.ok());
        ClipCacheConfig cfg;
        cfg.cropSizePx = kCrop;
        cfg.clipFrames = kClipFrames;
        cfg.strideFrames = kStride;
        // Exists without overwrite; not a cache; bad sizes; cancelled.
        cfg.outDir = path(QStringLiteral("cache"));
        QCOMPARE(writeClipCache({synth.value()}, cfg).error().code, ErrorCode::WriteFailed);
        cfg.overwrite = true;
        cfg.outDir = path(QStringLiteral("synth"));
        QCOMPARE(writeClipCache({synth.value()}, cfg).error().code, ErrorCode::WriteFailed);
        cfg.outDir = path(QStringLiteral("cache2"));
        cfg.cropSizePx = 63;
        QCOMPARE(writeClipCache({synth.value()}, cfg).error().code, ErrorCode::Usage);
        cfg.cropSizePx = kCrop;
        std::atomic<bool> cancel{true};
        QCOMPARE(writeClipCache({synth.value()}, cfg, {}, &cancel).error().code, ErrorCode::Cancelled);
        QVERIFY(!QFileInfo::exists(cfg.outDir));
        QVERIFY(!QFileInfo::exists(cfg.outDir + QStringLiteral(".part-%1").arg(QCoreApplication::applicationPid())));
        // Clips longer than any recording: nothing to write.
        cfg.clipFrames = 1000;
        QCOMPARE(writeClipCache({synth.value()}, cfg).error().code, ErrorCode::BadData);
        QVERIFY(!QFileInfo::exists(cfg.outDir));

        // Damaged copies of the good cache.
        auto damaged = [&](const QString &name, const std::function<void(const QString &)> &damage) {
            const QString dir = path(QStringLiteral("damaged_") + name);
            QDir().mkpath(dir);
            for (const QString &f : QDir(path(QStringLiteral("cache"))).entryList(QDir::Files))
                QFile::copy(path(QStringLiteral("cache/")) + f, dir + QLatin1Char('/') + f);
            damage(dir);
            return readClipCacheIndex(dir);
        };
        QCOMPARE(readClipCacheIndex(path(QStringLiteral("no-cache"))).error().code, ErrorCode::FileNotFound);
        QCOMPARE(damaged(QStringLiteral("noindex"), [](const QString &d) { QFile::remove(d + QStringLiteral("/index.txt")); }).error().code,
                 ErrorCode::FileNotFound);
        QCOMPARE(damaged(QStringLiteral("noframes"), [](const QString &d) { QFile::remove(d + QStringLiteral("/frames_l1.bin")); }).error().code,
                 ErrorCode::FileNotFound);
        QCOMPARE(damaged(QStringLiteral("short"), [](const QString &d) { QFile(d + QStringLiteral("/ppg.bin")).resize(100); }).error().code,
                 ErrorCode::BadData);
        QCOMPARE(damaged(QStringLiteral("segments"), [](const QString &d) {
                     QFile f(d + QStringLiteral("/segments.csv"));
                     f.open(QIODevice::Append);
                     f.write("7,x,y,z,abc,1,2,3,4,0:0\n");
                 }).error().code,
                 ErrorCode::BadData);
        QCOMPARE(damaged(QStringLiteral("nanhr"), [](const QString &d) {
                     QFile f(d + QStringLiteral("/clips.csv"));
                     f.open(QIODevice::ReadOnly);
                     QList<QByteArray> lines = f.readAll().split('\n');
                     f.close();
                     QList<QByteArray> cells = lines[1].split(',');
                     cells[3] = "nan";
                     lines[1] = cells.join(',');
                     f.open(QIODevice::WriteOnly);
                     f.write(lines.join('\n'));
                 }).error().code,
                 ErrorCode::BadData);
        QCOMPARE(damaged(QStringLiteral("garbage"), [](const QString &d) {
                     QFile f(d + QStringLiteral("/index.txt"));
                     f.open(QIODevice::WriteOnly);
                     f.write("\x89PNG\r\n\x1a\n garbage");
                 }).error().code,
                 ErrorCode::BadData);
        QCOMPARE(damaged(QStringLiteral("version"), [](const QString &d) {
                     QFile f(d + QStringLiteral("/index.txt"));
                     f.open(QIODevice::ReadOnly);
                     QByteArray text = f.readAll();
                     f.close();
                     text.replace("version=1\n", "version=99\n");
                     f.open(QIODevice::WriteOnly);
                     f.write(text);
                 }).error().code,
                 ErrorCode::Unsupported);
        auto index = readClipCacheIndex(path(QStringLiteral("cache")));
        QVERIFY(index.ok());
        QCOMPARE(readClipCacheClip(index.value(), int64_t(index->clips.size()), 0).error().code, ErrorCode::Usage);
        QCOMPARE(readClipCacheClip(index.value(), 0, 5).error().code, ErrorCode::Usage);
        // A file cut after the index was read: a short read, not garbage.
        QVERIFY(QFile(path(QStringLiteral("cache/frames_l0.bin"))).resize(10));
        QCOMPARE(readClipCacheClip(index.value(), int64_t(index->clips.size()) - 1, 0).error().code, ErrorCode::BadData);
    }

    void commandLine()
    {
        using rppg::cli::run;
        const QString out = path(QStringLiteral("cli-set"));
        QCOMPARE(run({QStringLiteral("rppg"), QStringLiteral("prepare"), path(QStringLiteral("synth"))}), int(cli::kExitUsage));
        QCOMPARE(run({QStringLiteral("rppg"), QStringLiteral("prepare"), path(QStringLiteral("nope")), QStringLiteral("--out"), out}),
                 int(cli::kExitFileNotFound));
        QCOMPARE(run({QStringLiteral("rppg"), QStringLiteral("prepare"), path(QStringLiteral("synth")), QStringLiteral("--out"), out,
                      QStringLiteral("--size"), QStringLiteral("-3")}),
                 int(cli::kExitUsage));
        QCOMPARE(run({QStringLiteral("rppg"), QStringLiteral("synth-set"), QStringLiteral("--out"), out, QStringLiteral("--levels"),
                      QStringLiteral("x264@100k")}),
                 int(cli::kExitUsage));   // no lossless level
        QCOMPARE(run({QStringLiteral("rppg"), QStringLiteral("synth-set"), QStringLiteral("--out"), out, QStringLiteral("--levels"),
                      QStringLiteral("ffv1,x264@fast")}),
                 int(cli::kExitUsage));
        QCOMPARE(run({QStringLiteral("rppg"), QStringLiteral("synth-set"), QStringLiteral("--out"), out, QStringLiteral("--count"),
                      QStringLiteral("0")}),
                 int(cli::kExitUsage));
        // A two-clip set, then a cache from it.
        QCOMPARE(run({QStringLiteral("rppg"), QStringLiteral("synth-set"), QStringLiteral("--out"), out, QStringLiteral("--count"),
                      QStringLiteral("2"), QStringLiteral("--duration"), QStringLiteral("2.5"), QStringLiteral("--levels"),
                      QStringLiteral("ffv1,x265@100k"), QStringLiteral("--seed"), QStringLiteral("3")}),
                 int(cli::kExitOk));
        QCOMPARE(run({QStringLiteral("rppg"), QStringLiteral("synth-set"), QStringLiteral("--out"), out}), int(cli::kExitWriteFailed));
        auto scan = scanTrainingDataset(out);
        QVERIFY2(scan.ok(), qPrintable(scan.error().message));
        QCOMPARE(int(scan->recordings.size()), 2);
        std::set<int> tones;
        std::set<double> rates;
        for (const TrainingRecording &r : scan->recordings) {
            QCOMPARE(int(r.levels.size()), 2);
            QCOMPARE(r.levels[1].name, QStringLiteral("x265@100k"));
            QVERIFY(!r.maskVideoPath.isEmpty());
            // Varied: each clip its own skin type and heart rate, within the documented ranges.
            QFile meta(synthMetaPathFor(r.levels[0].path));
            QVERIFY(meta.open(QIODevice::ReadOnly));
            const QJsonObject o = QJsonDocument::fromJson(meta.readAll()).object();
            const int tone = o.value(QStringLiteral("optics")).toObject().value(QStringLiteral("fitzpatrick")).toInt();
            const double hr = o.value(QStringLiteral("pulse")).toObject().value(QStringLiteral("requested_mean_hr_bpm")).toDouble();
            QVERIFY2(tone >= 1 && tone <= 6, qPrintable(QString::number(tone)));
            QVERIFY2(hr >= 45 && hr <= 150, qPrintable(QString::number(hr)));
            tones.insert(tone);
            rates.insert(hr);
        }
        QCOMPARE(int(tones.size()), 2);
        QCOMPARE(int(rates.size()), 2);
        QVERIFY(scan->recordings[0].subject != scan->recordings[1].subject);   // one face: each clip its own
        const QString cache = path(QStringLiteral("cli-cache"));
        QCOMPARE(run({QStringLiteral("rppg"), QStringLiteral("prepare"), out, QStringLiteral("--out"), cache, QStringLiteral("--size"),
                      QStringLiteral("32"), QStringLiteral("--frames"), QStringLiteral("32"), QStringLiteral("--stride"), QStringLiteral("32")}),
                 int(cli::kExitOk));
        auto index = readClipCacheIndex(cache);
        QVERIFY2(index.ok(), qPrintable(index.error().message));
        QCOMPARE(index->cropSizePx, 32);
        QCOMPARE(index->levelNames.size(), 2);
        QCOMPARE(int(index->clips.size()), 4);   // 75 frames each: clips at 0 and 32
        QCOMPARE(run({QStringLiteral("rppg"), QStringLiteral("prepare"), out, QStringLiteral("--out"), cache}), int(cli::kExitWriteFailed));
    }

    // --faces: clip i animates photo i modulo their number (or its mirror image); a photo without
    // a face is refused before anything is written.
    void synthSetFaces()
    {
        using rppg::cli::run;
        const QString faces = path(QStringLiteral("faces"));
        QVERIFY(QDir().mkpath(faces));
        const cv::Mat photo = cv::imread(resourcePath(QStringLiteral("faces/astronaut.png")).toStdString());
        QVERIFY(!photo.empty());
        cv::Mat second;   // another framing and size of the face, and a JPEG
        cv::resize(photo(cv::Rect(40, 0, 400, 400)), second, cv::Size(360, 360));
        QVERIFY(cv::imwrite((faces + QStringLiteral("/a.png")).toStdString(), photo));
        QVERIFY(cv::imwrite((faces + QStringLiteral("/b.jpg")).toStdString(), second));
        const QString out = path(QStringLiteral("faces-set"));
        QCOMPARE(run({QStringLiteral("rppg"), QStringLiteral("synth-set"), QStringLiteral("--out"), out, QStringLiteral("--count"),
                      QStringLiteral("4"), QStringLiteral("--duration"), QStringLiteral("1.5"), QStringLiteral("--levels"),
                      QStringLiteral("ffv1"), QStringLiteral("--faces"), faces, QStringLiteral("--seed"), QStringLiteral("5")}),
                 int(cli::kExitOk));
        for (int i = 0; i < 4; ++i) {
            QFile meta(QStringLiteral("%1/clip_%2.synth.json").arg(out).arg(i, 4, 10, QLatin1Char('0')));
            QVERIFY(meta.open(QIODevice::ReadOnly));
            const QString used = QFileInfo(QJsonDocument::fromJson(meta.readAll())
                                               .object()
                                               .value(QStringLiteral("face"))
                                               .toObject()
                                               .value(QStringLiteral("photo"))
                                               .toString())
                                     .fileName();
            const QStringList expected = i % 2 == 0 ? QStringList{"a.png", "face_0_mirrored.png"}
                                                    : QStringList{"b.jpg", "face_1_mirrored.png"};
            QVERIFY2(expected.contains(used), qPrintable(QStringLiteral("clip %1 used %2").arg(i).arg(used)));
        }
        // One subject per photo, mirror images included, for subject-disjoint splits.
        auto scan = scanTrainingDataset(out);
        QVERIFY2(scan.ok(), qPrintable(scan.error().message));
        QCOMPARE(int(scan->recordings.size()), 4);
        for (const TrainingRecording &r : scan->recordings) {
            const int clip = QFileInfo(r.levels[0].path).completeBaseName().right(1).toInt();
            QCOMPARE(r.subject, clip % 2 == 0 ? QStringLiteral("face0-a") : QStringLiteral("face1-b"));
        }
        const QString grey = path(QStringLiteral("grey.png"));
        QVERIFY(cv::imwrite(grey.toStdString(), cv::Mat(256, 256, CV_8UC3, cv::Scalar(128, 128, 128))));
        const QString refused = path(QStringLiteral("refused-set"));
        QCOMPARE(run({QStringLiteral("rppg"), QStringLiteral("synth-set"), QStringLiteral("--out"), refused, QStringLiteral("--faces"),
                      faces + QStringLiteral("/a.png,") + grey}),
                 int(cli::kExitNoFace));
        QVERIFY(!QFileInfo::exists(refused));
        QCOMPARE(run({QStringLiteral("rppg"), QStringLiteral("synth-set"), QStringLiteral("--out"), refused, QStringLiteral("--faces"),
                      path(QStringLiteral("no-such-folder"))}),
                 int(cli::kExitFileNotFound));
    }
};

QTEST_GUILESS_MAIN(TstDatasets)
#include "tst_datasets.moc"
