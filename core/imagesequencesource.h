#pragma once

// A FrameSource over a folder of still images (PNG, also JPEG/BMP), one image per frame: the
// layout of PURE and other datasets that store lossless frames. Images are read one at a time,
// so memory does not depend on the length of the sequence.
//
// Frame times: explicit timestamps when given (e.g. from a dataset's JSON), else the number in
// each file name ("Image1392643993642815000.png" → nanoseconds; the unit is the one of ns, µs,
// ms that gives a plausible frame rate), else frame index / default rate. Files are ordered by
// that number, not lexically ("frame_10" after "frame_9").
//
// Thread affinity: one thread at a time. Units: timestamps in microseconds from the first frame.

#include "framesource.h"

#include <QStringList>

#include <vector>

namespace rppg {

struct ImageSequenceOptions
{
    double defaultFps = 30.0;             // when neither names nor timestamps give times
    std::vector<int64_t> timestampsUs;    // optional: one per image (in name order), any origin
};

class ImageSequenceSource final : public FrameSource
{
public:
    ImageSequenceSource() = default;

    // Lists the images of `folder`. Errors: FileNotFound (no folder), NoFrames (no images),
    // Usage (timestamps given for a different number of images).
    Error open(const QString &folder, const ImageSequenceOptions &options = {});

    const VideoInfo &info() const override { return m_info; }
    // Reads the next image. An unreadable image gives Error (lastError() names the file).
    ReadStatus read(VideoFrame &frame) override;
    Error lastError() const override { return m_error; }

    // The images in frame order and their times (µs from the first frame).
    const QStringList &files() const { return m_files; }
    const std::vector<int64_t> &timesUs() const { return m_timesUs; }

    // Image files of a folder in frame order (numeric order of the number in the name when every
    // name has one), with the numbers when present. Exposed for dataset scanning.
    static QStringList listImages(const QString &folder, std::vector<int64_t> *numbers = nullptr);

private:
    VideoInfo m_info;
    QStringList m_files;
    std::vector<int64_t> m_timesUs;
    int m_next = 0;
    Error m_error;
};

} // namespace rppg
