#include "charts.h"

#include <QCoreApplication>
#include <QFontMetricsF>
#include <QLoggingCategory>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <limits>

namespace rppg::report {

namespace {

Q_LOGGING_CATEGORY(lcReport, "rppg.report", QtWarningMsg)

QString trReport(const char *text)
{
    return QCoreApplication::translate("rppg::report", text);
}

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Geometry in logical pixels. Chosen for a 900 × 520 figure viewed at 100 %; the same numbers stay
// readable in a 2-column grid because the fonts do not shrink with the figure.
constexpr double kOuterPadPx = 16;
constexpr double kTickLenPx = 5;
constexpr double kMinorTickLenPx = 3;
constexpr double kTickGapPx = 4; // between a tick and its label
constexpr double kLegendSwatchPx = 28;
constexpr double kLegendPadPx = 9;
constexpr double kMaxImageSidePx = 16384; // QImage/painter limits; larger requests are clamped

const QColor kBackground(0xFF, 0xFF, 0xFF);
const QColor kGrid(0xE6, 0xE6, 0xE6);
const QColor kSpine(0x9A, 0x9A, 0x9A);
const QColor kText(0x22, 0x22, 0x22);
const QColor kMutedText(0x5E, 0x5E, 0x5E);
const QColor kSeparator(0xD2, 0xD2, 0xD2);
const QColor kLaneBand(0xFA, 0xFA, 0xFB);
const QColor kZeroLine(0x80, 0x80, 0x80);

struct Fonts
{
    QFont title, axisLabel, tick, legend, detail, annotation, empty;
};

QFont makeFont(int pixelSize, QFont::Weight weight = QFont::Normal)
{
    QFont font;
    font.setFamilies({QStringLiteral("DejaVu Sans"), QStringLiteral("Liberation Sans"),
                      QStringLiteral("Arial"), QStringLiteral("sans-serif")});
    font.setPixelSize(pixelSize);
    font.setWeight(weight);
    font.setStyleStrategy(QFont::PreferAntialias);
    return font;
}

Fonts chartFonts()
{
    Fonts f;
    f.title = makeFont(17, QFont::Bold);
    f.axisLabel = makeFont(14);
    f.tick = makeFont(12);
    f.legend = makeFont(13);
    f.detail = makeFont(11);
    f.annotation = makeFont(12);
    f.empty = makeFont(15);
    f.empty.setItalic(true);
    return f;
}

double textWidth(const QFont &font, const QString &text)
{
    return QFontMetricsF(font).horizontalAdvance(text);
}

double textHeight(const QFont &font)
{
    return QFontMetricsF(font).height();
}

// Draws `text` so that `anchor` sits at the given alignment point of its bounding box.
void drawTextAt(QPainter &p, const QPointF &anchor, Qt::Alignment align, const QString &text,
                const QFont &font, const QColor &color)
{
    const QFontMetricsF fm(font);
    const QSizeF size(fm.horizontalAdvance(text) + 1, fm.height());
    QPointF topLeft = anchor;
    if (align & Qt::AlignRight)
        topLeft.rx() -= size.width();
    else if (align & Qt::AlignHCenter)
        topLeft.rx() -= size.width() / 2;
    if (align & Qt::AlignBottom)
        topLeft.ry() -= size.height();
    else if (align & Qt::AlignVCenter)
        topLeft.ry() -= size.height() / 2;
    p.setFont(font);
    p.setPen(color);
    p.drawText(QRectF(topLeft, size), Qt::AlignLeft | Qt::AlignVCenter | Qt::TextSingleLine, text);
}

double sanitizeRatio(double ratio)
{
    return std::isfinite(ratio) && ratio > 0 ? std::clamp(ratio, 0.25, 8.0) : 1.0;
}

QImage makeCanvas(double widthPx, double heightPx, double ratio)
{
    const double maxSide = kMaxImageSidePx / ratio;
    const int w = std::max(1, qRound(std::clamp(widthPx, 1.0, maxSide) * ratio));
    const int h = std::max(1, qRound(std::clamp(heightPx, 1.0, maxSide) * ratio));
    QImage image(w, h, QImage::Format_RGB32);
    if (image.isNull()) {
        qCWarning(lcReport, "cannot allocate a %dx%d figure", w, h);
        return image;
    }
    image.setDevicePixelRatio(ratio);
    image.fill(kBackground);
    return image;
}

void preparePainter(QPainter &p)
{
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::TextAntialiasing);
    p.setRenderHint(QPainter::SmoothPixmapTransform);
}

// Centre of a 1-px hairline at coordinate v, so it covers whole device pixels.
double crisp(double v)
{
    return std::floor(v) + 0.5;
}

QString withTypographicMinus(QString s)
{
    if (s.startsWith(QLatin1Char('-')))
        s.replace(0, 1, QChar(0x2212));
    return s;
}

// A value for labels (bias, limits, statistics): a precision that suits its magnitude.
QString formatValue(double v, int decimals)
{
    if (!std::isfinite(v))
        return QStringLiteral("n/a");
    QString s = QString::number(v, 'f', decimals);
    if (s.startsWith(QLatin1Char('-')) && QString::number(0.0, 'f', decimals) == s.mid(1))
        s.remove(0, 1); // "-0.0"
    return withTypographicMinus(s);
}

int decimalsFor(double magnitude)
{
    if (!std::isfinite(magnitude) || magnitude >= 100)
        return 0;
    if (magnitude >= 1)
        return 1;
    return 2;
}

// ---------------------------------------------------------------------------------------------
// Ranges and ticks

struct Extent
{
    double lo = kInf;
    double hi = -kInf;

