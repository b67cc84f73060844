// The neural pulse methods ("rppgnet", "stven+rppgnet") as the pipeline drives them: face crops
// in, one value per frame out. Small random-weight networks written as real checkpoints into a
// temporary folder (the shipped weights are not needed): the tests check the per-frame bookkeeping
// (count, timestamps, gaps, rates), the overlap-add against the network's own clip outputs, the
// visuals, the error paths, devices, and `rppg analyze --method rppgnet` through the CLI library.
//
// Not here: recovering a heart rate with fitted weights. Fitting even a tiny rPPGNet to a
// synthetic video's pulse did not fit in a test's time budget on this 2-core machine; the
// accuracy of trained weights is measured by `rppg bench` (bench/RESULTS.md).
#include "analysiscsv.h"
#include "checkpoint.h"
#include "cli.h"
#include "device.h"
#include "groundtruth.h"
#include "infocommand.h"
#include "liveanalyzer.h"
#include "modelsadapter.h"
#include "neuralmethod.h"
#include "syntheticcrops.h"
#include "testsupport.h"
#include "torchtestsupport.h"
#include "videofilesource.h"

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QTest>

#include <chrono>
#include <cmath>
#include <mutex>
#include <random>
#include <thread>

using namespace rppg;

namespace {

// Tiny networks: every code path of the real ones, milliseconds per clip.
models::RppgNetConfig tinyRppgNetConfig(int frames = 16, int size = 32)
{
    return test::tinyRppgNet(frames, size, 8);
}

models::StvenConfig tinyStvenConfig(int size = 32)
{
    return test::tinyStven(1, 3, size, 16);
}

QString saveRppgNet(const QString &path, const models::RppgNetConfig &config)
{
    models::RppgNet net(config);
    test::makeInputSensitive(*net);
    net->eval();
    models::CheckpointMeta meta;
    meta.trainingData = "random weights (test)";
    std::string error;
    if (!models::saveRppgNet(path.toStdString(), net, meta, &error)) {
        qWarning("%s", error.c_str());
        return {};
    }
    return path;
}

QString saveStven(const QString &path, const models::StvenConfig &config)
{
    models::Stven net(config);
    test::makeInputSensitive(*net);
    net->eval();
    models::CheckpointMeta meta;
    meta.trainingData = "random weights (test)";
    std::string error;
    if (!models::saveStven(path.toStdString(), net, meta, &error)) {
        qWarning("%s", error.c_str());
        return {};
    }
    return path;
}

// A skin-coloured disc whose colour follows a pulse, with sensor noise; `faceAt(i)` false gives
// an empty crop (no face in that frame).
std::vector<FaceCrop> makeCrops(int count, int size, double fps, const std::function<bool(int)> &faceAt = {},
                                double hz = 1.2)
{
    SyntheticCropSpec spec;
    spec.count = count;
    spec.size = size;
    spec.fps = fps;
    spec.pulseHz = hz;
    spec.amplitude = 3;
    spec.seed = 5;
    spec.faceAt = faceAt;
    return syntheticPulseCrops(spec);
}

std::vector<PulseSample> runAll(PulseMethod &method, const std::vector<FaceCrop> &crops,
                                std::vector<size_t> *emittedAfterPush = nullptr)
{
    std::vector<PulseSample> out;
    for (const FaceCrop &c : crops) {
        method.push(c);
        method.drain(out);
        if (emittedAfterPush)
            emittedAfterPush->push_back(out.size());
    }
    method.finish(out);
    return out;
}

bool isOneLine(const QString &s)
{
    return !s.isEmpty() && !s.contains(QLatin1Char('\n')) && !s.contains(QLatin1Char('\r'));
}

QStringList readLines(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        return {};
    return QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

} // namespace

class TestNeuralMethods : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_rppg;    // tiny rPPGNet, 32 px, 16 frames
    QString m_stven;   // tiny STVEN, 32 px
    QString m_folder;  // a folder with the shipped file names

    Result<std::unique_ptr<PulseMethod>> make(NeuralPipeline pipeline, const QString &model,
                                              const NeuralMethodSettings &settings = {}, const QString &device = "cpu")
    {
        MethodOptions o;
        o.device = device;
        o.modelPath = model;
        return createNeuralMethod(pipeline, o, settings);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        torch::manual_seed(3);
        m_rppg = saveRppgNet(m_dir.filePath("tiny-rppgnet.ckpt"), tinyRppgNetConfig());
        m_stven = saveStven(m_dir.filePath("tiny-stven.ckpt"), tinyStvenConfig());
        QVERIFY(!m_rppg.isEmpty() && !m_stven.isEmpty());
        m_folder = m_dir.filePath("weights");
        QVERIFY(QDir().mkpath(m_folder));
        QVERIFY(QFile::copy(m_rppg, m_folder + "/rppgnet-cpu.ckpt"));
        QVERIFY(QFile::copy(m_stven, m_folder + "/stven-cpu.ckpt"));
        registerNeuralMethods();
        registerInfoCommand();
    }

