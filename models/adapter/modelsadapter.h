#pragma once

// The bridge between rppg_core and the libtorch networks: registers the neural pulse methods in
// core's MethodRegistry and the model commands in the CLI. No torch types in this header.

#include "result.h"

#include <QString>

#include <string>
#include <vector>

namespace rppg {

// A file name as the torch-side API takes it (the local 8-bit encoding).
std::string localPath(const QString &path);

// `text` (a torch or checkpoint message) as one line: line breaks become "; ".
QString oneLine(const std::string &text);

// Registers every neural method this build provides. Safe to call more than once.
void registerNeuralMethods();

struct NeuralTimingOptions
{
    std::vector<int> threads{1, 2};   // intra-op thread counts to time
    int clips = 4;                     // timed 64-frame clips per row (paper rPPGNet: half, paper STVEN: 1)
    bool paper = true;                 // also the paper configurations (128 px; STVEN paper takes minutes)
};

// The `neural` part of `rppg bench`: a Markdown body (notes and one table) with ms per 64-frame
// clip, fps and peak memory of each configuration. Errors: WriteFailed, Internal.
Result<QString> neuralTimingMarkdown(const NeuralTimingOptions &options = {});

} // namespace rppg
