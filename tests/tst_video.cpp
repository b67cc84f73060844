// Tests of the FFmpeg video input (VideoFileSource) and output (VideoEncoder): round trips through
// every container and codec, timestamps (constant, variable, repaired), damaged and non-video
// inputs, pixel formats, rotation, seeking and memory use. Every fixture is generated here.

#include "testsupport.h"
#include "videoencoder.h"
#include "videofilesource.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <unistd.h>

#include <cmath>
#include <vector>

using namespace rppg;

Q_DECLARE_METATYPE(rppg::ErrorCode)

namespace {

constexpr double kTwoPi = 6.283185307179586;

// A moving colour pattern: three drifting sinusoidal gradients (one per channel, so that chroma
// matters) and a moving anti-aliased disc (sharp edges for the lossy codecs to get wrong).
cv::Mat testPattern(int width, int height, int frameIndex)
{
    std::vector<uint8_t> blueByX(width), greenByY(height), redByXy(width + height);
    for (int x = 0; x < width; ++x)
        blueByX[x] = cv::saturate_cast<uint8_t>(
            128 + 90 * std::sin(kTwoPi * (double(x) / width + 0.02 * frameIndex)));
    for (int y = 0; y < height; ++y)
        greenByY[y] = cv::saturate_cast<uint8_t>(
            128 + 90 * std::sin(kTwoPi * (1.5 * y / height - 0.03 * frameIndex)));
    for (int s = 0; s < width + height; ++s)
        redByXy[s] = cv::saturate_cast<uint8_t>(
            128 + 90 * std::sin(kTwoPi * (double(s) / (width + height) + 0.05 * frameIndex)));
    cv::Mat image(height, width, CV_8UC3);
    for (int y = 0; y < height; ++y) {
        auto *row = image.ptr<cv::Vec3b>(y);
        for (int x = 0; x < width; ++x)
            row[x] = cv::Vec3b(blueByX[x], greenByY[y], redByXy[x + y]);
    }
    const cv::Point centre(width / 4 + (frameIndex * 3) % (width / 2),
                           height / 3 + (frameIndex * 2) % (height / 3));
    cv::circle(image, centre, std::max(4, height / 8), cv::Scalar(40, 200, 230), cv::FILLED,
               cv::LINE_AA);
    return image;
}

// The pattern plus deterministic sensor-like noise, so that a rate-controlled encoder has to spend
// bits the way it would on camera footage.
cv::Mat noisyPattern(int width, int height, int frameIndex, cv::RNG &rng)
{
    cv::Mat image = testPattern(width, height, frameIndex);
    cv::Mat noise(height, width, CV_8UC3);
    rng.fill(noise, cv::RNG::NORMAL, cv::Scalar::all(0), cv::Scalar::all(6));
    cv::Mat noisy;
    cv::add(image, noise, noisy, cv::noArray(), CV_8UC3);
    // RNG::fill into CV_8U saturates negative noise to zero; centre it again.
    cv::subtract(noisy, cv::Scalar::all(3), noisy);
    return noisy;
}

EncoderSettings settingsFor(const QString &codec, int width, int height, double fps)
{
    EncoderSettings s;
    s.codec = codec;
    s.width = width;
    s.height = height;
    s.fps = fps;
    return s;
}

// Encodes `frameCount` pattern frames; ptsUs empty means index/fps.
Error encodePattern(const QString &path, const EncoderSettings &settings, int frameCount,
                    const std::vector<int64_t> &ptsUs = {}, EncodeStats *stats = nullptr)
{
    VideoEncoder encoder;
    Error error = encoder.open(path, settings);
    if (error.isError())
        return error;
    for (int k = 0; k < frameCount; ++k) {
        const cv::Mat image = testPattern(settings.width, settings.height, k);
        error = encoder.write(image, ptsUs.empty() ? -1 : ptsUs[k]);
        if (error.isError())
            return error;
    }
    error = encoder.finish();
    if (stats)
        *stats = encoder.stats();
    return error;
}

struct Decoded
{
    Error openError;
    std::vector<VideoFrame> frames;
    ReadStatus endStatus = ReadStatus::EndOfStream;
    int decodeErrors = 0;
    bool truncated = false;
    int repairedTimestamps = 0;
    VideoInfo info;
};

Decoded decodeAll(const QString &path, const VideoFileSourceOptions &options = {})
{
    Decoded result;
    VideoFileSource source;
    result.openError = source.open(path, options);
    if (result.openError.isError())
        return result;
    result.info = source.info();
    for (int guard = 0; guard < 100000; ++guard) {
        VideoFrame frame;
        result.endStatus = source.read(frame);
        if (result.endStatus != ReadStatus::Frame)
            break;
        result.frames.push_back(frame);
    }
    result.decodeErrors = source.decodeErrorCount();
    result.truncated = source.truncated();
    result.repairedTimestamps = source.repairedTimestampCount();
    return result;
}

double psnrDb(const cv::Mat &a, const cv::Mat &b)
{
    if (a.size() != b.size() || a.type() != b.type())
        return 0;
    const double mse = cv::norm(a, b, cv::NORM_L2SQR) / double(a.total() * a.channels());
    return mse == 0 ? 100.0 : 10.0 * std::log10(255.0 * 255.0 / mse);
}

int64_t residentBytes()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? fields[1].toLongLong() * sysconf(_SC_PAGESIZE) : -1;
}

QByteArray readBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// A minimal PCM WAV file: a container FFmpeg opens that holds only audio.
QByteArray wavFile(int sampleRateHz, double durationSec)
{
    const int samples = int(sampleRateHz * durationSec);
    QByteArray pcm(samples * 2, Qt::Uninitialized);
    for (int i = 0; i < samples; ++i) {
        const auto value = qint16(8000 * std::sin(kTwoPi * 440.0 * i / sampleRateHz));
        pcm[2 * i] = char(value & 0xff);
        pcm[2 * i + 1] = char((value >> 8) & 0xff);
    }
    auto le32 = [](quint32 v) {
        QByteArray b(4, 0);
        for (int i = 0; i < 4; ++i)
            b[i] = char((v >> (8 * i)) & 0xff);
        return b;
    };
    auto le16 = [](quint16 v) {
        QByteArray b(2, 0);
        b[0] = char(v & 0xff);
        b[1] = char(v >> 8);
        return b;
    };
    QByteArray wav = "RIFF" + le32(36 + pcm.size()) + "WAVE";
    wav += "fmt " + le32(16) + le16(1) + le16(1) + le32(sampleRateHz) + le32(sampleRateHz * 2)
           + le16(2) + le16(16);
    wav += "data" + le32(pcm.size()) + pcm;
    return wav;
}

} // namespace

