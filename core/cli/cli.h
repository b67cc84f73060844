#pragma once

// The `rppg` command line: a small command registry and the shared conventions — one `error:` line
// on stderr and a distinct exit code per failure class (README "Exit codes").
//
// Thread affinity: main thread.

#include "result.h"

#include <QStringList>

#include <atomic>
#include <functional>

namespace rppg::cli {

enum ExitCode : int {
    kExitOk = 0,
    kExitInternal = 1,
    kExitUsage = 2,
    kExitFileNotFound = 3,
    kExitNotAVideo = 4,
    kExitCorruptVideo = 5,
    kExitNoFrames = 6,
    kExitNoFace = 7,
    kExitWriteFailed = 8,
    kExitBadData = 9,
    kExitUnsupported = 10,
    kExitCancelled = 11,
    kExitTooShort = 12,
};

int exitCodeFor(ErrorCode code);

// Prints "error: <message>" on stderr and returns the exit code for the error's class.
int fail(const Error &error);
int fail(ErrorCode code, const QString &message);

struct Command
{
    QString name;
    QString summary;                                  // one line for `rppg --help`
    std::function<int(const QStringList &args)> run;  // args[0] is "rppg <name>"
};

void addCommand(const Command &command);
// Registers analyze, synth, bench (and any command added before). Called by run().
void registerCoreCommands();

// Shows library log messages only when `verbose` (--verbose or RPPG_VERBOSE=1); call before the
// application object exists so its own start-up messages are filtered too.
void installLogFilter(bool verbose);
bool verboseRequested(int argc, char **argv);

// An extra part of `rppg bench` provided by a library core cannot link (the neural timing part of
// the models adapter): `run(quick)` returns the section's Markdown body (tables and notes); the
// bench adds the title and the machine lines and writes it to RESULTS.md as `section`.
struct BenchPart
{
    QString name;      // --parts name, e.g. "neural"
    QString section;   // RESULTS.md section, e.g. "neural-timing"
    QString title;     // heading, e.g. "Neural methods: inference time on the CPU"
    std::function<Result<QString>(bool quick)> run;
};
void addBenchPart(const BenchPart &part);

// Dispatches argv to a command. Needs a QCoreApplication to exist.
int run(const QStringList &arguments);

// True when SIGINT/SIGTERM asked the running command to stop (set by run()).
const std::atomic<bool> *interruptFlag();

} // namespace rppg::cli
