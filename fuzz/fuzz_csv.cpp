// Fuzz target: the reference CSV readers (core/ppgseries.h readPpgCsv, core/groundtruth.h
// readHrReference / loadHrReference) and what callers do with their result (fuzz/replay.h). Any
// input must give a value or an Error, never a crash or hang.

#include "common.h"
#include "replay.h"

#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1 << 20))
        return -1;   // 1 MB is plenty for a parser; larger inputs only slow the search down
    const QString path = rppg::fuzz::writeInput(QStringLiteral("input.csv"), data, size);
    // The first byte picks the default sample rate for files without a time column (0 = refuse).
    const double rate = size > 0 ? (data[0] % 4) * 15.0 : 0.0;
    const std::string failure = rppg::fuzz::checkReferenceFile(path, rate);
    if (!failure.empty()) {
        std::fprintf(stderr, "fuzz_csv: %s\n", failure.c_str());
        std::abort();
    }
    return 0;
}
