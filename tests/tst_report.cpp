// Report figures and HTML: sizes, where data lands in the pixels, degenerate input, escaping,
// embedded images and atomic writes. Everything is generated here; pixels are checked against the
// colours the test chose, so the checks do not depend on fonts.

#include "charts.h"
#include "htmlreport.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

#include <cmath>

using namespace rppg;
using namespace rppg::report;

Q_DECLARE_METATYPE(std::vector<rppg::report::Series>)
Q_DECLARE_METATYPE(std::vector<double>)

namespace {

const QColor kSeriesColor(0xD0, 0x20, 0x90); // a colour no chart element uses by itself

bool closeTo(QRgb pixel, const QColor &c, int tolerance = 40)
{
    return std::abs(qRed(pixel) - c.red()) <= tolerance
           && std::abs(qGreen(pixel) - c.green()) <= tolerance
           && std::abs(qBlue(pixel) - c.blue()) <= tolerance;
}

int distinctColours(const QImage &image)
{
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 2) {
        for (int x = 0; x < image.width(); x += 2)
            colours.insert(image.pixel(x, y));
    }
    return int(colours.size());
}

// Fraction of pixels in row y, between x0 and x1, close to `c`.
double rowCoverage(const QImage &image, int y, int x0, int x1, const QColor &c, int tolerance = 40)
{
    if (y < 0 || y >= image.height())
        return 0;
    int hits = 0;
    for (int x = x0; x < x1; ++x)
        hits += closeTo(image.pixel(x, y), c, tolerance) ? 1 : 0;
    return double(hits) / std::max(1, x1 - x0);
}

// Centroids of runs of `c` along row y (marker centres).
std::vector<double> runCentres(const QImage &image, int y, const QColor &c)
{
    std::vector<double> centres;
    int start = -1;
    for (int x = 0; x <= image.width(); ++x) {
        const bool hit = x < image.width() && closeTo(image.pixel(x, y), c, 30);
        if (hit && start < 0)
            start = x;
        if (!hit && start >= 0) {
            centres.push_back((start + x - 1) / 2.0);
            start = -1;
        }
    }
    return centres;
}

// Vertical extent (first, last row) of pixels close to `c` inside `rect`.
std::pair<int, int> verticalExtent(const QImage &image, const QRect &rect, const QColor &c)
{
    int first = -1, last = -1;
    for (int y = rect.top(); y <= rect.bottom(); ++y) {
        for (int x = rect.left(); x <= rect.right(); ++x) {
            if (closeTo(image.pixel(x, y), c, 30)) {
                if (first < 0)
                    first = y;
                last = y;
                break;
            }
        }
    }
    return {first, last};
}

Series flatSeries(double y, double x0 = 0, double x1 = 10)
{
    Series s;
    s.name = QStringLiteral("flat");
    for (int i = 0; i <= 20; ++i) {
        s.x.push_back(x0 + (x1 - x0) * i / 20.0);
        s.y.push_back(y);
    }
    s.color = kSeriesColor;
    s.style = Series::Style::Line;
    s.width = 3;
    return s;
}

QImage solidImage(int w, int h, const QColor &c)
{
    QImage image(w, h, QImage::Format_RGB32);
    image.fill(c);
    return image;
}

QString stripDoctype(QString html)
{
    return html.remove(QRegularExpression(QStringLiteral("^<!DOCTYPE[^>]*>")));
}

} // namespace

class TstReport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void chartSize_data();
    void chartSize();
    void horizontalLineLandsWhereTheDataIs_data();
    void horizontalLineLandsWhereTheDataIs();
    void logAxisSpacesDecadesEqually();
    void ticksAreRound_data();
    void ticksAreRound();
    void gapsBreakLines();
    void degenerateInput_data();
    void degenerateInput();
    void legendStaysOffTheData();
    void lanesScaleEachLaneToItsData();
    void blandAltmanLinesAtBiasAndLimits();
    void blandAltmanLinesPerGroupOrPooled();
    void scatterHasEqualRanges();
    void contactSheetLayout();
    void gridPlacesChartsInCells();
    void paletteIsDistinctAndTotal();

    void htmlIsWellFormed();
    void htmlEscapesText_data();
    void htmlEscapesText();
    void htmlTableAlignsAndColours();
    void htmlEmbedsImages();
    void writeToUnwritablePathFails();
    void writeReplacesAtomically();
};

void TstReport::chartSize_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<double>("ratio");
    for (const char *kind : {"line", "lanes", "bland-altman", "scatter"}) {
        QTest::addRow("%s default", kind) << QString::fromLatin1(kind) << 900 << 520 << 1.0;
        QTest::addRow("%s small", kind) << QString::fromLatin1(kind) << 320 << 200 << 1.0;
        QTest::addRow("%s 2x", kind) << QString::fromLatin1(kind) << 600 << 400 << 2.0;
    }
}