class TstVideo : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void roundTrip_data();
    void roundTrip();
    void bitrateAccuracy();
    void variableFrameRate_data();
    void variableFrameRate();
    void timestampRepair();
    void truncatedFile_data();
    void truncatedFile();
    void corruptFile_data();
    void corruptFile();
    void badInput_data();
    void badInput();
    void missingDecoder();
    void unusualFileNames();
    void zeroFrames_data();
    void zeroFrames();
    void pixelFormats_data();
    void pixelFormats();
    void greyMask();
    void rotation_data();
    void rotation();
    void maxWidth();
    void encoderErrors();
    void availableCodecs();
    void memoryDoesNotGrow();
    void seek_data();
    void seek();
    void decodeSpeed();

private:
    QTemporaryDir m_dir;
};

void TstVideo::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

// ---------------------------------------------------------------------------------------------
// Round trip: every container × codec. Combinations the container cannot hold must be refused
// with Unsupported at open(), before anything is written.

void TstVideo::roundTrip_data()
{
    QTest::addColumn<QString>("extension");
    QTest::addColumn<QString>("codec");
    QTest::addColumn<bool>("supported");
    QTest::addColumn<double>("minPsnrDb");

    struct CodecCase
    {
        const char *codec;
        double minPsnrDb; // 100 = bit-exact
    };
    const CodecCase codecs[]
        = {{"x264", 28}, {"x265", 28}, {"mpeg4", 28}, {"mjpeg", 28}, {"ffv1", 100}, {"raw", 100}};
    // What FFmpeg 5.1's muxers accept (avformat_query_codec): mp4 has no FFV1 or raw mapping,
    // mov no FFV1, avi no HEVC.
    auto supported = [](const QString &ext, const QString &codec) {
        if (ext == QLatin1String("mp4"))
            return codec != QLatin1String("ffv1") && codec != QLatin1String("raw");
        if (ext == QLatin1String("mov"))
            return codec != QLatin1String("ffv1");
        if (ext == QLatin1String("avi"))
            return codec != QLatin1String("x265");
        return true;
    };
    for (const char *ext : {"mp4", "mkv", "mov", "avi"}) {
        for (const CodecCase &c : codecs) {
            const QString extension = QLatin1String(ext);
            const QString codec = QLatin1String(c.codec);
            QTest::addRow("%s-%s", ext, c.codec)
                << extension << codec << supported(extension, codec) << c.minPsnrDb;
        }
    }
}

void TstVideo::roundTrip()
{
    QFETCH(QString, extension);
    QFETCH(QString, codec);
    QFETCH(bool, supported);
    QFETCH(double, minPsnrDb);

    if (!VideoEncoder::isCodecAvailable(codec))
        QSKIP("codec not in this FFmpeg build");
    const int width = 320, height = 240, frameCount = 40;
    const double fps = 25;
    EncoderSettings settings = settingsFor(codec, width, height, fps);
    settings.bitrateBps = 3'000'000; // generous for 320×240; ignored by the lossless codecs
    const QString path = m_dir.filePath(QStringLiteral("rt-%1.%2").arg(codec, extension));

    EncodeStats stats;
    const Error encodeError = encodePattern(path, settings, frameCount, {}, &stats);
    if (!supported) {
        QCOMPARE(encodeError.code, ErrorCode::Unsupported);
        QVERIFY(!encodeError.message.isEmpty());
        QVERIFY(!QFile::exists(path));
        return;
    }
    QVERIFY2(!encodeError.isError(), qPrintable(encodeError.message));
    QCOMPARE(stats.frames, frameCount);
    QCOMPARE(stats.fileBytes, QFileInfo(path).size());
    QVERIFY(qAbs(stats.durationSec - frameCount / fps) < 1e-6);
    QVERIFY(stats.achievedBitrateBps > 0);

    VideoFileSource source;
    const Error openError = source.open(path);
    QVERIFY2(!openError.isError(), qPrintable(openError.message));
    const VideoInfo info = source.info();
    QCOMPARE(info.width, width);
    QCOMPARE(info.height, height);
    QVERIFY(qAbs(info.nominalFps - fps) < 0.01);
    QVERIFY(!info.containerName.isEmpty());
    QVERIFY(!info.codecName.isEmpty());
    QVERIFY(!info.pixelFormat.isEmpty());
    QCOMPARE(info.rotationDeg, 0);
    QVERIFY2(qAbs(info.durationSec - frameCount / fps) < 0.1,
             qPrintable(QString::number(info.durationSec)));
    QVERIFY2(qAbs(info.frameCountEstimate - frameCount) <= 1,
             qPrintable(QString::number(info.frameCountEstimate)));

    double worstPsnrDb = 1000;
    int frames = 0;
    VideoFrame frame;
    while (source.read(frame) == ReadStatus::Frame) {
        QCOMPARE(frame.bgr.type(), CV_8UC3);
        QCOMPARE(frame.bgr.cols, width);
        QCOMPARE(frame.bgr.rows, height);
        QCOMPARE(frame.index, frames);
        const int64_t expectedUs = std::llround(frames * 1e6 / fps);
        QVERIFY2(qAbs(frame.ptsUs - expectedUs) <= 1000,
                 qPrintable(QStringLiteral("frame %1: pts %2 µs, expected %3 µs")
                                .arg(frames)
                                .arg(frame.ptsUs)
                                .arg(expectedUs)));
        worstPsnrDb = std::min(worstPsnrDb, psnrDb(frame.bgr, testPattern(width, height, frames)));
        ++frames;
    }
    QCOMPARE(frames, frameCount);
    QCOMPARE(source.read(frame), ReadStatus::EndOfStream); // stays at the end
    QCOMPARE(source.read(frame), ReadStatus::EndOfStream);
    QCOMPARE(source.decodeErrorCount(), 0);
    QVERIFY(!source.truncated());
    // AVI stores no presentation times: with B-frames the decoder cannot give every frame one,
    // and the source extrapolates those (still exact, as checked above).
    if (extension != QLatin1String("avi"))
        QCOMPARE(source.repairedTimestampCount(), 0);
    QVERIFY2(
        worstPsnrDb >= minPsnrDb,
        qPrintable(QStringLiteral("worst PSNR %1 dB < %2 dB").arg(worstPsnrDb).arg(minPsnrDb)));
    qInfo("%s/%s: %.0f kb/s, worst PSNR %.1f dB", qPrintable(extension), qPrintable(codec),
          stats.achievedBitrateBps / 1000, worstPsnrDb);
}

