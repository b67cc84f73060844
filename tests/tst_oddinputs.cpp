// Odd inputs through the real `rppg analyze` (issue 6, item 4): very large frames, a file with no
// video stream, several video streams, a rotated video, odd dimensions, 10-bit and 4:4:4 pixel
// formats, negative, jumping, wrapping and resetting timestamps. Each file is generated here with
// the FFmpeg libraries; its frames carry a known pulse (a skin-coloured field whose colour beats
// at 72 bpm), so "works" means the reported heart rate is right, and "fails" means a defined exit
// code with a one-line message.

#include "testsupport.h"
#include "videoencoder.h"
#include "videofilesource.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/core.hpp>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

using namespace rppg;

namespace {

constexpr double kHrBpm = 72.0;
constexpr double kTwoPi = 6.283185307179586;

// A skin-coloured field whose colour follows a 72 bpm pulse (green strongest), with a darker
// band at the top so that orientation is visible.
cv::Mat pulseFrame(int width, int height, double tSec)
{
    const double s = std::sin(kTwoPi * kHrBpm / 60.0 * tSec);
    cv::Mat m(height, width, CV_8UC3, cv::Scalar(120 + 1.0 * s, 150 + 3.0 * s, 200 + 1.5 * s));
    m.rowRange(0, std::max(1, height / 10)).setTo(cv::Scalar(20, 20, 20));
    return m;
}

struct StreamSpec
{
    bool audio = false;
    AVCodecID codec = AV_CODEC_ID_FFV1;
    int width = 320, height = 240;
    AVPixelFormat pixFmt = AV_PIX_FMT_YUV420P;
    std::vector<int64_t> ptsUs;   // one per frame, in the stream's own clock (may be negative)
    double audioSec = 0;          // audio: length
};

// Writes a file with the given streams through libavformat. Video frames are pulseFrame() at the
// frame's own time (so the pulse follows the timestamps). Returns an empty string on success.
QString muxFile(const QString &path, const char *format, const std::vector<StreamSpec> &specs,
                int avoidNegativeTs = AVFMT_AVOID_NEG_TS_AUTO)
{
    AVFormatContext *oc = nullptr;
    if (avformat_alloc_output_context2(&oc, nullptr, format, path.toUtf8().constData()) < 0 || !oc)
        return QStringLiteral("no muxer %1").arg(QLatin1String(format));
    struct Out
    {
        AVCodecContext *ctx = nullptr;
        AVStream *st = nullptr;
    };
    std::vector<Out> outs(specs.size());
    QString err;
    auto cleanup = [&] {
        for (Out &o : outs)
            avcodec_free_context(&o.ctx);
        if (!(oc->oformat->flags & AVFMT_NOFILE))
            avio_closep(&oc->pb);
        avformat_free_context(oc);
    };
    for (size_t i = 0; i < specs.size(); ++i) {
        const StreamSpec &s = specs[i];
        const AVCodec *codec = avcodec_find_encoder(s.audio ? AV_CODEC_ID_PCM_S16LE : s.codec);
        if (!codec) {
            cleanup();
            return QStringLiteral("no encoder");
        }
        Out &o = outs[i];
        o.st = avformat_new_stream(oc, nullptr);
        o.ctx = avcodec_alloc_context3(codec);
        if (s.audio) {
            o.ctx->sample_rate = 16000;
            o.ctx->sample_fmt = AV_SAMPLE_FMT_S16;
            av_channel_layout_default(&o.ctx->ch_layout, 1);
            o.ctx->time_base = {1, 16000};
        } else {
            o.ctx->width = s.width;
            o.ctx->height = s.height;
            o.ctx->pix_fmt = s.pixFmt;
            o.ctx->time_base = {1, 1000};
            o.ctx->gop_size = 10;
            o.ctx->max_b_frames = 0;
            if (s.codec == AV_CODEC_ID_MPEG4 || s.codec == AV_CODEC_ID_MPEG4) {
                o.ctx->flags |= AV_CODEC_FLAG_QSCALE;
                o.ctx->global_quality = FF_QP2LAMBDA * 2;
            }
        }
        if (oc->oformat->flags & AVFMT_GLOBALHEADER)
            o.ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
        if (avcodec_open2(o.ctx, codec, nullptr) < 0) {
            cleanup();
            return QStringLiteral("cannot open encoder for stream %1").arg(i);
        }
        avcodec_parameters_from_context(o.st->codecpar, o.ctx);
        o.st->time_base = o.ctx->time_base;
    }
    oc->avoid_negative_ts = avoidNegativeTs;
    if (!(oc->oformat->flags & AVFMT_NOFILE) && avio_open(&oc->pb, path.toUtf8().constData(), AVIO_FLAG_WRITE) < 0) {
        cleanup();
        return QStringLiteral("cannot create %1").arg(path);
    }
    if (avformat_write_header(oc, nullptr) < 0) {
        cleanup();
        return QStringLiteral("cannot write header");
    }
    AVPacket *pkt = av_packet_alloc();
    auto drain = [&](size_t i) {
        while (avcodec_receive_packet(outs[i].ctx, pkt) == 0) {
            av_packet_rescale_ts(pkt, outs[i].ctx->time_base, outs[i].st->time_base);
            pkt->stream_index = int(i);
            if (av_interleaved_write_frame(oc, pkt) < 0 && err.isEmpty())
                err = QStringLiteral("write failed on stream %1").arg(i);
        }
    };
    // Events in time order across streams: (time, stream, frame index).
    struct Event
    {
        int64_t tUs;
        size_t stream;
        size_t index;
    };
    std::vector<Event> events;
    for (size_t i = 0; i < specs.size(); ++i) {
        if (specs[i].audio) {
            const int chunks = int(specs[i].audioSec * 10);
            for (int k = 0; k < chunks; ++k)
                events.push_back({int64_t(k) * 100000, i, size_t(k)});
        } else {
            for (size_t k = 0; k < specs[i].ptsUs.size(); ++k)
                events.push_back({int64_t(k) * 1000, i, k});   // write order = frame order
        }
    }
    std::stable_sort(events.begin(), events.end(), [](const Event &a, const Event &b) { return a.tUs < b.tUs; });
    for (const Event &e : events) {
        const StreamSpec &s = specs[e.stream];
        Out &o = outs[e.stream];
        AVFrame *f = av_frame_alloc();
        if (s.audio) {
            f->nb_samples = 1600;
            f->format = AV_SAMPLE_FMT_S16;
            av_channel_layout_copy(&f->ch_layout, &o.ctx->ch_layout);
            f->sample_rate = 16000;
            av_frame_get_buffer(f, 0);
            auto *samples = reinterpret_cast<int16_t *>(f->data[0]);
            for (int n = 0; n < 1600; ++n)
                samples[n] = int16_t(6000 * std::sin(kTwoPi * 440.0 * (double(e.index) * 1600 + n) / 16000));
            f->pts = int64_t(e.index) * 1600;
        } else {
            const int64_t ptsUs = s.ptsUs[e.index];
            const cv::Mat bgr = pulseFrame(s.width, s.height, double(ptsUs) / 1e6);
            f->format = s.pixFmt;
            f->width = s.width;
            f->height = s.height;
            av_frame_get_buffer(f, 0);
            SwsContext *sws = sws_getContext(s.width, s.height, AV_PIX_FMT_BGR24, s.width, s.height, s.pixFmt,
                                             SWS_BILINEAR, nullptr, nullptr, nullptr);
            const uint8_t *src[1] = {bgr.data};
            const int srcStride[1] = {int(bgr.step)};
            sws_scale(sws, src, srcStride, 0, s.height, f->data, f->linesize);
            sws_freeContext(sws);
            f->pts = av_rescale_q(ptsUs, {1, 1000000}, o.ctx->time_base);
        }
        if (avcodec_send_frame(o.ctx, f) < 0 && err.isEmpty())
            err = QStringLiteral("encode failed on stream %1").arg(e.stream);
        av_frame_free(&f);
        drain(e.stream);
    }
    for (size_t i = 0; i < specs.size(); ++i) {
        avcodec_send_frame(outs[i].ctx, nullptr);
        drain(i);
    }
    av_packet_free(&pkt);
    if (av_write_trailer(oc) < 0 && err.isEmpty())
        err = QStringLiteral("cannot write trailer");
    cleanup();
    return err;
}

std::vector<int64_t> evenPts(int frames, double fps, int64_t startUs = 0)
{
    std::vector<int64_t> v(static_cast<size_t>(frames));
    for (int k = 0; k < frames; ++k)
        v[size_t(k)] = startUs + int64_t(std::llround(k * 1e6 / fps));
    return v;
}

StreamSpec video(int w, int h, AVPixelFormat fmt, std::vector<int64_t> pts, AVCodecID codec = AV_CODEC_ID_FFV1)
{
    StreamSpec s;
    s.width = w;
    s.height = h;
    s.pixFmt = fmt;
    s.ptsUs = std::move(pts);
    s.codec = codec;
    return s;
}

struct CliRun
{
    int code = -1;
    QByteArray out, err;
    QJsonObject json;
};

CliRun analyze(const QString &path, QStringList extra = {})
{
    CliRun r;
    QProcess p;
    p.start(QStringLiteral(RPPG_CLI_PATH),
            QStringList{QStringLiteral("analyze"), path, QStringLiteral("--roi"), QStringLiteral("full"),
                        QStringLiteral("--json"), QStringLiteral("--no-progress")}
                + extra);
    if (!p.waitForFinished(240000)) {
        p.kill();
        p.waitForFinished();
        r.code = -3;   // hang
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;   // -2: crashed
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    r.json = QJsonDocument::fromJson(r.out).object();
    return r;
}

// Frames of a decoded file: count, timestamps never decreasing, size.
struct Scan
{
    Error openError;
    VideoInfo info;
    int frames = 0;
    bool monotonic = true;
    int64_t firstUs = 0, lastUs = 0;
    cv::Size size;
    int repaired = 0;
};

Scan scan(const QString &path)
{
    Scan s;
    VideoFileSource src;
    s.openError = src.open(path);
    if (s.openError.isError())
        return s;
    s.info = src.info();
    VideoFrame f;
    int64_t last = INT64_MIN;
    while (src.read(f) == ReadStatus::Frame) {
        if (s.frames == 0) {
            s.firstUs = f.ptsUs;
            s.size = f.bgr.size();
        }
        s.monotonic = s.monotonic && f.ptsUs >= last;
        last = s.lastUs = f.ptsUs;
        ++s.frames;
    }
    s.repaired = src.repairedTimestampCount();
    return s;
}

} // namespace

class TstOddInputs : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString path(const QString &name) const { return m_dir.filePath(name); }

