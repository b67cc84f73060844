// `rppg synth OUT [options]`: a synthetic face video with known pulse, plus its ground truth.
#include "commands.h"
#include "options.h"
#include "progressbar.h"
#include "synth.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <cmath>
#include <cstdio>
#include <optional>

namespace rppg::cli {

namespace {

std::optional<double> toNumber(const QString &s)
{
    bool ok = false;
    const double v = s.trimmed().toDouble(&ok);
    return ok && std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
}

QString bitrateText(double bps)
{
    if (bps >= 1e6)
        return QStringLiteral("%1 Mb/s").arg(bps / 1e6, 0, 'f', 2);
    return QStringLiteral("%1 kb/s").arg(bps / 1e3, 0, 'f', 0);
}

QString sizeText(int64_t bytes)
{
    if (bytes >= 1024 * 1024)
        return QStringLiteral("%1 MB").arg(bytes / (1024.0 * 1024.0), 0, 'f', 2);
    return QStringLiteral("%1 kB").arg(bytes / 1024.0, 0, 'f', 0);
}

QString defaultCodecFor(const QString &path)
{
    // AVI cannot carry H.264 comfortably; MPEG-4 part 2 is its natural codec.
    return QFileInfo(path).suffix().compare(QLatin1String("avi"), Qt::CaseInsensitive) == 0
               ? QStringLiteral("mpeg4")
               : QStringLiteral("x264");
}

int runSynth(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Renders a synthetic face video with a known pulse: a real face photo whose "
                       "skin darkens with a "
                       "simulated blood-volume wave (beat-by-beat model with HRV, or a recorded "
                       "PPG), with optional head "
                       "motion, light drift and flicker, sensor noise and skin tone. Next to OUT "
                       "it writes the ground truth "
                       "(<stem>.gt.csv: per-frame PPG and HR), per-frame skin masks "
                       "(<stem>.mask.mkv) and a description "
                       "(<stem>.synth.json). The same seed gives the same video."));
    p.addPositionalArgument(QStringLiteral("OUT"),
                            QStringLiteral("Output video (.mp4, .mkv, .avi, .mov)."));
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Show this help."));
    const QCommandLineOption hr(QStringLiteral("hr"),
                                QStringLiteral("Mean heart rate (default 72)."),
                                QStringLiteral("BPM"), QStringLiteral("72"));
    const QCommandLineOption sdnn(
        QStringLiteral("sdnn"),
        QStringLiteral("Beat-to-beat variability SDNN (default: typical for the rate, 40 at 72 "
                       "bpm, scaled by (72/HR)^2; 0 = metronome)."),
        QStringLiteral("MS"));
    const QCommandLineOption breathing(
        QStringLiteral("breathing"),
        QStringLiteral("Breathing rate that modulates the beat intervals and amplitudes (default "
                       "15; 0 = none)."),
        QStringLiteral("PER_MIN"), QStringLiteral("15"));
    const QCommandLineOption duration(QStringLiteral("duration"),
                                      QStringLiteral("Length (default 20)."), QStringLiteral("SEC"),
                                      QStringLiteral("20"));
    const QCommandLineOption fps = frameRateOption();
    const QCommandLineOption size = frameSizeOption(QStringLiteral("640x480"));
    const QCommandLineOption codec(
        QStringLiteral("codec"),
        QStringLiteral("x264, x265, mpeg4, ffv1, mjpeg or raw (default x264; mpeg4 for .avi)."),
        QStringLiteral("CODEC"));
    const QCommandLineOption bitrate(
        QStringLiteral("bitrate"),
        QStringLiteral("Target bit rate, e.g. 1000k or 2M (default: quality-based)."),
        QStringLiteral("RATE"));
    const QCommandLineOption crf(
        QStringLiteral("crf"),
        QStringLiteral("Constant rate factor (x264/x265) or quantiser (mpeg4, mjpeg)."),
        QStringLiteral("N"));
    const QCommandLineOption preset(QStringLiteral("preset"),
                                    QStringLiteral("x264/x265 preset (default medium)."),
                                    QStringLiteral("P"));
    const QCommandLineOption motion(
        QStringLiteral("motion"),
        QStringLiteral("Head motion preset: none, mild or strong (default mild)."),
        QStringLiteral("PRESET"), QStringLiteral("mild"));
    const QCommandLineOption translate(
        QStringLiteral("translate"),
        QStringLiteral("Head translation amplitude (overrides the preset)."), QStringLiteral("PX"));
    const QCommandLineOption rotate(
        QStringLiteral("rotate"), QStringLiteral("Head rotation amplitude (overrides the preset)."),
        QStringLiteral("DEG"));
    const QCommandLineOption scale(
        QStringLiteral("scale"),
        QStringLiteral("Head scale change amplitude, 0.05 = ±5 % (overrides the preset)."),
        QStringLiteral("F"));
    const QCommandLineOption illumination(
        QStringLiteral("illumination"),
        QStringLiteral("Slow light drift amplitude, 0.1 = ±10 % (default 0)."), QStringLiteral("F"),
        QStringLiteral("0"));
    const QCommandLineOption flicker(
        QStringLiteral("flicker"),
        QStringLiteral("Light flicker amplitude and frequency as seen by the camera (default 0; "
                       "frequency default 10 Hz)."),
        QStringLiteral("AMP[@HZ]"));
    const QCommandLineOption noise(
        QStringLiteral("noise"), QStringLiteral("Sensor noise sigma in 8-bit levels (default 1)."),
        QStringLiteral("SIGMA"), QStringLiteral("1"));
    const QCommandLineOption skin(QStringLiteral("skin"),
                                  QStringLiteral("Fitzpatrick skin type 1 (very light) to 6 (very "
                                                 "dark); 0 = the photo's own (default)."),
                                  QStringLiteral("0..6"), QStringLiteral("0"));
    const QCommandLineOption amplitude(
        QStringLiteral("amplitude"),
        QStringLiteral("Relative peak-to-peak pulse modulation of green (default 0.008)."),
        QStringLiteral("F"), QString::number(SynthConfig{}.pulseAmplitude));
    const QCommandLineOption ppg(
        QStringLiteral("ppg"),
        QStringLiteral("Drive the pulse with a recorded PPG (CSV) instead of the model."),
        QStringLiteral("CSV"));
    const QCommandLineOption ppgRate(
        QStringLiteral("ppg-rate"),
        QStringLiteral("Sample rate of a PPG CSV without a time column."), QStringLiteral("HZ"));
    const QCommandLineOption ppgOffset(
        QStringLiteral("ppg-offset"),
        QStringLiteral("Start this far into the PPG recording (default 0)."), QStringLiteral("SEC"),
        QStringLiteral("0"));
    const QCommandLineOption face(
        QStringLiteral("face"), QStringLiteral("Face photo (default: the bundled NASA portrait)."),
        QStringLiteral("PHOTO"));
    const QCommandLineOption faceScale(
        QStringLiteral("face-scale"),
        QStringLiteral("Relative face size (default 1: hairline to chin 225 of 480 lines)."),
        QStringLiteral("F"), QStringLiteral("1"));
    const QCommandLineOption absent(QStringLiteral("absent"),
                                    QStringLiteral("Time span without the face (repeatable)."),
                                    QStringLiteral("START-END"));
    const QCommandLineOption variant(
        QStringLiteral("variant"),
        QStringLiteral("Also encode the same frames to PATH (repeatable)."),
        QStringLiteral("PATH:CODEC[:BITRATE]"));
    const QCommandLineOption noMasks(QStringLiteral("no-masks"),
                                     QStringLiteral("Do not write the skin-mask video."));
    const QCommandLineOption seed(QStringLiteral("seed"),
                                  QStringLiteral("Random seed (default 1)."), QStringLiteral("N"),
                                  QStringLiteral("1"));
    const QCommandLineOption json(QStringLiteral("json"),
                                  QStringLiteral("Print one JSON object instead of the summary."));
    p.addOptions({help,      hr,      sdnn,         breathing, duration,  fps,    size,
                  codec,     bitrate, crf,          preset,    motion, translate,
                  rotate,    scale,   illumination, flicker,   noise,  skin,
                  amplitude, ppg,     ppgRate,      ppgOffset, face,   faceScale,
                  absent,    variant, noMasks,      seed,      json});