void TstReport::chartSize()
{
    QFETCH(QString, kind);
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(double, ratio);
    ChartOptions o;
    o.width = width;
    o.height = height;
    o.pixelRatio = ratio;
    o.title = QStringLiteral("Title");
    o.xLabel = QStringLiteral("x");
    o.yLabel = QStringLiteral("y");
    Series s{QStringLiteral("a"), {1, 2, 3, 4}, {3, 1, 4, 1}, {}};
    PairedGroup g{QStringLiteral("g"), {60, 72, 80, 95}, {61, 70, 83, 94}};
    QImage image;
    if (kind == QLatin1String("line"))
        image = lineChart({s}, o);
    else if (kind == QLatin1String("lanes"))
        image = waveformLanes({Lane{QStringLiteral("lane"), {s}}, Lane{QStringLiteral("two"), {s}}},
                              o);
    else if (kind == QLatin1String("bland-altman"))
        image = blandAltman({g}, o);
    else
        image = scatterVsReference({g}, o);
    QCOMPARE(image.size(), QSize(qRound(width * ratio), qRound(height * ratio)));
    QCOMPARE(image.devicePixelRatio(), ratio);
    QVERIFY2(distinctColours(image) > 20, "the chart looks blank");
}

void TstReport::horizontalLineLandsWhereTheDataIs_data()
{
    QTest::addColumn<double>("y");
    QTest::newRow("middle") << 5.0;
    QTest::newRow("low") << 2.0;
    QTest::newRow("high") << 8.5;
}

void TstReport::horizontalLineLandsWhereTheDataIs()
{
    QFETCH(double, y);
    ChartOptions o;
    o.yMin = 0;
    o.yMax = 10;
    o.legend = false;
    PlotFrame frame;
    const QImage image = lineChart({flatSeries(y)}, o, &frame);
    const QRect area = frame.area.toRect();
    QVERIFY(QRect(QPoint(0, 0), image.size()).contains(area));
    QCOMPARE(frame.yMin, 0.0);
    QCOMPARE(frame.yMax, 10.0);

    // The row most covered by the series colour, looked for in the whole image.
    int bestRow = -1;
    double best = 0;
    for (int row = 0; row < image.height(); ++row) {
        const double c = rowCoverage(image, row, 0, image.width(), kSeriesColor);
        if (c > best) {
            best = c;
            bestRow = row;
        }
    }
    QVERIFY2(best > 0.5 * area.width() / image.width(), "series line not found");
    const double expected = frame.area.bottom() - (y / 10.0) * frame.area.height();
    QVERIFY2(std::abs(bestRow - expected) <= 2.0,
             qPrintable(QStringLiteral("line at row %1, expected %2").arg(bestRow).arg(expected)));
    QVERIFY(std::abs(frame.toPixel(0, y).y() - expected) < 0.01);
}

void TstReport::logAxisSpacesDecadesEqually()
{
    // One marker each at 100, 1000 and 10000 on one row; on a log axis they are equally spaced.
    ChartOptions o;
    o.logX = true;
    o.legend = false;
    o.yMin = 0;
    o.yMax = 2;
    Series s{QStringLiteral("m"), {100, 1000, 10000}, {1, 1, 1}, kSeriesColor};
    s.style = Series::Style::Markers;
    s.marker = Series::Marker::Square;
    PlotFrame frame;
    const QImage image = lineChart({s}, o, &frame);
    QVERIFY(frame.logX);
    const int row = qRound(frame.toPixel(100, 1).y());
    const std::vector<double> centres = runCentres(image, row, kSeriesColor);
    QCOMPARE(int(centres.size()), 3);
    const double d1 = centres[1] - centres[0];
    const double d2 = centres[2] - centres[1];
    QVERIFY2(d1 > 50, "markers too close to tell");
    QVERIFY2(std::abs(d1 - d2) <= 2.0,
             qPrintable(QStringLiteral("spacing %1 vs %2").arg(d1).arg(d2)));
    QVERIFY(std::abs(centres[0] - frame.toPixel(100, 1).x()) <= 1.5);

    // The same data on a linear axis puts 100 and 1000 almost together.
    o.logX = false;
    PlotFrame linear;
    const QImage li = lineChart({s}, o, &linear);
    QVERIFY(linear.toPixel(1000, 1).x() - linear.toPixel(100, 1).x() < d1 / 4);
}

void TstReport::ticksAreRound_data()
{
    QTest::addColumn<std::vector<double>>("x");
    QTest::addColumn<bool>("logX");
    QTest::addColumn<std::vector<double>>("expected"); // empty: check 1-2-5 spacing only
    using V = std::vector<double>;
    QTest::newRow("bitrates 100..8000")
        << V{100, 8000} << true << V{100, 200, 500, 1000, 2000, 5000};
    QTest::newRow("bitrates 230..1100") << V{230, 1100} << true << V{300, 500, 700, 1000};
    QTest::newRow("many decades") << V{0.01, 1e7} << true
                                  << V{0.01, 0.1, 1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7};
    QTest::newRow("narrow log") << V{120, 160} << true << V{};
    QTest::newRow("linear 0..10") << V{0, 10} << false << V{};
    QTest::newRow("linear negative") << V{-0.37, 0.81} << false << V{};
    QTest::newRow("linear large") << V{12000, 97000} << false << V{};
    QTest::newRow("linear tiny") << V{1e-6, 7e-6} << false << V{};
}