    // `rppg analyze` succeeds and reports 72 bpm within `tolBpm`.
    void expectHr(const QString &file, double tolBpm = 2.0)
    {
        const CliRun r = analyze(file);
        QVERIFY2(r.code == 0, qPrintable(QStringLiteral("exit %1: %2").arg(r.code).arg(QString::fromUtf8(r.err))));
        const double hr = r.json.value(QStringLiteral("hr_bpm")).toDouble(std::nan(""));
        QVERIFY2(std::abs(hr - kHrBpm) <= tolBpm, qPrintable(QStringLiteral("hr %1").arg(hr)));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        av_log_set_level(AV_LOG_ERROR);   // the encoders' notices are not test output
    }

    // 4K frames (3840×2160) decode at full size and analyse (ROI = whole frame).
    void fourK()
    {
        const QString f = path(QStringLiteral("uhd.mkv"));
        QCOMPARE(muxFile(f, "matroska", {video(3840, 2160, AV_PIX_FMT_YUV420P, evenPts(120, 10))}), QString());
        const Scan s = scan(f);
        QVERIFY(!s.openError.isError());
        QCOMPARE(s.frames, 120);
        QCOMPARE(s.size, cv::Size(3840, 2160));
        expectHr(f);
    }

    // Only an audio stream: exit 4 (not a video) with one line naming the problem.
    void audioOnly()
    {
        StreamSpec a;
        a.audio = true;
        a.audioSec = 3;
        const QString f = path(QStringLiteral("audio.mkv"));
        QCOMPARE(muxFile(f, "matroska", {a}), QString());
        const CliRun r = analyze(f);
        QCOMPARE(r.code, 4);
        const QByteArray line = r.err.trimmed();
        QVERIFY2(!line.contains('\n'), line.constData());
        QVERIFY2(line.toLower().contains("no video stream"), line.constData());
    }

