// rppg methods: what each registered pulse method is and whether it can run here (neural methods
// need their weights and the device), as a table or one JSON object.

#include "commands.h"
#include "options.h"
#include "pulsemethod.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cstdio>

namespace rppg::cli {

Command methodsCommand()
{
    Command c;
    c.name = QStringLiteral("methods");
    c.summary = QStringLiteral("list the pulse methods and whether each can run here");
    c.run = [](const QStringList &args) -> int {
        QCommandLineParser p;
        p.setApplicationDescription(
            QStringLiteral("Lists every registered pulse method: its name for --method/--compare/--methods, the "
                           "paper it follows, what it reads (the skin's mean colour, or face crops for the neural "
                           "ones) and whether it can run here; a neural method is tried with --device and --model, "
                           "so a missing weights file or device shows as the reason it is unavailable."));
        addHelpOption(p);
        p.addOption({QStringLiteral("device"), QStringLiteral("Neural methods: auto, cpu, cuda or cuda:N (default auto)."),
                     QStringLiteral("device"), QStringLiteral("auto")});
        p.addOption({QStringLiteral("model"), QStringLiteral("Neural methods: checkpoint file instead of the shipped weights."),
                     QStringLiteral("file")});
        p.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON object instead of the table.")});
        if (auto code = parseCommandLine(p, args))
            return *code;
        if (!p.positionalArguments().isEmpty())
            return fail(ErrorCode::Usage, QStringLiteral("methods takes no arguments (see --help)"));
        MethodOptions options;
        options.device = p.value(QStringLiteral("device")).trimmed().toLower();
        options.modelPath = p.value(QStringLiteral("model"));

        const MethodRegistry &registry = MethodRegistry::instance();
        QJsonArray list;
        int nameWidth = 4;
        for (const QString &name : registry.names())
            nameWidth = std::max(nameWidth, int(name.size()));
        if (!p.isSet(QStringLiteral("json")))
            std::printf("%-*s  %-9s  %-11s  %s\n", nameWidth, "name", "reads", "status", "method");
        for (const QString &name : registry.names()) {
            const MethodInfo *info = registry.find(name);
            const bool neural = info->input == MethodInput::FaceVideo;
            QJsonObject o{{QStringLiteral("name"), name},
                          {QStringLiteral("title"), info->title},
                          {QStringLiteral("description"), info->description},
                          {QStringLiteral("input"), neural ? QStringLiteral("face_video") : QStringLiteral("rgb_trace")}};
            QString status = QStringLiteral("ready"), detail;
            if (neural) {   // classical methods always construct; a neural one is tried for real
                auto made = registry.create(name, options);
                if (made.ok()) {
                    o[QStringLiteral("device")] = made.value()->deviceName();
                    o[QStringLiteral("model")] = made.value()->modelDescription();
                    detail = QStringLiteral(" [%1; weights: rppg info]").arg(made.value()->deviceName());
                } else {
                    status = QStringLiteral("unavailable");
                    o[QStringLiteral("reason")] = made.error().message;
                    detail = QStringLiteral(" [%1]").arg(made.error().message);
                }
            }
            o[QStringLiteral("available")] = status == QLatin1String("ready");
            list.append(o);
            if (!p.isSet(QStringLiteral("json")))
                std::printf("%-*s  %-9s  %-11s  %s — %s%s\n", nameWidth, qPrintable(name),
                            neural ? "face crop" : "colour", qPrintable(status), qPrintable(info->title),
                            qPrintable(info->description), qPrintable(detail));
        }
        if (p.isSet(QStringLiteral("json")))
            std::printf("%s\n", QJsonDocument(QJsonObject{{QStringLiteral("methods"), list}})
                                    .toJson(QJsonDocument::Compact).constData());
        return kExitOk;
    };
    return c;
}

} // namespace rppg::cli
