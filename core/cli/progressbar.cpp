#include "progressbar.h"

#include <cstdio>
#include <unistd.h>

namespace rppg::cli {

namespace {

QString formatDuration(double sec)
{
    if (!(sec >= 0) || sec > 360000)
        return QStringLiteral("--:--");
    const int s = int(sec + 0.5);
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3").arg(s / 3600).arg((s / 60) % 60, 2, 10, QLatin1Char('0'))
            .arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(s / 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

ProgressBar::ProgressBar(const QString &label, bool enabled)
    : m_label(label)
    , m_enabled(enabled && isatty(fileno(stderr)))
{
    m_timer.start();
}

ProgressBar::~ProgressBar()
{
    finish();
}

void ProgressBar::update(int64_t done, int64_t total)
{
    if (!m_enabled)
        return;
    const qint64 now = m_timer.elapsed();
    if (now - m_lastDrawMs < 100 && !(total > 0 && done >= total))
        return;   // at most 10 redraws per second
    m_lastDrawMs = now;
    const double elapsedSec = now / 1000.0;
    const double rate = elapsedSec > 0 ? done / elapsedSec : 0;
    QString line;
    if (total > 0) {
        const double frac = std::min(1.0, double(done) / double(total));
        const int width = 30;
        const int filled = int(frac * width);
        const QString bar = QString(filled, QLatin1Char('#')) + QString(width - filled, QLatin1Char('.'));
        const double eta = rate > 0 ? (total - done) / rate : -1;
        line = QStringLiteral("%1 [%2] %3% %4/%5 %6/s ETA %7")
                   .arg(m_label, bar).arg(int(frac * 100), 3).arg(done).arg(total)
                   .arg(rate, 0, 'f', 0).arg(formatDuration(eta));
    } else {
        line = QStringLiteral("%1 %2 %3/s %4").arg(m_label).arg(done).arg(rate, 0, 'f', 0)
                   .arg(formatDuration(elapsedSec));
    }
    std::fprintf(stderr, "\r%s\033[K", qPrintable(line));
    std::fflush(stderr);
    m_drawn = true;
}

void ProgressBar::finish()
{
    if (m_enabled && m_drawn) {
        std::fprintf(stderr, "\r\033[K");
        std::fflush(stderr);
        m_drawn = false;
    }
}

} // namespace rppg::cli
