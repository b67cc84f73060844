#pragma once

// Where shipped data files live: next to the executable (build tree: the source tree's
// resources/), or the installed share directory. Thread-safe.

#include <QString>

namespace rppg {

// Absolute path of a file under resources/ (e.g. "faces/astronaut.png", "samples/sample.mp4"),
// or an empty string when it cannot be found. RPPG_RESOURCE_DIR in the environment overrides.
QString resourcePath(const QString &relativePath);
QString resourceDir();

} // namespace rppg