    if (auto code = parseCommandLine(p, args))
        return *code;
    const QStringList positional = p.positionalArguments();
    if (positional.size() != 1)
        return fail(
            ErrorCode::Usage,
            positional.isEmpty()
                ? QStringLiteral("synth needs an output video path (see 'rppg synth --help')")
                : QStringLiteral("synth takes one output path, got %1").arg(positional.size()));

    auto number = [&](const QCommandLineOption &o, double &out) -> bool {
        const auto v = toNumber(p.value(o));
        if (!v)
            return false;
        out = *v;
        return true;
    };
    auto bad = [&](const QCommandLineOption &o) { return badOptionValue(p, o); };

    SynthConfig c;
    if (!number(hr, c.pulse.meanHrBpm))
        return bad(hr);
    if (!p.isSet(sdnn))
        c.pulse.sdnnMs = typicalSdnnMs(c.pulse.meanHrBpm);
    else if (!number(sdnn, c.pulse.sdnnMs))
        return bad(sdnn);
    double breathsPerMin = 0;
    if (!number(breathing, breathsPerMin) || breathsPerMin < 0 || breathsPerMin > 60)
        return bad(breathing);
    c.pulse.respirationHz = breathsPerMin / 60.0;
    if (!number(duration, c.durationSec))
        return bad(duration);
    if (!number(fps, c.fps))
        return bad(fps);
    if (!frameSizeValue(p.value(size), c.width, c.height))
        return bad(size);