void TstReport::ticksAreRound()
{
    QFETCH(std::vector<double>, x);
    QFETCH(bool, logX);
    QFETCH(std::vector<double>, expected);
    ChartOptions o;
    o.logX = logX;
    o.legend = false;
    Series s{QStringLiteral("s"), x, std::vector<double>(x.size(), 1.0), {}};
    PlotFrame frame;
    lineChart({s}, o, &frame);
    QVERIFY2(frame.xTicks.size() >= 2, "fewer than two x ticks");
    for (double t : frame.xTicks)
        QVERIFY(t >= frame.xMin - 1e-12 && t <= frame.xMax + 1e-12);
    if (!expected.empty()) {
        QCOMPARE(frame.xTicks.size(), expected.size());
        for (size_t i = 0; i < expected.size(); ++i)
            QVERIFY2(std::abs(frame.xTicks[i] - expected[i]) <= 1e-9 * expected[i],
                     qPrintable(QStringLiteral("tick %1 is %2").arg(i).arg(frame.xTicks[i])));
        return;
    }
    // Evenly spaced, and the step is 1, 2 or 5 times a power of ten.
    const double step = frame.xTicks[1] - frame.xTicks[0];
    for (size_t i = 2; i < frame.xTicks.size(); ++i)
        QVERIFY(std::abs(frame.xTicks[i] - frame.xTicks[i - 1] - step) <= 1e-9 * std::abs(step));
    const double mantissa = step / std::pow(10.0, std::floor(std::log10(step) + 1e-12));
    QVERIFY2(std::abs(mantissa - 1) < 1e-6 || std::abs(mantissa - 2) < 1e-6
                 || std::abs(mantissa - 5) < 1e-6,
             qPrintable(QStringLiteral("step %1").arg(step)));
    for (double t : frame.xTicks)
        QVERIFY(std::abs(t / step - std::round(t / step)) < 1e-6); // multiples of the step
    QVERIFY(frame.yTicks.size() >= 2);
}

void TstReport::gapsBreakLines()
{
    ChartOptions o;
    o.legend = false;
    o.yMin = 0;
    o.yMax = 10;
    o.xMin = 0;
    o.xMax = 10;
    Series s = flatSeries(5);
    for (size_t i = 0; i < s.x.size(); ++i) {
        if (s.x[i] > 3.9 && s.x[i] < 6.1)
            s.y[i] = qQNaN();
    }
    PlotFrame frame;
    const QImage image = lineChart({s}, o, &frame);
    const int row = qRound(frame.toPixel(0, 5).y());
    auto hit = [&](double x) {
        const QPointF p = frame.toPixel(x, 5);
        for (int dy = -1; dy <= 1; ++dy) {
            if (closeTo(image.pixel(qRound(p.x()), row + dy), kSeriesColor))
                return true;
        }
        return false;
    };
    QVERIFY(hit(2));
    QVERIFY(hit(8));
    QVERIFY2(!hit(5), "the line crosses the NaN gap");
}

void TstReport::degenerateInput_data()
{
    const double nan = qQNaN();
    const double inf = qInf();
    QTest::addColumn<std::vector<Series>>("series");
    QTest::addColumn<bool>("logX");
    QTest::addColumn<double>("yMin");
    QTest::addColumn<double>("yMax");
    QTest::newRow("no series") << std::vector<Series>{} << false << nan << nan;
    QTest::newRow("empty series") << std::vector<Series>{Series{}} << false << nan << nan;
    QTest::newRow("one point") << std::vector<Series>{Series{QStringLiteral("p"), {1}, {2}, {}}}
                               << false << nan << nan;
    QTest::newRow("one point log")
        << std::vector<Series>{Series{QStringLiteral("p"), {500}, {2}, {}}} << true << nan << nan;
    QTest::newRow("all NaN") << std::vector<Series>{Series{
        QStringLiteral("n"), {1, 2, 3}, {nan, nan, nan}, {}}}
                             << false << nan << nan;
    QTest::newRow("constant") << std::vector<Series>{Series{
        QStringLiteral("c"), {1, 2, 3}, {7, 7, 7}, {}}}
                              << false << nan << nan;
    QTest::newRow("constant zero")
        << std::vector<Series>{Series{QStringLiteral("z"), {1, 2}, {0, 0}, {}}} << false << nan
        << nan;
    QTest::newRow("infinities") << std::vector<Series>{Series{
        QStringLiteral("i"), {0, 1, inf, 3}, {inf, 2, 3, -inf}, {}}}
                                << false << nan << nan;
    QTest::newRow("lengths differ")
        << std::vector<Series>{Series{QStringLiteral("l"), {1, 2, 3, 4, 5}, {1, 2}, {}}} << false
        << nan << nan;
    QTest::newRow("log with non-positive x")
        << std::vector<Series>{Series{QStringLiteral("x"), {-1, 0, 10, 100}, {1, 2, 3, 4}, {}}}
        << true << nan << nan;
    QTest::newRow("log all non-positive")
        << std::vector<Series>{Series{QStringLiteral("x"), {-1, 0}, {1, 2}, {}}} << true << nan
        << nan;
    QTest::newRow("inverted fixed range")
        << std::vector<Series>{Series{QStringLiteral("r"), {1, 2}, {1, 2}, {}}} << false << 5.0
        << 1.0;
    QTest::newRow("data outside fixed range")
        << std::vector<Series>{Series{QStringLiteral("o"), {1, 2}, {100, 200}, {}}} << false << 0.0
        << 1.0;
    QTest::newRow("fixed min above data")
        << std::vector<Series>{Series{QStringLiteral("a"), {1, 2}, {1, 2}, {}}} << false << 10.0
        << nan;
    QTest::newRow("huge values") << std::vector<Series>{Series{
        QStringLiteral("h"), {-1e308, 1e308}, {-1e308, 1e308}, {}}}
                                 << false << nan << nan;
    QTest::newRow("tiny span") << std::vector<Series>{Series{
        QStringLiteral("t"), {1, 2}, {1.0, 1.0 + 1e-13}, {}}}
                               << false << nan << nan;
}

