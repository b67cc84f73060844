#include "videofilesource.h"

#include <QFileInfo>
#include <QLoggingCategory>

#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstring>
#include <mutex>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
}

namespace rppg {

namespace {

// Warnings by default: FFmpeg's own error lines arrive as debug messages (enable them with
// QT_LOGGING_RULES="rppg.core.video.debug=true"), because damaged files are reported through
// decodeErrorCount() / truncated() and one summary warning instead of a line per bad packet.
Q_LOGGING_CATEGORY(lcVideo, "rppg.core.video", QtWarningMsg)

constexpr AVRational kMicrosecondTimeBase = {1, 1000000};
constexpr int64_t kDefaultFrameUs = 33333; // when the stream does not say its frame rate

// Hang guards for damaged files. Reading a packet moves through the file, so only failures that
// do not are bounded: demuxer errors before the end of the data, and decoder errors without new
// input in between. Past these the stream ends (as truncated) instead of spinning.
constexpr int kMaxConsecutiveDemuxErrors = 32;
constexpr int kMaxReceiveErrorsWithoutInput = 64;

// Formats FFmpeg detected with a score below this (a weak guess from a few bytes) are treated as
// "not a video": random bytes otherwise open as some raw elementary stream.
constexpr int kMinProbeScore = AVPROBE_SCORE_RETRY;

void ffmpegLogCallback(void *avClass, int level, const char *format, va_list args)
{
    if (level > av_log_get_level())
        return;
    const bool isSevere = level <= AV_LOG_FATAL;
    const QLoggingCategory &category = lcVideo();
    if (isSevere ? !category.isWarningEnabled() : !category.isDebugEnabled())
        return;
    // FFmpeg prints a "[h264 @ 0x...]" prefix only at the start of a line; the state is per
    // thread because decoders log from their own threads.
    thread_local int printPrefix = 1;
    char line[1024];
    av_log_format_line2(avClass, level, format, args, line, sizeof line, &printPrefix);
    size_t length = std::strlen(line);
    while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r'))
        line[--length] = '\0';
    if (length == 0)
        return;
    if (isSevere)
        qCWarning(lcVideo, "ffmpeg: %s", line);
    else
        qCDebug(lcVideo, "ffmpeg: %s", line);
}

QString avErrorText(int errnum)
{
    char buffer[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(errnum, buffer, sizeof buffer);
    return QString::fromUtf8(buffer);
}

bool isYuvjFormat(AVPixelFormat format)
{
    return format == AV_PIX_FMT_YUVJ420P || format == AV_PIX_FMT_YUVJ422P
           || format == AV_PIX_FMT_YUVJ444P || format == AV_PIX_FMT_YUVJ440P
           || format == AV_PIX_FMT_YUVJ411P;
}

// Clockwise rotation (0, 90, 180, 270) that shows the stream upright, from its display matrix.
int displayRotationDeg(const AVStream *stream)
{
    size_t size = 0;
    const uint8_t *sideData = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, &size);
    if (!sideData || size < 9 * sizeof(int32_t))
        return 0;
    // av_display_rotation_get() is counter-clockwise; the matrix is int32_t[9] by definition.
    const double counterClockwiseDeg
        = av_display_rotation_get(reinterpret_cast<const int32_t *>(sideData));
    if (std::isnan(counterClockwiseDeg))
        return 0;
    const long quarterTurns = std::lround(-counterClockwiseDeg / 90.0);
    return static_cast<int>(((quarterTurns % 4) + 4) % 4) * 90;
}

} // namespace

namespace detail {

// Shared with videoencoder.cpp. FFmpeg's default logger writes to stderr from any thread; ours
// drops everything below errors and routes the rest into the Qt category.
void installFfmpegLogHandler()
{
    static std::once_flag once;
    std::call_once(once, [] {
        av_log_set_level(AV_LOG_ERROR);
        av_log_set_callback(ffmpegLogCallback);
    });
}

} // namespace detail

struct VideoFileSource::Impl
{
    Impl() = default;
    Impl &operator=(Impl &&) = default;
    ~Impl() { freeResources(); }

