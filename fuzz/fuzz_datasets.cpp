// Fuzz target: the training-dataset readers' file parsers (core/datasets.h loadPulseReference):
// UBFC-rPPG ground_truth.txt (DATASET_2) and gtdump.xmp (DATASET_1), PURE's JSON, our synthetic
// .gt.csv and a user's own PPG CSV. The first byte picks the layout; the rest is the file.

#include "common.h"

#include "datasets.h"

#include <cmath>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > (1 << 20))
        return -1;
    struct Kind { rppg::DatasetLayout layout; const char *file; };
    static const Kind kinds[] = {
        {rppg::DatasetLayout::Ubfc2, "ground_truth.txt"},
        {rppg::DatasetLayout::Ubfc1, "gtdump.xmp"},
        {rppg::DatasetLayout::Pure, "01-01.json"},
        {rppg::DatasetLayout::Synthetic, "clip.gt.csv"},
        {rppg::DatasetLayout::Folder, "clip.csv"},
    };
    const Kind &k = kinds[data[0] % (sizeof kinds / sizeof kinds[0])];
    rppg::TrainingRecording rec;
    rec.id = QStringLiteral("fuzz");
    rec.layout = k.layout;
    rec.referencePath = rppg::fuzz::writeInput(QLatin1String(k.file), data + 1, size - 1);
    auto ref = rppg::loadPulseReference(rec);
    if (ref.ok()) {
        rppg::PulseReference r = ref.value();
        if (r.timeSec.size() != r.ppg.size() || (!r.hrBpm.empty() && r.hrBpm.size() != r.timeSec.size()))
            __builtin_trap();   // the documented shape
        for (size_t i = 1; i < r.timeSec.size(); ++i)
            if (!(r.timeSec[i] > r.timeSec[i - 1]))
                __builtin_trap();   // strictly increasing
        if (r.spansVideo)
            r.stretchToDuration(30.0);
    }
    return 0;
}
