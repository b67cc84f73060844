// `rppg synth-set --out DIR`: a varied synthetic training set — many clips from the generator with
// different skin tones, motion, light, noise, heart rates and HRV, each encoded losslessly (level 0)
// and at several lossy codecs/bit rates (aligned pairs for STVEN).
#include "commands.h"
#include "options.h"
#include "progressbar.h"
#include "resourcepaths.h"
#include "synth.h"
#include "videoencoder.h"

#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QThread>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <random>
#include <thread>

namespace rppg::cli {

namespace {

struct LevelSpec
{
    QString label;        // as written on the command line: "x264@250k"
    EncoderSettings encoder;
    QString suffix;       // file name part: "x264-250k"
    QString extension;    // ".mkv", ".mp4", ".avi"
};

bool losslessCodec(const QString &codec)
{
    return codec == QLatin1String("ffv1") || codec == QLatin1String("raw");
}

// "ffv1", "x264@250k", "x265@crf28", "mpeg4@500k".
Result<LevelSpec> parseLevel(const QString &text)
{
    const QString t = text.trimmed().toLower();
    const QStringList parts = t.split(QLatin1Char('@'));
    LevelSpec l;
    l.label = t;
    l.encoder.codec = parts[0];
    if (l.encoder.codec == QLatin1String("h264"))
        l.encoder.codec = QStringLiteral("x264");
    if (l.encoder.codec == QLatin1String("hevc"))
        l.encoder.codec = QStringLiteral("x265");
    static const QStringList known = {QStringLiteral("ffv1"), QStringLiteral("raw"), QStringLiteral("x264"),
                                      QStringLiteral("x265"), QStringLiteral("mpeg4"), QStringLiteral("mjpeg")};
    if (parts.size() > 2 || !known.contains(l.encoder.codec))
        return makeError(ErrorCode::Usage, QStringLiteral("invalid level '%1' (CODEC[@BITRATE|@crfN], codec one of %2)")
                                               .arg(text, known.join(QLatin1Char('/'))));
    l.suffix = l.encoder.codec;
    if (parts.size() == 2) {
        if (losslessCodec(l.encoder.codec))
            return makeError(ErrorCode::Usage, QStringLiteral("level '%1': a lossless codec takes no rate").arg(text));
        static const QRegularExpression crf(QStringLiteral("^crf(\\d+)$"));
        const auto m = crf.match(parts[1]);
        if (m.hasMatch()) {
            l.encoder.crf = m.captured(1).toInt();
        } else {
            l.encoder.bitrateBps = parseBitrate(parts[1]);
            if (l.encoder.bitrateBps <= 0)
                return makeError(ErrorCode::Usage, QStringLiteral("level '%1': invalid bit rate '%2'").arg(text, parts[1]));
        }
        l.suffix += QLatin1Char('-') + parts[1];
    }
    l.extension = l.encoder.codec == QLatin1String("mpeg4") ? QStringLiteral(".avi")
                  : losslessCodec(l.encoder.codec) || l.encoder.codec == QLatin1String("mjpeg") ? QStringLiteral(".mkv")
                                                                                                  : QStringLiteral(".mp4");
    return l;
}

struct ClipPlan
{
    SynthConfig config;
    QString summary;
};

double uniform(std::mt19937_64 &rng, double a, double b)
{
    return std::uniform_real_distribution<double>(a, b)(rng);
}

int runSynthSet(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Generates a varied synthetic training set with known pulses: COUNT clips from the face "
        "generator (see 'rppg synth') with skin tones across the Fitzpatrick range, head-motion "
        "presets, illumination drift and flicker, sensor noise, face size and a mirrored face, heart "
        "rates from 45 to 150 bpm with HRV. Every clip is written at each level (the same frames; "
        "the lossless level is the original) with its ground truth, skin masks and description. "
        "Feed DIR to 'rppg prepare'. The same seed gives the same set."));
    addHelpOption(p);
    const QCommandLineOption out(QStringLiteral("out"), QStringLiteral("Output folder."), QStringLiteral("DIR"));
    const QCommandLineOption count(QStringLiteral("count"), QStringLiteral("Number of clips (default 40)."),
                                   QStringLiteral("N"), QStringLiteral("40"));
    const QCommandLineOption seed(QStringLiteral("seed"), QStringLiteral("Random seed (default 1)."),
                                  QStringLiteral("S"), QStringLiteral("1"));
    const QCommandLineOption duration(QStringLiteral("duration"),
                                      QStringLiteral("Clip length, or a range drawn per clip (default 10-20)."),
                                      QStringLiteral("SEC|MIN-MAX"), QStringLiteral("10-20"));
    const QCommandLineOption levels(
        QStringLiteral("levels"),
        QStringLiteral("Comma-separated CODEC[@RATE|@crfN] list; the lossless one (ffv1/raw) is level 0; "
                       "a rate spreads over the frame, so 250k at 320x240 is as mild as 1M at 640x480 (default "
                       "ffv1,x264@250k,x264@100k,x265@100k,mpeg4@250k)."),
        QStringLiteral("LIST"), QStringLiteral("ffv1,x264@250k,x264@100k,x265@100k,mpeg4@250k"));
    const QCommandLineOption size = frameSizeOption(QStringLiteral("320x240"));
    const QCommandLineOption fps = frameRateOption();
    const QCommandLineOption jobs(QStringLiteral("jobs"),
                                  QStringLiteral("Clips generated in parallel (default: the number of cores)."),
                                  QStringLiteral("N"));
    const QCommandLineOption faces(
        QStringLiteral("faces"),
        QStringLiteral("Face photos to animate: a folder of images (PNG, JPEG, BMP, WebP) or a comma-separated "
                       "list of files; clip i uses photo i modulo their number, mirrored at random (default: "
                       "the bundled photo)."),
        QStringLiteral("DIR|FILES"));
    const QCommandLineOption overwrite(QStringLiteral("overwrite"),
                                       QStringLiteral("Write into DIR even if it already holds a set."));
    p.addOptions({out, count, seed, duration, levels, size, fps, jobs, faces, overwrite});
    if (auto code = parseCommandLine(p, args))
        return *code;
    if (!p.positionalArguments().isEmpty())
        return fail(ErrorCode::Usage, QStringLiteral("synth-set takes no positional arguments (got '%1')")
                                          .arg(p.positionalArguments().first()));
    if (!p.isSet(out) || p.value(out).trimmed().isEmpty())
        return fail(ErrorCode::Usage, QStringLiteral("synth-set needs --out DIR"));
    auto bad = [&](const QCommandLineOption &o) { return badOptionValue(p, o); };
    bool ok = false;
    const int n = p.value(count).toInt(&ok);
    if (!ok || n < 1 || n > 100000)
        return bad(count);
    const quint64 baseSeed = p.value(seed).toULongLong(&ok);
    if (!ok)
        return bad(seed);
    double durMin = 0, durMax = 0;
    {
        const QStringList parts = p.value(duration).split(QLatin1Char('-'));
        bool ok1 = false, ok2 = true;
        durMin = parts.value(0).toDouble(&ok1);
        durMax = parts.size() == 2 ? parts[1].toDouble(&ok2) : durMin;
        if (parts.size() > 2 || !ok1 || !ok2 || !(durMin >= 1) || !(durMax >= durMin) || durMax > 3600)
            return bad(duration);
    }
    int width = 0, height = 0;
    {
        if (!frameSizeValue(p.value(size), width, height))
            return bad(size);
        if (width < 64 || height < 64 || width > 4096 || height > 4096 || width % 2 || height % 2)
            return fail(ErrorCode::Usage, QStringLiteral("invalid --size '%1' (even sides from 64 to 4096)").arg(p.value(size)));
    }
    const double rate = p.value(fps).toDouble(&ok);
    if (!ok || !(rate >= 5 && rate <= 240))
        return bad(fps);
    int jobCount = std::clamp(QThread::idealThreadCount(), 1, 8);
    if (p.isSet(jobs)) {
        jobCount = p.value(jobs).toInt(&ok);
        if (!ok || jobCount < 1 || jobCount > 64)
            return bad(jobs);
    }
    jobCount = std::min(jobCount, n);