    // One value per input frame, with the input's timestamps, in order; inline, the output lags
    // the input by at most a clip (plus the few frames that decide the input rate); with the
    // clips on the worker thread (the default) exactly half a clip more, whatever the worker's
    // speed, with the same values.
    void perFrameOutputAndTiming_data()
    {
        QTest::addColumn<int>("pipeline");
        QTest::newRow("rppgnet") << int(NeuralPipeline::RppgNet);
        QTest::newRow("stven+rppgnet") << int(NeuralPipeline::StvenRppgNet);
    }
    void perFrameOutputAndTiming()
    {
        QFETCH(int, pipeline);
        const auto p = NeuralPipeline(pipeline);
        auto method = make(p, p == NeuralPipeline::RppgNet ? m_rppg : m_stven + "," + m_rppg);
        QVERIFY2(method.ok(), qPrintable(method.error().message));
        QCOMPARE(method.value()->input(), MethodInput::FaceVideo);
        QCOMPARE(method.value()->cropSize(), cv::Size(32, 32));
        QCOMPARE(method.value()->name(), neuralMethodName(p));
        const auto crops = makeCrops(100, 32, 30.0);
        std::vector<size_t> emitted;
        const auto out = runAll(*method.value(), crops, &emitted);
        QCOMPARE(out.size(), crops.size());
        for (size_t i = 0; i < out.size(); ++i) {
            QCOMPARE(out[i].ptsUs, crops[i].ptsUs);
            QVERIFY2(std::isfinite(out[i].value), qPrintable(QString("frame %1").arg(i)));
        }
        NeuralMethodSettings inlineSettings;
        inlineSettings.backgroundInference = false;
        auto inlineMethod = make(p, p == NeuralPipeline::RppgNet ? m_rppg : m_stven + "," + m_rppg, inlineSettings);
        QVERIFY(inlineMethod.ok());
        std::vector<size_t> emittedInline;
        const auto outInline = runAll(*inlineMethod.value(), crops, &emittedInline);
        QCOMPARE(outInline.size(), out.size());
        for (size_t i = 0; i < out.size(); ++i)
            QVERIFY2(outInline[i].value == out[i].value,
                     qPrintable(QString("frame %1: %2 inline, %3 in the background").arg(i).arg(outInline[i].value).arg(out[i].value)));
        const size_t probe = 8, hop = 8;
        for (size_t k = 0; k < emitted.size(); ++k) {
            QVERIFY2(emittedInline[k] + 16 + probe >= k + 1,
                     qPrintable(QString("lag at frame %1: %2 out").arg(k).arg(emittedInline[k])));
            const size_t expected = k >= hop ? emittedInline[k - hop] : 0;
            QVERIFY2(emitted[k] == expected, qPrintable(QString("frame %1: %2 out in the background, %3 expected")
                                                            .arg(k).arg(emitted[k]).arg(expected)));
        }
        // reset() starts over: the same input gives the same output.
        method.value()->reset();
        const auto again = runAll(*method.value(), crops);
        QCOMPARE(again.size(), out.size());
        for (size_t i = 0; i < out.size(); ++i)
            QVERIFY(std::abs(again[i].value - out[i].value) < 1e-9);
    }

    // The overlap-add is exactly the tapered, z-scored clips of the network itself, so the signal
    // has no seam where one clip hands over to the next: at each boundary the value is a blend
    // of both clips whose weights change smoothly.
    void overlapAddMatchesClips()
    {
        const int T = 16, hop = 8, n = 40;   // clips at 0, 8, 16, 24 (= n − T): the tail is regular
        NeuralMethodSettings settings;
        settings.folding = BatchNormFolding::Never;
        auto method = make(NeuralPipeline::RppgNet, m_rppg, settings);
        QVERIFY(method.ok());
        const auto crops = makeCrops(n, 32, 30.0);
        const auto out = runAll(*method.value(), crops);
        QCOMPARE(int(out.size()), n);

        std::string error;
        auto loaded = models::loadRppgNet(m_rppg.toStdString(), torch::kCPU, &error);
        QVERIFY2(loaded, error.c_str());
        torch::InferenceMode inference;
        std::vector<torch::Tensor> frames;
        for (const FaceCrop &c : crops) {
            cv::Mat rgb;
            cv::cvtColor(c.bgr, rgb, cv::COLOR_BGR2RGB);
            frames.push_back(torch::from_blob(rgb.data, {32, 32, 3}, torch::kUInt8).clone());
        }
        const auto video = torch::stack(frames).permute({3, 0, 1, 2}).to(torch::kFloat).div(127.5).sub(1.0);
        std::vector<double> sum(n, 0.0), weight(n, 0.0);
        std::vector<std::vector<double>> clipValues;
        for (int start = 0; start + T <= n; start += hop) {
            const auto y = loaded->net->forward(video.narrow(1, start, T).unsqueeze(0)).global.reshape({-1})
                               .to(torch::kDouble);
            const double mean = y.mean().item<double>();
            const double sd = std::sqrt(((y - mean) * (y - mean)).mean().item<double>());
            std::vector<double> z(T);
            for (int i = 0; i < T; ++i) {
                z[i] = (y[i].item<double>() - mean) / sd;
                const double w = std::pow(std::sin(M_PI * (i + 0.5) / T), 2);
                sum[start + i] += w * z[i];
                weight[start + i] += w;
            }
            clipValues.push_back(z);
        }
        double maxErr = 0;
        for (int i = 0; i < n; ++i)
            maxErr = std::max(maxErr, std::abs(out[i].value - sum[i] / weight[i]));
        QVERIFY2(maxErr < 1e-4, qPrintable(QString("max deviation from the overlap-add %1").arg(maxErr)));
        // A hard cut between consecutive clips would jump by |z₁ − z₀| at the boundary; the blend
        // never jumps by more than the clips themselves move plus their disagreement spread over
        // the overlap.
        for (size_t c = 1; c < clipValues.size(); ++c) {
            const int b = int(c) * hop + hop / 2;   // middle of the overlap
            const double jump = std::abs(out[b].value - out[b - 1].value);
            const double ownStep = std::max(std::abs(clipValues[c][hop / 2] - clipValues[c][hop / 2 - 1]),
                                            std::abs(clipValues[c - 1][hop + hop / 2] - clipValues[c - 1][hop + hop / 2 - 1]));
            double disagreement = 0;
            for (int i = 0; i < hop; ++i)
                disagreement = std::max(disagreement, std::abs(clipValues[c][i] - clipValues[c - 1][hop + i]));
            QVERIFY2(jump <= ownStep + disagreement * 0.5 + 1e-9,
                     qPrintable(QString("seam at %1: jump %2, step %3, disagreement %4").arg(b).arg(jump).arg(ownStep).arg(disagreement)));
        }
    }

