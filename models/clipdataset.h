#pragma once

// Reader of the clip cache (format version 1, documented in core/clipcache.h and written by
// `rppg prepare` / `rppg synth-set`) for training, in plain C++ and libtorch: no Qt, no OpenCV,
// so a machine with only libtorch can train.
//
// One ClipDataset joins one or more cache folders. Clip i is a T-frame window of one segment;
// every read opens the files, seeks and reads that window only, so memory does not depend on the
// dataset size (the index — one row per segment and clip — is all that stays in memory).
// Subjects are keyed "dataset/subject" (the columns of segments.csv), so the same person in two
// caches stays on one side of a train/validation split.
//
// Tensors handed out: frames 3 × T × S × S float32 in [-1, 1] (the networks' convention, RGB),
// skin mask T × S/2 × S/2 float32 0/1, ppg T float32 (z-scored per recording in the cache).
// When the requested size differs from the cache's crop size the frames are resized with area
// averaging (bilinear when enlarging) and the mask with area averaging thresholded at 0.5.
//
// Thread affinity: reading is const and opens its own file handles, so several threads may read
// from one dataset at once.

#include <torch/torch.h>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace rppg::models {

struct ClipCacheSegmentInfo
{
    int cache = 0;                 // index into ClipDataset::caches()
    std::string dataset, recording, subject;
    double fps = 0;
    int64_t frames = 0;
    int64_t offset = 0;            // first frame in masks.bin / ppg.bin
    std::vector<int64_t> levelOffsets;   // per level of the dataset (ClipDataset::levelNames()): first
                                         // frame in that level's frames_l<k>.bin, -1 = absent
    int subjectId = 0;             // index into ClipDataset::subjects()
};

struct ClipInfo
{
    int segment = 0;               // index into ClipDataset::segments()
    int64_t start = 0;             // frame within the segment
    double hrBpm = 0;
};

struct ClipCacheFolder
{
    std::string dir;
    int version = 0;
    int cropSize = 0;              // S
    int maskSize = 0;              // S/2
    int clipFrames = 0;            // T
    int strideFrames = 0;
    int64_t frames = 0;
    std::vector<std::string> levelNames;   // [0] = original
    std::vector<int64_t> levelFrames;
    std::vector<int> datasetLevels;        // this cache's level k is the dataset's level datasetLevels[k]
    std::string sources;           // index.txt "sources", when present
};

struct Augmentation
{
    bool flip = true;              // horizontal flip with probability 1/2 (frames and mask)
    double brightness = 0.08;      // ± shift in [0, 1] pixel units, uniform
    double contrast = 0.15;        // × (1 ± contrast) around the clip mean, uniform
};

struct ClipSample
{
    torch::Tensor frames;          // 3 × T × S × S in [-1, 1]
    torch::Tensor mask;            // T × S/2 × S/2, 0/1
    torch::Tensor ppg;             // T
    double hrBpm = 0;
    double fps = 0;
};

// A clip at several levels with the same window and augmentation (STVEN's aligned pairs).
struct ClipRequest
{
    int64_t clip = 0;
    int64_t frameOffset = 0;       // first frame inside the clip when frames < the cache's T
    int frames = 0;                // 0 = the cache's T
    int size = 0;                  // 0 = the cache's S
    bool flip = false;
    double brightness = 0;         // additive, [0, 1] units
    double contrast = 1;           // multiplicative around the clip mean
};

class ClipDataset
{
public:
    // Opens and checks every folder (index.txt keys, CSV rows, file sizes, clip windows inside
    // their segments). nullopt with a one-line reason naming the folder otherwise.
    static std::optional<ClipDataset> open(const std::vector<std::string> &dirs, std::string *error = nullptr);

