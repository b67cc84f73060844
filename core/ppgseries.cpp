#include "ppgseries.h"

#include "dsp.h"

#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

Q_LOGGING_CATEGORY(lcPpg, "rppg.core.ppg", QtWarningMsg)

namespace rppg {

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr qint64 kMaxFileBytes = 512LL * 1024 * 1024;
// Missing samples are bridged by interpolation up to this length; a longer hole would put a
// straight line where a pulse should be, so such a file is refused instead.
constexpr double kMaxGapSec = 1.0;
constexpr int kMinSamples = 10;
constexpr double kMinDurationSec = 1.0;

enum class TimeUnit { None, Seconds, Milliseconds, Microseconds, DateTime };

QString unitName(TimeUnit u)
{
    switch (u) {
    case TimeUnit::None:
        return QStringLiteral("none");
    case TimeUnit::Seconds:
        return QStringLiteral("s");
    case TimeUnit::Milliseconds:
        return QStringLiteral("ms");
    case TimeUnit::Microseconds:
        return QStringLiteral("us");
    case TimeUnit::DateTime:
        return QStringLiteral("date-time");
    }
    return {};
}

QByteArray trimCell(QByteArray cell)
{
    cell = cell.trimmed();
    if (cell.size() >= 2 && cell.startsWith('"') && cell.endsWith('"'))
        cell = cell.mid(1, cell.size() - 2).trimmed();
    return cell;
}

bool isMissingToken(const QByteArray &cell)
{
    if (cell.isEmpty())
        return true;
    const QByteArray l = cell.toLower();
    return l == "nan" || l == "-nan" || l == "na" || l == "n/a" || l == "null" || l == "none"
           || l == "-" || l == "?" || l == "inf" || l == "-inf";
}

// Locale-independent number parsing (Qt sets the C locale from the environment, so strtod could
// expect decimal commas).
std::optional<double> parseNumber(const QByteArray &cell)
{
    const char *b = cell.constData();
    const char *e = b + cell.size();
    if (b != e && *b == '+')
        ++b;
    double v = 0;
    const auto r = std::from_chars(b, e, v);
    if (r.ec != std::errc() || r.ptr != e || !std::isfinite(v))
        return std::nullopt;
    return v;
}

int digits(const char *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; ++i) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

// Days from 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t daysFromCivil(int y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

// "YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|±HH[:]MM]" (also '/' date separators) or "HH:MM:SS[.frac]",
// as seconds. The zone is ignored: every row of a file shares it and only differences matter.
std::optional<double> parseDateTime(const QByteArray &cell)
{
    const char *p = cell.constData();
    int n = int(cell.size());
    double daySec = 0;
    if (n >= 10 && (p[4] == '-' || p[4] == '/') && p[7] == p[4]) {
        const int y = digits(p, 4), mo = digits(p + 5, 2), d = digits(p + 8, 2);
        if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31)
            return std::nullopt;
        daySec = double(daysFromCivil(y, mo, d)) * 86400.0;
        p += 10;
        n -= 10;
        if (n == 0)
            return daySec;
        if (*p != 'T' && *p != ' ')
            return std::nullopt;
        ++p;
        --n;
    }
    if (n < 8 || p[2] != ':' || p[5] != ':')
        return std::nullopt;
    const int h = digits(p, 2), mi = digits(p + 3, 2), s = digits(p + 6, 2);
    if (h < 0 || h > 24 || mi < 0 || mi > 59 || s < 0 || s > 60)
        return std::nullopt;
    double sec = h * 3600.0 + mi * 60.0 + s;
    p += 8;
    n -= 8;
    if (n > 0 && (*p == '.' || *p == ',')) {
        double scale = 0.1;
        ++p;
        --n;
        if (n == 0 || *p < '0' || *p > '9')
            return std::nullopt;
        while (n > 0 && *p >= '0' && *p <= '9') {
            sec += (*p - '0') * scale;
            scale *= 0.1;
            ++p;
            --n;
        }
    }
    if (n > 0 && !(*p == 'Z' || *p == '+' || *p == '-'))
        return std::nullopt;
    return daySec + sec;
}

struct Column
{
    QByteArray name; // lower case, without spaces
    TimeUnit timeUnit = TimeUnit::None;
    int valueRank = -1;    // smaller = better PPG column name; -1 = not a PPG name
    bool excluded = false; // index/label columns that are never the waveform
};

