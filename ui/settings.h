#pragma once

// The one typed facade over QSettings: every persisted preference of the application goes through
// here, with its key, type and default in one place.
//
// Thread affinity: GUI thread (QSettings itself is reentrant; one instance per use is fine).
// Units: seconds, Hz, percent, pixels, frames per second.
//
// The file is untrusted (edited by hand, written by another version, damaged): every getter returns
// a valid value whatever the file holds. A value of the wrong type, not finite or not one of the
// allowed words gives the default; a finite number outside its range is clamped where the range is
// a slider's (window, band edges, opacity) and gives the default otherwise (camera size and rate).
// A file that cannot be read (missing, a folder, no permission) gives every default.

#include <QByteArray>
#include <QSettings>
#include <QSize>
#include <QString>
#include <QStringList>

#include <memory>

namespace rppg {

enum class PlaybackMode {
    RealTime,          // frames at the video's own pace; stale frames dropped when analysis lags
    AsFastAsPossible,  // every frame analysed, as fast as the worker goes
};

enum class Theme { System, Light, Dark };

class Settings
{
public:
    Settings();                                 // the application's own settings (QSettings())
    explicit Settings(const QString &iniPath);  // an INI file at this path (tests, the fuzzer)
    ~Settings();

    static constexpr int kMaxRecentFiles = 8;
    static constexpr int kMaxCompareMethods = 8;
    static constexpr int kMaxPathChars = 4096;          // longer recent/last-directory entries are dropped
    static constexpr int kMaxLayoutBytes = 1 << 20;     // longer geometry/state blobs are ignored

    static constexpr double kDefaultWindowSec = 10.0, kMinWindowSec = 4.0, kMaxWindowSec = 60.0;
    static constexpr double kDefaultBandLowHz = 0.7, kMinBandLowHz = 0.3, kMaxBandLowHz = 3.0;
    static constexpr double kDefaultBandHighHz = 4.0, kMinBandHighHz = 1.0, kMaxBandHighHz = 8.0;
    static constexpr double kMinBandGapHz = 0.3;        // high - low; a narrower band gives the defaults
    static constexpr int kDefaultOverlayOpacityPercent = 45;
    static constexpr int kMinCameraWidth = 16, kMaxCameraWidth = 7680;
    static constexpr int kMinCameraHeight = 16, kMaxCameraHeight = 4320;
    static constexpr double kDefaultCameraFps = 30.0, kMaxCameraFps = 240.0;   // valid: (1, 240]
    static QSize defaultCameraResolution() { return QSize(640, 480); }
    static QString defaultMethod() { return QStringLiteral("pos"); }

    // Whether `method` has the shape of a registry key (1 to 64 of a-z 0-9 _ - + .); whether it is
    // registered is for the caller to check (the main window falls back to "pos").
    static bool isMethodKeyShape(const QString &method);
    // "auto", "cpu", "cuda" or "cuda:N" (N a device index 0..99).
    static bool isValidDevice(const QString &device);

    // Writes pending changes now (they are written at destruction otherwise); status() then says
    // whether reading and writing the file worked.
    void sync() { m_s->sync(); }
    QSettings::Status status() const { return m_s->status(); }
    // Where the settings file was moved when this instance found it unsafe to read (see below);
    // empty otherwise.
    QString setAsideFile() const { return m_setAside; }
    // The same for any Settings of this process (the first one, at start-up, is what moves it).
    static QString setAsideInThisProcess();

    // QSettings turns "@Variant(...)" and "@DateTime(...)" values into objects through QDataStream,
    // and a crafted one makes Qt allocate gigabytes at start-up (a QStringList that claims 185
    // million entries: Qt 6.4 reserves the claimed count, 4.4 GB; found by fuzz_settings). The
    // application never writes them. Before QSettings reads a file, its bytes are screened: when a
    // value could decode to one of them (also through quotes, escapes and continued lines), or the
    // file is larger than kMaxFileBytes, the file is renamed to "<file>.damaged"
    // and the defaults are used; when it cannot be renamed, it is not read at all.
    static constexpr qint64 kMaxFileBytes = 8 << 20;
    static bool holdsStreamedValue(const QByteArray &raw);
    // Whether `form` (ASCII) appears in the text QSettings' INI reader makes of `raw`, values and
    // keys alike (the decoding behind holdsStreamedValue; tested against QSettings itself).
    static bool iniTextContains(const QByteArray &raw, const char *form);

    QStringList recentFiles() const;            // ≤ kMaxRecentFiles distinct non-empty paths
    void addRecentFile(const QString &path);    // most recent first, no duplicates
    void clearRecentFiles();
    QString lastDirectory() const;              // "" when unset or not a plausible path
    void setLastDirectory(const QString &dir);

    // Opaque blobs from QMainWindow::saveGeometry()/saveState(); "" when unset or not a byte array
    // of at most kMaxLayoutBytes. Their content is not checked here: restoreGeometry()/restoreState()
    // refuse what they cannot read, and the main window then keeps its default layout.
    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray &geometry);
    QByteArray windowState() const;
    void setWindowState(const QByteArray &state);

    QString method() const;                     // a registry key's shape, lower case; default "pos"
    void setMethod(const QString &method);
    // Methods compared live beside the main one ("analysis/compareMethods"): at most
    // kMaxCompareMethods distinct registry keys' shapes, lower case, in the stored order.
    QStringList compareMethods() const;
    void setCompareMethods(const QStringList &methods);
    double windowSec() const;
    void setWindowSec(double sec);
    double bandLowHz() const;
    void setBandLowHz(double hz);
    double bandHighHz() const;
    void setBandHighHz(double hz);
    QString device() const;                     // "auto", "cpu", "cuda" or "cuda:N"; default "auto"
    void setDevice(const QString &device);
    // Whether a network's windows are checked against classical witnesses (POS and GREEN on the
    // same skin; AnalysisConfig::witnessMethods) and its octave errors moved back; default on.
    bool witnessChecks() const;
    void setWitnessChecks(bool on);
    // The same check for the classical methods, each against the other of POS and GREEN
    // (AnalysisConfig::witnessClassical, "analysis/witnessClassical"); default off.
    bool witnessClassical() const;
    void setWitnessClassical(bool on);

    PlaybackMode playbackMode() const;
    void setPlaybackMode(PlaybackMode mode);
    bool overlayVisible() const;
    void setOverlayVisible(bool visible);
    int overlayOpacityPercent() const;
    void setOverlayOpacityPercent(int percent);
    Theme theme() const;
    void setTheme(Theme theme);

    // The user-interface language ("ui/language"): a locale name such as "en" or "zh_CN", or
    // "system"; "" (the system's) when unset or not a locale name's shape (letters, digits, _ and
    // -, at most 16).
    QString language() const;
    void setLanguage(const QString &language);

    QString cameraId() const;                   // QCameraDevice::id() as text; "" = the default camera
    void setCameraId(const QString &id);
    QSize cameraResolution() const;             // within 16..7680 × 16..4320, else 640×480
    void setCameraResolution(const QSize &size);
    double cameraFps() const;                   // in (1, 240], else 30
    void setCameraFps(double fps);

private:
    struct Band { double lowHz, highHz; };
    Band band() const;

    std::unique_ptr<QSettings> m_s;
    QString m_setAside;
};

} // namespace rppg
