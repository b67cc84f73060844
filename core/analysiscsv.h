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

// A method compared live beside the main one (the application's "Compare with"): its estimates,
// oldest first, each for the window ending at timeSec.
struct ComparedEstimates
{
    QString method;                 // registry key
    std::vector<double> timeSec, hrBpm, snrDb;
};

// With a reference (scoreAgainstReference() of this result), each row with an estimate also gets
// the reference HR of that estimate's window, and the metadata the reference file, the
// whole-recording reference and the windows' mean absolute error. Each compared method adds the
// columns hr_bpm_<method> and snr_db_<method> after the fixed ones (its newest estimate at or
// before the frame; empty without one, or for a frame without a face) and names itself in the metadata line "compared".
// Errors: WriteFailed.
Error writeAnalysisCsv(const QString &path, const AnalysisResult &result, const ReferenceScore *reference = nullptr,
                       const std::vector<ComparedEstimates> &compared = {});

// Per-frame values as written: the filtered/raw pulse and windowed HR at each frame's time.
struct FrameSignalValues
{
    double pulseRaw = kNaN;
    double pulse = kNaN;
    double hrBpm = kNaN;
    double snrDb = kNaN;
    Quality quality = Quality::NoSignal;
    QString qualityReason;    // lowReasonName() of that window: "" unless quality is Low
    double refHrBpm = kNaN;   // the reference over the same window as hrBpm
    double breathsPerMin = kNaN;                     // the most recent breathing window's rate
    Quality breathingQuality = Quality::NoSignal;
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
    QString text(size_t row, const QString &name) const;    // "" when empty or no such column
};

// Errors: FileNotFound, BadData (wrong columns, ragged rows).
Result<AnalysisCsv> readAnalysisCsv(const QString &path);

} // namespace rppg
