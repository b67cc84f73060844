#pragma once

// The bridge between rppg_core and the libtorch networks: registers the neural pulse methods in
// core's MethodRegistry and the model commands in the CLI. No torch types in this header.

namespace rppg {

// Registers every neural method this build provides. Safe to call more than once.
void registerNeuralMethods();

} // namespace rppg