    void freeResources()
    {
        sws_freeContext(sws);
        sws = nullptr;
        av_frame_free(&frame);
        av_packet_free(&packet);
        avcodec_free_context(&decoder);
        avformat_close_input(&format);
        stream = nullptr;
    }

    // Frees everything and returns every member to its initial value.
    void close()
    {
        freeResources();
        *this = Impl();
    }

    ReadStatus fail(ErrorCode code, const QString &message)
    {
        failed = true;
        error = makeError(code, message);
        qCWarning(lcVideo).noquote() << message;
        return ReadStatus::Error;
    }

    QString quotedPath() const { return QStringLiteral("'%1'").arg(info.path); }

    Error openError(ErrorCode code, const QString &reason)
    {
        error = makeError(code, QStringLiteral("cannot open %1: %2").arg(quotedPath(), reason));
        return error;
    }

    int64_t frameDurationUs(const AVFrame *decoded) const
    {
        if (decoded->pkt_duration > 0)
            return av_rescale_q(decoded->pkt_duration, stream->time_base, kMicrosecondTimeBase);
        return nominalFrameUs;
    }

    // Presentation time of a decoded frame in microseconds from the first frame, repaired so that
    // it never decreases. A missing pts is extrapolated by one frame. A pts that goes backwards is
    // first treated as a glitch (extrapolated, the time line unchanged); if the next frame is
    // behind as well, the stream's clock was reset and the time line is re-based there.
    int64_t presentationUs(const AVFrame *decoded)
    {
        const int64_t expectedUs = lastPtsUs == AV_NOPTS_VALUE ? 0 : lastPtsUs + lastDurationUs;
        int64_t ptsUs = expectedUs;
        if (decoded->best_effort_timestamp == AV_NOPTS_VALUE) {
            ++repairedTimestamps;
        } else {
            const int64_t rawUs = av_rescale_q(decoded->best_effort_timestamp, stream->time_base,
                                               kMicrosecondTimeBase);
            if (!hasOffset) {
                offsetUs = expectedUs - rawUs;
                hasOffset = true;
            }
            ptsUs = rawUs + offsetUs;
            if (lastPtsUs != AV_NOPTS_VALUE && ptsUs < lastPtsUs) {
                ++repairedTimestamps;
                if (previousWentBack)
                    offsetUs = expectedUs - rawUs;
                ptsUs = expectedUs;
                previousWentBack = true;
            } else {
                previousWentBack = false;
            }
        }
        lastPtsUs = ptsUs;
        lastDurationUs = frameDurationUs(decoded);
        return ptsUs;
    }

    // Output size (before rotation) for a decoded size: maxWidth limits the displayed width.
    void chooseOutputSize(int decodedWidth, int decodedHeight)
    {
        outputWidth = decodedWidth;
        outputHeight = decodedHeight;
        const bool quarterTurn = info.rotationDeg == 90 || info.rotationDeg == 270;
        const int displayWidth = quarterTurn ? decodedHeight : decodedWidth;
        if (options.maxWidth > 0 && displayWidth > options.maxWidth) {
            const double scale = static_cast<double>(options.maxWidth) / displayWidth;
            outputWidth = std::max(1, static_cast<int>(std::lround(decodedWidth * scale)));
            outputHeight = std::max(1, static_cast<int>(std::lround(decodedHeight * scale)));
        }
        info.width = quarterTurn ? outputHeight : outputWidth;
        info.height = quarterTurn ? outputWidth : outputHeight;
    }

