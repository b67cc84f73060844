#include "liverecorder.h"

#include <algorithm>

#include <QByteArray>
#include <QFileInfo>

#include <cmath>
#include <limits>
#include <cstdio>

#include <unistd.h>

namespace rppg {

namespace {

void appendNumber(QByteArray &out, double v, int decimals)
{
    if (std::isfinite(v))
        out += QByteArray::number(v, 'f', decimals);
}

} // namespace

LiveRecorder::LiveRecorder(double flushIntervalSec)
    : m_flushIntervalSec(std::isfinite(flushIntervalSec) && flushIntervalSec >= 0 ? flushIntervalSec : 1.0)
{
}

LiveRecorder::~LiveRecorder()
{
    finish();
}

Error LiveRecorder::fail(const QString &what)
{
    const QString part = m_file ? m_file->fileName() : partPathFor(m_path);
    const QString reason = m_file ? m_file->errorString() : QString();
    m_file.reset();
    return makeError(ErrorCode::WriteFailed, QStringLiteral("cannot %1 '%2'%3")
                                                 .arg(what, part, reason.isEmpty() ? QString() : QStringLiteral(": ") + reason));
}

Error LiveRecorder::start(const QString &path, const QStringList &compared)
{
    if (Error e = finish(); e.isError())
        return e;
    if (path.trimmed().isEmpty())
        return makeError(ErrorCode::Usage, QStringLiteral("no file name given for the recording"));
    m_path = path;
    m_recovered.clear();
    const QString part = partPathFor(path);
    if (QFileInfo::exists(part)) {
        // An interrupted recording: keep it under a name of its own before starting afresh.
        const QFileInfo target(path);
        const QString stem = target.path() + QLatin1Char('/') + target.completeBaseName() + QStringLiteral(".recovered");
        const QString suffix = target.suffix().isEmpty() ? QString() : QLatin1Char('.') + target.suffix();
        QString kept = stem + suffix;
        for (int n = 2; QFileInfo::exists(kept) && n < 10000; ++n)
            kept = stem + QLatin1Char('-') + QString::number(n) + suffix;
        if (QFileInfo::exists(kept) || !QFile::rename(part, kept))
            return makeError(ErrorCode::WriteFailed,
                             QStringLiteral("cannot move the interrupted recording '%1' aside").arg(part));
        m_recovered = kept;
    }
    m_file = std::make_unique<QFile>(part);
    if (!m_file->open(QIODevice::WriteOnly | QIODevice::Truncate))
        return fail(QStringLiteral("write the recording"));
    m_generation = 0;
    m_segment = -1;
    m_lastTimeSec = 0;
    m_rows = 0;
    m_compared = compared;
    QByteArray header = "segment,time_s,pulse,hr_bpm,snr_db,quality,breaths_per_min,breathing_quality,quality_reason";
    for (const QString &m : compared)
        header += ",hr_bpm_" + m.toUtf8() + ",snr_db_" + m.toUtf8();
    header += '\n';
    if (m_file->write(header) < 0)
        return fail(QStringLiteral("write the recording"));
    if (Error e = flush(); e.isError())
        return e;
    return {};
}

Error LiveRecorder::add(const LiveUpdate &u)
{
    if (!m_file)
        return {};
    const bool newSession = m_segment < 0 || u.generation != m_generation;
    if (newSession) {
        ++m_segment;
        m_generation = u.generation;
        m_lastTimeSec = -std::numeric_limits<double>::infinity();
    }
    QByteArray rows;
    if (u.fsHz > 0 && std::isfinite(u.fsHz) && std::isfinite(u.pulseT0Sec)) {
        // Half a sample of slack: the grid of consecutive updates is the same up to rounding.
        const double eps = 0.5 / u.fsHz;
        QByteArray estimate;
        appendNumber(estimate, u.hrBpm, 2);
        estimate += ',';
        appendNumber(estimate, u.snrDb, 2);
        estimate += ',';
        if (std::isfinite(u.hrBpm))
            estimate += qualityName(u.quality).toLatin1();
        estimate += ',';
        appendNumber(estimate, u.breathing.ratePerMin, 2);
        estimate += ',';
        if (u.breathing.hasRate())
            estimate += qualityName(u.breathing.quality).toLatin1();
        estimate += ',';
        if (std::isfinite(u.hrBpm))
            estimate += lowReasonName(lowReason(u.quality, u.motionLocked, u.unsteady, u.frozen, u.unconfirmed)).toLatin1();
        for (const QString &name : std::as_const(m_compared)) {
            const auto it = std::find_if(u.compare.begin(), u.compare.end(),
                                         [&](const LiveMethodEstimate &m) { return m.method == name; });
            estimate += ',';
            if (it != u.compare.end())
                appendNumber(estimate, it->hrBpm, 2);
            estimate += ',';
            if (it != u.compare.end())
                appendNumber(estimate, it->snrDb, 2);
        }
        for (size_t k = 0; k < u.pulse.size(); ++k) {
            const double t = u.pulseT0Sec + double(k) / u.fsHz;
            if (!(t > m_lastTimeSec + eps))
                continue;
            rows += QByteArray::number(m_segment);
            rows += ',';
            rows += QByteArray::number(t, 'f', 4);
            rows += ',';
            appendNumber(rows, u.pulse[k], 6);
            rows += ',';
            rows += estimate;
            rows += '\n';
            m_lastTimeSec = t;
            ++m_rows;
        }
    }
    if (!rows.isEmpty() && m_file->write(rows) != rows.size())
        return fail(QStringLiteral("write the recording"));
    if (m_flushIntervalSec <= 0 || m_sinceFlush.hasExpired(qint64(m_flushIntervalSec * 1000.0)))
        return flush();
    return {};
}

Error LiveRecorder::flush()
{
    if (!m_file)
        return {};
    if (!m_file->flush())
        return fail(QStringLiteral("write the recording"));
    // Into the disk, not only the page cache: a power cut then also loses at most one interval.
    ::fdatasync(m_file->handle());
    m_sinceFlush.start();
    return {};
}

Error LiveRecorder::finish()
{
    if (!m_file)
        return {};
    if (Error e = flush(); e.isError())
        return e;
    m_file->close();
    const QString part = m_file->fileName();
    m_file.reset();
    // rename(2) replaces the target in one step (QFile::rename refuses an existing target).
    if (std::rename(QFile::encodeName(part).constData(), QFile::encodeName(m_path).constData()) != 0)
        return makeError(ErrorCode::WriteFailed,
                         QStringLiteral("cannot move the recording '%1' to '%2'").arg(part, m_path));
    return {};
}

} // namespace rppg
