#include "settings.h"

#include <QFile>
#include <QFileInfo>
#include <QMetaType>
#include <QVariant>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace rppg {

namespace {
const QString kRecent = QStringLiteral("files/recent");
const QString kLastDir = QStringLiteral("files/lastDirectory");
const QString kGeometry = QStringLiteral("window/geometry");
const QString kState = QStringLiteral("window/state");
const QString kMethod = QStringLiteral("analysis/method");
const QString kCompare = QStringLiteral("analysis/compareMethods");
const QString kWindow = QStringLiteral("analysis/windowSec");
const QString kBandLow = QStringLiteral("analysis/bandLowHz");
const QString kBandHigh = QStringLiteral("analysis/bandHighHz");
const QString kDevice = QStringLiteral("analysis/device");
const QString kWitness = QStringLiteral("analysis/witnessChecks");
const QString kWitnessClassical = QStringLiteral("analysis/witnessClassical");
const QString kPlayback = QStringLiteral("playback/mode");
const QString kOverlay = QStringLiteral("view/overlayVisible");
const QString kOpacity = QStringLiteral("view/overlayOpacityPercent");
const QString kTheme = QStringLiteral("view/theme");
const QString kLanguage = QStringLiteral("ui/language");
const QString kCameraId = QStringLiteral("camera/id");
const QString kCameraSize = QStringLiteral("camera/resolution");
const QString kCameraFps = QStringLiteral("camera/fps");

// A list read from the file: INI gives a list for "a, b" and text for a single entry; anything
// else (a size, @Invalid(), ...) is no list.
QStringList textList(const QVariant &v)
{
    if (v.metaType().id() == QMetaType::QStringList)
        return v.toStringList();
    if (v.metaType().id() == QMetaType::QString)
        return {v.toString()};
    return {};
}

// A number read from the file: the INI format gives text, a hand-written @Variant may give any
// type (the registry on Windows gives numbers). Text must parse completely (QString::toDouble
// accepts "nan" and "inf": refused below); @ByteArray(), lists, sizes... are not numbers.
bool readFinite(const QVariant &v, double *out)
{
    if (!v.isValid())
        return false;
    bool ok = false;
    double d = 0;
    switch (v.metaType().id()) {
    case QMetaType::QString:
        d = v.toString().trimmed().toDouble(&ok);
        break;
    case QMetaType::Double:
    case QMetaType::Float:
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
        d = v.toDouble(&ok);
        break;
    default:
        return false;   // a list, a size, a date...: not a number
    }
    if (!ok || !std::isfinite(d))
        return false;
    *out = d;
    return true;
}

double finiteOr(const QVariant &v, double fallback)
{
    double d = 0;
    return readFinite(v, &d) ? d : fallback;
}

// Text that is fit to show or to use as a path: no control characters (NUL, newlines, ...).
bool isPlainText(const QString &s, int maxChars)
{
    if (s.size() > maxChars)
        return false;
    return std::none_of(s.cbegin(), s.cend(), [](QChar c) { return c.category() == QChar::Other_Control; });
}

// Only a string (or a one-element list, which the INI reader makes of text with a comma in
// quotes) counts as text; anything else is the default.
QString textOf(const QVariant &v)
{
    if (v.metaType().id() == QMetaType::QString)
        return v.toString();
    if (v.metaType().id() == QMetaType::QStringList && v.toStringList().size() == 1)
        return v.toStringList().constFirst();
    return {};
}

// A yes/no read from the file. QVariant's own conversion calls any text but "", "0" and "false"
// true: only true/false (any case) and 1/0 count here; anything else gives `fallback`.
bool flagOr(const QVariant &v, bool fallback)
{
    if (v.metaType().id() == QMetaType::Bool)
        return v.toBool();
    const QString t = textOf(v).trimmed().toLower();
    if (t == QLatin1String("true") || t == QLatin1String("1"))
        return true;
    if (t == QLatin1String("false") || t == QLatin1String("0"))
        return false;
    return fallback;
}

} // namespace

bool Settings::holdsStreamedValue(const QByteArray &raw)
{
    return iniTextContains(raw, "@Variant(") || iniTextContains(raw, "@DateTime(");
}

