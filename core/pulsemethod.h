#pragma once

// A pulse extraction method and the registry that names them. Classical methods (GREEN, CHROM,
// POS, PBV, LGI, ICA, PCA) work on a uniformly resampled mean-RGB trace; neural methods (registered by models/)
// consume face crops frame by frame and give one pulse value per frame.
//
// Thread affinity: a PulseMethod instance belongs to the processing thread that created it.
// The registry is filled at start-up (before worker threads exist) and read-only afterwards.

#include "result.h"

#include <opencv2/core.hpp>

#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <vector>

namespace rppg {

enum class MethodInput {
    RgbTrace,    // needs the spatially averaged skin colour per sample
    FaceVideo,   // needs the face crop of every frame
};

// One face crop handed to a FaceVideo method.
struct FaceCrop
{
    int64_t ptsUs = 0;
    cv::Mat bgr;       // CV_8UC3 face crop resized to PulseMethod::cropSize(); empty = no face
    cv::Mat skinMask;  // CV_8UC1, same size as bgr (255 = skin), may be empty
};

// One per-frame output of a FaceVideo method.
struct PulseSample
{
    int64_t ptsUs = 0;
    double value = 0;
};

// Optional per-frame pictures a method can show (neural methods): the enhanced frame, the skin
// map and the attention map, all for the crop of the frame at `ptsUs`.
struct MethodVisuals
{
    int64_t ptsUs = -1;
    cv::Mat enhancedBgr;  // CV_8UC3, crop size
    cv::Mat skinMap;      // CV_32FC1, 0..1
    cv::Mat attention;    // CV_32FC1, 0..1 (normalised for display)
};

struct MethodOptions
{
    QString device = QStringLiteral("auto");  // "auto", "cpu", "cuda", "cuda:N" (neural methods)
    QString modelPath;                        // empty = the shipped weights
    int threads = 0;                          // 0 = library default
};

class PulseMethod
{
public:
    virtual ~PulseMethod() = default;
    virtual QString name() const = 0;
    virtual MethodInput input() const = 0;

    // ---- RgbTrace methods --------------------------------------------------------------------
    // `rgb` holds mean R, G, B (0..255) sampled uniformly at fsHz; returns a pulse of equal length.
    virtual std::vector<double> extract(const std::vector<cv::Vec3d> &rgb, double fsHz) const
    {
        return {};
    }

    // ---- FaceVideo methods -------------------------------------------------------------------
    virtual cv::Size cropSize() const { return {}; }
    virtual void push(const FaceCrop &crop) {}
    // Appends the per-frame pulse values that are final now (a method may lag by one clip).
    virtual void drain(std::vector<PulseSample> &out) {}
    // End of input: appends every remaining value.
    virtual void finish(std::vector<PulseSample> &out) {}
    virtual bool latestVisuals(MethodVisuals &out) const { return false; }
    virtual void reset() {}

    // "CPU", "CUDA:0", ... for the status bar and logs.
    virtual QString deviceName() const { return QStringLiteral("CPU"); }
    // Model description for logs/CSV headers (empty for classical methods).
    virtual QString modelDescription() const { return {}; }
};

using MethodFactory = std::function<Result<std::unique_ptr<PulseMethod>>(const MethodOptions &)>;

struct MethodInfo
{
    QString name;          // registry key, lower case: "pos", "chrom", "green", "rppgnet", ...
    QString title;         // display name: "POS"
    QString description;   // one line
    MethodInput input = MethodInput::RgbTrace;
    MethodFactory create;
};

class MethodRegistry
{
public:
    // The process-wide registry; classical methods are registered on first use.
    static MethodRegistry &instance();

    void add(const MethodInfo &info);    // replaces an entry with the same name
    QStringList names() const;           // in registration order
    const MethodInfo *find(const QString &name) const;
    // Errors: Usage (unknown name, with the list of known ones), or the factory's own error.
    Result<std::unique_ptr<PulseMethod>> create(const QString &name,
                                                const MethodOptions &options = {}) const;

private:
    MethodRegistry();
    std::vector<MethodInfo> m_methods;
};

// Classical extractors, exposed for tests and benchmarks.
using PulseExtractor = std::vector<double> (*)(const std::vector<cv::Vec3d> &rgb, double fsHz);
// The extractor of a classical method by its registry name ("pos", "green", ...); null if none.
PulseExtractor classicalExtractor(const QString &name);
std::vector<double> pulseGreen(const std::vector<cv::Vec3d> &rgb, double fsHz);
std::vector<double> pulseChrom(const std::vector<cv::Vec3d> &rgb, double fsHz);
std::vector<double> pulsePos(const std::vector<cv::Vec3d> &rgb, double fsHz);
std::vector<double> pulsePbv(const std::vector<cv::Vec3d> &rgb, double fsHz);
std::vector<double> pulseLgi(const std::vector<cv::Vec3d> &rgb, double fsHz);
std::vector<double> pulseIca(const std::vector<cv::Vec3d> &rgb, double fsHz);
std::vector<double> pulsePca(const std::vector<cv::Vec3d> &rgb, double fsHz);

} // namespace rppg
