#include "modelsadapter.h"

#include "neuralmethod.h"

#include <QFile>
#include <QLoggingCategory>
#include <QRegularExpression>

Q_LOGGING_CATEGORY(lcModels, "rppg.models", QtInfoMsg)

namespace rppg {

std::string localPath(const QString &path)
{
    return QFile::encodeName(path).toStdString();
}

QString oneLine(const std::string &text)
{
    QString s = QString::fromStdString(text).trimmed();
    s.replace(QRegularExpression(QStringLiteral("\\s*[\\r\\n]+\\s*")), QStringLiteral("; "));
    return s;
}

void registerNeuralMethods()
{
    // Weights are looked up when a method is created, not here: listing the methods (--help, the
    // GUI's method picker) must not need them, and a missing file is then reported as an error of
    // the command that asked for it.
    auto add = [](NeuralPipeline pipeline, const char *title, const char *description) {
        MethodInfo info;
        info.name = neuralMethodName(pipeline);
        info.title = QString::fromUtf8(title);
        info.description = QString::fromUtf8(description);
        info.input = MethodInput::FaceVideo;
        info.create = [pipeline](const MethodOptions &options) { return createNeuralMethod(pipeline, options); };
        MethodRegistry::instance().add(info);
    };
    add(NeuralPipeline::RppgNet, "rPPGNet",
        "3D CNN with skin attention on face crops (Yu et al. 2019)");
    add(NeuralPipeline::StvenRppgNet, "STVEN + rPPGNet",
        "STVEN video enhancement for compressed video, then rPPGNet (Yu et al. 2019)");
}

} // namespace rppg
