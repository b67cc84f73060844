// Fuzz target: the model checkpoint loader (models/checkpoint.h). The bytes go to the in-memory
// loaders and, through a file, to readCheckpointHeader(). Checkpoints are checksummed before
// libtorch's archive parser sees them, so most mutations stop at the header check; the fuzzer
// also gets a chance to re-checksum its input (first byte odd) so the metadata parser and the
// archive reader behind the checksum are reached too.

#include "checkpoint.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

uint64_t fnv1a64(const uint8_t *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; ++i) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

void putU64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; ++i)
        p[i] = uint8_t(v >> (8 * i));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (4 << 20))
        return -1;
    std::vector<uint8_t> bytes(data, data + size);
    // Header: "RPPGCKPT", u32 version, u32 header size, u64 payload size, u64 FNV-1a of payload.
    // The fix-up sets version 1 and a 32-byte header, then the payload size and checksum.
    if (size >= 32 && (data[size - 1] & 1) && std::memcmp(data, "RPPGCKPT", 8) == 0) {
        const uint8_t fixed[8] = {1, 0, 0, 0, 32, 0, 0, 0};
        std::memcpy(bytes.data() + 8, fixed, 8);
        putU64(bytes.data() + 16, size - 32);
        putU64(bytes.data() + 24, fnv1a64(bytes.data() + 32, size - 32));
    }
    const torch::Device cpu(torch::kCPU);
    std::string error;
    (void)rppg::models::loadRppgNetFromMemory(reinterpret_cast<const char *>(bytes.data()), bytes.size(), cpu, &error);
    (void)rppg::models::loadStvenFromMemory(reinterpret_cast<const char *>(bytes.data()), bytes.size(), cpu, &error);

    static const std::string path = "/tmp/rppg-fuzz-ckpt-" + std::to_string(::getpid()) + ".rppgckpt";
    {
        std::ofstream f(path, std::ios::binary | std::ios::trunc);
        f.write(reinterpret_cast<const char *>(bytes.data()), std::streamsize(bytes.size()));
    }
    (void)rppg::models::readCheckpointHeader(path, &error);
    std::remove(path.c_str());
    return 0;
}