    int64_t size() const { return int64_t(m_clips.size()); }
    int clipFrames() const { return m_clipFrames; }   // the smallest T over the caches
    int cropSize() const { return m_cropSize; }       // the first cache's S
    // The compression levels of all caches together, matched by name (x264@250k is one level
    // whichever cache holds it, at whatever index): [0] = the original, then each new name in the
    // order the caches list them. Clip reads, levelsOf() and STVEN's labels use these indices.
    const std::vector<std::string> &levelNames() const { return m_levelNames; }
    int levelCount() const { return int(m_levelNames.size()); }
    // The index of a compressed level's name; -1 when no cache has it (0, the original, is never
    // looked up by name).
    int compressedLevelIndex(const std::string &name) const;
    const std::vector<ClipCacheFolder> &caches() const { return m_caches; }
    const std::vector<ClipCacheSegmentInfo> &segments() const { return m_segments; }
    const std::vector<ClipInfo> &clips() const { return m_clips; }
    const std::vector<std::string> &subjects() const { return m_subjects; }   // "dataset/subject"
    int subjectOf(int64_t clip) const { return m_segments[size_t(m_clips[size_t(clip)].segment)].subjectId; }
    double fpsOf(int64_t clip) const { return m_segments[size_t(m_clips[size_t(clip)].segment)].fps; }
    // Levels present for this clip (always includes 0 when the writer kept the original).
    std::vector<int> levelsOf(int64_t clip) const;

    // A text for checkpoint metadata: folders, clips, subjects, levels, sources.
    std::string describe() const;

    // Reads one clip at one level. Throws std::runtime_error (one line) on a read failure or a
    // level the clip does not have.
    ClipSample read(const ClipRequest &request, int level) const;

    // A random request for training: random sub-window when `frames` < T, random flip and jitter.
    ClipRequest randomRequest(int64_t clip, int frames, int size, const Augmentation &aug, std::mt19937_64 &rng) const;
    // The plain request for validation: the first `frames` of the clip, no augmentation.
    ClipRequest plainRequest(int64_t clip, int frames, int size) const;

private:
    std::vector<ClipCacheFolder> m_caches;
    std::vector<ClipCacheSegmentInfo> m_segments;
    std::vector<ClipInfo> m_clips;
    std::vector<std::string> m_subjects;
    int m_clipFrames = 0;
    int m_cropSize = 0;
    std::vector<std::string> m_levelNames;
};

// Subject-disjoint split: subjects are shuffled with `seed` and whole subjects go to validation
// until about `valFraction` of the clips are there (at least one subject when there are two or
// more and valFraction > 0; none when there is only one subject).
struct DatasetSplit
{
    std::vector<int64_t> train;
    std::vector<int64_t> validation;
    std::vector<std::string> validationSubjects;
};
DatasetSplit splitBySubject(const ClipDataset &data, double valFraction, uint64_t seed);

// Heart rate in bpm from the spectral peak of a pulse signal sampled at fsHz, searched in
// [minBpm, maxBpm] (linear detrend, Hann window, power on a 0.1 bpm grid by a direct DFT).
// NaN for an empty or flat signal.
double spectralPeakBpm(const std::vector<float> &signal, double fsHz, double minBpm = 40.0, double maxBpm = 180.0);

// Validation HR the way inference and the benchmark score a video, rather than per 2-second clip
// (whose spectrum is too coarse for a heart rate: with 64 frames the Hann main lobe spans about
// ±56 bpm). The predicted clips of each segment are standardised, Hann-weighted and overlap-added
// into one signal; the reference is assembled from the clips' own PPG. Over each run of frames the
// clips cover, windows of `windowSec` every `hopSec` are scored: |HR(prediction) − HR(reference)|.
struct PredictedClip
{
    int segment = 0;
    int64_t start = 0;           // first frame within the segment
    double fps = 0;
    std::vector<float> prediction, reference;   // the same length
};
struct WindowedHrScore
{
    double maeBpm = 0;           // NaN when no window fits
    int64_t windows = 0;
};
WindowedHrScore windowedHrMae(const std::vector<PredictedClip> &clips, double windowSec = 10.0, double hopSec = 1.0);

} // namespace rppg::models
