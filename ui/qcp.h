#pragma once

// The one way to include QCustomPlot: its header uses the `signals`, `slots` and `foreach`
// keywords, which this project disables (QT_NO_KEYWORDS, for libtorch).

#define signals Q_SIGNALS
#define slots Q_SLOTS
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef slots
#undef foreach
