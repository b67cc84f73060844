#pragma once

// `rppg train rppgnet|stven|joint`: trains the networks on clip caches (models/trainer.h) with a
// progress bar and ETA on a terminal, one line per epoch on stdout, and one `error:` line with
// the CLI's exit code on failure. No torch types in this header.

namespace rppg {

// Adds the command to core's CLI registry (call before cli::run). Safe to call more than once.
void registerTrainCommand();

} // namespace rppg