TimeUnit timeUnitForName(const QByteArray &n)
{
    if (n == "timer" || n == "ms" || n == "millis" || n == "milliseconds" || n.endsWith("_ms")
        || n.endsWith("(ms)") || n.endsWith("[ms]") || n.endsWith("_msec"))
        return TimeUnit::Milliseconds;
    if (n.endsWith("_us") || n.endsWith("(us)") || n.endsWith("[us]") || n == "us")
        return TimeUnit::Microseconds;
    if (n == "datetime" || n == "date_time" || n == "date" || n.startsWith("datetime"))
        return TimeUnit::DateTime;
    if (n == "time" || n == "time_s" || n == "time_sec" || n == "t" || n == "timestamp" || n == "ts"
        || n == "sec" || n == "secs" || n == "seconds" || n == "times" || n.endsWith("(s)")
        || n.endsWith("[s]") || n == "time_seconds" || n == "timestamp_s")
        return TimeUnit::Seconds;
    return TimeUnit::None;
}

int valueRankForName(const QByteArray &n)
{
    static const char *const exact[]
        = {"ppg",       "bvp",       "pulse", "pleth",  "wave", "waveform",
           "ppg_value", "bvp_value", "value", "signal", "green"};
    for (size_t i = 0; i < std::size(exact); ++i) {
        if (n == exact[i])
            return int(i);
    }
    if (n.contains("ppg") || n.contains("bvp") || n.contains("pleth"))
        return 20;
    // HeartPy calls its PPG column "hr" (data2, data3); lowest rank so a real PPG column wins.
    if (n == "hr")
        return 30;
    return -1;
}

bool isExcludedName(const QByteArray &n)
{
    return n == "frame" || n == "index" || n == "idx" || n == "id" || n == "sample" || n == "n"
           || n == "hr_bpm" || n == "face_visible" || n == "label" || n == "labels";
}

char detectDelimiter(const QByteArray &line)
{
    if (line.contains(';'))
        return ';';
    if (line.contains(','))
        return ',';
    if (line.contains('\t'))
        return '\t';
    if (line.trimmed().contains(' '))
        return ' ';
    return 0;
}

QList<QByteArray> splitLine(const QByteArray &line, char delim)
{
    if (delim == 0)
        return {trimCell(line)};
    QList<QByteArray> cells;
    if (delim == ' ') {
        for (const QByteArray &c : line.simplified().split(' '))
            cells << trimCell(c);
        return cells;
    }
    for (const QByteArray &c : line.split(delim))
        cells << trimCell(c);
    return cells;
}

enum class CellKind { Number, Missing, DateTime, Text };

CellKind classify(const QByteArray &cell, bool decimalComma)
{
    if (isMissingToken(cell))
        return CellKind::Missing;
    if (parseNumber(decimalComma ? QByteArray(cell).replace(',', '.') : cell))
        return CellKind::Number;
    if (parseDateTime(cell))
        return CellKind::DateTime;
    return CellKind::Text;
}

Error badData(const QString &path, const QString &what)
{
    return makeError(ErrorCode::BadData,
                     QStringLiteral("%1: %2").arg(QFileInfo(path).fileName(), what));
}

} // namespace