void TstVideo::bitrateAccuracy()
{
    const int width = 640, height = 480;
    const double fps = 25, durationSec = 5;
    const int64_t targetBps = 500'000;
    for (const QString &codec : {QStringLiteral("x264"), QStringLiteral("mpeg4")}) {
        EncoderSettings settings = settingsFor(codec, width, height, fps);
        settings.bitrateBps = targetBps;
        settings.preset = QStringLiteral("veryfast"); // rate control is the same; the CPU is shared
        const QString path = m_dir.filePath(QStringLiteral("bitrate-%1.mp4").arg(codec));
        VideoEncoder encoder;
        Error error = encoder.open(path, settings);
        QVERIFY2(!error.isError(), qPrintable(error.message));
        cv::RNG rng(42);
        for (int k = 0; k < int(fps * durationSec); ++k) {
            error = encoder.write(noisyPattern(width, height, k, rng));
            QVERIFY2(!error.isError(), qPrintable(error.message));
        }
        QVERIFY(!encoder.finish().isError());
        const EncodeStats stats = encoder.stats();
        QVERIFY(qAbs(stats.durationSec - durationSec) < 1e-6);
        QVERIFY(stats.fileBytes * 8 >= stats.achievedBitrateBps * durationSec); // payload ≤ file
        qInfo("%s target %lld b/s: achieved %.0f b/s (%+.1f %%), file %lld bytes",
              qPrintable(codec), qlonglong(targetBps), stats.achievedBitrateBps,
              100.0 * (stats.achievedBitrateBps / targetBps - 1), qlonglong(stats.fileBytes));
        if (codec == QLatin1String("x264")) {
            QVERIFY(stats.achievedBitrateBps > 0.65 * targetBps);
            QVERIFY(stats.achievedBitrateBps < 1.35 * targetBps);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Timestamps

void TstVideo::variableFrameRate_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QString>("codec");
    QTest::newRow("mkv-x264") << "vfr-x264.mkv"
                              << "x264";
    QTest::newRow("mp4-x264") << "vfr-x264.mp4"
                              << "x264";
    QTest::newRow("mov-x264") << "vfr-x264.mov"
                              << "x264";
    QTest::newRow("mkv-ffv1") << "vfr-ffv1.mkv"
                              << "ffv1";
    QTest::newRow("mp4-mpeg4") << "vfr-mpeg4.mp4"
                               << "mpeg4";
}

void TstVideo::variableFrameRate()
{
    QFETCH(QString, fileName);
    QFETCH(QString, codec);
    if (!VideoEncoder::isCodecAvailable(codec))
        QSKIP("codec not in this FFmpeg build");
    // Intervals between 20 and 70 ms with sub-millisecond parts, as a phone camera produces.
    const int frameCount = 60;
    std::vector<int64_t> ptsUs;
    cv::RNG rng(7);
    int64_t t = 0;
    for (int k = 0; k < frameCount; ++k) {
        ptsUs.push_back(t);
        t += 20000 + rng.uniform(0, 50000) + 317;
    }
    const QString path = m_dir.filePath(fileName);
    const Error error = encodePattern(path, settingsFor(codec, 320, 240, 30), frameCount, ptsUs);
    QVERIFY2(!error.isError(), qPrintable(error.message));

    const Decoded decoded = decodeAll(path);
    QVERIFY2(!decoded.openError.isError(), qPrintable(decoded.openError.message));
    QCOMPARE(int(decoded.frames.size()), frameCount);
    QVERIFY(!decoded.truncated);
    QCOMPARE(decoded.repairedTimestamps, 0);
    for (int k = 0; k < frameCount; ++k) {
        QVERIFY2(qAbs(decoded.frames[k].ptsUs - ptsUs[k]) <= 1000,
                 qPrintable(QStringLiteral("frame %1: pts %2 µs, written %3 µs")
                                .arg(k)
                                .arg(decoded.frames[k].ptsUs)
                                .arg(ptsUs[k])));
        QVERIFY(psnrDb(decoded.frames[k].bgr, testPattern(320, 240, k)) > 28);
    }
}

// Two MPEG-TS files glued together (as a camera or a careless `cat` produces) restart their
// clock half-way: the source must keep time moving forward and count the repair.
void TstVideo::timestampRepair()
{
    const QString first = m_dir.filePath(QStringLiteral("part1.ts"));
    const QString second = m_dir.filePath(QStringLiteral("part2.ts"));
    EncoderSettings settings = settingsFor(QStringLiteral("x264"), 160, 120, 25);
    settings.crf = 20;
    QVERIFY(!encodePattern(first, settings, 25).isError());
    QVERIFY(!encodePattern(second, settings, 25).isError());
    const QString joined
        = test::writeFile(m_dir, QStringLiteral("joined.ts"), readBytes(first) + readBytes(second));

    const Decoded decoded = decodeAll(joined);
    QVERIFY2(!decoded.openError.isError(), qPrintable(decoded.openError.message));
    QCOMPARE(decoded.endStatus, ReadStatus::EndOfStream);
    QVERIFY2(decoded.frames.size() >= 48, qPrintable(QString::number(decoded.frames.size())));
    for (size_t k = 1; k < decoded.frames.size(); ++k)
        QVERIFY(decoded.frames[k].ptsUs >= decoded.frames[k - 1].ptsUs);
    QVERIFY(decoded.repairedTimestamps > 0);
    qInfo("joined: %d frames, %d timestamps repaired, last pts %lld µs", int(decoded.frames.size()),
          decoded.repairedTimestamps, qlonglong(decoded.frames.back().ptsUs));
    // After the repair the second half continues at 25 fps instead of jumping.
    const int64_t spanUs = decoded.frames.back().ptsUs - decoded.frames.front().ptsUs;
    QVERIFY2(qAbs(spanUs - int64_t(decoded.frames.size() - 1) * 40000) <= 80000,
             qPrintable(QString::number(spanUs)));
}

// ---------------------------------------------------------------------------------------------
// Damaged and non-video inputs

void TstVideo::truncatedFile_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QString>("codec");
    QTest::newRow("mp4-x264") << "cut-x264.mp4"
                              << "x264";
    QTest::newRow("mkv-x264") << "cut-x264.mkv"
                              << "x264";
    QTest::newRow("mkv-ffv1") << "cut-ffv1.mkv"
                              << "ffv1";
    QTest::newRow("mov-mjpeg") << "cut-mjpeg.mov"
                               << "mjpeg";
    QTest::newRow("avi-mpeg4") << "cut-mpeg4.avi"
                               << "mpeg4";
}

void TstVideo::truncatedFile()
{
    QFETCH(QString, fileName);
    QFETCH(QString, codec);
    if (!VideoEncoder::isCodecAvailable(codec))
        QSKIP("codec not in this FFmpeg build");
    const int frameCount = 50;
    const QString fullPath = m_dir.filePath(QStringLiteral("full-") + fileName);
    EncoderSettings settings = settingsFor(codec, 320, 240, 25);
    settings.gopFrames = 10;
    QVERIFY(!encodePattern(fullPath, settings, frameCount).isError());
    const QByteArray bytes = readBytes(fullPath);
    const QString path = test::writeFile(m_dir, fileName, bytes.left(bytes.size() * 6 / 10));

    VideoFileSource source;
    const Error error = source.open(path);
    QVERIFY2(!error.isError(), qPrintable(error.message));
    int frames = 0;
    VideoFrame frame;
    ReadStatus status;
    while ((status = source.read(frame)) == ReadStatus::Frame)
        ++frames;
    QCOMPARE(status, ReadStatus::EndOfStream);
    QCOMPARE(source.read(frame), ReadStatus::EndOfStream);
    qInfo("%s: %d of %d frames, truncated %d, decode errors %d", qPrintable(fileName), frames,
          frameCount, source.truncated(), source.decodeErrorCount());
    QVERIFY(frames > 0);
    QVERIFY(frames < frameCount);
    QVERIFY(source.truncated() || source.decodeErrorCount() > 0);
}

// Random bytes over the middle of a valid file: the frames around the damage decode, the damage
// is counted, and nothing hangs or crashes.
void TstVideo::corruptFile_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QString>("codec");
    QTest::newRow("mp4-x264") << "bad-x264.mp4"
                              << "x264";
    QTest::newRow("mkv-x264") << "bad-x264.mkv"
                              << "x264";
    QTest::newRow("mkv-ffv1") << "bad-ffv1.mkv"
                              << "ffv1";
    QTest::newRow("avi-mjpeg") << "bad-mjpeg.avi"
                               << "mjpeg";
    QTest::newRow("mov-x265") << "bad-x265.mov"
                              << "x265";
    QTest::newRow("ts-x264") << "bad-x264.ts"
                             << "x264";
}

