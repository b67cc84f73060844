#pragma once

// The clip cache: what training reads instead of videos (`rppg prepare` writes it, models/'s
// ClipCache reads it with plain C++ file IO, so a machine with only libtorch can train).
//
// For every recording the writer tracks the face on the level-0 (best quality) video, crops the
// square box around it (1.2 × the face box, clipped to the frame: the crop FrameProcessor hands
// the networks at inference) and resizes it to S × S; computes a binary skin mask at S/2 × S/2
// (from the synthetic mask video when there is one, else a Gaussian skin-colour model over
// (Y/2, Cr, Cb) fitted per frame to the landmark skin regions, in the spirit of the Bob skin filter
// the paper used; full-frame recordings (roi=full) are all skin); and resamples the band-passed,
// z-scored PPG to the frame times. Runs of consecutive frames with a face and a reference of at
// least T frames become segments; clips are T-frame windows every `stride` frames inside them.
// Every other compression level of the recording is then cropped with the SAME boxes, frame for
// frame, so level k and level 0 of a clip are aligned pairs (STVEN's training data).
// Frames are streamed: memory depends on the longest recording's frame count (a box per frame),
// not on the size of the dataset.
//
// Format version 1 (a folder; all binary values little-endian, no headers, no padding):
//   index.txt      key=value lines: format=rppg-clip-cache, version, crop_size (S), mask_size
//                  (S/2), clip_frames (T), stride_frames, channels=rgb, frames (stored frames),
//                  segments, clips, recordings, subjects, levels, level.<k>.name,
//                  level.<k>.frames, created_utc, software, sources. Written last.
//   segments.csv   segment,dataset,recording,subject,fps,frames,first_frame,start_s,offset,levels
//                  `offset`: index of the segment's first frame in masks.bin / ppg.bin;
//                  `levels`: "k:offset;k:offset" — index of its first frame in frames_l<k>.bin.
//   clips.csv      clip,segment,start,hr_bpm — start = frame within the segment; hr_bpm = the
//                  reference HR over the clip (the device's HR track when there is one, else
//                  the spectral peak of the reference over at least 8 s around the clip); always
//                  a finite number (windows without a reference HR are not clips).
//   frames_l<k>.bin  uint8 S × S × 3 per frame (rows, then columns, then R, G, B).
//   masks.bin      uint8 (S/2) × (S/2) per frame, 1 = skin, 0 = not.
//   ppg.bin        float32 per frame: the reference pulse at the frame time (band-passed
//                  0.5–5 Hz, zero mean, unit variance per recording; rises with blood volume).
// Names in the CSV files never contain ',' or newlines (replaced by '_').
// The folder is written under a temporary name and renamed when complete.
//
// Thread affinity: writeClipCache() blocks; progress is called on the calling thread.

#include "datasets.h"
#include "offlineanalyzer.h"   // ProgressFn

#include <QString>
#include <QStringList>

#include <atomic>
#include <vector>

namespace rppg {

constexpr int kClipCacheVersion = 1;

struct ClipCacheConfig
{
    QString outDir;
    int cropSizePx = 128;        // S; skin masks are S/2
    int clipFrames = 64;         // T
    int strideFrames = 32;       // between clip starts inside a segment
    bool overwrite = false;      // replace an existing cache at outDir
    double skinThreshold = 0.3;  // colour-model likelihood above which a pixel is skin
    int threads = 0;             // recordings prepared at once; 0 = one per core (at most 8). The
                                 // cache is the same for every value.
};

struct ClipCacheSummary
{
    QString outDir;
    int recordings = 0;          // recordings that gave at least one clip
    int subjects = 0;
    int segments = 0;
    int64_t clips = 0;
    int64_t frames = 0;          // stored frames (level 0)
    QStringList levelNames;      // index = level; [0] = "original"
    std::vector<int64_t> levelFrames;
    QStringList problems;        // recordings skipped, levels dropped: one line each
    int64_t bytes = 0;
    double seconds = 0;
};

// Errors: Usage (bad sizes), WriteFailed (cannot create the folder, or it exists without
// `overwrite`), BadData (no recording gave a clip; `problems` says why), Cancelled.
Result<ClipCacheSummary> writeClipCache(const std::vector<TrainingDatasetScan> &datasets,
                                        const ClipCacheConfig &config, const ProgressFn &progress = {},
                                        const std::atomic<bool> *cancel = nullptr);

// ---- reading (tests, tools; the trainer has its own reader in models/) ------------------------

struct ClipCacheSegment
{
    QString dataset, recording, subject;
    double fps = 0;
    int64_t frames = 0;
    int64_t firstFrame = 0;      // frame index in the recording's video
    double startSec = 0;
    int64_t offset = 0;          // first frame in masks.bin / ppg.bin
    std::vector<int64_t> levelOffsets;   // per level: first frame in frames_l<k>.bin, -1 = absent
};

struct ClipCacheClip
{
    int segment = 0;
    int64_t start = 0;           // frame within the segment
    double hrBpm = 0;
};

struct ClipCacheIndex
{
    QString dir;
    int version = 0;
    int cropSizePx = 0;
    int maskSizePx = 0;
    int clipFrames = 0;
    int strideFrames = 0;
    int64_t frames = 0;
    QStringList levelNames;
    std::vector<int64_t> levelFrames;
    std::vector<ClipCacheSegment> segments;
    std::vector<ClipCacheClip> clips;
    QStringList subjects;
};

// Reads and checks the index and the file sizes. Errors: FileNotFound, BadData.
Result<ClipCacheIndex> readClipCacheIndex(const QString &dir);

struct ClipData
{
    std::vector<uint8_t> rgb;    // T × S × S × 3
    std::vector<uint8_t> mask;   // T × S/2 × S/2
    std::vector<float> ppg;      // T
};

// One clip at one level. Errors: Usage (no such clip/level), FileNotFound, BadData (short read).
Result<ClipData> readClipCacheClip(const ClipCacheIndex &index, int64_t clip, int level);

} // namespace rppg
