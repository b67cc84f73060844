#include "settings.h"

#include <QFileInfo>

#include <algorithm>

namespace rppg {

namespace {
const QString kRecent = QStringLiteral("files/recent");
const QString kLastDir = QStringLiteral("files/lastDirectory");
const QString kGeometry = QStringLiteral("window/geometry");
const QString kState = QStringLiteral("window/state");
const QString kMethod = QStringLiteral("analysis/method");
const QString kWindow = QStringLiteral("analysis/windowSec");
const QString kBandLow = QStringLiteral("analysis/bandLowHz");
const QString kBandHigh = QStringLiteral("analysis/bandHighHz");
const QString kDevice = QStringLiteral("analysis/device");
const QString kPlayback = QStringLiteral("playback/mode");
const QString kOverlay = QStringLiteral("view/overlayVisible");
const QString kOpacity = QStringLiteral("view/overlayOpacityPercent");
const QString kTheme = QStringLiteral("view/theme");
const QString kCameraId = QStringLiteral("camera/id");
const QString kCameraSize = QStringLiteral("camera/resolution");
const QString kCameraFps = QStringLiteral("camera/fps");
} // namespace

Settings::Settings() = default;

QStringList Settings::recentFiles() const
{
    return m_s.value(kRecent).toStringList();
}

void Settings::addRecentFile(const QString &path)
{
    const QString abs = QFileInfo(path).absoluteFilePath();
    QStringList list = recentFiles();
    list.removeAll(abs);
    list.prepend(abs);
    while (list.size() > kMaxRecentFiles)
        list.removeLast();
    m_s.setValue(kRecent, list);
}

void Settings::clearRecentFiles() { m_s.remove(kRecent); }
QString Settings::lastDirectory() const { return m_s.value(kLastDir).toString(); }
void Settings::setLastDirectory(const QString &dir) { m_s.setValue(kLastDir, dir); }

QByteArray Settings::windowGeometry() const { return m_s.value(kGeometry).toByteArray(); }
void Settings::setWindowGeometry(const QByteArray &g) { m_s.setValue(kGeometry, g); }
QByteArray Settings::windowState() const { return m_s.value(kState).toByteArray(); }
void Settings::setWindowState(const QByteArray &s) { m_s.setValue(kState, s); }

QString Settings::method() const { return m_s.value(kMethod, QStringLiteral("pos")).toString(); }
void Settings::setMethod(const QString &m) { m_s.setValue(kMethod, m); }
double Settings::windowSec() const { return std::clamp(m_s.value(kWindow, 10.0).toDouble(), 4.0, 60.0); }
void Settings::setWindowSec(double s) { m_s.setValue(kWindow, s); }
double Settings::bandLowHz() const { return std::clamp(m_s.value(kBandLow, 0.7).toDouble(), 0.3, 3.0); }
void Settings::setBandLowHz(double hz) { m_s.setValue(kBandLow, hz); }
double Settings::bandHighHz() const { return std::clamp(m_s.value(kBandHigh, 4.0).toDouble(), 1.0, 8.0); }
void Settings::setBandHighHz(double hz) { m_s.setValue(kBandHigh, hz); }
QString Settings::device() const { return m_s.value(kDevice, QStringLiteral("auto")).toString(); }
void Settings::setDevice(const QString &d) { m_s.setValue(kDevice, d); }

PlaybackMode Settings::playbackMode() const
{
    return m_s.value(kPlayback).toString() == QLatin1String("fast") ? PlaybackMode::AsFastAsPossible
                                                                     : PlaybackMode::RealTime;
}

void Settings::setPlaybackMode(PlaybackMode mode)
{
    m_s.setValue(kPlayback, mode == PlaybackMode::AsFastAsPossible ? QStringLiteral("fast")
                                                                    : QStringLiteral("realtime"));
}

bool Settings::overlayVisible() const { return m_s.value(kOverlay, true).toBool(); }
void Settings::setOverlayVisible(bool v) { m_s.setValue(kOverlay, v); }
int Settings::overlayOpacityPercent() const { return std::clamp(m_s.value(kOpacity, 45).toInt(), 0, 100); }
void Settings::setOverlayOpacityPercent(int p) { m_s.setValue(kOpacity, p); }

Theme Settings::theme() const
{
    const QString t = m_s.value(kTheme).toString();
    if (t == QLatin1String("light"))
        return Theme::Light;
    if (t == QLatin1String("dark"))
        return Theme::Dark;
    return Theme::System;
}

void Settings::setTheme(Theme theme)
{
    m_s.setValue(kTheme, theme == Theme::Light  ? QStringLiteral("light")
                         : theme == Theme::Dark ? QStringLiteral("dark")
                                                : QStringLiteral("system"));
}

QString Settings::cameraId() const { return m_s.value(kCameraId).toString(); }
void Settings::setCameraId(const QString &id) { m_s.setValue(kCameraId, id); }
QSize Settings::cameraResolution() const { return m_s.value(kCameraSize, QSize(640, 480)).toSize(); }
void Settings::setCameraResolution(const QSize &s) { m_s.setValue(kCameraSize, s); }
double Settings::cameraFps() const { return m_s.value(kCameraFps, 30.0).toDouble(); }
void Settings::setCameraFps(double fps) { m_s.setValue(kCameraFps, fps); }

} // namespace rppg
