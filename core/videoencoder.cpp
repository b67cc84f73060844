#include "videoencoder.h"

#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>

#include <algorithm>
#include <climits>
#include <cmath>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
}

namespace rppg {

namespace detail {
// Defined in videofilesource.cpp: routes FFmpeg's log into "rppg.core.video" (installed once).
void installFfmpegLogHandler();
} // namespace detail

namespace {

Q_LOGGING_CATEGORY(lcEncoder, "rppg.core.video", QtWarningMsg)

constexpr AVRational kMicrosecondTimeBase = {1, 1000000};

// How each name of EncoderSettings::codec maps onto an FFmpeg encoder and the pixel format used
// when the caller does not override it.
struct CodecSpec
{
    const char *name;        // canonical name (as listed by availableCodecs())
    const char *encoderName; // avcodec_find_encoder_by_name()
    AVPixelFormat colourFormat;
    AVPixelFormat greyFormat;
};

// ffv1 stores BGR as bgr0 (packed, alpha ignored) so that BGR input round-trips bit-exactly; raw
// video keeps bgr24. Grey masks stay single-channel for the lossless codecs and go through the
// usual 4:2:0 path for the others (neutral chroma).
const CodecSpec kCodecs[] = {
    {"x264", "libx264", AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUV420P},
    {"x265", "libx265", AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUV420P},
    {"mpeg4", "mpeg4", AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUV420P},
    {"mjpeg", "mjpeg", AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUVJ420P},
    {"ffv1", "ffv1", AV_PIX_FMT_BGR0, AV_PIX_FMT_GRAY8},
    {"raw", "rawvideo", AV_PIX_FMT_BGR24, AV_PIX_FMT_GRAY8},
};

const CodecSpec *findCodecSpec(const QString &codec)
{
    QString name = codec.trimmed().toLower();
    if (name == QLatin1String("h264") || name == QLatin1String("libx264"))
        name = QStringLiteral("x264");
    else if (name == QLatin1String("hevc") || name == QLatin1String("h265")
             || name == QLatin1String("libx265"))
        name = QStringLiteral("x265");
    else if (name == QLatin1String("rawvideo"))
        name = QStringLiteral("raw");
    for (const CodecSpec &spec : kCodecs) {
        if (name == QLatin1String(spec.name))
            return &spec;
    }
    return nullptr;
}

QString avErrorText(int errnum)
{
    char buffer[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(errnum, buffer, sizeof buffer);
    return QString::fromUtf8(buffer);
}

bool isWriteError(int errnum)
{
    return errnum == AVERROR(EIO) || errnum == AVERROR(ENOSPC) || errnum == AVERROR(EACCES)
           || errnum == AVERROR(EPERM) || errnum == AVERROR(EROFS) || errnum == AVERROR(ENOENT)
           || errnum == AVERROR(EDQUOT) || errnum == AVERROR(EFBIG);
}

bool encoderSupportsPixelFormat(const AVCodec *codec, AVPixelFormat format)
{
    if (!codec->pix_fmts)
        return true; // the encoder does not advertise a list; let avcodec_open2 decide
    for (const AVPixelFormat *p = codec->pix_fmts; *p != AV_PIX_FMT_NONE; ++p) {
        if (*p == format)
            return true;
    }
    return false;
}

bool isOneOf(const char *formatName, std::initializer_list<const char *> names)
{
    for (const char *name : names) {
        if (qstrcmp(formatName, name) == 0)
            return true;
    }
    return false;
}

enum class EncoderState { Closed, Open, Finished, Failed };

} // namespace

struct VideoEncoder::Impl
{
    ~Impl() { freeAll(); }

    // Releases every FFmpeg object; closes the output file without writing a trailer.
    void freeAll()
    {
        sws_freeContext(sws);
        sws = nullptr;
        av_frame_free(&frame);
        av_packet_free(&packet);
        avcodec_free_context(&encoder);
        if (format) {
            if (format->pb && !(format->oformat->flags & AVFMT_NOFILE))
                avio_closep(&format->pb);
            avformat_free_context(format);
            format = nullptr;
        }
        stream = nullptr;
    }