void TstReport::degenerateInput()
{
    QFETCH(std::vector<Series>, series);
    QFETCH(bool, logX);
    QFETCH(double, yMin);
    QFETCH(double, yMax);
    ChartOptions o;
    o.title = QStringLiteral("Degenerate");
    o.logX = logX;
    o.yMin = yMin;
    o.yMax = yMax;
    o.width = 400;
    o.height = 260;
    PlotFrame frame;
    const QImage image = lineChart(series, o, &frame);
    QCOMPARE(image.size(), QSize(400, 260));
    QVERIFY(distinctColours(image) > 2);
    QVERIFY(std::isfinite(frame.xMin) && std::isfinite(frame.xMax) && frame.xMin < frame.xMax);
    QVERIFY(std::isfinite(frame.yMin) && std::isfinite(frame.yMax) && frame.yMin < frame.yMax);
    QVERIFY(frame.area.width() > 0 && frame.area.height() > 0);
    // Whatever the input, tick values stay round enough to print briefly.
    for (double t : frame.yTicks)
        QVERIFY2(QString::number(t, 'g', 15).size() <= 8, qPrintable(QString::number(t, 'g', 17)));

    // The other figures take the same kind of input without failing either.
    std::vector<Lane> lanes;
    for (const Series &s : series)
        lanes.push_back(Lane{s.name, {s}});
    QCOMPARE(waveformLanes(lanes, o).size(), QSize(400, 260));
    std::vector<PairedGroup> groups;
    for (const Series &s : series)
        groups.push_back(PairedGroup{s.name, s.y, s.x});
    QCOMPARE(blandAltman(groups, o).size(), QSize(400, 260));
    QCOMPARE(scatterVsReference(groups, o).size(), QSize(400, 260));
}

void TstReport::legendStaysOffTheData()
{
    // A series filling the whole plot leaves no free corner: the legend must go outside.
    ChartOptions o;
    o.legend = true;
    Series fill{QStringLiteral("a long legend entry name"), {}, {}, kSeriesColor};
    fill.style = Series::Style::Line;
    for (int i = 0; i <= 400; ++i) {
        fill.x.push_back(i);
        fill.y.push_back(i % 2); // zig-zag covering the full height
    }
    PlotFrame frame;
    const QImage image = lineChart({fill}, o, &frame);
    QVERIFY2(frame.area.right() < image.width() - 100 || frame.area.bottom() < image.height() - 60,
             "no room was made outside the plot for the legend");

    // One compact series in the lower left: the legend fits inside and the plot keeps its width.
    Series corner{QStringLiteral("a"), {0, 1, 2}, {0, 0.2, 0.1}, kSeriesColor};
    Series other{QStringLiteral("b"), {8, 9, 10}, {0, 0.1, 0.2}, {}};
    PlotFrame inside;
    lineChart({corner, other}, o, &inside);
    QVERIFY(inside.area.right() > image.width() - 40);
}

void TstReport::lanesScaleEachLaneToItsData()
{
    // Amplitudes 1 and 1000: each lane's trace still spans most of its own lane.
    std::vector<Lane> lanes;
    const QColor laneColors[] = {kSeriesColor, QColor(0x10, 0xB0, 0x30)};
    const double amplitude[] = {1.0, 1000.0};
    for (int l = 0; l < 2; ++l) {
        Series s{QStringLiteral("s%1").arg(l), {}, {}, laneColors[l]};
        s.style = Series::Style::Line;
        for (int i = 0; i < 300; ++i) {
            s.x.push_back(i / 30.0);
            s.y.push_back(amplitude[l] * std::sin(i / 10.0) + (l == 1 ? 5000 : 0));
        }
        lanes.push_back(Lane{QStringLiteral("lane %1").arg(l), {s}});
    }
    ChartOptions o;
    o.legend = false;
    std::vector<PlotFrame> frames;
    const QImage image = waveformLanes(lanes, o, &frames);
    QCOMPARE(int(frames.size()), 2);
    QVERIFY(frames[0].area.bottom() <= frames[1].area.top());
    QCOMPARE(frames[0].xMin, frames[1].xMin);
    QCOMPARE(frames[0].xMax, frames[1].xMax);
    for (int l = 0; l < 2; ++l) {
        const QRect area = frames[size_t(l)].area.toRect();
        const auto [first, last] = verticalExtent(image, area.adjusted(0, -4, 0, 4), laneColors[l]);
        QVERIFY2(first >= 0, "lane trace missing");
        QVERIFY2(last - first >= 0.8 * area.height(),
                 qPrintable(QStringLiteral("lane %1 spans %2 of %3 px")
                                .arg(l)
                                .arg(last - first)
                                .arg(area.height())));
        // And the other lane's colour does not leak into this one.
        const auto [f2, l2] = verticalExtent(image, area, laneColors[1 - l]);
        QCOMPARE(f2, -1);
    }
}