    // Audio before video in the file, and two video streams of different sizes: the video is found
    // and the pulse measured.
    void severalStreams()
    {
        StreamSpec a;
        a.audio = true;
        a.audioSec = 12;
        const QString av = path(QStringLiteral("audio_video.mkv"));
        QCOMPARE(muxFile(av, "matroska", {a, video(320, 240, AV_PIX_FMT_YUV420P, evenPts(360, 30))}), QString());
        expectHr(av);

        const QString two = path(QStringLiteral("two_videos.mkv"));
        QCOMPARE(muxFile(two, "matroska",
                         {video(96, 64, AV_PIX_FMT_YUV420P, evenPts(360, 30)), video(320, 240, AV_PIX_FMT_YUV420P, evenPts(360, 30))}),
                 QString());
        const Scan s = scan(two);
        QVERIFY(!s.openError.isError());
        QCOMPARE(s.frames, 360);   // one stream's frames, not both interleaved
        QVERIFY(s.size == cv::Size(320, 240) || s.size == cv::Size(96, 64));
        expectHr(two);
    }

    // A display matrix (phone video): frames come out upright and the pulse is measured.
    void rotated()
    {
        if (!VideoEncoder::isCodecAvailable(QStringLiteral("x264")))
            QSKIP("x264 encoder not in this FFmpeg build");
        const QString f = path(QStringLiteral("rotated.mp4"));
        EncoderSettings es;
        es.codec = QStringLiteral("x264");
        es.crf = 12;
        es.width = 320;
        es.height = 240;
        es.fps = 30;
        es.rotationDeg = 90;
        VideoEncoder enc;
        QVERIFY(!enc.open(f, es).isError());
        for (int k = 0; k < 360; ++k)
            QVERIFY(!enc.write(pulseFrame(320, 240, k / 30.0)).isError());
        QVERIFY(!enc.finish().isError());
        const Scan s = scan(f);
        QVERIFY(!s.openError.isError());
        QCOMPARE(s.info.rotationDeg, 90);
        QCOMPARE(s.size, cv::Size(240, 320));
        expectHr(f);
    }

