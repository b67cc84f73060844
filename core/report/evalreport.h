#pragma once

// The evaluation's outputs: metrics.csv (one row per method), per_video.csv (one row per video and
// method), Bland–Altman and predicted-vs-reference figures, and report.html — the same report
// format as the codec study.
//
// Thread affinity: any thread with a QGuiApplication alive (fonts).

#include "evaluation.h"

#include <QImage>

namespace rppg {

// Errors: WriteFailed. Returns the paths written.
Result<QStringList> writeEvaluationReport(const EvaluationResult &result, const QString &outDir);
QString evaluationSummaryText(const EvaluationResult &result);
QImage evaluationBlandAltman(const EvaluationResult &result);
QImage evaluationScatter(const EvaluationResult &result);

} // namespace rppg
