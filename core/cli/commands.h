#pragma once

// The built-in commands (one file each). Internal to rppg_cli.

#include "cli.h"

namespace rppg::cli {

Command analyzeCommand();
Command synthCommand();
Command benchCommand();
Command compareCodecsCommand();
Command evalCommand();
Command prepareCommand();
Command synthSetCommand();
Command methodsCommand();

} // namespace rppg::cli