void TstVideo::corruptFile()
{
    QFETCH(QString, fileName);
    QFETCH(QString, codec);
    if (!VideoEncoder::isCodecAvailable(codec))
        QSKIP("codec not in this FFmpeg build");
    const int frameCount = 50;
    const QString fullPath = m_dir.filePath(QStringLiteral("good-") + fileName);
    EncoderSettings settings = settingsFor(codec, 320, 240, 25);
    settings.gopFrames = 10;
    QVERIFY(!encodePattern(fullPath, settings, frameCount).isError());
    QByteArray bytes = readBytes(fullPath);
    cv::RNG rng(99);
    for (int i = bytes.size() * 4 / 10; i < bytes.size() * 6 / 10; ++i)
        bytes[i] = char(rng.uniform(0, 256));
    const QString path = test::writeFile(m_dir, fileName, bytes);

    QElapsedTimer timer;
    timer.start();
    const Decoded decoded = decodeAll(path);
    QVERIFY2(!decoded.openError.isError(), qPrintable(decoded.openError.message));
    QCOMPARE(decoded.endStatus, ReadStatus::EndOfStream);
    qInfo("%s: %d of %d frames, decode errors %d, truncated %d, %lld ms", qPrintable(fileName),
          int(decoded.frames.size()), frameCount, decoded.decodeErrors, decoded.truncated,
          timer.elapsed());
    QVERIFY(decoded.frames.size() >= 10);
    QVERIFY(decoded.decodeErrors > 0 || decoded.truncated
            || int(decoded.frames.size()) < frameCount);
    for (size_t k = 1; k < decoded.frames.size(); ++k)
        QVERIFY(decoded.frames[k].ptsUs >= decoded.frames[k - 1].ptsUs);
    QVERIFY(timer.elapsed() < 20000);
}

void TstVideo::badInput_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QByteArray>("bytes"); // null = do not create the file
    QTest::addColumn<ErrorCode>("expected");

    QByteArray garbage(256 * 1024, Qt::Uninitialized);
    cv::RNG rng(1234);
    for (char &c : garbage)
        c = char(rng.uniform(0, 256));
    const QByteArray text = QByteArray("Heart rate study notes\n").repeated(200);

    QTest::newRow("missing") << "does-not-exist.mp4" << QByteArray() << ErrorCode::FileNotFound;
    QTest::newRow("empty") << "empty.mp4" << QByteArray("") << ErrorCode::NotAVideo;
    QTest::newRow("garbage-mp4") << "garbage.mp4" << garbage << ErrorCode::NotAVideo;
    QTest::newRow("garbage-noext") << "garbage" << garbage << ErrorCode::NotAVideo;
    QTest::newRow("text-txt") << "notes.txt" << text << ErrorCode::NotAVideo;
    QTest::newRow("text-mkv") << "notes.mkv" << text << ErrorCode::NotAVideo;
    QTest::newRow("audio-only-wav") << "tone.wav" << wavFile(16000, 1.0) << ErrorCode::NotAVideo;
    QTest::newRow("audio-only-as-mp4") << "tone.mp4" << wavFile(16000, 1.0) << ErrorCode::NotAVideo;
    QTest::newRow("directory") << "" << QByteArray() << ErrorCode::FileNotFound;
}