    std::vector<LevelSpec> levelSpecs;
    for (const QString &item : p.value(levels).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        auto l = parseLevel(item);
        if (!l.ok())
            return fail(l.error());
        for (const LevelSpec &other : levelSpecs)
            if (other.suffix == l->suffix)
                return fail(ErrorCode::Usage, QStringLiteral("level '%1' is given twice").arg(item));
        if (!VideoEncoder::isCodecAvailable(l->encoder.codec))
            return fail(ErrorCode::Unsupported, QStringLiteral("codec '%1' is not available in this build").arg(l->encoder.codec));
        levelSpecs.push_back(l.value());
    }
    if (levelSpecs.empty())
        return fail(ErrorCode::Usage, QStringLiteral("--levels is empty"));
    // The lossless level goes first: its file carries the side files and is the original.
    const auto lossless = std::find_if(levelSpecs.begin(), levelSpecs.end(),
                                       [](const LevelSpec &l) { return losslessCodec(l.encoder.codec); });
    if (lossless == levelSpecs.end())
        return fail(ErrorCode::Usage, QStringLiteral("--levels needs a lossless level (ffv1 or raw) as the original"));
    std::rotate(levelSpecs.begin(), lossless, lossless + 1);

    // The photos, each checked for a face before anything is written.
    QStringList photos;
    if (p.isSet(faces)) {
        const QString spec = p.value(faces).trimmed();
        if (QFileInfo(spec).isDir()) {
            const QDir faceDir(spec);
            for (const QString &name : faceDir.entryList({QStringLiteral("*.png"), QStringLiteral("*.jpg"),
                                                          QStringLiteral("*.jpeg"), QStringLiteral("*.bmp"),
                                                          QStringLiteral("*.webp")},
                                                         QDir::Files, QDir::Name | QDir::IgnoreCase))
                photos << faceDir.filePath(name);
            if (photos.isEmpty())
                return fail(ErrorCode::FileNotFound, QStringLiteral("no images in the --faces folder '%1'").arg(spec));
        } else {
            for (const QString &item : spec.split(QLatin1Char(','), Qt::SkipEmptyParts))
                photos << item.trimmed();
            if (photos.isEmpty())
                return bad(faces);
        }
        for (const QString &photo : photos)
            if (Error e = checkFacePhoto(photo); e.isError())
                return fail(e.code, QStringLiteral("--faces: %1").arg(e.message));
    }

