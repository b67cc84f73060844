#pragma once

// Versioned model checkpoints: the architecture and its full config travel with the weights, so
// a file rebuilds exactly the network that wrote it. Loading validates everything (checksum,
// magic, format version, architecture, config, every tensor's presence, dtype and shape) and
// reports problems as one-line messages; nothing throws out of these functions.
//
// File layout (format version 1):
//   a 32-byte header: "RPPGCKPT", uint32 container version, uint32 header size, uint64 payload
//   size, uint64 FNV-1a 64 of the payload (little-endian). Verified before anything is parsed.
//   the payload: a libtorch archive (torch::serialize::OutputArchive, the TorchScript zip) with
//     rppg_magic           string "RPPG-STUDIO-CHECKPOINT"
//     rppg_format_version  int
//     rppg_meta            string of "key=value" lines (values backslash-escaped): kind,
//                          input_size, config.*, meta.*, training.*, metric.*, tensor.count and
//                          tensor.<i>.name / .dtype / .shape for every tensor
//     t0 … t<N-1>          the parameters and buffers (CPU, contiguous) in registration order
// Tensor names live in the metadata because archive keys must be identifiers (no dots). From
// Python the payload should open with torch.jit.load(io.BytesIO(open(path, "rb").read()[32:]))
// (untested: no PyTorch where this was written).
//
// Checkpoints are trusted input, like any model file: the checksum stops accidental damage
// (truncation, bit rot, a wrong file) before libtorch's parser, which is not hardened against
// deliberately crafted archives.
//
// Thread affinity: any thread; a model must not be used by another thread while it is saved.

#include "rppgnet.h"
#include "stven.h"

#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rppg::models {

enum class ModelKind {
    RppgNet,
    Stven,
};
const char *modelKindName(ModelKind kind);   // "rppgnet", "stven"

constexpr int kCheckpointFormatVersion = 1;

// What a trainer records next to the weights. Keys of the two maps: letters, digits, '_', '-'
// and '.'; values free text / finite or non-finite doubles.
struct CheckpointMeta
{
    std::string trainingData;   // free text: datasets, subjects, codecs/bitrates, preprocessing
    int epochs = 0;
    int64_t iterations = 0;
    uint64_t seed = 0;
    double trainSeconds = 0.0;
    std::string createdUtc;     // ISO 8601; save fills it in when empty
    std::string software;       // e.g. "rPPG Studio 0.1.0 (libtorch 1.13.1)"
    std::map<std::string, std::string> training;   // other settings: lr, batch size, optimiser, ...
    std::map<std::string, double> metrics;         // validation metrics, e.g. "val_mae_bpm"
};

struct TensorRecord
{
    std::string name;
    std::string dtype;              // "float32", "int64", ...
    std::vector<int64_t> shape;
};

// Everything in a checkpoint except the weights.
struct CheckpointHeader
{
    int formatVersion = 0;
    ModelKind kind = ModelKind::RppgNet;
    int inputSize = 0;
    RppgNetConfig rppgNet;   // meaningful when kind == RppgNet
    StvenConfig stven;       // meaningful when kind == Stven
    CheckpointMeta meta;
    std::vector<TensorRecord> tensors;
};

struct LoadedRppgNet
{
    RppgNet net{nullptr};   // in eval mode, on the requested device
    CheckpointHeader header;
};

struct LoadedStven
{
    Stven net{nullptr};     // in eval mode, on the requested device
    CheckpointHeader header;
};

// Either network, as the file says (for `rppg info`): the member for header.kind is set.
struct LoadedModel
{
    CheckpointHeader header;
    RppgNet rppgNet{nullptr};
    Stven stven{nullptr};
};

// Writes atomically (temporary file in the same folder, then rename). Refuses a BN-folded rPPGNet:
// save the trainable form and fold after loading.
bool saveRppgNet(const std::string &path, const RppgNet &net, const CheckpointMeta &meta,
                 std::string *error = nullptr);
bool saveStven(const std::string &path, const Stven &net, const CheckpointMeta &meta,
               std::string *error = nullptr);

// Build the network from the file's own config and load its weights. The in-memory variants take
// the bytes of a checkpoint (for weights shipped inside Qt resources).
std::optional<LoadedRppgNet> loadRppgNet(const std::string &path, const torch::Device &device,
                                         std::string *error = nullptr);
std::optional<LoadedRppgNet> loadRppgNetFromMemory(const char *data, size_t size, const torch::Device &device,
                                                   std::string *error = nullptr);
std::optional<LoadedStven> loadStven(const std::string &path, const torch::Device &device,
                                     std::string *error = nullptr);
std::optional<LoadedStven> loadStvenFromMemory(const char *data, size_t size, const torch::Device &device,
                                               std::string *error = nullptr);
std::optional<LoadedModel> loadModelFromMemory(const char *data, size_t size, const torch::Device &device,
                                               std::string *error = nullptr);

// Metadata only (for `rppg info`, model cards, the GUI's model picker).
std::optional<CheckpointHeader> readCheckpointHeader(const std::string &path, std::string *error = nullptr);

// The whole file, for loadModelFromMemory() (one read of a file that may be 150 MB).
std::optional<std::string> readCheckpointFile(const std::string &path, std::string *error = nullptr);

// The header's architecture config as (name, value) pairs, in the order the file lists them
// ({"frames", "64"}, {"input_size", "64"}, ...; flags as "1"/"0").
std::vector<std::pair<std::string, std::string>> configEntries(const CheckpointHeader &header);

// Rewrites the file's record of where it was made: the paths in training.command,
// training.rppgnet and training.best_checkpoint shortened to their last component (as the
// trainer records them since 2026-11-26). Everything else, the weights included, is written back
// unchanged, atomically.
bool removeFoldersFromCheckpoint(const std::string &path, std::string *error = nullptr);

// Copies every parameter and buffer of `from` into the same-named tensor of `to`, checking that
// both have the same names, dtypes and shapes (e.g. to duplicate a teacher network).
bool copyModuleState(const torch::nn::Module &from, torch::nn::Module &to, std::string *error = nullptr);

} // namespace rppg::models