void TstVideo::badInput()
{
    QFETCH(QString, fileName);
    QFETCH(QByteArray, bytes);
    QFETCH(ErrorCode, expected);

    QString path = fileName.isEmpty() ? m_dir.path() : m_dir.filePath(fileName);
    if (!bytes.isNull())
        path = test::writeFile(m_dir, fileName, bytes);
    VideoFileSource source;
    const Error error = source.open(path);
    QCOMPARE(errorCodeName(error.code), errorCodeName(expected));
    QVERIFY(!error.message.contains(QLatin1Char('\n')));
    QVERIFY(error.message.startsWith(QStringLiteral("cannot open '")));
    QCOMPARE(source.lastError().code, expected);
    QVERIFY(!source.isOpen());
    VideoFrame frame;
    QCOMPARE(source.read(frame),
             ReadStatus::Error); // reading a closed source is an error, not a crash
    qInfo("%s", qPrintable(error.message));
}

// A video stream FFmpeg has no decoder for: an AVI whose FFV1 fourcc is replaced by an unknown one.
void TstVideo::missingDecoder()
{
    const QString goodPath = m_dir.filePath(QStringLiteral("fourcc-ffv1.avi"));
    QVERIFY(!encodePattern(goodPath, settingsFor(QStringLiteral("ffv1"), 64, 48, 25), 3).isError());
    QByteArray bytes = readBytes(goodPath);
    const int headerBytes = std::min<int>(bytes.size(), 8192);
    int replaced = 0;
    for (int at = bytes.indexOf("FFV1"); at >= 0 && at < headerBytes;
         at = bytes.indexOf("FFV1", at)) {
        bytes.replace(at, 4, "QQZZ");
        ++replaced;
    }
    QVERIFY(replaced > 0);
    const QString path = test::writeFile(m_dir, QStringLiteral("fourcc-unknown.avi"), bytes);
    VideoFileSource source;
    const Error error = source.open(path);
    QCOMPARE(errorCodeName(error.code), errorCodeName(ErrorCode::Unsupported));
    QVERIFY(!error.message.contains(QLatin1Char('\n')));
    qInfo("%s", qPrintable(error.message));
}

// File names FFmpeg could mistake for URLs or protocols, or that need UTF-8.
void TstVideo::unusualFileNames()
{
    for (const QString &name :
         {QStringLiteral("take:2.mkv"), QStringLiteral("a#b?c.mp4"),
          QStringLiteral("Pulsmessung ü 心率.avi"), QStringLiteral("with space.mov")}) {
        const QString path = m_dir.filePath(name);
        const Error error
            = encodePattern(path, settingsFor(QStringLiteral("mjpeg"), 64, 48, 25), 3);
        QVERIFY2(!error.isError(), qPrintable(error.message));
        QVERIFY2(QFile::exists(path), qPrintable(name));
        const Decoded decoded = decodeAll(path);
        QVERIFY2(!decoded.openError.isError(), qPrintable(decoded.openError.message));
        QCOMPARE(int(decoded.frames.size()), 3);
    }
    // A relative path works too (FFmpeg sees an absolute one).
    const QString previous = QDir::currentPath();
    QVERIFY(QDir::setCurrent(m_dir.path()));
    const Error error = encodePattern(QStringLiteral("relative.mkv"),
                                      settingsFor(QStringLiteral("ffv1"), 64, 48, 25), 2);
    const Decoded decoded = decodeAll(QStringLiteral("relative.mkv"));
    QDir::setCurrent(previous);
    QVERIFY2(!error.isError(), qPrintable(error.message));
    QCOMPARE(int(decoded.frames.size()), 2);
}

// An encoder opened and finished without frames. What FFmpeg 5.1 makes of the result depends on
// the container, and each row records it: the mp4/mov muxer leaves out tracks without samples (so
// the file has no video stream), and the Matroska demuxer cannot read a file without clusters.
// Only AVI keeps an empty video stream, which reads as an immediate end of stream.
void TstVideo::zeroFrames_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QString>("codec");
    QTest::addColumn<bool>("opens");
    QTest::newRow("mp4-x264") << "zero-x264.mp4"
                              << "x264" << false;
    QTest::newRow("mov-mjpeg") << "zero-mjpeg.mov"
                               << "mjpeg" << false;
    QTest::newRow("mkv-x264") << "zero-x264.mkv"
                              << "x264" << false;
    QTest::newRow("mkv-ffv1") << "zero-ffv1.mkv"
                              << "ffv1" << false;
    QTest::newRow("avi-mjpeg") << "zero-mjpeg.avi"
                               << "mjpeg" << true;
    QTest::newRow("avi-x264") << "zero-x264.avi"
                              << "x264" << true;
    QTest::newRow("avi-ffv1") << "zero-ffv1.avi"
                              << "ffv1" << true;
}

void TstVideo::zeroFrames()
{
    QFETCH(QString, fileName);
    QFETCH(QString, codec);
    if (!VideoEncoder::isCodecAvailable(codec))
        QSKIP("codec not in this FFmpeg build");
    QFETCH(bool, opens);
    const QString path = m_dir.filePath(fileName);
    EncodeStats stats;
    const Error encodeError = encodePattern(path, settingsFor(codec, 320, 240, 25), 0, {}, &stats);
    QVERIFY2(!encodeError.isError(), qPrintable(encodeError.message));
    QCOMPARE(stats.frames, 0);
    QCOMPARE(stats.durationSec, 0.0);
    QVERIFY(QFileInfo(path).size() > 0);

    VideoFileSource source;
    const Error error = source.open(path);
    if (!opens) {
        QCOMPARE(error.code, ErrorCode::NotAVideo);
        return;
    }
    QVERIFY2(!error.isError(), qPrintable(error.message));
    VideoFrame frame;
    QCOMPARE(source.read(frame), ReadStatus::EndOfStream);
    QCOMPARE(source.read(frame), ReadStatus::EndOfStream);
    QCOMPARE(source.decodeErrorCount(), 0);
}

// ---------------------------------------------------------------------------------------------
// Pixel formats, rotation, scaling

