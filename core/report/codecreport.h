#pragma once

// The codec study's outputs: tables (summary.csv, waveforms.csv, frames.csv), figures (PNG) and
// report.html, written into one folder; and the figures and plain-language findings on their own,
// for the application's codec comparison view.
//
// Thread affinity: any thread with a QGuiApplication alive (fonts).

#include "codecstudy.h"

#include <QImage>
#include <QStringList>

namespace rppg {

// Writes every output into `outDir` (created if needed), each file atomically. Returns the paths
// written. Errors: WriteFailed.
Result<QStringList> writeCodecStudyReport(const CodecStudyResult &study, const QString &outDir);

// A few lines for the terminal: reference, one line per variant and method, the trend.
QString codecStudySummaryText(const CodecStudyResult &study);

// |HR error| against achieved bit rate, one panel per method, one line per codec.
QImage codecErrorFigure(const CodecStudyResult &study);
// Luma PSNR and SSIM against achieved bit rate, one line per codec.
QImage codecQualityFigure(const CodecStudyResult &study);
// 10 s of pulse from the middle of the recording: the reference on top, then every variant
// overlaid on the source's pulse, for one method.
QImage codecWaveformFigure(const CodecStudyResult &study, const QString &method);
// The same frame from the source and every variant, with a zoomed face inset and the variant's
// PSNR, SSIM and HR error; the variant with the largest error is framed in red.
QImage codecContactSheet(const CodecStudyResult &study, const QString &method);

// Plain-language findings per method: does the error grow as the bit rate falls, per codec,
// said plainly where it does not.
QStringList codecTrendFindings(const CodecStudyResult &study);

} // namespace rppg
