#include "checkpoint.h"
#include "errortext.h"
#include "textparse.h"

#include <charconv>
#include <cstring>
#include <fstream>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <type_traits>

namespace rppg::models {

namespace {

using detail::firstLine;
using detail::guarded;

const char *const kMagic = "RPPG-STUDIO-CHECKPOINT";
const char *const kMagicKey = "rppg_magic";
const char *const kVersionKey = "rppg_format_version";
const char *const kMetaKey = "rppg_meta";

// The outer container: a fixed little-endian header, then the libtorch archive ("payload").
//   0  "RPPGCKPT"   8  uint32 container version   12  uint32 header size
//   16 uint64 payload size   24 uint64 FNV-1a 64 of the payload
// The checksum is verified before libtorch parses anything: its zip reader skips CRC checks and
// its unpickler is not robust against damaged bytes (fuzzing found aborts and runaway
// allocations), so accidental damage must never reach it.
const char kContainerMagic[8] = {'R', 'P', 'P', 'G', 'C', 'K', 'P', 'T'};
constexpr uint32_t kContainerVersion = 1;
constexpr size_t kContainerHeaderBytes = 32;

// Thrown inside this file only; every public function turns it (and libtorch's c10::Error)
// into an error string.
struct CheckpointError : std::runtime_error
{
    using std::runtime_error::runtime_error;
};

// --- text helpers -----------------------------------------------------------------------------

std::string escapeValue(const std::string &value)
{
    std::string out;
    out.reserve(value.size());
    for (char ch : value) {
        switch (ch) {
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        default: out += ch;
        }
    }
    return out;
}

std::string unescapeValue(const std::string &value)
{
    std::string out;
    out.reserve(value.size());
    for (size_t i = 0; i < value.size(); ++i) {
        if (value[i] != '\\') {
            out += value[i];
            continue;
        }
        if (++i == value.size())
            throw CheckpointError("metadata value ends in a lone backslash");
        switch (value[i]) {
        case '\\': out += '\\'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        default: throw CheckpointError(std::string("metadata value has an unknown escape \\") + value[i]);
        }
    }
    return out;
}

bool isValidKey(const std::string &key)
{
    if (key.empty())
        return false;
    for (char ch : key) {
        const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
                        || ch == '_' || ch == '-' || ch == '.';
        if (!ok)
            return false;
    }
    return true;
}

// to_chars / from_chars: independent of the C locale, which a Qt application sets from the
// environment (a German LC_NUMERIC would otherwise write "0,5").
std::string formatDouble(double value)
{
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
}

template<typename T>
T parseNumber(const std::string &text, const std::string &key)
{
    T value{};
    const auto *end = text.data() + text.size();
    const auto result = std::from_chars(text.data(), end, value);
    if (result.ec != std::errc() || result.ptr != end)
        throw CheckpointError("metadata '" + key + "' is not a number: '" + text + "'");
    return value;
}

bool parseBool(const std::string &text, const std::string &key)
{
    if (text == "1" || text == "true")
        return true;
    if (text == "0" || text == "false")
        return false;
    throw CheckpointError("metadata '" + key + "' is not a boolean: '" + text + "'");
}

class MetaWriter
{
public:
    void add(const std::string &key, const std::string &value)
    {
        if (!isValidKey(key))
            throw CheckpointError("invalid metadata key '" + key + "' (use letters, digits, _ - .)");
        m_text += key + '=' + escapeValue(value) + '\n';
    }
    void add(const std::string &key, int64_t value) { add(key, std::to_string(value)); }
    void add(const std::string &key, int value) { add(key, std::to_string(value)); }
    void add(const std::string &key, uint64_t value) { add(key, std::to_string(value)); }
    void add(const std::string &key, bool value) { add(key, std::string(value ? "1" : "0")); }
    void add(const std::string &key, double value) { add(key, formatDouble(value)); }
    void append(const MetaWriter &other) { m_text += other.m_text; }
    const std::string &text() const { return m_text; }

private:
    std::string m_text;
};

using MetaMap = std::map<std::string, std::string>;

MetaMap parseMeta(const std::string &text)
{
    MetaMap map;
    std::istringstream lines(text);
    std::string line;
    int lineNumber = 0;
    while (std::getline(lines, line)) {
        ++lineNumber;
        if (line.empty())
            continue;
        const auto eq = line.find('=');
        if (eq == std::string::npos)
            throw CheckpointError("metadata line " + std::to_string(lineNumber) + " has no '='");
        const auto key = line.substr(0, eq);
        if (!isValidKey(key))
            throw CheckpointError("metadata line " + std::to_string(lineNumber) + " has an invalid key");
        if (!map.emplace(key, unescapeValue(line.substr(eq + 1))).second)
            throw CheckpointError("metadata key '" + key + "' appears twice");
    }
    return map;
}

const std::string &required(const MetaMap &map, const std::string &key)
{
    const auto it = map.find(key);
    if (it == map.end())
        throw CheckpointError("metadata lacks '" + key + "'");
    return it->second;
}

// --- configs: one field list drives writing and reading ---------------------------------------

template<typename Config, typename Visitor>
void visitRppgNetConfig(Config &c, Visitor &&visit)
{
    visit("frames", c.frames);
    visit("input_size", c.inputSize);
    visit("stem_channels", c.stemChannels);
    visit("stage1_channels", c.stage1Channels);
    visit("stage2_channels", c.stage2Channels);
    visit("stage3_channels", c.stage3Channels);
    visit("skin_hidden_channels", c.skinHiddenChannels);
    visit("skin_channels", c.skinChannels);
    visit("share_global_head_for_part1", c.shareGlobalHeadForPart1);
    visit("register_unused_modules", c.registerUnusedModules);
}

template<typename Config, typename Visitor>
void visitStvenConfig(Config &c, Visitor &&visit)
{
    visit("conv_dim", c.convDim);
    visit("bottleneck_channels", c.bottleneckChannels);
    visit("repeat_num", c.repeatNum);
    visit("c_dim", c.cDim);
    visit("frames", c.frames);
    visit("input_size", c.inputSize);
    visit("instance_norm_track_stats", c.instanceNormTrackStats);
}

template<typename Config, typename VisitFn>
void writeConfig(MetaWriter &writer, const Config &config, VisitFn visitConfig)
{
    visitConfig(config, [&writer](const char *name, const auto &value) {
        writer.add(std::string("config.") + name, value);
    });
}

// Keys missing from an older file keep their in-class defaults: a field added later must default
// to the behaviour that existed before it. Unknown keys mean a newer writer: refuse them.
template<typename Config, typename VisitFn>
Config readConfig(const MetaMap &map, VisitFn visitConfig)
{
    Config config;
    std::set<std::string> known;
    visitConfig(config, [&map, &known](const char *name, auto &value) {
        const auto key = std::string("config.") + name;
        known.insert(key);
        const auto it = map.find(key);
        if (it == map.end())
            return;
        if constexpr (std::is_same_v<std::decay_t<decltype(value)>, bool>)
            value = parseBool(it->second, key);
        else
            value = parseNumber<std::decay_t<decltype(value)>>(it->second, key);
    });
    for (const auto &[key, value] : map) {
        if (key.rfind("config.", 0) == 0 && !known.count(key))
            throw CheckpointError("unknown config field '" + key + "' (written by a newer version?)");
    }
    return config;
}

// --- tensors -----------------------------------------------------------------------------------

std::string dtypeName(torch::ScalarType type)
{
    switch (type) {
    case torch::kFloat32: return "float32";
    case torch::kFloat64: return "float64";
    case torch::kFloat16: return "float16";
    case torch::kBFloat16: return "bfloat16";
    case torch::kInt64: return "int64";
    case torch::kInt32: return "int32";
    case torch::kUInt8: return "uint8";
    case torch::kBool: return "bool";
    default: return c10::toString(type);
    }
}

std::string shapeText(const std::vector<int64_t> &shape)
{
    std::string s;
    for (size_t i = 0; i < shape.size(); ++i)
        s += (i ? "," : "") + std::to_string(shape[i]);
    return s;
}

std::vector<int64_t> parseShape(const std::string &text, const std::string &key)
{
    std::vector<int64_t> shape;
    if (text.empty())
        return shape;   // a scalar
    size_t start = 0;
    while (true) {
        const auto comma = text.find(',', start);
        const auto part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        const auto dim = parseNumber<int64_t>(part, key);
        if (dim < 0)
            throw CheckpointError("metadata '" + key + "' has a negative dimension");
        shape.push_back(dim);
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    return shape;
}

// --- container -----------------------------------------------------------------------------

uint64_t fnv1a(const char *data, size_t size)
{
    uint64_t hash = 14695981039346656037ULL;
    for (size_t i = 0; i < size; ++i) {
        hash ^= static_cast<unsigned char>(data[i]);
        hash *= 1099511628211ULL;
    }
    return hash;
}

void putLittleEndian(std::string &out, uint64_t value, int bytes)
{
    for (int i = 0; i < bytes; ++i)
        out += char((value >> (8 * i)) & 0xff);
}

uint64_t getLittleEndian(const char *data, int bytes)
{
    uint64_t value = 0;
    for (int i = 0; i < bytes; ++i)
        value |= uint64_t(static_cast<unsigned char>(data[i])) << (8 * i);
    return value;
}

std::string containerHeader(const std::string &payload)
{
    std::string header(kContainerMagic, sizeof kContainerMagic);
    putLittleEndian(header, kContainerVersion, 4);
    putLittleEndian(header, kContainerHeaderBytes, 4);
    putLittleEndian(header, payload.size(), 8);
    putLittleEndian(header, fnv1a(payload.data(), payload.size()), 8);
    return header;
}

// The verified payload of a checkpoint's bytes.
std::pair<const char *, size_t> unwrapContainer(const char *data, size_t size)
{
    if (!data || size == 0)
        throw CheckpointError("checkpoint is empty");
    if (size < sizeof kContainerMagic || std::memcmp(data, kContainerMagic, sizeof kContainerMagic) != 0)
        throw CheckpointError("not an rPPG Studio checkpoint (no RPPGCKPT marker)");
    if (size < kContainerHeaderBytes)
        throw CheckpointError("checkpoint is truncated (incomplete header)");
    const auto version = getLittleEndian(data + 8, 4);
    const auto headerBytes = getLittleEndian(data + 12, 4);
    if (version < 1 || version > kContainerVersion)
        throw CheckpointError("checkpoint container version " + std::to_string(version)
                              + " is not supported (this build reads 1 to " + std::to_string(kContainerVersion) + ")");
    if (headerBytes < kContainerHeaderBytes || headerBytes > size)
        throw CheckpointError("checkpoint header is damaged");
    const auto payloadBytes = getLittleEndian(data + 16, 8);
    if (payloadBytes != size - headerBytes)
        throw CheckpointError(payloadBytes > size - headerBytes ? "checkpoint is truncated"
                                                                : "checkpoint has trailing data (damaged)");
    const char *payload = data + headerBytes;
    if (fnv1a(payload, payloadBytes) != getLittleEndian(data + 24, 8))
        throw CheckpointError("checkpoint is damaged (checksum mismatch)");
    return {payload, size_t(payloadBytes)};
}

std::string readFileBytes(const std::string &path)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw CheckpointError("no checkpoint file at '" + path + "'");
    std::ifstream file(path, std::ios::binary);
    if (!file)
        throw CheckpointError("cannot open '" + path + "'");
    std::ostringstream bytes;
    bytes << file.rdbuf();
    if (file.bad())
        throw CheckpointError("cannot read '" + path + "'");
    return bytes.str();
}

std::string hex64(uint64_t v)
{
    char buffer[17];
    std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(v));
    return buffer;
}

// Parameters then buffers, each in registration order (the order of a PyTorch state_dict up to
// the interleaving of the two).
std::vector<std::pair<std::string, torch::Tensor>> moduleState(const torch::nn::Module &module)
{
    std::vector<std::pair<std::string, torch::Tensor>> state;
    for (const auto &item : module.named_parameters(true)) {
        if (item.value().defined())
            state.emplace_back(item.key(), item.value());
    }
    for (const auto &item : module.named_buffers(true)) {
        if (item.value().defined())
            state.emplace_back(item.key(), item.value());
    }
    return state;
}

std::string isoUtcNow()
{
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm utc{};
#ifdef _WIN32
    gmtime_s(&utc, &now);
#else
    gmtime_r(&now, &utc);
#endif
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return buffer;
}

// --- save --------------------------------------------------------------------------------------

void writeCheckpoint(const std::string &path, ModelKind kind, const MetaWriter &configText, int inputSize,
                     const torch::nn::Module &module, const CheckpointMeta &meta)
{
    MetaWriter info;
    info.add("kind", std::string(modelKindName(kind)));
    info.add("input_size", inputSize);
    info.append(configText);
    info.add("meta.training_data", meta.trainingData);
    info.add("meta.epochs", meta.epochs);
    info.add("meta.iterations", meta.iterations);
    info.add("meta.seed", meta.seed);
    info.add("meta.train_seconds", meta.trainSeconds);
    info.add("meta.created_utc", meta.createdUtc.empty() ? isoUtcNow() : meta.createdUtc);
    info.add("meta.software", meta.software);
    for (const auto &[key, value] : meta.training)
        info.add("training." + key, value);
    for (const auto &[key, value] : meta.metrics)
        info.add("metric." + key, value);

    torch::serialize::OutputArchive archive;
    const auto state = moduleState(module);
    info.add("tensor.count", int64_t(state.size()));
    for (size_t i = 0; i < state.size(); ++i) {
        const auto cpu = state[i].second.detach().to(torch::kCPU).contiguous();
        const auto prefix = "tensor." + std::to_string(i);
        info.add(prefix + ".name", state[i].first);
        info.add(prefix + ".dtype", dtypeName(cpu.scalar_type()));
        info.add(prefix + ".shape", shapeText(cpu.sizes().vec()));
        archive.write("t" + std::to_string(i), cpu, /*is_buffer=*/true);
    }
    archive.write(kMagicKey, c10::IValue(std::string(kMagic)));
    archive.write(kVersionKey, c10::IValue(int64_t(kCheckpointFormatVersion)));
    archive.write(kMetaKey, c10::IValue(info.text()));
    std::ostringstream payloadStream;
    archive.save_to(payloadStream);
    const auto payload = payloadStream.str();

    // Same folder as the target so the rename is atomic; a reader never sees a half-written file.
    namespace fs = std::filesystem;
    std::random_device entropy;
    const auto temporary = path + ".tmp-" + hex64((uint64_t(entropy()) << 32) ^ entropy()).substr(8);
    {
        std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
        const auto header = containerHeader(payload);
        file.write(header.data(), std::streamsize(header.size()));
        file.write(payload.data(), std::streamsize(payload.size()));
        file.close();
        if (!file) {
            std::error_code ignored;
            fs::remove(temporary, ignored);
            throw CheckpointError("cannot write '" + temporary + "'");
        }
    }
    std::error_code ec;
    fs::rename(temporary, path, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        throw CheckpointError("cannot rename the temporary file onto '" + path + "': " + ec.message());
    }
}

// --- load --------------------------------------------------------------------------------------

void parseHeader(torch::serialize::InputArchive &archive, CheckpointHeader &header)
{
    c10::IValue magic;
    if (!archive.try_read(kMagicKey, magic) || !magic.isString() || magic.toStringRef() != kMagic)
        throw CheckpointError("not an rPPG Studio checkpoint (no format marker)");
    c10::IValue version;
    if (!archive.try_read(kVersionKey, version) || !version.isInt())
        throw CheckpointError("checkpoint has no format version");
    header.formatVersion = int(version.toInt());
    if (header.formatVersion < 1 || header.formatVersion > kCheckpointFormatVersion)
        throw CheckpointError("checkpoint format version " + std::to_string(header.formatVersion)
                              + " is not supported (this build reads 1 to "
                              + std::to_string(kCheckpointFormatVersion) + ")");
    c10::IValue metaValue;
    if (!archive.try_read(kMetaKey, metaValue) || !metaValue.isString())
        throw CheckpointError("checkpoint has no metadata");
    const auto map = parseMeta(metaValue.toStringRef());

    const auto &kind = required(map, "kind");
    if (kind == "rppgnet") {
        header.kind = ModelKind::RppgNet;
        header.rppgNet = readConfig<RppgNetConfig>(map, [](auto &c, auto &&v) { visitRppgNetConfig(c, v); });
    } else if (kind == "stven") {
        header.kind = ModelKind::Stven;
        header.stven = readConfig<StvenConfig>(map, [](auto &c, auto &&v) { visitStvenConfig(c, v); });
    } else {
        throw CheckpointError("unknown architecture '" + kind + "'");
    }
    header.inputSize = parseNumber<int>(required(map, "input_size"), "input_size");

    auto &meta = header.meta;
    meta.trainingData = required(map, "meta.training_data");
    meta.epochs = parseNumber<int>(required(map, "meta.epochs"), "meta.epochs");
    meta.iterations = parseNumber<int64_t>(required(map, "meta.iterations"), "meta.iterations");
    meta.seed = parseNumber<uint64_t>(required(map, "meta.seed"), "meta.seed");
    meta.trainSeconds = parseNumber<double>(required(map, "meta.train_seconds"), "meta.train_seconds");
    meta.createdUtc = required(map, "meta.created_utc");
    meta.software = required(map, "meta.software");
    for (const auto &[key, value] : map) {
        if (key.rfind("training.", 0) == 0)
            meta.training[key.substr(9)] = value;
        else if (key.rfind("metric.", 0) == 0)
            meta.metrics[key.substr(7)] = parseNumber<double>(value, key);
    }

    const auto count = parseNumber<int64_t>(required(map, "tensor.count"), "tensor.count");
    if (count < 0 || count > 100000)
        throw CheckpointError("implausible tensor count " + std::to_string(count));
    std::set<std::string> names;
    for (int64_t i = 0; i < count; ++i) {
        const auto prefix = "tensor." + std::to_string(i);
        TensorRecord record;
        record.name = required(map, prefix + ".name");
        record.dtype = required(map, prefix + ".dtype");
        record.shape = parseShape(required(map, prefix + ".shape"), prefix + ".shape");
        if (!names.insert(record.name).second)
            throw CheckpointError("tensor '" + record.name + "' is listed twice");
        header.tensors.push_back(std::move(record));
    }
}

// Fills every parameter and buffer of `module` from the archive, all-or-nothing in the sense that
// any mismatch aborts before the module is handed out.
void loadState(torch::serialize::InputArchive &archive, const CheckpointHeader &header,
               torch::nn::Module &module)
{
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < header.tensors.size(); ++i)
        index[header.tensors[i].name] = i;
    const auto state = moduleState(module);
    std::set<std::string> used;
    torch::NoGradGuard noGrad;
    for (const auto &[name, target] : state) {
        const auto it = index.find(name);
        if (it == index.end())
            throw CheckpointError("checkpoint lacks tensor '" + name + "'");
        const auto &record = header.tensors[it->second];
        torch::Tensor stored;
        if (!archive.try_read("t" + std::to_string(it->second), stored, /*is_buffer=*/true) || !stored.defined())
            throw CheckpointError("checkpoint lists tensor '" + name + "' but does not contain it");
        if (stored.sizes().vec() != record.shape || dtypeName(stored.scalar_type()) != record.dtype)
            throw CheckpointError("tensor '" + name + "' does not match its own metadata");
        if (stored.sizes() != target.sizes())
            throw CheckpointError("tensor '" + name + "' has shape [" + shapeText(stored.sizes().vec())
                                  + "], the model expects [" + shapeText(target.sizes().vec()) + "]");
        if (stored.scalar_type() != target.scalar_type())
            throw CheckpointError("tensor '" + name + "' is " + dtypeName(stored.scalar_type())
                                  + ", the model expects " + dtypeName(target.scalar_type()));
        target.copy_(stored);
        used.insert(name);
    }
    for (const auto &record : header.tensors) {
        if (!used.count(record.name))
            throw CheckpointError("checkpoint has tensor '" + record.name + "' that this model does not");
    }
}

