#pragma once

// Analysis options shared by the commands that run the pipeline (analyze, bench, compare-codecs,
// eval), so every command spells them the same way.

#include "analysisconfig.h"

#include <QCommandLineParser>

namespace rppg::cli {

// --method --window --hop --band --roi --snr-threshold --device --model --rate
void addAnalysisOptions(QCommandLineParser &parser);
// Errors: Usage with a one-line reason.
Result<AnalysisConfig> analysisConfigFromOptions(const QCommandLineParser &parser);

// "250k", "1.5M", "800000" → bits per second; -1 when malformed.
int64_t parseBitrate(const QString &text);
// "x,y,w,h" → rectangle; empty rect when malformed.
cv::Rect parseRect(const QString &text);

} // namespace rppg::cli
