#include "testsupport.h"

#include "pulsemethod.h"
#include "resourcepaths.h"

#include <opencv2/core.hpp>

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>

#include <cmath>
#include <deque>

namespace rppg::test {

namespace {

class DelayedMethod final : public PulseMethod
{
public:
    DelayedMethod(QString name, int delay) : m_name(std::move(name)), m_delay(size_t(std::max(0, delay))) {}
    QString name() const override { return m_name; }
    MethodInput input() const override { return MethodInput::FaceVideo; }
    cv::Size cropSize() const override { return {32, 32}; }
    void push(const FaceCrop &crop) override
    {
        m_held.push_back({crop.ptsUs, crop.bgr.empty() ? std::nan("") : cv::mean(crop.bgr)[1]});
    }
    void drain(std::vector<PulseSample> &out) override
    {
        while (m_held.size() > m_delay) {
            out.push_back(m_held.front());
            m_held.pop_front();
        }
    }
    void finish(std::vector<PulseSample> &out) override
    {
        out.insert(out.end(), m_held.begin(), m_held.end());
        m_held.clear();
    }
    void reset() override { m_held.clear(); }

private:
    QString m_name;
    size_t m_delay;
    std::deque<PulseSample> m_held;
};

// A clean sine at a fixed rate for every crop with a face (a network that is sure of itself, right
// or wrong), plus an optional second sine; NaN without a face.
class SineMethod final : public PulseMethod
{
public:
    SineMethod(QString name, double bpm, double otherBpm, double otherAmplitude)
        : m_name(std::move(name)), m_hz(bpm / 60.0), m_otherHz(otherBpm / 60.0), m_otherAmplitude(otherAmplitude)
    {}
    QString name() const override { return m_name; }
    MethodInput input() const override { return MethodInput::FaceVideo; }
    cv::Size cropSize() const override { return {32, 32}; }
    void push(const FaceCrop &crop) override
    {
        const double t = crop.ptsUs / 1e6;
        m_out.push_back({crop.ptsUs, crop.bgr.empty() ? std::nan("")
                                                      : std::sin(2 * M_PI * m_hz * t)
                                                            + m_otherAmplitude * std::sin(2 * M_PI * m_otherHz * t + 1.0)});
    }
    void drain(std::vector<PulseSample> &out) override
    {
        out.insert(out.end(), m_out.begin(), m_out.end());
        m_out.clear();
    }
    void finish(std::vector<PulseSample> &out) override { drain(out); }
    void reset() override { m_out.clear(); }

private:
    QString m_name;
    double m_hz, m_otherHz, m_otherAmplitude;
    std::vector<PulseSample> m_out;
};

class RgbSineMethod final : public PulseMethod
{
public:
    RgbSineMethod(QString name, double bpm) : m_name(std::move(name)), m_hz(bpm / 60.0) {}
    QString name() const override { return m_name; }
    MethodInput input() const override { return MethodInput::RgbTrace; }
    std::vector<double> extract(const std::vector<cv::Vec3d> &rgb, double fsHz) const override
    {
        std::vector<double> out(rgb.size());
        for (size_t k = 0; k < rgb.size(); ++k)
            out[k] = std::sin(2 * M_PI * m_hz * double(k) / fsHz);
        return out;
    }

private:
    QString m_name;
    double m_hz;
};

// Registers (or replaces) a test method made by `make`.
template <typename Make>
void registerTestMethod(const QString &name, const QString &description, MethodInput input, Make make)
{
    MethodInfo info;
    info.name = name;
    info.title = name;
    info.description = description;
    info.input = input;
    info.create = [make](const MethodOptions &) -> Result<std::unique_ptr<PulseMethod>> {
        return std::unique_ptr<PulseMethod>(make());
    };
    MethodRegistry::instance().add(info);
}

} // namespace

void registerRgbSineMethod(const QString &name, double bpm)
{
    registerTestMethod(name, QStringLiteral("test: an RGB-trace method giving a clean sine at %1 bpm").arg(bpm),
                       MethodInput::RgbTrace, [=] { return std::make_unique<RgbSineMethod>(name, bpm); });
}

void registerDelayedMethod(const QString &name, int delayFrames)
{
    registerTestMethod(name, QStringLiteral("test: mean green of the crop, %1 frames late").arg(delayFrames),
                       MethodInput::FaceVideo, [=] { return std::make_unique<DelayedMethod>(name, delayFrames); });
}

void registerSineMethod(const QString &name, double bpm, double otherBpm, double otherAmplitude)
{
    registerTestMethod(name, QStringLiteral("test: a clean sine at %1 bpm").arg(bpm), MethodInput::FaceVideo,
                       [=] { return std::make_unique<SineMethod>(name, bpm, otherBpm, otherAmplitude); });
}

SynthConfig defaultSynthConfig(double meanHrBpm, double durationSec)
{
    SynthConfig c;
    c.durationSec = durationSec;
    c.pulse.meanHrBpm = meanHrBpm;
    c.pulse.sdnnMs = 20;
    c.noiseSigma = 1.0;
    c.seed = 7;
    SynthVariant v;
    v.encoder.codec = QStringLiteral("ffv1");
    c.variants.push_back(v);
    return c;
}

namespace {

// --- Opt-in render cache (RPPG_TEST_VIDEO_CACHE) ------------------------------------------------
// Rendering is by far the slowest part of the media tests under ThreadSanitizer, so a sanitizer run
// can reuse renders made by a normal build. An entry is keyed by the test application, the file
// name and every SynthConfig field that shapes the output; it holds the video, its variants and
// side files laid out as in the test's folder (synth.json refers to them by relative path, so the
// copies stay consistent). The key does not cover the generator's own code: clear the folder after
// changing core/synth.cpp.

QString num(double v) { return QString::number(v, 'g', 17); }

// "path relative to the test folder" when it lies inside it, else the absolute path.
QString relativeToDir(const QTemporaryDir &dir, const QString &path)
{
    const QString rel = QDir(dir.path()).relativeFilePath(QFileInfo(path).absoluteFilePath());
    return rel.startsWith(QLatin1String("..")) || QDir::isAbsolutePath(rel) ? QString() : rel;
}

// An input file (photo, PPG CSV) enters the key with its content, so an edited file misses.
QString inputKey(const QTemporaryDir &dir, const QString &path)
{
    if (path.isEmpty())
        return QStringLiteral("-");
    QFile f(path);
    QByteArray digest = "unreadable";
    if (f.open(QIODevice::ReadOnly))
        digest = QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha1).toHex();
    const QString rel = relativeToDir(dir, path);
    return (rel.isEmpty() ? QFileInfo(path).absoluteFilePath() : rel) + QLatin1Char('@')
           + QString::fromLatin1(digest);
}

// The key text, or empty when the render cannot be cached (a variant outside the test folder).
QString cacheKey(const QTemporaryDir &dir, const QString &fileName, const SynthConfig &c)
{
    QStringList k;
    k << QCoreApplication::applicationName() << fileName;
    k << inputKey(dir, c.facePhotoPath);
    k << QString::number(c.width) << QString::number(c.height) << num(c.fps) << num(c.durationSec)
      << QString::number(qulonglong(c.seed));
    const PulseWaveConfig &p = c.pulse;
    k << num(p.meanHrBpm) << num(p.sdnnMs) << num(p.respirationHz) << num(p.dicroticRatio)
      << inputKey(dir, p.ppgCsvPath) << num(p.ppgCsvRateHz) << num(p.ppgCsvOffsetSec);
    k << num(c.pulseAmplitude) << QString::number(c.fitzpatrick) << num(c.motionTranslationPx)
      << num(c.motionRotationDeg) << num(c.motionScale) << num(c.illuminationDrift)
      << num(c.flickerAmplitude) << num(c.flickerHz) << num(c.noiseSigma) << num(c.faceScale);
    for (const auto &[a, b] : c.absentIntervals)
        k << QStringLiteral("absent %1 %2").arg(num(a), num(b));
    for (const SynthVariant &v : c.variants) {
        const QString rel = relativeToDir(dir, v.videoPath);
        if (rel.isEmpty())
            return {};
        const EncoderSettings &e = v.encoder;
        k << QStringLiteral("variant") << rel << e.codec << QString::number(e.bitrateBps)
          << QString::number(e.crf) << e.preset << num(e.fps) << QString::number(e.width)
          << QString::number(e.height) << QString::number(e.gopFrames) << QString::number(e.grey)
          << QString::number(e.threads) << e.pixelFormat << QString::number(e.rotationDeg);
    }
    k << QString::number(c.writeGroundTruth) << QString::number(c.writeMasks);
    return k.join(QLatin1Char('\n'));
}

// The files one render produces, relative to the test folder.
QStringList producedFiles(const QTemporaryDir &dir, const SynthConfig &c)
{
    QStringList files;
    for (const SynthVariant &v : c.variants)
        files << relativeToDir(dir, v.videoPath);
    const QString first = c.variants.front().videoPath;
    if (c.writeGroundTruth)
        files << relativeToDir(dir, groundTruthPathFor(first))
              << relativeToDir(dir, synthMetaPathFor(first));
    if (c.writeMasks)
        files << relativeToDir(dir, maskPathFor(first));
    return files;
}

bool copyFiles(const QString &fromRoot, const QString &toRoot, const QStringList &files)
{
    for (const QString &rel : files) {
        const QString to = QDir(toRoot).filePath(rel);
        QDir().mkpath(QFileInfo(to).absolutePath());
        QFile::remove(to);
        if (!QFile::copy(QDir(fromRoot).filePath(rel), to))
            return false;
    }
    return true;
}

} // namespace

