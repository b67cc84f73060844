#pragma once

// The soak part of `rppg bench` (see bench_soak.cpp): the per-frame live pipeline fed from a
// looping synthetic clip for a long stretch of media time, with resident memory, latency and HR
// error sampled each minute.

#include "result.h"

#include <QString>

#include <atomic>
#include <functional>

namespace rppg::cli {

struct SoakOptions
{
    double minutes = 60;         // media time
    QString method = QStringLiteral("pos");
    QString workDir;             // where the loop clip is rendered
    QString pngPath;             // the curve (empty = none)
    const std::atomic<bool> *cancel = nullptr;
};

// Markdown section; `machineLines(command, wallMinutes)` gives the machine/date/commit lines.
Result<QString> soakPart(const SoakOptions &options,
                         const std::function<QString(const QString &, double)> &machineLines);

} // namespace rppg::cli
