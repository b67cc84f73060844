#pragma once

// The codec study: what video compression does to the pulse. A source video is re-encoded with
// several codecs at several bit rates (FFmpeg's libraries, in a working folder), every variant is
// decoded and compared with the source frame by frame (PSNR and SSIM of the luma plane), and
// analysed with a list of pulse methods; each variant's heart-rate error is measured against a
// reference: the one beside the source (found automatically: its synthetic ground truth, or a
// UBFC-rPPG subject's ground-truth file), a given file, or the source's own estimate.
//
// Thread affinity: runCodecStudy() blocks its caller and runs the encoders and the variant
// analyses on worker threads; progress is reported from the calling thread and from workers
// (the callback must be thread-safe). Units: bit rates in bits per second, times in seconds.

#include "analysisconfig.h"
#include "groundtruth.h"
#include "signalanalyzer.h"
#include "videoencoder.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <vector>

namespace rppg {

struct CodecSetting
{
    QString codec;            // "x264", "x265", "mpeg4", ...
    int64_t bitrateBps = 0;   // target bit rate, or
    int crf = -1;             // a constant rate factor / quantiser when bitrateBps == 0
    QString label() const;    // "x264 500k", "x265 crf 28"
};

// x264, x265 and MPEG-4 Part 2 at 250k, 500k and 1000k.
std::vector<CodecSetting> defaultCodecSettings();

struct CodecStudyConfig
{
    QString sourcePath;
    std::vector<CodecSetting> settings = defaultCodecSettings();
    QStringList methods;            // empty = every registered method
    AnalysisConfig analysis;        // region, window, band... (its `method` is ignored)
    QString referencePath;          // CSV with time_s,hr_bpm or a PPG; empty = automatic
    QString workDir;                // where the variants go; empty = a temporary folder
    bool keepVariants = false;      // keep the encoded files (only with workDir)
    QString x264Preset = QStringLiteral("medium");
    QString x265Preset = QStringLiteral("fast");   // "medium" is ~3x slower here for the same study
    int contactFrame = -1;          // frame index for side-by-side pictures; -1 = the middle
    int workers = 0;                // parallel variant analyses; 0 = one per CPU
};

enum class ReferenceKind {
    GroundTruth,     // beside the source: <stem>.gt.csv (rppg synth) or UBFC-rPPG's file (findVideoReference)
    Csv,             // CodecStudyConfig::referencePath
    SourceEstimate,  // the same method on the uncompressed source
};
QString referenceKindName(ReferenceKind kind);

struct MethodOutcome
{
    QString method;
    SignalResult signal;
    double referenceHrBpm = kNaN;   // whole recording
    double hrErrorBpm = kNaN;       // signal.hrBpm − referenceHrBpm
    double windowMaeBpm = kNaN;     // mean |window HR − window reference|
    double windowCoverage = 0;      // share of windows with an estimate

    // The windows with an estimate, and those rated ok: under half ok, none of the variant's
    // figures for this method is to be trusted (fewWindowsOk(), the CLI's warning).
    WindowCounts counts() const;
};

struct VariantResult
{
    CodecSetting setting;          // empty codec for the source itself
    QString path;
    EncodeStats encode;
    std::vector<double> psnrDb;    // per frame, luma, against the source
    std::vector<double> ssim;      // per frame, luma
    double meanPsnrDb = kNaN;
    double meanSsim = kNaN;
    std::vector<FrameRecord> frames;
    std::vector<MethodOutcome> methods;   // in CodecStudyConfig::methods order
    cv::Mat contactFrame;                 // BGR, the chosen frame as decoded from this variant
    cv::Rect2f contactFace;               // face box in that frame (empty without a face)

    bool isSource() const { return setting.codec.isEmpty(); }
    const MethodOutcome *outcome(const QString &method) const;
};

struct CodecStudyResult
{
    VideoInfo source;
    cv::Rect sourceCrop;            // the part of the source that was encoded (even size)
    ReferenceKind referenceKind = ReferenceKind::SourceEstimate;
    QString referencePath;
    HrReference reference;          // for GroundTruth and Csv
    QStringList methods;
    AnalysisConfig analysis;        // the settings every variant was analysed with
    VariantResult original;         // the source analysed like the variants
    std::vector<VariantResult> variants;
    int contactFrame = 0;
    double encodeSec = 0;           // wall time of the encoding pass (decode of the source included)
    double decodeSec = 0;           // summed over workers: decoding variants and source
    double qualitySec = 0;          // summed over workers: PSNR and SSIM
    double analysisSec = 0;         // summed over workers: tracking, skin, methods, HR
    double totalSec = 0;            // wall time of the whole study
    QStringList warnings;
};

using StudyProgressFn = std::function<void(const QString &stage, double fraction)>;

// Errors: FileNotFound / NotAVideo / CorruptVideo (source), Usage (bad settings, unknown method),
// Unsupported (no requested codec in this FFmpeg build), WriteFailed (working folder, full disk),
// NoFace, BadData (reference CSV), Cancelled (every file made so far is removed).
Result<CodecStudyResult> runCodecStudy(const CodecStudyConfig &config,
                                       const StudyProgressFn &progress = {},
                                       const std::atomic<bool> *cancel = nullptr);

// Luma PSNR (dB; 99 for identical frames) and SSIM of two BGR frames of equal size. SSIM follows
// Wang et al. 2004 with their reference implementation's automatic scale: the luma is first
// averaged down by round(min(height, width) / 256) (2 for 480p), then compared with an 11×11
// Gaussian window, σ = 1.5.
struct LumaQuality
{
    double psnrDb = 0;
    double ssim = 0;
};
LumaQuality lumaQuality(const cv::Mat &a, const cv::Mat &b);
double lumaPsnrDb(const cv::Mat &a, const cv::Mat &b);
double lumaSsim(const cv::Mat &a, const cv::Mat &b);

} // namespace rppg