    void add(double v)
    {
        if (std::isfinite(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    }
    bool valid() const { return lo <= hi; }
};

bool usable(double v, bool logScale)
{
    return std::isfinite(v) && (!logScale || v > 0);
}

struct Axis
{
    double lo = 0;
    double hi = 1;
    bool log = false;
    std::vector<double> major;
    std::vector<double> minor;
    QStringList labels;

    double fraction(double v) const
    {
        if (log)
            return (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo));
        return (v - lo) / (hi - lo);
    }
    bool contains(double v) const
    {
        const double f = fraction(v);
        return std::isfinite(f) && f >= -1e-9 && f <= 1 + 1e-9;
    }
};

// The displayed range: the caller's fixed ends where valid, the data plus `padFraction` of the
// span elsewhere. Constant data gets a span around it; no data gives 0..1 (1..10 on log axes).
void resolveRange(Axis &axis, const Extent &data, double fixedLo, double fixedHi,
                  double padFraction)
{
    const bool log = axis.log;
    auto fwd = [log](double v) {
        return log ? std::log10(v) : v;
    };
    auto inv = [log](double u) {
        return log ? std::pow(10.0, u) : u;
    };

    bool loFixed = usable(fixedLo, log);
    bool hiFixed = usable(fixedHi, log);
    if (loFixed && hiFixed && !(fixedLo < fixedHi))
        loFixed = hiFixed = false;

    double lo = 0;
    double hi = 1;
    if (data.valid()) {
        lo = fwd(data.lo);
        hi = fwd(data.hi);
    }
    if (loFixed)
        lo = fwd(fixedLo);
    if (hiFixed)
        hi = fwd(fixedHi);

    auto spanAround = [log](double u) {
        if (log)
            return 0.15; // decades
        return u == 0 ? 1.0 : std::abs(u) * 0.1;
    };
    // Data that differs only by rounding noise (1.0 and 1.0 + 1e-13) is drawn as constant, not
    // with tick labels of fifteen digits.
    if (!loFixed && !hiFixed && hi - lo <= 1e-9 * std::max(std::abs(lo), std::abs(hi))) {
        const double mid = lo + (hi - lo) / 2;
        lo = hi = mid;
    }
    if (!(lo < hi)) {
        if (loFixed)
            hi = lo + spanAround(lo);
        else if (hiFixed)
            lo = hi - spanAround(hi);
        else {
            const double s = spanAround(lo);
            lo -= s;
            hi += s;
        }
    }
    if (!std::isfinite(hi - lo) || !(lo < hi)) { // overflowing spans or denormal noise
        lo = log ? 0 : -1;
        hi = 1;
    }
    const double pad = (hi - lo) * padFraction;
    if (!loFixed)
        lo -= pad;
    if (!hiFixed)
        hi += pad;
    axis.lo = inv(lo);
    axis.hi = inv(hi);
    if (!(axis.lo < axis.hi) || !std::isfinite(axis.hi) || !std::isfinite(axis.lo)) {
        axis.lo = log ? 1 : 0;
        axis.hi = log ? 10 : 1;
    }
}

double niceStep(double rough)
{
    if (!(rough > 0) || !std::isfinite(rough))
        return 1;
    const double decade = std::pow(10.0, std::floor(std::log10(rough)));
    const double f = rough / decade;
    const double m = f <= 1 + 1e-9 ? 1 : f <= 2 + 1e-9 ? 2 : f <= 5 + 1e-9 ? 5 : 10;
    return m * decade;
}

// Labels for evenly spaced ticks: k/M for large values, just enough decimals otherwise.
QStringList linearLabels(const std::vector<double> &ticks, double step)
{
    double maxAbs = 0;
    for (double t : ticks)
        maxAbs = std::max(maxAbs, std::abs(t));
    double scale = 1;
    QString suffix;
    if (maxAbs >= 1e6 && step >= 1e5) {
        scale = 1e6;
        suffix = QStringLiteral("M");
    } else if (maxAbs >= 1e4 && step >= 100) {
        scale = 1e3;
        suffix = QStringLiteral("k");
    }
    const int decimals = std::max(0, int(-std::floor(std::log10(step / scale) + 1e-9)));
    QStringList labels;
    for (double t : ticks)
        labels << (t == 0 ? QStringLiteral("0") : formatValue(t / scale, decimals) + suffix);
    return labels;
}

// Evenly spaced 1-2-5 ticks, at least two of them: a range with one round number in it (3.0 in
// 2.7..3.3) gets a finer step rather than a lone tick.
// The next smaller 1-2-5 step: 5 → 2, 2 → 1, 1 → 0.5.
double smallerStep(double step)
{
    const double m = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
    return step * (m > 4 ? 0.4 : 0.5);
}

int tickCount(double lo, double hi, double step)
{
    return int(std::floor(hi / step + 1e-9) - std::ceil(lo / step - 1e-9)) + 1;
}

void linearTicks(Axis &axis, double lo, double hi, int intervals)
{
    double step = niceStep((hi - lo) / std::max(1, intervals));
    // Rounding the step up can halve the tick count; take the finer step when it still fits.
    if (tickCount(lo, hi, smallerStep(step)) <= intervals + 1)
        step = smallerStep(step);
    for (int attempt = 0; attempt < 8; ++attempt) {
        const double k0 = std::ceil(lo / step - 1e-9);
        const double k1 = std::floor(hi / step + 1e-9);
        axis.major.clear();
        for (double k = k0; k <= k1 && axis.major.size() < 60; ++k) {
            double v = k * step;
            if (std::abs(v) < step * 1e-9)
                v = 0;
            if (!axis.log || v > 0)
                axis.major.push_back(v);
        }
        if (axis.major.size() >= 2)
            break;
        step = smallerStep(step);
    }
    axis.labels = linearLabels(axis.major, step);
}

// A log-axis label: the value as written (0.5, 200, 5000), k/M from ten thousand on.
QString logLabel(double v)
{
    const int e = int(std::floor(std::log10(v) + 1e-9));
    if (v >= 1e6)
        return formatValue(v / 1e6, std::max(0, 6 - e)) + QStringLiteral("M");
    if (v >= 1e4)
        return formatValue(v / 1e3, std::max(0, 3 - e)) + QStringLiteral("k");
    return formatValue(v, std::max(0, -e));
}

// Ticks for about `intervals` intervals. Log axes use 1-2-5 per decade, then decades, then every
// n-th decade; a range too narrow for two such ticks falls back to evenly spaced ticks.
void makeTicks(Axis &axis, int intervals)
{
    intervals = std::max(1, intervals);
    axis.minor.clear();
    if (!axis.log) {
        linearTicks(axis, axis.lo, axis.hi, intervals);
        return;
    }
    const double l0 = std::log10(axis.lo);
    const double l1 = std::log10(axis.hi);
    const int e0 = int(std::floor(l0)) - 1;
    const int e1 = int(std::ceil(l1)) + 1;
    auto inRange = [&](double v) {
        return v >= axis.lo * (1 - 1e-9) && v <= axis.hi * (1 + 1e-9);
    };
    auto collect = [&](const std::vector<double> &mantissas, int everyDecades) {
        std::vector<double> out;
        for (int e = e0; e <= e1; ++e) {
            if (((e % everyDecades) + everyDecades) % everyDecades != 0)
                continue;
            for (double m : mantissas) {
                const double v = m * std::pow(10.0, e);
                if (inRange(v))
                    out.push_back(v);
            }
        }
        return out;
    };
    // Log labels are short, so a log axis may hold one tick more than a linear one.
    const int most = intervals + 2;
    std::vector<double> ticks = collect({1, 2, 5}, 1);
    if (ticks.size() < 3) {
        // Less than about a decade (230–1100 kb/s): more mantissas before giving up on log ticks.
        for (const std::vector<double> &mantissas :
             {std::vector<double>{1, 2, 3, 5, 7}, std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9}}) {
            const std::vector<double> denser = collect(mantissas, 1);
            if (int(denser.size()) > most)
                break;
            ticks = denser;
            if (ticks.size() >= 3)
                break;
        }
    }
    if (ticks.size() < 2) {
        linearTicks(axis, axis.lo, axis.hi, intervals);
        return;
    }
    if (int(ticks.size()) > most) {
        for (int every : {1, 2, 3, 4, 5, 10, 20, 50, 100}) {
            ticks = collect({1}, every);
            if (int(ticks.size()) <= most)
                break;
        }
    }
    axis.major = ticks;
    axis.labels.clear();
    for (double v : ticks)
        axis.labels << logLabel(v);
    if (l1 - l0 <= 6) {
        for (const double v : collect({2, 3, 4, 5, 6, 7, 8, 9}, 1)) {
            const bool isMajor = std::any_of(ticks.begin(), ticks.end(),
                                             [v](double t) { return std::abs(t - v) <= 1e-9 * v; });
            if (!isMajor)
                axis.minor.push_back(v);
        }
    }
}

double maxLabelWidth(const QStringList &labels, const QFont &font)
{
    double w = 0;
    for (const QString &l : labels)
        w = std::max(w, textWidth(font, l));
    return w;
}

// x ticks whose labels do not collide: fewer ticks until every gap is wide enough.
void makeXTicks(Axis &axis, double lengthPx, const QFont &font)
{
    for (int intervals = std::clamp(int(lengthPx / 95), 2, 10); intervals >= 1; --intervals) {
        makeTicks(axis, intervals);
        bool fits = true;
        for (size_t i = 1; i < axis.major.size() && fits; ++i) {
            const double gap
                = (axis.fraction(axis.major[i]) - axis.fraction(axis.major[i - 1])) * lengthPx;
            const double need
                = (textWidth(font, axis.labels[int(i)]) + textWidth(font, axis.labels[int(i) - 1]))
                      / 2
                  + 12;
            fits = gap >= need;
        }
        if (fits)
            return;
    }
}

void makeYTicks(Axis &axis, double lengthPx)
{
    makeTicks(axis, std::clamp(int(lengthPx / 58), 2, 8));
}

// ---------------------------------------------------------------------------------------------
// Marks

Series::Marker resolveMarker(Series::Marker marker, int index)
{
    if (marker != Series::Marker::Auto)
        return marker;
    static constexpr Series::Marker kCycle[]
        = {Series::Marker::Circle, Series::Marker::Square, Series::Marker::Diamond,
           Series::Marker::TriangleUp, Series::Marker::TriangleDown};
    return kCycle[std::max(0, index) % 5];
}

QPainterPath markerPath(const QPointF &c, Series::Marker shape, double r)
{
    QPainterPath path;
    switch (shape) {
    case Series::Marker::Auto:
    case Series::Marker::Circle:
        path.addEllipse(c, r, r);
        break;
    case Series::Marker::Square: {
        const double h = r * 0.9;
        path.addRect(QRectF(c.x() - h, c.y() - h, 2 * h, 2 * h));
        break;
    }
    case Series::Marker::Diamond: {
        const double h = r * 1.25;
        path.moveTo(c.x(), c.y() - h);
        path.lineTo(c.x() + h, c.y());
        path.lineTo(c.x(), c.y() + h);
        path.lineTo(c.x() - h, c.y());
        path.closeSubpath();
        break;
    }
    case Series::Marker::TriangleUp:
    case Series::Marker::TriangleDown: {
        const double s = shape == Series::Marker::TriangleUp ? 1 : -1;
        const double h = r * 1.3;
        path.moveTo(c.x(), c.y() - s * h);
        path.lineTo(c.x() + h * 0.95, c.y() + s * h * 0.62);
        path.lineTo(c.x() - h * 0.95, c.y() + s * h * 0.62);
        path.closeSubpath();
        break;
    }
    }
    return path;
}

double markerRadius(double lineWidth)
{
    return std::clamp(lineWidth * 1.6 + 0.8, 3.0, 9.0);
}

void drawMarker(QPainter &p, const QPointF &c, Series::Marker shape, double r, QColor fill)
{
    p.setPen(QPen(QColor(255, 255, 255, fill.alpha() < 255 ? 200 : 255), 0.9));
    p.setBrush(fill);
    p.drawPath(markerPath(c, shape, r));
}

QPen seriesPen(const QColor &color, double width, bool dashed)
{
    QPen pen(color, std::clamp(width, 0.25, 20.0));
    if (dashed) {
        pen.setCapStyle(Qt::FlatCap);
        pen.setDashPattern({3.2, 2.0});
    } else {
        pen.setCapStyle(Qt::RoundCap);
    }
    pen.setJoinStyle(Qt::RoundJoin);
    return pen;
}

// A series after colour, marker and validity have been settled; points in data units.
struct ResolvedSeries
{
    QString name;
    QString detail;
    std::vector<QPointF> points; // NaN point = gap
    QColor color;
    Series::Style style = Series::Style::LineAndMarkers;
    Series::Marker marker = Series::Marker::Circle;
    bool dashed = false;
    double width = 2;
    double markerAlpha = 1;
};

ResolvedSeries resolveSeries(const Series &s, int index, bool logX)
{
    ResolvedSeries r;
    r.name = s.name;
    r.color = s.color.isValid() ? s.color : paletteColor(index);
    r.style = s.style;
    r.marker = resolveMarker(s.marker, index);
    r.dashed = s.dashed;
    r.width = std::isfinite(s.width) && s.width > 0 ? s.width : 2.0;
    const size_t n = std::min(s.x.size(), s.y.size());
    r.points.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        const double x = s.x[i];
        const double y = s.y[i];
        if (usable(x, logX) && std::isfinite(y))
            r.points.emplace_back(x, y);
        else
            r.points.emplace_back(kNaN, kNaN);
    }
    return r;
}