    // Frames without a face get no value; a short gap is bridged for the network (one stretch),
    // a long one splits the signal in two stretches that each still get values.
    void faceGapsGiveNoValue()
    {
        auto method = make(NeuralPipeline::RppgNet, m_rppg);
        QVERIFY(method.ok());
        auto shortGap = [](int i) { return i < 40 || i >= 43; };              // 0.1 s
        auto longGap = [](int i) { return i < 40 || i >= 70; };               // 1 s
        auto tooShort = [](int i) { return i >= 5 && i < 10; };               // 5 face frames only
        for (const auto &faceAt : {std::function<bool(int)>(shortGap), std::function<bool(int)>(longGap)}) {
            method.value()->reset();
            const auto crops = makeCrops(120, 32, 30.0, faceAt);
            const auto out = runAll(*method.value(), crops);
            QCOMPARE(out.size(), crops.size());
            for (size_t i = 0; i < out.size(); ++i) {
                QCOMPARE(out[i].ptsUs, crops[i].ptsUs);
                QVERIFY2(std::isfinite(out[i].value) == faceAt(int(i)), qPrintable(QString("frame %1: %2").arg(i).arg(out[i].value)));
            }
        }
        method.value()->reset();
        const auto out = runAll(*method.value(), makeCrops(30, 32, 30.0, tooShort));
        QCOMPARE(out.size(), size_t(30));
        for (const PulseSample &s : out)
            QVERIFY(!std::isfinite(s.value));   // shorter than half a clip: no value anywhere
    }

    // Frames the source drops (never pushed) are bridged like frames without a face: the network
    // sees one frame per input interval, so the values at the frames that did arrive are those
    // of the same input with empty crops in place of the dropped ones. Dropped here: single,
    // double and triple frames, and a stretch where every second frame is missing (a camera
    // falling to half its rate after the probe). At 25 fps (one network frame per crop, whole-µs
    // intervals) the bridging crops are the same and the values equal bit for bit.
    void droppedFramesAreBridged()
    {
        const auto full = makeCrops(240, 32, 25.0);
        const auto dropped = [](int i) {
            return i == 50 || i == 80 || i == 81 || (i >= 120 && i < 123) || (i >= 160 && i < 200 && i % 2 == 1);
        };
        std::vector<FaceCrop> arrived, withEmpty;
        std::vector<size_t> arrivedIndex;
        for (size_t i = 0; i < full.size(); ++i) {
            withEmpty.push_back(full[i]);
            if (dropped(int(i))) {
                withEmpty.back().bgr = cv::Mat();
            } else {
                arrived.push_back(full[i]);
                arrivedIndex.push_back(i);
            }
        }
        for (const QString &model : {m_rppg, m_stven + "," + m_rppg}) {
            const auto p = model.contains(',') ? NeuralPipeline::StvenRppgNet : NeuralPipeline::RppgNet;
            auto method = make(p, model);
            QVERIFY(method.ok());
            const auto a = runAll(*method.value(), arrived);
            method.value()->reset();
            const auto b = runAll(*method.value(), withEmpty);
            method.value()->reset();
            const auto c = runAll(*method.value(), full);
            QCOMPARE(a.size(), arrived.size());
            QCOMPARE(b.size(), withEmpty.size());
            double maxDiff = 0, maxFromFull = 0;
            for (size_t k = 0; k < a.size(); ++k) {
                const size_t i = arrivedIndex[k];
                QCOMPARE(a[k].ptsUs, b[i].ptsUs);
                QVERIFY2(std::isfinite(a[k].value) && std::isfinite(b[i].value), qPrintable(QString("frame %1").arg(i)));
                maxDiff = std::max(maxDiff, std::abs(a[k].value - b[i].value));
                maxFromFull = std::max(maxFromFull, std::abs(a[k].value - c[i].value));
            }
            QVERIFY2(maxDiff == 0, qPrintable(QString("%1: differs from the empty-crop input by %2")
                                                  .arg(neuralMethodName(p)).arg(maxDiff)));
            // And the comparison means something: the dropped frames' bridging crops are not
            // the frames themselves.
            QVERIFY2(maxFromFull > 1e-3, qPrintable(QString("%1: %2 from the full input")
                                                                      .arg(neuralMethodName(p)).arg(maxFromFull)));
        }
    }

