#include "cli.h"

#include "commands.h"

#include "rppg_version.h"

#include <QCoreApplication>
#include <QTextStream>

#include <csignal>
#include <cstring>
#include <cstdio>
#include <vector>

namespace rppg::cli {

namespace {

std::vector<Command> &commands()
{
    static std::vector<Command> list;
    return list;
}

std::atomic<bool> g_interrupted{false};

extern "C" void onSignal(int)
{
    // Only an atomic store: the running command notices it between frames and stops cleanly
    // (outputs are written atomically, so nothing half-written is left behind).
    g_interrupted.store(true);
}

// The command line reports problems itself (one `error:` line, `warning:` lines in the summary);
// library log messages would add unsorted lines to stderr, so they are shown only with
// --verbose (or RPPG_VERBOSE=1). Critical and fatal messages always get through.
void quietMessageHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (type == QtCriticalMsg || type == QtFatalMsg)
        std::fprintf(stderr, "%s: %s\n", context.category ? context.category : "rppg", qPrintable(message));
}

void printUsage()
{
    QTextStream out(stdout);
    out << "rPPG Studio " RPPG_VERSION_STRING " — heart rate from facial video\n\n"
        << "usage: rppg <command> [options]\n\ncommands:\n";
    for (const Command &c : commands())
        out << "  " << c.name.leftJustified(16) << c.summary << '\n';
    out << "\n'rppg <command> --help' shows the options of a command; --verbose adds the library log.\n";
}

} // namespace

int exitCodeFor(ErrorCode code)
{
    switch (code) {
    case ErrorCode::None: return kExitOk;
    case ErrorCode::Internal: return kExitInternal;
    case ErrorCode::Usage: return kExitUsage;
    case ErrorCode::FileNotFound: return kExitFileNotFound;
    case ErrorCode::NotAVideo: return kExitNotAVideo;
    case ErrorCode::CorruptVideo: return kExitCorruptVideo;
    case ErrorCode::NoFrames: return kExitNoFrames;
    case ErrorCode::NoFace: return kExitNoFace;
    case ErrorCode::WriteFailed: return kExitWriteFailed;
    case ErrorCode::BadData: return kExitBadData;
    case ErrorCode::Unsupported: return kExitUnsupported;
    case ErrorCode::Cancelled: return kExitCancelled;
    case ErrorCode::TooShort: return kExitTooShort;
    }
    return kExitInternal;
}

int fail(const Error &error)
{
    QString msg = error.message.simplified();   // exactly one line
    if (msg.isEmpty())
        msg = errorCodeName(error.code);
    std::fprintf(stderr, "error: %s\n", qPrintable(msg));
    std::fflush(stderr);
    return exitCodeFor(error.code);
}

int fail(ErrorCode code, const QString &message)
{
    return fail(Error{code, message});
}

void addCommand(const Command &command)
{
    for (Command &c : commands()) {
        if (c.name == command.name) {
            c = command;
            return;
        }
    }
    commands().push_back(command);
}

void registerCoreCommands()
{
    static bool done = false;
    if (done)
        return;
    done = true;
    // Core commands first, so `rppg --help` lists them before the ones models/ adds.
    std::vector<Command> added = commands();
    commands().clear();
    for (const Command &c : {analyzeCommand(), synthCommand(), compareCodecsCommand(), evalCommand(), benchCommand(),
                              synthSetCommand(), prepareCommand(), methodsCommand()})
        commands().push_back(c);
    for (const Command &c : added)
        addCommand(c);
}

const std::atomic<bool> *interruptFlag()
{
    return &g_interrupted;
}

int dispatch(const QStringList &arguments);

void installLogFilter(bool verbose)
{
    if (verbose || qEnvironmentVariableIntValue("RPPG_VERBOSE") > 0)
        qInstallMessageHandler(nullptr);
    else
        qInstallMessageHandler(quietMessageHandler);
}

bool verboseRequested(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--verbose") == 0)
            return true;
    return false;
}

int run(const QStringList &arguments)
{
    registerCoreCommands();
    QStringList argsIn = arguments;
    installLogFilter(argsIn.removeAll(QStringLiteral("--verbose")) > 0);
    return dispatch(argsIn);
}

int dispatch(const QStringList &arguments)
{
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);

    if (arguments.size() < 2 || arguments[1] == QLatin1String("--help")
        || arguments[1] == QLatin1String("-h") || arguments[1] == QLatin1String("help")) {
        printUsage();
        return arguments.size() < 2 ? kExitUsage : kExitOk;
    }
    if (arguments[1] == QLatin1String("--version") || arguments[1] == QLatin1String("version")) {
        std::printf("rppg %s\n", RPPG_VERSION_STRING);
        return kExitOk;
    }
    for (const Command &c : commands()) {
        if (c.name == arguments[1]) {
            QStringList args = arguments.mid(1);
            args[0] = QStringLiteral("rppg ") + c.name;
            try {
                return c.run(args);
            } catch (const std::exception &e) {
                return fail(ErrorCode::Internal, QStringLiteral("unexpected failure: %1")
                                                     .arg(QString::fromLocal8Bit(e.what())));
            }
        }
    }
    return fail(ErrorCode::Usage, QStringLiteral("unknown command '%1' (see 'rppg --help')")
                                      .arg(arguments[1]));
}

} // namespace rppg::cli
