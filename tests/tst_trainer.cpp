// The trainer and the clip-cache reader on a tiny cache this test writes itself in the documented
// format (core/clipcache.h, version 1): coloured "faces" whose skin colour follows a known
// sinusoidal pulse, one HR per subject, level 0 plus a coarsely quantised level 1.
#include "checkpoint.h"
#include "clipdataset.h"
#include "losses.h"
#include "torchtestsupport.h"
#include "textparse.h"
#include "trainer.h"
#include "trainoptions.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <functional>
#include <fstream>
#include <random>
#include <set>

using namespace rppg::models;

namespace {

constexpr int kS = 32;       // crop size
constexpr int kT = 32;       // clip frames
constexpr int kFrames = 96;  // frames per subject (one segment each)
constexpr int kStride = 16;
constexpr double kFps = 30.0;
constexpr double kPi = 3.14159265358979323846;

double subjectHr(int s) { return 66.0 + 14.0 * s; }

// Writes a cache with `subjects` subjects and two levels; returns false on an IO failure.
bool writeCache(const QString &dir, int subjects, int frames = kFrames)
{
    QDir().mkpath(dir);
    auto path = [&](const char *name) { return (dir + QLatin1Char('/') + QLatin1String(name)).toStdString(); };
    std::ofstream f0(path("frames_l0.bin"), std::ios::binary), f1(path("frames_l1.bin"), std::ios::binary),
        fm(path("masks.bin"), std::ios::binary), fp(path("ppg.bin"), std::ios::binary);
    std::ofstream seg(path("segments.csv")), clips(path("clips.csv"));
    seg << "segment,dataset,recording,subject,fps,frames,first_frame,start_s,offset,levels\n";
    clips << "clip,segment,start,hr_bpm\n";
    int clip = 0;
    const int m = kS / 2;
    for (int s = 0; s < subjects; ++s) {
        const double f = subjectHr(s) / 60.0;
        const double tone = 0.75 + 0.08 * s;
        for (int t = 0; t < frames; ++t) {
            const double pulse = std::sin(2 * kPi * f * t / kFps);
            std::vector<uint8_t> px(size_t(kS * kS * 3)), q(px.size()), mk(size_t(m * m));
            for (int y = 0; y < kS; ++y)
                for (int x = 0; x < kS; ++x) {
                    const double dx = (x + 0.5 - kS / 2.0) / (kS * 0.32), dy = (y + 0.5 - kS / 2.0) / (kS * 0.4);
                    const bool skin = dx * dx + dy * dy < 1.0;
                    const double base[3] = {200 * tone, 140 * tone, 110 * tone};
                    const double sig[3] = {0.3, 0.8, 0.5};
                    for (int c = 0; c < 3; ++c) {
                        double v = skin ? base[c] * (1.0 - 0.04 * sig[c] * pulse) : 50.0 + 20.0 * c;
                        v += ((x * 7 + y * 13 + t * 3 + c) % 5) - 2;   // deterministic texture
                        const uint8_t u = uint8_t(std::clamp(v, 0.0, 255.0));
                        px[size_t((y * kS + x) * 3 + c)] = u;
                        q[size_t((y * kS + x) * 3 + c)] = uint8_t((u & 0xF0) + 8);
                    }
                }
            for (int y = 0; y < m; ++y)
                for (int x = 0; x < m; ++x) {
                    const double dx = (x + 0.5 - m / 2.0) / (m * 0.32), dy = (y + 0.5 - m / 2.0) / (m * 0.4);
                    mk[size_t(y * m + x)] = dx * dx + dy * dy < 1.0 ? 1 : 0;
                }
            const float p = float(pulse * std::sqrt(2.0));   // unit variance
            f0.write(reinterpret_cast<const char *>(px.data()), std::streamsize(px.size()));
            f1.write(reinterpret_cast<const char *>(q.data()), std::streamsize(q.size()));
            fm.write(reinterpret_cast<const char *>(mk.data()), std::streamsize(mk.size()));
            fp.write(reinterpret_cast<const char *>(&p), 4);
        }
        const int off = s * frames;
        seg << s << ",tiny,rec" << s << ",subj" << s << "," << kFps << "," << frames << ",0,0," << off << ",0:" << off
            << ";1:" << off << "\n";
        for (int start = 0; start + kT <= frames; start += kStride)
            clips << clip++ << "," << s << "," << start << "," << subjectHr(s) << "\n";
    }
    std::ofstream idx(path("index.txt"));
    idx << "format=rppg-clip-cache\nversion=1\ncrop_size=" << kS << "\nmask_size=" << kS / 2 << "\nclip_frames=" << kT
        << "\nstride_frames=" << kStride << "\nchannels=rgb\nframes=" << subjects * frames << "\nsegments=" << subjects
        << "\nclips=" << clip << "\nrecordings=" << subjects << "\nsubjects=" << subjects
        << "\nlevels=2\nlevel.0.name=original\nlevel.0.frames=" << subjects * frames
        << "\nlevel.1.name=quantised\nlevel.1.frames=" << subjects * frames << "\nsources=/data/where/tiny-set,roi=full;/data/b/\n";
    return f0.good() && f1.good() && fm.good() && fp.good() && idx.good();
}

RppgNetConfig tinyRppgNet()
{
    return rppg::test::tinyRppgNet(kT, kS, 8);
}

StvenConfig tinyStven()
{
    return rppg::test::tinyStven(1, 2, kS, kT);
}

TrainOptions tinyOptions(const QString &cache, const QString &out)
{
    TrainOptions o;
    o.mode = TrainMode::RppgNet;
    o.data = {cache.toStdString()};
    o.outDir = out.toStdString();
    o.epochs = 2;
    o.batch = 4;
    o.lr = 3e-3;
    o.seed = 7;
    o.valFraction = 0.5;
    o.device = "cpu";
    o.rppgNetConfig = tinyRppgNet();
    o.stvenConfig = tinyStven();
    o.stepsPerEpoch = 6;
    o.augment = false;
    return o;
}

struct FixedBatch
{
    torch::Tensor original, compressed, ppg, mask;
};

FixedBatch fixedBatch(const ClipDataset &ds)
{
    std::vector<torch::Tensor> o, c, p, m;
    for (int64_t i : {0, 2, 5, 7}) {
        const ClipRequest r = ds.plainRequest(i, 0, 0);
        const ClipSample s0 = ds.read(r, 0);
        o.push_back(s0.frames);
        p.push_back(s0.ppg);
        m.push_back(s0.mask);
        c.push_back(ds.read(r, 1).frames);
    }
    return {torch::stack(o), torch::stack(c), torch::stack(p), torch::stack(m)};
}

} // namespace

