#pragma once

// Command-line lists of integers for the timing tools (rppg_models_bench, rppg_neural_bench):
// "1,2,4" → {1, 2, 4}; each item is read by std::atoi, so a malformed item reads as 0.

#include <cstdlib>
#include <cstring>
#include <vector>

namespace rppg::models::tools {

inline std::vector<int> parseIntList(const char *text)
{
    std::vector<int> values;
    for (const char *p = text; *p;) {
        values.push_back(std::atoi(p));
        p = std::strchr(p, ',');
        if (!p)
            break;
        ++p;
    }
    return values;
}

} // namespace rppg::models::tools
