// Fuzz target: evaluation's dataset-folder parsing (core/evaluation.h scanDataset): a folder of
// videos with a CSV of reference heart rates (name column + HR column), and the dataset
// argument's own options. The fuzzer's bytes become the CSV; the folder holds a few (empty)
// video files whose names the CSV may mention. scanDataset only reads names and CSVs.

#include "common.h"

#include "evaluation.h"

#include <QDir>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1 << 20))
        return -1;
    static const QString root = [] {
        const QString r = rppg::fuzz::scratchDir() + QStringLiteral("/dataset");
        QDir().mkpath(r + QStringLiteral("/India"));
        for (const char *name : {"video1.mp4", "subject2_face.avi", "India/video1_forehead.avi", "India/v3.mkv"}) {
            QFile f(r + QLatin1Char('/') + QLatin1String(name));
            f.open(QIODevice::WriteOnly);
        }
        return r;
    }();
    // Auto-discovered CSV (scope by "<Folder>_" prefix) and an explicit csv= argument.
    const QString scoped = root + QStringLiteral("/India_hr.csv");
    QFile::remove(scoped);
    const QString csv = rppg::fuzz::writeInput(QStringLiteral("ref.csv"), data, size);
    (void)rppg::scanDataset(root + QStringLiteral(",csv=") + csv);
    QFile::copy(csv, scoped);
    (void)rppg::scanDataset(root);
    // The bytes (first line) as the dataset argument's options.
    const QByteArray firstLine = QByteArray(reinterpret_cast<const char *>(data), static_cast<int>(size)).split('\n').value(0);
    (void)rppg::scanDataset(root + QLatin1Char(',') + QString::fromUtf8(firstLine.left(200)));
    return 0;
}