    Error fail(ErrorCode code, const QString &message)
    {
        state = EncoderState::Failed;
        error = makeError(code, message);
        return error;
    }

    QString quotedPath() const { return QStringLiteral("'%1'").arg(path); }

    // Moves every packet the encoder has ready into the muxer.
    Error drainPackets()
    {
        for (;;) {
            int ret = avcodec_receive_packet(encoder, packet);
            if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
                return {};
            if (ret < 0) {
                return fail(
                    ErrorCode::Internal,
                    QStringLiteral("encoding %1 failed: %2").arg(quotedPath(), avErrorText(ret)));
            }
            // Encoders rarely fill in durations; the muxer needs one for the last frame.
            if (packet->duration <= 0)
                packet->duration = frameDurationTicks;
            payloadBytes += packet->size;
            av_packet_rescale_ts(packet, encoder->time_base, stream->time_base);
            packet->stream_index = stream->index;
            ret = av_interleaved_write_frame(format, packet); // takes the packet's reference
            if (ret < 0) {
                return fail(
                    ErrorCode::WriteFailed,
                    QStringLiteral("cannot write %1: %2").arg(quotedPath(), avErrorText(ret)));
            }
        }
    }

    QString path;
    EncoderSettings settings;
    EncoderState state = EncoderState::Closed;
    Error error;

    AVFormatContext *format = nullptr;
    AVCodecContext *encoder = nullptr;
    AVStream *stream = nullptr;
    AVFrame *frame = nullptr;
    AVPacket *packet = nullptr;
    SwsContext *sws = nullptr;

