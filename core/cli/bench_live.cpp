// rppg bench --parts live: does a method keep up with a camera on this machine? The frames of a
// synthetic video are handed to the live engine (the one behind the window) at the video's own
// rate with the camera's input policy — the newest frame wins, a frame the engine has no room for
// is dropped — while this thread decodes the next one, as the camera's conversion would. The
// application's camera path cannot be run here (no camera); this is that path minus Qt
// Multimedia. What a user sees follows from the figures: dropped frames thin the signal, and the
// lag is how far the heart rate on screen is behind the person.

#include "bench_live.h"

#include "liveanalyzer.h"
#include "videofilesource.h"

#include <QElapsedTimer>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace rppg::cli {

Result<LiveFeedResult> feedLive(const QString &video, const QString &method, const QStringList &compare,
                                const std::atomic<bool> *cancel, bool witnesses)
{
    VideoFileSource src;
    if (Error e = src.open(video); e.isError())
        return e;

    QElapsedTimer wall;
    std::mutex mutex;
    std::map<int64_t, double> fedAt;   // pts (µs) → wall second it was handed over
    std::vector<double> lags;
    LiveUpdatePtr first, last;
    double firstLag = NAN;
    QString error;
    const auto fedWall = [&](double timeSec) {
        const auto it = fedAt.lower_bound(int64_t(std::llround(timeSec * 1e6)));
        return it == fedAt.end() ? NAN : it->second;
    };
    // Declared after what its handlers touch, so that on every return it stops (its destructor
    // joins the worker) before those go.
    LiveAnalyzer analyzer;
    QObject::connect(&analyzer, &LiveAnalyzer::updateReady, &analyzer, [&](LiveUpdatePtr u) {
        const double now = wall.nsecsElapsed() / 1e9;
        std::lock_guard<std::mutex> lock(mutex);
        const double lag = now - fedWall(u->timeSec);
        // The final update waits for the end of the stream to be flushed, which a camera never is.
        if (std::isfinite(lag) && u->framesAnalysed > 0 && !u->endOfStream)
            lags.push_back(lag);
        if (!first && std::isfinite(u->hrBpm)) {
            first = u;
            firstLag = lag;
        }
        if (u->endOfStream)
            last = u;
    }, Qt::DirectConnection);
    QObject::connect(&analyzer, &LiveAnalyzer::errorOccurred, &analyzer, [&](const QString &message) {
        std::lock_guard<std::mutex> lock(mutex);
        error = message;
    }, Qt::DirectConnection);

    LiveConfig config;
    config.analysis.method = method;
    config.compareMethods = compare;
    if (!witnesses)
        config.analysis.witnessMethods.clear();
    config.updateEmitIntervalSec = 0;   // every update, so the lag is sampled every 0.5 s
    const uint64_t session = analyzer.start(config);
    // A camera is opened in a running application: the method has loaded before frames come.
    const auto loadDeadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
    while (!analyzer.hasWorkingConfig()) {
        {
            std::lock_guard<std::mutex> lock(mutex);
            if (!error.isEmpty())
                return Error{ErrorCode::Unsupported, QStringLiteral("%1: %2").arg(method, error)};
        }
        if (std::chrono::steady_clock::now() > loadDeadline)
            return Error{ErrorCode::Internal, QStringLiteral("%1 did not load within 2 minutes").arg(method)};
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }

    LiveFeedResult r;
    r.method = method;
    wall.start();
    VideoFrame frame;
    int64_t t0 = -1;
    int64_t lastPts = 0;
    while (src.read(frame) == ReadStatus::Frame) {
        if (cancel && cancel->load())
            return Error{ErrorCode::Cancelled, QStringLiteral("interrupted")};
        if (t0 < 0)
            t0 = frame.ptsUs;
        lastPts = frame.ptsUs;
        const double due = (frame.ptsUs - t0) / 1e6;
        const double now = wall.nsecsElapsed() / 1e9;
        if (due > now)
            std::this_thread::sleep_for(std::chrono::duration<double>(due - now));
        {
            std::lock_guard<std::mutex> lock(mutex);
            fedAt[frame.ptsUs] = wall.nsecsElapsed() / 1e9;
        }
        analyzer.submit(std::move(frame), InputPolicy::NewestWins, session);
        frame = VideoFrame();
        ++r.fed;
    }
    // The end marker must not be dropped: it waits for room.
    analyzer.endOfStream(InputPolicy::Backpressure, session);
    const auto endDeadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
    for (;;) {
        {
            std::lock_guard<std::mutex> lock(mutex);
            if (last || !error.isEmpty())
                break;
        }
        if (std::chrono::steady_clock::now() > endDeadline)
            return Error{ErrorCode::Internal, QStringLiteral("%1: no final update within 5 minutes").arg(method)};
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    analyzer.stop();

    std::lock_guard<std::mutex> lock(mutex);
    if (!error.isEmpty())
        return Error{ErrorCode::Internal, QStringLiteral("%1: %2").arg(method, error)};
    r.device = last->device;
    r.mediaSec = (lastPts - t0) / 1e6;
    r.analysed = last->framesAnalysed;
    r.dropped = last->droppedFrames;
    r.finalHrBpm = last->hrBpm;
    r.finalToSec = last->timeSec - t0 / 1e6;
    r.finalFromSec = r.finalToSec - last->windowSec;
    if (first) {
        r.firstHrMediaSec = first->timeSec - t0 / 1e6;
        r.firstHrLagSec = firstLag;
    }
    if (!lags.empty()) {
        std::vector<double> sorted = lags;
        std::sort(sorted.begin(), sorted.end());
        r.medianLagSec = sorted[sorted.size() / 2];
        r.maxLagSec = sorted.back();
    }
    return r;
}

} // namespace rppg::cli