void TstVideo::pixelFormats_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QString>("codec");
    QTest::addColumn<QString>("pixelFormat");
    QTest::addColumn<double>("minPsnrDb");
    QTest::newRow("ffv1-yuv420p10le") << "p10.mkv"
                                      << "ffv1"
                                      << "yuv420p10le" << 30.0;
    QTest::newRow("x265-yuv420p10le") << "p10-x265.mp4"
                                      << "x265"
                                      << "yuv420p10le" << 30.0;
    QTest::newRow("ffv1-yuv444p") << "p444.mkv"
                                  << "ffv1"
                                  << "yuv444p" << 40.0;
    QTest::newRow("x264-yuv444p") << "p444-x264.mp4"
                                  << "x264"
                                  << "yuv444p" << 35.0;
    QTest::newRow("ffv1-yuv444p10le") << "p444-10.mkv"
                                      << "ffv1"
                                      << "yuv444p10le" << 45.0;
    QTest::newRow("ffv1-gbrp10le") << "gbrp10.mkv"
                                   << "ffv1"
                                   << "gbrp10le" << 50.0;
    QTest::newRow("raw-yuv420p-avi") << "raw420.avi"
                                     << "raw"
                                     << "yuv420p" << 30.0;
    QTest::newRow("raw-yuv420p-mkv") << "raw420.mkv"
                                     << "raw"
                                     << "yuv420p" << 30.0;
    QTest::newRow("mjpeg-yuvj444p") << "j444.avi"
                                    << "mjpeg"
                                    << "yuvj444p" << 30.0;
}

void TstVideo::pixelFormats()
{
    QFETCH(QString, fileName);
    QFETCH(QString, codec);
    if (!VideoEncoder::isCodecAvailable(codec))
        QSKIP("codec not in this FFmpeg build");
    QFETCH(QString, pixelFormat);
    QFETCH(double, minPsnrDb);
    EncoderSettings settings = settingsFor(codec, 320, 240, 25);
    settings.pixelFormat = pixelFormat;
    settings.crf = codec == QLatin1String("mjpeg") ? 2 : 12;
    const QString path = m_dir.filePath(fileName);
    const Error error = encodePattern(path, settings, 10);
    if (error.code == ErrorCode::Unsupported && codec == QLatin1String("x265"))
        QSKIP("this libx265 has no 10-bit support");
    QVERIFY2(!error.isError(), qPrintable(error.message));

    const Decoded decoded = decodeAll(path);
    QVERIFY2(!decoded.openError.isError(), qPrintable(decoded.openError.message));
    QCOMPARE(decoded.info.pixelFormat, pixelFormat);
    QCOMPARE(int(decoded.frames.size()), 10);
    for (int k = 0; k < 10; ++k) {
        const double psnr = psnrDb(decoded.frames[k].bgr, testPattern(320, 240, k));
        QVERIFY2(psnr >= minPsnrDb, qPrintable(QStringLiteral("frame %1: %2 dB").arg(k).arg(psnr)));
    }
}

void TstVideo::greyMask()
{
    // Masks (CV_8UC1) are stored single-channel and losslessly with ffv1, and read back as BGR
    // with three equal channels.
    cv::Mat mask(120, 161, CV_8UC1); // odd width: no chroma subsampling for grey ffv1
    EncoderSettings settings = settingsFor(QStringLiteral("ffv1"), mask.cols, mask.rows, 30);
    settings.grey = true;
    const QString path = m_dir.filePath(QStringLiteral("mask.mkv"));
    VideoEncoder encoder;
    QVERIFY(!encoder.open(path, settings).isError());
    std::vector<cv::Mat> masks;
    for (int k = 0; k < 5; ++k) {
        mask.setTo(0);
        cv::ellipse(mask, cv::Point(40 + 10 * k, 60), cv::Size(30, 40), 0, 0, 360, 255, cv::FILLED);
        mask.at<uint8_t>(0, 0) = uint8_t(k * 50 + 1);
        masks.push_back(mask.clone());
        QVERIFY(!encoder.write(mask).isError());
    }
    // A colour frame into a grey encoder is a usage error, not a crash.
    QCOMPARE(encoder.write(cv::Mat(120, 161, CV_8UC3)).code, ErrorCode::Usage);
    QVERIFY(!encoder.finish().isError());
    QVERIFY(!encoder.finish().isError()); // twice is harmless

    const Decoded decoded = decodeAll(path);
    QVERIFY2(!decoded.openError.isError(), qPrintable(decoded.openError.message));
    QCOMPARE(decoded.info.pixelFormat, QStringLiteral("gray"));
    QCOMPARE(int(decoded.frames.size()), 5);
    for (int k = 0; k < 5; ++k) {
        cv::Mat grey;
        cv::cvtColor(decoded.frames[k].bgr, grey, cv::COLOR_BGR2GRAY);
        QCOMPARE(cv::norm(grey, masks[k], cv::NORM_INF), 0.0);
    }
}

void TstVideo::rotation_data()
{
    QTest::addColumn<QString>("extension");
    QTest::addColumn<int>("rotationDeg");
    QTest::newRow("mp4-90") << "mp4" << 90;
    QTest::newRow("mp4-180") << "mp4" << 180;
    QTest::newRow("mov-270") << "mov" << 270;
    QTest::newRow("mp4-0") << "mp4" << 0;
}

