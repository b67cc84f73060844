#pragma once

// Figures drawn by the project itself (QPainter on QImage), for the codec study and evaluation
// reports and the application's exports. Plain data in, an image out: no knowledge of studies or
// pipelines. Needs a QGuiApplication (fonts); the `rppg` command line creates one on the
// offscreen platform.
//
// Thread affinity: any thread (QImage/QPainter on images is thread-safe per image).
// Units: whatever the caller's axes say; sizes in pixels.

#include <QColor>
#include <QImage>
#include <QPointF>
#include <QRectF>
#include <QString>
#include <QStringList>

#include <vector>

namespace rppg::report {

struct Series
{
    QString name;
    std::vector<double> x;
    std::vector<double> y;            // NaN = gap
    QColor color;                     // invalid = palette colour by index
    enum class Style { Line, LineAndMarkers, Markers } style = Style::LineAndMarkers;
    bool dashed = false;
    double width = 2.0;
    // Marker shape; Auto cycles circle, square, diamond, triangles by series index, so series stay
    // distinguishable in greyscale and for colour-blind readers.
    enum class Marker { Auto, Circle, Square, Diamond, TriangleUp, TriangleDown };
    Marker marker = Marker::Auto;
};

struct ChartOptions
{
    QString title;
    QString xLabel;
    QString yLabel;
    bool logX = false;
    double xMin = qQNaN(), xMax = qQNaN(), yMin = qQNaN(), yMax = qQNaN();   // NaN = automatic
    bool zeroLine = false;            // draw y = 0
    int width = 900;
    int height = 520;
    bool legend = true;
    // Device pixels per logical pixel: 2 renders a sharper image of the same layout (image size is
    // width × height × pixelRatio, devicePixelRatio set), for high-DPI screens and HTML reports.
    double pixelRatio = 1.0;
};

// Where a chart put its plot area and how data maps to it (logical pixels), for tests and for
// callers that annotate a figure afterwards. Returned through the optional `frame` arguments.
struct PlotFrame
{
    QRectF area;
    double xMin = 0, xMax = 1, yMin = 0, yMax = 1;
    bool logX = false;
    std::vector<double> xTicks, yTicks;   // labelled tick values (none without data)
    QPointF toPixel(double x, double y) const;
};

// A line/marker chart with axes, ticks, grid, title and legend.
QImage lineChart(const std::vector<Series> &series, const ChartOptions &options,
                 PlotFrame *frame = nullptr);

// Several charts side by side in a grid (`columns` per row), with an overall title.
QImage gridOfCharts(const std::vector<QImage> &charts, int columns, const QString &title = {});

// Stacked waveform lanes sharing one time axis: lane i shows `lanes[i]` (several series may be
// overlaid in one lane, e.g. the reference in black and a variant in colour), labelled on the left.
struct Lane
{
    QString label;
    std::vector<Series> series;
};
// Each lane is scaled vertically to its own data; `options.yLabel` is not drawn (the lane labels
// take its place); series names, deduplicated, form a legend under the title.
QImage waveformLanes(const std::vector<Lane> &lanes, const ChartOptions &options,
                     std::vector<PlotFrame> *laneFrames = nullptr);

// Bland–Altman plot: mean of (estimate, reference) against their difference, with the bias and
// the 95 % limits of agreement (bias ± 1.96 SD) drawn and labelled. One colour per group. Pairs
// with a non-finite value are skipped.
struct PairedGroup
{
    QString name;
    std::vector<double> estimate;
    std::vector<double> reference;
};
// Which bias and limits to draw: each group's own, in its colour (groups are methods), or one set
// for all groups pooled, in grey (groups are subjects or conditions of one method). A single group
// always gets grey lines.
enum class AgreementLines { PerGroup, Pooled };
QImage blandAltman(const std::vector<PairedGroup> &groups, const ChartOptions &options,
                   AgreementLines lines = AgreementLines::PerGroup, PlotFrame *frame = nullptr);
// Estimate (y) against reference (x) with the identity line on equal axis ranges, one colour per
// group, Pearson r and MAE per group in the legend.
QImage scatterVsReference(const std::vector<PairedGroup> &groups, const ChartOptions &options,
                          PlotFrame *frame = nullptr);

// A contact sheet: tiles of images with a caption of one or more lines under each, and an
// optional zoomed inset (e.g. the face) in the corner of each tile.
struct Tile
{
    QImage image;             // any size; scaled to fit
    QImage inset;             // optional zoomed crop, drawn in the lower-right corner
    QStringList caption;      // first line bold
    QColor accent;            // optional frame colour (e.g. red for the worst variant)
};
// `tileWidth` in logical pixels; `pixelRatio` as in ChartOptions (2 keeps more detail of the frames).
QImage contactSheet(const std::vector<Tile> &tiles, int columns, int tileWidth,
                    const QString &title = {}, double pixelRatio = 1.0);

// The palette (distinguishable, colour-blind friendly) used for series without a colour.
// Okabe–Ito without its yellow (too pale on white); cycles with darker shades past six.
QColor paletteColor(int index);
// Dark grey for reference signals drawn under coloured variants.
QColor referenceColor();

} // namespace rppg::report
