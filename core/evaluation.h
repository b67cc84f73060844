#pragma once

// Evaluation of pulse methods over a dataset: every video of a dataset with a reference heart
// rate is analysed with a list of methods and scored with the standard metrics (MAE, RMSE, MAPE,
// Pearson r), the mean SNR and the share of windows with an estimate.
//
// Dataset layouts:
//  - synthetic: videos with a `<stem>.gt.csv` next to them (made by `rppg synth`);
//  - the training layouts of datasets.h — UBFC-rPPG 2 and 1, PURE (PNG frame folders), a folder
//    of videos with a same-stem PPG CSV each ("folder+ppg") — read by scanTrainingDataset(), so
//    evaluation and `rppg prepare` see the same recordings and references (auto-detected when
//    there is no `.gt.csv` and no csv=, or forced with layout=ubfc2|ubfc1|pure|folder);
//  - a folder of videos with a CSV of reference heart rates, one row per video or subject
//    (first column a name, another column the HR in bpm). Names match a video's file name, its
//    stem, or the stem's part before the first '_' (bias-eval-rppg: "video1" ↔ video1_forehead.avi);
//    a CSV named "<Folder>_*.csv" applies to the videos of <Folder> only. CSVs are looked for in
//    the folder and its Ground_Truth/ subfolder, or given with csv=FILE.
// A dataset argument is `PATH[,csv=FILE][,layout=auto|synthetic|ubfc2|ubfc1|pure|folder|hr-table]`
// `[,roi=face|full|x,y,w,h]` (hr-table: the CSV-of-heart-rates layout, never the training ones).
//
// Thread affinity: runEvaluation() blocks; progress is called on the calling thread.

#include "analysisconfig.h"
#include "groundtruth.h"
#include "offlineanalyzer.h"
#include "signalanalyzer.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <vector>

namespace rppg {

struct EvalItem
{
    QString videoPath;
    QString name;          // shown in tables: "India/video1_forehead"
    QString subject;       // items of one subject are one person ("India/video1")
    HrReference reference;
    QString referenceSource;
    RoiMode roi = RoiMode::Face;
    cv::Rect roiRect;
};

struct DatasetScan
{
    QString spec;
    QString root;
    QString layout;        // "synthetic", "folder+csv", "ubfc2", "ubfc1", "pure", "folder+ppg"
    std::vector<EvalItem> items;
    QStringList problems;  // items reported and skipped (missing or malformed reference)
};

// Errors: FileNotFound (no such folder), Usage (bad spec), BadData (no usable item at all).
Result<DatasetScan> scanDataset(const QString &spec);

struct ItemOutcome
{
    QString method;
    double hrBpm = kNaN;
    double referenceHrBpm = kNaN;
    double snrDb = kNaN;
    double windowCoverage = 0;   // share of windows with an estimate
    double windowMaeBpm = kNaN;  // against the time-resolved reference, when there is one
    double typicalHrBpm = kNaN;           // the median of the ok windows (SignalResult::windowsMedianHrBpm)
    double referenceTypicalHrBpm = kNaN;  // the median of the reference over those same windows
    int estimatedWindows = 0;             // windows with an estimate
    int okWindows = 0;                    // of those, rated ok
    // At least half of the windows with an estimate ok: the recording's figures can be trusted
    // (the opposite of fewWindowsOk(), which makes `rppg analyze` warn).
    bool trusted() const { return WindowCounts{estimatedWindows, okWindows}.trusted(); }
};

struct ItemResult
{
    EvalItem item;
    QString error;                     // non-empty: the item failed (reported, not scored)
    std::vector<ItemOutcome> outcomes; // per method
};

struct MethodMetrics
{
    QString method;
    int items = 0;               // items scored
    int withHr = 0;              // items with an estimate (MAE etc. are over these)
    double maeBpm = kNaN;
    double rmseBpm = kNaN;
    double mapePercent = kNaN;
    double pearsonR = kNaN;
    double meanSnrDb = kNaN;
    double windowCoverage = kNaN;
    double windowMaeBpm = kNaN;  // mean over items with a time-resolved reference
    double typicalMaeBpm = kNaN; // mean |typical - reference typical| over items with both
    // The quality gate's worth on this data: the items it trusts (ItemOutcome::trusted()) and
    // the whole-recording MAE over them and over the others (NaN when none has an estimate).
    int trusted = 0;
    double trustedMaeBpm = kNaN;
    double untrustedMaeBpm = kNaN;
};

struct EvaluationResult
{
    std::vector<DatasetScan> datasets;
    QStringList methods;
    std::vector<ItemResult> items;
    std::vector<MethodMetrics> metrics;   // per method, over every scored item
    double totalSec = 0;
    QStringList problems;                 // skipped items, failed analyses
};

// `analysis` gives window, band, thresholds (its method and ROI are per run / per dataset).
// Errors: Usage (unknown method), BadData (nothing to evaluate), Cancelled.
Result<EvaluationResult> runEvaluation(const std::vector<DatasetScan> &datasets, const QStringList &methods,
                                       const AnalysisConfig &analysis,
                                       const std::function<void(int done, int total, const QString &item)> &progress = {},
                                       const std::atomic<bool> *cancel = nullptr);

// Metrics of (estimate, reference) pairs; pairs without an estimate are counted in `items` but
// left out of the error metrics (`withHr` says how many remain).
MethodMetrics computeMetrics(const std::vector<double> &estimates, const std::vector<double> &references);

// The reference HR of each window that has an estimate, as the estimator sees it
// (HrReference::windowHr over the same span and band); NaN for windows without an estimate.
std::vector<double> referencePerWindow(const HrReference &reference, const std::vector<WindowEstimate> &windows,
                                       double bandLowHz, double bandHighHz);

// Mean |estimate - reference| over the windows where both exist (`references` parallel to
// `windows`); NaN when there is no such window. `pairs` receives their number.
double windowMaeBpm(const std::vector<WindowEstimate> &windows, const std::vector<double> &references,
                    int *pairs = nullptr);

// The share of windows with an estimate (0 when there are none).
double windowCoverage(const std::vector<WindowEstimate> &windows);

// One analysis scored against a reference, window by window (what `rppg analyze` prints and the
// analysis CSV holds beside the estimates).
struct ReferenceScore
{
    QString source;                  // the reference file
    double recordingHrBpm = kNaN;    // over the whole recording, processed like the estimate
    std::vector<double> perWindow;   // parallel to the windows (referencePerWindow())
    double windowMaeBpm = kNaN;
    int windowPairs = 0;             // windows with an estimate and a reference
};
ReferenceScore scoreAgainstReference(const HrReference &reference, const QString &source, const SignalResult &signal,
                                     const AnalysisConfig &config);

} // namespace rppg