Result<PpgSeries> readPpgCsv(const QString &path, double defaultRateHz)
{
    const QFileInfo fi(path);
    if (path.isEmpty() || !fi.exists())
        return makeError(ErrorCode::FileNotFound,
                         QStringLiteral("PPG file not found: %1").arg(path));
    if (!fi.isFile())
        return makeError(ErrorCode::FileNotFound, QStringLiteral("not a file: %1").arg(path));
    if (fi.size() > kMaxFileBytes)
        return badData(path, QStringLiteral("file too large for a PPG recording (%1 MB)")
                                 .arg(fi.size() / (1024 * 1024)));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::FileNotFound,
                         QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    QByteArray bytes = file.readAll();
    if (bytes.startsWith("\xEF\xBB\xBF"))
        bytes.remove(0, 3);
    else if (bytes.startsWith("\xFF\xFE") || bytes.startsWith("\xFE\xFF"))
        return badData(path, QStringLiteral("UTF-16 text is not supported; save it as UTF-8"));
    if (bytes.contains('\0'))
        return badData(path, QStringLiteral("not a text file"));

    // Lines: CR, LF or CRLF; '#' lines carry metadata (our .gt.csv) and are skipped.
    QList<QByteArray> lines;
    QList<int> lineNumbers;
    {
        int lineNo = 0;
        qsizetype start = 0;
        const qsizetype n = bytes.size();
        for (qsizetype i = 0; i <= n; ++i) {
            if (i < n && bytes[i] != '\n' && bytes[i] != '\r')
                continue;
            ++lineNo;
            const QByteArray line = bytes.mid(start, i - start).trimmed();
            if (i < n && bytes[i] == '\r' && i + 1 < n && bytes[i + 1] == '\n')
                ++i;
            start = i + 1;
            if (line.isEmpty() || line.startsWith('#'))
                continue;
            lines << line;
            lineNumbers << lineNo;
        }
    }
    if (lines.isEmpty())
        return badData(path, QStringLiteral("the file is empty"));

    const char delim = detectDelimiter(lines.size() > 1 ? lines[1] : lines[0]);
    // "0,5;1,2": semicolon-separated with decimal commas (spreadsheet exports in many locales).
    const bool decimalComma
        = delim == ';' && (lines.size() > 1 ? lines[1] : lines[0]).contains(',');

    // Header: a first line with a cell that is neither a number, a gap nor a date-time.
    const QList<QByteArray> firstCells = splitLine(lines[0], delim);
    bool hasHeader = false;
    for (const QByteArray &c : firstCells) {
        if (classify(c, decimalComma) == CellKind::Text)
            hasHeader = true;
    }
    const int firstData = hasHeader ? 1 : 0;
    if (lines.size() <= firstData)
        return badData(path, QStringLiteral("no data rows"));
    const int columnCount = int(splitLine(lines[firstData], delim).size());
    if (hasHeader && firstCells.size() < columnCount)
        return badData(path, QStringLiteral("the header has %1 columns but the data has %2")
                                 .arg(firstCells.size())
                                 .arg(columnCount));

    std::vector<Column> columns(std::max<int>(columnCount, firstCells.size()));
    if (hasHeader) {
        for (int i = 0; i < int(firstCells.size()); ++i) {
            Column &c = columns[i];
            c.name = firstCells[i].toLower();
            c.name.replace(' ', "");
            c.timeUnit = timeUnitForName(c.name);
            c.valueRank = valueRankForName(c.name);
            c.excluded = isExcludedName(c.name);
        }
    }
    // A column of date-time strings is a time column whatever its name.
    {
        const QList<QByteArray> cells = splitLine(lines[firstData], delim);
        for (int i = 0; i < int(cells.size()); ++i) {
            if (classify(cells[i], decimalComma) == CellKind::DateTime)
                columns[i].timeUnit = TimeUnit::DateTime;
        }
    }

    int timeCol = -1;
    for (int i = 0; i < int(columns.size()); ++i) {
        if (columns[i].timeUnit != TimeUnit::None) {
            timeCol = i;
            break;
        }
    }
    int valueCol = -1;
    for (int i = 0; i < int(columns.size()); ++i) {
        if (i == timeCol || columns[i].valueRank < 0)
            continue;
        if (valueCol < 0 || columns[i].valueRank < columns[valueCol].valueRank)
            valueCol = i;
    }
    bool guessedTime = false;
    if (valueCol < 0) {
        std::vector<int> candidates;
        for (int i = 0; i < int(columns.size()); ++i) {
            if (i != timeCol && !columns[i].excluded)
                candidates.push_back(i);
        }
        if (candidates.empty())
            return badData(path, QStringLiteral("no column holds a PPG waveform"));
        if (!hasHeader && timeCol < 0 && candidates.size() >= 2) {
            // Headerless "time,value" rows: the first column is time when it keeps increasing.
            bool increasing = true;
            double previous = -std::numeric_limits<double>::infinity();
            for (int r = firstData; r < int(lines.size()) && increasing; ++r) {
                const QList<QByteArray> cells = splitLine(lines[r], delim);
                const auto x
                    = parseNumber(decimalComma ? QByteArray(cells[0]).replace(',', '.') : cells[0]);
                increasing = x && *x > previous;
                previous = x ? *x : previous;
            }
            if (increasing || defaultRateHz <= 0) {
                timeCol = candidates[0];
                columns[timeCol].timeUnit = TimeUnit::Seconds;
                guessedTime = !increasing;
                candidates.erase(candidates.begin());
            }
        }
        valueCol = candidates[0];
        if (candidates.size() > 1 && hasHeader)
            qCInfo(lcPpg) << "PPG file" << path << "has no column named ppg/bvp/pulse; using"
                          << columns[valueCol].name;
    }
    if (timeCol < 0 && defaultRateHz <= 0)
        return badData(path,
                       QStringLiteral("no time column; give the sample rate (e.g. --ppg-rate 30)"));

    // Rows.
    std::vector<double> t, v;
    std::vector<int> rowLine;
    t.reserve(lines.size());
    v.reserve(lines.size());
    const TimeUnit unit = timeCol >= 0 ? columns[timeCol].timeUnit : TimeUnit::None;
    for (int r = firstData; r < int(lines.size()); ++r) {
        const QList<QByteArray> cells = splitLine(lines[r], delim);
        const int lineNo = lineNumbers[r];
        auto cellAt = [&](int c) {
            return c < int(cells.size()) ? cells[c] : QByteArray();
        };
        double tv = kNan;
        if (timeCol >= 0) {
            const QByteArray tc = cellAt(timeCol);
            if (isMissingToken(tc))
                continue; // a row without a time cannot be placed
            const auto parsed
                = unit == TimeUnit::DateTime
                      ? parseDateTime(tc)
                      : parseNumber(decimalComma ? QByteArray(tc).replace(',', '.') : tc);
            if (!parsed)
                return badData(path,
                               QStringLiteral("line %1: time '%2' is not %3")
                                   .arg(lineNo)
                                   .arg(QString::fromUtf8(tc.left(40)),
                                        unit == TimeUnit::DateTime ? QStringLiteral("a date-time")
                                                                   : QStringLiteral("a number")));
            tv = *parsed;
        }
        double vv = kNan;
        const QByteArray vc = cellAt(valueCol);
        if (!isMissingToken(vc)) {
            const auto parsed = parseNumber(decimalComma ? QByteArray(vc).replace(',', '.') : vc);
            if (!parsed)
                return badData(path, QStringLiteral("line %1: '%2' is not a number")
                                         .arg(lineNo)
                                         .arg(QString::fromUtf8(vc.left(40))));
            vv = *parsed;
        }
        t.push_back(tv);
        v.push_back(vv);
        rowLine.push_back(lineNo);
    }
    const int n = int(v.size());
    if (n < kMinSamples)
        return badData(
            path, QStringLiteral("only %1 samples (at least %2 needed)").arg(n).arg(kMinSamples));

    // Time axis in seconds from the first row.
    bool repeatedStamps = false;
    if (timeCol < 0) {
        for (int i = 0; i < n; ++i)
            t[i] = i / defaultRateHz;
    } else {
        double scale = 1.0;
        if (unit == TimeUnit::Milliseconds)
            scale = 1e-3;
        else if (unit == TimeUnit::Microseconds)
            scale = 1e-6;
        const double t0 = t[0];
        for (int i = 0; i < n; ++i)
            t[i] = (t[i] - t0) * scale;
        for (int i = 1; i < n; ++i) {
            if (t[i] < t[i - 1]) {
                if (guessedTime)
                    return badData(
                        path, QStringLiteral(
                                  "no time column; give the sample rate (e.g. --ppg-rate 30)"));
                return badData(path,
                               QStringLiteral("line %1: time goes backwards").arg(rowLine[i]));
            }
        }
        // Coarse timers (HeartPy's data3 logs ~15.6 ms ticks at 100 Hz) repeat a time stamp; the
        // repeated rows are spread evenly up to the next distinct stamp.
        std::vector<double> diffs;
        for (int i = 1; i < n; ++i) {
            if (t[i] > t[i - 1])
                diffs.push_back(t[i] - t[i - 1]);
        }
        if (diffs.empty())
            return badData(path, QStringLiteral("every row has the same time"));
        const double typicalStep = dsp::median(diffs);
        for (int i = 0; i < n;) {
            int j = i + 1;
            while (j < n && t[j] == t[i])
                ++j;
            if (j - i > 1) {
                repeatedStamps = true;
                const double next = j < n ? t[j] : t[i] + (j - i) * typicalStep;
                for (int k = i + 1; k < j; ++k)
                    t[k] = t[i] + (next - t[i]) * (k - i) / (j - i);
            }
            i = j;
        }
        // A column named in seconds whose rows are ≥ 0.5 s apart is far too slow for a pulse
        // waveform; it is almost certainly milliseconds (common for "timestamp").
        if (unit == TimeUnit::Seconds && typicalStep >= 0.5 && typicalStep <= 200) {
            qCInfo(lcPpg) << "PPG file" << path << "time column" << columns[timeCol].name << "steps"
                          << typicalStep << "-> read as milliseconds";
            for (double &x : t)
                x *= 1e-3;
        }
    }

    // Missing samples: trim the ends, bridge short holes, refuse long ones.
    int valid = 0;
    for (double x : v)
        valid += std::isfinite(x) ? 1 : 0;
    if (valid < kMinSamples || valid * 2 < n)
        return badData(
            path, QStringLiteral("mostly empty: %1 of %2 samples are numbers").arg(valid).arg(n));
    int first = 0, last = n - 1;
    while (!std::isfinite(v[first]))
        ++first;
    while (!std::isfinite(v[last]))
        --last;
    for (int i = first + 1; i <= last; ++i) {
        if (std::isfinite(v[i]))
            continue;
        int j = i;
        while (!std::isfinite(v[j]))
            ++j;
        const double gapSec = t[j] - t[i - 1];
        if (gapSec > kMaxGapSec)
            return badData(
                path, QStringLiteral("line %1: %2 s without samples (at most %3 s can be bridged)")
                          .arg(rowLine[i])
                          .arg(gapSec, 0, 'f', 2)
                          .arg(kMaxGapSec));
        for (int k = i; k < j; ++k) {
            const double a = (t[k] - t[i - 1]) / (t[j] - t[i - 1]);
            v[k] = v[i - 1] + a * (v[j] - v[i - 1]);
        }
        i = j;
    }
    for (int i = first + 1; i <= last; ++i) {
        if (t[i] - t[i - 1] > kMaxGapSec)
            return badData(
                path, QStringLiteral("line %1: %2 s without samples (at most %3 s can be bridged)")
                          .arg(rowLine[i])
                          .arg(t[i] - t[i - 1], 0, 'f', 2)
                          .arg(kMaxGapSec));
    }

    PpgSeries s;
    s.timeSec.assign(t.begin() + first, t.begin() + last + 1);
    s.value.assign(v.begin() + first, v.begin() + last + 1);
    const double t0 = s.timeSec.front();
    for (double &x : s.timeSec)
        x -= t0;
    if (int(s.value.size()) < kMinSamples || s.durationSec() < kMinDurationSec)
        return badData(path, QStringLiteral("too short: %1 samples over %2 s")
                                 .arg(s.value.size())
                                 .arg(s.durationSec(), 0, 'f', 2));
    const auto [lo, hi] = std::minmax_element(s.value.begin(), s.value.end());
    if (*hi - *lo <= 0)
        return badData(path, QStringLiteral("the waveform is constant"));
    std::vector<double> steps;
    steps.reserve(s.timeSec.size());
    for (size_t i = 1; i < s.timeSec.size(); ++i)
        steps.push_back(s.timeSec[i] - s.timeSec[i - 1]);
    // Spread-out repeated stamps make the median step meaningless; the count over the span is
    // the true rate of such a coarse-timer recording.
    s.rateHz
        = repeatedStamps ? double(s.value.size() - 1) / s.durationSec() : 1.0 / dsp::median(steps);

    const QString valueName = hasHeader ? QString::fromUtf8(columns[valueCol].name)
                                        : QStringLiteral("column %1").arg(valueCol + 1);
    QString timeText;
    if (timeCol >= 0)
        timeText = QStringLiteral("time from '%1' (%2)")
                       .arg(hasHeader ? QString::fromUtf8(columns[timeCol].name)
                                      : QStringLiteral("column %1").arg(timeCol + 1),
                            unitName(unit));
    else
        timeText = QStringLiteral("no time column, %1 Hz given").arg(defaultRateHz);
    s.description = QStringLiteral("%1: PPG from '%2', %3; %4 samples, %5 s at %6 Hz")
                        .arg(fi.fileName(), valueName, timeText)
                        .arg(s.value.size())
                        .arg(s.durationSec(), 0, 'f', 1)
                        .arg(s.rateHz, 0, 'f', 1);
    qCDebug(lcPpg) << s.description;
    return s;
}