void TstReport::blandAltmanLinesAtBiasAndLimits()
{
    // Differences alternate 0.5 and 3.5: bias 2, SD known; markers stay off the bias line.
    PairedGroup g;
    g.name = QStringLiteral("g");
    std::vector<double> diffs;
    for (int i = 0; i < 30; ++i) {
        const double ref = 60 + i;
        const double d = i % 2 ? 3.5 : 0.5;
        g.reference.push_back(ref);
        g.estimate.push_back(ref + d);
        diffs.push_back(d);
    }
    double mean = 0;
    for (double d : diffs)
        mean += d / diffs.size();
    double ss = 0;
    for (double d : diffs)
        ss += (d - mean) * (d - mean);
    const double sd = std::sqrt(ss / (diffs.size() - 1));
    QCOMPARE(mean, 2.0);

    ChartOptions o;
    o.legend = false;
    o.height = 700;
    PlotFrame frame;
    const QImage image = blandAltman({g}, o, AgreementLines::PerGroup, &frame);
    QVERIFY(frame.yMin < mean - 1.96 * sd && frame.yMax > mean + 1.96 * sd);
    const int x0 = int(frame.area.left()) + 2;
    const int x1 = int(frame.area.right()) - 2;
    auto bestRowNear = [&](double value) {
        const double expected = frame.toPixel(70, value).y();
        double best = 0;
        int row = -1;
        for (int y = qRound(expected) - 6; y <= qRound(expected) + 6; ++y) {
            const double c = rowCoverage(image, y, x0, x1, referenceColor(), 30);
            if (c > best) {
                best = c;
                row = y;
            }
        }
        return std::make_tuple(row, best, expected);
    };
    const auto [biasRow, biasCoverage, biasExpected] = bestRowNear(mean);
    QVERIFY2(biasCoverage > 0.8,
             qPrintable(QStringLiteral("bias line coverage %1").arg(biasCoverage)));
    QVERIFY(std::abs(biasRow - biasExpected) <= 1.5);
    for (double limit : {mean + 1.96 * sd, mean - 1.96 * sd}) {
        const auto [row, coverage, expected] = bestRowNear(limit);
        QVERIFY2(coverage > 0.35 && coverage < 0.85,
                 qPrintable(QStringLiteral("limit coverage %1").arg(coverage)));
        QVERIFY(std::abs(row - expected) <= 1.5);
    }
    // Halfway between bias and the upper limit there is no line.
    const int between = qRound(frame.toPixel(70, mean + 0.98 * sd).y());
    QVERIFY(rowCoverage(image, between, x0, x1, referenceColor(), 30) < 0.1);
}

void TstReport::blandAltmanLinesPerGroupOrPooled()
{
    // Two methods with biases +5 and −5 (differences ±1 around them).
    std::vector<PairedGroup> groups(2);
    for (int k = 0; k < 2; ++k) {
        groups[size_t(k)].name = k == 0 ? QStringLiteral("high") : QStringLiteral("low");
        for (int i = 0; i < 20; ++i) {
            const double ref = 60 + 2 * i;
            groups[size_t(k)].reference.push_back(ref);
            groups[size_t(k)].estimate.push_back(ref + (k == 0 ? 5 : -5) + (i % 2 ? 1 : -1));
        }
    }
    ChartOptions o;
    o.legend = false;
    o.height = 700;
    auto coverageAt
        = [](const QImage &image, const PlotFrame &frame, double value, const QColor &c) {
              const int y = qRound(frame.toPixel(0, value).y());
              double best = 0;
              for (int dy = -2; dy <= 2; ++dy)
                  best = std::max(best, rowCoverage(image, y + dy, int(frame.area.left()) + 2,
                                                    int(frame.area.right()) - 2, c, 30));
              return best;
          };
    PlotFrame perGroup;
    const QImage a = blandAltman(groups, o, AgreementLines::PerGroup, &perGroup);
    QVERIFY(coverageAt(a, perGroup, 5, paletteColor(0)) > 0.8);
    QVERIFY(coverageAt(a, perGroup, -5, paletteColor(1)) > 0.8);
    QVERIFY(coverageAt(a, perGroup, 0, referenceColor()) < 0.1);

    PlotFrame pooled;
    const QImage b = blandAltman(groups, o, AgreementLines::Pooled, &pooled);
    QVERIFY(coverageAt(b, pooled, 0, referenceColor()) > 0.8);
    QVERIFY(coverageAt(b, pooled, 5, paletteColor(0)) < 0.1);
}