QString makeSynthVideo(const QTemporaryDir &dir, const QString &fileName, SynthConfig config)
{
    if (config.variants.empty())
        config.variants.push_back(SynthVariant{});
    config.variants[0].videoPath = dir.filePath(fileName);

    const QString cacheRoot = qEnvironmentVariable("RPPG_TEST_VIDEO_CACHE");
    const QString key = cacheRoot.isEmpty() ? QString() : cacheKey(dir, fileName, config);
    QString entry;
    if (!key.isEmpty()) {
        const QByteArray digest
            = QCryptographicHash::hash(key.toUtf8(), QCryptographicHash::Sha1).toHex();
        entry = QDir(cacheRoot).filePath(QString::fromLatin1(digest));
        // An entry is complete once key.txt is there (it is written last).
        if (QFileInfo::exists(QDir(entry).filePath(QStringLiteral("key.txt")))
            && copyFiles(entry, dir.path(), producedFiles(dir, config))) {
            return config.variants[0].videoPath;
        }
    }

    const auto result = generateSynthVideo(config);
    if (!result.ok()) {
        qWarning("synthetic video generation failed: %s", qPrintable(result.error().message));
        return {};
    }
    if (!entry.isEmpty()) {
        // Stored in a temporary folder and renamed, so a concurrent or interrupted run never
        // sees half an entry. Failing to store only costs the next run a render.
        const QString tmp = entry + QStringLiteral(".tmp%1").arg(QCoreApplication::applicationPid());
        QDir(tmp).removeRecursively();
        QFile keyFile(QDir(tmp).filePath(QStringLiteral("key.txt")));
        if (copyFiles(dir.path(), tmp, producedFiles(dir, config)) && keyFile.open(QIODevice::WriteOnly)
            && keyFile.write(key.toUtf8()) == key.toUtf8().size() && keyFile.flush()) {
            keyFile.close();
            if (!QDir().rename(tmp, entry))
                QDir(tmp).removeRecursively();
        } else {
            QDir(tmp).removeRecursively();
        }
    }
    return config.variants[0].videoPath;
}

void isolateSettings(const QTemporaryDir &dir, const QString &applicationName)
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir.path());
    QCoreApplication::setOrganizationName(QStringLiteral("rppg-studio-test"));
    QCoreApplication::setApplicationName(applicationName);
}

QString loadSample(QString *videoPath, HrReference *truth)
{
    *videoPath = resourcePath(QStringLiteral("samples/sample.mp4"));
    if (videoPath->isEmpty())
        return QStringLiteral("resources/samples/sample.mp4 not found");
    auto read = readHrReference(resourcePath(QStringLiteral("samples/sample.gt.csv")));
    if (!read.ok())
        return read.error().message;
    *truth = read.value();
    return {};
}

QString writeFile(const QTemporaryDir &dir, const QString &fileName, const QByteArray &bytes)
{
    const QString path = dir.filePath(fileName);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(bytes);
    return path;
}

} // namespace rppg::test