    if (!applyMotionPreset(c, p.value(motion)))
        return fail(
            ErrorCode::Usage,
            QStringLiteral("unknown --motion '%1' (none, mild or strong)").arg(p.value(motion)));
    if (p.isSet(translate) && !number(translate, c.motionTranslationPx))
        return bad(translate);
    if (p.isSet(rotate) && !number(rotate, c.motionRotationDeg))
        return bad(rotate);
    if (p.isSet(scale) && !number(scale, c.motionScale))
        return bad(scale);
    if (!number(illumination, c.illuminationDrift))
        return bad(illumination);
    if (p.isSet(flicker)) {
        const QStringList parts = p.value(flicker).split(QLatin1Char('@'));
        const auto amp = toNumber(parts.value(0));
        const auto hz
            = parts.size() > 1 ? toNumber(parts.value(1)) : std::optional<double>(c.flickerHz);
        if (parts.size() > 2 || !amp || !hz)
            return bad(flicker);
        c.flickerAmplitude = *amp;
        c.flickerHz = *hz;
    }
    if (!number(noise, c.noiseSigma))
        return bad(noise);
    {
        bool ok = false;
        c.fitzpatrick = p.value(skin).toInt(&ok);
        if (!ok)
            return bad(skin);
    }
    if (!number(amplitude, c.pulseAmplitude))
        return bad(amplitude);
    if (p.isSet(ppg))
        c.pulse.ppgCsvPath = p.value(ppg);
    if (p.isSet(ppgRate) && !number(ppgRate, c.pulse.ppgCsvRateHz))
        return bad(ppgRate);
    if (!number(ppgOffset, c.pulse.ppgCsvOffsetSec))
        return bad(ppgOffset);
    if (p.isSet(face))
        c.facePhotoPath = p.value(face);
    if (!number(faceScale, c.faceScale))
        return bad(faceScale);
    for (const QString &span : p.values(absent)) {
        static const QRegularExpression re(QStringLiteral("^\\s*([0-9.]+)\\s*-\\s*([0-9.]+)\\s*$"));
        const auto m = re.match(span);
        const auto a = m.hasMatch() ? toNumber(m.captured(1)) : std::nullopt;
        const auto b = m.hasMatch() ? toNumber(m.captured(2)) : std::nullopt;
        if (!a || !b || *b <= *a)
            return fail(
                ErrorCode::Usage,
                QStringLiteral("invalid --absent '%1' (expected START-END in seconds)").arg(span));
        c.absentIntervals.emplace_back(*a, *b);
    }
    {
        bool ok = false;
        c.seed = p.value(seed).toULongLong(&ok);
        if (!ok)
            return bad(seed);
    }
    c.writeMasks = !p.isSet(noMasks);

    SynthVariant main;
    main.videoPath = positional.first();
    main.encoder.codec = p.isSet(codec) ? p.value(codec) : defaultCodecFor(main.videoPath);
    if (p.isSet(bitrate)) {
        const int64_t b = parseBitrate(p.value(bitrate));
        if (b <= 0)
            return bad(bitrate);
        main.encoder.bitrateBps = b;
    }
    if (p.isSet(crf)) {
        bool ok = false;
        main.encoder.crf = p.value(crf).toInt(&ok);
        if (!ok || main.encoder.crf < 0)
            return bad(crf);
    }
    main.encoder.preset = p.value(preset);
    c.variants.push_back(main);
    for (const QString &spec : p.values(variant)) {
        // PATH:CODEC[:BITRATE], read from the right so a path may contain ':'.
        QStringList parts = spec.split(QLatin1Char(':'));
        SynthVariant v;
        if (parts.size() >= 3 && parseBitrate(parts.last()) > 0)
            v.encoder.bitrateBps = parseBitrate(parts.takeLast());
        if (parts.size() < 2 || parts.last().isEmpty())
            return fail(
                ErrorCode::Usage,
                QStringLiteral("invalid --variant '%1' (expected PATH:CODEC[:BITRATE])").arg(spec));
        v.encoder.codec = parts.takeLast();
        v.videoPath = parts.join(QLatin1Char(':'));
        if (v.videoPath.isEmpty())
            return fail(
                ErrorCode::Usage,
                QStringLiteral("invalid --variant '%1' (expected PATH:CODEC[:BITRATE])").arg(spec));
        c.variants.push_back(v);
    }