namespace {

// The series on a uniform grid at (at most) 250 Hz: beat timing needs no more, and long
// recordings at kHz rates stay cheap.
struct Uniform
{
    std::vector<double> x;
    double fsHz = 0;
    double t0 = 0;
};

Uniform uniformSeries(const PpgSeries &ppg, double fromSec, double toSec)
{
    Uniform u;
    if (ppg.value.size() < 2 || !(ppg.rateHz > 0))
        return u;
    u.fsHz = std::min(ppg.rateHz, 250.0);
    u.t0 = std::max(fromSec, ppg.timeSec.front());
    const double end = toSec > fromSec ? std::min(toSec, ppg.timeSec.back()) : ppg.timeSec.back();
    const int n = int(std::floor((end - u.t0) * u.fsHz)) + 1;
    if (n < 4)
        return u;
    u.x = dsp::resampleLinear(ppg.timeSec, ppg.value, u.t0, u.fsHz, n);
    return u;
}

std::vector<double> bandPassed(const Uniform &u, double lowHz, double highHz)
{
    highHz = std::min(highHz, 0.45 * u.fsHz);
    if (u.x.size() < 16 || highHz <= lowHz)
        return {};
    return dsp::sosFiltFilt(dsp::butterworthBandpass(2, lowHz, highHz, u.fsHz), u.x);
}

} // namespace

