// The synthetic face-video generator against its own ground truth: the beat model's HR, HRV and
// waveform shape, the pulse as it ends up in the decoded pixels (frequency, amplitude, colour
// signature), masks, motion, skin tone, the PPG CSV layouts it reads, and its failure modes
// (cancel, bad input, unwritable output) leaving nothing behind.
#include "dsp.h"
#include "facetracker.h"
#include "ppgseries.h"
#include "resourcepaths.h"
#include "synth.h"
#include "testsupport.h"
#include "videofilesource.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <cmath>
#include <map>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

using namespace rppg;

namespace {

struct GtRow
{
    int frame = 0;
    double timeSec = 0;
    double ppg = 0;
    double hrBpm = 0;
    bool visible = true;
};

struct GroundTruth
{
    std::map<QString, QString> meta;
    std::vector<GtRow> rows;
};

GroundTruth readGroundTruth(const QString &path)
{
    GroundTruth gt;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return gt;
    bool header = false;
    while (!f.atEnd()) {
        const QString line = QString::fromUtf8(f.readLine()).trimmed();
        if (line.startsWith(QLatin1Char('#'))) {
            const int colon = line.indexOf(QLatin1Char(':'));
            if (colon > 0)
                gt.meta[line.mid(1, colon - 1).trimmed()] = line.mid(colon + 1).trimmed();
            continue;
        }
        if (!header) {
            header = true; // frame,time_s,ppg,hr_bpm,face_visible
            continue;
        }
        const QStringList c = line.split(QLatin1Char(','));
        if (c.size() != 5)
            continue;
        gt.rows.push_back({c[0].toInt(), c[1].toDouble(), c[2].toDouble(), c[3].toDouble(),
                           c[4] == QLatin1String("1")});
    }
    return gt;
}

std::vector<cv::Mat> decodeAll(const QString &path)
{
    std::vector<cv::Mat> frames;
    VideoFileSource src;
    if (src.open(path).isError())
        return frames;
    VideoFrame f;
    while (src.read(f) == ReadStatus::Frame)
        frames.push_back(f.bgr.clone());
    return frames;
}

cv::Mat binaryMask(const cv::Mat &decoded)
{
    cv::Mat grey;
    if (decoded.channels() == 3)
        cv::extractChannel(decoded, grey, 0);
    else
        grey = decoded;
    return grey > 127;
}

// Per-frame mean B, G, R over the ground-truth skin mask.
std::vector<cv::Vec3d> skinMeans(const std::vector<cv::Mat> &frames,
                                 const std::vector<cv::Mat> &masks)
{
    std::vector<cv::Vec3d> out;
    for (size_t i = 0; i < frames.size() && i < masks.size(); ++i) {
        const cv::Scalar m = cv::mean(frames[i], binaryMask(masks[i]));
        out.emplace_back(m[0], m[1], m[2]);
    }
    return out;
}

std::vector<double> bandPass(const std::vector<double> &x, double fs)
{
    return dsp::sosFiltFilt(dsp::butterworthBandpass(2, 0.7, 4.0, fs), x);
}

// Least-squares slope of y on x (both zero-mean after band-pass).
double slope(const std::vector<double> &y, const std::vector<double> &x)
{
    double sxy = 0, sxx = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        sxy += x[i] * y[i];
        sxx += x[i] * x[i];
    }
    return sxx > 0 ? sxy / sxx : 0.0;
}

cv::Point2d centroid(const cv::Mat &mask)
{
    const cv::Moments m = cv::moments(mask, true);
    return m.m00 > 0 ? cv::Point2d(m.m10 / m.m00, m.m01 / m.m00) : cv::Point2d(-1, -1);
}

// The in-plane rotation (degrees) that best maps `rest` onto `moved`: the rest mask is turned about
// its centroid, shifted onto the moved centroid, and compared by overlap (IoU).
double bestRotationDeg(const cv::Mat &rest, const cv::Mat &moved)
{
    const cv::Point2d a = centroid(rest), b = centroid(moved);
    double best = 0, bestIou = -1;
    for (double deg = -12; deg <= 12.001; deg += 0.25) {
        cv::Mat r = cv::getRotationMatrix2D(cv::Point2f(a), deg, 1.0);
        r.at<double>(0, 2) += b.x - a.x;
        r.at<double>(1, 2) += b.y - a.y;
        cv::Mat turned;
        cv::warpAffine(rest, turned, r, rest.size(), cv::INTER_NEAREST);
        const double inter = cv::countNonZero(turned & moved);
        const double uni = cv::countNonZero(turned | moved);
        if (uni > 0 && inter / uni > bestIou) {
            bestIou = inter / uni;
            best = deg;
        }
    }
    return best;
}

SynthConfig smallConfig(double hrBpm, double durationSec)
{
    SynthConfig c = test::defaultSynthConfig(hrBpm, durationSec);
    c.width = 320;
    c.height = 240;
    return c;
}

QStringList filesIn(const QString &dir)
{
    return QDir(dir).entryList(QDir::Files | QDir::NoDotAndDotDot | QDir::Hidden);
}

// A reference pulse for the CSV fixtures: the beat model at 72 bpm, 100 Hz.
const PulseWave &referenceWave()
{
    static const PulseWave wave = [] {
        PulseWaveConfig pc;
        pc.meanHrBpm = 72;
        pc.sdnnMs = 30;
        auto w = makePulseWave(pc, 20.0, 100.0, 3);
        return w.ok() ? w.value() : PulseWave{};
    }();
    return wave;
}

double meanHrOf(const std::vector<double> &beats)
{
    return beats.size() < 2 ? 0.0
                            : 60.0 * double(beats.size() - 1) / (beats.back() - beats.front());
}

} // namespace

