#pragma once

// The per-frame CSV of `rppg analyze --csv` and the GUI's export (schema in README "CSV schema"):
// '#'-prefixed metadata lines (program, version, source, method, settings, summary), then a header
// row and one row per frame. Written atomically (temporary file + rename).

#include "analysisconfig.h"
#include "evaluation.h"

#include <QMap>

namespace rppg {

// Column names in order.
QStringList analysisCsvColumns();

// With a reference (scoreAgainstReference() of this result), each row with an estimate also gets
// the reference HR of that estimate's window, and the metadata the reference file, the
// whole-recording reference and the windows' mean absolute error. Errors: WriteFailed.
Error writeAnalysisCsv(const QString &path, const AnalysisResult &result, const ReferenceScore *reference = nullptr);

// Per-frame values as written: the filtered/raw pulse and windowed HR at each frame's time.
struct FrameSignalValues
{
    double pulseRaw = kNaN;
    double pulse = kNaN;
    double hrBpm = kNaN;
    double snrDb = kNaN;
    Quality quality = Quality::NoSignal;
    double refHrBpm = kNaN;   // the reference over the same window as hrBpm
};
// Values for every frame of `result` (the HR is the most recent window ending at or before the
// frame: what a live display shows at that moment). `windowReferences`, parallel to the result's
// windows (referencePerWindow()), fills refHrBpm.
std::vector<FrameSignalValues> frameSignalValues(const AnalysisResult &result,
                                                 const std::vector<double> &windowReferences = {});

struct AnalysisCsv
{
    QMap<QString, QString> meta;          // from "# key: value" lines
    QStringList columns;
    std::vector<std::vector<QString>> rows;
    int column(const QString &name) const { return columns.indexOf(name); }
    double number(size_t row, const QString &name) const;   // NaN when empty
};

// Errors: FileNotFound, BadData (wrong columns, ragged rows).
Result<AnalysisCsv> readAnalysisCsv(const QString &path);

} // namespace rppg