    int64_t frameDurationTicks = 1;   // nominal frame duration in the encoder's time base
    int64_t lastPts = AV_NOPTS_VALUE; // in the encoder's time base
    bool warnedNonMonotonic = false;
    bool createdFile = false; // open() created (truncated) the output file
    int64_t frames = 0;
    int64_t firstPtsUs = 0;
    int64_t lastPtsUs = 0;
    int64_t payloadBytes = 0;
    int64_t fileBytes = 0;
};

VideoEncoder::VideoEncoder()
    : d(std::make_unique<Impl>())
{
}

// An encoder that is destroyed while open finishes its file, so that whatever was written stays
// playable; callers who want the file gone call abort().
VideoEncoder::~VideoEncoder()
{
    if (d->state == EncoderState::Open)
        finish();
}

Error VideoEncoder::open(const QString &path, const EncoderSettings &settings)
{
    detail::installFfmpegLogHandler();
    if (d->state == EncoderState::Open)
        finish();
    d = std::make_unique<Impl>();
    d->path = path;
    d->settings = settings;

    if (settings.width <= 0 || settings.height <= 0) {
        return d->fail(ErrorCode::Usage,
                       QStringLiteral("cannot encode %1: invalid frame size %2x%3")
                           .arg(d->quotedPath())
                           .arg(settings.width)
                           .arg(settings.height));
    }
    if (!(settings.fps > 0) || !std::isfinite(settings.fps) || settings.fps > 1000) {
        return d->fail(ErrorCode::Usage, QStringLiteral("cannot encode %1: invalid frame rate %2")
                                             .arg(d->quotedPath())
                                             .arg(settings.fps));
    }
    if (settings.rotationDeg % 90 != 0 || settings.rotationDeg < 0 || settings.rotationDeg >= 360) {
        return d->fail(
            ErrorCode::Usage,
            QStringLiteral("cannot encode %1: rotation must be 0, 90, 180 or 270, got %2")
                .arg(d->quotedPath())
                .arg(settings.rotationDeg));
    }

    const CodecSpec *spec = findCodecSpec(settings.codec);
    if (!spec) {
        return d->fail(ErrorCode::Unsupported,
                       QStringLiteral("cannot encode %1: unknown codec '%2'")
                           .arg(d->quotedPath(), settings.codec));
    }
    const AVCodec *codec = avcodec_find_encoder_by_name(spec->encoderName);
    if (!codec) {
        return d->fail(
            ErrorCode::Unsupported,
            QStringLiteral("cannot encode %1: codec '%2' (%3) is not in this FFmpeg build")
                .arg(d->quotedPath(), settings.codec, QLatin1String(spec->encoderName)));
    }

    AVPixelFormat pixelFormat = settings.grey ? spec->greyFormat : spec->colourFormat;
    if (!settings.pixelFormat.isEmpty()) {
        pixelFormat = av_get_pix_fmt(settings.pixelFormat.toUtf8().constData());
        if (pixelFormat == AV_PIX_FMT_NONE) {
            return d->fail(ErrorCode::Usage,
                           QStringLiteral("cannot encode %1: unknown pixel format '%2'")
                               .arg(d->quotedPath(), settings.pixelFormat));
        }
    }
    const char *pixelFormatName = av_get_pix_fmt_name(pixelFormat);
    if (!encoderSupportsPixelFormat(codec, pixelFormat)) {
        return d->fail(ErrorCode::Unsupported,
                       QStringLiteral("cannot encode %1: codec '%2' cannot store pixel format %3")
                           .arg(d->quotedPath(), settings.codec, QLatin1String(pixelFormatName)));
    }
    // Subsampled chroma needs whole chroma samples; we refuse rather than silently crop or pad, so
    // the codec study compares exactly the pixels it asked for.
    const AVPixFmtDescriptor *pixelDesc = av_pix_fmt_desc_get(pixelFormat);
    const int chromaAlignW = 1 << pixelDesc->log2_chroma_w;
    const int chromaAlignH = 1 << pixelDesc->log2_chroma_h;
    if (settings.width % chromaAlignW != 0 || settings.height % chromaAlignH != 0) {
        return d->fail(
            ErrorCode::Unsupported,
            QStringLiteral("cannot encode %1: %2 with pixel format %3 needs a frame size "
                           "divisible by %4x%5, got %6x%7 (crop the source)")
                .arg(d->quotedPath(), settings.codec, QLatin1String(pixelFormatName))
                .arg(chromaAlignW)
                .arg(chromaAlignH)
                .arg(settings.width)
                .arg(settings.height));
    }

    // "file:" and an absolute path: a name with a colon ("take:2.mp4") is not a protocol.
    const QByteArray url = "file:" + QFileInfo(path).absoluteFilePath().toUtf8();
    int ret = avformat_alloc_output_context2(&d->format, nullptr, nullptr, url.constData());
    if (ret < 0 || !d->format) {
        return d->fail(ErrorCode::Usage,
                       QStringLiteral("cannot encode %1: no container matches the file extension")
                           .arg(d->quotedPath()));
    }
    const AVOutputFormat *container = d->format->oformat;
    if (avformat_query_codec(container, codec->id, FF_COMPLIANCE_NORMAL) == 0) {
        return d->fail(
            ErrorCode::Unsupported,
            QStringLiteral("cannot encode %1: the %2 container cannot hold %3 video")
                .arg(d->quotedPath(), QLatin1String(container->name), QLatin1String(codec->name)));
    }
    const bool isMovFamily = isOneOf(container->name, {"mp4", "mov", "ipod", "psp", "3gp"});
    const bool isAvi = qstrcmp(container->name, "avi") == 0;
    if (settings.rotationDeg != 0 && !isMovFamily) {
        return d->fail(ErrorCode::Unsupported,
                       QStringLiteral("cannot encode %1: the %2 container cannot store a rotation")
                           .arg(d->quotedPath(), QLatin1String(container->name)));
    }

    // Time base: microseconds so that variable frame rate survives, except where the format
    // cannot take it. AVI indexes frames, so its time base is one frame; MPEG-4 part 2 limits the
    // denominator to 16 bits, so it gets milliseconds.
    const AVRational frameRate = av_d2q(settings.fps, 1000000);
    AVRational timeBase = kMicrosecondTimeBase;
    if (isAvi)
        timeBase = av_inv_q(av_d2q(settings.fps, 65535));
    else if (codec->id == AV_CODEC_ID_MPEG4)
        timeBase = AVRational{1, 1000};

    d->encoder = avcodec_alloc_context3(codec);
    if (!d->encoder)
        return d->fail(ErrorCode::Internal, QStringLiteral("out of memory allocating the encoder"));
    AVCodecContext *enc = d->encoder;
    enc->width = settings.width;
    enc->height = settings.height;
    enc->pix_fmt = pixelFormat;
    enc->time_base = timeBase;
    enc->framerate = frameRate;
    enc->sample_aspect_ratio = AVRational{1, 1};
    enc->thread_count = std::max(0, settings.threads);
    if (settings.gopFrames > 0)
        enc->gop_size = settings.gopFrames;
    // Our BGR→YUV conversion uses swscale's default (BT.601, limited range except for the JPEG
    // formats); say so in the stream so that players convert back with the same matrix.
    const bool isRgbStorage = pixelDesc->flags & AV_PIX_FMT_FLAG_RGB;
    const bool isGreyStorage = pixelDesc->nb_components == 1;
    if (!isRgbStorage && !isGreyStorage) {
        enc->colorspace = AVCOL_SPC_SMPTE170M;
        enc->color_primaries = AVCOL_PRI_SMPTE170M;
        enc->color_trc = AVCOL_TRC_SMPTE170M;
        const bool isJpegRange = pixelFormat == AV_PIX_FMT_YUVJ420P
                                 || pixelFormat == AV_PIX_FMT_YUVJ422P
                                 || pixelFormat == AV_PIX_FMT_YUVJ444P;
        enc->color_range = isJpegRange ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
    }
    if (container->flags & AVFMT_GLOBALHEADER)
        enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;

    AVDictionary *codecOptions = nullptr;
    bool optionsSet = true; // av_dict_set fails only without memory; checked once below
    auto setOption = [&optionsSet](AVDictionary **options, const char *key, const char *value) {
        optionsSet = av_dict_set(options, key, value, 0) >= 0 && optionsSet;
    };
    const bool isX26x = codec->id == AV_CODEC_ID_H264 || codec->id == AV_CODEC_ID_HEVC;
    const bool hasFfmpegRateControl
        = codec->id == AV_CODEC_ID_MPEG4 || codec->id == AV_CODEC_ID_MJPEG;
    if (isX26x) {
        const QString preset
            = settings.preset.isEmpty() ? QStringLiteral("medium") : settings.preset;
        setOption(&codecOptions, "preset", preset.toUtf8().constData());
        // x265 ignores thread_count and starts its own pool of worker threads and frame threads;
        // with one thread asked for, keep it to one (the codec study runs nine encoders at once,
        // and idle pools cost about 40 % extra CPU there).
        if (codec->id == AV_CODEC_ID_HEVC)
            setOption(&codecOptions, "x265-params",
                      settings.threads == 1 ? "log-level=error:pools=1:frame-threads=1" : "log-level=error");
    }
    if (settings.bitrateBps > 0) {
        // Average bit rate. FFmpeg's own rate control (mpeg4, mjpeg) takes the frame rate from the
        // time base, not from `framerate`: with a 1 ms tick it would budget a frame as 1/1000 s.
        // Scaling its rates by ticks per frame gives the right budget per frame; the stream
        // header gets the real rate back below. MPEG-4 part 2 also needs a buffer to aim at; it
        // still overshoots small targets, which is why stats() reports the achieved rate.
        const double rateScale
            = hasFfmpegRateControl ? 1.0 / (av_q2d(timeBase) * settings.fps) : 1.0;
        enc->bit_rate = std::llround(settings.bitrateBps * rateScale);
        if (codec->id == AV_CODEC_ID_MPEG4) {
            enc->rc_max_rate = 2 * enc->bit_rate;
            enc->rc_buffer_size
                = static_cast<int>(std::min<int64_t>(2 * settings.bitrateBps, INT_MAX));
        }
    } else if (isX26x && settings.crf >= 0) {
        setOption(&codecOptions, "crf", QByteArray::number(settings.crf).constData());
    } else if (hasFfmpegRateControl) {
        // FFmpeg's own default for these is 200 kb/s whatever the frame size, which makes a
        // useless video; a fixed quantiser of 3 is a sensible "good quality" default.
        const int qscale = settings.crf >= 0 ? std::clamp(settings.crf, 1, 31) : 3;
        enc->flags |= AV_CODEC_FLAG_QSCALE;
        enc->global_quality = FF_QP2LAMBDA * qscale;
    }
    if (codec->id == AV_CODEC_ID_FFV1) {
        // Version 3 has per-slice CRCs, so a damaged file loses slices instead of whole streams.
        setOption(&codecOptions, "level", "3");
        setOption(&codecOptions, "slicecrc", "1");
    }
    if (!optionsSet) {
        av_dict_free(&codecOptions);
        return d->fail(ErrorCode::Internal,
                       QStringLiteral("out of memory setting encoder options"));
    }
    ret = avcodec_open2(enc, codec, &codecOptions);
    av_dict_free(&codecOptions);
    if (ret < 0) {
        return d->fail(ErrorCode::Unsupported,
                       QStringLiteral("cannot encode %1: %2 rejected the settings (%3)")
                           .arg(d->quotedPath(), QLatin1String(codec->name), avErrorText(ret)));
    }
    d->frameDurationTicks
        = std::max<int64_t>(1, av_rescale_q(1, av_inv_q(frameRate), enc->time_base));

    d->stream = avformat_new_stream(d->format, nullptr);
    if (!d->stream)
        return d->fail(ErrorCode::Internal, QStringLiteral("out of memory allocating a stream"));
    ret = avcodec_parameters_from_context(d->stream->codecpar, enc);
    if (ret < 0) {
        return d->fail(
            ErrorCode::Internal,
            QStringLiteral("cannot encode %1: %2").arg(d->quotedPath(), avErrorText(ret)));
    }
    if (settings.bitrateBps > 0)
        d->stream->codecpar->bit_rate = settings.bitrateBps; // undo the rate-control scaling
    d->stream->time_base = enc->time_base; // a hint; the muxer may choose another in write_header
    d->stream->avg_frame_rate = frameRate;
    if (settings.rotationDeg != 0) {
        auto *matrix = reinterpret_cast<int32_t *>(
            av_stream_new_side_data(d->stream, AV_PKT_DATA_DISPLAYMATRIX, 9 * sizeof(int32_t)));
        if (!matrix)
            return d->fail(ErrorCode::Internal, QStringLiteral("out of memory for the rotation"));
        // av_display_rotation_set() takes the clockwise angle (av_display_rotation_get() returns
        // the counter-clockwise one, hence the sign flip when reading).
        av_display_rotation_set(matrix, settings.rotationDeg);
    }

    if (!(container->flags & AVFMT_NOFILE)) {
        ret = avio_open(&d->format->pb, url.constData(), AVIO_FLAG_WRITE);
        if (ret < 0) {
            return d->fail(
                ErrorCode::WriteFailed,
                QStringLiteral("cannot write %1: %2").arg(d->quotedPath(), avErrorText(ret)));
        }
        d->createdFile = true;
    }
    AVDictionary *muxerOptions = nullptr;
    // Matroska has no native raw RGB; its VFW compatibility mode (a BITMAPINFOHEADER, as in AVI)
    // stores it, and FFmpeg reads it back bit-exactly.
    if (codec->id == AV_CODEC_ID_RAWVIDEO && isRgbStorage
        && qstrcmp(container->name, "matroska") == 0)
        setOption(&muxerOptions, "allow_raw_vfw", "1");
    // The index goes to the front so that a file cut short (copy interrupted, disk full) still
    // plays up to the cut, and so that players can start before the whole file has arrived.
    if (isMovFamily)
        setOption(&muxerOptions, "movflags", "+faststart");
    ret = optionsSet ? avformat_write_header(d->format, &muxerOptions) : AVERROR(ENOMEM);
    av_dict_free(&muxerOptions);
    if (ret < 0) {
        const ErrorCode code = isWriteError(ret) ? ErrorCode::WriteFailed : ErrorCode::Unsupported;
        Error error
            = d->fail(code, QStringLiteral("cannot write %1: %2 (%3 in %4)")
                                .arg(d->quotedPath(), avErrorText(ret), QLatin1String(codec->name),
                                     QLatin1String(container->name)));
        abort();
        return error;
    }

    d->frame = av_frame_alloc();
    d->packet = av_packet_alloc();
    // From here on a failure leaves a header-only file behind; remove it.
    auto failAndRemove = [this](ErrorCode code, const QString &message) {
        Error error = d->fail(code, message);
        abort();
        return error;
    };
    if (!d->frame || !d->packet)
        return failAndRemove(ErrorCode::Internal,
                             QStringLiteral("out of memory allocating frames"));
    d->frame->format = pixelFormat;
    d->frame->width = settings.width;
    d->frame->height = settings.height;
    ret = av_frame_get_buffer(d->frame, 0);
    if (ret < 0)
        return failAndRemove(ErrorCode::Internal,
                             QStringLiteral("out of memory allocating frames"));

    // Accurate rounding: the pulse is a fraction of a grey level, so the conversion should not
    // add a bias of its own.
    const AVPixelFormat inputFormat = settings.grey ? AV_PIX_FMT_GRAY8 : AV_PIX_FMT_BGR24;
    d->sws = sws_getContext(settings.width, settings.height, inputFormat, settings.width,
                            settings.height, pixelFormat, SWS_BICUBIC | SWS_ACCURATE_RND, nullptr,
                            nullptr, nullptr);
    if (!d->sws) {
        return failAndRemove(ErrorCode::Unsupported,
                             QStringLiteral("cannot encode %1: no conversion from %2 to %3")
                                 .arg(d->quotedPath(),
                                      QLatin1String(av_get_pix_fmt_name(inputFormat)),
                                      QLatin1String(pixelFormatName)));
    }

    d->state = EncoderState::Open;
    qCDebug(lcEncoder) << "encoding" << path << "with" << codec->name << pixelFormatName << "in"
                       << container->name << "time base" << enc->time_base.num << "/"
                       << enc->time_base.den;
    return {};
}

Error VideoEncoder::write(const cv::Mat &frame, int64_t ptsUs)
{
    if (d->state == EncoderState::Failed)
        return d->error;
    if (d->state != EncoderState::Open)
        return makeError(ErrorCode::Usage,
                         QStringLiteral("VideoEncoder::write: encoder is not open"));
    const EncoderSettings &s = d->settings;
    const int expectedType = s.grey ? CV_8UC1 : CV_8UC3;
    if (frame.type() != expectedType || frame.cols != s.width || frame.rows != s.height) {
        return makeError(ErrorCode::Usage,
                         QStringLiteral("cannot encode %1: frame %2x%3 type %4 does not match the "
                                        "settings (%5x%6 %7)")
                             .arg(d->quotedPath())
                             .arg(frame.cols)
                             .arg(frame.rows)
                             .arg(frame.type())
                             .arg(s.width)
                             .arg(s.height)
                             .arg(s.grey ? QStringLiteral("CV_8UC1") : QStringLiteral("CV_8UC3")));
    }

    if (ptsUs < 0)
        ptsUs = std::llround(static_cast<double>(d->frames) * 1e6 / s.fps);
    int64_t pts = av_rescale_q_rnd(ptsUs, kMicrosecondTimeBase, d->encoder->time_base,
                                   AVRounding(AV_ROUND_NEAR_INF | AV_ROUND_PASS_MINMAX));
    // Encoders and muxers need strictly increasing pts; in a frame-based time base (AVI) two close
    // frames of a variable-rate input can round to the same tick.
    if (d->lastPts != AV_NOPTS_VALUE && pts <= d->lastPts) {
        if (!d->warnedNonMonotonic) {
            qCWarning(lcEncoder)
                << "encoding" << d->path
                << ": timestamps not increasing in the stream's time base; shifted";
            d->warnedNonMonotonic = true;
        }
        pts = d->lastPts + 1;
    }

    int ret = av_frame_make_writable(d->frame);
    if (ret < 0)
        return d->fail(ErrorCode::Internal,
                       QStringLiteral("out of memory: %1").arg(avErrorText(ret)));
    const uint8_t *srcData[1] = {frame.data};
    const int srcStride[1] = {static_cast<int>(frame.step[0])};
    if (sws_scale(d->sws, srcData, srcStride, 0, s.height, d->frame->data, d->frame->linesize)
        <= 0) {
        return d->fail(
            ErrorCode::Internal,
            QStringLiteral("encoding %1 failed: pixel conversion failed").arg(d->quotedPath()));
    }
    d->frame->pts = pts;

    ret = avcodec_send_frame(d->encoder, d->frame);
    if (ret < 0) {
        return d->fail(
            ErrorCode::Internal,
            QStringLiteral("encoding %1 failed: %2").arg(d->quotedPath(), avErrorText(ret)));
    }
    if (d->frames == 0)
        d->firstPtsUs = ptsUs;
    d->lastPtsUs = ptsUs;
    d->lastPts = pts;
    ++d->frames;
    return d->drainPackets();
}

Error VideoEncoder::finish()
{
    if (d->state == EncoderState::Finished)
        return {};
    if (d->state == EncoderState::Failed) {
        d->freeAll();
        return d->error;
    }
    if (d->state != EncoderState::Open)
        return makeError(ErrorCode::Usage,
                         QStringLiteral("VideoEncoder::finish: encoder is not open"));

    int ret = avcodec_send_frame(d->encoder, nullptr); // enter draining mode
    if (ret < 0 && ret != AVERROR_EOF) {
        d->fail(ErrorCode::Internal,
                QStringLiteral("encoding %1 failed: %2").arg(d->quotedPath(), avErrorText(ret)));
    } else {
        d->drainPackets();
    }
    if (d->state == EncoderState::Open) {
        ret = av_write_trailer(d->format);
        if (ret < 0) {
            d->fail(ErrorCode::WriteFailed,
                    QStringLiteral("cannot write %1: %2").arg(d->quotedPath(), avErrorText(ret)));
        }
    }
    if (d->format && d->format->pb && !(d->format->oformat->flags & AVFMT_NOFILE)) {
        ret = avio_closep(&d->format->pb);
        if (ret < 0 && d->state == EncoderState::Open) {
            d->fail(ErrorCode::WriteFailed,
                    QStringLiteral("cannot write %1: %2").arg(d->quotedPath(), avErrorText(ret)));
        }
    }
    d->freeAll();
    d->fileBytes = QFileInfo(d->path).size();
    if (d->state == EncoderState::Failed)
        return d->error;
    d->state = EncoderState::Finished;
    return {};
}

void VideoEncoder::abort()
{
    d->freeAll();
    // Only a file this encoder created: a failed open() must not delete what was there before.
    if (d->createdFile && d->state != EncoderState::Finished) {
        QFile::remove(d->path);
        d->createdFile = false;
        d->fileBytes = 0;
    }
    if (d->state == EncoderState::Open)
        d->state = EncoderState::Closed;
}

EncodeStats VideoEncoder::stats() const
{
    EncodeStats stats;
    stats.frames = d->frames;
    stats.fileBytes = d->fileBytes;
    if (d->state == EncoderState::Open && d->format && d->format->pb)
        stats.fileBytes = avio_tell(d->format->pb);
    if (d->frames > 0) {
        // The last frame lasts as long as the average frame (nominal 1/fps for a single frame).
        const double spanUs = static_cast<double>(d->lastPtsUs - d->firstPtsUs);
        const double frameUs
            = d->frames > 1 ? spanUs / static_cast<double>(d->frames - 1) : 1e6 / d->settings.fps;
        stats.durationSec = (spanUs + frameUs) * 1e-6;
    }
    if (stats.durationSec > 0)
        stats.achievedBitrateBps = static_cast<double>(d->payloadBytes) * 8.0 / stats.durationSec;
    return stats;
}

QStringList VideoEncoder::availableCodecs()
{
    QStringList names;
    for (const CodecSpec &spec : kCodecs) {
        if (avcodec_find_encoder_by_name(spec.encoderName))
            names << QLatin1String(spec.name);
    }
    return names;
}

bool VideoEncoder::isCodecAvailable(const QString &codec)
{
    const CodecSpec *spec = findCodecSpec(codec);
    return spec && avcodec_find_encoder_by_name(spec->encoderName);
}

} // namespace rppg
