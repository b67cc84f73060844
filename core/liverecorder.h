#pragma once

// Streams a live session to CSV while it runs, so that a crash or power cut loses at most the
// last flush interval (about a second) of it. Rows go to "<path>.part", which is flushed to the
// disk (fdatasync) at most every flushIntervalSec of wall time; finish() renames it over <path>
// in one step, so <path> holds either its previous content or the complete new recording. After
// a crash the ".part" file holds everything up to the last flush.
//
// Schema (one row per sample of the live pulse waveform, as first shown):
//   segment,time_s,pulse,hr_bpm,snr_db,quality[,hr_bpm_<method>,snr_db_<method>]...
// segment counts analysis sessions inside the recording (a seek or a settings change starts a
// new one, and time_s may then jump back); hr_bpm, snr_db and quality are the newest live
// estimate when the row was written (empty while warming up). The methods compared live when the
// recording started (LiveConfig::compareMethods) get a column pair each: their newest estimate,
// empty in a segment where that method is not compared.
//
// Thread affinity: one thread (the GUI's); add() is cheap (a few hundred bytes per update).

#include "liveanalyzer.h"
#include "result.h"

#include <QElapsedTimer>
#include <QFile>
#include <QString>

#include <memory>

namespace rppg {

class LiveRecorder
{
public:
    explicit LiveRecorder(double flushIntervalSec = 1.0);
    ~LiveRecorder();   // finishes an open recording (errors are lost: call finish() to see them)

    LiveRecorder(const LiveRecorder &) = delete;
    LiveRecorder &operator=(const LiveRecorder &) = delete;

    // Starts writing to `path` + ".part"; finishes any recording already open first. A ".part"
    // file left there by an interrupted recording is first moved to recoveredPath() (never
    // overwritten). `compared` names the compared methods' columns. Errors: Usage (empty path),
    // WriteFailed (also when that move fails).
    Error start(const QString &path, const QStringList &compared = {});
    // Appends the samples of `update` newer than those already written. Error: WriteFailed (the
    // recording is then closed, its ".part" file kept).
    Error add(const LiveUpdate &update);
    // Flushes, closes and renames the ".part" file over the target. Error: WriteFailed (the
    // ".part" file is kept). No-op without an open recording.
    Error finish();

    bool isRecording() const { return bool(m_file); }
    QString path() const { return m_path; }
    static QString partPathFor(const QString &path) { return path + QStringLiteral(".part"); }
    // Where the last start() kept an interrupted recording's ".part" file ("NAME.recovered.csv",
    // "NAME.recovered-2.csv", ...), or empty when there was none.
    QString recoveredPath() const { return m_recovered; }
    int64_t rowsWritten() const { return m_rows; }

private:
    Error flush();
    Error fail(const QString &what);

    double m_flushIntervalSec;
    QString m_path;
    QString m_recovered;
    QStringList m_compared;
    std::unique_ptr<QFile> m_file;
    QElapsedTimer m_sinceFlush;
    uint64_t m_generation = 0;
    int m_segment = -1;
    double m_lastTimeSec = 0;
    int64_t m_rows = 0;
};

} // namespace rppg
