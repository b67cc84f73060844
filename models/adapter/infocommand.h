#pragma once

// `rppg info [CKPT...] [--json]`: what a checkpoint holds, without running it — the network and
// its config, the parameter count, how, on what and how long it was trained, and its validation
// metrics. Without files: the weights `rppg analyze --method stven+rppgnet` would load. No torch
// types in this header.

#include "result.h"

#include <QJsonObject>
#include <QString>

namespace rppg {

// One checkpoint as a JSON object (the `--json` form; README: CLI reference). Errors:
// FileNotFound, BadData (not a checkpoint, damaged, or a network its config cannot build).
Result<QJsonObject> checkpointInfo(const QString &path);

// Adds the command to core's CLI registry (call before cli::run). Safe to call more than once.
void registerInfoCommand();

} // namespace rppg
