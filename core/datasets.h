#pragma once

// Training-data readers: find the recordings of a dataset folder in one of the layouts users have
// and hand them to the clip-cache writer (`rppg prepare`) as paths plus a pulse reference that is
// read on demand, so a scan holds no signals or frames whatever the size of the dataset.
//
// Layouts (auto-detected, or forced with layout=...):
//  - synthetic   `rppg synth` / `rppg synth-set` output: `<stem>.synth.json` links the variants
//                of one clip (the same frames at several codecs/bit rates: the lossless one is
//                level 0), `<stem>.gt.csv` (per-frame PPG and HR) and `<stem>.mask.mkv` (skin
//                masks). Videos with a `.gt.csv` but no description are single-level recordings.
//  - ubfc2       UBFC-rPPG DATASET_2: `<subject>/vid.avi` + `ground_truth.txt` (line 1 PPG,
//                line 2 HR, line 3 time in seconds; without usable times the PPG spans the video).
//  - ubfc1       UBFC-rPPG DATASET_1: `<subject>/vid.avi` + `gtdump.xmp` (rows: time ms, HR, -, PPG).
//  - pure        PURE: `NN-NN.json` (/FullPackage[].Value.waveform with Timestamp in ns, /Image
//                frame times) next to a folder `NN-NN/` of PNG frames named by their timestamp —
//                both the original layout (ROOT/NN-NN.json + ROOT/NN-NN/) and the toolbox one
//                (ROOT/NN-NN/NN-NN.json + ROOT/NN-NN/NN-NN/). Subject = NN before the dash.
//  - folder      a user's own recordings: any video with a same-stem CSV (`time,ppg`, or any layout
//                readPpgCsv() understands) next to it. Subject = the first sub-folder when videos
//                sit in per-person folders, else the file stem's part before the first '_'.
// A dataset argument is `PATH[,layout=auto|synthetic|ubfc2|ubfc1|pure|folder][,roi=face|full]`
// `[,subject=auto|file|prefix|folder]` (subject: how to name the person of a recording).
//
// Thread-safe (pure functions over the file system). Units: seconds, bpm.

#include "framesource.h"
#include "groundtruth.h"
#include "result.h"
#include "skinroi.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace rppg {

enum class DatasetLayout {
    Auto,
    Synthetic,
    Ubfc2,
    Ubfc1,
    Pure,
    Folder,
};
QString datasetLayoutName(DatasetLayout layout);   // "synthetic", "ubfc2", "ubfc1", "pure", "folder"

// One compression level of a recording.
struct RecordingLevel
{
    QString name;              // "ffv1", "x264@250k", "avi", "png" (the level-0 entry is the original)
    QString path;              // video file, or folder of images
    bool imageSequence = false;
};

struct TrainingRecording
{
    QString id;                // unique within its dataset: "subject3", "01-02", "clip_0007"
    QString subject;           // the person: splits keep all recordings of a subject on one side
    QString dataset;           // the dataset folder's name
    DatasetLayout layout = DatasetLayout::Auto;
    RoiMode roi = RoiMode::Face;
    std::vector<RecordingLevel> levels;   // [0] = best quality (lossless or the dataset's own)
    QString maskVideoPath;     // per-frame skin masks (synthetic), empty when none
    QString referencePath;     // the ground-truth file
};

// A recording's pulse reference on the video's clock (t = 0 at the first frame).
struct PulseReference
{
    std::vector<double> timeSec;   // strictly increasing
    std::vector<double> ppg;       // the waveform (PPG/BVP; any scale)
    std::vector<double> hrBpm;     // the device's HR at timeSec, or empty
    // No usable time axis (UBFC2 without line 3): the samples cover the video evenly, and
    // timeSec holds the sample index until the caller stretches it with stretchToDuration().
    bool spansVideo = false;
    QString description;

    void stretchToDuration(double durationSec);
};

struct TrainingDatasetScan
{
    QString spec;
    QString root;
    DatasetLayout layout = DatasetLayout::Auto;
    std::vector<TrainingRecording> recordings;
    QStringList problems;      // recordings reported and skipped
};

// Errors: FileNotFound (no such folder), Usage (bad spec), BadData (no usable recording).
// `defaultRoi` applies unless the spec has roi=.
Result<TrainingDatasetScan> scanTrainingDataset(const QString &spec, RoiMode defaultRoi = RoiMode::Face);

// Reads and checks a recording's reference. Errors: FileNotFound, BadData (malformed file, with
// the file name and line).
Result<PulseReference> loadPulseReference(const TrainingRecording &recording);

// Spreads a reference without a time axis (spansVideo) over the video's duration (from `video`,
// or from the recording's level-0 video, opened for it); true when the pulse has a time axis
// afterwards.
bool stretchOverVideo(PulseReference &pulse, const VideoInfo &video);
bool stretchOverVideo(PulseReference &pulse, const TrainingRecording &recording);

// A recording's reference as a heart-rate reference for scoring (the waveform, the device's HR
// when it has one, and the whole-recording HR from the waveform), spread over the video when it
// has no time axis. Errors: those of loadPulseReference(); BadData when it cannot be placed in
// time or holds no clear pulse.
Result<HrReference> loadRecordingHrReference(const TrainingRecording &recording);

// The reference file that belongs to a video, found beside it: its synthetic ground truth
// (<stem>.gt.csv), else UBFC-rPPG 2's ground_truth.txt or UBFC-rPPG 1's gtdump.xmp in its folder
// (which holds one subject: any re-encoded copy there shares it). Empty when there is none.
QString findVideoReference(const QString &videoPath);

// A small JSON file's top-level object (a dataset's metadata, a synthetic clip's description).
// Errors: FileNotFound, BadData (too large, not JSON, not an object).
Result<QJsonObject> readJsonObject(const QString &path);

// Reads a reference for one video: UBFC-rPPG's files by their names, anything else as
// loadHrReference() does. A reference without a time axis (UBFC-rPPG 2 with two lines) is spread
// over the video's duration, which needs `videoPath`. Errors: FileNotFound, BadData.
Result<HrReference> loadVideoReference(const QString &referencePath, const QString &videoPath);

// Opens one level as a frame source (video file or image sequence).
Result<std::unique_ptr<FrameSource>> openRecordingLevel(const TrainingRecording &recording, int level);

} // namespace rppg