    // Converts the decoded frame to BGR straight into the output matrix (no intermediate copy
    // unless the frame must be rotated).
    // swscale's SIMD converters write whole vectors and may run up to a few dozen bytes past the
    // end of a row (seen: 8 bytes past a 200-pixel-wide frame). Rows are padded and a spare row
    // follows the image, which is handed out as a view into that storage.
    static cv::Mat paddedBgr(int rows, int cols)
    {
        const int paddedCols = ((cols + 31) & ~31) + 32;
        cv::Mat storage(rows + 1, paddedCols, CV_8UC3);
        return storage(cv::Rect(0, 0, cols, rows));
    }

    bool convert(const AVFrame *decoded, cv::Mat &bgr)
    {
        const auto sourceFormat = static_cast<AVPixelFormat>(decoded->format);
        if (outputWidth <= 0 || outputHeight <= 0)
            chooseOutputSize(decoded->width, decoded->height);
        if (!sws || sourceFormat != swsSourceFormat || decoded->width != swsSourceWidth
            || decoded->height != swsSourceHeight || decoded->colorspace != swsColorspace
            || decoded->color_range != swsRange) {
            // Unscaled YUV→BGR takes swscale's special-cased converters whatever the flags;
            // SWS_POINT keeps the generic path (10-bit, 4:4:4) cheap too. Downscaling averages.
            const bool scaling = decoded->width != outputWidth || decoded->height != outputHeight;
            const int flags = scaling ? SWS_BILINEAR : SWS_POINT;
            sws = sws_getCachedContext(sws, decoded->width, decoded->height, sourceFormat,
                                       outputWidth, outputHeight, AV_PIX_FMT_BGR24, flags, nullptr,
                                       nullptr, nullptr);
            if (!sws)
                return false;
            const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(sourceFormat);
            const bool isYuv
                = desc && !(desc->flags & AV_PIX_FMT_FLAG_RGB) && desc->nb_components >= 3;
            if (isYuv) {
                // Follow the stream's matrix and range (unspecified means BT.601, as FFmpeg's
                // own tools assume); yuvj formats are full range by definition.
                const bool fullRange
                    = decoded->color_range == AVCOL_RANGE_JPEG || isYuvjFormat(sourceFormat);
                if (sws_setColorspaceDetails(sws, sws_getCoefficients(decoded->colorspace),
                                             fullRange ? 1 : 0, sws_getCoefficients(SWS_CS_DEFAULT),
                                             1, 0, 1 << 16, 1 << 16)
                    < 0) {
                    qCDebug(lcVideo) << "swscale ignores the colour matrix; BT.601 used";
                }
            }
            swsSourceFormat = sourceFormat;
            swsSourceWidth = decoded->width;
            swsSourceHeight = decoded->height;
            swsColorspace = decoded->colorspace;
            swsRange = decoded->color_range;
        }

        cv::Mat *target = &bgr;
        if (info.rotationDeg != 0) {
            target = &rotateScratch;
        } else if (bgr.u && __atomic_load_n(&bgr.u->refcount, __ATOMIC_ACQUIRE) == 1
                   && bgr.rows == outputHeight
                   && bgr.cols == outputWidth && bgr.type() == CV_8UC3) {
            // The caller's previous frame is referenced by nobody else: reuse its buffer instead
            // of allocating (and page-faulting) a new one. Frames the caller kept are untouched.
            // The count is read atomically with acquire order: another thread (the live worker)
            // may just have dropped its reference, and its reads of the pixels must be done
            // before this thread writes into them (ThreadSanitizer flagged the plain read).
        } else {
            bgr = paddedBgr(outputHeight, outputWidth);
        }
        if (target->rows != outputHeight || target->cols != outputWidth || target->type() != CV_8UC3)
            *target = paddedBgr(outputHeight, outputWidth);
        uint8_t *dstData[4] = {target->data, nullptr, nullptr, nullptr};
        int dstStride[4] = {static_cast<int>(target->step[0]), 0, 0, 0};
        if (sws_scale(sws, decoded->data, decoded->linesize, 0, decoded->height, dstData, dstStride)
            <= 0)
            return false;
        if (info.rotationDeg != 0) {
            const int code = info.rotationDeg == 90    ? cv::ROTATE_90_CLOCKWISE
                             : info.rotationDeg == 180 ? cv::ROTATE_180
                                                       : cv::ROTATE_90_COUNTERCLOCKWISE;
            cv::Mat rotated; // a fresh buffer: frames handed out are never written again
            cv::rotate(rotateScratch, rotated, code);
            bgr = rotated;
        }
        return true;
    }