void TstReport::scatterHasEqualRanges()
{
    PairedGroup g{QStringLiteral("g"), {50, 60, 100}, {55, 70, 90}};
    PlotFrame frame;
    ChartOptions o;
    const QImage image = scatterVsReference({g}, o, &frame);
    QCOMPARE(frame.xMin, frame.yMin);
    QCOMPARE(frame.xMax, frame.yMax);
    QVERIFY(std::abs(frame.area.width() - frame.area.height()) < 1);
    QVERIFY(frame.xMin <= 50 && frame.xMax >= 100);
    // The identity line runs through the plot's diagonal: grey pixels along it (dashed, so most
    // but not all of the sampled points).
    auto greyNear = [&](const QPointF &p) {
        for (int dy = -2; dy <= 2; ++dy) {
            for (int dx = -2; dx <= 2; ++dx) {
                const QRgb c = image.pixel(qRound(p.x()) + dx, qRound(p.y()) + dy);
                const int hi = std::max({qRed(c), qGreen(c), qBlue(c)});
                const int lo = std::min({qRed(c), qGreen(c), qBlue(c)});
                if (hi - lo < 16 && hi < 160)
                    return true;
            }
        }
        return false;
    };
    int onLine = 0;
    for (double v = 60; v < 96; v += 2)
        onLine += greyNear(frame.toPixel(v, v)) ? 1 : 0;
    QVERIFY2(onLine >= 10,
             qPrintable(QStringLiteral("%1 of 18 points on the identity line").arg(onLine)));
    int offLine = 0;
    for (double v = 60; v < 96; v += 2)
        offLine += greyNear(frame.toPixel(v, v - 12)) ? 1 : 0;
    QCOMPARE(offLine, 0);
}

void TstReport::contactSheetLayout()
{
    const QColor imageColor(0x20, 0x60, 0xE0);
    const QColor insetColor(0xF0, 0x20, 0x20);
    const QColor accent(0x00, 0xC0, 0x40);
    std::vector<Tile> tiles;
    for (int i = 0; i < 5; ++i) {
        Tile t;
        t.image = solidImage(640, 480, imageColor);
        if (i == 0)
            t.inset = solidImage(100, 100, insetColor);
        if (i == 4)
            t.accent = accent;
        t.caption = {QStringLiteral("tile %1").arg(i), QStringLiteral("second line")};
        tiles.push_back(t);
    }
    const int tileWidth = 200;
    const QImage sheet = contactSheet(tiles, 3, tileWidth, QStringLiteral("Sheet"));
    QVERIFY(sheet.width() >= 3 * tileWidth && sheet.width() < 3 * tileWidth + 200);
    QVERIFY(sheet.height() >= 2 * 150); // two rows of 200 × 150 images

    // Tile 0 occupies the top-left: its image colour in the upper part, the inset lower right.
    int insetMinX = sheet.width(), insetMaxX = -1, insetMinY = sheet.height(), insetMaxY = -1;
    int imagePixels = 0, accentPixels = 0;
    for (int y = 0; y < sheet.height(); ++y) {
        for (int x = 0; x < sheet.width(); ++x) {
            const QRgb p = sheet.pixel(x, y);
            if (closeTo(p, insetColor, 10)) {
                insetMinX = std::min(insetMinX, x);
                insetMaxX = std::max(insetMaxX, x);
                insetMinY = std::min(insetMinY, y);
                insetMaxY = std::max(insetMaxY, y);
            }
            imagePixels += closeTo(p, imageColor, 10) ? 1 : 0;
            accentPixels += closeTo(p, accent, 10) ? 1 : 0;
        }
    }
    QVERIFY2(insetMaxX > 0, "inset missing");
    QVERIFY(insetMaxX < tileWidth + 40);           // in the first column
    QVERIFY(insetMinX > tileWidth / 2);            // right half of the tile
    QVERIFY(insetMaxY - insetMinY <= 150 / 2 + 1); // at most half the image height
    QVERIFY(imagePixels > 4 * tileWidth * 150);    // most of five images visible
    QVERIFY(accentPixels > 2 * (tileWidth + 150)); // a frame around tile 4

    QVERIFY(!contactSheet({}, 3, 200, QStringLiteral("Empty")).isNull());
    QVERIFY(!contactSheet({Tile{}}, 0, 0).isNull());
    const QImage sharp = contactSheet({tiles.front()}, 1, 200, {}, 2.0);
    QCOMPARE(sharp.devicePixelRatio(), 2.0);
}