    const QString dir = p.value(out);
    if (QFileInfo(dir).exists() && !QFileInfo(dir).isDir())
        return fail(ErrorCode::WriteFailed, QStringLiteral("'%1' exists and is not a folder").arg(dir));
    if (!p.isSet(overwrite) && !QDir(dir).entryList({QStringLiteral("*.synth.json")}, QDir::Files).isEmpty())
        return fail(ErrorCode::WriteFailed, QStringLiteral("'%1' already holds a synthetic set (use --overwrite)").arg(dir));
    if (!QDir().mkpath(dir))
        return fail(ErrorCode::WriteFailed, QStringLiteral("cannot create the folder '%1'").arg(dir));

    // The photos and their mirror images (a different-looking face for the tracker and the networks
    // at almost no cost); an empty path is the bundled photo, for the generator to find.
    const bool bundledOnly = photos.isEmpty();
    if (bundledOnly)
        photos << resourcePath(QStringLiteral("faces/astronaut.png"));
    QStringList mirrors;
    for (int k = 0; k < photos.size(); ++k) {
        const cv::Mat image = cv::imread(QFile::encodeName(photos[k]).toStdString(), cv::IMREAD_COLOR);
        if (image.empty())
            return bundledOnly ? fail(ErrorCode::FileNotFound,
                                      QStringLiteral("the bundled face photo is missing (%1)").arg(photos[k]))
                               : fail(ErrorCode::BadData, QStringLiteral("cannot read the face photo '%1'").arg(photos[k]));
        const QString mirrored = QDir(dir).filePath(bundledOnly ? QStringLiteral("face_mirrored.png")
                                                                : QStringLiteral("face_%1_mirrored.png").arg(k));
        cv::Mat flipped;
        cv::flip(image, flipped, 1);
        if (!cv::imwrite(QFile::encodeName(mirrored).toStdString(), flipped))
            return fail(ErrorCode::WriteFailed, QStringLiteral("cannot write '%1'").arg(mirrored));
        mirrors << mirrored;
    }
    if (bundledOnly)
        photos = {QString()};

