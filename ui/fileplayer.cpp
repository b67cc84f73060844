#include "fileplayer.h"

#include "threadpriority.h"

#include "liveanalyzer.h"
#include "videofilesource.h"

#include <QLoggingCategory>
#include <QThread>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>

Q_LOGGING_CATEGORY(lcPlayer, "rppg.ui.player")

namespace rppg {

using Clock = std::chrono::steady_clock;

// State shared by the GUI-side API and the decode thread.
struct FilePlayer::Shared
{
    std::mutex mutex;
    std::condition_variable wake;
    bool stop = false;
    bool playing = true;
    bool seekPending = false;
    double seekSec = 0;
    uint64_t session = 0;
    PlaybackMode mode = PlaybackMode::RealTime;
    bool restartFromStart = false;   // setSession() after the end: play again from 0
    std::atomic<double> positionSec{0};
    std::atomic<double> durationSec{0};
    std::atomic<bool> atEnd{false};
    std::atomic<bool> playingNow{true};
};

FilePlayer::FilePlayer(LiveAnalyzer *analyzer, QObject *parent)
    : QObject(parent)
    , m_analyzer(analyzer)
    , m_shared(std::make_shared<Shared>())
{
    static const bool registered = [] {
        qRegisterMetaType<rppg::VideoInfo>("rppg::VideoInfo");
        return true;
    }();
    Q_UNUSED(registered);
}

FilePlayer::~FilePlayer()
{
    requestStop();
    wait();
}

void FilePlayer::open(const QString &path, uint64_t session, PlaybackMode mode)
{
    if (m_thread)
        return;   // one file per player
    m_path = path;
    {
        std::lock_guard<std::mutex> lock(m_shared->mutex);
        m_shared->session = session;
        m_shared->mode = mode;
    }
    auto shared = m_shared;
    m_thread = QThread::create([this, shared] { run(shared); });
    m_thread->setObjectName(QStringLiteral("rppg-decode"));
    m_thread->start();
}

QString FilePlayer::path() const { return m_path; }

void FilePlayer::setSession(uint64_t session)
{
    std::lock_guard<std::mutex> lock(m_shared->mutex);
    m_shared->session = session;
    if (m_shared->atEnd) {
        m_shared->seekPending = true;
        m_shared->seekSec = 0;
        m_shared->playing = true;
        m_shared->playingNow = true;
    }
    m_shared->wake.notify_all();
}

void FilePlayer::setPlaying(bool playing)
{
    std::lock_guard<std::mutex> lock(m_shared->mutex);
    if (playing && m_shared->atEnd) {   // play after the end: from the start
        m_shared->seekPending = true;
        m_shared->seekSec = 0;
    }
    m_shared->playing = playing;
    m_shared->playingNow = playing;
    m_shared->wake.notify_all();
}

bool FilePlayer::isPlaying() const { return m_shared->playingNow; }

void FilePlayer::seek(double timeSec, uint64_t session)
{
    std::lock_guard<std::mutex> lock(m_shared->mutex);
    m_shared->seekPending = true;
    m_shared->seekSec = std::max(0.0, timeSec);
    m_shared->session = session;
    m_shared->positionSec = m_shared->seekSec;
    m_shared->wake.notify_all();
}

void FilePlayer::setMode(PlaybackMode mode)
{
    std::lock_guard<std::mutex> lock(m_shared->mutex);
    m_shared->mode = mode;
    m_shared->wake.notify_all();
}

PlaybackMode FilePlayer::mode() const
{
    std::lock_guard<std::mutex> lock(m_shared->mutex);
    return m_shared->mode;
}

void FilePlayer::requestStop()
{
    std::lock_guard<std::mutex> lock(m_shared->mutex);
    m_shared->stop = true;
    m_shared->wake.notify_all();
}

void FilePlayer::wait()
{
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
    }
}