void openArchive(torch::serialize::InputArchive &archive, const char *data, size_t size)
{
    const auto [payload, payloadBytes] = unwrapContainer(data, size);
    try {
        archive.load_from(payload, payloadBytes, torch::kCPU);
    } catch (const c10::Error &e) {
        // libtorch's messages carry a C++ backtrace; keep the first line.
        throw CheckpointError("cannot read the checkpoint container (damaged or not a checkpoint): "
                              + firstLine(e.what_without_backtrace()));
    } catch (const CheckpointError &) {
        throw;
    } catch (const std::exception &e) {
        // The TorchScript importer reports damaged type source as a multi-line ErrorReport.
        throw CheckpointError("cannot read the checkpoint container (damaged or not a checkpoint): "
                              + firstLine(e.what()));
    }
}

// Builds the network the header describes and fills it from the archive, in eval mode on `device`.
template<typename Net>
Net buildAndLoad(torch::serialize::InputArchive &archive, const CheckpointHeader &header,
                 const torch::Device &device)
{
    std::string configError;
    Net net{nullptr};
    if constexpr (std::is_same_v<Net, RppgNet>)
        net = makeRppgNet(header.rppgNet, &configError);
    else
        net = makeStven(header.stven, &configError);
    if (!net)
        throw CheckpointError("checkpoint config is invalid: " + configError);
    loadState(archive, header, *net);
    net->eval();
    net->to(device);
    return net;
}

