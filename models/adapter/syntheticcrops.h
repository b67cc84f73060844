#pragma once

// Synthetic face crops for timing and testing the neural methods without a video: a skin-coloured
// disc on a darker background whose colour follows a sinusoidal pulse, plus Gaussian sensor noise.
// Deterministic for a given seed. Used by rppg_neural_bench and tst_neuralmethods.

#include "pulsemethod.h"

#include <functional>
#include <vector>

namespace rppg {

struct SyntheticCropSpec
{
    int count = 0;       // frames
    int size = 64;       // crop side in pixels
    double fps = 30;
    double pulseHz = 1.2;       // 72 bpm
    double amplitude = 1;       // pulse swing in 8-bit levels (red and blue; green twice that)
    double noiseSigma = 2;      // per-channel Gaussian noise, 8-bit levels
    unsigned seed = 1;
    std::function<bool(int)> faceAt;   // false for frame i: an empty crop (no face); unset: all faces
};

std::vector<FaceCrop> syntheticPulseCrops(const SyntheticCropSpec &spec);

} // namespace rppg