    // Called when the demuxer reports the end: did the data stop before the container said it
    // would? Evidence, most reliable first: the sample index, the AVI frame count, the duration.
    bool endedEarly() const
    {
        if (format->pb && format->pb->error < 0) {
            qCDebug(lcVideo) << "ended early: I/O error";
            return true;
        }
        // mp4/mov (and complete mkv/avi) index every sample: data the index points at beyond the
        // end of the file is data that was cut off.
        const int64_t fileBytes = format->pb ? avio_size(format->pb) : -1;
        const int indexEntries = avformat_index_get_entries_count(stream);
        if (fileBytes > 0 && indexEntries > 0) {
            const AVIndexEntry *last = avformat_index_get_entry(stream, indexEntries - 1);
            if (last && last->pos + last->size > fileBytes) {
                qCDebug(lcVideo) << "ended early: index reaches byte" << last->pos + last->size
                                 << "of" << fileBytes;
                return true;
            }
        }
        // An AVI header counts its frames. (mov's count includes samples that an edit list
        // leaves out, so it is not compared.)
        const bool isMov = std::strstr(format->iformat->name, "mov") != nullptr;
        if (!isMov && !hasSeeked && stream->nb_frames > 0 && videoPackets < stream->nb_frames) {
            qCDebug(lcVideo) << "ended early: packets" << videoPackets << "of" << stream->nb_frames;
            return true;
        }
        // A duration guessed from the bit rate and the file size says nothing about truncation.
        if (format->duration_estimation_method == AVFMT_DURATION_FROM_BITRATE)
            return false;
        int64_t expectedEndUs = AV_NOPTS_VALUE;
        if (stream->duration != AV_NOPTS_VALUE && stream->duration > 0)
            expectedEndUs = av_rescale_q(stream->duration, stream->time_base, kMicrosecondTimeBase);
        else if (format->nb_streams == 1 && format->duration > 0)
            expectedEndUs = format->duration; // AV_TIME_BASE is microseconds
        if (expectedEndUs == AV_NOPTS_VALUE || lastPacketEndUs == AV_NOPTS_VALUE)
            return false;
        const int64_t toleranceUs = std::max<int64_t>(2 * nominalFrameUs, expectedEndUs / 50);
        qCDebug(lcVideo) << "end check: packets end at" << lastPacketEndUs << "µs, expected"
                         << expectedEndUs;
        return lastPacketEndUs + toleranceUs < expectedEndUs;
    }

    void notePacket(const AVPacket *p)
    {
        ++videoPackets;
        const int64_t ts = p->pts != AV_NOPTS_VALUE ? p->pts : p->dts;
        if (ts == AV_NOPTS_VALUE)
            return;
        const int64_t start = stream->start_time != AV_NOPTS_VALUE ? stream->start_time : 0;
        const int64_t endUs = av_rescale_q(ts - start + std::max<int64_t>(0, p->duration),
                                           stream->time_base, kMicrosecondTimeBase);
        lastPacketEndUs
            = lastPacketEndUs == AV_NOPTS_VALUE ? endUs : std::max(lastPacketEndUs, endUs);
    }

    void reachEnd()
    {
        endOfStream = true;
        if (truncated || decodeErrors > 0) {
            qCWarning(lcVideo).noquote()
                << QStringLiteral("%1: %2after %3 frames; %4 damaged packets or frames skipped")
                       .arg(quotedPath(),
                            truncated ? QStringLiteral("stream ended early (truncated file) ")
                                      : QStringLiteral("end of stream "))
                       .arg(framesDecoded)
                       .arg(decodeErrors);
        }
    }

