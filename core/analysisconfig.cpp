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

QString lowQualityReason(Quality q, bool motionLocked, bool unsteady, bool frozen, bool unconfirmed)
{
    if (q != Quality::Low)
        return {};
    return motionLocked  ? QStringLiteral("motion")
           : unsteady    ? QStringLiteral("inconsistent")
           : frozen      ? QStringLiteral("frozen")
           : unconfirmed ? QStringLiteral("unconfirmed")
                         : QStringLiteral("snr");
}

QString lowQualityReason(const WindowEstimate &w)
{
    return lowQualityReason(w.quality, w.motionLocked, w.unsteady, w.frozen, w.unconfirmed);
}

} // namespace rppg
