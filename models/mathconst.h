#pragma once
// Constants shared by the libtorch-only layer (core keeps its own: models must not include core).

namespace rppg::models {

inline constexpr double kPi = 3.14159265358979323846;

} // namespace rppg::models