bool Settings::iniTextContains(const QByteArray &raw, const char *form)
{
    // The bytes as QSettings' INI reader turns them into text: quotes vanish, a backslash and
    // newline joins lines, escapes give their character (hex with any number of digits and octal
    // keep the low 16 bits, as QChar does), any other escaped character gives nothing (all checked
    // against Qt 6.4). Keys, section names and comments are decoded the same way: they hold no
    // '(' as QSettings writes them (it is %-encoded there), so that adds no false match.
    std::vector<int> text;
    text.reserve(size_t(raw.size()));
    const qsizetype n = raw.size();
    auto hexDigit = [](char h) -> int {
        if (h >= '0' && h <= '9')
            return h - '0';
        if (h >= 'a' && h <= 'f')
            return h - 'a' + 10;
        if (h >= 'A' && h <= 'F')
            return h - 'A' + 10;
        return -1;
    };
    for (qsizetype i = 0; i < n; ++i) {
        const char c = raw[i];
        if (c == '"')
            continue;
        if (c != '\\' || i + 1 >= n) {
            text.push_back(static_cast<unsigned char>(c));
            continue;
        }
        const char e = raw[++i];
        static const char kSimple[][2] = {{'a', '\a'}, {'b', '\b'}, {'f', '\f'}, {'n', '\n'}, {'r', '\r'}, {'t', '\t'},
                                          {'v', '\v'}, {'"', '"'}, {'?', '?'}, {'\'', '\''}, {'\\', '\\'}};
        const auto simple = std::find_if(std::begin(kSimple), std::end(kSimple), [e](const char *p) { return p[0] == e; });
        if (simple != std::end(kSimple)) {
            text.push_back(static_cast<unsigned char>((*simple)[1]));
        } else if (e == 'x') {
            if (i + 1 >= n || hexDigit(raw[i + 1]) < 0)
                continue;   // "\x" and no digit: nothing
            quint32 value = 0;
            while (i + 1 < n && hexDigit(raw[i + 1]) >= 0)
                value = (value << 4) | quint32(hexDigit(raw[++i]));
            text.push_back(int(value & 0xffff));
        } else if (e >= '0' && e <= '7') {
            quint32 value = quint32(e - '0');
            while (i + 1 < n && raw[i + 1] >= '0' && raw[i + 1] <= '7')
                value = (value << 3) | quint32(raw[++i] - '0');
            text.push_back(int(value & 0xffff));
        } else if (e == '\n' || e == '\r') {
            if (e == '\r' && i + 1 < n && raw[i + 1] == '\n')
                ++i;   // a continued line
        }
        // Any other escaped character gives nothing (and "\\" is also the separator of nested
        // keys, which QSettings writes itself).
    }
    const size_t len = std::strlen(form);
    for (size_t at = 0; at + len <= text.size(); ++at) {
        size_t k = 0;
        while (k < len && text[at + k] == static_cast<unsigned char>(form[k]))
            ++k;
        if (k == len)
            return true;
    }
    return false;
}

namespace {
QString &lastSetAside()
{
    static QString path;   // GUI thread, like every Settings
    return path;
}

// Screens the settings file at `path` (see Settings::holdsStreamedValue); moves an unsafe one
// aside. Returns whether QSettings may read `path`.
bool screenFile(const QString &path, QString *setAside)
{
    const QFileInfo info(path);
    if (path.isEmpty() || !info.isFile())
        return true;   // none yet, a folder, the Windows registry: nothing to screen
    bool unsafe = info.size() > Settings::kMaxFileBytes;
    if (!unsafe) {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return true;   // unreadable: QSettings reads nothing either
        // read(n) reserves n bytes up front: ask for what the file holds (it may have grown).
        const QByteArray raw = f.read(std::min(info.size(), Settings::kMaxFileBytes) + 1);
        unsafe = raw.size() > Settings::kMaxFileBytes || Settings::holdsStreamedValue(raw);
    }
    if (!unsafe)
        return true;
    const QString aside = path + QStringLiteral(".damaged");
    QFile::remove(aside);
    if (QFile::rename(path, aside)) {
        *setAside = aside;
        lastSetAside() = aside;
        qWarning("settings: %s holds values that cannot be read safely; moved to %s, using the defaults",
                 qPrintable(path), qPrintable(aside));
        return true;
    }
    qWarning("settings: %s holds values that cannot be read safely and cannot be moved; not reading it",
             qPrintable(path));
    return false;
}
} // namespace

Settings::Settings()
{
    // The default file (format, organisation and application as QSettings() chooses them): its
    // name only; a QSettings parses a file's values on the first value() call.
    if (screenFile(QSettings().fileName(), &m_setAside))
        m_s = std::make_unique<QSettings>();
    else
        m_s = std::make_unique<QSettings>(QString(), QSettings::IniFormat);
}

