#include "frameprocessor.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace rppg {

struct FrameProcessor::Impl
{
    AnalysisConfig config;
    std::vector<PulseMethod *> videoMethods;   // the face-video methods among those given
    FaceTracker tracker;
    SkinRoi roi;
    cv::Mat mask;
    bool wantsCrops = false;

    Impl(const AnalysisConfig &c, const std::vector<PulseMethod *> &methods)
        : config(c)
        , tracker(c.tracker)
        , roi(c.roi)
    {
        for (PulseMethod *m : methods)
            if (m && m->input() == MethodInput::FaceVideo)
                videoMethods.push_back(m);
        wantsCrops = !videoMethods.empty();
    }

    // Square crop around the face box with a margin (the networks were trained on such crops),
    // clipped to the frame; for whole-frame modes the ROI itself.
    cv::Rect cropRect(const cv::Mat &bgr, const FrameRecord &rec, const SkinSample &skin) const
    {
        if (config.roi.mode == RoiMode::Face)
            return faceCropRect(rec.faceBox, bgr.size());
        return skin.bounds & cv::Rect(0, 0, bgr.cols, bgr.rows);
    }

    void pushCrops(const VideoFrame &frame, const FrameRecord &rec, const SkinSample &skin)
    {
        const cv::Rect r = skin.valid ? cropRect(frame.bgr, rec, skin) : cv::Rect();
        cv::Mat fullMask;
        if (r.area() > 0 && !mask.empty()) {
            // Place the ROI mask (which covers skin.bounds) into the crop's coordinates.
            fullMask = cv::Mat(r.size(), CV_8UC1, cv::Scalar(0));
            const cv::Rect inter = skin.bounds & r;
            if (inter.area() > 0) {
                mask(cv::Rect(inter.tl() - skin.bounds.tl(), inter.size()))
                    .copyTo(fullMask(cv::Rect(inter.tl() - r.tl(), inter.size())));
            }
        }
        for (PulseMethod *method : videoMethods) {
            FaceCrop crop;
            crop.ptsUs = frame.ptsUs;
            const cv::Size size = method->cropSize();
            if (r.area() > 0 && size.area() > 0) {
                cv::resize(frame.bgr(r), crop.bgr, size, 0, 0, cv::INTER_AREA);
                if (!fullMask.empty())
                    cv::resize(fullMask, crop.skinMask, size, 0, 0, cv::INTER_NEAREST);
            }
            method->push(crop);
        }
    }
};

cv::Rect faceCropRect(const cv::Rect2f &b, const cv::Size &frameSize)
{
    if (!(b.width > 0 && b.height > 0))
        return {};
    const float side = std::max(b.width, b.height) * 1.2f;
    const float cx = b.x + b.width / 2, cy = b.y + b.height / 2;
    const cv::Rect r(cvRound(cx - side / 2), cvRound(cy - side / 2), cvRound(side), cvRound(side));
    return r & cv::Rect(0, 0, frameSize.width, frameSize.height);
}

FrameProcessor::FrameProcessor(const AnalysisConfig &config, PulseMethod *method)
    : d(std::make_unique<Impl>(config, std::vector<PulseMethod *>{method}))
{}

FrameProcessor::FrameProcessor(const AnalysisConfig &config, const std::vector<PulseMethod *> &methods)
    : d(std::make_unique<Impl>(config, methods))
{}

FrameProcessor::~FrameProcessor() = default;

Error FrameProcessor::init()
{
    if (d->config.roi.mode == RoiMode::Face)
        return d->tracker.init();
    return {};
}

FrameRecord FrameProcessor::process(const VideoFrame &frame, FrameOverlay *overlay)
{
    FrameRecord rec;
    rec.index = frame.index;
    rec.timeSec = frame.ptsUs / 1e6;
    FaceObservation face;
    if (d->config.roi.mode == RoiMode::Face) {
        face = d->tracker.process(frame.bgr, rec.timeSec);
        rec.faceState = face.state;
        rec.faceBox = face.box;
    }
    const bool needMask = overlay || d->wantsCrops;
    SkinSample skin;
    if (d->config.roi.mode != RoiMode::Face || face.found())
        skin = d->roi.measure(frame.bgr, face, needMask ? &d->mask : nullptr);
    else
        d->mask.release();
    if (d->config.roi.mode != RoiMode::Face && skin.valid) {
        // Whole-frame and rectangle modes: the region is the "face" for display and CSV.
        rec.faceState = FaceState::Tracked;
        rec.faceBox = cv::Rect2f(skin.bounds);
    }
    rec.skinValid = skin.valid;
    rec.skinPixels = skin.pixelCount;
    if (skin.valid)
        rec.rgb = skin.meanRgb;
    if (d->wantsCrops)
        d->pushCrops(frame, rec, skin);
    if (overlay) {
        overlay->face = face;
        overlay->skinBounds = skin.bounds;
        overlay->skinMask = skin.valid ? d->mask.clone() : cv::Mat();
    }
    return rec;
}

void FrameProcessor::reset()
{
    d->tracker.reset();
    for (PulseMethod *m : d->videoMethods)
        m->reset();
}

} // namespace rppg
