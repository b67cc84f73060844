#include "camerasource.h"

#include "liveanalyzer.h"

#include <QCamera>
#include <QElapsedTimer>
#include <QImage>
#include <QMediaCaptureSession>
#include <QMediaDevices>
#include <QThreadPool>
#include <QVideoFrame>
#include <QVideoSink>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>

namespace rppg {

// The newest-wins slot between the sink's thread and the converting pool task.
struct CameraSource::Shared
{
    std::mutex mutex;
    std::condition_variable idle;
    std::optional<QVideoFrame> waiting;
    bool converting = false;
    bool stopped = false;
    uint64_t session = 0;
    LiveAnalyzer *analyzer = nullptr;
    QElapsedTimer clock;
    int64_t lastPtsUs = -1;
    int64_t index = 0;
    std::atomic<uint64_t> dropped{0};
    std::atomic<uint64_t> delivered{0};

    // Converts and submits frames until the slot is empty. Runs on a pool thread.
    void drain()
    {
        for (;;) {
            QVideoFrame vf;
            uint64_t sessionNow;
            {
                std::lock_guard<std::mutex> lock(mutex);
                if (!waiting || stopped) {
                    converting = false;
                    idle.notify_all();
                    return;
                }
                vf = std::move(*waiting);
                waiting.reset();
                sessionNow = session;
            }
            QImage img = vf.toImage().convertToFormat(QImage::Format_RGB888);
            if (img.isNull())
                continue;
            cv::Mat rgb(img.height(), img.width(), CV_8UC3, img.bits(), size_t(img.bytesPerLine()));
            VideoFrame f;
            cv::cvtColor(rgb, f.bgr, cv::COLOR_RGB2BGR);
            // Camera timestamps are not always set or monotonic: use our own clock, which the
            // analysis needs increasing.
            int64_t pts = clock.nsecsElapsed() / 1000;
            if (pts <= lastPtsUs)
                pts = lastPtsUs + 1;
            lastPtsUs = pts;
            f.ptsUs = pts;
            f.index = index++;
            delivered++;
            analyzer->submit(std::move(f), InputPolicy::NewestWins, sessionNow);
        }
    }
};

CameraSource::CameraSource(LiveAnalyzer *analyzer, QObject *parent)
    : QObject(parent)
    , m_analyzer(analyzer)
    , m_shared(std::make_shared<Shared>())
{
    m_shared->analyzer = analyzer;
    m_devices = new QMediaDevices(this);
    connect(m_devices, &QMediaDevices::videoInputsChanged, this, &CameraSource::onDevicesChanged);
}

CameraSource::~CameraSource()
{
    stop();
}

QList<QCameraDevice> CameraSource::cameras()
{
    return QMediaDevices::videoInputs();
}

QList<QCameraFormat> CameraSource::usableFormats(const QCameraDevice &device)
{
    QList<QCameraFormat> out;
    for (const QCameraFormat &f : device.videoFormats())
        if (f.resolution().width() >= 160 && f.maxFrameRate() >= 5)
            out << f;
    std::sort(out.begin(), out.end(), [](const QCameraFormat &a, const QCameraFormat &b) {
        const int pa = a.resolution().width() * a.resolution().height();
        const int pb = b.resolution().width() * b.resolution().height();
        return pa != pb ? pa < pb : a.maxFrameRate() < b.maxFrameRate();
    });
    return out;
}

bool CameraSource::start(const QCameraDevice &device, const QCameraFormat &format, uint64_t session,
                         QString *error)
{
    stop();
    if (device.isNull()) {
        *error = tr("No camera was found. Connect a camera, or open a video file instead.");
        return false;
    }
    {
        std::lock_guard<std::mutex> lock(m_shared->mutex);
        m_shared->stopped = false;
        m_shared->session = session;
        m_shared->clock.start();
        m_shared->lastPtsUs = -1;
    }
    m_camera = new QCamera(device, this);
    if (!format.isNull())
        m_camera->setCameraFormat(format);
    m_capture = new QMediaCaptureSession(this);
    m_sink = new QVideoSink(this);
    m_capture->setCamera(m_camera);
    m_capture->setVideoSink(m_sink);
    connect(m_sink, &QVideoSink::videoFrameChanged, this, &CameraSource::onFrame, Qt::DirectConnection);
    connect(m_camera, &QCamera::errorOccurred, this, [this](QCamera::Error e, const QString &text) {
        if (e != QCamera::NoError)
            Q_EMIT errorOccurred(tr("The camera stopped: %1").arg(text));
    });
    m_deviceId = device.id();
    m_description = device.description();
    m_camera->start();
    if (m_camera->error() != QCamera::NoError) {
        *error = tr("The camera could not be started: %1").arg(m_camera->errorString());
        stop();
        return false;
    }
    return true;
}

void CameraSource::attachSink(QVideoSink *sink, uint64_t session)
{
    stop();
    {
        std::lock_guard<std::mutex> lock(m_shared->mutex);
        m_shared->stopped = false;
        m_shared->session = session;
        m_shared->clock.start();
        m_shared->lastPtsUs = -1;
    }
    m_externalSink = sink;
    m_description = tr("video sink");
    connect(sink, &QVideoSink::videoFrameChanged, this, &CameraSource::onFrame, Qt::DirectConnection);
}

void CameraSource::stop()
{
    if (m_externalSink) {
        disconnect(m_externalSink, nullptr, this, nullptr);
        m_externalSink = nullptr;
    }
    if (m_camera) {
        disconnect(m_camera, nullptr, this, nullptr);
        disconnect(m_sink, nullptr, this, nullptr);
        m_camera->stop();
        m_capture->setVideoSink(nullptr);
        m_capture->setCamera(nullptr);
        delete m_capture;
        delete m_camera;
        delete m_sink;
        m_capture = nullptr;
        m_camera = nullptr;
        m_sink = nullptr;
    }
    // A conversion in flight finishes its frame (milliseconds) and sees the stop flag.
    std::unique_lock<std::mutex> lock(m_shared->mutex);
    m_shared->stopped = true;
    m_shared->waiting.reset();
    m_shared->idle.wait(lock, [this] { return !m_shared->converting; });
    m_deviceId.clear();
}

bool CameraSource::isActive() const
{
    return m_camera != nullptr || m_externalSink != nullptr;
}

QString CameraSource::description() const { return m_description; }

void CameraSource::setSession(uint64_t session)
{
    std::lock_guard<std::mutex> lock(m_shared->mutex);
    m_shared->session = session;
}

uint64_t CameraSource::droppedFrames() const { return m_shared->dropped; }
uint64_t CameraSource::framesDelivered() const { return m_shared->delivered; }

void CameraSource::onFrame(const QVideoFrame &frame)
{
    if (!frame.isValid())
        return;
    bool startTask = false;
    {
        std::lock_guard<std::mutex> lock(m_shared->mutex);
        if (m_shared->stopped)
            return;
        if (m_shared->waiting)
            m_shared->dropped++;
        m_shared->waiting = frame;
        if (!m_shared->converting) {
            m_shared->converting = true;
            startTask = true;
        }
    }
    if (startTask) {
        auto shared = m_shared;
        QThreadPool::globalInstance()->start([shared] { shared->drain(); });
    }
}

void CameraSource::onDevicesChanged()
{
    if (!m_camera || m_deviceId.isEmpty())
        return;
    const auto inputs = QMediaDevices::videoInputs();
    const bool present = std::any_of(inputs.begin(), inputs.end(),
                                     [this](const QCameraDevice &d) { return d.id() == m_deviceId; });
    if (!present) {
        const QString name = m_description;
        stop();
        Q_EMIT errorOccurred(tr("The camera \"%1\" was disconnected.").arg(name));
    }
}

} // namespace rppg