class TestTrainer : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    QString m_cache;

private Q_SLOTS:
    void initTestCase()
    {
        torch::set_num_threads(1);
        QVERIFY(m_tmp.isValid());
        m_cache = m_tmp.filePath(QStringLiteral("cache"));
        QVERIFY(writeCache(m_cache, 2));
    }

    void readerGivesTheWrittenClips()
    {
        std::string err;
        auto ds = ClipDataset::open({m_cache.toStdString()}, &err);
        QVERIFY2(ds, err.c_str());
        QCOMPARE(ds->size(), int64_t(2 * 5));
        QCOMPARE(ds->levelCount(), 2);
        QCOMPARE(int(ds->subjects().size()), 2);
        const ClipSample s = ds->read(ds->plainRequest(1, 0, 0), 0);
        QCOMPARE(s.frames.sizes().vec(), (std::vector<int64_t>{3, kT, kS, kS}));
        QCOMPARE(s.mask.sizes().vec(), (std::vector<int64_t>{kT, kS / 2, kS / 2}));
        QCOMPARE(s.ppg.size(0), int64_t(kT));
        QVERIFY(s.frames.min().item<float>() >= -1.0f && s.frames.max().item<float>() <= 1.0f);
        // Clip 1 starts at frame 16 of subject 0: the stored pulse is the sinusoid there.
        const double expect = std::sin(2 * kPi * subjectHr(0) / 60.0 * 16 / kFps) * std::sqrt(2.0);
        QVERIFY(std::abs(s.ppg[0].item<double>() - expect) < 1e-5);
        QCOMPARE(s.hrBpm, subjectHr(0));
        // The green channel of the skin follows the pulse inversely (blood absorbs).
        const auto green = s.frames[1].slice(1, kS / 2 - 3, kS / 2 + 3).slice(2, kS / 2 - 3, kS / 2 + 3).mean({1, 2});
        const double r = torch::corrcoef(torch::stack({green, s.ppg}))[0][1].item<double>();
        QVERIFY2(r < -0.9, qPrintable(QString::number(r)));
        // The spectral peak (what validation scores) recovers a known rate from 10 s of pulse.
        std::vector<float> wave;
        for (int i = 0; i < 300; ++i)
            wave.push_back(float(std::sin(2 * kPi * 1.3 * i / kFps) + 0.3 * std::sin(2 * kPi * 2.6 * i / kFps + 1.0)));
        QVERIFY(std::abs(spectralPeakBpm(wave, kFps) - 78.0) < 1.0);
        QVERIFY(std::isnan(spectralPeakBpm(std::vector<float>(64, 1.0f), kFps)));
        // Resizing on the fly: frames and masks at 16 px.
        const ClipSample small = ds->read(ds->plainRequest(1, 16, 16), 1);
        QCOMPARE(small.frames.sizes().vec(), (std::vector<int64_t>{3, 16, 16, 16}));
        QCOMPARE(small.mask.sizes().vec(), (std::vector<int64_t>{16, 8, 8}));
        QVERIFY(small.mask.sum().item<double>() > 0);
        // Flip mirrors frames and masks.
        ClipRequest fr = ds->plainRequest(1, 0, 0);
        fr.flip = true;
        const ClipSample flipped = ds->read(fr, 0);
        QVERIFY(torch::allclose(flipped.frames, s.frames.flip({3})));
        QVERIFY(torch::equal(flipped.mask, s.mask.flip({2})));
    }

    void levelsMeetByName()
    {
        // Cache B holds the same recordings as A with a new level at index 1 ("blurred", here the
        // original's bytes) and A's "quantised" moved to index 2: levels are matched by name.
        const QString b = m_tmp.filePath(QStringLiteral("cache-b"));
        QVERIFY(QDir().mkpath(b));
        for (const char *name : {"masks.bin", "ppg.bin", "clips.csv"})
            QVERIFY(QFile::copy(m_cache + QLatin1Char('/') + QLatin1String(name), b + QLatin1Char('/') + QLatin1String(name)));
        QVERIFY(QFile::copy(m_cache + QStringLiteral("/frames_l0.bin"), b + QStringLiteral("/frames_l0.bin")));
        QVERIFY(QFile::copy(m_cache + QStringLiteral("/frames_l0.bin"), b + QStringLiteral("/frames_l1.bin")));
        QVERIFY(QFile::copy(m_cache + QStringLiteral("/frames_l1.bin"), b + QStringLiteral("/frames_l2.bin")));
        auto rewrite = [&](const char *name, const std::function<QString(QString)> &edit) {
            QFile in(m_cache + QLatin1Char('/') + QLatin1String(name));
            QVERIFY(in.open(QIODevice::ReadOnly));
            QFile out(b + QLatin1Char('/') + QLatin1String(name));
            QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
            out.write(edit(QString::fromUtf8(in.readAll())).toUtf8());
        };
        rewrite("index.txt", [](QString t) {
            const QString q = QStringLiteral("level.1.name=quantised\nlevel.1.frames=");
            const int at = t.indexOf(q);
            const QString frames = t.mid(at + q.size()).section(QLatin1Char('\n'), 0, 0);
            return t.replace(QStringLiteral("levels=2\n"), QStringLiteral("levels=3\n"))
                .replace(q + frames, QStringLiteral("level.1.name=blurred\nlevel.1.frames=") + frames
                                         + QStringLiteral("\nlevel.2.name=quantised\nlevel.2.frames=") + frames);
        });
        rewrite("segments.csv", [](QString t) {
            QStringList lines = t.split(QLatin1Char('\n'));
            for (int i = 1; i < lines.size(); ++i)
                if (!lines[i].isEmpty()) {
                    const QString off = lines[i].section(QLatin1Char(','), 8, 8);
                    lines[i] = lines[i].section(QLatin1Char(','), 0, 8) + QStringLiteral(",0:%1;1:%1;2:%1").arg(off);
                }
            return lines.join(QLatin1Char('\n'));
        });

        std::string err;
        auto ds = ClipDataset::open({m_cache.toStdString(), b.toStdString()}, &err);
        QVERIFY2(ds, err.c_str());
        QCOMPARE(ds->levelNames(), (std::vector<std::string>{"original", "quantised", "blurred"}));
        QCOMPARE(ds->levelCount(), 3);
        const int64_t inA = 1, inB = ds->size() / 2 + 1;   // the same clip of the same recording
        QCOMPARE(ds->levelsOf(inA), (std::vector<int>{0, 1}));
        QCOMPARE(ds->levelsOf(inB), (std::vector<int>{0, 1, 2}));
        const auto a1 = ds->read(ds->plainRequest(inA, 0, 0), 1).frames;
        QVERIFY(torch::equal(ds->read(ds->plainRequest(inB, 0, 0), 1).frames, a1));   // quantised = quantised
        QVERIFY(torch::equal(ds->read(ds->plainRequest(inB, 0, 0), 2).frames,
                             ds->read(ds->plainRequest(inA, 0, 0), 0).frames));
        QVERIFY(!torch::equal(ds->read(ds->plainRequest(inB, 0, 0), 0).frames, a1));
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, ds->read(ds->plainRequest(inA, 0, 0), 2));
        QVERIFY2(ds->describe().find("levels by name (STVEN label order) original|quantised|blurred") != std::string::npos,
                 ds->describe().c_str());

        // --levels keeps a run to the named levels (and the original): a restore-only STVEN epoch
        // on "blurred", whose clips are the original's bytes, scores an input as good as it gets.
        TrainOptions o = tinyOptions(m_cache, m_tmp.filePath(QStringLiteral("out-levels")));
        o.data.push_back(b.toStdString());
        o.mode = TrainMode::Stven;
        o.stvenConfig = rppg::test::tinyStven(1, 3, kS, kT);
        o.stvenRestoreOnly = true;
        o.epochs = 1;
        o.stepsPerEpoch = 1;
        o.levels = {"blurred"};
        const TrainResult lr = train(o);
        QVERIFY2(lr.error == TrainErrorKind::None, lr.message.c_str());
        QVERIFY2(lr.epochs[0].valPsnrInputDb > 70, std::to_string(lr.epochs[0].valPsnrInputDb).c_str());   // identical
        o.levels = {"quantised"};
        o.outDir += "-q";
        const TrainResult lq = train(o);
        QVERIFY2(lq.error == TrainErrorKind::None, lq.message.c_str());
        QVERIFY2(lq.epochs[0].valPsnrInputDb < 40, std::to_string(lq.epochs[0].valPsnrInputDb).c_str());
        auto lh = readCheckpointHeader(lq.lastCheckpoint, &err);
        QVERIFY2(lh, err.c_str());
        QCOMPARE(lh->meta.training.at("levels"), std::string("quantised"));
        QCOMPARE(lh->meta.training.at("level_names"), std::string("original|quantised|blurred"));

        // STVEN's labels are levels: continuing it on data whose levels come in another order
        // (cache B alone: original|blurred|quantised) is refused; the same order is fine.
        TrainOptions again = o;
        again.init = lq.lastCheckpoint;
        again.stvenConfig.reset();
        again.levels.clear();
        again.outDir += "-again";
        again.data = {b.toStdString()};
        const TrainResult swapped = train(again);
        QCOMPARE(int(swapped.error), int(TrainErrorKind::BadData));
        QVERIFY2(swapped.message.find("STVEN label 1 is quantised there and blurred in this data") != std::string::npos,
                 swapped.message.c_str());
        again.data = {m_cache.toStdString(), b.toStdString()};
        const TrainResult same = train(again);
        QVERIFY2(same.error == TrainErrorKind::None, same.message.c_str());

        // One cache naming two levels alike is refused.
        rewrite("index.txt", [](QString t) {
            return t.replace(QStringLiteral("levels=2\n"), QStringLiteral("levels=3\n"))
                .append(QStringLiteral("level.2.name=quantised\nlevel.2.frames=0\n"));
        });
        QVERIFY(!ClipDataset::open({b.toStdString()}, &err));
        QVERIFY2(err.find("two levels are named 'quantised'") != std::string::npos, err.c_str());
    }

    void windowedValidationHr()
    {
        // Clips of 64 frames every 32 over a 20 s segment at 30 fps, as the trainer validates them.
        const double fps = 30;
        auto clipsOf = [&](int segment, int frames, double predBpm, double noise, unsigned seed) {
            std::mt19937 rng(seed);
            std::normal_distribution<double> n(0, noise);
            std::vector<PredictedClip> out;
            for (int start = 0; start + 64 <= frames; start += 32) {
                PredictedClip c{segment, start, fps, {}, {}};
                for (int i = 0; i < 64; ++i) {
                    const double t = (start + i) / fps;
                    c.reference.push_back(float(std::sin(2 * M_PI * 72 / 60.0 * t) + 0.3 * std::sin(4 * M_PI * 72 / 60.0 * t)));
                    // Another scale, sign and offset per clip: only the shape counts.
                    c.prediction.push_back(float(-3.0 * std::sin(2 * M_PI * predBpm / 60.0 * t + 0.4) + 5.0 * start + n(rng)));
                }
                out.push_back(std::move(c));
            }
            return out;
        };
        const auto right = clipsOf(0, 600, 72, 0.8, 1);
        const WindowedHrScore good = windowedHrMae(right);
        QCOMPARE(good.windows, int64_t(10));   // the clips cover frames 0..575: windows at 0, 1, ..., 9 s
        QVERIFY2(good.maeBpm < 1.0, qPrintable(QString::number(good.maeBpm)));
        // The same clips one by one: a 64-frame spectrum cannot resolve the rate as well.
        double clipMae = 0;
        for (const PredictedClip &c : right)
            clipMae += std::abs(spectralPeakBpm(c.prediction, fps) - spectralPeakBpm(c.reference, fps)) / double(right.size());
        QVERIFY2(clipMae > good.maeBpm, qPrintable(QStringLiteral("%1 vs %2").arg(clipMae).arg(good.maeBpm)));

        const WindowedHrScore wrong = windowedHrMae(clipsOf(0, 600, 90, 0.1, 2));
        QCOMPARE(wrong.windows, int64_t(10));
        QVERIFY2(std::abs(wrong.maeBpm - 18.0) < 1.0, qPrintable(QString::number(wrong.maeBpm)));

        // A second, 8 s segment is too short for a window; a gap in the first splits its run.
        auto mixed = clipsOf(1, 240, 72, 0.1, 3);
        QCOMPARE(windowedHrMae(mixed).windows, int64_t(0));
        QVERIFY(std::isnan(windowedHrMae(mixed).maeBpm));
        std::vector<PredictedClip> gap;
        for (const PredictedClip &c : right)
            if (c.start < 224 || c.start > 288)   // frames 256..319 covered by no clip
                gap.push_back(c);
        const WindowedHrScore split = windowedHrMae(gap);
        // Runs 0..255 and 320..575, both shorter than 10 s: nothing to score.
        QCOMPARE(split.windows, int64_t(0));
        gap.insert(gap.end(), mixed.begin(), mixed.end());
        gap.insert(gap.end(), right.begin(), right.end());   // segment 0 whole again, plus segment 1
        QCOMPARE(windowedHrMae(gap).windows, int64_t(10));
        // Malformed entries are ignored, not read out of bounds.
        PredictedClip bad{0, 500, fps, std::vector<float>(64, 1.0f), std::vector<float>(10, 0.0f)};
        gap.push_back(bad);
        QCOMPARE(windowedHrMae(gap).windows, int64_t(10));
    }

    void validationCapKeepsRunsOfClips()
    {
        // The held-out subject's 5 clips form one segment; a cap of 3 keeps 3 consecutive clips.
        TrainOptions o = tinyOptions(m_cache, m_tmp.filePath(QStringLiteral("out-cap")));
        o.epochs = 1;
        o.stepsPerEpoch = 1;
        o.maxValidationClips = 3;
        const TrainResult r = train(o);
        QVERIFY2(r.error == TrainErrorKind::None, r.message.c_str());
        QCOMPARE(r.valClips, int64_t(3));
        // The fixture's segments are shorter than a 10 s window: the per-clip MAE stands in.
        QCOMPARE(r.epochs[0].valWindows, int64_t(0));
        QVERIFY(std::isfinite(r.epochs[0].valClipMaeBpm));
        QCOMPARE(r.epochs[0].valMaeBpm, r.epochs[0].valClipMaeBpm);
    }

    // The option table both command lines parse with.
    void optionTableAppliesAndRejects()
    {
        TrainOptions o;
        QVERIFY(applyTrainOption(o, "data", " a, b ,,"));
        QVERIFY(applyTrainOption(o, "data", "c"));
        QCOMPARE(o.data, (std::vector<std::string>{"a", "b", "c"}));
        QVERIFY(applyTrainOption(o, "epochs", "7") && o.epochs == 7);
        QVERIFY(applyTrainOption(o, "lr", "2e-4") && o.lr == 2e-4);
        QVERIFY(applyTrainOption(o, "val-fraction", "0") && o.valFraction == 0);
        QVERIFY(applyTrainOption(o, "config", "paper") && o.preset == "paper");
        QVERIFY(applyTrainOption(o, "all-levels", "") && o.rppgNetAllLevels);
        QVERIFY(applyTrainOption(o, "no-augment", "") && !o.augment);
        QVERIFY(applyTrainOption(o, "freq-weight", "0.5") && o.frequencyWeight == 0.5);
        QVERIFY(applyTrainOption(o, "levels", "x264@250k, mpeg4@250k"));
        QCOMPARE(o.levels, (std::vector<std::string>{"x264@250k", "mpeg4@250k"}));
        // Bad values leave the options as they were.
        const TrainOptions before = o;
        for (const auto &[name, value] : std::vector<std::pair<std::string, std::string>>{
                 {"epochs", "0"}, {"epochs", "-3"}, {"epochs", "2.5"}, {"epochs", "9999999999"}, {"batch", "4097"},
                 {"lr", "0"}, {"lr", "nan"}, {"lr", "1e-4x"}, {"val-fraction", "1"}, {"config", "gpu"},
                 {"recon-weight", "-1"}, {"threads", "1025"}, {"seed", "-1"}, {"data", ", ,"}, {"out", ""}, {"levels", ","},
                 {"no-such-option", "1"}}) {
            QVERIFY2(!applyTrainOption(o, name, value), (name + " " + value).c_str());
        }
        QCOMPARE(o.epochs, before.epochs);
        QCOMPARE(o.lr, before.lr);
        QCOMPARE(o.valFraction, before.valFraction);
        QCOMPARE(o.preset, before.preset);
        QCOMPARE(o.data, before.data);
        // Every entry has help, and names are unique.
        std::set<std::string> names;
        for (const TrainOptionSpec &spec : trainOptionSpecs()) {
            QVERIFY(!spec.help.empty());
            QVERIFY2(names.insert(spec.name).second, spec.name.c_str());
            QCOMPARE(findTrainOption(spec.name), &spec);
        }
        QVERIFY(findTrainOption("log-every") == nullptr);
    }

    void splitIsSubjectDisjoint()
    {
        const QString dir = m_tmp.filePath(QStringLiteral("cache5"));
        QVERIFY(writeCache(dir, 5));
        auto ds = ClipDataset::open({dir.toStdString()});
        QVERIFY(ds);
        for (uint64_t seed : {1u, 2u, 3u}) {
            const DatasetSplit sp = splitBySubject(*ds, 0.4, seed);
            QVERIFY(!sp.train.empty());
            QVERIFY(!sp.validation.empty());
            QCOMPARE(int64_t(sp.train.size() + sp.validation.size()), ds->size());
            std::set<int> trainSubjects, valSubjects;
            for (int64_t i : sp.train)
                trainSubjects.insert(ds->subjectOf(i));
            for (int64_t i : sp.validation)
                valSubjects.insert(ds->subjectOf(i));
            for (int s : valSubjects)
                QVERIFY(!trainSubjects.count(s));
            QCOMPARE(int(valSubjects.size()), int(sp.validationSubjects.size()));
            // Same seed, same split.
            QCOMPARE(splitBySubject(*ds, 0.4, seed).validation, sp.validation);
        }
        // The same subject listed through two caches stays on one side.
        auto two = ClipDataset::open({dir.toStdString(), m_cache.toStdString()});
        QVERIFY(two);
        QCOMPARE(int(two->subjects().size()), 5);
        const DatasetSplit sp = splitBySubject(*two, 0.4, 1);
        std::set<int> trainSubjects;
        for (int64_t i : sp.train)
            trainSubjects.insert(two->subjectOf(i));
        for (int64_t i : sp.validation)
            QVERIFY(!trainSubjects.count(two->subjectOf(i)));
    }

    void rppgNetTrainsCheckpointsAndResumes()
    {
        const QString out = m_tmp.filePath(QStringLiteral("out-rppgnet"));
        TrainOptions o = tinyOptions(m_cache, out);
        std::vector<double> stepLosses;
        TrainCallbacks cb;
        cb.progress = [&](const TrainProgress &p) {
            QVERIFY(p.etaSec >= 0);
            stepLosses.push_back(p.loss);
        };
        const TrainResult r = train(o, cb);
        QVERIFY2(r.error == TrainErrorKind::None, r.message.c_str());
        QCOMPARE(int(r.epochs.size()), 2);
        QCOMPARE(int(stepLosses.size()), 12);
        QVERIFY(r.valClips > 0 && r.trainClips > 0);
        QVERIFY2(r.epochs[1].trainLoss < r.epochs[0].trainLoss,
                 qPrintable(QStringLiteral("%1 -> %2").arg(r.epochs[0].trainLoss).arg(r.epochs[1].trainLoss)));
        for (const EpochReport &e : r.epochs) {
            QVERIFY(std::isfinite(e.valMaeBpm) && e.valMaeBpm >= 0);
            QVERIFY(std::isfinite(e.valLoss));
            QVERIFY(QFile::exists(QString::fromStdString(e.checkpoint)));
            QVERIFY(QFile::exists(QString::fromStdString(e.checkpoint + ".optim")));
        }
        QVERIFY(QFile::exists(out + QStringLiteral("/rppgnet-best.ckpt")));

        std::string err;
        auto loaded = loadRppgNet((out + QStringLiteral("/rppgnet-epoch002.ckpt")).toStdString(), torch::kCPU, &err);
        QVERIFY2(loaded, err.c_str());
        const CheckpointHeader &h = loaded->header;
        QCOMPARE(h.inputSize, kS);
        QCOMPARE(h.rppgNet.stemChannels, 4);
        QCOMPARE(h.meta.epochs, 2);
        QCOMPARE(h.meta.iterations, int64_t(12));
        QCOMPARE(h.meta.seed, uint64_t(7));
        QCOMPARE(h.meta.training.at("mode"), std::string("rppgnet"));
        QCOMPARE(h.meta.training.at("batch"), std::string("4"));
        // Folder names, not this machine's paths: checkpoints travel.
        const std::string cacheName = QFileInfo(m_cache).fileName().toStdString();
        QVERIFY2(h.meta.trainingData.find("clip cache " + cacheName + " (") != std::string::npos,
                 h.meta.trainingData.c_str());
        QVERIFY2(h.meta.trainingData.find(QFileInfo(m_cache).path().toStdString()) == std::string::npos,
                 h.meta.trainingData.c_str());
        QVERIFY2(h.meta.trainingData.find(" sources tiny-set,roi=full;b;") != std::string::npos,
                 h.meta.trainingData.c_str());
        QVERIFY(h.meta.trainingData.find("tiny/subj") != std::string::npos);   // the validation subject
        QCOMPARE(h.meta.metrics.at("val_mae_bpm"), r.epochs[1].valMaeBpm);

        // Resume from epoch 1 up to 3 epochs: continues at epoch 2, counts on.
        TrainOptions ro = o;
        ro.epochs = 3;
        ro.resume = (out + QStringLiteral("/rppgnet-epoch001.ckpt")).toStdString();
        ro.rppgNetConfig.reset();   // the checkpoint's own config is used
        const TrainResult rr = train(ro);
        QVERIFY2(rr.error == TrainErrorKind::None, rr.message.c_str());
        QCOMPARE(rr.startEpoch, 1);
        QCOMPARE(int(rr.epochs.size()), 2);
        QCOMPARE(rr.epochs.front().epoch, 2);
        auto third = readCheckpointHeader((out + QStringLiteral("/rppgnet-epoch003.ckpt")).toStdString(), &err);
        QVERIFY2(third, err.c_str());
        QCOMPARE(third->meta.epochs, 3);
        QCOMPARE(third->meta.iterations, int64_t(18));
        // The best checkpoint is recorded by name and found again in the run's folder.
        QCOMPARE(third->meta.training.at("best_checkpoint"), std::string("rppgnet-best.ckpt"));
        QCOMPARE(QFileInfo(QString::fromStdString(rr.bestCheckpoint)).absoluteFilePath(),
                 QFileInfo(out + QStringLiteral("/rppgnet-best.ckpt")).absoluteFilePath());
        // Resuming epoch 1 replays epoch 2 with the same batches: the same training loss.
        QVERIFY(std::abs(rr.epochs.front().trainLoss - r.epochs[1].trainLoss) < 1e-3 * std::abs(r.epochs[1].trainLoss) + 1e-4);
    }

    void stvenAndJointLossesFallOnAFixedBatch()
    {
        torch::manual_seed(3);
        auto ds = ClipDataset::open({m_cache.toStdString()});
        QVERIFY(ds);
        const FixedBatch b = fixedBatch(*ds);
        Stven g = makeStven(tinyStven());
        QVERIFY(g);
        // A fresh STVEN starts close to the identity (its output layer is scaled down) ...
        {
            torch::NoGradGuard noGrad;
            g->eval();
            const std::vector<int> original(size_t(b.compressed.size(0)), 0);
            const double change = (g->forward(b.compressed, oneHotLevels(original, g->config().cDim)) - b.compressed)
                                      .abs().mean().item<double>();
            QVERIFY2(change < 0.02, qPrintable(QString::number(change)));
        }
        // ... so give it a random residual of the default scale to unlearn, as a test of learning.
        auto randomResidual = [](Stven &net) {
            torch::NoGradGuard noGrad;
            for (auto &p : net->named_parameters())
                if (p.key().rfind("layers4.", 0) == 0)
                    p.value().mul_(100.0);
        };
        randomResidual(g);
        g->train();
        torch::optim::Adam opt(g->parameters(), torch::optim::AdamOptions(2e-3));
        std::vector<double> losses;
        for (int i = 0; i < 10; ++i) {
            auto loss = stvenStepLoss(g, b.compressed, b.original, {1, 1, 1, 1}, {0, 0, 0, 0});
            opt.zero_grad();
            loss.backward();
            opt.step();
            losses.push_back(loss.item<double>());
            QVERIFY(std::isfinite(losses.back()));
        }
        QVERIFY2(losses.back() < 0.8 * losses.front(),
                 qPrintable(QStringLiteral("%1 -> %2").arg(losses.front()).arg(losses.back())));
        {   // restore-only training: the reconstruction term alone, below the loss with the cycle
            g->eval();
            torch::NoGradGuard noGrad;
            const std::vector<int> from(4, 1), to(4, 0);
            const double plain = stvenStepLoss(g, b.compressed, b.original, from, to, false).item<double>();
            const double expected =
                reconstructionLoss(g->forward(b.compressed, oneHotLevels(to, g->config().cDim)), b.original).loss.item<double>();
            QCOMPARE(plain, expected);
            QVERIFY(stvenStepLoss(g, b.compressed, b.original, from, to, true).item<double>() > plain);
            g->train();
        }

        RppgNet r = makeRppgNet(tinyRppgNet());
        QVERIFY(r);
        const auto before = r->parameters()[0].clone();
        freezeModule(*r);
        Stven g2 = makeStven(tinyStven());
        randomResidual(g2);
        g2->train();
        torch::optim::Adam opt2(g2->parameters(), torch::optim::AdamOptions(2e-3));
        losses.clear();
        for (int i = 0; i < 10; ++i) {
            auto loss = jointStepLoss(g2, r, b.compressed, b.original, b.ppg, b.mask);
            opt2.zero_grad();
            loss.backward();
            opt2.step();
            losses.push_back(loss.item<double>());
            QVERIFY(std::isfinite(losses.back()));
        }
        QVERIFY2(losses.back() < losses.front(), qPrintable(QStringLiteral("%1 -> %2").arg(losses.front()).arg(losses.back())));
        QVERIFY(torch::equal(before, r->parameters()[0]));   // rPPGNet stayed frozen
        {   // the reconstruction weight ρ enters linearly: L(ρ) - L(1e-4) = (ρ - 1e-4) · (L1 + MSE)(x̂, x_0)
            g2->eval();
            torch::NoGradGuard noGrad;
            JointLossWeights heavy;
            heavy.stven = 10.0;
            const double paper = jointStepLoss(g2, r, b.compressed, b.original, b.ppg, b.mask).item<double>();
            const double anchored = jointStepLoss(g2, r, b.compressed, b.original, b.ppg, b.mask, heavy).item<double>();
            const std::vector<int> toOriginal(size_t(b.compressed.size(0)), 0);
            const double recon =
                reconstructionLoss(g2->forward(b.compressed, oneHotLevels(toOriginal, g2->config().cDim)), b.original)
                    .loss.item<double>();
            QVERIFY(recon > 0);
            QVERIFY2(std::abs((anchored - paper) - (10.0 - 1e-4) * recon) < 1e-4 * (1 + anchored),
                     qPrintable(QStringLiteral("%1 vs %2 + %3").arg(anchored).arg(paper).arg(recon)));
        }
    }

    // --val-all-levels scores every held-out segment at every level: one entry per level, and as
    // many windows per level as the default run has over all segments.
    void validationAtEveryLevel()
    {
        // Segments of 11 s, long enough for a 10 s window.
        const QString cache = m_tmp.filePath(QStringLiteral("cache-long"));
        QVERIFY(writeCache(cache, 4, 330));
        TrainOptions o = tinyOptions(cache, m_tmp.filePath(QStringLiteral("out-val-one")));
        o.epochs = 1;
        o.stepsPerEpoch = 1;
        o.rppgNetAllLevels = true;
        const TrainResult one = train(o);
        QVERIFY2(one.error == TrainErrorKind::None, one.message.c_str());
        o.outDir = m_tmp.filePath(QStringLiteral("out-val-all")).toStdString();
        o.validateAllLevels = true;
        const TrainResult all = train(o);
        QVERIFY2(all.error == TrainErrorKind::None, all.message.c_str());
        QVERIFY(one.epochs[0].valWindows > 0);
        QCOMPARE(int(all.epochs[0].valMaeByLevel.size()), 2);   // the cache's two levels
        QCOMPARE(all.epochs[0].valWindows, 2 * one.epochs[0].valWindows);
        for (const auto &[level, mae] : all.epochs[0].valMaeByLevel)
            QVERIFY2(std::isfinite(mae) && mae >= 0, qPrintable(QString::number(level)));
        std::string err;
        auto h = readCheckpointHeader(all.lastCheckpoint, &err);
        QVERIFY2(h, err.c_str());
        QCOMPARE(h->meta.training.at("val_levels"), std::string("every level"));
    }

    void stvenAndJointModesRunEndToEnd()
    {
        // An rPPGNet checkpoint for the joint stage.
        const QString base = m_tmp.filePath(QStringLiteral("out-base"));
        TrainOptions ro = tinyOptions(m_cache, base);
        ro.epochs = 1;
        ro.stepsPerEpoch = 2;
        TrainResult rr = train(ro);
        QVERIFY2(rr.error == TrainErrorKind::None, rr.message.c_str());

        const QString out = m_tmp.filePath(QStringLiteral("out-stven"));
        TrainOptions so = tinyOptions(m_cache, out);
        so.mode = TrainMode::Stven;
        so.epochs = 1;
        so.stepsPerEpoch = 2;
        so.rppgNetCheckpoint = rr.lastCheckpoint;   // scores HR MAE through it
        const TrainResult sr = train(so);
        QVERIFY2(sr.error == TrainErrorKind::None, sr.message.c_str());
        QCOMPARE(int(sr.epochs.size()), 1);
        QVERIFY(std::isfinite(sr.epochs[0].trainLoss));
        QVERIFY(std::isfinite(sr.epochs[0].valPsnrDb));
        QVERIFY(std::isfinite(sr.epochs[0].valMaeBpm));
        std::string err;
        auto st = loadStven(sr.lastCheckpoint, torch::kCPU, &err);
        QVERIFY2(st, err.c_str());
        QCOMPARE(st->header.meta.training.at("mode"), std::string("stven"));

        TrainOptions jo = tinyOptions(m_cache, m_tmp.filePath(QStringLiteral("out-joint")));
        jo.mode = TrainMode::Joint;
        jo.epochs = 1;
        jo.stepsPerEpoch = 2;
        jo.rppgNetCheckpoint = rr.lastCheckpoint;
        jo.init = sr.lastCheckpoint;
        const TrainResult jr = train(jo);
        QVERIFY2(jr.error == TrainErrorKind::None, jr.message.c_str());
        QVERIFY(std::isfinite(jr.epochs[0].trainLoss));
        QVERIFY(std::isfinite(jr.epochs[0].valMaeBpm));
        auto jc = readCheckpointHeader(jr.lastCheckpoint, &err);
        QVERIFY2(jc, err.c_str());
        QCOMPARE(jc->meta.training.at("sources"), std::string("compressed levels"));
        // No folder of this machine in what the checkpoint records: the frozen rPPGNet and the
        // best checkpoint by file name only.
        const std::string tmpDir = m_tmp.path().toStdString();
        QCOMPARE(jc->meta.training.at("rppgnet"), std::string("rppgnet-epoch001.ckpt"));
        for (const auto &[key, value] : jc->meta.training)
            QVERIFY2(value.find(tmpDir) == std::string::npos, (key + " = " + value).c_str());
        QVERIFY2(jc->meta.trainingData.find(tmpDir) == std::string::npos, jc->meta.trainingData.c_str());

        // The anchored variant: originals among the sources, a heavier reconstruction term; the
        // checkpoint says so, and the run's loss differs from the paper's on the same batches.
        TrainOptions ja = jo;
        ja.outDir = m_tmp.filePath(QStringLiteral("out-joint-anchored")).toStdString();
        ja.jointWithOriginal = true;
        ja.jointReconstruction = 5.0;
        const TrainResult jar = train(ja);
        QVERIFY2(jar.error == TrainErrorKind::None, jar.message.c_str());
        auto jac = readCheckpointHeader(jar.lastCheckpoint, &err);
        QVERIFY2(jac, err.c_str());
        QCOMPARE(jac->meta.training.at("sources"), std::string("every level, the original included"));
        QCOMPARE(std::stod(jac->meta.training.at("reconstruction_weight")), 5.0);
        QVERIFY(std::isfinite(jar.epochs[0].trainLoss));
        QVERIFY(jar.epochs[0].trainLoss != jr.epochs[0].trainLoss);

        // Wrong checkpoint kinds fail with a clear message.
        TrainOptions wrong = so;
        wrong.resume = rr.lastCheckpoint;
        TrainResult w = train(wrong);
        QCOMPARE(int(w.error), int(TrainErrorKind::BadData));
        QVERIFY2(w.message.find("rppgnet checkpoint") != std::string::npos, w.message.c_str());
        TrainOptions noRppg = jo;
        noRppg.rppgNetCheckpoint.clear();
        QCOMPARE(int(train(noRppg).error), int(TrainErrorKind::Usage));
    }

    void commandLineKeepsNoFolders()
    {
        using rppg::models::commandWithoutFolders;
        QCOMPARE(commandWithoutFolders({"/usr/local/bin/rppg", "train", "joint", "--data", "/tmp/w/c640a/", "--data",
                                        "/d/ubfc,ubfc;/d/mine", "--out=/runs/j1", "--lr", "1e-4", "--codecs",
                                        "x264@250k,x265@250k", "--rppgnet", "rppgnet-cpu.ckpt"}),
                 std::string("rppg train joint --data c640a --data ubfc,ubfc;mine --out=j1 --lr 1e-4 --codecs "
                             "x264@250k,x265@250k --rppgnet rppgnet-cpu.ckpt"));
        QCOMPARE(commandWithoutFolders({"rppg", "train", "--data", "/t/cache40,/t/c640a,c640b", "--data",
                                        "/d/set,roi=full;gt=/d/x/hr.csv", "--out", "/"}),
                 std::string("rppg train --data cache40,c640a,c640b --data set,roi=full;gt=hr.csv --out /"));
        QCOMPARE(commandWithoutFolders({}), std::string());
        QCOMPARE(rppg::models::pathLeaf("/"), std::string("/"));
        QCOMPARE(rppg::models::pathLeaf("cache"), std::string("cache"));
    }

    void parallelReadsGiveTheSameRun()
    {
        // Clips read by several threads must give the same batches, hence bit-identical weights,
        // as reading them in order (augmentation on, restore-only pairs from every level).
        auto run = [&](int readers, const QString &name) {
            TrainOptions o = tinyOptions(m_cache, m_tmp.filePath(name));
            o.mode = TrainMode::Stven;
            o.epochs = 1;
            o.stepsPerEpoch = 3;
            o.augment = true;
            o.stvenRestoreOnly = true;
            o.readerThreads = readers;
            const TrainResult r = train(o);
            std::string err;
            auto net = r.error == TrainErrorKind::None ? loadStven(r.lastCheckpoint, torch::kCPU, &err) : std::nullopt;
            if (!net)
                qWarning("%s %s", r.message.c_str(), err.c_str());
            return net;
        };
        auto serial = run(1, QStringLiteral("out-read1"));
        auto parallel = run(3, QStringLiteral("out-read3"));
        QVERIFY(serial && parallel);
        QCOMPARE(serial->header.meta.training.at("pairs"), std::string("every level to the original, no cycle"));
        const auto a = serial->net->named_parameters(), b = parallel->net->named_parameters();
        QCOMPARE(a.size(), b.size());
        for (const auto &p : a)
            QVERIFY2(torch::equal(p.value(), b[p.key()]), p.key().c_str());
    }

    void badInputFailsCleanly()
    {
        const QString out = m_tmp.filePath(QStringLiteral("out-bad"));
        TrainOptions o = tinyOptions(m_tmp.filePath(QStringLiteral("missing")), out);
        TrainResult r = train(o);
        QCOMPARE(int(r.error), int(TrainErrorKind::FileNotFound));

        const QString empty = m_tmp.filePath(QStringLiteral("empty"));
        QVERIFY(QDir().mkpath(empty));
        r = train(tinyOptions(empty, out));
        QCOMPARE(int(r.error), int(TrainErrorKind::BadData));
        QVERIFY2(r.message.find("index.txt") != std::string::npos, r.message.c_str());
        QVERIFY(r.message.find('\n') == std::string::npos);

        // A truncated ppg.bin.
        const QString broken = m_tmp.filePath(QStringLiteral("broken"));
        QVERIFY(writeCache(broken, 2));
        QVERIFY(QFile::resize(broken + QStringLiteral("/ppg.bin"), 100));
        r = train(tinyOptions(broken, out));
        QCOMPARE(int(r.error), int(TrainErrorKind::BadData));
        QVERIFY2(r.message.find("ppg.bin") != std::string::npos, r.message.c_str());

        // An output "folder" that is a file.
        const QString file = m_tmp.filePath(QStringLiteral("a-file"));
        {
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
        }
        r = train(tinyOptions(m_cache, file));
        QCOMPARE(int(r.error), int(TrainErrorKind::WriteFailed));

        // A level no cache has: a usage error that lists the ones there are.
        TrainOptions lv = tinyOptions(m_cache, out);
        lv.levels = {"x265@100k"};
        r = train(lv);
        QCOMPARE(int(r.error), int(TrainErrorKind::Usage));
        QVERIFY2(r.message == "--levels: no cache has a level named 'x265@100k' (they have: quantised)", r.message.c_str());

        // STVEN needs compressed levels; clips shorter than the network's frames are refused.
        TrainOptions frames = tinyOptions(m_cache, out);
        RppgNetConfig longer = tinyRppgNet();
        longer.frames = 2 * kT;
        frames.rppgNetConfig = longer;
        r = train(frames);
        QCOMPARE(int(r.error), int(TrainErrorKind::BadData));
    }
};

QTEST_GUILESS_MAIN(TestTrainer)
#include "tst_trainer.moc"
