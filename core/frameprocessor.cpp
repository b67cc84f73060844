#include "frameprocessor.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace rppg {

struct FrameProcessor::Impl
{
    AnalysisConfig config;
    PulseMethod *method = nullptr;
    FaceTracker tracker;
    SkinRoi roi;
    cv::Mat mask;
    bool wantsCrops = false;

    Impl(const AnalysisConfig &c, PulseMethod *m)
        : config(c)
        , method(m)
        , tracker(c.tracker)
        , roi(c.roi)
        , wantsCrops(m && m->input() == MethodInput::FaceVideo)
    {}

    // Square crop around the face box with a margin (the networks were trained on such crops),
    // clipped to the frame; for whole-frame modes the ROI itself.
    cv::Rect cropRect(const cv::Mat &bgr, const FrameRecord &rec, const SkinSample &skin) const
    {
        cv::Rect r;
        if (config.roi.mode == RoiMode::Face) {
            const cv::Rect2f b = rec.faceBox;
            const float side = std::max(b.width, b.height) * 1.2f;
            const float cx = b.x + b.width / 2, cy = b.y + b.height / 2;
            r = cv::Rect(cvRound(cx - side / 2), cvRound(cy - side / 2), cvRound(side), cvRound(side));
        } else {
            r = skin.bounds;
        }
        return r & cv::Rect(0, 0, bgr.cols, bgr.rows);
    }

    void pushCrop(const VideoFrame &frame, const FrameRecord &rec, const SkinSample &skin)
    {
        FaceCrop crop;
        crop.ptsUs = frame.ptsUs;
        const cv::Size size = method->cropSize();
        const cv::Rect r = skin.valid ? cropRect(frame.bgr, rec, skin) : cv::Rect();
        if (r.area() > 0 && size.area() > 0) {
            cv::resize(frame.bgr(r), crop.bgr, size, 0, 0, cv::INTER_AREA);
            if (!mask.empty()) {
                // Place the ROI mask (which covers skin.bounds) into the crop's coordinates.
                cv::Mat full(r.size(), CV_8UC1, cv::Scalar(0));
                const cv::Rect inter = skin.bounds & r;
                if (inter.area() > 0) {
                    mask(cv::Rect(inter.tl() - skin.bounds.tl(), inter.size()))
                        .copyTo(full(cv::Rect(inter.tl() - r.tl(), inter.size())));
                }
                cv::resize(full, crop.skinMask, size, 0, 0, cv::INTER_NEAREST);
            }
        }
        method->push(crop);
    }
};

FrameProcessor::FrameProcessor(const AnalysisConfig &config, PulseMethod *method)
    : d(std::make_unique<Impl>(config, method))
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
        d->pushCrop(frame, rec, skin);
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
    if (d->method)
        d->method->reset();
}

} // namespace rppg
