#pragma once

// What ui/settings.h promises about its getters, whatever the settings file holds; checked by the
// fuzz_settings target and by tests/tst_settings.cpp (which also replays the fuzzer's findings).
// Returns an empty string when every promise holds, or the first one broken.

#include "settings.h"

#include <QString>
#include <QStringList>

#include <cmath>
#include <string>

namespace rppg::fuzz {

inline std::string checkSettingsGetters(const Settings &s)
{
    const QStringList recent = s.recentFiles();
    if (recent.size() > Settings::kMaxRecentFiles)
        return "recentFiles: more than kMaxRecentFiles entries";
    for (qsizetype i = 0; i < recent.size(); ++i) {
        if (recent[i].trimmed().isEmpty())
            return "recentFiles: an empty entry";
        if (recent[i].size() > Settings::kMaxPathChars)
            return "recentFiles: an entry longer than kMaxPathChars";
        if (recent.indexOf(recent[i]) != i)
            return "recentFiles: a duplicate entry";
    }
    if (s.lastDirectory().size() > Settings::kMaxPathChars)
        return "lastDirectory: longer than kMaxPathChars";
    if (s.windowGeometry().size() > Settings::kMaxLayoutBytes || s.windowState().size() > Settings::kMaxLayoutBytes)
        return "window geometry/state: larger than kMaxLayoutBytes";
    if (!Settings::isMethodKeyShape(s.method()))
        return "method: not a registry key's shape";
    const QStringList compare = s.compareMethods();
    if (compare.size() > Settings::kMaxCompareMethods)
        return "compareMethods: more than kMaxCompareMethods entries";
    for (qsizetype i = 0; i < compare.size(); ++i) {
        if (!Settings::isMethodKeyShape(compare[i]))
            return "compareMethods: an entry not a registry key's shape";
        if (compare.indexOf(compare[i]) != i)
            return "compareMethods: a duplicate entry";
    }
    const double window = s.windowSec();
    if (!std::isfinite(window) || window < Settings::kMinWindowSec || window > Settings::kMaxWindowSec)
        return "windowSec: outside [4, 60] or not finite";
    const double low = s.bandLowHz(), high = s.bandHighHz();
    if (!std::isfinite(low) || low < Settings::kMinBandLowHz || low > Settings::kMaxBandLowHz)
        return "bandLowHz: outside its range or not finite";
    if (!std::isfinite(high) || high < Settings::kMinBandHighHz || high > Settings::kMaxBandHighHz)
        return "bandHighHz: outside its range or not finite";
    if (!(high - low >= Settings::kMinBandGapHz))
        return "band: high - low below kMinBandGapHz";
    if (!Settings::isValidDevice(s.device()))
        return "device: not auto, cpu, cuda or cuda:N";
    const PlaybackMode mode = s.playbackMode();
    if (mode != PlaybackMode::RealTime && mode != PlaybackMode::AsFastAsPossible)
        return "playbackMode: not an enumerator";
    const Theme theme = s.theme();
    if (theme != Theme::System && theme != Theme::Light && theme != Theme::Dark)
        return "theme: not an enumerator";
    (void)s.overlayVisible();
    (void)s.witnessChecks();
    (void)s.witnessClassical();
    const int opacity = s.overlayOpacityPercent();
    if (opacity < 0 || opacity > 100)
        return "overlayOpacityPercent: outside [0, 100]";
    if (s.language().size() > 16)
        return "language: longer than 16 characters";
    if (s.cameraId().size() > 1024)
        return "cameraId: longer than 1024 characters";
    const QSize size = s.cameraResolution();
    if (size.width() < Settings::kMinCameraWidth || size.width() > Settings::kMaxCameraWidth
        || size.height() < Settings::kMinCameraHeight || size.height() > Settings::kMaxCameraHeight)
        return "cameraResolution: outside 16..7680 x 16..4320";
    const double fps = s.cameraFps();
    if (!std::isfinite(fps) || !(fps > 1.0) || fps > Settings::kMaxCameraFps)
        return "cameraFps: outside (1, 240] or not finite";
    return {};
}

// Reads the file at `path` through Settings and checks every getter. With `writeBack`, then sets
// every preference to a known good value over whatever the file held, saves, and checks that a
// fresh Settings on the same file reads those values back (when the file could be written).
inline std::string checkSettingsFile(const QString &path, bool writeBack)
{
    {
        const Settings s(path);
        const std::string failure = checkSettingsGetters(s);
        if (!failure.empty())
            return failure;
        if (!s.setAsideFile().isEmpty()) {
            // Moved aside unread: every value is the default.
            if (!s.recentFiles().isEmpty() || s.method() != Settings::defaultMethod() || s.windowSec() != Settings::kDefaultWindowSec
                || s.bandLowHz() != Settings::kDefaultBandLowHz || s.cameraResolution() != Settings::defaultCameraResolution()
                || s.cameraFps() != Settings::kDefaultCameraFps || !s.windowState().isEmpty())
                return "set aside, but values were read";
        }
        if (!writeBack)
            return {};
    }
    {
        Settings s(path);
        s.addRecentFile(QStringLiteral("/videos/b.mp4"));
        s.addRecentFile(QStringLiteral("/videos/a.mp4"));
        s.setLastDirectory(QStringLiteral("/videos"));
        s.setWindowGeometry(QByteArray("geometry\0bytes", 14));
        s.setWindowState(QByteArray("state"));
        s.setMethod(QStringLiteral("chrom"));
        s.setCompareMethods({QStringLiteral("pos"), QStringLiteral("rppgnet")});
        s.setWindowSec(12);
        s.setBandLowHz(0.8);
        s.setBandHighHz(3.5);
        s.setDevice(QStringLiteral("cuda:1"));
        s.setWitnessChecks(false);
        s.setWitnessClassical(true);
        s.setPlaybackMode(PlaybackMode::AsFastAsPossible);
        s.setOverlayVisible(false);
        s.setOverlayOpacityPercent(70);
        s.setTheme(Theme::Dark);
        s.setLanguage(QStringLiteral("zh_CN"));
        s.setCameraId(QStringLiteral("/dev/video2"));
        s.setCameraResolution(QSize(1280, 720));
        s.setCameraFps(59.94);
        s.sync();
        if (s.status() != QSettings::NoError)
            return checkSettingsGetters(Settings(path));   // not written: only the promises
    }
    const Settings s(path);
    const std::string failure = checkSettingsGetters(s);
    if (!failure.empty())
        return "after writing: " + failure;
    if (!s.setAsideFile().isEmpty())
        return "a file Settings wrote itself was set aside as unsafe";
    const QStringList recent = s.recentFiles();
    if (recent.size() < 2 || recent[0] != QLatin1String("/videos/a.mp4") || recent[1] != QLatin1String("/videos/b.mp4"))
        return "round trip: recentFiles";
    if (s.lastDirectory() != QLatin1String("/videos"))
        return "round trip: lastDirectory";
    if (s.windowGeometry() != QByteArray("geometry\0bytes", 14) || s.windowState() != QByteArray("state"))
        return "round trip: window geometry/state";
    if (s.compareMethods() != QStringList{QStringLiteral("pos"), QStringLiteral("rppgnet")})
        return "round trip: compareMethods";
    if (s.method() != QLatin1String("chrom") || s.windowSec() != 12 || s.bandLowHz() != 0.8 || s.bandHighHz() != 3.5
        || s.device() != QLatin1String("cuda:1") || s.witnessChecks() || !s.witnessClassical())
        return "round trip: analysis settings";
    if (s.playbackMode() != PlaybackMode::AsFastAsPossible || s.overlayVisible() || s.overlayOpacityPercent() != 70
        || s.theme() != Theme::Dark || s.language() != QLatin1String("zh_CN"))
        return "round trip: view settings";
    if (s.cameraId() != QLatin1String("/dev/video2") || s.cameraResolution() != QSize(1280, 720) || s.cameraFps() != 59.94)
        return "round trip: camera settings";
    return {};
}

} // namespace rppg::fuzz