    // The opposite: a source that speeds up after the probe (30 fps, then 60) would squeeze two
    // crops into each network frame's time. Within half the watch window (8 frames) the stretch
    // ends and the rest is resampled: from the crop where it switched on, the values are those of
    // a fresh method given the input from that crop on (which sees 60 fps and resamples from its
    // start), up to rounding (frames between grid points are read back at positions offset by
    // the stream's count).
    void risingRateSwitchesToResampling()
    {
        auto crops = makeCrops(100, 32, 30.0);
        auto fast = makeCrops(240, 32, 60.0);
        const int64_t offset = crops.back().ptsUs + 16667;
        for (FaceCrop &c : fast) {
            c.ptsUs += offset;
            crops.push_back(c);
        }
        auto method = make(NeuralPipeline::RppgNet, m_rppg);
        QVERIFY(method.ok());
        const auto out = runAll(*method.value(), crops);
        QCOMPARE(out.size(), crops.size());
        int switchedAt = -1;
        for (int s = 100; s <= 116 && switchedAt < 0; ++s) {
            method.value()->reset();
            const std::vector<FaceCrop> rest(crops.begin() + s, crops.end());
            const auto fresh = runAll(*method.value(), rest);
            bool same = fresh.size() == rest.size();
            for (size_t j = 0; same && j < fresh.size(); ++j)
                same = fresh[j].ptsUs == out[size_t(s) + j].ptsUs
                       && std::abs(fresh[j].value - out[size_t(s) + j].value) <= 1e-9;
            if (same)
                switchedAt = s;
        }
        qInfo("resampling from crop %d (the 60 fps part starts at 100)", switchedAt);
        QVERIFY2(switchedAt >= 100 && switchedAt <= 108, qPrintable(QString::number(switchedAt)));
        for (size_t i = 0; i < out.size(); ++i)
            QVERIFY2(std::isfinite(out[i].value), qPrintable(QString("frame %1").arg(i)));
    }

    // The worker thread changes when values come out, never what they are: gaps that bridge or
    // split a stretch, a stretch too short for a clip, 60 fps input, and a reset while a clip is
    // on the worker give exactly the inline values, frame by frame.
    void backgroundMatchesInline()
    {
        NeuralMethodSettings inlineSettings;
        inlineSettings.backgroundInference = false;
        const auto gaps = [](int i) { return (i < 40 || i >= 43) && (i < 90 || i >= 120) && (i < 140 || i >= 150); };
        const std::vector<std::vector<FaceCrop>> inputs{makeCrops(200, 32, 30.0, gaps), makeCrops(150, 32, 60.0)};
        for (const QString &model : {m_rppg, m_stven + "," + m_rppg}) {
            const auto p = model.contains(',') ? NeuralPipeline::StvenRppgNet : NeuralPipeline::RppgNet;
            auto background = make(p, model);
            auto inlined = make(p, model, inlineSettings);
            QVERIFY(background.ok() && inlined.ok());
            for (const auto &crops : inputs) {
                // Half the input, then a reset with a clip just queued (frame 23 completes the
                // second 16-frame clip after the 8 probe frames), then the whole input.
                background.value()->reset();
                std::vector<PulseSample> dropped;
                for (int i = 0; i < 32; ++i)
                    background.value()->push(crops[size_t(i)]);
                background.value()->drain(dropped);
                background.value()->reset();
                const auto a = runAll(*background.value(), crops);
                inlined.value()->reset();
                const auto b = runAll(*inlined.value(), crops);
                QCOMPARE(a.size(), crops.size());
                QCOMPARE(b.size(), crops.size());
                int finite = 0;
                for (size_t i = 0; i < a.size(); ++i) {
                    QCOMPARE(a[i].ptsUs, b[i].ptsUs);
                    const bool same = (std::isnan(a[i].value) && std::isnan(b[i].value)) || a[i].value == b[i].value;
                    QVERIFY2(same, qPrintable(QString("%1, frame %2: %3 in the background, %4 inline")
                                                  .arg(neuralMethodName(p)).arg(i).arg(a[i].value).arg(b[i].value)));
                    finite += std::isfinite(a[i].value);
                }
                QVERIFY(finite > int(crops.size()) / 2);
            }
        }
    }

    // 60 fps input: network frames on a 30 Hz grid, read back at every input timestamp. The
    // network sees the same pulse per network frame as at 30 fps, so the two outputs agree where
    // the timestamps coincide (up to the interpolation of the crops between frames).
    void sixtyFps()
    {
        auto method = make(NeuralPipeline::RppgNet, m_rppg);
        QVERIFY(method.ok());
        const auto crops60 = makeCrops(240, 32, 60.0);
        const auto out60 = runAll(*method.value(), crops60);
        QCOMPARE(out60.size(), crops60.size());
        for (size_t i = 0; i < out60.size(); ++i) {
            QCOMPARE(out60[i].ptsUs, crops60[i].ptsUs);
            QVERIFY2(std::isfinite(out60[i].value), qPrintable(QString("frame %1").arg(i)));
        }
        // Every second 60 fps frame sits on the grid: its value is the network frame's own, so
        // the midpoints in between are the average of their neighbours.
        for (size_t i = 1; i + 1 < out60.size(); i += 2)
            QVERIFY2(std::abs(out60[i].value - 0.5 * (out60[i - 1].value + out60[i + 1].value)) < 1e-4,
                     qPrintable(QString("frame %1: %2 between %3 and %4").arg(i).arg(out60[i].value)
                                    .arg(out60[i - 1].value).arg(out60[i + 1].value)));
        // 15 fps: fewer crops than network frames; still one value per crop.
        method.value()->reset();
        const auto crops15 = makeCrops(60, 32, 15.0);
        const auto out15 = runAll(*method.value(), crops15);
        QCOMPARE(out15.size(), crops15.size());
        for (const PulseSample &s : out15)
            QVERIFY(std::isfinite(s.value));
    }