void TstReport::gridPlacesChartsInCells()
{
    const QColor colours[] = {Qt::red, Qt::green, Qt::blue, Qt::magenta};
    std::vector<QImage> charts;
    for (const QColor &c : colours)
        charts.push_back(solidImage(200, 100, c));
    const QImage grid = gridOfCharts(charts, 2, QStringLiteral("Grid"));
    QVERIFY(grid.width() >= 400 && grid.height() > 200);
    const int top = grid.height() - 200 - 6; // rows sit under the title
    auto at = [&](int x, int y) {
        return grid.pixel(x, y);
    };
    QVERIFY(closeTo(at(100, top + 50), colours[0], 5));
    QVERIFY(closeTo(at(grid.width() - 100, top + 50), colours[1], 5));
    QVERIFY(closeTo(at(100, grid.height() - 50), colours[2], 5));
    QVERIFY(closeTo(at(grid.width() - 100, grid.height() - 50), colours[3], 5));
    QVERIFY(!gridOfCharts({}, 2, QStringLiteral("none")).isNull());
    QVERIFY(!gridOfCharts({QImage(), charts[0]}, -1).isNull());
}

void TstReport::paletteIsDistinctAndTotal()
{
    QSet<QRgb> first;
    for (int i = 0; i < 6; ++i)
        first.insert(paletteColor(i).rgb());
    QCOMPARE(int(first.size()), 6);
    QCOMPARE(paletteColor(3), paletteColor(3));
    QVERIFY(paletteColor(-5).isValid());
    QVERIFY(paletteColor(1000).isValid());
    QVERIFY(paletteColor(6) != paletteColor(0));
}

void TstReport::htmlIsWellFormed()
{
    HtmlReport r(QStringLiteral("Study <1> & more"));
    r.addHeading(QStringLiteral("Summary"));
    r.addHeading(QStringLiteral("Deep"), 9);
    r.addParagraph(QStringLiteral("line one\nline two"));
    r.addKeyValues({{QStringLiteral("key"), QStringLiteral("value")}});
    r.addTable({QStringLiteral("a"), QStringLiteral("b")},
               {{QStringLiteral("1"), QStringLiteral("x")}, {QStringLiteral("2")}}, 0);
    r.addTable({}, {});
    r.addImage(solidImage(20, 10, Qt::red), QStringLiteral("caption"));
    r.addImage(QImage(), QStringLiteral("missing"));
    r.addNote(QStringLiteral("note"));
    const QString html = r.html();
    QVERIFY(html.startsWith(QStringLiteral("<!DOCTYPE html>")));
    QVERIFY(!html.contains(QStringLiteral("<script")));
    QVERIFY(!html.contains(QStringLiteral("http://"))
            && !html.contains(QStringLiteral("https://")));

    QXmlStreamReader xml(stripDoctype(html));
    QStringList elements;
    while (!xml.atEnd()) {
        if (xml.readNext() == QXmlStreamReader::StartElement)
            elements << xml.name().toString();
    }
    QVERIFY2(!xml.hasError(),
             qPrintable(xml.errorString() + QStringLiteral(" at line %1").arg(xml.lineNumber())));
    QCOMPARE(elements.value(0), QStringLiteral("html"));
    for (const char *e : {"head", "style", "title", "h1", "h2", "h6", "p", "dl", "table", "figure",
                          "img", "figcaption"})
        QVERIFY2(elements.contains(QLatin1String(e)), e);
}

void TstReport::htmlEscapesText_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("escaped");
    QTest::newRow("script") << QStringLiteral("<script>alert(1)</script>")
                            << QStringLiteral("&lt;script&gt;alert(1)&lt;/script&gt;");
    QTest::newRow("ampersand") << QStringLiteral("R&D") << QStringLiteral("R&amp;D");
    QTest::newRow("quotes") << QStringLiteral("\"x\" 'y'")
                            << QStringLiteral("&quot;x&quot; &#39;y&#39;");
    QTest::newRow("unicode") << QStringLiteral("±1.96 SD — µs") << QStringLiteral("±1.96 SD — µs");
    QTest::newRow("control") << QStringLiteral("ctl\x01"
                                               "qq")
                             << QStringLiteral("ctlqq");
}

void TstReport::htmlEscapesText()
{
    QFETCH(QString, text);
    QFETCH(QString, escaped);
    QCOMPARE(HtmlReport::escape(text), escaped);
    HtmlReport r(text);
    r.addParagraph(text);
    r.addTable({text}, {{text}});
    r.addKeyValues({{text, text}});
    r.addNote(text);
    r.addImage(solidImage(4, 4, Qt::blue), text, text);
    const QString html = r.html();
    QCOMPARE(html.count(escaped), 10); // title, h1, p, th, td, dt, dd, note, figcaption, alt
    QVERIFY(html.contains(QStringLiteral("alt=\"%1\"").arg(escaped)));
    if (text != escaped)
        QVERIFY(!html.contains(text));
    QXmlStreamReader xml(stripDoctype(html));
    while (!xml.atEnd())
        xml.readNext();
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
}