    const bool asJson = p.isSet(json);
    ProgressBar bar(QStringLiteral("synth"), !asJson);
    QElapsedTimer timer;
    timer.start();
    auto result = generateSynthVideo(
        c, [&](int64_t done, int64_t total) { bar.update(done, total); }, interruptFlag());
    bar.finish();
    if (!result.ok())
        return fail(result.error());
    const SynthResult &r = result.value();
    const double elapsedSec = timer.elapsed() / 1000.0;

    if (asJson) {
        QJsonArray variants;
        for (size_t i = 0; i < c.variants.size(); ++i) {
            const EncodeStats &s = r.variantStats[i];
            variants.append(QJsonObject{
                {QStringLiteral("path"), c.variants[i].videoPath},
                {QStringLiteral("codec"), c.variants[i].encoder.codec},
                {QStringLiteral("frames"), double(s.frames)},
                {QStringLiteral("file_bytes"), double(s.fileBytes)},
                {QStringLiteral("achieved_bitrate_bps"), std::round(s.achievedBitrateBps)}});
        }
        const QJsonObject o{
            {QStringLiteral("video"), c.variants.front().videoPath},
            {QStringLiteral("variants"), variants},
            {QStringLiteral("ground_truth"), r.groundTruthPath},
            {QStringLiteral("mask"), r.maskPath.isEmpty() ? QJsonValue() : QJsonValue(r.maskPath)},
            {QStringLiteral("meta"), r.metaPath},
            {QStringLiteral("frames"), double(r.frames)},
            {QStringLiteral("mean_hr_bpm"), c.pulseAmplitude > 0 ? QJsonValue(r.meanHrBpm) : QJsonValue()},
            {QStringLiteral("sdnn_ms"), r.sdnnMs},
            {QStringLiteral("rmssd_ms"), r.rmssdMs},
            {QStringLiteral("breaths_per_min"), c.pulse.ppgCsvPath.isEmpty() ? QJsonValue(c.pulse.respirationHz * 60.0)
                                                                             : QJsonValue()},   // a recording: unknown
            {QStringLiteral("seed"), QString::number(qulonglong(c.seed))},
            {QStringLiteral("elapsed_s"), elapsedSec},
        };
        std::fputs(QJsonDocument(o).toJson(QJsonDocument::Compact).constData(), stdout);
        std::fputc('\n', stdout);
        return kExitOk;
    }
    QString out;
    for (size_t i = 0; i < c.variants.size(); ++i) {
        const EncodeStats &s = r.variantStats[i];
        out += QStringLiteral("video:        %1 (%2, %3, %4, %5 frames)\n")
                   .arg(c.variants[i].videoPath, c.variants[i].encoder.codec,
                        bitrateText(s.achievedBitrateBps), sizeText(s.fileBytes))
                   .arg(s.frames);
    }
    if (!r.groundTruthPath.isEmpty())
        out += QStringLiteral("ground truth: %1\n").arg(r.groundTruthPath);
    if (!r.maskPath.isEmpty())
        out += QStringLiteral("skin masks:   %1\n").arg(r.maskPath);
    if (!r.metaPath.isEmpty())
        out += QStringLiteral("description:  %1\n").arg(r.metaPath);
    if (!(c.pulseAmplitude > 0))
        out += QStringLiteral("pulse:        none (amplitude 0): the ground truth has no heart rate\n");
    else
        out += QStringLiteral("pulse:        mean HR %1 bpm, SDNN %2 ms, RMSSD %3 ms%4\n")
                   .arg(r.meanHrBpm, 0, 'f', 1)
                   .arg(r.sdnnMs, 0, 'f', 1)
                   .arg(r.rmssdMs, 0, 'f', 1)
                   .arg(c.pulse.ppgCsvPath.isEmpty()
                            ? (c.pulse.respirationHz > 0
                                   ? QStringLiteral(", breathing %1 /min").arg(c.pulse.respirationHz * 60.0, 0, 'f', 1)
                                   : QString())
                            : QStringLiteral(" (from %1)").arg(c.pulse.ppgCsvPath));
    out += QStringLiteral("took %1 s for %2 frames (seed %3)\n")
               .arg(elapsedSec, 0, 'f', 1)
               .arg(r.frames)
               .arg(qulonglong(c.seed));
    std::fputs(qPrintable(out), stdout);
    return kExitOk;
}

} // namespace

Command synthCommand()
{
    return {QStringLiteral("synth"),
            QStringLiteral("render a synthetic face video with a known pulse (ground truth)"),
            runSynth};
}

} // namespace rppg::cli