bool isGap(const QPointF &p)
{
    return std::isnan(p.x());
}

struct Mapper
{
    QRectF area;
    const Axis *x = nullptr;
    const Axis *y = nullptr;

    QPointF operator()(const QPointF &d) const
    {
        return {area.left() + x->fraction(d.x()) * area.width(),
                area.bottom() - y->fraction(d.y()) * area.height()};
    }
    // Pixel positions far outside the plot are pulled in so the painter never sees huge values.
    QPointF clamped(const QPointF &d) const
    {
        const QPointF p = (*this)(d);
        const double m = 4 * std::max(area.width(), area.height());
        return {std::clamp(p.x(), area.left() - m, area.right() + m),
                std::clamp(p.y(), area.top() - m, area.bottom() + m)};
    }
};

void drawSeries(QPainter &p, const ResolvedSeries &s, const Mapper &map)
{
    const bool lines = s.style != Series::Style::Markers;
    const bool markers = s.style != Series::Style::Line;
    const double r = markerRadius(s.width) * (s.style == Series::Style::Markers ? 1.1 : 1.0);
    if (lines) {
        QPainterPath path;
        std::vector<QPointF> isolated;
        size_t runStart = 0;
        for (size_t i = 0; i <= s.points.size(); ++i) {
            if (i < s.points.size() && !isGap(s.points[i]))
                continue;
            if (i - runStart == 1)
                isolated.push_back(map.clamped(s.points[runStart]));
            else if (i - runStart > 1) {
                path.moveTo(map.clamped(s.points[runStart]));
                for (size_t k = runStart + 1; k < i; ++k)
                    path.lineTo(map.clamped(s.points[k]));
            }
            runStart = i + 1;
        }
        p.setBrush(Qt::NoBrush);
        p.setPen(seriesPen(s.color, s.width, s.dashed));
        p.drawPath(path);
        // A lone sample between gaps would vanish as a line: show it as a dot.
        if (!markers) {
            p.setPen(Qt::NoPen);
            p.setBrush(s.color);
            for (const QPointF &c : isolated)
                p.drawEllipse(c, s.width * 1.2, s.width * 1.2);
        }
    }
    if (markers) {
        QColor fill = s.color;
        fill.setAlphaF(float(std::clamp(s.markerAlpha, 0.05, 1.0)));
        for (const QPointF &d : s.points) {
            if (isGap(d))
                continue;
            const QPointF c = map(d);
            if (map.area.adjusted(-0.5, -0.5, 0.5, 0.5).contains(c))
                drawMarker(p, c, s.marker, r, fill);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Legend

struct LegendItem
{
    QString label;
    QString detail; // optional second, muted line
    QColor color;
    bool line = true;
    bool marker = true;
    bool dashed = false;
    double width = 2;
    Series::Marker shape = Series::Marker::Circle;
};

LegendItem legendItemFor(const ResolvedSeries &s)
{
    LegendItem item;
    item.label = s.name;
    item.detail = s.detail;
    item.color = s.color;
    item.line = s.style != Series::Style::Markers;
    item.marker = s.style != Series::Style::Line;
    item.dashed = s.dashed;
    item.width = s.width;
    item.shape = s.marker;
    return item;
}

struct LegendLayout
{
    QSizeF size;                  // including padding
    std::vector<QPointF> origins; // top-left of each item, relative to the box
    double rowHeight = 0;
};

QSizeF legendItemSize(const LegendItem &item, const Fonts &f)
{
    double w = textWidth(f.legend, item.label);
    double h = textHeight(f.legend);
    if (!item.detail.isEmpty()) {
        w = std::max(w, textWidth(f.detail, item.detail));
        h += textHeight(f.detail);
    }
    return {kLegendSwatchPx + 8 + w, h};
}

// Vertical: one item per row. Horizontal: a grid of equal columns, as many as fit in maxWidth.
LegendLayout layoutLegend(const std::vector<LegendItem> &items, const Fonts &f, bool horizontal,
                          double maxWidth)
{
    LegendLayout l;
    if (items.empty())
        return l;
    const double rowGap = 5;
    const double colGap = 24;
    double colW = 0;
    double rowH = 0;
    for (const LegendItem &item : items) {
        const QSizeF s = legendItemSize(item, f);
        colW = std::max(colW, s.width());
        rowH = std::max(rowH, s.height());
    }
    if (horizontal) {
        const int n = int(items.size());
        const int fit = int((maxWidth - 2 * kLegendPadPx + colGap) / (colW + colGap));
        const int cols = std::clamp(fit, 1, n);
        const int rows = (n + cols - 1) / cols;
        for (int i = 0; i < n; ++i)
            l.origins.emplace_back(kLegendPadPx + (i % cols) * (colW + colGap),
                                   kLegendPadPx + (i / cols) * (rowH + rowGap));
        l.size = QSizeF(2 * kLegendPadPx + cols * colW + (cols - 1) * colGap,
                        2 * kLegendPadPx + rows * rowH + (rows - 1) * rowGap);
    } else {
        double y = kLegendPadPx;
        for (const LegendItem &item : items) {
            l.origins.emplace_back(kLegendPadPx, y);
            y += legendItemSize(item, f).height() + rowGap;
        }
        l.size = QSizeF(2 * kLegendPadPx + colW, y - rowGap + kLegendPadPx);
    }
    l.rowHeight = rowH;
    return l;
}

// Long names are shortened so the legend never takes more than about a third of the width.
void elideLegend(std::vector<LegendItem> &items, const Fonts &f, double maxTextWidth)
{
    for (LegendItem &item : items) {
        item.label = QFontMetricsF(f.legend).elidedText(item.label, Qt::ElideRight, maxTextWidth);
        item.detail = QFontMetricsF(f.detail).elidedText(item.detail, Qt::ElideRight, maxTextWidth);
    }
}

void drawLegend(QPainter &p, const std::vector<LegendItem> &items, const LegendLayout &layout,
                const QPointF &topLeft, const Fonts &f, bool framed)
{
    if (items.empty())
        return;
    p.save();
    if (framed) {
        p.setPen(QPen(QColor(0xD8, 0xD8, 0xD8), 1));
        p.setBrush(QColor(255, 255, 255, 235));
        p.drawRoundedRect(QRectF(topLeft, layout.size).adjusted(0.5, 0.5, -0.5, -0.5), 4, 4);
    }
    const double lineH = textHeight(f.legend);
    for (size_t i = 0; i < items.size(); ++i) {
        const LegendItem &item = items[i];
        const QPointF o = topLeft + layout.origins[i];
        const double cy = o.y() + lineH / 2;
        if (item.line) {
            p.setPen(seriesPen(item.color, std::min(item.width, 4.0), item.dashed));
            p.drawLine(QPointF(o.x() + 1, cy), QPointF(o.x() + kLegendSwatchPx - 1, cy));
        }
        if (item.marker)
            drawMarker(p, QPointF(o.x() + kLegendSwatchPx / 2, cy), item.shape,
                       markerRadius(item.width), item.color);
        const double tx = o.x() + kLegendSwatchPx + 8;
        drawTextAt(p, QPointF(tx, o.y()), Qt::AlignLeft | Qt::AlignTop, item.label, f.legend,
                   kText);
        if (!item.detail.isEmpty())
            drawTextAt(p, QPointF(tx, o.y() + lineH), Qt::AlignLeft | Qt::AlignTop, item.detail,
                       f.detail, kMutedText);
    }
    p.restore();
}

bool segmentHitsRect(const QPointF &a, const QPointF &b, const QRectF &r)
{
    if (r.contains(a) || r.contains(b))
        return true;
    const QLineF seg(a, b);
    const QLineF edges[] = {{r.topLeft(), r.topRight()},
                            {r.topRight(), r.bottomRight()},
                            {r.bottomRight(), r.bottomLeft()},
                            {r.bottomLeft(), r.topLeft()}};
    for (const QLineF &e : edges) {
        if (seg.intersects(e, nullptr) == QLineF::BoundedIntersection)
            return true;
    }
    return false;
}

// ---------------------------------------------------------------------------------------------
// The x–y plot shared by lineChart, blandAltman and scatterVsReference

struct RefLine
{
    double y = 0;
    QColor color;
    bool dashed = false;
    double width = 1.4;
    QString label; // drawn in the right margin at the line's height
};

struct PlotSpec
{
    ChartOptions options;
    std::vector<ResolvedSeries> series;
    std::vector<RefLine> refLines;
    Extent extraY; // values the y range must include besides the data
    bool identityLine = false;
    bool square = false; // equal ranges and a square plot area
    bool preferOutsideLegend = false;
    double padFraction = 0.05;
};

enum class LegendPlacement { None, Inside, Right, Below };

struct PlotLayout
{
    QRectF plot;
    Axis x;
    Axis y;
    double annotationWidth = 0;
    double originX = kOuterPadPx; // left edge of the y label and title
};

QPointF computeLegendCorner(int corner, const QRectF &plot, const QSizeF &size)
{
    const double m = 8;
    const double x
        = (corner == 0 || corner == 3) ? plot.right() - m - size.width() : plot.left() + m;
    const double y = corner < 2 ? plot.top() + m : plot.bottom() - m - size.height();
    return {x, y};
}

QImage renderPlot(const PlotSpec &spec, PlotFrame *frameOut)
{
    const ChartOptions &o = spec.options;
    const double ratio = sanitizeRatio(o.pixelRatio);
    QImage image = makeCanvas(o.width, o.height, ratio);
    if (image.isNull())
        return image;
    const double W = image.deviceIndependentSize().width();
    const double H = image.deviceIndependentSize().height();
    const Fonts f = chartFonts();

    // Data extents.
    Extent ex, ey;
    for (const ResolvedSeries &s : spec.series) {
        for (const QPointF &pt : s.points) {
            if (!isGap(pt)) {
                ex.add(pt.x());
                ey.add(pt.y());
            }
        }
    }
    const bool hasData = ex.valid() && ey.valid();
    if (hasData) {
        ey.add(spec.extraY.lo);
        ey.add(spec.extraY.hi);
    }
    Axis axX, axY;
    axX.log = o.logX;
    if (spec.square) {
        Extent both = ex;
        both.add(ey.lo);
        both.add(ey.hi);
        const double lo = std::isfinite(o.xMin) ? o.xMin : o.yMin;
        const double hi = std::isfinite(o.xMax) ? o.xMax : o.yMax;
        axX.log = false;
        resolveRange(axX, hasData ? both : Extent{}, lo, hi, spec.padFraction);
        axY.lo = axX.lo;
        axY.hi = axX.hi;
    } else {
        resolveRange(axX, hasData ? ex : Extent{}, o.xMin, o.xMax, spec.padFraction);
        resolveRange(axY, hasData ? ey : Extent{}, o.yMin, o.yMax, spec.padFraction);
    }

    // Legend items.
    std::vector<LegendItem> items;
    if (o.legend && hasData) {
        for (const ResolvedSeries &s : spec.series) {
            if (!s.name.isEmpty())
                items.push_back(legendItemFor(s));
        }
        elideLegend(items, f, std::max(160.0, W * 0.3));
    }

    // Right-margin annotations (reference line labels).
    double annotationWidth = 0;
    for (const RefLine &l : spec.refLines) {
        if (!l.label.isEmpty())
            annotationWidth = std::max(annotationWidth, textWidth(f.annotation, l.label) + 14);
    }

    const double titleH = o.title.isEmpty() ? 0 : textHeight(f.title) + 10;
    const double xLabelH = o.xLabel.isEmpty() ? 0 : textHeight(f.axisLabel) + 6;
    const double yLabelW = o.yLabel.isEmpty() ? 0 : textHeight(f.axisLabel) + 8;
    const double tickH = textHeight(f.tick);

    auto layoutFor = [&](LegendPlacement placement, const LegendLayout &legend) {
        PlotLayout L;
        L.x = axX;
        L.y = axY;
        L.annotationWidth = annotationWidth;
        const double top = kOuterPadPx + titleH + (titleH > 0 ? 4 : 6);
        double bottom = H - kOuterPadPx - xLabelH - tickH - kTickLenPx - kTickGapPx;
        if (placement == LegendPlacement::Below)
            bottom -= legend.size.height() + 12;
        double height = std::max(10.0, bottom - top);
        makeYTicks(L.y, height);
        const double tickLabelsW = hasData ? maxLabelWidth(L.y.labels, f.tick) : 0;
        const double left = kOuterPadPx + yLabelW + tickLabelsW + kTickLenPx + kTickGapPx;
        double right = W - kOuterPadPx - annotationWidth;
        if (placement == LegendPlacement::Right)
            right -= legend.size.width() + 14;
        double width = std::max(10.0, right - left);
        double shiftedLeft = left;
        if (spec.square) {
            const double side = std::min(width, height);
            width = height = side;
            makeYTicks(L.y, side);
            L.x.major = L.y.major;
            L.x.labels = L.y.labels;
            L.x.minor.clear();
            // Centre the block of labels, plot and legend in the figure.
            const double legendW
                = placement == LegendPlacement::Right ? legend.size.width() + 14 : 0;
            const double slack = (W - kOuterPadPx) - (left + side + annotationWidth + legendW);
            if (slack > 0) {
                L.originX += slack / 2;
                shiftedLeft += slack / 2;
            }
        } else {
            makeXTicks(L.x, width, f.tick);
            // Keep the last x tick label inside the image.
            if (!L.x.major.empty() && annotationWidth == 0 && placement != LegendPlacement::Right) {
                const double lastX = L.x.fraction(L.x.major.back()) * width;
                const double overhang = left + lastX + textWidth(f.tick, L.x.labels.back()) / 2
                                        - (W - kOuterPadPx / 2);
                if (overhang > 0) {
                    width = std::max(10.0, width - overhang);
                    makeXTicks(L.x, width, f.tick);
                }
            }
        }
        L.plot = QRectF(shiftedLeft, top, width, height);
        return L;
    };

    // Legend placement: inside a corner that no data crosses, else right of the plot, else below.
    LegendPlacement placement = LegendPlacement::None;
    LegendLayout legend;
    PlotLayout layout;
    QPointF legendPos;
    if (!items.empty()) {
        legend = layoutLegend(items, f, false, W);
        layout = layoutFor(LegendPlacement::None, legend);
        if (!spec.preferOutsideLegend && legend.size.width() <= layout.plot.width() * 0.5
            && legend.size.height() <= layout.plot.height() * 0.6) {
            const Mapper map{layout.plot, &layout.x, &layout.y};
            for (int corner = 0; corner < 4 && placement == LegendPlacement::None; ++corner) {
                const QPointF pos = computeLegendCorner(corner, layout.plot, legend.size);
                const QRectF box = QRectF(pos, legend.size).adjusted(-6, -6, 6, 6);
                bool hit = false;
                for (const ResolvedSeries &s : spec.series) {
                    const bool lines = s.style != Series::Style::Markers;
                    const double r = markerRadius(s.width);
                    const QRectF markerBox = box.adjusted(-r, -r, r, r);
                    for (size_t i = 0; i < s.points.size() && !hit; ++i) {
                        if (isGap(s.points[i]))
                            continue;
                        const QPointF a = map.clamped(s.points[i]);
                        if (markerBox.contains(a))
                            hit = true;
                        else if (lines && i + 1 < s.points.size() && !isGap(s.points[i + 1]))
                            hit = segmentHitsRect(a, map.clamped(s.points[i + 1]), box);
                    }
                    if (hit)
                        break;
                }
                for (const RefLine &l : spec.refLines) {
                    const double y = map(QPointF(layout.x.lo, l.y)).y();
                    hit = hit || (y >= box.top() && y <= box.bottom());
                }
                if (spec.identityLine && !hit) {
                    const double lo = layout.x.lo, hi = layout.x.hi;
                    hit = segmentHitsRect(map(QPointF(lo, lo)), map(QPointF(hi, hi)), box);
                }
                if (!hit) {
                    placement = LegendPlacement::Inside;
                    legendPos = pos;
                }
            }
        }
        if (placement == LegendPlacement::None) {
            if (legend.size.width() <= W * 0.3) {
                placement = LegendPlacement::Right;
                layout = layoutFor(placement, legend);
                legendPos = QPointF(layout.plot.right() + annotationWidth + 14, layout.plot.top());
            } else {
                legend = layoutLegend(items, f, true, W - 2 * kOuterPadPx);
                placement = LegendPlacement::Below;
                layout = layoutFor(placement, legend);
                legendPos = QPointF(
                    std::max(kOuterPadPx, layout.plot.center().x() - legend.size.width() / 2),
                    H - kOuterPadPx - legend.size.height());
            }
        }
    } else {
        layout = layoutFor(LegendPlacement::None, legend);
    }

    const QRectF plot = layout.plot;
    const Axis &ax = layout.x;
    const Axis &ay = layout.y;
    const Mapper map{plot, &ax, &ay};

    QPainter p(&image);
    preparePainter(p);

    // Grid.
    if (hasData) {
        p.setPen(QPen(kGrid, 1));
        for (double v : ax.major) {
            const double x = crisp(map(QPointF(v, ay.lo)).x());
            p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
        }
        for (double v : ay.major) {
            const double y = crisp(map(QPointF(ax.lo, v)).y());
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
        }
    }

    p.save();
    p.setClipRect(plot.adjusted(-1, -1, 1, 1));
    if (hasData && o.zeroLine && ay.contains(0)) {
        const double y = crisp(map(QPointF(ax.lo, 0)).y());
        p.setPen(QPen(kZeroLine, 1));
        p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
    }
    if (hasData && spec.identityLine) {
        QPen pen(referenceColor(), 1.3, Qt::SolidLine, Qt::FlatCap);
        pen.setDashPattern({6 / 1.3, 4 / 1.3});
        p.setPen(pen);
        p.drawLine(map(QPointF(ax.lo, ax.lo)), map(QPointF(ax.hi, ax.hi)));
    }
    if (hasData) {
        for (const RefLine &l : spec.refLines) {
            if (!ay.contains(l.y))
                continue;
            // Whole-pixel widths on the pixel grid keep these long lines sharp.
            const double width = std::max(1.0, std::round(l.width));
            QPen pen(l.color, width, Qt::SolidLine, Qt::FlatCap);
            if (l.dashed)
                pen.setDashPattern({7 / width, 4 / width});
            p.setPen(pen);
            const double rawY = map(QPointF(ax.lo, l.y)).y();
            const double y = int(width) % 2 ? crisp(rawY) : std::round(rawY);
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
        }
        p.setClipRect(plot.adjusted(-8, -8, 8, 8));
        for (const ResolvedSeries &s : spec.series) {
            p.save();
            if (s.style != Series::Style::Markers)
                p.setClipRect(plot);
            drawSeries(p, s, map);
            p.restore();
        }
    }
    p.restore();

    // Reference line labels in the right margin, pushed apart where lines are close.
    if (hasData && annotationWidth > 0) {
        struct Label
        {
            double y;
            const RefLine *line;
        };
        std::vector<Label> labels;
        for (const RefLine &l : spec.refLines) {
            if (!l.label.isEmpty() && ay.contains(l.y))
                labels.push_back({map(QPointF(ax.lo, l.y)).y(), &l});
        }
        std::sort(labels.begin(), labels.end(),
                  [](const Label &a, const Label &b) { return a.y < b.y; });
        const double minGap = textHeight(f.annotation) + 1;
        for (size_t i = 1; i < labels.size(); ++i)
            labels[i].y = std::max(labels[i].y, labels[i - 1].y + minGap);
        for (size_t i = labels.size(); i-- > 1;) { // pull back inside at the bottom
            if (labels[i].y > plot.bottom() + minGap / 2)
                labels[i].y = plot.bottom() + minGap / 2;
            labels[i - 1].y = std::min(labels[i - 1].y, labels[i].y - minGap);
        }
        for (const Label &l : labels) {
            const QColor color = l.line->color.darker(135); // text needs more contrast than lines
            const double lineY = map(QPointF(ax.lo, l.line->y)).y();
            double textX = plot.right() + 7;
            if (std::abs(l.y - lineY) > 2) { // moved off its line: a short leader shows which
                p.setPen(QPen(color, 1));
                p.drawLine(QPointF(plot.right() + 1, lineY), QPointF(plot.right() + 8, l.y));
                textX += 3;
            }
            drawTextAt(p, QPointF(textX, l.y), Qt::AlignLeft | Qt::AlignVCenter, l.line->label,
                       f.annotation, color);
        }
    }

    // Spines, ticks, tick labels.
    p.setPen(QPen(kSpine, 1));
    const double bottomY = crisp(plot.bottom());
    const double leftX = crisp(plot.left()) - 1;
    p.drawLine(QPointF(plot.left() - 1, bottomY), QPointF(plot.right(), bottomY));
    p.drawLine(QPointF(leftX, plot.top()), QPointF(leftX, plot.bottom() + 0.5));
    if (hasData) {
        for (size_t i = 0; i < ax.major.size(); ++i) {
            const double x = crisp(map(QPointF(ax.major[i], ay.lo)).x());
            p.setPen(QPen(kSpine, 1));
            p.drawLine(QPointF(x, bottomY), QPointF(x, bottomY + kTickLenPx));
            drawTextAt(p, QPointF(x, bottomY + kTickLenPx + kTickGapPx - 1),
                       Qt::AlignHCenter | Qt::AlignTop, ax.labels.value(int(i)), f.tick,
                       kMutedText);
        }
        p.setPen(QPen(kSpine, 1));
        for (double v : ax.minor) {
            const double x = crisp(map(QPointF(v, ay.lo)).x());
            p.drawLine(QPointF(x, bottomY), QPointF(x, bottomY + kMinorTickLenPx));
        }
        for (size_t i = 0; i < ay.major.size(); ++i) {
            const double y = crisp(map(QPointF(ax.lo, ay.major[i])).y());
            p.setPen(QPen(kSpine, 1));
            p.drawLine(QPointF(leftX - kTickLenPx, y), QPointF(leftX, y));
            drawTextAt(p, QPointF(leftX - kTickLenPx - kTickGapPx, y),
                       Qt::AlignRight | Qt::AlignVCenter, ay.labels.value(int(i)), f.tick,
                       kMutedText);
        }
    } else {
        drawTextAt(p, plot.center(), Qt::AlignCenter, trReport("no data"), f.empty, kMutedText);
    }

    // Axis labels and title.
    if (!o.xLabel.isEmpty()) {
        drawTextAt(p, QPointF(plot.center().x(), bottomY + kTickLenPx + kTickGapPx + tickH + 4),
                   Qt::AlignHCenter | Qt::AlignTop, o.xLabel, f.axisLabel, kText);
    }
    if (!o.yLabel.isEmpty()) {
        p.save();
        p.translate(layout.originX, plot.center().y());
        p.rotate(-90);
        drawTextAt(p, QPointF(0, 0), Qt::AlignHCenter | Qt::AlignTop, o.yLabel, f.axisLabel, kText);
        p.restore();
    }
    if (!o.title.isEmpty()) {
        const QString title = QFontMetricsF(f.title).elidedText(o.title, Qt::ElideRight,
                                                                W - layout.originX - kOuterPadPx);
        drawTextAt(p, QPointF(layout.originX, kOuterPadPx - 2), Qt::AlignLeft | Qt::AlignTop, title,
                   f.title, kText);
    }

    if (placement != LegendPlacement::None)
        drawLegend(p, items, legend, legendPos, f, placement == LegendPlacement::Inside);
    p.end();

    if (frameOut) {
        frameOut->area = plot;
        frameOut->xMin = ax.lo;
        frameOut->xMax = ax.hi;
        frameOut->yMin = ay.lo;
        frameOut->yMax = ay.hi;
        frameOut->logX = ax.log;
        frameOut->xTicks = hasData ? ax.major : std::vector<double>{};
        frameOut->yTicks = hasData ? ay.major : std::vector<double>{};
    }
    return image;
}

struct PairStats
{
    std::vector<double> estimate, reference;
};

PairStats finitePairs(const PairedGroup &g)
{
    PairStats s;
    const size_t n = std::min(g.estimate.size(), g.reference.size());
    for (size_t i = 0; i < n; ++i) {
        if (std::isfinite(g.estimate[i]) && std::isfinite(g.reference[i])) {
            s.estimate.push_back(g.estimate[i]);
            s.reference.push_back(g.reference[i]);
        }
    }
    return s;
}

double mean(const std::vector<double> &v)
{
    if (v.empty())
        return kNaN;
    double sum = 0;
    for (double x : v)
        sum += x;
    return sum / double(v.size());
}

double sampleSd(const std::vector<double> &v)
{
    if (v.size() < 2)
        return kNaN;
    const double m = mean(v);
    double ss = 0;
    for (double x : v)
        ss += (x - m) * (x - m);
    return std::sqrt(ss / double(v.size() - 1));
}

double pearson(const std::vector<double> &a, const std::vector<double> &b)
{
    if (a.size() < 3 || a.size() != b.size())
        return kNaN;
    const double ma = mean(a), mb = mean(b);
    double sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    if (!(saa > 0) || !(sbb > 0))
        return kNaN;
    return sab / std::sqrt(saa * sbb);
}

ResolvedSeries scatterSeries(const QString &name, int index, std::vector<QPointF> points)
{
    ResolvedSeries s;
    s.name = name;
    s.color = paletteColor(index);
    s.style = Series::Style::Markers;
    s.marker = resolveMarker(Series::Marker::Auto, index);
    s.width = 2.0;
    s.markerAlpha = 0.8;
    s.points = std::move(points);
    return s;
}

} // namespace

// ---------------------------------------------------------------------------------------------

QPointF PlotFrame::toPixel(double x, double y) const
{
    const double fx
        = logX ? (std::log10(x) - std::log10(xMin)) / (std::log10(xMax) - std::log10(xMin))
               : (x - xMin) / (xMax - xMin);
    const double fy = (y - yMin) / (yMax - yMin);
    return {area.left() + fx * area.width(), area.bottom() - fy * area.height()};
}

QColor paletteColor(int index)
{
    // Okabe & Ito (2008), "Color Universal Design"; yellow dropped, black kept for references.
    static const QColor kPalette[]
        = {QColor(0x00, 0x72, 0xB2), QColor(0xE6, 0x9F, 0x00), QColor(0x00, 0x9E, 0x73),
           QColor(0xD5, 0x5E, 0x00), QColor(0xCC, 0x79, 0xA7), QColor(0x56, 0xB4, 0xE9)};
    constexpr int kCount = int(sizeof(kPalette) / sizeof(kPalette[0]));
    const int i = index < 0 ? 0 : index;
    const QColor base = kPalette[i % kCount];
    const int round = (i / kCount) % 3;
    return round == 0 ? base : base.darker(100 + 35 * round);
}

QColor referenceColor()
{
    return QColor(0x4A, 0x4A, 0x4A);
}

QImage lineChart(const std::vector<Series> &series, const ChartOptions &options, PlotFrame *frame)
{
    PlotSpec spec;
    spec.options = options;
    for (size_t i = 0; i < series.size(); ++i)
        spec.series.push_back(resolveSeries(series[i], int(i), options.logX));
    return renderPlot(spec, frame);
}

QImage blandAltman(const std::vector<PairedGroup> &groups, const ChartOptions &options,
                   AgreementLines lines, PlotFrame *frame)
{
    PlotSpec spec;
    spec.options = options;
    spec.options.logX = false;
    if (spec.options.xLabel.isEmpty())
        spec.options.xLabel = trReport("Mean of estimate and reference");
    if (spec.options.yLabel.isEmpty())
        spec.options.yLabel = trReport("Estimate \u2212 reference");

    std::vector<std::vector<double>> groupDiffs;
    std::vector<double> allDiffs;
    for (size_t g = 0; g < groups.size(); ++g) {
        const PairStats s = finitePairs(groups[g]);
        std::vector<QPointF> pts;
        std::vector<double> diffs;
        for (size_t i = 0; i < s.estimate.size(); ++i) {
            const double m = (s.estimate[i] + s.reference[i]) / 2;
            const double d = s.estimate[i] - s.reference[i];
            if (std::isfinite(m) && std::isfinite(d)) {
                pts.emplace_back(m, d);
                diffs.push_back(d);
            }
        }
        allDiffs.insert(allDiffs.end(), diffs.begin(), diffs.end());
        ResolvedSeries rs = scatterSeries(groups[g].name, int(g), std::move(pts));
        if (!diffs.empty()) {
            const double sd = sampleSd(diffs);
            rs.detail
                = std::isfinite(sd)
                      ? trReport("n = %1 \u00b7 bias %2 \u00b7 SD %3")
                            .arg(diffs.size())
                            .arg(formatValue(mean(diffs), decimalsFor(std::abs(mean(diffs)))),
                                 formatValue(sd, decimalsFor(sd)))
                      : trReport("n = %1 \u00b7 bias %2")
                            .arg(diffs.size())
                            .arg(formatValue(mean(diffs), decimalsFor(std::abs(mean(diffs)))));
        }
        spec.series.push_back(std::move(rs));
        groupDiffs.push_back(std::move(diffs));
    }
    if (spec.series.size() == 1 && spec.series.front().name.isEmpty())
        spec.series.front().detail.clear();

    auto addLines = [&spec](const std::vector<double> &diffs, const QColor &color,
                            double limitWidth) {
        const double bias = mean(diffs);
        const double sd = sampleSd(diffs);
        if (!std::isfinite(bias))
            return;
        const double magnitude = std::max(std::abs(bias), std::isfinite(sd) ? 1.96 * sd : 0.0);
        const int decimals = decimalsFor(magnitude);
        spec.refLines.push_back(
            {bias, color, false, 2, trReport("bias %1").arg(formatValue(bias, decimals))});
        spec.extraY.add(bias);
        if (std::isfinite(sd) && sd > 0) {
            const double upper = bias + 1.96 * sd;
            const double lower = bias - 1.96 * sd;
            spec.refLines.push_back({upper, color, true, limitWidth,
                                     trReport("+1.96 SD %1").arg(formatValue(upper, decimals))});
            spec.refLines.push_back(
                {lower, color, true, limitWidth,
                 trReport("\u22121.96 SD %1").arg(formatValue(lower, decimals))});
            spec.extraY.add(upper);
            spec.extraY.add(lower);
        }
    };
    const auto nonEmpty = std::count_if(groupDiffs.begin(), groupDiffs.end(),
                                        [](const std::vector<double> &d) { return !d.empty(); });
    if (lines == AgreementLines::Pooled || nonEmpty <= 1) {
        addLines(allDiffs, referenceColor(), 2);
    } else {
        for (size_t g = 0; g < groupDiffs.size(); ++g)
            addLines(groupDiffs[g], spec.series[g].color, 1);
    }
    return renderPlot(spec, frame);
}

QImage scatterVsReference(const std::vector<PairedGroup> &groups, const ChartOptions &options,
                          PlotFrame *frame)
{
    PlotSpec spec;
    spec.options = options;
    spec.options.logX = false;
    spec.square = true;
    spec.identityLine = true;
    spec.preferOutsideLegend = true;
    if (spec.options.xLabel.isEmpty())
        spec.options.xLabel = trReport("Reference");
    if (spec.options.yLabel.isEmpty())
        spec.options.yLabel = trReport("Estimate");
    for (size_t g = 0; g < groups.size(); ++g) {
        const PairStats s = finitePairs(groups[g]);
        std::vector<QPointF> pts;
        std::vector<double> absErr;
        for (size_t i = 0; i < s.estimate.size(); ++i) {
            pts.emplace_back(s.reference[i], s.estimate[i]);
            absErr.push_back(std::abs(s.estimate[i] - s.reference[i]));
        }
        ResolvedSeries rs = scatterSeries(groups[g].name, int(g), std::move(pts));
        if (rs.name.isEmpty())
            rs.name = trReport("all");
        const double r = pearson(s.estimate, s.reference);
        const double mae = mean(absErr);
        if (!absErr.empty()) {
            rs.detail = trReport("r = %1 \u00b7 MAE %2 \u00b7 n = %3")
                            .arg(formatValue(r, 2), formatValue(mae, decimalsFor(mae)))
                            .arg(absErr.size());
        }
        spec.series.push_back(std::move(rs));
    }
    return renderPlot(spec, frame);
}

QImage waveformLanes(const std::vector<Lane> &lanes, const ChartOptions &options,
                     std::vector<PlotFrame> *laneFrames)
{
    const double ratio = sanitizeRatio(options.pixelRatio);
    QImage image = makeCanvas(options.width, options.height, ratio);
    if (laneFrames)
        laneFrames->clear();
    if (image.isNull())
        return image;
    const double W = image.deviceIndependentSize().width();
    const double H = image.deviceIndependentSize().height();
    const Fonts f = chartFonts();
    const QFont laneFont = makeFont(13, QFont::Bold);
    const QFont laneDetailFont = makeFont(11);

    // Resolve series; colours by position within the lane so "reference, variant" pairs match.
    std::vector<std::vector<ResolvedSeries>> resolved(lanes.size());
    std::vector<Extent> laneY(lanes.size());
    Extent ex;
    std::vector<LegendItem> items;
    for (size_t l = 0; l < lanes.size(); ++l) {
        for (size_t i = 0; i < lanes[l].series.size(); ++i) {
            ResolvedSeries s = resolveSeries(lanes[l].series[i], int(i), options.logX);
            for (const QPointF &pt : s.points) {
                if (!isGap(pt)) {
                    ex.add(pt.x());
                    laneY[l].add(pt.y());
                }
            }
            if (options.legend && !s.name.isEmpty()
                && std::none_of(items.begin(), items.end(),
                                [&](const LegendItem &it) { return it.label == s.name; })) {
                items.push_back(legendItemFor(s));
            }
            resolved[l].push_back(std::move(s));
        }
    }
    const bool hasData = ex.valid();
    if (!hasData)
        items.clear();
    elideLegend(items, f, std::max(160.0, W * 0.3));
    Axis ax;
    ax.log = options.logX;
    resolveRange(ax, ex, options.xMin, options.xMax, 0.0);

    // Lane labels: first line bold, further lines muted.
    const double labelCap = W * 0.3;
    double labelW = 0;
    std::vector<QStringList> labelLines(lanes.size());
    for (size_t l = 0; l < lanes.size(); ++l) {
        labelLines[l] = lanes[l].label.split(QLatin1Char('\n'));
        for (int i = 0; i < labelLines[l].size(); ++i) {
            const QFont &font = i == 0 ? laneFont : laneDetailFont;
            labelLines[l][i]
                = QFontMetricsF(font).elidedText(labelLines[l][i], Qt::ElideRight, labelCap);
            labelW = std::max(labelW, textWidth(font, labelLines[l][i]));
        }
    }

    const double titleH = options.title.isEmpty() ? 0 : textHeight(f.title) + 8;
    LegendLayout legend = layoutLegend(items, f, true, W - 2 * kOuterPadPx);
    const double legendH = items.empty() ? 0 : legend.size.height() - 2 * kLegendPadPx + 8;
    const double top = kOuterPadPx + titleH + legendH + 4;
    const double xLabelH = options.xLabel.isEmpty() ? 0 : textHeight(f.axisLabel) + 6;
    const double bottom = H - kOuterPadPx - xLabelH - textHeight(f.tick) - kTickLenPx - kTickGapPx;
    const double left = kOuterPadPx + labelW + (labelW > 0 ? 14 : 0);
    double right = W - kOuterPadPx;
    QRectF plot(left, top, std::max(10.0, right - left), std::max(10.0, bottom - top));
    makeXTicks(ax, plot.width(), f.tick);
    if (!ax.major.empty()) {
        const double overhang = plot.left() + ax.fraction(ax.major.back()) * plot.width()
                                + textWidth(f.tick, ax.labels.back()) / 2 - (W - kOuterPadPx / 2);
        if (overhang > 0) {
            plot.setWidth(std::max(10.0, plot.width() - overhang));
            makeXTicks(ax, plot.width(), f.tick);
        }
    }

    QPainter p(&image);
    preparePainter(p);
    const size_t n = lanes.size();
    const double laneH = n > 0 ? plot.height() / double(n) : plot.height();
    auto laneRect = [&](size_t l) {
        return QRectF(plot.left(), plot.top() + laneH * double(l), plot.width(), laneH);
    };

    for (size_t l = 0; l < n; ++l) {
        if (l % 2 == 1)
            p.fillRect(laneRect(l), kLaneBand);
    }
    if (hasData) {
        p.setPen(QPen(kGrid, 1));
        for (double v : ax.major) {
            const double x = crisp(plot.left() + ax.fraction(v) * plot.width());
            p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
        }
    }
    p.setPen(QPen(kSeparator, 1));
    for (size_t l = 1; l < n; ++l) {
        const double y = crisp(laneRect(l).top());
        p.drawLine(QPointF(plot.left() - 8, y), QPointF(plot.right(), y));
    }

    for (size_t l = 0; l < n; ++l) {
        const QRectF lane = laneRect(l);
        Axis ay;
        resolveRange(ay, laneY[l], kNaN, kNaN, 0.0);
        // Keep traces off the separators: 12 % of the lane height above and below.
        const double inset = std::min(lane.height() * 0.12, 14.0);
        const QRectF area = lane.adjusted(0, inset, 0, -inset);
        const Mapper map{area, &ax, &ay};
        if (laneY[l].valid()) {
            p.save();
            p.setClipRect(lane);
            for (const ResolvedSeries &s : resolved[l])
                drawSeries(p, s, map);
            p.restore();
        } else {
            drawTextAt(p, lane.center(), Qt::AlignCenter, trReport("no data"), f.annotation,
                       kMutedText);
        }
        if (laneFrames) {
            PlotFrame fr;
            fr.area = area;
            fr.xMin = ax.lo;
            fr.xMax = ax.hi;
            fr.yMin = ay.lo;
            fr.yMax = ay.hi;
            fr.logX = ax.log;
            if (hasData)
                fr.xTicks = ax.major;
            laneFrames->push_back(fr);
        }
        // Label, vertically centred on the lane.
        const QStringList &lines = labelLines[l];
        double blockH = 0;
        for (int i = 0; i < lines.size(); ++i)
            blockH += textHeight(i == 0 ? laneFont : laneDetailFont);
        double y = lane.center().y() - blockH / 2;
        for (int i = 0; i < lines.size(); ++i) {
            const QFont &font = i == 0 ? laneFont : laneDetailFont;
            drawTextAt(p, QPointF(plot.left() - 12, y), Qt::AlignRight | Qt::AlignTop, lines[i],
                       font, i == 0 ? kText : kMutedText);
            y += textHeight(font);
        }
    }

    // Shared time axis.
    const double bottomY = crisp(plot.bottom());
    p.setPen(QPen(kSpine, 1));
    p.drawLine(QPointF(plot.left(), bottomY), QPointF(plot.right(), bottomY));
    if (hasData) {
        for (size_t i = 0; i < ax.major.size(); ++i) {
            const double x = crisp(plot.left() + ax.fraction(ax.major[i]) * plot.width());
            p.setPen(QPen(kSpine, 1));
            p.drawLine(QPointF(x, bottomY), QPointF(x, bottomY + kTickLenPx));
            drawTextAt(p, QPointF(x, bottomY + kTickLenPx + kTickGapPx - 1),
                       Qt::AlignHCenter | Qt::AlignTop, ax.labels.value(int(i)), f.tick,
                       kMutedText);
        }
    } else if (n == 0) {
        drawTextAt(p, plot.center(), Qt::AlignCenter, trReport("no data"), f.empty, kMutedText);
    }
    if (!options.xLabel.isEmpty()) {
        drawTextAt(
            p,
            QPointF(plot.center().x(), bottomY + kTickLenPx + kTickGapPx + textHeight(f.tick) + 4),
            Qt::AlignHCenter | Qt::AlignTop, options.xLabel, f.axisLabel, kText);
    }
    if (!options.title.isEmpty()) {
        const QString title
            = QFontMetricsF(f.title).elidedText(options.title, Qt::ElideRight, W - 2 * kOuterPadPx);
        drawTextAt(p, QPointF(kOuterPadPx, kOuterPadPx - 2), Qt::AlignLeft | Qt::AlignTop, title,
                   f.title, kText);
    }
    if (!items.empty()) {
        // Right-aligned under the title, unframed.
        const QPointF pos(
            std::max(kOuterPadPx - kLegendPadPx, plot.right() - legend.size.width() + kLegendPadPx),
            kOuterPadPx + titleH - kLegendPadPx + 2);
        drawLegend(p, items, legend, pos, f, false);
    }
    p.end();
    return image;
}

QImage gridOfCharts(const std::vector<QImage> &charts, int columns, const QString &title)
{
    const Fonts f = chartFonts();
    const QFont titleFont = makeFont(20, QFont::Bold);
    double ratio = 1;
    for (const QImage &c : charts) {
        if (!c.isNull())
            ratio = std::max(ratio, c.devicePixelRatio());
    }
    ratio = sanitizeRatio(ratio);
    const int count = int(charts.size());
    const int cols = std::clamp(columns, 1, std::max(1, count));
    const int rows = count > 0 ? (count + cols - 1) / cols : 0;
    std::vector<double> colW(size_t(cols), 0.0), rowH(size_t(std::max(rows, 1)), 0.0);
    for (int i = 0; i < count; ++i) {
        const QSizeF s
            = charts[size_t(i)].isNull() ? QSizeF() : charts[size_t(i)].deviceIndependentSize();
        colW[size_t(i % cols)] = std::max(colW[size_t(i % cols)], s.width());
        rowH[size_t(i / cols)] = std::max(rowH[size_t(i / cols)], s.height());
    }
    const double gap = 6;
    const double titleH = title.isEmpty() ? 0 : textHeight(titleFont) + 2 * 12;
    double W = 0, H = titleH;
    for (double w : colW)
        W += w;
    for (double h : rowH)
        H += h;
    W += gap * (cols - 1);
    H += gap * std::max(0, rows - 1);
    const bool empty = W <= 0 || H <= titleH;
    if (empty) {
        W = std::max(W, 480.0);
        H = titleH + 160;
    }
    W = std::max(W, title.isEmpty() ? 1.0 : textWidth(titleFont, title) + 2 * kOuterPadPx);

    QImage image = makeCanvas(W, H, ratio);
    if (image.isNull())
        return image;
    QPainter p(&image);
    preparePainter(p);
    if (!title.isEmpty())
        drawTextAt(p, QPointF(W / 2, 12), Qt::AlignHCenter | Qt::AlignTop, title, titleFont, kText);
    if (empty) {
        drawTextAt(p, QPointF(W / 2, titleH + 80), Qt::AlignCenter, trReport("no data"), f.empty,
                   kMutedText);
    } else {
        double y = titleH;
        for (int r = 0; r < rows; ++r) {
            double x = 0;
            for (int c = 0; c < cols; ++c) {
                const int i = r * cols + c;
                if (i < count && !charts[size_t(i)].isNull()) {
                    const QImage &chart = charts[size_t(i)];
                    const QSizeF s = chart.deviceIndependentSize();
                    p.drawImage(QRectF(QPointF(x + (colW[size_t(c)] - s.width()) / 2,
                                               y + (rowH[size_t(r)] - s.height()) / 2),
                                       s),
                                chart);
                }
                x += colW[size_t(c)] + gap;
            }
            y += rowH[size_t(r)] + gap;
        }
    }
    p.end();
    return image;
}

QImage contactSheet(const std::vector<Tile> &tiles, int columns, int tileWidth,
                    const QString &title, double pixelRatio)
{
    const double ratio = sanitizeRatio(pixelRatio);
    const QFont titleFont = makeFont(20, QFont::Bold);
    const QFont captionBold = makeFont(13, QFont::Bold);
    const QFont captionFont = makeFont(12);
    const QFont emptyFont = chartFonts().empty;
    const double pad = 18;
    const double gap = 18;
    const double tileW = tileWidth > 0 ? std::min(double(tileWidth), 4096.0) : 240.0;
    const int count = int(tiles.size());
    const int cols = std::clamp(columns, 1, std::max(1, count));
    const int rows = count > 0 ? (count + cols - 1) / cols : 0;

    auto imageHeight = [&](const Tile &t) {
        if (t.image.isNull() || t.image.width() <= 0)
            return tileW * 9.0 / 16.0;
        const QSizeF s = t.image.deviceIndependentSize();
        return tileW * s.height() / s.width();
    };
    int captionLines = 0;
    for (const Tile &t : tiles)
        captionLines = std::max(captionLines, int(t.caption.size()));
    const double captionH
        = captionLines == 0
              ? 0
              : 8 + textHeight(captionBold) + (captionLines - 1) * (textHeight(captionFont) + 1);
    std::vector<double> rowH(size_t(std::max(rows, 1)), 0.0);
    for (int i = 0; i < count; ++i)
        rowH[size_t(i / cols)] = std::max(rowH[size_t(i / cols)], imageHeight(tiles[size_t(i)]));

    const double titleH = title.isEmpty() ? 0 : textHeight(titleFont) + 14;
    double W = 2 * pad + cols * tileW + (cols - 1) * gap;
    double H = 2 * pad + titleH;
    for (int r = 0; r < rows; ++r)
        H += rowH[size_t(r)] + captionH + (r > 0 ? gap : 0);
    if (count == 0) {
        W = std::max(W, 480.0);
        H += 120;
    }
    W = std::max(W, title.isEmpty() ? 1.0 : textWidth(titleFont, title) + 2 * pad);

    QImage image = makeCanvas(W, H, ratio);
    if (image.isNull())
        return image;
    QPainter p(&image);
    preparePainter(p);
    if (!title.isEmpty())
        drawTextAt(p, QPointF(pad, pad - 2), Qt::AlignLeft | Qt::AlignTop, title, titleFont, kText);
    if (count == 0)
        drawTextAt(p, QPointF(W / 2, pad + titleH + 60), Qt::AlignCenter, trReport("no images"),
                   emptyFont, kMutedText);

    // Pre-scaled in device pixels: QImage's smooth scaling averages areas when shrinking, which
    // painter scaling does not.
    auto scaledTo = [ratio](const QImage &src, const QSizeF &logical) {
        const QSize px(std::max(1, qRound(logical.width() * ratio)),
                       std::max(1, qRound(logical.height() * ratio)));
        // Upscaling by 2× or more keeps pixels square so compression blocks stay visible.
        const bool enlarge = px.width() >= 2 * src.width();
        QImage out = src.scaled(px, Qt::IgnoreAspectRatio,
                                enlarge ? Qt::FastTransformation : Qt::SmoothTransformation);
        out.setDevicePixelRatio(ratio);
        return out;
    };

    double y = pad + titleH;
    for (int r = 0; r < rows; ++r) {
        for (int c = 0; c < cols; ++c) {
            const int i = r * cols + c;
            if (i >= count)
                break;
            const Tile &t = tiles[size_t(i)];
            const double x = pad + c * (tileW + gap);
            const double h = imageHeight(t);
            const QRectF imgRect(x, y + (rowH[size_t(r)] - h) / 2, tileW, h);
            if (t.image.isNull()) {
                p.fillRect(imgRect, QColor(0xEE, 0xEE, 0xEE));
                drawTextAt(p, imgRect.center(), Qt::AlignCenter, trReport("no image"), captionFont,
                           kMutedText);
            } else {
                p.drawImage(imgRect, scaledTo(t.image.convertToFormat(QImage::Format_RGB32),
                                              imgRect.size()));
            }
            if (!t.inset.isNull() && t.inset.width() > 0 && t.inset.height() > 0) {
                const QSizeF is = t.inset.deviceIndependentSize();
                const double scale = std::min(tileW * 0.4 / is.width(), h * 0.5 / is.height());
                const QSizeF size(is.width() * scale, is.height() * scale);
                const double m = 7;
                const QRectF insetRect(imgRect.right() - m - size.width(),
                                       imgRect.bottom() - m - size.height(), size.width(),
                                       size.height());
                p.setPen(Qt::NoPen);
                p.setBrush(QColor(0, 0, 0, 60));
                p.drawRect(insetRect.adjusted(-1, -1, 3, 3)); // soft drop shadow
                p.setBrush(Qt::white);
                p.drawRect(insetRect.adjusted(-2, -2, 2, 2));
                p.drawImage(insetRect, scaledTo(t.inset.convertToFormat(QImage::Format_RGB32),
                                                insetRect.size()));
            }
            p.setBrush(Qt::NoBrush);
            if (t.accent.isValid()) {
                p.setPen(QPen(t.accent, 3, Qt::SolidLine, Qt::SquareCap, Qt::MiterJoin));
                p.drawRect(imgRect.adjusted(-1.5, -1.5, 1.5, 1.5));
            } else {
                p.setPen(QPen(QColor(0, 0, 0, 40), 1));
                p.drawRect(imgRect.adjusted(-0.5, -0.5, 0.5, 0.5));
            }
            double ty = y + rowH[size_t(r)] + 8;
            for (int k = 0; k < t.caption.size(); ++k) {
                const QFont &font = k == 0 ? captionBold : captionFont;
                const QString line
                    = QFontMetricsF(font).elidedText(t.caption[k], Qt::ElideRight, tileW);
                drawTextAt(p, QPointF(x, ty), Qt::AlignLeft | Qt::AlignTop, line, font,
                           k == 0 ? kText : kMutedText);
                ty += textHeight(font) + (k == 0 ? 0 : 1);
            }
        }
        y += rowH[size_t(r)] + captionH + gap;
    }
    p.end();
    return image;
}

} // namespace rppg::report