// `bytes` supplies the checkpoint's bytes (reads the file, or wraps a buffer). LoadedRppgNet and
// LoadedStven insist on their kind; LoadedModel takes either.
template<typename Loaded, typename Bytes>
std::optional<Loaded> loadModel(const Bytes &bytes, const torch::Device &device, std::string *error)
{
    std::optional<Loaded> result;
    guarded(error, [&] {
        std::string storage;
        const auto [data, size] = bytes(storage);
        torch::serialize::InputArchive archive;
        openArchive(archive, data, size);
        Loaded loaded;
        parseHeader(archive, loaded.header);
        const ModelKind kind = loaded.header.kind;
        if constexpr (std::is_same_v<Loaded, LoadedModel>) {
            if (kind == ModelKind::RppgNet)
                loaded.rppgNet = buildAndLoad<RppgNet>(archive, loaded.header, device);
            else
                loaded.stven = buildAndLoad<Stven>(archive, loaded.header, device);
        } else {
            constexpr ModelKind expected
                = std::is_same_v<Loaded, LoadedRppgNet> ? ModelKind::RppgNet : ModelKind::Stven;
            if (kind != expected)
                throw CheckpointError(std::string("checkpoint holds a ") + modelKindName(kind) + " model, not "
                                      + modelKindName(expected));
            loaded.net = buildAndLoad<decltype(loaded.net)>(archive, loaded.header, device);
        }
        result = std::move(loaded);
    });
    return result;
}