class TstSynth : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    // The shared clip: 12 s, 320×240, FFV1, ground truth and masks.
    QString m_clip;
    SynthResult m_clipResult;
    SynthConfig m_clipConfig;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_clipConfig = smallConfig(72, 12);
        m_clipConfig.pulse.sdnnMs = 15;
        m_clipConfig.variants[0].videoPath = m_dir.filePath(QStringLiteral("clip.mkv"));
        auto r = generateSynthVideo(m_clipConfig);
        QVERIFY2(r.ok(), qPrintable(r.error().message));
        m_clip = m_clipConfig.variants[0].videoPath;
        m_clipResult = r.value();
    }

    // ---- the beat model ------------------------------------------------------------------------

    void pulseWaveModel_data()
    {
        QTest::addColumn<double>("hrBpm");
        QTest::addColumn<double>("sdnnMs");
        QTest::newRow("50 bpm, 60 ms") << 50.0 << 60.0;
        QTest::newRow("72 bpm, 40 ms") << 72.0 << 40.0;
        QTest::newRow("95 bpm, 25 ms") << 95.0 << 25.0;
        QTest::newRow("120 bpm, 15 ms") << 120.0 << 15.0;
        QTest::newRow("150 bpm, 10 ms") << 150.0 << 10.0;
        QTest::newRow("66 bpm, metronome") << 66.0 << 0.0;
    }
    void pulseWaveModel()
    {
        QFETCH(double, hrBpm);
        QFETCH(double, sdnnMs);
        PulseWaveConfig pc;
        pc.meanHrBpm = hrBpm;
        pc.sdnnMs = sdnnMs;
        const double fs = 250;
        auto w = makePulseWave(pc, 60.0, fs, 11);
        QVERIFY2(w.ok(), qPrintable(w.error().message));
        const PulseWave &wave = w.value();
        QCOMPARE(int(wave.ppg.size()), 15000);
        QCOMPARE(wave.instantHrBpm.size(), wave.ppg.size());
        const auto &b = wave.beatTimesSec;
        QVERIFY(b.size() > 30);
        QVERIFY(b.front() >= 0 && b.back() <= 60.0);

        QVERIFY2(std::abs(meanHrOf(b) - hrBpm) < 0.5, qPrintable(QString::number(meanHrOf(b))));
        std::vector<double> rrMs;
        for (size_t i = 1; i < b.size(); ++i)
            rrMs.push_back(1000 * (b[i] - b[i - 1]));
        const double sdnn = dsp::stddev(rrMs);
        if (sdnnMs == 0)
            QVERIFY(sdnn < 0.01);
        else
            QVERIFY2(std::abs(sdnn - sdnnMs) <= 0.3 * sdnnMs, qPrintable(QString::number(sdnn)));

        // Instantaneous HR is 60 / the interval that contains the sample.
        for (size_t k = 1; k + 1 < b.size(); k += 7) {
            const int i = int(std::ceil((0.5 * (b[k] + b[k + 1])) * fs));
            QVERIFY(std::abs(wave.instantHrBpm[i] - 60.0 / (b[k + 1] - b[k])) < 1e-6);
        }

        // Shape: the systolic peak sits at the beat time; between it and the next beat the
        // waveform falls into the dicrotic notch and rises again to the diastolic wave.
        int withNotch = 0, beats = 0;
        const auto &y = wave.ppg;
        for (size_t k = 0; k + 1 < b.size(); ++k) {
            const int p = int(std::lround(b[k] * fs));
            const int next = int(std::lround(b[k + 1] * fs));
            if (p < 10 || next + 10 >= int(y.size()))
                continue;
            ++beats;
            int peak = p;
            for (int i = p - 10; i <= p + 10; ++i)
                peak = y[i] > y[peak] ? i : peak;
            QVERIFY(std::abs(peak - p) <= 3);
            // The foot: the minimum before the next upstroke.
            int foot = peak;
            for (int i = peak; i < next; ++i)
                foot = y[i] < y[foot] ? i : foot;
            bool notch = false;
            double lowest = y[peak];
            for (int i = peak + 1; i < foot && !notch; ++i) {
                lowest = std::min(lowest, y[i]);
                notch = y[i] > lowest + 0.01; // rose again after a local minimum
            }
            withNotch += notch ? 1 : 0;
        }
        QVERIFY2(withNotch >= 0.9 * beats,
                 qPrintable(QStringLiteral("%1 of %2").arg(withNotch).arg(beats)));

        // Normalised: the typical beat spans about 1, the minimum is 0.
        const auto [lo, hi] = std::minmax_element(y.begin(), y.end());
        QVERIFY(std::abs(*lo) < 1e-6);
        QVERIFY(*hi > 0.9 && *hi < 1.6);
    }


    // The default variability for a rate keeps the spread of the rate in bpm what it is at 72 bpm,
    // and with it the spectral peak on the mean rate. A fixed 40 ms at 150 bpm swings the rate
    // by ±15 bpm and the Mayer wave splits the spectral line into sidebands ~6 bpm apart.
    void typicalVariabilityForTheRate()
    {
        QCOMPARE(typicalSdnnMs(72), 40.0);
        QVERIFY(typicalSdnnMs(150) < 10 && typicalSdnnMs(50) > 80);
        QVERIFY(typicalSdnnMs(30) <= 150 && typicalSdnnMs(240) > 0);
        auto spreadAndPeak = [](double hr, double sdnnMs, uint64_t seed) {
            PulseWaveConfig pc;
            pc.meanHrBpm = hr;
            pc.sdnnMs = sdnnMs;
            auto w = makePulseWave(pc, 40.0, 30.0, seed);
            std::vector<double> rateBpm, t;
            const auto &b = w.value().beatTimesSec;
            for (size_t i = 1; i < b.size(); ++i)
                rateBpm.push_back(60.0 / (b[i] - b[i - 1]));
            for (size_t i = 0; i < w.value().ppg.size(); ++i)
                t.push_back(i / 30.0);
            return std::pair{dsp::stddev(rateBpm), referenceHeartRate(t, w.value().ppg) - meanHrOf(b)};
        };
        double worstFixed = 0;
        for (uint64_t seed = 1; seed <= 4; ++seed) {
            const double spread72 = spreadAndPeak(72, 40, seed).first;
            for (double hr : {55.0, 110.0, 150.0}) {
                const auto [spread, peakError] = spreadAndPeak(hr, typicalSdnnMs(hr), seed);
                QVERIFY2(spread > 0.7 * spread72 && spread < 1.4 * spread72,
                         qPrintable(QStringLiteral("%1 bpm: spread %2 vs %3").arg(hr).arg(spread).arg(spread72)));
                QVERIFY2(std::abs(peakError) < 1.0,
                         qPrintable(QStringLiteral("%1 bpm, seed %2: peak off by %3").arg(hr).arg(seed).arg(peakError)));
            }
            worstFixed = std::max(worstFixed, std::abs(spreadAndPeak(150, 40, seed).second));
        }
        QVERIFY2(worstFixed > 3.0, qPrintable(QString::number(worstFixed)));
    }
    void pulseWaveIsSeeded()
    {
        PulseWaveConfig pc;
        auto a = makePulseWave(pc, 20, 50, 5);
        auto b = makePulseWave(pc, 20, 50, 5);
        auto c = makePulseWave(pc, 20, 50, 6);
        QVERIFY(a.ok() && b.ok() && c.ok());
        QCOMPARE(a->beatTimesSec, b->beatTimesSec);
        QCOMPARE(a->ppg, b->ppg);
        QVERIFY(a->beatTimesSec != c->beatTimesSec);
    }

    void pulseWaveRejectsBadValues_data()
    {
        QTest::addColumn<double>("hrBpm");
        QTest::addColumn<double>("sdnnMs");
        QTest::addColumn<double>("durationSec");
        QTest::newRow("hr too low") << 10.0 << 20.0 << 10.0;
        QTest::newRow("hr too high") << 300.0 << 20.0 << 10.0;
        QTest::newRow("sdnn too large") << 150.0 << 200.0 << 10.0;
        QTest::newRow("negative sdnn") << 72.0 << -1.0 << 10.0;
        QTest::newRow("zero duration") << 72.0 << 20.0 << 0.0;
    }
    void pulseWaveRejectsBadValues()
    {
        QFETCH(double, hrBpm);
        QFETCH(double, sdnnMs);
        QFETCH(double, durationSec);
        PulseWaveConfig pc;
        pc.meanHrBpm = hrBpm;
        pc.sdnnMs = sdnnMs;
        auto w = makePulseWave(pc, durationSec, 30, 1);
        QVERIFY(!w.ok());
        QCOMPARE(w.error().code, ErrorCode::Usage);
    }

    // ---- the video -----------------------------------------------------------------------------

    void sideFilesDescribeTheClip()
    {
        QVERIFY(QFileInfo::exists(m_clip));
        QCOMPARE(m_clipResult.groundTruthPath, groundTruthPathFor(m_clip));
        QCOMPARE(m_clipResult.maskPath, maskPathFor(m_clip));
        QCOMPARE(m_clipResult.metaPath, synthMetaPathFor(m_clip));
        QVERIFY(m_clipResult.groundTruthPath.endsWith(QLatin1String("clip.gt.csv")));
        QCOMPARE(m_clipResult.frames, int64_t(360));
        QCOMPARE(int(m_clipResult.variantStats.size()), 1);
        QCOMPARE(m_clipResult.variantStats[0].frames, int64_t(360));
        QCOMPARE(m_clipResult.variantStats[0].fileBytes, QFileInfo(m_clip).size());

        const GroundTruth gt = readGroundTruth(m_clipResult.groundTruthPath);
        QCOMPARE(int(gt.rows.size()), 360);
        QVERIFY(gt.meta.count(QStringLiteral("generator")));
        QCOMPARE(gt.meta.at(QStringLiteral("seed")), QStringLiteral("7"));
        QCOMPARE(gt.meta.at(QStringLiteral("fps")).toDouble(), 30.0);
        QVERIFY(
            std::abs(gt.meta.at(QStringLiteral("mean_hr_bpm")).toDouble() - m_clipResult.meanHrBpm)
            < 0.01);
        QVERIFY(std::abs(m_clipResult.meanHrBpm - 72) < 0.5);
        QVERIFY(std::abs(m_clipResult.sdnnMs - 15) < 0.3 * 15);
        for (int i = 0; i < 360; ++i) {
            QCOMPARE(gt.rows[i].frame, i);
            QVERIFY(std::abs(gt.rows[i].timeSec - i / 30.0) < 1e-5);
            QVERIFY(gt.rows[i].visible);
        }

        // The JSON: config, beats and the achieved bitrate; hr_bpm follows from its beats.
        QFile f(m_clipResult.metaPath);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject meta = QJsonDocument::fromJson(f.readAll()).object();
        QCOMPARE(meta.value(QStringLiteral("width")).toInt(), 320);
        QCOMPARE(meta.value(QStringLiteral("seed")).toString(), QStringLiteral("7"));
        QVERIFY(!meta.value(QStringLiteral("face"))
                     .toObject()
                     .value(QStringLiteral("attribution"))
                     .toString()
                     .isEmpty());
        const QJsonArray variants = meta.value(QStringLiteral("outputs"))
                                        .toObject()
                                        .value(QStringLiteral("variants"))
                                        .toArray();
        QCOMPARE(variants.size(), 1);
        QCOMPARE(variants[0].toObject().value(QStringLiteral("file_bytes")).toDouble(),
                 double(QFileInfo(m_clip).size()));
        QVERIFY(variants[0].toObject().value(QStringLiteral("achieved_bitrate_bps")).toDouble()
                > 0);
        const QJsonArray beatsJson = meta.value(QStringLiteral("pulse"))
                                         .toObject()
                                         .value(QStringLiteral("beat_times_s"))
                                         .toArray();
        QVERIFY(beatsJson.size() >= 13);
        std::vector<double> beats;
        for (const auto &v : beatsJson)
            beats.push_back(v.toDouble());
        for (const GtRow &r : gt.rows) {
            const auto it = std::upper_bound(beats.begin(), beats.end(), r.timeSec);
            if (it == beats.begin() || it == beats.end())
                continue;
            const double rr = *it - *(it - 1);
            QVERIFY2(std::abs(r.hrBpm - 60.0 / rr) < 0.01, qPrintable(QString::number(r.timeSec)));
        }
    }

    void pulseIsInThePixels()
    {
        const std::vector<cv::Mat> frames = decodeAll(m_clip);
        const std::vector<cv::Mat> masks = decodeAll(maskPathFor(m_clip));
        QCOMPARE(int(frames.size()), 360);
        QCOMPARE(int(masks.size()), 360);
        const auto means = skinMeans(frames, masks);
        const GroundTruth gt = readGroundTruth(groundTruthPathFor(m_clip));
        const double fs = 30;
        std::vector<double> ppg;
        for (const GtRow &r : gt.rows)
            ppg.push_back(r.ppg);
        const std::vector<double> ppgBand = bandPass(ppg, fs);

        double slopes[3];
        std::vector<double> greenBand;
        for (int c = 0; c < 3; ++c) {
            std::vector<double> x;
            for (const auto &m : means)
                x.push_back(m[c]);
            const double mu = dsp::mean(x);
            for (double &v : x)
                v = v / mu - 1.0;
            const std::vector<double> band = bandPass(x, fs);
            slopes[c] = slope(band, ppgBand);
            if (c == 1)
                greenBand = band;
        }
        qInfo("skin green: peak-to-GT slope %.5f (amplitude %.4f), B/G %.3f, R/G %.3f", -slopes[1],
              m_clipConfig.pulseAmplitude, slopes[0] / slopes[1], slopes[2] / slopes[1]);
        // Frequency: the spectral peak of the skin's green is the ground-truth HR.
        const dsp::Spectrum spec = dsp::welch(greenBand, fs, int(greenBand.size()), 0.5, 8192);
        const dsp::Peak peak = dsp::spectralPeak(spec, 0.7, 4.0);
        QVERIFY(peak.valid);
        qInfo("skin green spectral peak %.2f bpm, ground truth %.2f bpm", 60 * peak.frequencyHz,
              m_clipResult.meanHrBpm);
        QVERIFY2(std::abs(60 * peak.frequencyHz - m_clipResult.meanHrBpm) < 1.0,
                 qPrintable(QStringLiteral("peak %1 bpm, truth %2")
                                .arg(60 * peak.frequencyHz)
                                .arg(m_clipResult.meanHrBpm)));
        // Amplitude: the skin darkens with blood volume by pulseAmplitude (relative, green).
        const double green = -slopes[1];
        QVERIFY2(std::abs(green - m_clipConfig.pulseAmplitude)
                     <= 0.35 * m_clipConfig.pulseAmplitude,
                 qPrintable(QString::number(green)));
        // Colour signature: green strongest, then blue, then red.
        const double blue = -slopes[0], red = -slopes[2];
        QVERIFY2(green > blue && blue > red && red > 0,
                 qPrintable(QStringLiteral("R %1 G %2 B %3").arg(red).arg(green).arg(blue)));
        // And the ratio is the physiological one (0.33 : 0.77 : 0.53), within the noise.
        QVERIFY(std::abs(red / green - 0.33 / 0.77) < 0.1);
        QVERIFY(std::abs(blue / green - 0.53 / 0.77) < 0.1);
    }

    void masksCoverTheFace()
    {
        const std::vector<cv::Mat> frames = decodeAll(m_clip);
        const std::vector<cv::Mat> masks = decodeAll(maskPathFor(m_clip));
        QVERIFY(!frames.empty() && masks.size() == frames.size());
        QCOMPARE(masks[0].cols, 320);
        QCOMPARE(masks[0].rows, 240);
        FaceTracker tracker;
        QVERIFY(!tracker.init().isError());
        const FaceObservation face = tracker.process(frames[0], 0);
        QVERIFY(face.found());
        const cv::Mat m = binaryMask(masks[0]);
        const int area = cv::countNonZero(m);
        const double boxArea = double(face.box.area());
        QVERIFY2(area > 0.25 * boxArea && area < 1.5 * boxArea,
                 qPrintable(QStringLiteral("%1 vs %2").arg(area).arg(boxArea)));
        const cv::Point2d c = centroid(m);
        QVERIFY(face.box.contains(cv::Point2f(c)));
        // Binary and identical from frame to frame without motion.
        cv::Mat grey;
        cv::extractChannel(masks[0], grey, 0);
        QCOMPARE(cv::countNonZero((grey > 0) & (grey < 255)), 0);
        QCOMPARE(cv::countNonZero(binaryMask(masks[200]) != m), 0);
        // The face fills a realistic part of the frame: about 200 of 480 lines, here 100 of 240.
        QVERIFY(face.box.height > 0.25 * 240 && face.box.height < 0.55 * 240);
    }

    void absentIntervalsHaveNoFace()
    {
        SynthConfig c = smallConfig(80, 4);
        c.absentIntervals = {{1.0, 2.5}};
        const QString path = test::makeSynthVideo(m_dir, QStringLiteral("absent.mkv"), c);
        QVERIFY(!path.isEmpty());
        const GroundTruth gt = readGroundTruth(groundTruthPathFor(path));
        const std::vector<cv::Mat> frames = decodeAll(path);
        const std::vector<cv::Mat> masks = decodeAll(maskPathFor(path));
        QCOMPARE(int(gt.rows.size()), 120);
        QCOMPARE(int(masks.size()), 120);
        FaceTracker tracker;
        QVERIFY(!tracker.init().isError());
        for (const GtRow &r : gt.rows) {
            const bool expected = !(r.timeSec >= 1.0 && r.timeSec < 2.5);
            QCOMPARE(r.visible, expected);
            const int skin = cv::countNonZero(binaryMask(masks[r.frame]));
            if (expected)
                QVERIFY(skin > 1000);
            else
                QCOMPARE(skin, 0);
        }
        tracker.reset();
        QVERIFY(!tracker.process(frames[60], 2.0).found());
        tracker.reset();
        QVERIFY(tracker.process(frames[100], 3.33).found());
    }

    void sameSeedSameFrames()
    {
        SynthConfig c = smallConfig(72, 1.5);
        c.motionTranslationPx = 4;
        c.motionRotationDeg = 2;
        c.illuminationDrift = 0.05;
        c.flickerAmplitude = 0.01;
        c.writeMasks = false;
        const QString a = test::makeSynthVideo(m_dir, QStringLiteral("seedA.mkv"), c);
        const QString b = test::makeSynthVideo(m_dir, QStringLiteral("seedB.mkv"), c);
        c.seed = 8;
        const QString d = test::makeSynthVideo(m_dir, QStringLiteral("seedC.mkv"), c);
        QVERIFY(!a.isEmpty() && !b.isEmpty() && !d.isEmpty());
        const auto fa = decodeAll(a), fb = decodeAll(b), fd = decodeAll(d);
        QCOMPARE(int(fa.size()), 45);
        QCOMPARE(fa.size(), fb.size());
        QCOMPARE(fa.size(), fd.size());
        int differentFrames = 0;
        for (size_t i = 0; i < fa.size(); ++i) {
            QCOMPARE(cv::norm(fa[i], fb[i], cv::NORM_INF), 0.0);
            differentFrames += cv::norm(fa[i], fd[i], cv::NORM_INF) > 0 ? 1 : 0;
        }
        QCOMPARE(differentFrames, int(fa.size()));
        QCOMPARE(readGroundTruth(groundTruthPathFor(a)).rows.size(),
                 readGroundTruth(groundTruthPathFor(b)).rows.size());
        QFile ga(groundTruthPathFor(a)), gb(groundTruthPathFor(b));
        QVERIFY(ga.open(QIODevice::ReadOnly) && gb.open(QIODevice::ReadOnly));
        QCOMPARE(ga.readAll(), gb.readAll());
    }

    void translationMovesTheMask()
    {
        SynthConfig c = smallConfig(72, 8);
        c.motionTranslationPx = 12;
        const QString path = test::makeSynthVideo(m_dir, QStringLiteral("moving.mkv"), c);
        QVERIFY(!path.isEmpty());
        const auto masks = decodeAll(maskPathFor(path));
        const auto still = decodeAll(maskPathFor(m_clip));
        QVERIFY(masks.size() == 240 && !still.empty());
        const cv::Point2d rest = centroid(binaryMask(still[0]));
        double maxDx = 0, maxDy = 0;
        for (const cv::Mat &m : masks) {
            const cv::Point2d p = centroid(binaryMask(m));
            QVERIFY(p.x >= 0);
            maxDx = std::max(maxDx, std::abs(p.x - rest.x));
            maxDy = std::max(maxDy, std::abs(p.y - rest.y));
        }
        qInfo("largest centroid shift x %.2f px, y %.2f px (amplitude 12 px)", maxDx, maxDy);
        // The x trajectory peaks at exactly the amplitude; y adds a small breathing bob.
        QVERIFY2(std::abs(maxDx - 12) < 1.5, qPrintable(QString::number(maxDx)));
        QVERIFY2(maxDy > 8 && maxDy < 12 * 1.2 + 1.5, qPrintable(QString::number(maxDy)));
    }

    void rotationTurnsTheMask()
    {
        SynthConfig c = smallConfig(72, 8);
        c.motionRotationDeg = 6;
        const QString path = test::makeSynthVideo(m_dir, QStringLiteral("rotating.mkv"), c);
        QVERIFY(!path.isEmpty());
        const auto masks = decodeAll(maskPathFor(path));
        const auto still = decodeAll(maskPathFor(m_clip));
        const cv::Mat rest = binaryMask(still[0]);
        const cv::Point2d restC = centroid(rest);
        double maxTurn = 0, maxShift = 0;
        for (size_t i = 0; i < masks.size(); i += 4) {
            const cv::Mat m = binaryMask(masks[i]);
            const cv::Point2d c = centroid(m);
            maxShift = std::max(maxShift, cv::norm(c - restC));
            maxTurn = std::max(maxTurn, std::abs(bestRotationDeg(rest, m)));
        }
        qInfo("largest turn %.2f° (amplitude 6°), largest centroid shift %.2f px", maxTurn,
              maxShift);
        QVERIFY2(maxTurn > 6 * 0.7 && maxTurn < 6 * 1.3, qPrintable(QString::number(maxTurn)));
        QVERIFY2(maxShift < 4, qPrintable(QString::number(maxShift))); // about the face centre
    }

    void motionMakesBrightnessArtefacts()
    {
        // The fixed light gradient turns head motion into skin brightness changes, as in real
        // recordings: the skin mean varies more with motion than the pulse alone makes it vary.
        SynthConfig c = smallConfig(72, 8);
        c.motionTranslationPx = 15;
        c.pulseAmplitude = 0;
        const QString path = test::makeSynthVideo(m_dir, QStringLiteral("artefacts.mkv"), c);
        QVERIFY(!path.isEmpty());
        const auto means = skinMeans(decodeAll(path), decodeAll(maskPathFor(path)));
        std::vector<double> g;
        for (const auto &m : means)
            g.push_back(m[1]);
        const auto [lo, hi] = std::minmax_element(g.begin(), g.end());
        QVERIFY2((*hi - *lo) / dsp::mean(g) > SynthConfig{}.pulseAmplitude,
                 qPrintable(QString::number((*hi - *lo) / dsp::mean(g))));
    }

    void darkerSkinTypes()
    {
        double luminance[2] = {0, 0};
        int idx = 0;
        for (int type : {1, 6}) {
            SynthConfig c = smallConfig(72, 0.5);
            c.fitzpatrick = type;
            const QString path
                = test::makeSynthVideo(m_dir, QStringLiteral("skin%1.mkv").arg(type), c);
            QVERIFY(!path.isEmpty());
            const auto frames = decodeAll(path);
            const auto masks = decodeAll(maskPathFor(path));
            QVERIFY(!frames.empty() && !masks.empty());
            cv::Mat lab;
            cv::Mat f32;
            frames[0].convertTo(f32, CV_32F, 1.0 / 255);
            cv::cvtColor(f32, lab, cv::COLOR_BGR2Lab);
            luminance[idx++] = cv::mean(lab, binaryMask(masks[0]))[0];
        }
        QVERIFY2(luminance[0] > luminance[1] + 25,
                 qPrintable(QStringLiteral("I %1, VI %2").arg(luminance[0]).arg(luminance[1])));
    }

    // ---- PPG recordings ------------------------------------------------------------------------

    void ppgCsvLayouts_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<double>("defaultRate");
        QTest::addColumn<double>("expectedRate");

        const PulseWave &w = referenceWave();
        QVERIFY(!w.ppg.empty());
        auto rows = [&](auto &&line, int step = 1) {
            QByteArray out;
            for (size_t i = 0; i < w.ppg.size(); i += step)
                out += line(i, i / w.fsHz, w.ppg[i]);
            return out;
        };
        auto num = [](double v, int prec = 5) {
            return QByteArray::number(v, 'f', prec);
        };

        QTest::newRow("time,ppg") << QByteArray("time,ppg\n")
                                         + rows([&](size_t, double t, double v) {
                                               return num(t, 3) + ',' + num(v) + '\n';
                                           })
                                  << 0.0 << 100.0;
        QTest::newRow("BOM, CRLF, spaces, blank lines, time_s,bvp")
            << QByteArray("\xEF\xBB\xBF time_s , bvp \r\n\r\n")
                   + rows([&](size_t i, double t, double v) {
                         return num(t, 3) + " , " + num(v) + (i % 50 == 0 ? "\r\n\r\n" : "\r\n");
                     })
            << 0.0 << 100.0;
        QTest::newRow("time_ms,pulse")
            << QByteArray("time_ms,pulse\n") + rows([&](size_t, double t, double v) {
                   return num(1000 * t, 1) + ',' + num(v) + '\n';
               })
            << 0.0 << 100.0;
        QTest::newRow("t,wave,extra")
            << QByteArray("t,wave,quality\n") + rows([&](size_t, double t, double v) {
                   return num(t, 3) + ',' + num(v) + ",1\n";
               })
            << 0.0 << 100.0;
        QTest::newRow("timestamp as date-time,value")
            << QByteArray("timestamp,value\n") + rows([&](size_t i, double, double v) {
                   const int ms = int(i * 10);
                   return QByteArray("2024-05-01T10:")
                          + QByteArray::number(ms / 60000).rightJustified(2, '0') + ':'
                          + QByteArray::number((ms / 1000) % 60).rightJustified(2, '0') + '.'
                          + QByteArray::number(ms % 1000).rightJustified(3, '0') + ',' + num(v)
                          + '\n';
               })
            << 0.0 << 100.0;
        QTest::newRow("heartpy data2 (timer ms, hr)")
            << QByteArray("timer,hr\n") + rows([&](size_t, double t, double v) {
                   return num(1000 * t, 8) + ',' + QByteArray::number(qRound(500 + 300 * v)) + '\n';
               })
            << 0.0 << 100.0;
        // A coarse ~15.6 ms timer logging a 100 Hz sensor: stamps repeat.
        QTest::newRow("heartpy data3 (datetime, hr)")
            << QByteArray("datetime,hr\n") + rows([&](size_t, double t, double v) {
                   const double q = std::floor(t / 0.015625) * 0.015625;
                   const int us = int(std::lround(q * 1e6));
                   return QByteArray("2016-11-24 13:58:") + QByteArray::number(10 + us / 1000000)
                          + '.' + QByteArray::number(us % 1000000).rightJustified(6, '0') + ','
                          + QByteArray::number(qRound(500 + 300 * v)) + '\n';
               })
            << 0.0 << 100.0;
        QTest::newRow("single column at 100 Hz")
            << rows([&](size_t, double, double v) { return num(v) + '\n'; }) << 100.0 << 100.0;
        QTest::newRow("vitallens ppg,ecg,resp at 25 Hz")
            << QByteArray("ppg,ecg,resp\n")
                   + rows([&](size_t, double, double v) { return num(v) + ",0.1,0.2\n"; }, 4)
            << 25.0 << 25.0;
        QTest::newRow("our gt.csv") << QByteArray("# generator: rppg-studio synth\n# fps: "
                                                  "100\nframe,time_s,ppg,hr_bpm,face_visible\n")
                                           + rows([&](size_t i, double t, double v) {
                                                 return QByteArray::number(int(i)) + ',' + num(t, 6)
                                                        + ',' + num(v, 6) + ",72.000,1\n";
                                             })
                                    << 0.0 << 100.0;
        QTest::newRow("NaN and empty cells (short gaps)")
            << QByteArray("time,ppg\n") + rows([&](size_t i, double t, double v) {
                   if (i % 97 == 5)
                       return num(t, 3) + ",NaN\n";
                   if (i % 89 == 3)
                       return num(t, 3) + ",\n";
                   return num(t, 3) + ',' + num(v) + '\n';
               })
            << 0.0 << 100.0;
        QTest::newRow("semicolons, decimal commas")
            << QByteArray("time;ppg\n") + rows([&](size_t, double t, double v) {
                   return num(t, 3).replace('.', ',') + ';' + num(v).replace('.', ',') + '\n';
               })
            << 0.0 << 100.0;
    }
    void ppgCsvLayouts()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(double, defaultRate);
        QFETCH(double, expectedRate);
        const QString path = test::writeFile(m_dir, QStringLiteral("layout.csv"), bytes);
        auto s = readPpgCsv(path, defaultRate);
        QVERIFY2(s.ok(), qPrintable(s.error().message));
        const PpgSeries &ppg = s.value();
        QVERIFY2(std::abs(ppg.rateHz - expectedRate) < 0.01 * expectedRate,
                 qPrintable(QString::number(ppg.rateHz)));
        QVERIFY(std::abs(ppg.durationSec() - 20.0) < 0.1);
        QCOMPARE(ppg.timeSec.size(), ppg.value.size());
        QCOMPARE(ppg.timeSec.front(), 0.0);
        for (size_t i = 1; i < ppg.timeSec.size(); ++i)
            QVERIFY(ppg.timeSec[i] > ppg.timeSec[i - 1]);
        for (double v : ppg.value)
            QVERIFY(std::isfinite(v));
        QVERIFY(!ppg.description.isEmpty());

        const PulseWave &w = referenceWave();
        const double truth = meanHrOf(w.beatTimesSec);
        QVERIFY2(std::abs(referenceHeartRate(ppg) - truth) < 1.5,
                 qPrintable(QString::number(referenceHeartRate(ppg))));
        const std::vector<double> beats = referenceBeats(ppg);
        QVERIFY2(std::abs(int(beats.size()) - int(w.beatTimesSec.size())) <= 1,
                 qPrintable(QString::number(beats.size())));
        // Beat by beat, within a sample or two of the model's systolic peaks.
        int matched = 0;
        for (double b : beats) {
            for (double t : w.beatTimesSec)
                matched += std::abs(b - t) < 0.06 ? 1 : 0;
        }
        QVERIFY(matched >= int(w.beatTimesSec.size()) - 2);
    }

    void badPpgCsv_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<double>("defaultRate");
        QByteArray good = "time,ppg\n";
        QByteArray backwards = "time,ppg\n", mostlyEmpty = "time,ppg\n", longGap = "time,ppg\n",
                   constant = "time,ppg\n";
        for (int i = 0; i < 500; ++i) {
            const QByteArray t = QByteArray::number(i * 0.01, 'f', 2);
            const QByteArray v = QByteArray::number(std::sin(i * 0.075), 'f', 4);
            good += t + ',' + v + '\n';
            backwards += (i == 250 ? QByteArray("1.00") : t) + ',' + v + '\n';
            mostlyEmpty += t + ',' + (i % 4 == 0 ? v : QByteArray("nan")) + '\n';
            longGap += t + ',' + (i > 100 && i < 300 ? QByteArray() : v) + '\n';
            constant += t + ",5\n";
        }
        QTest::newRow("empty") << QByteArray() << 0.0;
        QTest::newRow("blank lines only") << QByteArray("\n\r\n  \n") << 30.0;
        QTest::newRow("header only") << QByteArray("time,ppg\n") << 0.0;
        QTest::newRow("text in the data")
            << QByteArray(good).replace("0.50,", "0.50,abc\n0.505,") << 0.0;
        QTest::newRow("time goes backwards") << backwards << 0.0;
        QTest::newRow("mostly empty") << mostlyEmpty << 0.0;
        QTest::newRow("two seconds missing") << longGap << 0.0;
        QTest::newRow("constant") << constant << 0.0;
        QTest::newRow("too few samples") << QByteArray("time,ppg\n0,1\n0.01,2\n0.02,1\n") << 0.0;
        QTest::newRow("single column without a rate")
            << QByteArray("0.1\n0.2\n0.3\n0.2\n0.1\n0.2\n0.3\n0.2\n0.1\n0.2\n0.3\n0.2\n") << 0.0;
        QTest::newRow("binary") << QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16) << 30.0;
        QTest::newRow("UTF-16") << QByteArray("\xFF\xFEt\0i\0m\0e\0") << 30.0;
    }
    void badPpgCsv()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(double, defaultRate);
        const QString path = test::writeFile(m_dir, QStringLiteral("bad.csv"), bytes);
        auto s = readPpgCsv(path, defaultRate);
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, ErrorCode::BadData);
        QVERIFY(!s.error().message.contains(QLatin1Char('\n')));
        QVERIFY(s.error().message.contains(QLatin1String("bad.csv")));
    }

    void missingPpgCsv()
    {
        auto s = readPpgCsv(m_dir.filePath(QStringLiteral("nope.csv")));
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, ErrorCode::FileNotFound);
        SynthConfig c = smallConfig(72, 1);
        c.pulse.ppgCsvPath = m_dir.filePath(QStringLiteral("nope.csv"));
        c.variants[0].videoPath = m_dir.filePath(QStringLiteral("nocsv.mkv"));
        auto r = generateSynthVideo(c);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::FileNotFound);
        QVERIFY(!QFileInfo::exists(c.variants[0].videoPath));
    }

    void ppgDrivenVideo()
    {
        // A "recording": the beat model at 66 bpm with strong HRV, as time,ppg at 100 Hz.
        PulseWaveConfig pc;
        pc.meanHrBpm = 66;
        pc.sdnnMs = 60;
        auto w = makePulseWave(pc, 14.0, 100.0, 21);
        QVERIFY(w.ok());
        QByteArray csv = "time,ppg\n";
        for (size_t i = 0; i < w->ppg.size(); ++i)
            csv += QByteArray::number(i / 100.0, 'f', 2) + ','
                   + QByteArray::number(1000 + 200 * w->ppg[i], 'f', 3) + '\n';
        const QString csvPath = test::writeFile(m_dir, QStringLiteral("recording.csv"), csv);

        SynthConfig c = smallConfig(120, 8); // the HR setting is ignored for a recording
        c.pulse.ppgCsvPath = csvPath;
        c.pulse.ppgCsvOffsetSec = 2.0;
        const QString path = test::makeSynthVideo(m_dir, QStringLiteral("recorded.mkv"), c);
        QVERIFY(!path.isEmpty());
        auto series = readPpgCsv(csvPath);
        QVERIFY(series.ok());
        const std::vector<double> beats = referenceBeats(series.value());
        const GroundTruth gt = readGroundTruth(groundTruthPathFor(path));
        QCOMPARE(int(gt.rows.size()), 240);
        for (const GtRow &r : gt.rows) {
            const double t = r.timeSec + 2.0;
            const auto it = std::upper_bound(beats.begin(), beats.end(), t);
            QVERIFY(it != beats.begin() && it != beats.end());
            QVERIFY2(std::abs(r.hrBpm - 60.0 / (*it - *(it - 1))) < 0.01,
                     qPrintable(QString::number(r.timeSec)));
        }
        // The recording's beats are the model's, so the GT HR is the recording's HR.
        const double truth = gt.meta.count(QStringLiteral("mean_hr_bpm"))
                                 ? gt.meta.at(QStringLiteral("mean_hr_bpm")).toDouble()
                                 : 0;
        std::vector<double> modelBeats;
        for (double b : w->beatTimesSec) {
            if (b >= 2.0 && b <= 10.0)
                modelBeats.push_back(b);
        }
        QVERIFY2(std::abs(truth - meanHrOf(modelBeats)) < 1.0,
                 qPrintable(QStringLiteral("%1 vs %2").arg(truth).arg(meanHrOf(modelBeats))));

        // The waveform in the GT follows the recording (correlated with the model's samples).
        std::vector<double> a, b;
        for (const GtRow &r : gt.rows) {
            a.push_back(r.ppg);
            b.push_back(w->ppg[size_t(std::lround((r.timeSec + 2.0) * 100))]);
        }
        QVERIFY(dsp::pearson(a, b) > 0.9);

        // Too short a recording for the clip.
        c.durationSec = 20;
        c.variants[0].videoPath = m_dir.filePath(QStringLiteral("tooshort.mkv"));
        auto r = generateSynthVideo(c);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::Usage);
    }

    void bundledSampleIsConsistent()
    {
        // The sample shipped in resources/samples: its ground truth and description agree.
        const QString video = resourcePath(QStringLiteral("samples/sample.mp4"));
        if (video.isEmpty())
            QSKIP("resources/samples/sample.mp4 is not present");
        const GroundTruth gt = readGroundTruth(groundTruthPathFor(video));
        QCOMPARE(int(gt.rows.size()), 750);
        QVERIFY(std::abs(gt.meta.at(QStringLiteral("mean_hr_bpm")).toDouble() - 74) < 0.5);
        QFile f(synthMetaPathFor(video));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject meta = QJsonDocument::fromJson(f.readAll()).object();
        QCOMPARE(meta.value(QStringLiteral("frames")).toInt(), 750);
        const QJsonObject variant = meta.value(QStringLiteral("outputs"))
                                        .toObject()
                                        .value(QStringLiteral("variants"))
                                        .toArray()
                                        .at(0)
                                        .toObject();
        QCOMPARE(variant.value(QStringLiteral("path")).toString(), QStringLiteral("sample.mp4"));
        QCOMPARE(qint64(variant.value(QStringLiteral("file_bytes")).toDouble()),
                 QFileInfo(video).size());
        auto series = readPpgCsv(groundTruthPathFor(video));
        QVERIFY2(series.ok(), qPrintable(series.error().message));
        QVERIFY(std::abs(series->rateHz - 30) < 0.01);
        QVERIFY(std::abs(referenceHeartRate(series.value()) - 74) < 2);
    }

    // ---- failures ------------------------------------------------------------------------------

    void cancelRemovesEverything()
    {
        QTemporaryDir dir;
        SynthConfig c = smallConfig(72, 5);
        c.variants[0].videoPath = dir.filePath(QStringLiteral("a.mkv"));
        SynthVariant second;
        second.videoPath = dir.filePath(QStringLiteral("b.mp4"));
        second.encoder.codec = QStringLiteral("mjpeg");
        c.variants.push_back(second);
        std::atomic<bool> cancel{false};
        int64_t seen = 0;
        auto r = generateSynthVideo(
            c,
            [&](int64_t done, int64_t total) {
                seen = done;
                QCOMPARE(total, int64_t(150));
                if (done == 20)
                    cancel.store(true);
            },
            &cancel);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::Cancelled);
        QCOMPARE(seen, int64_t(20));
        QCOMPARE(filesIn(dir.path()), QStringList());
    }

    void multipleVariantsGetTheSameFrames()
    {
        QTemporaryDir dir;
        SynthConfig c = smallConfig(72, 1);
        c.variants[0].videoPath = dir.filePath(QStringLiteral("lossless.mkv"));
        SynthVariant raw;
        raw.videoPath = dir.filePath(QStringLiteral("raw.avi"));
        raw.encoder.codec = QStringLiteral("raw");
        SynthVariant lossy;
        lossy.videoPath = dir.filePath(QStringLiteral("lossy.mp4"));
        lossy.encoder.codec = QStringLiteral("x264");
        lossy.encoder.bitrateBps = 300000;
        c.variants = {c.variants[0], raw, lossy};
        auto r = generateSynthVideo(c);
        QVERIFY2(r.ok(), qPrintable(r.error().message));
        QCOMPARE(int(r->variantStats.size()), 3);
        const auto a = decodeAll(c.variants[0].videoPath);
        const auto b = decodeAll(raw.videoPath);
        const auto l = decodeAll(lossy.videoPath);
        QCOMPARE(int(a.size()), 30);
        QCOMPARE(a.size(), b.size());
        QCOMPARE(a.size(), l.size());
        for (size_t i = 0; i < a.size(); ++i) {
            QCOMPARE(cv::norm(a[i], b[i], cv::NORM_INF), 0.0);
            QVERIFY(cv::PSNR(a[i], l[i]) > 28);
        }
        for (const EncodeStats &s : r->variantStats)
            QVERIFY(s.achievedBitrateBps > 0 && s.fileBytes > 0);
        QVERIFY(QFileInfo::exists(groundTruthPathFor(c.variants[0].videoPath)));
        QVERIFY(!QFileInfo::exists(groundTruthPathFor(raw.videoPath)));
    }

    void photoWithoutFace()
    {
        QTemporaryDir dir;
        cv::Mat img(400, 400, CV_8UC3);
        cv::RNG rng(5);
        rng.fill(img, cv::RNG::UNIFORM, 60, 200);
        cv::GaussianBlur(img, img, cv::Size(), 8);
        const QString photo = dir.filePath(QStringLiteral("wall.png"));
        QVERIFY(cv::imwrite(photo.toStdString(), img));
        SynthConfig c = smallConfig(72, 1);
        c.facePhotoPath = photo;
        c.variants[0].videoPath = dir.filePath(QStringLiteral("out.mkv"));
        auto r = generateSynthVideo(c);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::NoFace);
        QCOMPARE(filesIn(dir.path()), QStringList{QStringLiteral("wall.png")});

        c.facePhotoPath = dir.filePath(QStringLiteral("missing.png"));
        r = generateSynthVideo(c);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::FileNotFound);

        const QString notAnImage = test::writeFile(dir, QStringLiteral("notes.png"), "hello");
        c.facePhotoPath = notAnImage;
        r = generateSynthVideo(c);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::BadData);
    }

    void unwritableOutput()
    {
        QTemporaryDir dir;
        const QString file = test::writeFile(dir, QStringLiteral("plain.txt"), "x");
        SynthConfig c = smallConfig(72, 1);
        c.variants[0].videoPath = dir.filePath(QStringLiteral("ok.mkv"));
        SynthVariant bad;
        bad.videoPath = file + QStringLiteral("/inside.mp4"); // a folder that is a file
        c.variants.push_back(bad);
        auto r = generateSynthVideo(c);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::WriteFailed);
        QCOMPARE(filesIn(dir.path()), QStringList{QStringLiteral("plain.txt")});

        c.variants = {bad};
        r = generateSynthVideo(c);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::WriteFailed);
    }

    void badConfigurations_data()
    {
        QTest::addColumn<int>("which");
        QTest::addColumn<int>("expected");
        QTest::newRow("odd width") << 0 << int(ErrorCode::Usage);
        QTest::newRow("zero fps") << 1 << int(ErrorCode::Usage);
        QTest::newRow("no variants") << 2 << int(ErrorCode::Usage);
        QTest::newRow("skin type 7") << 3 << int(ErrorCode::Usage);
        QTest::newRow("reversed absent interval") << 4 << int(ErrorCode::Usage);
        QTest::newRow("unknown codec") << 5 << int(ErrorCode::Unsupported);
        QTest::newRow("same path twice") << 6 << int(ErrorCode::Usage);
        QTest::newRow("negative noise") << 7 << int(ErrorCode::Usage);
        QTest::newRow("heart rate 20") << 8 << int(ErrorCode::Usage);
    }
    void badConfigurations()
    {
        QFETCH(int, which);
        QFETCH(int, expected);
        QTemporaryDir dir;
        SynthConfig c = smallConfig(72, 1);
        c.variants[0].videoPath = dir.filePath(QStringLiteral("x.mkv"));
        switch (which) {
        case 0:
            c.width = 321;
            break;
        case 1:
            c.fps = 0;
            break;
        case 2:
            c.variants.clear();
            break;
        case 3:
            c.fitzpatrick = 7;
            break;
        case 4:
            c.absentIntervals = {{3.0, 1.0}};
            break;
        case 5:
            c.variants[0].encoder.codec = QStringLiteral("vp9000");
            break;
        case 6:
            c.variants.push_back(c.variants[0]);
            break;
        case 7:
            c.noiseSigma = -1;
            break;
        case 8:
            c.pulse.meanHrBpm = 20;
            break;
        }
        auto r = generateSynthVideo(c);
        QVERIFY(!r.ok());
        QCOMPARE(int(r.error().code), expected);
        QCOMPARE(filesIn(dir.path()), QStringList());
    }
};

QTEST_GUILESS_MAIN(TstSynth)
#include "tst_synth.moc"
