#include "options.h"

#include "cli.h"

#include <QRegularExpression>

#include <cstdio>

#include <cmath>

namespace rppg::cli {

void addHelpOption(QCommandLineParser &p)
{
    p.addOption({{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help.")});
}

std::optional<int> parseCommandLine(QCommandLineParser &p, const QStringList &args)
{
    if (!p.parse(args))
        return fail(ErrorCode::Usage, p.errorText());
    if (p.isSet(QStringLiteral("help"))) {
        // QCommandLineParser names the executable; the usage line should show what users type.
        QString text = p.helpText();
        const int eol = text.indexOf(QLatin1Char('\n'));
        const QString first = text.left(eol);
        const int options = first.indexOf(QStringLiteral(" [options]"));
        if (options > 0)
            text.replace(0, options, QStringLiteral("Usage: ") + args.value(0));
        std::fputs(qPrintable(text), stdout);
        return kExitOk;
    }
    return std::nullopt;
}

int badOptionValue(const QCommandLineParser &p, const QCommandLineOption &option)
{
    return fail(ErrorCode::Usage,
                QStringLiteral("invalid --%1 value '%2'").arg(option.names().constLast(), p.value(option)));
}

QCommandLineOption frameRateOption()
{
    return {QStringLiteral("fps"), QStringLiteral("Frame rate (default 30)."), QStringLiteral("N"),
            QStringLiteral("30")};
}

QCommandLineOption frameSizeOption(const QString &defaultSize)
{
    return {QStringLiteral("size"), QStringLiteral("Frame size (default %1).").arg(defaultSize),
            QStringLiteral("WxH"), defaultSize};
}

bool frameSizeValue(const QString &text, int &width, int &height)
{
    static const QRegularExpression re(QStringLiteral("^\\s*(\\d{1,6})\\s*[xX\u00d7]\\s*(\\d{1,6})\\s*$"));
    const auto m = re.match(text);
    if (!m.hasMatch())
        return false;
    width = m.captured(1).toInt();
    height = m.captured(2).toInt();
    return true;
}

void addAnalysisOptions(QCommandLineParser &p)
{
    const QString methods = MethodRegistry::instance().names().join(QLatin1Char('|'));
    p.addOption({QStringLiteral("method"), QStringLiteral("Pulse method: %1 (default pos).").arg(methods),
                 QStringLiteral("name"), QStringLiteral("pos")});
    p.addOption({QStringLiteral("window"), QStringLiteral("Sliding window for windowed HR in seconds (default 10)."),
                 QStringLiteral("sec"), QStringLiteral("10")});
    p.addOption({QStringLiteral("hop"), QStringLiteral("Step between windows in seconds (default 1)."),
                 QStringLiteral("sec"), QStringLiteral("1")});
    p.addOption({QStringLiteral("band"), QStringLiteral("Heart-rate band in Hz, low-high (default 0.7-4 = 42-240 bpm)."),
                 QStringLiteral("low-high"), QStringLiteral("0.7-4")});
    p.addOption({QStringLiteral("roi"), QStringLiteral("Skin region: face (default), full (whole frame) or x,y,w,h."),
                 QStringLiteral("region"), QStringLiteral("face")});
    p.addOption({QStringLiteral("snr-threshold"), QStringLiteral("Windows below this SNR are flagged low quality (default -3 dB)."),
                 QStringLiteral("db"), QStringLiteral("-3")});
    p.addOption({QStringLiteral("witness"),
                 QStringLiteral("Neural methods: classical methods, one of which must find a window's rate within 5 bpm "
                                "for it to be ok, and which pick between the network's octaves (default pos,green; none "
                                "turns both checks off)."),
                 QStringLiteral("list"), QStringLiteral("pos,green")});
    p.addOption({QStringLiteral("witness-classical"),
                 QStringLiteral("Check the classical methods the same way, each against the --witness methods other "
                                "than itself (off by default).")});
    p.addOption({QStringLiteral("rate"), QStringLiteral("Resampling rate in Hz (default: the video's frame rate)."),
                 QStringLiteral("hz"), QStringLiteral("0")});
    p.addOption({QStringLiteral("device"), QStringLiteral("Neural methods: auto, cpu, cuda or cuda:N (default auto)."),
                 QStringLiteral("device"), QStringLiteral("auto")});
    p.addOption({QStringLiteral("model"), QStringLiteral("Neural methods: checkpoint file instead of the shipped weights."),
                 QStringLiteral("file")});
}

QStringList defaultMethods(const MethodOptions &options)
{
    QStringList methods, skipped;
    QString reason;
    const MethodRegistry &registry = MethodRegistry::instance();
    for (const QString &name : registry.names()) {
        if (registry.find(name)->input == MethodInput::FaceVideo) {
            auto probe = registry.create(name, options);
            if (!probe.ok()) {
                skipped << name;
                if (reason.isEmpty())
                    reason = probe.error().message;
                continue;
            }
        }
        methods << name;
    }
    if (!skipped.isEmpty())
        std::fprintf(stderr, "note: %s left out (%s); name them with --methods to require them\n",
                     qPrintable(skipped.join(QStringLiteral(", "))), qPrintable(reason));
    return methods;
}

int64_t parseBitrate(const QString &text)
{
    // "800000", "800k", "1.5M", "2Mbps", "500kb/s"
    static const QRegularExpression re(
        QStringLiteral("^\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([kKmM]?)(?:b|bps|b/s)?\\s*$"));
    const auto m = re.match(text);
    if (!m.hasMatch())
        return -1;
    double v = m.captured(1).toDouble();
    const QString unit = m.captured(2).toLower();
    if (unit == QLatin1String("k"))
        v *= 1e3;
    else if (unit == QLatin1String("m"))
        v *= 1e6;
    if (!(v >= 1000) || v > 1e10)
        return -1;
    return int64_t(std::llround(v));
}

cv::Rect parseRect(const QString &text)
{
    const QStringList parts = text.split(QLatin1Char(','));
    if (parts.size() != 4)
        return {};
    int v[4];
    for (int i = 0; i < 4; ++i) {
        bool ok = false;
        v[i] = parts[i].trimmed().toInt(&ok);
        if (!ok)
            return {};
    }
    if (v[0] < 0 || v[1] < 0 || v[2] <= 0 || v[3] <= 0)
        return {};
    return {v[0], v[1], v[2], v[3]};
}

Result<AnalysisConfig> analysisConfigFromOptions(const QCommandLineParser &p)
{
    AnalysisConfig c;
    auto number = [&p](const char *name, double lo, double hi, double &out) -> Error {
        bool ok = false;
        const double v = p.value(QString::fromLatin1(name)).toDouble(&ok);
        if (!ok || !(v >= lo && v <= hi))
            return Error{ErrorCode::Usage, QStringLiteral("--%1 must be a number from %2 to %3 (got '%4')")
                                               .arg(QString::fromLatin1(name)).arg(lo).arg(hi)
                                               .arg(p.value(QString::fromLatin1(name)))};
        out = v;
        return {};
    };
    c.method = p.value(QStringLiteral("method")).trimmed().toLower();
    if (!MethodRegistry::instance().find(c.method))
        return Error{ErrorCode::Usage, QStringLiteral("unknown method '%1' (available: %2)")
                                           .arg(c.method, MethodRegistry::instance().names().join(QStringLiteral(", ")))};
    if (Error e = number("window", 2, 600, c.windowSec); e.isError())
        return e;
    if (Error e = number("hop", 0.05, 600, c.hopSec); e.isError())
        return e;
    if (Error e = number("snr-threshold", -60, 60, c.snrThresholdDb); e.isError())
        return e;
    if (Error e = number("rate", 0, 240, c.analysisRateHz); e.isError())
        return e;
    const QString witness = p.value(QStringLiteral("witness")).trimmed().toLower();
    c.witnessMethods.clear();
    if (witness != QLatin1String("none")) {
        for (const QString &raw : witness.split(QLatin1Char(','))) {
            const QString name = raw.trimmed();
            if (!classicalExtractor(name))
                return Error{ErrorCode::Usage, QStringLiteral("--witness: '%1' is not a classical method (pos, chrom, "
                                                              "green, pbv, lgi, ica, pca, or none)").arg(name)};
            if (!c.witnessMethods.contains(name))
                c.witnessMethods << name;
        }
    }
    c.witnessClassical = p.isSet(QStringLiteral("witness-classical"));
    const QStringList band = p.value(QStringLiteral("band")).split(QLatin1Char('-'));
    bool okLo = false, okHi = false;
    if (band.size() == 2) {
        c.bandLowHz = band[0].toDouble(&okLo);
        c.bandHighHz = band[1].toDouble(&okHi);
    }
    if (!okLo || !okHi || !(c.bandLowHz > 0.1) || !(c.bandHighHz > c.bandLowHz) || c.bandHighHz > 10)
        return Error{ErrorCode::Usage, QStringLiteral("--band must be low-high in Hz, 0.1 < low < high <= 10 (got '%1')")
                                           .arg(p.value(QStringLiteral("band")))};
    const QString roi = p.value(QStringLiteral("roi")).trimmed().toLower();
    if (roi == QLatin1String("face")) {
        c.roi.mode = RoiMode::Face;
    } else if (roi == QLatin1String("full")) {
        c.roi.mode = RoiMode::FullFrame;
    } else {
        const cv::Rect r = parseRect(roi);
        if (r.area() <= 0)
            return Error{ErrorCode::Usage, QStringLiteral("--roi must be face, full or x,y,w,h (got '%1')").arg(roi)};
        c.roi.mode = RoiMode::Rectangle;
        c.roi.rect = r;
    }
    c.methodOptions.device = p.value(QStringLiteral("device")).trimmed().toLower();
    c.methodOptions.modelPath = p.value(QStringLiteral("model"));
    return c;
}

} // namespace rppg::cli