double FilePlayer::positionSec() const { return m_shared->positionSec; }
double FilePlayer::durationSec() const { return m_shared->durationSec; }
bool FilePlayer::atEnd() const { return m_shared->atEnd; }

void FilePlayer::run(std::shared_ptr<Shared> s)
{
    lowerCurrentThreadPriority();   // decoding yields to the window's thread
    VideoFileSource src;
    VideoFileSourceOptions options;
    options.decoderThreads = 1;   // the worker needs the other core
    options.maxWidth = 1280;      // tracking gains nothing from more pixels
    if (Error e = src.open(m_path, options); e.isError()) {
        Q_EMIT failed(e.message);
        return;
    }
    s->durationSec = src.info().durationSec;
    Q_EMIT opened(src.info());

    // Real-time pacing: media time `anchorPts` is shown at wall time `anchorWall`.
    Clock::time_point anchorWall;
    double anchorPts = std::nan("");
    double skipUntilSec = -1;
    PlaybackMode lastMode = PlaybackMode::RealTime;
    VideoFrame frame;
    for (;;) {
        uint64_t session;
        PlaybackMode mode;
        bool doSeek = false;
        double seekTo = 0;
        {
            std::unique_lock<std::mutex> lock(s->mutex);
            s->wake.wait(lock, [&] { return s->stop || s->seekPending || (s->playing && !s->atEnd); });
            if (s->stop)
                break;
            if (s->seekPending) {
                doSeek = true;
                seekTo = s->seekSec;
                s->seekPending = false;
                s->atEnd = false;
            }
            session = s->session;
            mode = s->mode;
        }
        if (doSeek) {
            if (!src.seek(seekTo)) {   // not seekable: reopen and skip forward
                src.close();
                if (Error e = src.open(m_path, options); e.isError()) {
                    Q_EMIT failed(e.message);
                    return;
                }
            }
            skipUntilSec = seekTo;
            anchorPts = std::nan("");
            continue;   // the seek may have come with a pause
        }
        if (mode != lastMode)
            anchorPts = std::nan("");
        lastMode = mode;

        const ReadStatus st = src.read(frame);
        if (st != ReadStatus::Frame) {
            if (st == ReadStatus::Error)
                qCWarning(lcPlayer) << "decode error:" << src.lastError().message;
            m_analyzer->endOfStream(InputPolicy::Backpressure, session);
            {
                std::lock_guard<std::mutex> lock(s->mutex);
                s->atEnd = true;
                s->playing = false;
                s->playingNow = false;
            }
            Q_EMIT finished();
            continue;
        }
        const double t = frame.ptsUs / 1e6;
        if (t < skipUntilSec - 1e-6)
            continue;
        skipUntilSec = -1;

        if (mode == PlaybackMode::RealTime) {
            const Clock::time_point now = Clock::now();
            if (!std::isfinite(anchorPts)) {
                anchorPts = t;
                anchorWall = now;
            }
            Clock::time_point due = anchorWall + std::chrono::microseconds(int64_t((t - anchorPts) * 1e6));
            if (now - due > std::chrono::milliseconds(300)) {   // fell behind (slow decode): re-anchor
                anchorPts = t;
                anchorWall = now;
                due = now;
            }
            std::unique_lock<std::mutex> lock(s->mutex);
            const bool interrupted = s->wake.wait_until(lock, due, [&] {
                return s->stop || s->seekPending || !s->playing || s->session != session;
            });
            if (interrupted && (s->stop || s->seekPending))
                continue;
            if (interrupted)
                anchorPts = std::nan("");   // paused or restarted: pacing starts over
            session = s->session;
        }
        s->positionSec = t;
        // A file never loses frames: when the analysis falls behind real time, playback waits
        // for it (and re-anchors its clock above) instead of dropping. Dropping stale frames is
        // for live sources, which cannot wait.
        m_analyzer->submit(frame, InputPolicy::Backpressure, session);
    }
}

} // namespace rppg