    // Odd sizes with 4:4:4 and 10-bit pixel formats (lossless FFV1), and 4:4:4 / 10-bit H.264.
    void pixelFormatsAndOddSizes_data()
    {
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("pixFmt");
        QTest::newRow("321x239 yuv444p") << 321 << 239 << int(AV_PIX_FMT_YUV444P);
        QTest::newRow("333x197 yuv444p10le") << 333 << 197 << int(AV_PIX_FMT_YUV444P10LE);
        QTest::newRow("320x240 yuv420p10le") << 320 << 240 << int(AV_PIX_FMT_YUV420P10LE);
        QTest::newRow("161x121 yuv420p") << 161 << 121 << int(AV_PIX_FMT_YUV420P);
        QTest::newRow("320x240 gbrp10le (planar RGB)") << 320 << 240 << int(AV_PIX_FMT_GBRP10LE);
    }
    void pixelFormatsAndOddSizes()
    {
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(int, pixFmt);
        const QString f = path(QStringLiteral("fmt_%1x%2_%3.mkv").arg(width).arg(height).arg(pixFmt));
        QCOMPARE(muxFile(f, "matroska", {video(width, height, AVPixelFormat(pixFmt), evenPts(360, 30))}), QString());
        const Scan s = scan(f);
        QVERIFY(!s.openError.isError());
        QCOMPARE(s.size, cv::Size(width, height));
        expectHr(f);
    }
    void h264HighBitDepthAnd444_data()
    {
        QTest::addColumn<QString>("pixFmt");
        QTest::newRow("yuv444p") << QStringLiteral("yuv444p");
        QTest::newRow("yuv420p10le") << QStringLiteral("yuv420p10le");
    }
    void h264HighBitDepthAnd444()
    {
        QFETCH(QString, pixFmt);
        if (!VideoEncoder::isCodecAvailable(QStringLiteral("x264")))
            QSKIP("x264 encoder not in this FFmpeg build");
        const QString f = path(QStringLiteral("h264_%1.mp4").arg(pixFmt));
        EncoderSettings es;
        es.codec = QStringLiteral("x264");
        es.crf = 10;
        es.width = 320;
        es.height = 240;
        es.pixelFormat = pixFmt;
        VideoEncoder enc;
        const Error e = enc.open(f, es);
        if (e.code == ErrorCode::Unsupported)
            QSKIP(qPrintable(QStringLiteral("this x264 build cannot encode %1: %2").arg(pixFmt, e.message)));
        QVERIFY2(!e.isError(), qPrintable(e.message));
        for (int k = 0; k < 360; ++k)
            QVERIFY(!enc.write(pulseFrame(320, 240, k / 30.0)).isError());
        QVERIFY(!enc.finish().isError());
        const Scan s = scan(f);
        QVERIFY(!s.openError.isError());
        QCOMPARE(s.info.pixelFormat, pixFmt);
        expectHr(f);
    }

