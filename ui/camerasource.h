#pragma once

// Feeds a camera into the LiveAnalyzer through Qt Multimedia: QCamera → QMediaCaptureSession →
// QVideoSink. Each delivered QVideoFrame is converted to BGR on a pool thread and submitted with
// the newest-wins policy; while a conversion runs, newer frames replace the waiting one and the
// replaced ones are counted as dropped. The same bridge takes frames from any QVideoSink (a
// QMediaPlayer playing a file behaves like a camera), which is how the live path is exercised
// on machines without a camera.
//
// Thread affinity: GUI thread; conversions run on the global thread pool.
// Units: pixels, frames per second, microseconds (frame timestamps).

#include <QCameraDevice>
#include <QCameraFormat>
#include <QObject>

#include <memory>

class QCamera;
class QMediaCaptureSession;
class QMediaDevices;
class QVideoFrame;
class QVideoSink;

namespace rppg {

class LiveAnalyzer;

class CameraSource : public QObject
{
    Q_OBJECT
public:
    explicit CameraSource(LiveAnalyzer *analyzer, QObject *parent = nullptr);
    ~CameraSource() override;   // stops the camera and waits for a conversion in flight

    // The cameras Qt Multimedia sees now (empty on machines without one).
    static QList<QCameraDevice> cameras();
    // Formats of `device` that the analysis can use (sorted by size, then frame rate).
    static QList<QCameraFormat> usableFormats(const QCameraDevice &device);

    // Starts `device` with `format` (a null format = the camera's default), frames into `session`.
    // Returns false with `error` set when it cannot start; later problems (the camera
    // disappears, a driver error) arrive as errorOccurred.
    bool start(const QCameraDevice &device, const QCameraFormat &format, uint64_t session,
               QString *error);
    // Feeds frames that another producer delivers into `sink` (tests, file playback through Qt
    // Multimedia). The sink is not owned.
    void attachSink(QVideoSink *sink, uint64_t session);
    void stop();
    bool isActive() const;
    QString description() const;   // camera name for the status bar

    void setSession(uint64_t session);
    uint64_t droppedFrames() const;   // replaced before conversion (the analyzer counts its own)
    uint64_t framesDelivered() const;

Q_SIGNALS:
    void errorOccurred(const QString &message);

private:
    struct Shared;
    void onFrame(const QVideoFrame &frame);
    void onDevicesChanged();

    LiveAnalyzer *m_analyzer;
    std::shared_ptr<Shared> m_shared;
    QMediaCaptureSession *m_capture = nullptr;
    QCamera *m_camera = nullptr;
    QVideoSink *m_sink = nullptr;          // owned, for the camera
    QVideoSink *m_externalSink = nullptr;  // not owned
    QMediaDevices *m_devices = nullptr;
    QByteArray m_deviceId;
    QString m_description;
};

} // namespace rppg
