#include "syntheticcrops.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <random>

namespace rppg {

std::vector<FaceCrop> syntheticPulseCrops(const SyntheticCropSpec &spec)
{
    std::mt19937 rng(spec.seed);
    std::normal_distribution<double> noise(0, spec.noiseSigma);
    const int size = spec.size;
    std::vector<FaceCrop> crops;
    crops.reserve(size_t(std::max(spec.count, 0)));
    for (int i = 0; i < spec.count; ++i) {
        FaceCrop c;
        const double t = i / spec.fps;
        c.ptsUs = std::llround(t * 1e6);
        if (!spec.faceAt || spec.faceAt(i)) {
            const double p = spec.amplitude * std::sin(2 * M_PI * spec.pulseHz * t);
            c.bgr = cv::Mat(size, size, CV_8UC3, cv::Scalar(40, 50, 60));
            cv::circle(c.bgr, {size / 2, size / 2}, size * 2 / 5, cv::Scalar(110 - p, 140 - 2 * p, 190 - p), -1);
            for (auto it = c.bgr.begin<cv::Vec3b>(); it != c.bgr.end<cv::Vec3b>(); ++it)
                for (int ch = 0; ch < 3; ++ch)
                    (*it)[ch] = cv::saturate_cast<uint8_t>((*it)[ch] + noise(rng));
        }
        crops.push_back(std::move(c));
    }
    return crops;
}

} // namespace rppg
