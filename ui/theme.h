#pragma once

// Light and dark palettes for the application, and the plot styling that follows the palette.
// Thread affinity: GUI thread.

#include "settings.h"

#include <QPalette>

class QCustomPlot;

namespace rppg {

// Sets the application style (Fusion) and palette; Theme::System keeps the platform palette.
void applyTheme(Theme theme);
bool isDarkPalette(const QPalette &palette);
// Colours the plot's background, axes, grid and legend from `palette`.
void stylePlot(QCustomPlot *plot, const QPalette &palette);

} // namespace rppg