void TstVideo::rotation()
{
    QFETCH(QString, extension);
    QFETCH(int, rotationDeg);
    const int width = 320, height = 240;
    EncoderSettings settings = settingsFor(QStringLiteral("x264"), width, height, 25);
    settings.crf = 12;
    settings.rotationDeg = rotationDeg;
    const QString path = m_dir.filePath(QStringLiteral("rot%1.%2").arg(rotationDeg).arg(extension));
    const Error error = encodePattern(path, settings, 5);
    QVERIFY2(!error.isError(), qPrintable(error.message));

    const bool quarterTurn = rotationDeg == 90 || rotationDeg == 270;
    const Decoded upright = decodeAll(path);
    QVERIFY2(!upright.openError.isError(), qPrintable(upright.openError.message));
    QCOMPARE(upright.info.rotationDeg, rotationDeg);
    QCOMPARE(upright.info.width, quarterTurn ? height : width);
    QCOMPARE(upright.info.height, quarterTurn ? width : height);
    QCOMPARE(int(upright.frames.size()), 5);
    for (int k = 0; k < 5; ++k) {
        cv::Mat expected = testPattern(width, height, k);
        if (rotationDeg != 0) {
            cv::rotate(expected, expected,
                       rotationDeg == 90    ? cv::ROTATE_90_CLOCKWISE
                       : rotationDeg == 180 ? cv::ROTATE_180
                                            : cv::ROTATE_90_COUNTERCLOCKWISE);
        }
        QCOMPARE(upright.frames[k].bgr.cols, upright.info.width);
        QVERIFY(psnrDb(upright.frames[k].bgr, expected) > 30);
    }

    VideoFileSourceOptions asStored;
    asStored.applyRotation = false;
    const Decoded stored = decodeAll(path, asStored);
    QCOMPARE(stored.info.rotationDeg, 0);
    QCOMPARE(stored.info.width, width);
    QCOMPARE(stored.frames.front().bgr.cols, width);
}

void TstVideo::maxWidth()
{
    const QString path = m_dir.filePath(QStringLiteral("big.mkv"));
    QVERIFY(!encodePattern(path, settingsFor(QStringLiteral("ffv1"), 640, 480, 25), 3).isError());
    VideoFileSourceOptions options;
    options.maxWidth = 320;
    const Decoded decoded = decodeAll(path, options);
    QCOMPARE(decoded.info.width, 320);
    QCOMPARE(decoded.info.height, 240);
    QCOMPARE(int(decoded.frames.size()), 3);
    cv::Mat expected;
    cv::resize(testPattern(640, 480, 0), expected, cv::Size(320, 240), 0, 0, cv::INTER_AREA);
    QCOMPARE(decoded.frames[0].bgr.size(), cv::Size(320, 240));
    QVERIFY(psnrDb(decoded.frames[0].bgr, expected) > 30);

    options.maxWidth = 1000; // never upscales
    QCOMPARE(decodeAll(path, options).info.width, 640);
}

// ---------------------------------------------------------------------------------------------
// Encoder errors and capabilities

void TstVideo::encoderErrors()
{
    VideoEncoder encoder;
    // 4:2:0 needs even sizes; the codec study crops instead.
    Error error = encoder.open(m_dir.filePath(QStringLiteral("odd.mp4")),
                               settingsFor(QStringLiteral("x264"), 321, 240, 25));
    QCOMPARE(error.code, ErrorCode::Unsupported);
    QVERIFY(error.message.contains(QStringLiteral("321x240")));
    QCOMPARE(encoder
                 .open(m_dir.filePath(QStringLiteral("odd.mkv")),
                       settingsFor(QStringLiteral("mpeg4"), 320, 239, 25))
                 .code,
             ErrorCode::Unsupported);
    // Lossless BGR storage has no subsampling, so odd sizes are fine.
    QVERIFY(!encodePattern(m_dir.filePath(QStringLiteral("odd.avi")),
                           settingsFor(QStringLiteral("ffv1"), 321, 241, 25), 2)
                 .isError());

    const QString missingDir = m_dir.filePath(QStringLiteral("no/such/dir/out.mp4"));
    error = encoder.open(missingDir, settingsFor(QStringLiteral("x264"), 320, 240, 25));
    QCOMPARE(error.code, ErrorCode::WriteFailed);
    QVERIFY(!error.message.contains(QLatin1Char('\n')));
    QVERIFY(QDir(m_dir.path()).mkdir(QStringLiteral("taken.mkv"))); // a directory in the way
    QCOMPARE(encoder
                 .open(m_dir.filePath(QStringLiteral("taken.mkv")),
                       settingsFor(QStringLiteral("ffv1"), 320, 240, 25))
                 .code,
             ErrorCode::WriteFailed);

    QCOMPARE(encoder
                 .open(m_dir.filePath(QStringLiteral("x.mp4")),
                       settingsFor(QStringLiteral("vp9000"), 320, 240, 25))
                 .code,
             ErrorCode::Unsupported);
    EncoderSettings badFormat = settingsFor(QStringLiteral("mpeg4"), 320, 240, 25);
    badFormat.pixelFormat = QStringLiteral("yuv444p12le");
    QCOMPARE(encoder.open(m_dir.filePath(QStringLiteral("x.mp4")), badFormat).code,
             ErrorCode::Unsupported);
    badFormat.pixelFormat = QStringLiteral("not-a-format");
    QCOMPARE(encoder.open(m_dir.filePath(QStringLiteral("x.mp4")), badFormat).code,
             ErrorCode::Usage);
    EncoderSettings rotatedMkv = settingsFor(QStringLiteral("x264"), 320, 240, 25);
    rotatedMkv.rotationDeg = 90;
    QCOMPARE(encoder.open(m_dir.filePath(QStringLiteral("rot.mkv")), rotatedMkv).code,
             ErrorCode::Unsupported);
    QCOMPARE(encoder
                 .open(m_dir.filePath(QStringLiteral("x.mp4")),
                       settingsFor(QStringLiteral("x264"), 0, 240, 25))
                 .code,
             ErrorCode::Usage);
    QCOMPARE(encoder
                 .open(m_dir.filePath(QStringLiteral("x.unknownext")),
                       settingsFor(QStringLiteral("x264"), 320, 240, 25))
                 .code,
             ErrorCode::Usage);
    QCOMPARE(encoder.write(cv::Mat(240, 320, CV_8UC3)).code, ErrorCode::Usage); // not open

    // Wrong frame size is refused; abort() removes the partial file.
    const QString partial = m_dir.filePath(QStringLiteral("partial.mkv"));
    QVERIFY(!encoder.open(partial, settingsFor(QStringLiteral("x264"), 320, 240, 25)).isError());
    QVERIFY(!encoder.write(testPattern(320, 240, 0)).isError());
    QCOMPARE(encoder.write(testPattern(160, 120, 1)).code, ErrorCode::Usage);
    QVERIFY(QFile::exists(partial));
    encoder.abort();
    QVERIFY(!QFile::exists(partial));
}

