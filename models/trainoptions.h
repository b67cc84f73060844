#pragma once
// The training options that `rppg train` (Qt command line) and rppg_models_train (libtorch only)
// both accept, in one table: an option's name, help and checks are written once. Each front end
// adds its own few (--log-every; the tool's --max-minutes) and checks what is required.

#include "trainer.h"

#include <string>
#include <vector>

namespace rppg::models {

struct TrainOptionSpec
{
    std::string name;        // without the leading "--"
    std::string valueName;   // empty for a flag
    std::string help;
};

// In the order help lists them.
const std::vector<TrainOptionSpec> &trainOptionSpecs();
const TrainOptionSpec *findTrainOption(const std::string &name);

// Applies --name to `o` (`value` is ignored for a flag; --data appends, commas separating several
// folders). False for an unknown name or a bad value, `o` then unchanged.
bool applyTrainOption(TrainOptions &o, const std::string &name, const std::string &value);

} // namespace rppg::models