auto fileSource(const std::string &path)
{
    return [path](std::string &storage) {
        storage = readFileBytes(path);
        return std::pair<const char *, size_t>(storage.data(), storage.size());
    };
}

auto memorySource(const char *data, size_t size)
{
    return [data, size](std::string &) { return std::pair<const char *, size_t>(data, size); };
}

} // namespace

const char *modelKindName(ModelKind kind)
{
    switch (kind) {
    case ModelKind::RppgNet: return "rppgnet";
    case ModelKind::Stven: return "stven";
    }
    return "unknown";
}

bool saveRppgNet(const std::string &path, const RppgNet &net, const CheckpointMeta &meta, std::string *error)
{
    return guarded(error, [&] {
        if (!net)
            throw CheckpointError("no rPPGNet to save");
        if (net->isBatchNormFolded())
            throw CheckpointError("this rPPGNet has BatchNorm folded for inference; save the unfolded network");
        MetaWriter config;
        writeConfig(config, net->config(), [](auto &c, auto &&v) { visitRppgNetConfig(c, v); });
        writeCheckpoint(path, ModelKind::RppgNet, config, net->config().inputSize, *net, meta);
    });
}

bool saveStven(const std::string &path, const Stven &net, const CheckpointMeta &meta, std::string *error)
{
    return guarded(error, [&] {
        if (!net)
            throw CheckpointError("no STVEN to save");
        MetaWriter config;
        writeConfig(config, net->config(), [](auto &c, auto &&v) { visitStvenConfig(c, v); });
        writeCheckpoint(path, ModelKind::Stven, config, net->config().inputSize, *net, meta);
    });
}

