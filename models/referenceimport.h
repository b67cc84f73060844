#pragma once

// Import of weights trained with the authors' PyTorch code (ZitongYu/STVEN_rPPGNet: classes
// rPPGNet and STVEN_Generator). This implementation registers its modules under the reference's
// names, so the mapping is the identity apart from a DataParallel "module." prefix; it still goes
// through referenceToLocalName() so a later renaming stays in one place.
//
// libtorch 1.13 reads a torch.save() file with torch::pickle_load, but its unpickler does not
// rebuild collections.OrderedDict (what state_dict() returns), and it cannot place CUDA tensors
// on a CPU-only build. Convert a reference checkpoint once in Python (any PyTorch ≥ 1.6):
//
//     import torch
//     sd = torch.load("rPPGNet.pth", map_location="cpu")
//     sd = sd.get("state_dict", sd)                        # unwrap a training checkpoint
//     plain = {k: v.detach().cpu().contiguous() for k, v in sd.items()}   # plain dict, CPU
//     torch.save(plain, "rPPGNet_plain.pt", _use_new_zipfile_serialization=True)
//
// then import it with importReferenceRppgNet("rPPGNet_plain.pt", config) and save it as a
// checkpoint of ours (checkpoint.h). Checkpoints from the final reference commit regress part 1
// with the global head: set config.shareGlobalHeadForPart1 = true for them.
//
// Only import files you made: unlike our checkpoints (checksummed before parsing), these go
// straight to libtorch's unpickler, which fuzzing showed can abort or allocate without bound on
// damaged bytes.
//
// Thread affinity: any thread.

#include "checkpoint.h"

#include <torch/torch.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rppg::models {

using TensorMap = std::map<std::string, torch::Tensor>;

// The name this implementation uses for a reference state_dict key.
std::string referenceToLocalName(const std::string &referenceName);

struct ReferenceImportReport
{
    std::vector<std::string> loaded;    // local names filled from the reference
    std::vector<std::string> ignored;   // reference tensors of modules this config does not register
    std::vector<std::string> defaulted; // num_batches_tracked absent from old PyTorch files
};

// Copies a reference state into `model` (an RppgNet or Stven of matching widths). Every tensor
// of the model must be present with the same shape (floating tensors are converted to the
// model's dtype); reference tensors the model lacks are an error unless they belong to the
// unused modules ConvSpa / ConvPart1 that this config does not register.
bool importReferenceState(torch::nn::Module &model, const TensorMap &referenceState,
                          ReferenceImportReport *report = nullptr, std::string *error = nullptr);

// Reads a {name: tensor} dict written by torch.save (zip format) or torch::pickle_save.
std::optional<TensorMap> readTorchSaveDict(const std::string &path, std::string *error = nullptr);

// The channel widths (and for STVEN the label size and block count) are read from the tensor
// shapes; frames, input size and the flags come from `base`.
std::optional<RppgNetConfig> inferRppgNetConfig(const TensorMap &referenceState, const RppgNetConfig &base,
                                                std::string *error = nullptr);
std::optional<StvenConfig> inferStvenConfig(const TensorMap &referenceState, const StvenConfig &base,
                                            std::string *error = nullptr);

// readTorchSaveDict + infer…Config + importReferenceState; the network comes back in eval mode.
std::optional<RppgNet> importReferenceRppgNet(const std::string &path, const RppgNetConfig &base,
                                              ReferenceImportReport *report = nullptr,
                                              std::string *error = nullptr);
std::optional<Stven> importReferenceStven(const std::string &path, const StvenConfig &base,
                                          ReferenceImportReport *report = nullptr, std::string *error = nullptr);

} // namespace rppg::models