std::vector<double> referenceBeats(const PpgSeries &ppg)
{
    const Uniform u = uniformSeries(ppg, 0, 0);
    const std::vector<double> y = bandPassed(u, 0.5, 4.0);
    if (y.empty())
        return {};
    // The dominant rate sets the minimum beat spacing, so the diastolic wave that survives the
    // band-pass is never counted as a beat while fast HRV still is.
    const int n = int(y.size());
    const int seg = std::min(n, int(std::lround(30 * u.fsHz)));
    const dsp::Spectrum spec = dsp::welch(y, u.fsHz, seg, 0.5, int(u.fsHz * 120));
    const dsp::Peak peak = dsp::spectralPeak(spec, 0.5, 3.7);
    const double f0 = peak.valid ? peak.frequencyHz : 1.2;
    const double minDistance = 0.6 * u.fsHz / f0;
    // Prominence relative to a robust amplitude: half the median absolute deviation scaled to a
    // standard deviation keeps small noise wiggles out while real beats, even weak ones, pass.
    std::vector<double> absDev(y.size());
    for (size_t i = 0; i < y.size(); ++i)
        absDev[i] = std::abs(y[i]);
    const double sigma = 1.4826 * dsp::median(absDev);
    const std::vector<double> pos = dsp::findPeaks(y, minDistance, 0.5 * sigma);
    std::vector<double> beats;
    beats.reserve(pos.size());
    for (double p : pos)
        beats.push_back(u.t0 + p / u.fsHz);
    return beats;
}