    // Per-frame pictures: crop-size maps for display, the raw softmax attention summing to 1.
    void visuals()
    {
        NeuralMethodSettings raw;
        raw.displayVisuals = false;
        for (bool display : {true, false}) {
            auto method = make(NeuralPipeline::StvenRppgNet, m_folder, display ? NeuralMethodSettings{} : raw);
            QVERIFY2(method.ok(), qPrintable(method.error().message));
            PulseMethod &m = *method.value();
            MethodVisuals v;
            QVERIFY(!m.latestVisuals(v));   // nothing run yet
            std::vector<PulseSample> out;
            std::vector<int64_t> seen;
            const auto crops = makeCrops(80, 32, 30.0);
            for (size_t k = 0; k < crops.size(); ++k) {
                const FaceCrop &c = crops[k];
                m.push(c);
                m.drain(out);
                if (m.latestVisuals(v)) {
                    if (seen.empty() || seen.back() != v.ptsUs)
                        seen.push_back(v.ptsUs);
                    QVERIFY(!v.enhancedBgr.empty());
                    QCOMPARE(v.enhancedBgr.type(), CV_8UC3);
                    QCOMPARE(v.enhancedBgr.size(), cv::Size(32, 32));
                    QCOMPARE(v.skinMap.type(), CV_32FC1);
                    QCOMPARE(v.attention.type(), CV_32FC1);
                    double lo = 0, hi = 0;
                    cv::minMaxLoc(v.skinMap, &lo, &hi);
                    QVERIFY(lo >= 0 && hi <= 1);
                    if (display) {
                        QCOMPARE(v.skinMap.size(), cv::Size(32, 32));
                        QCOMPARE(v.attention.size(), cv::Size(32, 32));
                        cv::minMaxLoc(v.attention, &lo, &hi);
                        QVERIFY(lo >= 0 && hi <= 1 + 1e-6);
                    } else {
                        QCOMPARE(v.skinMap.size(), cv::Size(16, 16));
                        QCOMPARE(v.attention.size(), cv::Size(8, 8));
                        QVERIFY2(std::abs(cv::sum(v.attention)[0] - 1.0) < 1e-4,
                                 qPrintable(QString("attention sums to %1").arg(cv::sum(v.attention)[0])));
                    }
                    // Steady state: the frame half a clip (8) behind the newest, plus the
                    // background delay (8).
                    QVERIFY(v.ptsUs >= 0 && v.ptsUs <= c.ptsUs);
                    if (k >= 40)
                        QCOMPARE(v.ptsUs, crops[k - 16].ptsUs);
                }
            }
            // One picture set per frame: they follow the frames, not only the clips.
            QVERIFY2(seen.size() > 50, qPrintable(QString("%1 distinct visual frames").arg(seen.size())));
        }
        // rPPGNet alone has no enhanced frame.
        auto method = make(NeuralPipeline::RppgNet, m_rppg);
        QVERIFY(method.ok());
        runAll(*method.value(), makeCrops(40, 32, 30.0));
        MethodVisuals v;
        QVERIFY(method.value()->latestVisuals(v));
        QVERIFY(v.enhancedBgr.empty());
        QVERIFY(!v.attention.empty());
    }

    // Neural methods in the live engine's comparison: a face-video method as the main one with a
    // classical and a face-video method beside it. The compared STVEN+rPPGNet gives exactly the
    // trend it gives as the main method (same frames, same crops, its own output lane); POS
    // beside a random-weight rPPGNet still finds the video's pulse.
    void liveComparison()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        SynthConfig sc = test::defaultSynthConfig(84.0, 16.0);
        sc.width = 320;
        sc.height = 240;
        sc.writeMasks = false;
        const QString video = test::makeSynthVideo(dir, QStringLiteral("live.mkv"), sc);
        QVERIFY(!video.isEmpty());
        auto truth = readHrReference(groundTruthPathFor(video));
        QVERIFY(truth.ok());