    // The stream clock starts below zero: frames start at 0 and never go back.
    void negativeTimestamps()
    {
        const QString f = path(QStringLiteral("negative.mkv"));
        QCOMPARE(muxFile(f, "matroska", {video(320, 240, AV_PIX_FMT_YUV420P, evenPts(360, 30, -2000000))},
                         AVFMT_AVOID_NEG_TS_DISABLED),
                 QString());
        const Scan s = scan(f);
        QVERIFY(!s.openError.isError());
        QCOMPARE(s.frames, 360);
        QCOMPARE(s.firstUs, int64_t(0));
        QVERIFY(s.monotonic);
        expectHr(f);
    }

    // A forward jump (the camera paused for 3 s): the gap splits the signal, the HR is still found.
    void forwardJump()
    {
        std::vector<int64_t> pts = evenPts(360, 30);
        const std::vector<int64_t> after = evenPts(360, 30, 15000000);
        pts.insert(pts.end(), after.begin(), after.end());
        const QString f = path(QStringLiteral("jump.mkv"));
        QCOMPARE(muxFile(f, "matroska", {video(320, 240, AV_PIX_FMT_YUV420P, pts)}), QString());
        const Scan s = scan(f);
        QCOMPARE(s.frames, 720);
        QVERIFY(s.monotonic);
        QVERIFY2(s.lastUs > 26000000, "the gap is kept on the time line");
        expectHr(f);
    }

    // Two MPEG-TS recordings concatenated byte for byte: the clock goes back to the start half-way
    // (a camera or encoder restart). Timestamps are re-based and stay monotonic.
    void clockReset()
    {
        const QString a = path(QStringLiteral("seg_a.ts")), b = path(QStringLiteral("seg_b.ts"));
        QCOMPARE(muxFile(a, "mpegts", {video(320, 240, AV_PIX_FMT_YUV420P, evenPts(360, 30), AV_CODEC_ID_MPEG4)}), QString());
        // Segment b has its own clock from 0 again (its pulse restarts too).
        QCOMPARE(muxFile(b, "mpegts", {video(320, 240, AV_PIX_FMT_YUV420P, evenPts(360, 30, 0), AV_CODEC_ID_MPEG4)}), QString());
        QFile fa(a), fb(b);
        QVERIFY(fa.open(QIODevice::ReadOnly) && fb.open(QIODevice::ReadOnly));
        const QString joined = path(QStringLiteral("reset.ts"));
        QFile out(joined);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(fa.readAll() + fb.readAll());
        out.close();
        const Scan s = scan(joined);
        QVERIFY(!s.openError.isError());
        QVERIFY2(s.frames >= 700, qPrintable(QString::number(s.frames)));
        QVERIFY(s.monotonic);
        QVERIFY2(s.lastUs > 20000000 && s.lastUs < 30000000, qPrintable(QString::number(s.lastUs)));
        expectHr(joined);
    }

    // MPEG-TS timestamps wrap around 2^33 ticks of 90 kHz (26.5 h) part-way through the file.
    void timestampWrap()
    {
        const int64_t wrapUs = (int64_t(1) << 33) * 1000000 / 90000;
        const QString f = path(QStringLiteral("wrap.ts"));
        QCOMPARE(muxFile(f, "mpegts", {video(320, 240, AV_PIX_FMT_YUV420P, evenPts(360, 30, wrapUs - 5000000), AV_CODEC_ID_MPEG4)}),
                 QString());
        const Scan s = scan(f);
        QVERIFY(!s.openError.isError());
        QVERIFY2(s.frames >= 350, qPrintable(QString::number(s.frames)));
        QVERIFY(s.monotonic);
        QVERIFY2(s.lastUs > 11000000 && s.lastUs < 13000000, qPrintable(QString::number(s.lastUs)));
        expectHr(f);
    }
};

QTEST_GUILESS_MAIN(TstOddInputs)
#include "tst_oddinputs.moc"