void TstVideo::availableCodecs()
{
    const QStringList codecs = VideoEncoder::availableCodecs();
    qInfo("encoders in this FFmpeg build: %s", qPrintable(codecs.join(QStringLiteral(", "))));
    for (const QString &codec : {QStringLiteral("mpeg4"), QStringLiteral("ffv1"),
                                 QStringLiteral("mjpeg"), QStringLiteral("raw")})
        QVERIFY2(codecs.contains(codec), qPrintable(codec)); // FFmpeg's native encoders
    QCOMPARE(VideoEncoder::isCodecAvailable(QStringLiteral("h264")), codecs.contains("x264"));
    QCOMPARE(VideoEncoder::isCodecAvailable(QStringLiteral("hevc")), codecs.contains("x265"));
    QCOMPARE(VideoEncoder::isCodecAvailable(QStringLiteral("libx264")), codecs.contains("x264"));
    QVERIFY(!VideoEncoder::isCodecAvailable(QStringLiteral("vp9000")));
}

// ---------------------------------------------------------------------------------------------
// Streaming, seeking, speed

void TstVideo::memoryDoesNotGrow()
{
    const QString path = m_dir.filePath(QStringLiteral("long.mp4"));
    EncoderSettings settings = settingsFor(QStringLiteral("x264"), 160, 120, 30);
    settings.preset = QStringLiteral("ultrafast");
    QVERIFY(!encodePattern(path, settings, 600).isError());

    VideoFileSource source;
    QVERIFY(!source.open(path).isError());
    VideoFrame frame;
    int frames = 0;
    int64_t residentAt50 = 0;
    while (source.read(frame) == ReadStatus::Frame) {
        if (++frames == 50)
            residentAt50 = residentBytes();
    }
    const int64_t residentAtEnd = residentBytes();
    QCOMPARE(frames, 600);
    qInfo("resident memory after frame 50: %lld KiB, after frame 600: %lld KiB",
          qlonglong(residentAt50 / 1024), qlonglong(residentAtEnd / 1024));
    QVERIFY(residentAt50 > 0);
    QVERIFY(residentAtEnd - residentAt50 < 4 * 1024 * 1024);
}

void TstVideo::seek_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QString>("codec");
    QTest::newRow("mp4-x264") << "seek.mp4"
                              << "x264";
    QTest::newRow("mkv-ffv1") << "seek.mkv"
                              << "ffv1";
    QTest::newRow("avi-mjpeg") << "seek.avi"
                               << "mjpeg";
    QTest::newRow("mov-x265") << "seek.mov"
                              << "x265";
}

void TstVideo::seek()
{
    QFETCH(QString, fileName);
    QFETCH(QString, codec);
    if (!VideoEncoder::isCodecAvailable(codec))
        QSKIP("codec not in this FFmpeg build");
    const double fps = 25;
    const int frameCount = 100;
    EncoderSettings settings = settingsFor(codec, 160, 120, fps);
    settings.gopFrames = 30;
    settings.crf = codec == QLatin1String("mjpeg") ? 3 : 18;
    const QString path = m_dir.filePath(fileName);
    QVERIFY(!encodePattern(path, settings, frameCount).isError());

    VideoFileSource source;
    QVERIFY(!source.open(path).isError());
    VideoFrame frame;
    // Seek before reading anything, then forwards, then backwards.
    for (const double targetSec : {2.01, 3.5, 0.5, 0.0, 1.2}) {
        QVERIFY(source.seek(targetSec));
        QCOMPARE(source.read(frame), ReadStatus::Frame);
        const int64_t targetUs = std::llround(targetSec * 1e6);
        QVERIFY2(
            frame.ptsUs >= targetUs && frame.ptsUs < targetUs + 40000,
            qPrintable(
                QStringLiteral("seek to %1 s gave pts %2 µs").arg(targetSec).arg(frame.ptsUs)));
        const int k = int(std::llround(frame.ptsUs * fps / 1e6));
        QCOMPARE(frame.index, k);
        QVERIFY(psnrDb(frame.bgr, testPattern(160, 120, k)) > 28);
        VideoFrame next;
        QCOMPARE(source.read(next), ReadStatus::Frame);
        QCOMPARE(next.ptsUs, frame.ptsUs + 40000);
    }
    // Past the end: nothing more to read.
    if (source.seek(10.0)) {
        QCOMPARE(source.read(frame), ReadStatus::EndOfStream);
    }
    // And back again after the end.
    QVERIFY(source.seek(1.0));
    QCOMPARE(source.read(frame), ReadStatus::Frame);
    QCOMPARE(frame.ptsUs, int64_t(1000000));
}

// Not an assertion: prints decode + BGR conversion speed for a typical webcam-like file.
void TstVideo::decodeSpeed()
{
    const int width = 640, height = 480, frameCount = 300;
    const double fps = 30;
    EncoderSettings settings = settingsFor(QStringLiteral("x264"), width, height, fps);
    settings.bitrateBps = 1'000'000;
    settings.preset = QStringLiteral("veryfast");
    const QString path = m_dir.filePath(QStringLiteral("speed.mp4"));
    {
        VideoEncoder encoder;
        QVERIFY(!encoder.open(path, settings).isError());
        cv::RNG rng(3);
        for (int k = 0; k < frameCount; ++k)
            QVERIFY(!encoder.write(noisyPattern(width, height, k, rng)).isError());
        QVERIFY(!encoder.finish().isError());
        qInfo("speed clip: %.0f kb/s", encoder.stats().achievedBitrateBps / 1000);
    }
    for (const bool keepFrames : {false, true}) {
        VideoFileSource source;
        QVERIFY(!source.open(path).isError()); // one decoder thread (the default)
        std::vector<VideoFrame> kept;
        VideoFrame frame;
        int frames = 0;
        QElapsedTimer timer;
        timer.start();
        while (source.read(frame) == ReadStatus::Frame) {
            ++frames;
            if (keepFrames)
                kept.push_back(frame);
        }
        const double seconds = timer.nsecsElapsed() * 1e-9;
        QCOMPARE(frames, frameCount);
        qInfo("decode + BGR, 640x480 H.264 1 Mb/s, 1 thread%s: %.0f frames/s",
              keepFrames ? " (frames kept)" : "", frames / seconds);
    }
}

QTEST_GUILESS_MAIN(TstVideo)
#include "tst_video.moc"
