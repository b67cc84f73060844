#pragma once

// A one-line progress bar with rate and ETA on stderr, drawn only when stderr is a terminal.
// Thread affinity: the thread that owns it.

#include <QElapsedTimer>
#include <QString>

#include <cstdint>

namespace rppg::cli {

class ProgressBar
{
public:
    explicit ProgressBar(const QString &label, bool enabled = true);
    ~ProgressBar();
    void update(int64_t done, int64_t total);   // total 0 = unknown
    void finish();

private:
    QString m_label;
    bool m_enabled;
    bool m_drawn = false;
    QElapsedTimer m_timer;
    qint64 m_lastDrawMs = -1000;
};

} // namespace rppg::cli
