#include "modelsadapter.h"

#include "device.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcModels, "rppg.models", QtInfoMsg)

namespace rppg {

void registerNeuralMethods()
{
    // The networks land with the models issue; until then this build only reports the device
    // the models would run on, so `rppg --version` and the GUI can show it.
    static bool logged = false;
    if (!logged) {
        logged = true;
        const auto choice = models::chooseDevice("auto");
        qCDebug(lcModels) << "neural methods device:" << choice.description.c_str();
    }
}

} // namespace rppg
