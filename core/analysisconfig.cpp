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

} // namespace rppg