std::optional<LoadedRppgNet> loadRppgNet(const std::string &path, const torch::Device &device, std::string *error)
{
    return loadModel<LoadedRppgNet>(fileSource(path), device, error);
}

std::optional<LoadedRppgNet> loadRppgNetFromMemory(const char *data, size_t size, const torch::Device &device,
                                                   std::string *error)
{
    return loadModel<LoadedRppgNet>(memorySource(data, size), device, error);
}

std::optional<LoadedStven> loadStven(const std::string &path, const torch::Device &device, std::string *error)
{
    return loadModel<LoadedStven>(fileSource(path), device, error);
}

std::optional<LoadedStven> loadStvenFromMemory(const char *data, size_t size, const torch::Device &device,
                                               std::string *error)
{
    return loadModel<LoadedStven>(memorySource(data, size), device, error);
}

std::optional<LoadedModel> loadModelFromMemory(const char *data, size_t size, const torch::Device &device,
                                               std::string *error)
{
    return loadModel<LoadedModel>(memorySource(data, size), device, error);
}

std::optional<std::string> readCheckpointFile(const std::string &path, std::string *error)
{
    std::optional<std::string> bytes;
    guarded(error, [&] { bytes = readFileBytes(path); });
    return bytes;
}

std::optional<CheckpointHeader> readCheckpointHeader(const std::string &path, std::string *error)
{
    std::optional<CheckpointHeader> header;
    guarded(error, [&] {
        const std::string bytes = readFileBytes(path);
        torch::serialize::InputArchive archive;
        openArchive(archive, bytes.data(), bytes.size());
        CheckpointHeader parsed;
        parseHeader(archive, parsed);
        header = std::move(parsed);
    });
    return header;
}

