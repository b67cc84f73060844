#pragma once

// Plays a video file into the LiveAnalyzer: a decode thread reads frames with FFmpeg and submits
// them, either at the video's own pace (real time: the newest frame wins, stale frames are dropped
// and counted by the analyzer) or as fast as the analysis goes (back-pressure: every frame is
// analysed). Play, pause, seek and the playback mode are requests the decode thread picks up; none
// of them blocks the caller.
//
// Thread affinity: the object lives in the GUI thread; decoding runs on its own QThread. The
// opened/failed/finished signals are emitted from the decode thread (queued to the GUI).
// Units: seconds of media time.

#include "framesource.h"
#include "settings.h"

#include <QMetaType>
#include <QObject>

#include <memory>

class QThread;

namespace rppg {

class LiveAnalyzer;

class FilePlayer : public QObject
{
    Q_OBJECT
public:
    explicit FilePlayer(LiveAnalyzer *analyzer, QObject *parent = nullptr);
    ~FilePlayer() override;   // requests a stop and joins the decode thread

    // Opens `path` on the decode thread and starts playing into analyzer session `session`.
    void open(const QString &path, uint64_t session, PlaybackMode mode);
    QString path() const;

    // The analyzer was restarted (new configuration): frames now go to `session`. When the file
    // had ended, playback starts again from the beginning.
    void setSession(uint64_t session);
    void setPlaying(bool playing);
    bool isPlaying() const;
    // Seeks and continues into `session` (the caller restarted the analyzer).
    void seek(double timeSec, uint64_t session);
    void setMode(PlaybackMode mode);
    PlaybackMode mode() const;

    // Asks the decode thread to stop; returns at once. A blocked back-pressure submit is released
    // by the analyzer's restart or stop.
    void requestStop();
    // Waits for the decode thread (closing the window).
    void wait();

    double positionSec() const;   // media time of the newest submitted frame
    double durationSec() const;   // 0 until opened or when unknown
    bool atEnd() const;

Q_SIGNALS:
    void opened(const rppg::VideoInfo &info);
    void failed(const QString &message);
    void finished();   // every frame was submitted (end of the file)

private:
    struct Shared;
    void run(std::shared_ptr<Shared> s);

    LiveAnalyzer *m_analyzer;
    std::shared_ptr<Shared> m_shared;
    QThread *m_thread = nullptr;
    QString m_path;
};

} // namespace rppg

Q_DECLARE_METATYPE(rppg::VideoInfo)