        const auto runLive = [&](const QString &main, const QStringList &compare) -> LiveUpdatePtr {
            LiveAnalyzer a;
            std::mutex mutex;
            LiveUpdatePtr last;
            QStringList errors;
            QObject::connect(&a, &LiveAnalyzer::updateReady, &a, [&](LiveUpdatePtr u) {
                std::lock_guard<std::mutex> lock(mutex);
                if (u->endOfStream)
                    last = u;
            }, Qt::DirectConnection);
            QObject::connect(&a, &LiveAnalyzer::errorOccurred, &a, [&](const QString &e) {
                std::lock_guard<std::mutex> lock(mutex);
                errors << e;
            }, Qt::DirectConnection);
            LiveConfig cfg;
            cfg.updateEmitIntervalSec = 0;
            cfg.analysis.method = main;
            cfg.analysis.methodOptions.modelPath = m_folder;
            cfg.analysis.methodOptions.device = QStringLiteral("cpu");
            cfg.compareMethods = compare;
            const uint64_t gen = a.start(cfg);
            VideoFileSource src;
            if (src.open(video).isError())
                return {};
            VideoFrame f;
            while (src.read(f) == ReadStatus::Frame)
                if (!a.submit(f, InputPolicy::Backpressure, gen))
                    return {};
            if (!a.endOfStream(InputPolicy::Backpressure, gen))
                return {};
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(300);
            while (std::chrono::steady_clock::now() < deadline) {
                {
                    std::lock_guard<std::mutex> lock(mutex);
                    if (last || !errors.isEmpty())
                        break;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
            std::lock_guard<std::mutex> lock(mutex);
            if (!errors.isEmpty())
                qWarning("%s", qPrintable(errors.join("; ")));
            return errors.isEmpty() ? last : LiveUpdatePtr{};
        };

        const LiveUpdatePtr solo = runLive(QStringLiteral("stven+rppgnet"), {});
        const LiveUpdatePtr both = runLive(QStringLiteral("rppgnet"),
                                           {QStringLiteral("pos"), QStringLiteral("stven+rppgnet")});
        QVERIFY(solo && both);
        QCOMPARE(both->method, QStringLiteral("rppgnet"));
        QCOMPARE(both->compare.size(), size_t(2));
        const LiveMethodEstimate &pos = both->compare[0];
        const LiveMethodEstimate &stven = both->compare[1];
        QCOMPARE(stven.method, QStringLiteral("stven+rppgnet"));
        QCOMPARE(stven.trend.size(), solo->trend.size());
        int finite = 0;
        for (size_t k = 0; k < solo->trend.size(); ++k) {
            const double x = stven.trend[k].hrBpm, y = solo->trend[k].hrBpm;
            QVERIFY2((std::isnan(x) && std::isnan(y)) || std::abs(x - y) < 1e-6,
                     qPrintable(QString("update %1: %2 vs %3").arg(k).arg(x).arg(y)));
            finite += std::isfinite(y);
        }
        QVERIFY(finite > 5);
        // POS over the last window, against the truth of that window.
        const double expected = truth.value().windowHr(both->timeSec - both->windowSec, both->timeSec);
        QVERIFY2(std::abs(pos.hrBpm - expected) <= 3.0,
                 qPrintable(QString("pos %1 vs truth %2").arg(pos.hrBpm).arg(expected)));
    }

    void weightLookup()
    {
        // A folder with the shipped names, and the default folder (resources/models/) via the
        // resource directory override.
        auto files = findNeuralModelFiles(NeuralPipeline::StvenRppgNet, m_folder, false);
        QVERIFY2(files.ok(), qPrintable(files.error().message));
        QVERIFY(files->stven.endsWith("stven-cpu.ckpt") && files->rppgNet.endsWith("rppgnet-cpu.ckpt"));
        // Either order for a pair: the files say what they hold.
        files = findNeuralModelFiles(NeuralPipeline::StvenRppgNet, m_rppg + "," + m_stven, false);
        QVERIFY(files.ok());
        QCOMPARE(files->stven, m_stven);
        QCOMPARE(files->rppgNet, m_rppg);
        // Paper weights are preferred on CUDA only, and for STVEN + rPPGNet only as a pair.
        QVERIFY(QFile::copy(m_rppg, m_folder + "/rppgnet-paper.ckpt"));
        QVERIFY(findNeuralModelFiles(NeuralPipeline::RppgNet, m_folder, true)->rppgNet.endsWith("rppgnet-paper.ckpt"));
        QVERIFY(findNeuralModelFiles(NeuralPipeline::RppgNet, m_folder, false)->rppgNet.endsWith("rppgnet-cpu.ckpt"));
        QVERIFY(findNeuralModelFiles(NeuralPipeline::StvenRppgNet, m_folder, true)->rppgNet.endsWith("rppgnet-cpu.ckpt"));
        QVERIFY(QFile::remove(m_folder + "/rppgnet-paper.ckpt"));

        QTemporaryDir res;
        QVERIFY(QDir().mkpath(res.filePath("models")));
        QVERIFY(QFile::copy(m_rppg, res.filePath("models/rppgnet-cpu.ckpt")));
        const QByteArray old = qgetenv("RPPG_RESOURCE_DIR");
        qputenv("RPPG_RESOURCE_DIR", res.path().toLocal8Bit());
        auto created = MethodRegistry::instance().create(QStringLiteral("rppgnet"), MethodOptions{"cpu", {}, 0});
        qputenv("RPPG_RESOURCE_DIR", old);
        QVERIFY2(created.ok(), qPrintable(created.error().message));
        QVERIFY(created.value()->modelDescription().contains("rppgnet-cpu.ckpt"));
    }

    // `rppg info`: what a checkpoint holds, as the file says, and clean failures.
    void checkpointInfoReadsTheFile()
    {
        const auto r = checkpointInfo(m_rppg);
        QVERIFY2(r.ok(), qPrintable(r.error().message));
        const QJsonObject &o = r.value();
        QCOMPARE(o["kind"].toString(), QStringLiteral("rppgnet"));
        QCOMPARE(o["file"].toString(), QStringLiteral("tiny-rppgnet.ckpt"));
        QCOMPARE(o["input_size"].toInt(), 32);
        QCOMPARE(o["config"].toObject()["frames"].toInt(), 16);
        QCOMPARE(o["bytes"].toInteger(), QFileInfo(m_rppg).size());
        QCOMPARE(o["training_data"].toString(), QStringLiteral("random weights (test)"));
        int64_t expected = 0;
        for (const auto &t : models::RppgNet(tinyRppgNetConfig())->parameters())
            expected += t.numel();
        QCOMPARE(o["parameters"].toInteger(), qint64(expected));
        const auto s = checkpointInfo(m_stven);
        QVERIFY2(s.ok(), qPrintable(s.error().message));
        QCOMPARE(s.value()["kind"].toString(), QStringLiteral("stven"));
        QCOMPARE(s.value()["config"].toObject()["c_dim"].toInt(), 3);

        const QString junk = m_dir.filePath("junk.ckpt");
        {
            QFile f(junk);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("RPPGCKPT but not really a checkpoint");
        }
        QCOMPARE(checkpointInfo(junk).error().code, ErrorCode::BadData);
        QCOMPARE(checkpointInfo(m_dir.filePath("none.ckpt")).error().code, ErrorCode::FileNotFound);
        QCOMPARE(cli::run({"rppg", "info", m_rppg, m_stven, "--json"}), int(cli::kExitOk));
        QCOMPARE(cli::run({"rppg", "info", m_rppg, junk}), int(cli::kExitBadData));
        // No files: the weights analysis would load (findNeuralModelFiles, tested above), here
        // the test's own through the resource folder.
        QTemporaryDir res;
        QVERIFY(QDir().mkpath(res.filePath("models")));
        QVERIFY(QFile::copy(m_rppg, res.filePath("models/rppgnet-cpu.ckpt")));
        QVERIFY(QFile::copy(m_stven, res.filePath("models/stven-cpu.ckpt")));
        const QByteArray old = qgetenv("RPPG_RESOURCE_DIR");
        qputenv("RPPG_RESOURCE_DIR", res.path().toLocal8Bit());
        const int found = cli::run({"rppg", "info"});
        qputenv("RPPG_RESOURCE_DIR", old);
        QCOMPARE(found, int(cli::kExitOk));
    }

    // Every failure: the right code and one line naming the problem; nothing throws.
    void badWeights()
    {
        QTemporaryDir dir;
        const QString empty = dir.filePath("empty");
        QVERIFY(QDir().mkpath(empty));
        auto expect = [this](NeuralPipeline p, const QString &model, ErrorCode code, const QString &needle,
                             const QString &device = "cpu") {
            auto m = make(p, model, {}, device);
            QVERIFY2(!m.ok(), qPrintable(model));
            QVERIFY2(m.error().code == code, qPrintable(QString("%1: code %2, %3").arg(model).arg(int(m.error().code)).arg(m.error().message)));
            QVERIFY2(isOneLine(m.error().message), qPrintable(m.error().message));
            QVERIFY2(m.error().message.contains(needle, Qt::CaseInsensitive),
                     qPrintable(QString("'%1' lacks '%2'").arg(m.error().message, needle)));
        };
        // Missing.
        expect(NeuralPipeline::RppgNet, empty, ErrorCode::FileNotFound, "rppgnet-cpu.ckpt");
        expect(NeuralPipeline::StvenRppgNet, empty, ErrorCode::FileNotFound, "stven-cpu.ckpt");
        expect(NeuralPipeline::RppgNet, dir.filePath("nope.ckpt"), ErrorCode::FileNotFound, "nope.ckpt");
        // Garbage and truncation.
        const QString garbage = test::writeFile(dir, "garbage.ckpt", QByteArray(4096, 'x'));
        expect(NeuralPipeline::RppgNet, garbage, ErrorCode::BadData, "garbage.ckpt");
        QFile full(m_rppg);
        QVERIFY(full.open(QIODevice::ReadOnly));
        const QByteArray bytes = full.readAll();
        const QString truncated = test::writeFile(dir, "truncated.ckpt", bytes.left(bytes.size() / 2));
        expect(NeuralPipeline::RppgNet, truncated, ErrorCode::BadData, "truncated.ckpt");
        QByteArray flipped = bytes;
        flipped[flipped.size() - 100] = char(flipped[flipped.size() - 100] ^ 0x40);
        expect(NeuralPipeline::RppgNet, test::writeFile(dir, "flipped.ckpt", flipped), ErrorCode::BadData, "flipped.ckpt");
        // Mismatched: a STVEN file as rPPGNet, two rPPGNets as a pair, a pair of different crop sizes.
        expect(NeuralPipeline::RppgNet, m_stven, ErrorCode::BadData, "tiny-stven.ckpt");
        expect(NeuralPipeline::StvenRppgNet, m_rppg + "," + m_rppg, ErrorCode::BadData, "one of each");
        const QString stven64 = saveStven(dir.filePath("stven64.ckpt"), tinyStvenConfig(64));
        expect(NeuralPipeline::StvenRppgNet, stven64 + "," + m_rppg, ErrorCode::BadData, "matching pair");
        expect(NeuralPipeline::StvenRppgNet, m_rppg, ErrorCode::Usage, "two checkpoints");
        // Devices.
        expect(NeuralPipeline::RppgNet, m_rppg, ErrorCode::Usage, "tpu", "tpu");
        if (!models::cudaAvailable())
            expect(NeuralPipeline::RppgNet, m_rppg, ErrorCode::Unsupported, "cuda", "cuda");
        expect(NeuralPipeline::RppgNet, m_rppg, ErrorCode::Unsupported, "cuda:7", "cuda:7");
        // Through the registry as the pipeline calls it.
        auto viaRegistry = MethodRegistry::instance().create("stven+rppgnet", MethodOptions{"cpu", empty, 0});
        QVERIFY(!viaRegistry.ok());
        QCOMPARE(viaRegistry.error().code, ErrorCode::FileNotFound);
    }

    // A model saved on the CPU runs on CUDA and gives the CPU's values (float rounding aside).
    void cudaRoundTrip()
    {
        if (!models::cudaAvailable())
            QSKIP("libtorch has no CUDA or no GPU is present here: CPU-saved model on CUDA not checked");
        const auto crops = makeCrops(60, 32, 30.0);
        NeuralMethodSettings never;
        never.folding = BatchNormFolding::Never;
        auto cpu = make(NeuralPipeline::StvenRppgNet, m_folder, never, "cpu");
        auto gpu = make(NeuralPipeline::StvenRppgNet, m_folder, never, "cuda");
        QVERIFY2(cpu.ok() && gpu.ok(), qPrintable(gpu.ok() ? cpu.error().message : gpu.error().message));
        QVERIFY(gpu.value()->deviceName().startsWith("CUDA"));
        const auto a = runAll(*cpu.value(), crops);
        const auto b = runAll(*gpu.value(), crops);
        QCOMPARE(a.size(), b.size());
        for (size_t i = 0; i < a.size(); ++i)
            QVERIFY(std::abs(a[i].value - b[i].value) < 1e-2);
        // And back: a CUDA-loaded checkpoint saved again loads on the CPU bit for bit.
        std::string error;
        auto onGpu = models::loadRppgNet(m_rppg.toStdString(), torch::Device(torch::kCUDA, 0), &error);
        QVERIFY2(onGpu, error.c_str());
        const QString back = m_dir.filePath("from-cuda.ckpt");
        QVERIFY2(models::saveRppgNet(back.toStdString(), onGpu->net, onGpu->header.meta, &error), error.c_str());
        auto onCpu = models::loadRppgNet(back.toStdString(), torch::kCPU, &error);
        QVERIFY2(onCpu, error.c_str());
        auto original = models::loadRppgNet(m_rppg.toStdString(), torch::kCPU, &error);
        const auto pa = original->net->named_parameters(), pb = onCpu->net->named_parameters();
        for (const auto &item : pa)
            QVERIFY(torch::equal(item.value(), pb[item.key()]));
    }

    // `rppg analyze --method rppgnet --model FILE` writes the classical CSV (same columns, one row
    // per frame) and the same JSON keys as POS; missing weights fail with their exit code.
    void cliAnalyze()
    {
        SynthConfig sc = test::defaultSynthConfig(72, 6);
        sc.width = 320;
        sc.height = 240;
        sc.writeMasks = false;
        const QString video = test::makeSynthVideo(m_dir, "face.mkv", sc);
        QVERIFY(!video.isEmpty());
        // A 64 px model, as the shipped CPU configuration (64-frame clips).
        torch::manual_seed(9);
        const QString model = saveRppgNet(m_dir.filePath("cli-rppgnet.ckpt"), tinyRppgNetConfig(64, 64));
        QVERIFY(!model.isEmpty());
        const QString csvNeural = m_dir.filePath("neural.csv"), csvPos = m_dir.filePath("pos.csv");
        const int codeNeural = cli::run({"rppg", "analyze", video, "--method", "rppgnet", "--model", model,
                                         "--device", "cpu", "--csv", csvNeural, "--no-progress"});
        // Random weights may or may not give a heart rate: both are regular outcomes with a CSV.
        QVERIFY2(codeNeural == cli::kExitOk || codeNeural == cli::kExitTooShort, qPrintable(QString::number(codeNeural)));
        QCOMPARE(cli::run({"rppg", "analyze", video, "--method", "pos", "--csv", csvPos, "--no-progress"}),
                 int(cli::kExitOk));
        auto data = [](const QStringList &lines) {
            QStringList rows;
            for (const QString &l : lines)
                if (!l.startsWith('#'))
                    rows << l;
            return rows;
        };
        const QStringList neural = data(readLines(csvNeural)), pos = data(readLines(csvPos));
        QVERIFY(neural.size() > 100);
        QCOMPARE(neural.size(), pos.size());
        QCOMPARE(neural.first(), analysisCsvColumns().join(','));
        QCOMPARE(neural.first(), pos.first());
        int withPulse = 0;
        for (int i = 1; i < neural.size(); ++i) {
            const QStringList a = neural[i].split(','), b = pos[i].split(',');
            QCOMPARE(a.size(), b.size());
            QCOMPARE(a[0], b[0]);   // frame
            QCOMPARE(a[1], b[1]);   // time_s
            withPulse += !a[analysisCsvColumns().indexOf("pulse_raw")].isEmpty();
        }
        QVERIFY2(withPulse > neural.size() * 3 / 4, qPrintable(QString("%1 rows with a pulse").arg(withPulse)));
        const QStringList meta = readLines(csvNeural).filter(QRegularExpression("^# *method"));
        QVERIFY2(!meta.isEmpty() && meta.first().contains("rppgnet"), qPrintable(meta.join('|')));
        // The network's classical witnesses are named in its header, not in a classical method's.
        QCOMPARE(readLines(csvNeural).filter(QRegularExpression("^# witnesses: pos,green$")).size(), 1);
        QVERIFY(readLines(csvPos).filter(QRegularExpression("^# witnesses")).isEmpty());
        // Missing weights for an explicitly requested method: FileNotFound's exit code.
        QCOMPARE(cli::run({"rppg", "analyze", video, "--method", "rppgnet", "--model", m_dir.filePath("none.ckpt"),
                           "--no-progress"}),
                 int(cli::kExitFileNotFound));
        QCOMPARE(cli::run({"rppg", "analyze", video, "--method", "rppgnet", "--model", model, "--device", "tpu",
                           "--no-progress"}),
                 int(cli::kExitUsage));
    }
};

QTEST_GUILESS_MAIN(TestNeuralMethods)
#include "tst_neuralmethods.moc"