std::vector<std::pair<std::string, std::string>> configEntries(const CheckpointHeader &header)
{
    std::vector<std::pair<std::string, std::string>> out;
    auto add = [&out](const char *name, const auto &value) {
        using V = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<V, bool>)
            out.emplace_back(name, value ? "1" : "0");
        else if constexpr (std::is_floating_point_v<V>)
            out.emplace_back(name, formatDouble(double(value)));
        else
            out.emplace_back(name, std::to_string(value));
    };
    if (header.kind == ModelKind::RppgNet)
        visitRppgNetConfig(header.rppgNet, add);
    else
        visitStvenConfig(header.stven, add);
    return out;
}

bool removeFoldersFromCheckpoint(const std::string &path, std::string *error)
{
    const auto header = readCheckpointHeader(path, error);
    if (!header)
        return false;
    CheckpointMeta meta = header->meta;
    for (const char *key : {"command", "rppgnet", "best_checkpoint"}) {
        auto it = meta.training.find(key);
        if (it != meta.training.end())
            it->second = commandWithoutFolders(splitText(it->second, ' '));
    }
    const torch::Device cpu(torch::kCPU);
    if (header->kind == ModelKind::RppgNet) {
        const auto loaded = loadRppgNet(path, cpu, error);
        return loaded && saveRppgNet(path, loaded->net, meta, error);
    }
    const auto loaded = loadStven(path, cpu, error);
    return loaded && saveStven(path, loaded->net, meta, error);
}

bool copyModuleState(const torch::nn::Module &from, torch::nn::Module &to, std::string *error)
{
    return guarded(error, [&] {
        const auto source = moduleState(from);
        const auto target = moduleState(to);
        if (source.size() != target.size())
            throw CheckpointError("modules differ in their number of tensors (" + std::to_string(source.size())
                                  + " vs " + std::to_string(target.size()) + ")");
        torch::NoGradGuard noGrad;
        for (size_t i = 0; i < source.size(); ++i) {
            const auto &[name, src] = source[i];
            const auto &[targetName, dst] = target[i];
            if (name != targetName || src.sizes() != dst.sizes() || src.scalar_type() != dst.scalar_type())
                throw CheckpointError("tensor '" + name + "' does not match '" + targetName + "'");
        }
        for (size_t i = 0; i < source.size(); ++i)
            target[i].second.copy_(source[i].second);
    });
}

} // namespace rppg::models
