// Fuzz target: the reference CSV readers (core/ppgseries.h readPpgCsv, core/groundtruth.h
// readHrReference / loadHrReference) and what callers do with their result (HR from the
// waveform, window references). Any input must give a value or an Error, never a crash or hang.

#include "common.h"

#include "groundtruth.h"
#include "ppgseries.h"

#include <cmath>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1 << 20))
        return -1;   // 1 MB is plenty for a parser; larger inputs only slow the search down
    const QString path = rppg::fuzz::writeInput(QStringLiteral("input.csv"), data, size);

    // The first byte picks the default sample rate for files without a time column (0 = refuse).
    const double rate = size > 0 ? (data[0] % 4) * 15.0 : 0.0;
    auto ppg = rppg::readPpgCsv(path, rate);
    if (ppg.ok()) {
        const rppg::PpgSeries &s = ppg.value();
        if (s.timeSec.size() != s.value.size())
            __builtin_trap();
        (void)rppg::referenceBeats(s);
        (void)rppg::referenceHeartRate(s);
        (void)rppg::referenceHeartRate(s, 0, s.durationSec() / 2);
    }
    auto gt = rppg::readHrReference(path);
    if (gt.ok()) {
        const rppg::HrReference &r = gt.value();
        (void)r.meanOver(0, 5);
        (void)r.windowHr(0, 10);
        (void)r.recordingHr();
    }
    auto any = rppg::loadHrReference(path, rate);
    if (any.ok()) {
        (void)any.value().windowHr(1, 11);
        (void)any.value().recordingHr();
    }
    return 0;
}
