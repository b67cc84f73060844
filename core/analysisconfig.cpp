#include "analysisconfig.h"

namespace rppg {

QString analysisSettingsText(const AnalysisConfig &c)
{
    const bool checked = !c.witnessMethods.isEmpty() && c.witnessToleranceBpm > 0;
    return QStringLiteral("window %1 s, band %2-%3 Hz (%4-%5 bpm), %6")
        .arg(c.windowSec, 0, 'g', 4)
        .arg(c.bandLowHz, 0, 'f', 2)
        .arg(c.bandHighHz, 0, 'f', 2)
        .arg(c.bandLowHz * 60, 0, 'f', 0)
        .arg(c.bandHighHz * 60, 0, 'f', 0)
        .arg(!checked ? QStringLiteral("networks not checked")
                      : (c.witnessClassical ? QStringLiteral("every method") : QStringLiteral("networks"))
                            + QStringLiteral(" checked against ") + c.witnessMethods.join(QStringLiteral(", ")).toUpper());
}

QStringList witnessesFor(const AnalysisConfig &config, const QString &method)
{
    QStringList out = config.witnessMethods;
    out.removeAll(method);
    return out;
}

QString qualityName(Quality q)
{
    switch (q) {
    case Quality::Good: return QStringLiteral("ok");
    case Quality::Low: return QStringLiteral("low");
    case Quality::NoSignal: return QStringLiteral("none");
    }
    return QStringLiteral("none");
}

LowReason lowReason(Quality q, bool motionLocked, bool unsteady, bool frozen, bool unconfirmed)
{
    if (q != Quality::Low)
        return LowReason::None;
    return motionLocked  ? LowReason::Motion
           : unsteady    ? LowReason::Inconsistent
           : frozen      ? LowReason::Frozen
           : unconfirmed ? LowReason::Unconfirmed
                         : LowReason::Snr;
}

LowReason lowReason(const WindowEstimate &w)
{
    return lowReason(w.quality, w.motionLocked, w.unsteady, w.frozen, w.unconfirmed);
}

QString lowReasonName(LowReason r)
{
    switch (r) {
    case LowReason::None: return {};
    case LowReason::Motion: return QStringLiteral("motion");
    case LowReason::Inconsistent: return QStringLiteral("inconsistent");
    case LowReason::Frozen: return QStringLiteral("frozen");
    case LowReason::Unconfirmed: return QStringLiteral("unconfirmed");
    case LowReason::Snr: return QStringLiteral("snr");
    }
    return {};
}

} // namespace rppg
