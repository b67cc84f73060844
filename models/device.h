#pragma once

// Compute device choice for the networks: "auto" means CUDA when this libtorch has it and a GPU
// is present, else CPU; "cpu", "cuda" and "cuda:N" force a choice. The choice is logged once.
// Public header without torch includes (moc-safe); thread-safe.

#include <string>

namespace rppg::models {

struct DeviceChoice
{
    std::string spec;          // normalised: "cpu", "cuda:0", ...
    std::string description;   // "CPU (2 threads)", "CUDA:0 NVIDIA H100 ..."
    bool cuda = false;
    int index = -1;
    std::string error;         // non-empty when the request cannot be met
};

DeviceChoice chooseDevice(const std::string &request);
bool cudaAvailable();
int cudaDeviceCount();
// Sets libtorch's intra-op thread count once per process (0 = leave the default).
void setThreadsOnce(int threads);

} // namespace rppg::models
