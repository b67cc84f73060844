#pragma once

// The one typed facade over QSettings: every persisted preference of the application goes through
// here, with its key, type and default in one place.
//
// Thread affinity: GUI thread (QSettings itself is reentrant; one instance per use is fine).
// Units: seconds, Hz, percent, pixels, frames per second.

#include <QByteArray>
#include <QSettings>
#include <QSize>
#include <QString>
#include <QStringList>

namespace rppg {

enum class PlaybackMode {
    RealTime,          // frames at the video's own pace; stale frames dropped when analysis lags
    AsFastAsPossible,  // every frame analysed, as fast as the worker goes
};

enum class Theme { System, Light, Dark };

class Settings
{
public:
    Settings();

    static constexpr int kMaxRecentFiles = 8;

    QStringList recentFiles() const;
    void addRecentFile(const QString &path);    // most recent first, no duplicates
    void clearRecentFiles();
    QString lastDirectory() const;
    void setLastDirectory(const QString &dir);

    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray &geometry);
    QByteArray windowState() const;
    void setWindowState(const QByteArray &state);

    QString method() const;                     // registry key
    void setMethod(const QString &method);
    double windowSec() const;
    void setWindowSec(double sec);
    double bandLowHz() const;
    void setBandLowHz(double hz);
    double bandHighHz() const;
    void setBandHighHz(double hz);
    QString device() const;                     // "auto", "cpu", "cuda"
    void setDevice(const QString &device);

    PlaybackMode playbackMode() const;
    void setPlaybackMode(PlaybackMode mode);
    bool overlayVisible() const;
    void setOverlayVisible(bool visible);
    int overlayOpacityPercent() const;
    void setOverlayOpacityPercent(int percent);
    Theme theme() const;
    void setTheme(Theme theme);

    QString cameraId() const;                   // QCameraDevice::id() as text
    void setCameraId(const QString &id);
    QSize cameraResolution() const;
    void setCameraResolution(const QSize &size);
    double cameraFps() const;
    void setCameraFps(double fps);

private:
    mutable QSettings m_s;
};

} // namespace rppg
