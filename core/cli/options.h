#pragma once

// Analysis options shared by the commands that run the pipeline (analyze, bench, compare-codecs,
// eval), so every command spells them the same way.

#include "analysisconfig.h"

#include <QCommandLineParser>

#include <optional>

namespace rppg::cli {

// -h/--help, and the parse step every command shares: a usage error gives the `error:` line and
// its exit code, --help prints the help with the command's own name ("rppg analyze"). Returns the
// exit code when the command should stop here.
void addHelpOption(QCommandLineParser &parser);
std::optional<int> parseCommandLine(QCommandLineParser &parser, const QStringList &args);
// The `error: invalid --NAME value 'VALUE'` line for an option whose value does not parse; returns
// the usage exit code.
int badOptionValue(const QCommandLineParser &parser, const QCommandLineOption &option);

// --fps N (default 30) and --size WxH of a generated video, spelled the same by every command.
QCommandLineOption frameRateOption();
QCommandLineOption frameSizeOption(const QString &defaultSize);
// Reads a "WxH" value ('x', 'X' or '×', spaces allowed); false when it is not one.
bool frameSizeValue(const QString &text, int &width, int &height);

// --method --window --hop --band --roi --snr-threshold --device --model --rate
void addAnalysisOptions(QCommandLineParser &parser);
// Errors: Usage with a one-line reason.
Result<AnalysisConfig> analysisConfigFromOptions(const QCommandLineParser &parser);

// The methods a command runs when the user names none: every registered method, but face-video
// (neural) methods only when they can be created here (their weights load, the device exists);
// the ones left out are named in one `note:` line on stderr, so nothing fails on a checkout
// without weights.
QStringList defaultMethods(const MethodOptions &options);

// "250k", "1.5M", "800000" → bits per second; -1 when malformed.
int64_t parseBitrate(const QString &text);
// "x,y,w,h" → rectangle; empty rect when malformed.
cv::Rect parseRect(const QString &text);

} // namespace rppg::cli