    // Plan every clip up front from one generator, so a clip does not depend on the job count.
    static const char *kMotions[] = {"none", "mild", "mild", "strong"};
    std::mt19937_64 rng(baseSeed * 0x9E3779B97F4A7C15ULL + 12345);
    std::vector<int> tones;
    std::vector<ClipPlan> plans(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        if (tones.empty()) {   // every Fitzpatrick type once per six clips, in random order
            tones = {1, 2, 3, 4, 5, 6};
            std::shuffle(tones.begin(), tones.end(), rng);
        }
        SynthConfig &c = plans[size_t(i)].config;
        c.width = width;
        c.height = height;
        c.fps = rate;
        c.durationSec = std::round(uniform(rng, durMin, durMax) * 10) / 10;
        c.seed = rng();
        c.fitzpatrick = tones.back();
        tones.pop_back();
        const QString motion = QString::fromLatin1(kMotions[rng() % 4]);
        applyMotionPreset(c, motion);
        const double motionJitter = uniform(rng, 0.6, 1.4);
        c.motionTranslationPx *= motionJitter;
        c.motionRotationDeg *= motionJitter;
        c.motionScale *= motionJitter;
        c.illuminationDrift = uniform(rng, 0.0, 0.15);
        if (uniform(rng, 0, 1) < 0.3) {
            c.flickerAmplitude = uniform(rng, 0.005, 0.03);
            c.flickerHz = uniform(rng, 5, 14);
        }
        c.noiseSigma = uniform(rng, 0.5, 3.0);
        c.pulse.meanHrBpm = std::round(uniform(rng, 45, 150) * 10) / 10;
        // SDNN up to 80 ms, but at most 14 % of the beat interval (the generator's limit is 15 %).
        c.pulse.sdnnMs = uniform(rng, 5, std::min(80.0, 0.14 * 60000.0 / c.pulse.meanHrBpm));
        c.pulse.respirationHz = uniform(rng, 0.15, 0.4);
        c.pulse.dicroticRatio = uniform(rng, 0.15, 0.5);
        c.pulseAmplitude = SynthConfig{}.pulseAmplitude * uniform(rng, 0.6, 1.5);
        c.faceScale = uniform(rng, 0.85, 1.15);
        const bool mirror = rng() % 2 == 1;
        const int photo = i % int(photos.size());
        c.facePhotoPath = mirror ? mirrors[photo] : photos[photo];
        // One person per photo (its mirror image too), so training splits keep their clips together.
        if (!bundledOnly)
            c.subject = QStringLiteral("face%1-%2").arg(photo).arg(QFileInfo(photos[photo]).completeBaseName());
        c.writeGroundTruth = true;
        c.writeMasks = true;
        const QString stem = QDir(dir).filePath(QStringLiteral("clip_%1").arg(i, 4, 10, QLatin1Char('0')));
        for (size_t l = 0; l < levelSpecs.size(); ++l) {
            SynthVariant v;
            v.encoder = levelSpecs[l].encoder;
            v.videoPath = l == 0 ? stem + levelSpecs[l].extension
                                 : stem + QLatin1Char('_') + levelSpecs[l].suffix + levelSpecs[l].extension;
            c.variants.push_back(v);
        }
        plans[size_t(i)].summary = QStringLiteral("type %1, %2 motion, HR %3").arg(c.fitzpatrick).arg(motion).arg(c.pulse.meanHrBpm);
    }

    ProgressBar bar(QStringLiteral("synth-set"));
    QElapsedTimer timer;
    timer.start();
    std::atomic<int> next{0};
    std::atomic<bool> stop{false};
    std::mutex mutex;
    Error firstError;
    int done = 0;
    double hrMin = 1e9, hrMax = 0, seconds = 0;
    int64_t frames = 0;
    const std::atomic<bool> *interrupt = interruptFlag();
    auto worker = [&] {
        while (!stop.load()) {
            const int i = next.fetch_add(1);
            if (i >= n)
                return;
            // The interrupt flag and our own stop flag both cancel the running clip.
            std::atomic<bool> cancel{false};
            auto result = generateSynthVideo(plans[size_t(i)].config,
                                             [&](int64_t, int64_t) {
                                                 if (interrupt->load() || stop.load())
                                                     cancel.store(true);
                                             },
                                             &cancel);
            std::lock_guard<std::mutex> lock(mutex);
            if (!result.ok()) {
                if (!firstError.isError())
                    firstError = interrupt->load() ? makeError(ErrorCode::Cancelled, QStringLiteral("synth-set was cancelled"))
                                                   : makeError(result.error().code, QStringLiteral("clip %1 (%2): %3")
                                                                                        .arg(i)
                                                                                        .arg(plans[size_t(i)].summary, result.error().message));
                stop.store(true);
                return;
            }
            ++done;
            frames += result->frames;
            hrMin = std::min(hrMin, result->meanHrBpm);
            hrMax = std::max(hrMax, result->meanHrBpm);
            seconds += plans[size_t(i)].config.durationSec;
            bar.update(done, n);
        }
    };
    std::vector<std::thread> threads;
    for (int j = 0; j < jobCount; ++j)
        threads.emplace_back(worker);
    for (std::thread &t : threads)
        t.join();
    bar.finish();
    if (firstError.isError())
        return fail(firstError);

    QStringList names;
    for (const LevelSpec &l : levelSpecs)
        names << l.label;
    std::printf("synth-set %s: %d clips, %.0f s of video (%lld frames at %dx%d), HR %.0f-%.0f bpm, levels %s, "
                "seed %llu; took %.1f s\n",
                qPrintable(QDir::cleanPath(dir)), done, seconds, static_cast<long long>(frames), width, height, hrMin, hrMax,
                qPrintable(names.join(QLatin1Char(','))), static_cast<unsigned long long>(baseSeed), timer.elapsed() / 1000.0);
    return kExitOk;
}

} // namespace

Command synthSetCommand()
{
    return {QStringLiteral("synth-set"),
            QStringLiteral("generate a varied synthetic training set (several codecs per clip)"), runSynthSet};
}

} // namespace rppg::cli
