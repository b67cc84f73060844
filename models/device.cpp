#include "device.h"

#include <torch/torch.h>

#include <cstdio>
#include <mutex>

namespace rppg::models {

bool cudaAvailable()
{
    return torch::cuda::is_available();
}

int cudaDeviceCount()
{
    return cudaAvailable() ? int(torch::cuda::device_count()) : 0;
}

DeviceChoice chooseDevice(const std::string &request)
{
    DeviceChoice c;
    std::string r = request.empty() ? std::string("auto") : request;
    for (auto &ch : r)
        ch = char(std::tolower(static_cast<unsigned char>(ch)));
    const int count = cudaDeviceCount();
    if (r == "auto") {
        r = count > 0 ? "cuda:0" : "cpu";
    } else if (r == "cuda" || r == "gpu") {
        r = "cuda:0";
    }
    if (r == "cpu") {
        c.spec = "cpu";
        c.description = "CPU (" + std::to_string(torch::get_num_threads()) + " threads)";
        return c;
    }
    if (r.rfind("cuda:", 0) == 0) {
        int index = -1;
        try {
            index = std::stoi(r.substr(5));
        } catch (...) {
            index = -1;
        }
        if (index < 0) {
            c.error = "bad device '" + request + "' (use auto, cpu, cuda or cuda:N)";
            return c;
        }
        if (index >= count) {
            c.error = count == 0 ? "CUDA requested but this libtorch has no CUDA or no GPU is present"
                                 : "CUDA device " + std::to_string(index) + " does not exist ("
                                       + std::to_string(count) + " present)";
            return c;
        }
        c.spec = "cuda:" + std::to_string(index);
        c.cuda = true;
        c.index = index;
        c.description = "CUDA:" + std::to_string(index);
        return c;
    }
    c.error = "bad device '" + request + "' (use auto, cpu, cuda or cuda:N)";
    return c;
}

void setThreadsOnce(int threads)
{
    static std::once_flag once;
    std::call_once(once, [threads] {
        if (threads > 0)
            torch::set_num_threads(threads);
    });
}

} // namespace rppg::models
