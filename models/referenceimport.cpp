#include "referenceimport.h"
#include "errortext.h"

#include <torch/csrc/jit/serialization/pickle.h>

#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <stdexcept>

namespace rppg::models {

namespace {

using detail::firstLine;
using detail::guarded;

struct ImportError : std::runtime_error
{
    using std::runtime_error::runtime_error;
};

bool startsWith(const std::string &s, const std::string &prefix)
{
    return s.rfind(prefix, 0) == 0;
}

bool endsWith(const std::string &s, const std::string &suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// `state` uses local names (see localised()).
const torch::Tensor &tensorAt(const TensorMap &state, const std::string &name)
{
    const auto it = state.find(name);
    if (it == state.end())
        throw ImportError("reference state lacks '" + name + "'");
    return it->second;
}

// The map with local names (prefix stripped), so lookups below need not care.
TensorMap localised(const TensorMap &state)
{
    TensorMap out;
    for (const auto &[name, tensor] : state) {
        if (!out.emplace(referenceToLocalName(name), tensor).second)
            throw ImportError("reference state names '" + name + "' twice (with and without 'module.')");
    }
    return out;
}

int dim(const TensorMap &state, const std::string &name, int64_t axis)
{
    const auto &t = tensorAt(state, name);
    if (t.dim() <= axis)
        throw ImportError("reference tensor '" + name + "' has an unexpected shape");
    return int(t.size(axis));
}

} // namespace

std::string referenceToLocalName(const std::string &referenceName)
{
    // nn.DataParallel / DistributedDataParallel wrap the model as "module".
    if (startsWith(referenceName, "module."))
        return referenceName.substr(7);
    return referenceName;
}

bool importReferenceState(torch::nn::Module &model, const TensorMap &referenceState,
                          ReferenceImportReport *report, std::string *error)
{
    ReferenceImportReport local;
    const bool ok = guarded(error, [&] {
        const auto state = localised(referenceState);
        std::vector<std::pair<std::string, torch::Tensor>> targets;
        for (const auto &item : model.named_parameters(true))
            targets.emplace_back(item.key(), item.value());
        for (const auto &item : model.named_buffers(true))
            targets.emplace_back(item.key(), item.value());

        // Validate everything before touching the model.
        std::set<std::string> used;
        for (const auto &[name, target] : targets) {
            const auto it = state.find(name);
            if (it == state.end()) {
                // PyTorch < 0.4.1 files have no BN step counter; it only matters for momentum=None.
                if (endsWith(name, "num_batches_tracked"))
                    continue;
                throw ImportError("reference state lacks '" + name + "' (wrong architecture or widths?)");
            }
            if (it->second.sizes() != target.sizes()) {
                std::ostringstream s;
                s << "reference tensor '" << name << "' has shape " << it->second.sizes() << ", the model expects "
                  << target.sizes();
                throw ImportError(s.str());
            }
            if (it->second.is_floating_point() != target.is_floating_point())
                throw ImportError("reference tensor '" + name + "' has an incompatible dtype");
            used.insert(name);
        }
        for (const auto &[name, tensor] : state) {
            if (used.count(name))
                continue;
            // Modules the reference constructs but never runs; a config may leave them out.
            if (startsWith(name, "ConvSpa.") || startsWith(name, "ConvPart1.")) {
                local.ignored.push_back(name);
                continue;
            }
            throw ImportError("reference tensor '" + name + "' has no counterpart in this model");
        }

        torch::NoGradGuard noGrad;
        for (auto &[name, target] : targets) {
            const auto it = state.find(name);
            if (it == state.end()) {
                local.defaulted.push_back(name);
                continue;
            }
            target.copy_(it->second.to(target.device(), target.scalar_type()));
            local.loaded.push_back(name);
        }
    });
    if (ok && report)
        *report = std::move(local);
    return ok;
}

std::optional<TensorMap> readTorchSaveDict(const std::string &path, std::string *error)
{
    std::optional<TensorMap> result;
    guarded(error, [&] {
        std::ifstream file(path, std::ios::binary);
        if (!file)
            throw ImportError("cannot open '" + path + "'");
        const std::vector<char> bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
        if (bytes.empty())
            throw ImportError("'" + path + "' is empty");
        torch::IValue value;
        try {
            value = torch::pickle_load(bytes);
        } catch (const c10::Error &e) {
            throw ImportError("cannot unpickle '" + path + "' (save a plain dict of CPU tensors with "
                              "torch.save(..., _use_new_zipfile_serialization=True)): "
                              + firstLine(e.what_without_backtrace()));
        }
        if (!value.isGenericDict())
            throw ImportError("'" + path + "' does not hold a dict (an OrderedDict from state_dict() loads as "
                                           "None here: convert it with dict(...) before torch.save)");
        TensorMap map;
        for (const auto &entry : value.toGenericDict()) {
            if (!entry.key().isString() || !entry.value().isTensor())
                throw ImportError("'" + path + "' is not a {name: tensor} dict");
            map[entry.key().toStringRef()] = entry.value().toTensor();
        }
        result = std::move(map);
    });
    return result;
}

std::optional<RppgNetConfig> inferRppgNetConfig(const TensorMap &referenceState, const RppgNetConfig &base,
                                                std::string *error)
{
    std::optional<RppgNetConfig> result;
    guarded(error, [&] {
        const auto state = localised(referenceState);
        RppgNetConfig c = base;
        c.stemChannels = dim(state, "ConvSpa1.0.weight", 0);
        c.stage1Channels = dim(state, "ConvSpa3.1.weight", 0);
        c.stage2Channels = dim(state, "ConvSpa5.1.weight", 0);
        c.stage3Channels = dim(state, "ConvSpa7.1.weight", 0);
        c.skinHiddenChannels = dim(state, "skin_main.0.weight", 0);
        c.skinChannels = dim(state, "skin_main.3.weight", 0);
        result = c;
    });
    return result;
}

std::optional<StvenConfig> inferStvenConfig(const TensorMap &referenceState, const StvenConfig &base,
                                            std::string *error)
{
    std::optional<StvenConfig> result;
    guarded(error, [&] {
        const auto state = localised(referenceState);
        StvenConfig c = base;
        c.convDim = dim(state, "down3Dmain.0.weight", 0);
        c.cDim = dim(state, "down3Dmain.0.weight", 1) - 3;
        c.bottleneckChannels = dim(state, "down3Dmain.6.weight", 0);
        int blocks = 0;
        while (state.count("down3Dmain." + std::to_string(9 + blocks) + ".spatial_conv.weight"))
            ++blocks;
        c.repeatNum = blocks;
        c.instanceNormTrackStats = state.count("down3Dmain.1.running_mean") > 0;
        result = c;
    });
    return result;
}

std::optional<RppgNet> importReferenceRppgNet(const std::string &path, const RppgNetConfig &base,
                                              ReferenceImportReport *report, std::string *error)
{
    const auto state = readTorchSaveDict(path, error);
    if (!state)
        return std::nullopt;
    const auto config = inferRppgNetConfig(*state, base, error);
    if (!config)
        return std::nullopt;
    auto net = makeRppgNet(*config, error);
    if (!net || !importReferenceState(*net, *state, report, error))
        return std::nullopt;
    net->eval();
    return net;
}

std::optional<Stven> importReferenceStven(const std::string &path, const StvenConfig &base,
                                          ReferenceImportReport *report, std::string *error)
{
    const auto state = readTorchSaveDict(path, error);
    if (!state)
        return std::nullopt;
    const auto config = inferStvenConfig(*state, base, error);
    if (!config)
        return std::nullopt;
    auto net = makeStven(*config, error);
    if (!net || !importReferenceState(*net, *state, report, error))
        return std::nullopt;
    net->eval();
    return net;
}

} // namespace rppg::models