Settings::Settings(const QString &iniPath)
{
    m_s = std::make_unique<QSettings>(screenFile(iniPath, &m_setAside) ? iniPath : QString(), QSettings::IniFormat);
}

Settings::~Settings() = default;

QString Settings::setAsideInThisProcess() { return lastSetAside(); }

bool Settings::isMethodKeyShape(const QString &method)
{
    if (method.isEmpty() || method.size() > 64)
        return false;
    return std::all_of(method.cbegin(), method.cend(), [](QChar c) {
        const char16_t u = c.unicode();
        return (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '_' || u == '-' || u == '+' || u == '.';
    });
}

bool Settings::isValidDevice(const QString &device)
{
    if (device == QLatin1String("auto") || device == QLatin1String("cpu") || device == QLatin1String("cuda"))
        return true;
    if (!device.startsWith(QLatin1String("cuda:")))
        return false;
    const QString index = device.mid(5);
    if (index.isEmpty() || index.size() > 2)
        return false;
    return std::all_of(index.cbegin(), index.cend(), [](QChar c) { return c >= QLatin1Char('0') && c <= QLatin1Char('9'); });
}

QStringList Settings::recentFiles() const
{
    const QStringList stored = textList(m_s->value(kRecent));
    QStringList list;
    for (const QString &path : stored) {
        if (list.size() >= kMaxRecentFiles)
            break;
        if (path.trimmed().isEmpty() || !isPlainText(path, kMaxPathChars) || list.contains(path))
            continue;
        list << path;
    }
    return list;
}

void Settings::addRecentFile(const QString &path)
{
    const QString abs = QFileInfo(path).absoluteFilePath();
    QStringList list = recentFiles();
    list.removeAll(abs);
    list.prepend(abs);
    while (list.size() > kMaxRecentFiles)
        list.removeLast();
    m_s->setValue(kRecent, list);
}

void Settings::clearRecentFiles() { m_s->remove(kRecent); }

QString Settings::lastDirectory() const
{
    const QString dir = textOf(m_s->value(kLastDir));
    return isPlainText(dir, kMaxPathChars) ? dir : QString();
}

void Settings::setLastDirectory(const QString &dir) { m_s->setValue(kLastDir, dir); }

namespace {
QByteArray layoutBlob(const QVariant &v)
{
    if (v.metaType().id() != QMetaType::QByteArray)
        return {};
    const QByteArray b = v.toByteArray();
    return b.size() <= Settings::kMaxLayoutBytes ? b : QByteArray();
}
} // namespace

QByteArray Settings::windowGeometry() const { return layoutBlob(m_s->value(kGeometry)); }
void Settings::setWindowGeometry(const QByteArray &g) { m_s->setValue(kGeometry, g); }
QByteArray Settings::windowState() const { return layoutBlob(m_s->value(kState)); }
void Settings::setWindowState(const QByteArray &s) { m_s->setValue(kState, s); }

QString Settings::method() const
{
    const QString m = textOf(m_s->value(kMethod)).trimmed().toLower();
    return isMethodKeyShape(m) ? m : defaultMethod();
}

void Settings::setMethod(const QString &m) { m_s->setValue(kMethod, m); }

QStringList Settings::compareMethods() const
{
    const QStringList stored = textList(m_s->value(kCompare));
    QStringList list;
    for (const QString &raw : stored) {
        if (list.size() >= kMaxCompareMethods)
            break;
        const QString m = raw.trimmed().toLower();
        if (isMethodKeyShape(m) && !list.contains(m))
            list << m;
    }
    return list;
}

void Settings::setCompareMethods(const QStringList &methods)
{
    // An empty list is removed: QSettings writes an empty QStringList as "@Invalid()".
    if (methods.isEmpty())
        m_s->remove(kCompare);
    else
        m_s->setValue(kCompare, methods);
}

double Settings::windowSec() const
{
    return std::clamp(finiteOr(m_s->value(kWindow), kDefaultWindowSec), kMinWindowSec, kMaxWindowSec);
}

void Settings::setWindowSec(double s) { m_s->setValue(kWindow, s); }

Settings::Band Settings::band() const
{
    const double low = std::clamp(finiteOr(m_s->value(kBandLow), kDefaultBandLowHz), kMinBandLowHz, kMaxBandLowHz);
    const double high = std::clamp(finiteOr(m_s->value(kBandHigh), kDefaultBandHighHz), kMinBandHighHz, kMaxBandHighHz);
    // Both edges come from the file independently; an inverted or too narrow band is not a band.
    if (!(high - low >= kMinBandGapHz))
        return {kDefaultBandLowHz, kDefaultBandHighHz};
    return {low, high};
}

double Settings::bandLowHz() const { return band().lowHz; }
void Settings::setBandLowHz(double hz) { m_s->setValue(kBandLow, hz); }
double Settings::bandHighHz() const { return band().highHz; }
void Settings::setBandHighHz(double hz) { m_s->setValue(kBandHigh, hz); }

QString Settings::device() const
{
    const QString d = textOf(m_s->value(kDevice)).trimmed().toLower();
    return isValidDevice(d) ? d : QStringLiteral("auto");
}

void Settings::setDevice(const QString &d) { m_s->setValue(kDevice, d); }

PlaybackMode Settings::playbackMode() const
{
    return textOf(m_s->value(kPlayback)) == QLatin1String("fast") ? PlaybackMode::AsFastAsPossible
                                                                  : PlaybackMode::RealTime;
}

bool Settings::witnessChecks() const { return flagOr(m_s->value(kWitness), true); }

void Settings::setWitnessChecks(bool on) { m_s->setValue(kWitness, on); }

bool Settings::witnessClassical() const { return flagOr(m_s->value(kWitnessClassical), false); }

void Settings::setWitnessClassical(bool on) { m_s->setValue(kWitnessClassical, on); }

void Settings::setPlaybackMode(PlaybackMode mode)
{
    m_s->setValue(kPlayback, mode == PlaybackMode::AsFastAsPossible ? QStringLiteral("fast")
                                                                    : QStringLiteral("realtime"));
}

bool Settings::overlayVisible() const { return flagOr(m_s->value(kOverlay), true); }

void Settings::setOverlayVisible(bool v) { m_s->setValue(kOverlay, v); }

int Settings::overlayOpacityPercent() const
{
    const double p = finiteOr(m_s->value(kOpacity), kDefaultOverlayOpacityPercent);
    return static_cast<int>(std::lround(std::clamp(p, 0.0, 100.0)));
}

void Settings::setOverlayOpacityPercent(int p) { m_s->setValue(kOpacity, p); }

Theme Settings::theme() const
{
    const QString t = textOf(m_s->value(kTheme));
    if (t == QLatin1String("light"))
        return Theme::Light;
    if (t == QLatin1String("dark"))
        return Theme::Dark;
    return Theme::System;
}

void Settings::setTheme(Theme theme)
{
    m_s->setValue(kTheme, theme == Theme::Light  ? QStringLiteral("light")
                         : theme == Theme::Dark ? QStringLiteral("dark")
                                                : QStringLiteral("system"));
}

QString Settings::language() const
{
    const QString l = textOf(m_s->value(kLanguage)).trimmed();
    if (l.size() > 16)
        return {};
    const bool shape = std::all_of(l.cbegin(), l.cend(), [](QChar c) {
        return (c >= QLatin1Char('a') && c <= QLatin1Char('z')) || (c >= QLatin1Char('A') && c <= QLatin1Char('Z'))
               || (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('_') || c == QLatin1Char('-');
    });
    return shape ? l : QString();
}

void Settings::setLanguage(const QString &language) { m_s->setValue(kLanguage, language); }

QString Settings::cameraId() const
{
    const QString id = textOf(m_s->value(kCameraId));
    return isPlainText(id, 1024) ? id : QString();
}

void Settings::setCameraId(const QString &id) { m_s->setValue(kCameraId, id); }

QSize Settings::cameraResolution() const
{
    const QVariant v = m_s->value(kCameraSize);
    if (v.metaType().id() != QMetaType::QSize)
        return defaultCameraResolution();
    const QSize s = v.toSize();
    if (s.width() < kMinCameraWidth || s.width() > kMaxCameraWidth || s.height() < kMinCameraHeight
        || s.height() > kMaxCameraHeight)
        return defaultCameraResolution();
    return s;
}

void Settings::setCameraResolution(const QSize &s) { m_s->setValue(kCameraSize, s); }

double Settings::cameraFps() const
{
    double fps = 0;
    if (!readFinite(m_s->value(kCameraFps), &fps) || !(fps > 1.0 && fps <= kMaxCameraFps))
        return kDefaultCameraFps;
    return fps;
}

void Settings::setCameraFps(double fps) { m_s->setValue(kCameraFps, fps); }

} // namespace rppg