    VideoFileSourceOptions options;
    VideoInfo info;
    Error error;

    AVFormatContext *format = nullptr;
    AVCodecContext *decoder = nullptr;
    AVStream *stream = nullptr;
    AVFrame *frame = nullptr;
    AVPacket *packet = nullptr;
    SwsContext *sws = nullptr;
    AVPixelFormat swsSourceFormat = AV_PIX_FMT_NONE;
    int swsSourceWidth = 0;
    int swsSourceHeight = 0;
    AVColorSpace swsColorspace = AVCOL_SPC_UNSPECIFIED;
    AVColorRange swsRange = AVCOL_RANGE_UNSPECIFIED;
    int outputWidth = 0; // before rotation
    int outputHeight = 0;
    cv::Mat rotateScratch;

    bool failed = false;
    bool flushSent = false; // the demuxer is done; the decoder is being drained
    bool endOfStream = false;
    bool truncated = false;
    bool hasSeeked = false;
    int decodeErrors = 0;
    int repairedTimestamps = 0;
    int consecutiveDemuxErrors = 0;
    int64_t videoPackets = 0;
    int64_t lastPacketEndUs = AV_NOPTS_VALUE;
    int64_t framesDecoded = 0;

    int64_t nominalFrameUs = kDefaultFrameUs;
    bool hasOffset = false;
    int64_t offsetUs = 0; // added to the stream's pts (in µs) to get ours
    int64_t lastPtsUs = AV_NOPTS_VALUE;
    int64_t lastDurationUs = kDefaultFrameUs;
    bool previousWentBack = false;
    int64_t seekTargetUs = -1; // frames before this are decoded but not returned
    int64_t nextIndex = 0;
};

VideoFileSource::VideoFileSource()
    : d(std::make_unique<Impl>())
{
}

VideoFileSource::~VideoFileSource() = default;

Error VideoFileSource::open(const QString &path, const VideoFileSourceOptions &options)
{
    detail::installFfmpegLogHandler();
    d->close();
    d->options = options;
    d->info.path = path;

    const QFileInfo fileInfo(path);
    if (!fileInfo.exists())
        return d->openError(ErrorCode::FileNotFound, QStringLiteral("file not found"));
    if (fileInfo.isDir())
        return d->openError(ErrorCode::FileNotFound, QStringLiteral("is a directory"));
    if (!fileInfo.isReadable())
        return d->openError(ErrorCode::FileNotFound, QStringLiteral("permission denied"));

    // "file:" and an absolute path: a name with a colon ("take:2.mp4") is not a protocol.
    const QByteArray url = "file:" + fileInfo.absoluteFilePath().toUtf8();
    // Local files only: a crafted playlist (.m3u8, .sdp) must not make FFmpeg reach the network.
    AVDictionary *demuxerOptions = nullptr;
    av_dict_set(&demuxerOptions, "protocol_whitelist", "file", 0);
    int ret = avformat_open_input(&d->format, url.constData(), nullptr, &demuxerOptions);
    av_dict_free(&demuxerOptions);
    if (ret < 0) {
        d->format = nullptr; // freed by avformat_open_input on failure
        if (ret == AVERROR(ENOENT) || ret == AVERROR(EACCES) || ret == AVERROR(EPERM))
            return d->openError(ErrorCode::FileNotFound, avErrorText(ret));
        return d->openError(ErrorCode::NotAVideo,
                            QStringLiteral("not a video file (%1)").arg(avErrorText(ret)));
    }
    const char *demuxerName = d->format->iformat->name;
    // The tty demuxer renders any .txt file as "video" of ANSI art.
    if (d->format->probe_score < kMinProbeScore || qstrcmp(demuxerName, "tty") == 0) {
        const Error error = d->openError(
            ErrorCode::NotAVideo, QStringLiteral("not a video file (only a weak match as %1)")
                                      .arg(QLatin1String(demuxerName)));
        d->close();
        d->error = error;
        return error;
    }
    d->info.containerName = QString::fromUtf8(demuxerName);

    // Failure here is not fatal (FFmpeg's own tools go on): the stream checks below decide.
    ret = avformat_find_stream_info(d->format, nullptr);
    if (ret < 0)
        qCDebug(lcVideo) << "stream info incomplete for" << path << ":" << avErrorText(ret);

    // Cover art (an attached picture) is not a video: an mp3 with a cover has one such stream.
    const AVCodec *decoderCodec = nullptr;
    int streamIndex = av_find_best_stream(d->format, AVMEDIA_TYPE_VIDEO, -1, -1, &decoderCodec, 0);
    if (streamIndex >= 0
        && (d->format->streams[streamIndex]->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
        streamIndex = AVERROR_STREAM_NOT_FOUND;
        for (unsigned i = 0; i < d->format->nb_streams; ++i) {
            const AVStream *candidate = d->format->streams[i];
            if (candidate->codecpar->codec_type == AVMEDIA_TYPE_VIDEO
                && !(candidate->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
                decoderCodec = avcodec_find_decoder(candidate->codecpar->codec_id);
                streamIndex = decoderCodec ? static_cast<int>(i) : AVERROR_DECODER_NOT_FOUND;
                if (decoderCodec)
                    break;
            }
        }
    }
    if (streamIndex == AVERROR_DECODER_NOT_FOUND || (streamIndex >= 0 && !decoderCodec)) {
        // Name the codec FFmpeg recognised, or else the container's tag for it (an AVI fourcc).
        QString codecName = QStringLiteral("this");
        for (unsigned i = 0; i < d->format->nb_streams; ++i) {
            const AVCodecParameters *candidate = d->format->streams[i]->codecpar;
            if (candidate->codec_type != AVMEDIA_TYPE_VIDEO)
                continue;
            if (candidate->codec_id != AV_CODEC_ID_NONE) {
                codecName = QString::fromUtf8(avcodec_get_name(candidate->codec_id));
            } else if (candidate->codec_tag != 0) {
                char fourcc[AV_FOURCC_MAX_STRING_SIZE] = {};
                av_fourcc_make_string(fourcc, candidate->codec_tag);
                codecName = QStringLiteral("'%1'").arg(QString::fromUtf8(fourcc));
            }
            break;
        }
        const Error error = d->openError(
            ErrorCode::Unsupported,
            QStringLiteral("no decoder for %1 video in this FFmpeg build").arg(codecName));
        d->close();
        d->error = error;
        return error;
    }
    if (streamIndex < 0) {
        const Error error = d->openError(ErrorCode::NotAVideo,
                                         QStringLiteral("not a video file (no video stream)"));
        d->close();
        d->error = error;
        return error;
    }
    d->stream = d->format->streams[streamIndex];
    const AVCodecParameters *par = d->stream->codecpar;

    // Any failure from here on is about this build's decoder, not the file's type.
    auto failOpen = [this](ErrorCode code, const QString &reason) {
        const Error error = d->openError(code, reason);
        d->close();
        d->error = error;
        return error;
    };
    d->decoder = avcodec_alloc_context3(decoderCodec);
    d->frame = av_frame_alloc();
    d->packet = av_packet_alloc();
    if (!d->decoder || !d->frame || !d->packet)
        return failOpen(ErrorCode::Internal, QStringLiteral("out of memory"));
    ret = avcodec_parameters_to_context(d->decoder, par);
    if (ret < 0)
        return failOpen(ErrorCode::Internal, avErrorText(ret));
    d->decoder->pkt_timebase = d->stream->time_base;
    d->decoder->thread_count = std::max(0, options.decoderThreads);
    ret = avcodec_open2(d->decoder, decoderCodec, nullptr);
    if (ret < 0) {
        return failOpen(ErrorCode::Unsupported,
                        QStringLiteral("the %1 decoder cannot open this stream (%2)")
                            .arg(QLatin1String(decoderCodec->name), avErrorText(ret)));
    }

    VideoInfo &info = d->info;
    info.codecName = QString::fromUtf8(avcodec_get_name(par->codec_id));
    if (const char *name = av_get_pix_fmt_name(static_cast<AVPixelFormat>(par->format)))
        info.pixelFormat = QString::fromUtf8(name);
    AVRational rate = d->stream->avg_frame_rate;
    if (rate.num <= 0 || rate.den <= 0)
        rate = d->stream->r_frame_rate;
    if (rate.num > 0 && rate.den > 0) {
        info.nominalFps = av_q2d(rate);
        d->nominalFrameUs
            = std::max<int64_t>(1, av_rescale_q(1, av_inv_q(rate), kMicrosecondTimeBase));
    }
    if (d->stream->duration != AV_NOPTS_VALUE && d->stream->duration > 0)
        info.durationSec = d->stream->duration * av_q2d(d->stream->time_base);
    else if (d->format->duration > 0)
        info.durationSec = static_cast<double>(d->format->duration) / AV_TIME_BASE;
    if (d->stream->nb_frames > 0)
        info.frameCountEstimate = d->stream->nb_frames;
    else if (info.durationSec > 0 && info.nominalFps > 0)
        info.frameCountEstimate = std::llround(info.durationSec * info.nominalFps);
    info.bitRateBps = par->bit_rate > 0 ? par->bit_rate : std::max<int64_t>(0, d->format->bit_rate);
    info.rotationDeg = options.applyRotation ? displayRotationDeg(d->stream) : 0;
    if (par->width > 0 && par->height > 0)
        d->chooseOutputSize(par->width, par->height);

    qCDebug(lcVideo) << "opened" << path << info.containerName << info.codecName << info.pixelFormat
                     << info.width << "x" << info.height << "rotation" << info.rotationDeg << "fps"
                     << info.nominalFps;
    return {};
}

bool VideoFileSource::isOpen() const
{
    return d->format != nullptr;
}

void VideoFileSource::close()
{
    d->close();
}

const VideoInfo &VideoFileSource::info() const
{
    return d->info;
}

ReadStatus VideoFileSource::read(VideoFrame &frame)
{
    if (!d->format) {
        d->error
            = makeError(ErrorCode::Usage, QStringLiteral("VideoFileSource::read: no file open"));
        return ReadStatus::Error;
    }
    if (d->failed)
        return ReadStatus::Error;
    if (d->endOfStream)
        return ReadStatus::EndOfStream;

    int receiveErrorsWithoutInput = 0;
    for (;;) {
        int ret = avcodec_receive_frame(d->decoder, d->frame);
        if (ret == 0) {
            ++d->framesDecoded;
            if (d->frame->flags & AV_FRAME_FLAG_CORRUPT)
                ++d->decodeErrors; // concealed damage: still worth showing, but counted
            const int64_t ptsUs = d->presentationUs(d->frame);
            if (d->seekTargetUs >= 0) {
                if (ptsUs < d->seekTargetUs) {
                    av_frame_unref(d->frame);
                    continue;
                }
                // Decode order indices restart after a seek; estimate where we landed.
                if (d->info.nominalFps > 0)
                    d->nextIndex = std::llround(ptsUs * 1e-6 * d->info.nominalFps);
                d->seekTargetUs = -1;
            }
            const bool converted = d->convert(d->frame, frame.bgr);
            const auto sourceFormat = static_cast<AVPixelFormat>(d->frame->format);
            av_frame_unref(d->frame);
            if (!converted) {
                const char *name = av_get_pix_fmt_name(sourceFormat);
                return d->fail(ErrorCode::Unsupported,
                               QStringLiteral("cannot convert %1: pixel format %2 is not supported")
                                   .arg(d->quotedPath(), QLatin1String(name ? name : "unknown")));
            }
            frame.ptsUs = ptsUs;
            frame.index = d->nextIndex++;
            return ReadStatus::Frame;
        }
        if (ret == AVERROR_EOF) {
            d->reachEnd();
            return ReadStatus::EndOfStream;
        }
        if (ret != AVERROR(EAGAIN)) {
            ++d->decodeErrors;
            if (++receiveErrorsWithoutInput > kMaxReceiveErrorsWithoutInput) {
                d->truncated = true;
                d->reachEnd();
                return ReadStatus::EndOfStream;
            }
            continue;
        }
        if (d->flushSent) {
            // A drained decoder that still asks for input: nothing more will come.
            d->reachEnd();
            return ReadStatus::EndOfStream;
        }

        ret = av_read_frame(d->format, d->packet);
        if (ret < 0) {
            const bool atEnd = ret == AVERROR_EOF || !d->format->pb || avio_feof(d->format->pb);
            if (!atEnd && ++d->consecutiveDemuxErrors <= kMaxConsecutiveDemuxErrors) {
                ++d->decodeErrors; // a damaged region the demuxer may resynchronise after
                continue;
            }
            // A read error at the end of the data, or errors without end: the file was cut.
            qCDebug(lcVideo) << "demuxer stopped:" << avErrorText(ret);
            d->truncated = d->truncated || ret != AVERROR_EOF || d->endedEarly();
            d->flushSent = true;
            ret = avcodec_send_packet(d->decoder, nullptr); // drain the frames still inside
            if (ret < 0 && ret != AVERROR_EOF) {
                d->reachEnd();
                return ReadStatus::EndOfStream;
            }
            continue;
        }
        d->consecutiveDemuxErrors = 0;
        if (d->packet->stream_index != d->stream->index) {
            av_packet_unref(d->packet);
            continue;
        }
        d->notePacket(d->packet);
        ret = avcodec_send_packet(d->decoder, d->packet);
        av_packet_unref(d->packet);
        receiveErrorsWithoutInput = 0;
        if (ret < 0 && ret != AVERROR(EAGAIN) && ret != AVERROR_EOF)
            ++d->decodeErrors; // a packet the decoder rejected; the next one may be fine
    }
}

Error VideoFileSource::lastError() const
{
    return d->error;
}

bool VideoFileSource::seek(double timeSec)
{
    if (!d->format || d->failed || !std::isfinite(timeSec))
        return false;
    timeSec = std::max(0.0, timeSec);
    if (!d->hasOffset) {
        // Nothing decoded yet: the first frame's pts is the container's start time.
        const int64_t start = d->stream->start_time != AV_NOPTS_VALUE ? d->stream->start_time : 0;
        d->offsetUs = -av_rescale_q(start, d->stream->time_base, kMicrosecondTimeBase);
        d->hasOffset = true;
    }
    const int64_t targetUs = std::llround(timeSec * 1e6);
    const int64_t targetTs
        = av_rescale_q(targetUs - d->offsetUs, kMicrosecondTimeBase, d->stream->time_base);
    const int ret = av_seek_frame(d->format, d->stream->index, targetTs, AVSEEK_FLAG_BACKWARD);
    if (ret < 0) {
        qCDebug(lcVideo) << "seek to" << timeSec << "s failed in" << d->info.path << ":"
                         << avErrorText(ret);
        return false;
    }
    avcodec_flush_buffers(d->decoder);
    d->flushSent = false;
    d->endOfStream = false;
    d->hasSeeked = true;
    d->consecutiveDemuxErrors = 0;
    d->lastPtsUs = AV_NOPTS_VALUE;
    d->previousWentBack = false;
    d->seekTargetUs = targetUs;
    return true;
}

int VideoFileSource::decodeErrorCount() const
{
    return d->decodeErrors;
}

bool VideoFileSource::truncated() const
{
    return d->truncated;
}

int VideoFileSource::repairedTimestampCount() const
{
    return d->repairedTimestamps;
}

} // namespace rppg
