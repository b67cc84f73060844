#pragma once

// Signal processing for pulse signals: uniform resampling by timestamp, smoothness-priors
// detrending, zero-phase Butterworth band-pass, Welch spectra with sub-bin peak interpolation,
// harmonic SNR, beat detection and HRV. Pure functions; thread-safe.
//
// Units: frequencies in Hz, times in seconds, rates in samples per second.

#include <limits>
#include <vector>

namespace rppg::dsp {

// ---- resampling --------------------------------------------------------------------------------

// Linearly interpolates (t, v) samples (t strictly increasing, seconds) onto a uniform grid
// t0 + k / fsHz, k = 0..n-1. Grid points outside [t.front(), t.back()] take the nearest end value.
std::vector<double> resampleLinear(const std::vector<double> &t, const std::vector<double> &v,
                                   double t0, double fsHz, int n);

// ---- detrending --------------------------------------------------------------------------------

// Smoothness-priors detrending (Tarvainen et al. 2002): x - (I + λ² D₂ᵀD₂)⁻¹ x, solved in O(n)
// with a banded Cholesky factorisation.
std::vector<double> detrendSmoothnessPriors(const std::vector<double> &x, double lambda);
// λ that puts the detrender's −3 dB cut-off near `cutoffHz` at rate fsHz.
double smoothnessLambdaForCutoff(double cutoffHz, double fsHz);

// ---- filtering ---------------------------------------------------------------------------------

struct Biquad
{
    double b0 = 1, b1 = 0, b2 = 0, a1 = 0, a2 = 0;   // a0 normalised to 1
};

// Digital Butterworth band-pass of analog prototype order `order` (the band-pass has 2·order
// poles), designed with the bilinear transform and pre-warping, as second-order sections.
std::vector<Biquad> butterworthBandpass(int order, double lowHz, double highHz, double fsHz);
std::vector<Biquad> butterworthLowpass(int order, double cutoffHz, double fsHz);

// Causal filtering through the sections (zero initial state).
std::vector<double> sosFilter(const std::vector<Biquad> &sos, const std::vector<double> &x);
// Forward-backward (zero-phase) filtering with odd-extension padding and steady-state initial
// conditions, like scipy.signal.sosfiltfilt.
std::vector<double> sosFiltFilt(const std::vector<Biquad> &sos, const std::vector<double> &x);

// Magnitude response |H(f)| of the sections at frequency fHz.
double sosMagnitude(const std::vector<Biquad> &sos, double fHz, double fsHz);

// ---- spectra -----------------------------------------------------------------------------------

struct Spectrum
{
    double binHz = 0;            // frequency step between bins
    std::vector<double> power;   // one-sided power spectral density, bins 0..nfft/2
    double frequency(int bin) const { return bin * binHz; }
};

// Welch's method: Hann-windowed segments of `segmentLen` samples with `overlap` (0..1) overlap,
// each zero-padded to `nfft` (rounded up to a power of two, at least segmentLen), averaged.
// A signal shorter than segmentLen is analysed as one segment.
Spectrum welch(const std::vector<double> &x, double fsHz, int segmentLen, double overlap, int nfft);

struct Peak
{
    double frequencyHz = 0;  // interpolated peak frequency
    double power = 0;        // power at the peak bin
    bool valid = false;
};

// Highest spectral peak inside [lowHz, highHz], refined below bin resolution by fitting a
// parabola to the log power of the peak bin and its neighbours.
Peak spectralPeak(const Spectrum &s, double lowHz, double highHz);

// Harmonic SNR in dB (de Haan & Jeanne 2013): power within ±halfWidthHz of f0 and of 2·f0,
// against the rest of the power in [lowHz, highHz].
double harmonicSnrDb(const Spectrum &s, double f0Hz, double lowHz, double highHz,
                     double halfWidthHz = 0.1);

// ---- beats and HRV -----------------------------------------------------------------------------

// Local maxima separated by at least `minDistance` samples whose prominence is at least
// `minProminence`, with sub-sample positions from a parabola through each maximum.
std::vector<double> findPeaks(const std::vector<double> &x, double minDistance,
                              double minProminence);

struct Hrv
{
    int beats = 0;          // beats used
    double meanIbiMs = 0;   // mean inter-beat interval
    double sdnnMs = 0;      // standard deviation of the intervals
    double rmssdMs = 0;     // root mean square of successive differences
    bool valid = false;     // at least 3 accepted intervals
    int intervals = 0;      // intervals within the runs, accepted or not
    int implausible = 0;    // of them, dropped as missed or spurious beats
};

// Which inter-beat intervals are plausible: those within `outlierFraction` of the median of their
// neighbours (three on each side). The others are missed or spurious beats.
std::vector<char> plausibleIntervals(const std::vector<double> &ibi, double outlierFraction = 0.3);

// HRV from beat times. Intervals that differ by more than `outlierFraction` from the median of
// their neighbours (missed or spurious beats) are dropped, and so are the successive differences
// that touch them.
Hrv hrvFromBeats(const std::vector<double> &beatTimesSec, double outlierFraction = 0.3);
// The same over several separate runs of beats (stretches of signal between gaps): intervals and
// successive differences are taken within each run only.
Hrv hrvFromBeatRuns(const std::vector<std::vector<double>> &runs, double outlierFraction = 0.3);

// ---- small helpers -----------------------------------------------------------------------------

double mean(const std::vector<double> &x);
double stddev(const std::vector<double> &x);   // unbiased (n - 1)
double pearson(const std::vector<double> &a, const std::vector<double> &b);
double median(std::vector<double> x);
void normalize(std::vector<double> &x);        // zero mean, unit standard deviation (if non-zero)

// Mean of the paired differences d_i (e.g. method A's |error| minus method B's on the same window)
// with a 95 % percentile-bootstrap interval that resamples whole clusters (e.g. recordings:
// windows of one recording are not independent, so resampling windows would understate the
// spread). `cluster[i]` names the cluster of d_i. The interval is NaN with fewer than two clusters;
// everything is NaN with no differences.
struct PairedDifference
{
    double mean = std::numeric_limits<double>::quiet_NaN();
    double lo = std::numeric_limits<double>::quiet_NaN();
    double hi = std::numeric_limits<double>::quiet_NaN();
    int pairs = 0;
    int clusters = 0;
};
PairedDifference clusteredBootstrapMean(const std::vector<double> &d, const std::vector<int> &cluster,
                                        int resamples = 4000, unsigned seed = 1);

} // namespace rppg::dsp