double referenceHeartRate(const PpgSeries &ppg, double fromSec, double toSec)
{
    const Uniform u = uniformSeries(ppg, fromSec, toSec);
    const std::vector<double> y = bandPassed(u, 0.6, 4.0);
    if (y.size() < size_t(2 * u.fsHz))
        return kNan;
    const int n = int(y.size());
    const int seg = std::min(n, int(std::lround(30 * u.fsHz)));
    const dsp::Spectrum spec = dsp::welch(y, u.fsHz, seg, 0.5, int(u.fsHz * 120));
    const dsp::Peak peak = dsp::spectralPeak(spec, 0.6, 3.7);
    if (!peak.valid)
        return kNan;
    // "Clear": the peak stands well above the typical in-band power.
    std::vector<double> band;
    for (size_t k = 0; k < spec.power.size(); ++k) {
        const double f = spec.frequency(int(k));
        if (f >= 0.6 && f <= 3.7)
            band.push_back(spec.power[k]);
    }
    if (band.empty() || peak.power < 3.0 * dsp::median(band))
        return kNan;
    return 60.0 * peak.frequencyHz;
}

double referenceHeartRate(const std::vector<double> &timeSec, const std::vector<double> &value)
{
    PpgSeries series;
    series.timeSec = timeSec;
    series.value = value;
    std::vector<double> steps;
    for (size_t i = 1; i < timeSec.size(); ++i)
        steps.push_back(timeSec[i] - timeSec[i - 1]);
    const double step = steps.empty() ? 0 : dsp::median(steps);
    series.rateHz = step > 0 ? 1.0 / step : 0;
    return referenceHeartRate(series);
}

} // namespace rppg
