#include "analysisconfig.h"

namespace rppg {

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
