#include "imagesequencesource.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace rppg {

namespace {

const QStringList kImagePatterns = {QStringLiteral("*.png"), QStringLiteral("*.PNG"), QStringLiteral("*.jpg"),
                                    QStringLiteral("*.jpeg"), QStringLiteral("*.bmp")};

// The last run of digits in a file's base name, or -1.
int64_t nameNumber(const QString &fileName)
{
    static const QRegularExpression re(QStringLiteral("(\\d+)(?!.*\\d)"));
    const QString base = QFileInfo(fileName).completeBaseName();
    const auto m = re.match(base);
    if (!m.hasMatch() || m.captured(1).size() > 19)   // ns since 1970 have 19 digits; toLongLong catches overflow
        return -1;
    bool ok = false;
    const qlonglong v = m.captured(1).toLongLong(&ok);
    return ok ? int64_t(v) : -1;
}

// Microseconds per unit of the name numbers: the unit (ns, µs, ms) under which the median step
// between frames is a frame rate between 1 and 1000 Hz; 0 when the numbers look like indices.
double microsecondsPerUnit(const std::vector<int64_t> &numbers)
{
    if (numbers.size() < 2)
        return 0;
    std::vector<int64_t> steps;
    steps.reserve(numbers.size() - 1);
    for (size_t i = 1; i < numbers.size(); ++i)
        steps.push_back(numbers[i] - numbers[i - 1]);
    std::nth_element(steps.begin(), steps.begin() + steps.size() / 2, steps.end());
    const double step = double(steps[steps.size() / 2]);
    if (step <= 1)
        return 0;   // consecutive indices (frame_0001.png ...)
    for (const double usPerUnit : {1e-3, 1.0, 1e3}) {
        const double hz = 1e6 / (step * usPerUnit);
        if (hz >= 1 && hz <= 1000)
            return usPerUnit;
    }
    return 0;
}

} // namespace

QStringList ImageSequenceSource::listImages(const QString &folder, std::vector<int64_t> *numbers)
{
    QStringList names = QDir(folder).entryList(kImagePatterns, QDir::Files, QDir::Name);
    names.removeDuplicates();
    std::vector<int64_t> nums;
    nums.reserve(names.size());
    bool allNumbered = !names.isEmpty();
    for (const QString &n : names) {
        nums.push_back(nameNumber(n));
        allNumbered = allNumbered && nums.back() >= 0;
    }
    std::vector<int> order(names.size());
    std::iota(order.begin(), order.end(), 0);
    if (allNumbered)
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return nums[a] < nums[b]; });
    QStringList out;
    std::vector<int64_t> sortedNums;
    for (int i : order) {
        out << QDir(folder).filePath(names[i]);
        sortedNums.push_back(allNumbered ? nums[i] : -1);
    }
    if (numbers)
        *numbers = allNumbered ? sortedNums : std::vector<int64_t>{};
    return out;
}

Error ImageSequenceSource::open(const QString &folder, const ImageSequenceOptions &options)
{
    m_info = {};
    m_files.clear();
    m_timesUs.clear();
    m_next = 0;
    m_error = {};
    if (!QFileInfo(folder).isDir())
        return m_error = makeError(ErrorCode::FileNotFound, QStringLiteral("image folder '%1' does not exist").arg(folder));
    std::vector<int64_t> numbers;
    m_files = listImages(folder, &numbers);
    if (m_files.isEmpty())
        return m_error = makeError(ErrorCode::NoFrames, QStringLiteral("no images in '%1'").arg(folder));
    const double fps = options.defaultFps > 0 ? options.defaultFps : 30.0;
    m_timesUs.resize(m_files.size());
    if (!options.timestampsUs.empty()) {
        if (options.timestampsUs.size() != size_t(m_files.size()))
            return m_error = makeError(ErrorCode::Usage, QStringLiteral("%1 timestamps for %2 images in '%3'")
                                                             .arg(options.timestampsUs.size())
                                                             .arg(m_files.size())
                                                             .arg(folder));
        for (size_t i = 0; i < m_timesUs.size(); ++i)
            m_timesUs[i] = options.timestampsUs[i] - options.timestampsUs[0];
    } else if (const double unit = microsecondsPerUnit(numbers); unit > 0) {
        for (size_t i = 0; i < m_timesUs.size(); ++i)
            m_timesUs[i] = int64_t(std::llround(double(numbers[i] - numbers[0]) * unit));
    } else {
        for (size_t i = 0; i < m_timesUs.size(); ++i)
            m_timesUs[i] = int64_t(std::llround(double(i) * 1e6 / fps));
    }
    for (size_t i = 1; i < m_timesUs.size(); ++i) {
        if (m_timesUs[i] <= m_timesUs[i - 1])   // keep pts strictly increasing, as decoders do
            m_timesUs[i] = m_timesUs[i - 1] + 1;
    }

    const cv::Mat first = cv::imread(m_files.first().toStdString(), cv::IMREAD_COLOR);
    if (first.empty())
        return m_error = makeError(ErrorCode::NotAVideo, QStringLiteral("cannot read image '%1'").arg(m_files.first()));
    m_info.path = folder;
    m_info.containerName = QStringLiteral("image sequence");
    m_info.codecName = QFileInfo(m_files.first()).suffix().toLower();
    m_info.pixelFormat = QStringLiteral("bgr24");
    m_info.width = first.cols;
    m_info.height = first.rows;
    m_info.frameCountEstimate = m_files.size();
    const double spanSec = (m_timesUs.back() - m_timesUs.front()) / 1e6;
    m_info.nominalFps = m_files.size() > 1 && spanSec > 0 ? (m_files.size() - 1) / spanSec : fps;
    m_info.durationSec = m_files.size() / m_info.nominalFps;
    return {};
}

ReadStatus ImageSequenceSource::read(VideoFrame &frame)
{
    if (m_next >= m_files.size())
        return ReadStatus::EndOfStream;
    const QString &path = m_files[m_next];
    cv::Mat bgr = cv::imread(path.toStdString(), cv::IMREAD_COLOR);
    if (bgr.empty()) {
        m_error = makeError(ErrorCode::CorruptVideo, QStringLiteral("cannot read image '%1'").arg(path));
        return ReadStatus::Error;
    }
    frame.bgr = bgr;
    frame.ptsUs = m_timesUs[m_next];
    frame.index = m_next;
    ++m_next;
    return ReadStatus::Frame;
}

} // namespace rppg