void TstReport::htmlTableAlignsAndColours()
{
    HtmlReport r(QStringLiteral("t"));
    r.addTable({QStringLiteral("codec"), QStringLiteral("MAE (bpm)")},
               {{QStringLiteral("x264"), QStringLiteral("1.5")},
                {QStringLiteral("x265"), QStringLiteral("\u22122.0")},
                {QStringLiteral("mpeg4"), QStringLiteral("12.0")},
                {QStringLiteral("none"), QStringLiteral("\u2014")}},
               1);
    const QString html = r.html();
    QVERIFY(html.contains(QStringLiteral("<th class=\"num\">MAE (bpm)</th>")));
    QVERIFY(html.contains(QStringLiteral("<th>codec</th>")));
    auto background = [&](const QString &cell) {
        const QRegularExpression re(
            QStringLiteral("<td class=\"num\" style=\"background:(#[0-9a-f]{6})\">%1</td>")
                .arg(QRegularExpression::escape(cell)));
        const auto m = re.match(html);
        return m.hasMatch() ? QColor(m.captured(1)) : QColor();
    };
    const QColor low = background(QStringLiteral("\u22122.0"));
    const QColor high = background(QStringLiteral("12.0"));
    const QColor mid = background(QStringLiteral("1.5"));
    QVERIFY(low.isValid() && high.isValid() && mid.isValid());
    QVERIFY2(low.green() > low.red(), "lowest value should be green");
    QVERIFY2(high.red() > high.green(), "highest value should be red");
    QVERIFY(
        html.contains(QStringLiteral("<td class=\"num\">\u2014</td>"))); // placeholder: no colour
}

void TstReport::htmlEmbedsImages()
{
    HtmlReport r(QStringLiteral("images"));
    const QImage plain = solidImage(321, 123, Qt::darkCyan);
    ChartOptions o;
    o.width = 300;
    o.height = 200;
    o.pixelRatio = 2;
    const QImage sharp = lineChart({Series{QStringLiteral("s"), {1, 2}, {1, 2}, {}}}, o);
    r.addImage(plain, QStringLiteral("Plain"), QStringLiteral("alt text"));
    r.addImage(sharp, QStringLiteral("Sharp"));
    const QString html = r.html();
    const QRegularExpression re(
        QStringLiteral("<img src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\" width=\"(\\d+)\" "
                       "height=\"(\\d+)\" alt=\"([^\"]*)\""));
    auto it = re.globalMatch(html);
    QVERIFY(it.hasNext());
    auto m = it.next();
    QImage decoded;
    QVERIFY(decoded.loadFromData(QByteArray::fromBase64(m.captured(1).toLatin1()), "PNG"));
    QCOMPARE(decoded.size(), plain.size());
    QCOMPARE(decoded.pixel(10, 10), plain.pixel(10, 10));
    QCOMPARE(m.captured(2).toInt(), 321);
    QCOMPARE(m.captured(4), QStringLiteral("alt text"));
    QVERIFY(it.hasNext());
    m = it.next();
    QVERIFY(decoded.loadFromData(QByteArray::fromBase64(m.captured(1).toLatin1()), "PNG"));
    QCOMPARE(decoded.size(), QSize(600, 400)); // full resolution embedded
    QCOMPARE(m.captured(2).toInt(), 300);      // shown at its logical size
    QCOMPARE(m.captured(3).toInt(), 200);
    QCOMPARE(m.captured(4), QStringLiteral("Sharp")); // caption as the default alt text
}

void TstReport::writeToUnwritablePathFails()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString blocker = dir.filePath(QStringLiteral("file"));
    QFile f(blocker);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.close();
    const QString path = blocker + QStringLiteral("/report.html"); // a file as the folder

    const Error e = HtmlReport(QStringLiteral("x")).write(path);
    QCOMPARE(e.code, ErrorCode::WriteFailed);
    QVERIFY(e.message.contains(path));
    QVERIFY(!e.message.contains(QLatin1Char('\n')));

    const Error png = writePng(solidImage(4, 4, Qt::red), blocker + QStringLiteral("/x.png"));
    QCOMPARE(png.code, ErrorCode::WriteFailed);
    QVERIFY(png.message.contains(QStringLiteral("x.png")));
    QVERIFY(!png.message.contains(QLatin1Char('\n')));

    QCOMPARE(writePng(QImage(), dir.filePath(QStringLiteral("empty.png"))).code,
             ErrorCode::WriteFailed);
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("empty.png"))));
}

void TstReport::writeReplacesAtomically()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString html = dir.filePath(QStringLiteral("report.html"));
    const QString png = dir.filePath(QStringLiteral("figure.png"));
    for (const QString &path : {html, png}) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("old contents");
    }
    HtmlReport r(QStringLiteral("new"));
    r.addParagraph(QStringLiteral("fresh"));
    QVERIFY(!r.write(html).isError());
    const QImage image = solidImage(64, 32, Qt::green);
    QVERIFY(!writePng(image, png).isError());

    QFile f(html);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(f.readAll()), r.html());
    QImage back;
    QVERIFY(back.load(png, "PNG"));
    QCOMPARE(back.size(), image.size());
    const QStringList entries
        = QDir(dir.path()).entryList(QDir::Files | QDir::Hidden | QDir::System);
    QCOMPARE(entries, (QStringList{QStringLiteral("figure.png"), QStringLiteral("report.html")}));
}

QTEST_MAIN(TstReport)
#include "tst_report.moc"
