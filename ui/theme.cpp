#include "theme.h"

#include "qcp.h"

#include <QApplication>
#include <QStyle>
#include <QStyleFactory>

namespace rppg {

namespace {

QPalette darkPalette()
{
    QPalette p;
    const QColor window(37, 39, 43), base(27, 29, 32), text(222, 224, 228), disabled(120, 124, 130);
    const QColor highlight(52, 132, 228);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, disabled);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(48, 51, 56));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(255, 90, 90));
    p.setColor(QPalette::Link, highlight.lighter(130));
    p.setColor(QPalette::Highlight, highlight);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Mid, QColor(60, 63, 68));
    p.setColor(QPalette::Dark, QColor(20, 21, 24));
    p.setColor(QPalette::Light, QColor(70, 74, 80));
    p.setColor(QPalette::Disabled, QPalette::Text, disabled);
    p.setColor(QPalette::Disabled, QPalette::WindowText, disabled);
    p.setColor(QPalette::Disabled, QPalette::ButtonText, disabled);
    return p;
}

} // namespace

void applyTheme(Theme theme)
{
    if (QStyle *fusion = QStyleFactory::create(QStringLiteral("Fusion")))
        QApplication::setStyle(fusion);
    switch (theme) {
    case Theme::Dark:
        QApplication::setPalette(darkPalette());
        break;
    case Theme::Light:
    case Theme::System:
        QApplication::setPalette(QApplication::style()->standardPalette());
        break;
    }
}

bool isDarkPalette(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

void stylePlot(QCustomPlot *plot, const QPalette &palette)
{
    const QColor bg = palette.color(QPalette::Base);
    const QColor fg = palette.color(QPalette::Text);
    QColor grid = fg;
    grid.setAlpha(40);
    QColor subGrid = fg;
    subGrid.setAlpha(18);
    plot->setBackground(bg);
    for (QCPAxis *axis : {plot->xAxis, plot->yAxis, plot->xAxis2, plot->yAxis2}) {
        axis->setBasePen(QPen(fg, 1));
        axis->setTickPen(QPen(fg, 1));
        axis->setSubTickPen(QPen(fg, 1));
        axis->setTickLabelColor(fg);
        axis->setLabelColor(fg);
        axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
        axis->grid()->setSubGridPen(QPen(subGrid, 1, Qt::DotLine));
        axis->grid()->setZeroLinePen(Qt::NoPen);
    }
    if (plot->legend) {
        QColor legendBg = bg;   // see-through, so curves under the legend stay visible
        legendBg.setAlpha(170);
        plot->legend->setBrush(legendBg);
        plot->legend->setTextColor(fg);
        plot->legend->setBorderPen(QPen(grid));
    }
}

} // namespace rppg
