// rppg bench: accuracy and speed of the pipeline on a fixed set of synthetic videos (several HRs,
// motion levels, skin tones and codecs/bitrates), and on the real bias-eval-rppg skin videos when
// that folder is given. Prints the tables and writes them into a section of bench/RESULTS.md.

#include "commands.h"
#include "dsp.h"
#include "groundtruth.h"
#include "offlineanalyzer.h"
#include "options.h"
#include "progressbar.h"
#include "signalanalyzer.h"
#include "synth.h"
#include "videofilesource.h"

#include "rppg_version.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>

#include <cmath>
#include <cstdio>
#include <map>
#include <sched.h>

namespace rppg::cli {

namespace {

struct Subject
{
    double hrBpm;
    const char *motion;   // none, mild, strong
    int skin;             // Fitzpatrick type
    double drift;         // illumination drift amplitude
    double flicker;       // flicker amplitude
    uint64_t seed;
};

struct Variant
{
    QString codec;
    int64_t bitrateBps;   // 0 = lossless
    QString label() const
    {
        return bitrateBps > 0 ? QStringLiteral("%1 %2k").arg(codec).arg(bitrateBps / 1000)
                              : QStringLiteral("lossless");
    }
};

// The fixed benchmark set: heart rates across the band, every motion level and skin type.
const std::vector<Subject> kSubjects = {
    {52, "none", 2, 0.00, 0.000, 101},  {64, "mild", 3, 0.05, 0.000, 102},
    {75, "mild", 1, 0.02, 0.000, 103},  {88, "strong", 4, 0.03, 0.000, 104},
    {102, "mild", 5, 0.02, 0.010, 105}, {118, "none", 6, 0.04, 0.000, 106},
    {135, "mild", 3, 0.02, 0.005, 107}, {150, "strong", 2, 0.03, 0.000, 108},
};

std::vector<Variant> variants()
{
    std::vector<Variant> v{{QStringLiteral("ffv1"), 0}};
    for (const char *codec : {"x264", "x265", "mpeg4"})
        for (int64_t kbps : {1000, 500, 250})
            v.push_back({QString::fromLatin1(codec), kbps * 1000});
    return v;
}

struct Scores
{
    std::vector<double> est, ref;   // per window
    std::vector<double> videoErr;   // whole-recording |error| per video
    int windows = 0;                // windows in total (with or without an estimate)
    double kbpsSum = 0;
    int kbpsCount = 0;

    void addWindow(double e, double r)
    {
        est.push_back(e);
        ref.push_back(r);
    }
    double mae() const
    {
        double s = 0;
        for (size_t i = 0; i < est.size(); ++i)
            s += std::abs(est[i] - ref[i]);
        return est.empty() ? NAN : s / est.size();
    }
    double rmse() const
    {
        double s = 0;
        for (size_t i = 0; i < est.size(); ++i)
            s += (est[i] - ref[i]) * (est[i] - ref[i]);
        return est.empty() ? NAN : std::sqrt(s / est.size());
    }
    double coverage() const { return windows ? double(est.size()) / windows : 0; }
};

QString fmt(double v, int decimals = 2)
{
    return std::isfinite(v) ? QString::number(v, 'f', decimals) : QStringLiteral("–");
}

QString cpuModel()
{
    QFile f(QStringLiteral("/proc/cpuinfo"));
    if (f.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : f.readAll().split('\n'))
            if (line.startsWith("model name"))
                return QString::fromLatin1(line.mid(line.indexOf(':') + 1)).trimmed();
    }
    return QSysInfo::currentCpuArchitecture();
}

QString gitCommit()
{
    QProcess git;
    git.setWorkingDirectory(QStringLiteral(RPPG_SOURCE_DIR));
    git.start(QStringLiteral("git"), {QStringLiteral("describe"), QStringLiteral("--always"), QStringLiteral("--dirty")});
    if (!git.waitForFinished(5000) || git.exitCode() != 0)
        return QStringLiteral("unknown");
    return QString::fromLatin1(git.readAllStandardOutput()).trimmed();
}

// Runs `fn` with this thread (and threads it starts) pinned to one CPU.
template<typename Fn>
auto onOneCore(Fn fn)
{
    cpu_set_t old, one;
    sched_getaffinity(0, sizeof(old), &old);
    CPU_ZERO(&one);
    for (int c = 0; c < CPU_SETSIZE; ++c)
        if (CPU_ISSET(c, &old)) {
            CPU_SET(c, &one);
            break;
        }
    sched_setaffinity(0, sizeof(one), &one);
    auto r = fn();
    sched_setaffinity(0, sizeof(old), &old);
    return r;
}

// Real skin videos: <root>/<Country>/videoN_<region>.avi with <root>/Ground_Truth/<Country>_GT.csv.
struct RealClip
{
    QString path;
    QString subject;   // "India/video1"
    QString region;    // forehead, leftcheek, rightcheek
    double refBpm;
};

std::vector<RealClip> findRealClips(const QString &root, QStringList &problems)
{
    std::vector<RealClip> clips;
    QDir gtDir(root + QStringLiteral("/Ground_Truth"));
    for (const QString &gtName : gtDir.entryList({QStringLiteral("*_GT.csv")}, QDir::Files, QDir::Name)) {
        const QString country = gtName.left(gtName.size() - 7);
        QFile f(gtDir.filePath(gtName));
        if (!f.open(QIODevice::ReadOnly | QIODevice::Text)) {
            problems << QStringLiteral("cannot read %1").arg(gtName);
            continue;
        }
        std::map<QString, double> ref;
        QTextStream in(&f);
        while (!in.atEnd()) {
            const QStringList cells = in.readLine().split(QLatin1Char(','));
            bool ok = false;
            const double hr = cells.value(1).trimmed().toDouble(&ok);
            if (ok)
                ref[cells.value(0).trimmed().remove(QChar(0xFEFF))] = hr;
        }
        const QRegularExpression re(QStringLiteral("^(video\\d+)_(\\w+)\\.avi$"));
        QDir videos(root + QLatin1Char('/') + country);
        for (const QString &name : videos.entryList({QStringLiteral("*.avi")}, QDir::Files, QDir::Name)) {
            const auto m = re.match(name);
            if (!m.hasMatch())
                continue;
            auto it = ref.find(m.captured(1));
            if (it == ref.end()) {
                problems << QStringLiteral("%1/%2: no reference HR").arg(country, name);
                continue;
            }
            clips.push_back({videos.filePath(name), country + QLatin1Char('/') + m.captured(1), m.captured(2), it->second});
        }
    }
    return clips;
}

Error writeResultsSection(const QString &path, const QString &section)
{
    const QString begin = QStringLiteral("<!-- rppg bench: foundation -->");
    const QString end = QStringLiteral("<!-- /rppg bench: foundation -->");
    QString text;
    QFile in(path);
    if (in.open(QIODevice::ReadOnly | QIODevice::Text))
        text = QString::fromUtf8(in.readAll());
    in.close();
    const QString block = begin + QLatin1Char('\n') + section + end + QLatin1Char('\n');
    const int a = text.indexOf(begin), b = text.indexOf(end);
    if (a >= 0 && b > a)
        text.replace(a, b + end.size() - a + 1, block);
    else
        text += (text.isEmpty() ? QStringLiteral("# Benchmark results\n\n") : QStringLiteral("\n")) + block;
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Text))
        return Error{ErrorCode::WriteFailed, QStringLiteral("cannot write '%1': %2").arg(path, out.errorString())};
    out.write(text.toUtf8());
    if (!out.commit())
        return Error{ErrorCode::WriteFailed, QStringLiteral("cannot write '%1': %2").arg(path, out.errorString())};
    return {};
}

} // namespace

Command benchCommand()
{
    Command c;
    c.name = QStringLiteral("bench");
    c.summary = QStringLiteral("accuracy and speed benchmark (synthetic codec set, real skin videos)");
    c.run = [](const QStringList &args) -> int {
        QCommandLineParser p;
        p.setApplicationDescription(QStringLiteral("Benchmark the pipeline and write bench/RESULTS.md."));
        addHelpOption(p);
        p.addOption({QStringLiteral("quick"), QStringLiteral("Fewer and shorter videos (a smoke run).")});
        p.addOption({QStringLiteral("duration"), QStringLiteral("Seconds per synthetic video (default 20)."),
                     QStringLiteral("sec"), QStringLiteral("20")});
        p.addOption({QStringLiteral("methods"), QStringLiteral("Comma-separated methods (default: every classical one)."),
                     QStringLiteral("list")});
        p.addOption({QStringLiteral("real"), QStringLiteral("bias-eval-rppg folder to evaluate as well."),
                     QStringLiteral("dir")});
        p.addOption({QStringLiteral("results"), QStringLiteral("Markdown file to update (section 'foundation')."),
                     QStringLiteral("file")});
        p.addOption({QStringLiteral("work"), QStringLiteral("Keep the generated videos in <dir>."), QStringLiteral("dir")});
        if (auto code = parseCommandLine(p, args))
            return *code;
        const bool quick = p.isSet(QStringLiteral("quick"));
        bool okDur = false;
        double duration = p.value(QStringLiteral("duration")).toDouble(&okDur);
        if (!okDur || duration < 12 || duration > 600)
            return fail(ErrorCode::Usage, QStringLiteral("--duration must be 12..600 s"));
        if (quick)
            duration = std::min(duration, 15.0);
        QStringList methods;
        if (p.isSet(QStringLiteral("methods"))) {
            methods = p.value(QStringLiteral("methods")).split(QLatin1Char(','), Qt::SkipEmptyParts);
        } else {
            for (const QString &m : MethodRegistry::instance().names())
                if (MethodRegistry::instance().find(m)->input == MethodInput::RgbTrace)
                    methods << m;
        }
        std::vector<std::unique_ptr<PulseMethod>> methodObjs;
        for (const QString &m : methods) {
            auto made = MethodRegistry::instance().create(m);
            if (!made.ok())
                return fail(made.error());
            methodObjs.push_back(std::move(made.value()));
        }

        QTemporaryDir tmp;
        QString workDir = p.value(QStringLiteral("work"));
        if (workDir.isEmpty()) {
            if (!tmp.isValid())
                return fail(ErrorCode::WriteFailed, QStringLiteral("cannot create a temporary folder"));
            workDir = tmp.path();
        } else if (!QDir().mkpath(workDir)) {
            return fail(ErrorCode::WriteFailed, QStringLiteral("cannot create '%1'").arg(workDir));
        }

        std::vector<Subject> subjects = kSubjects;
        if (quick)
            subjects = {kSubjects[1], kSubjects[3], kSubjects[5], kSubjects[7]};
        const std::vector<Variant> vars = variants();
        std::map<std::pair<QString, QString>, Scores> scores;   // (method, variant label)
        QElapsedTimer total;
        total.start();

        // 1. Synthetic set: render each subject once, encode it in every variant, analyse.
        for (size_t si = 0; si < subjects.size(); ++si) {
            const Subject &s = subjects[si];
            SynthConfig sc;
            sc.durationSec = duration;
            sc.seed = s.seed;
            sc.pulse.meanHrBpm = s.hrBpm;
            sc.pulse.sdnnMs = 30;
            sc.fitzpatrick = s.skin;
            sc.illuminationDrift = s.drift;
            sc.flickerAmplitude = s.flicker;
            sc.noiseSigma = 1.5;
            sc.writeMasks = false;
            applyMotionPreset(sc, QString::fromLatin1(s.motion));
            for (const Variant &v : vars) {
                SynthVariant sv;
                const QString ext = v.codec == QLatin1String("mpeg4") ? QStringLiteral("avi")
                                    : v.codec == QLatin1String("ffv1") ? QStringLiteral("mkv")
                                                                       : QStringLiteral("mp4");
                sv.videoPath = QDir(workDir).filePath(QStringLiteral("s%1_%2_%3.%4").arg(si).arg(v.codec)
                                                          .arg(v.bitrateBps / 1000).arg(ext));
                sv.encoder.codec = v.codec;
                sv.encoder.bitrateBps = v.bitrateBps;
                sv.encoder.threads = 2;
                if (v.codec == QLatin1String("x265"))
                    sv.encoder.preset = QStringLiteral("fast");   // medium takes ~4x longer for this set
                sc.variants.push_back(sv);
            }
            std::fprintf(stderr, "subject %zu/%zu: %.0f bpm, motion %s, skin type %d: rendering %zu variants\n",
                         si + 1, subjects.size(), s.hrBpm, s.motion, s.skin, vars.size());
            auto synth = generateSynthVideo(sc, {}, interruptFlag());
            if (!synth.ok())
                return fail(synth.error());
            auto ref = readHrReference(synth->groundTruthPath);
            if (!ref.ok())
                return fail(ref.error());
            for (size_t vi = 0; vi < vars.size(); ++vi) {
                AnalysisConfig config;
                auto analysed = analyzeFile(sc.variants[vi].videoPath, config, {}, interruptFlag());
                if (!analysed.ok()) {
                    std::fprintf(stderr, "  %s: %s\n", qPrintable(vars[vi].label()), qPrintable(analysed.error().message));
                    continue;
                }
                for (const auto &m : methodObjs) {
                    const SignalResult sig = analyzeSignal(analysed->frames, m.get(), config);
                    Scores &sco = scores[{m->name(), vars[vi].label()}];
                    sco.windows += int(sig.windows.size());
                    for (const WindowEstimate &w : sig.windows)
                        if (std::isfinite(w.hrBpm))
                            sco.addWindow(w.hrBpm, ref->windowHr(w.startSec, w.endSec));
                    if (sig.hasHr())
                        sco.videoErr.push_back(std::abs(sig.hrBpm - ref->recordingHr(config.windowSec)));
                    sco.kbpsSum += synth->variantStats[vi].achievedBitrateBps / 1000.0;
                    sco.kbpsCount++;
                }
            }
        }

        // 2. Speed on one core: the 640x480 x264 1000k video of the first subject.
        struct Speed { QString what; double fps; double realtime; };
        std::vector<Speed> speeds;
        const QString speedVideo = QDir(workDir).filePath(QStringLiteral("s0_x264_1000.mp4"));
        {
            VideoFileSource src;
            if (!src.open(speedVideo).isError()) {
                QElapsedTimer t;
                t.start();
                VideoFrame f;
                int64_t n = 0;
                double last = 0;
                onOneCore([&] {
                    while (src.read(f) == ReadStatus::Frame) {
                        ++n;
                        last = f.ptsUs / 1e6;
                    }
                    return 0;
                });
                const double sec = t.elapsed() / 1000.0;
                speeds.push_back({QStringLiteral("decode only (FFmpeg, 1 thread)"), n / sec, (last + 1.0 / 30) / sec});
            }
            for (const QString &m : methods) {
                AnalysisConfig config;
                config.method = m;
                auto r = onOneCore([&] { return analyzeFile(speedVideo, config); });
                if (r.ok()) {
                    const double dur = r->frames.back().timeSec + 1.0 / 30;
                    speeds.push_back({QStringLiteral("%1 end to end (decode + track + extract + HR)").arg(m.toUpper()),
                                      r->frames.size() / r->processingSec, dur / r->processingSec});
                }
            }
        }

        // 3. Real skin videos (whole frame: they are already cropped skin patches).
        std::map<QString, std::vector<std::pair<double, double>>> realErr;   // method → (est, ref)
        std::map<QString, std::vector<std::pair<double, double>>> realSubjectErr;
        QStringList realProblems;
        int realClips = 0;
        const QString realRoot = p.value(QStringLiteral("real"));
        if (!realRoot.isEmpty()) {
            const auto clips = findRealClips(realRoot, realProblems);
            realClips = int(clips.size());
            // Per subject, the three patches (forehead, both cheeks) are simultaneous views of
            // one pulse: their band-limited spectra, each normalised to unit power, are summed
            // and the peak of the sum is the subject's estimate (multi-region fusion).
            std::map<QString, std::map<QString, dsp::Spectrum>> fused;   // method → subject → spectrum
            std::map<QString, double> subjectRef;
            for (const RealClip &clip : clips) {
                AnalysisConfig config;
                config.roi.mode = RoiMode::FullFrame;
                auto r = analyzeFile(clip.path, config, {}, interruptFlag());
                if (!r.ok()) {
                    realProblems << QStringLiteral("%1: %2").arg(QFileInfo(clip.path).fileName(), r.error().message);
                    continue;
                }
                subjectRef[clip.subject] = clip.refBpm;
                for (const auto &m : methodObjs) {
                    const SignalResult sig = analyzeSignal(r->frames, m.get(), config);
                    realErr[m->name()].push_back({sig.hrBpm, clip.refBpm});
                    std::vector<double> valid;
                    for (size_t k = 0; k < sig.pulse.size(); ++k)
                        if (sig.valid[k])
                            valid.push_back(sig.pulse[k]);
                    const auto spec = dsp::welch(valid, sig.fsHz, int(config.windowSec * sig.fsHz), 0.5, 4096);
                    double total = 0;
                    for (size_t k = 0; k < spec.power.size(); ++k)
                        if (spec.frequency(int(k)) >= config.bandLowHz && spec.frequency(int(k)) <= config.bandHighHz)
                            total += spec.power[k];
                    if (total <= 0)
                        continue;
                    dsp::Spectrum &acc = fused[m->name()][clip.subject];
                    if (acc.power.empty()) {
                        acc.binHz = spec.binHz;
                        acc.power.assign(spec.power.size(), 0.0);
                    }
                    if (acc.power.size() == spec.power.size())
                        for (size_t k = 0; k < spec.power.size(); ++k)
                            acc.power[k] += spec.power[k] / total;
                }
            }
            for (auto &[m, subj] : fused)
                for (auto &[s, spec] : subj) {
                    const auto peak = dsp::spectralPeak(spec, 0.7, 4.0);
                    realSubjectErr[m].push_back({peak.valid ? peak.frequencyHz * 60.0 : NAN, subjectRef[s]});
                }
        }

        // 4. Report.
        QString md;
        QTextStream out(&md);
        out << "## Foundation: classical methods (`rppg bench`)\n\n"
            << "- Machine: " << cpuModel() << ", " << QThread::idealThreadCount() << " logical CPUs, "
            << QSysInfo::prettyProductName() << "\n"
            << "- Date: " << QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'")) << "\n"
            << "- Commit: " << gitCommit() << " (rppg " RPPG_VERSION_STRING ")\n"
            << "- Command: `rppg bench" << (quick ? " --quick" : "") << (realRoot.isEmpty() ? "" : " --real …")
            << "` (" << QString::number(total.elapsed() / 60000.0, 'f', 1) << " min)\n"
            << "- Synthetic set: " << subjects.size() << " subjects × " << duration << " s, 640×480 at 30 fps, HR "
            << "52–150 bpm, motion none/mild/strong, Fitzpatrick I–VI, illumination drift, sensor noise σ 1.5; "
            << "each rendered once and encoded losslessly (FFV1) and with x264, x265 (preset fast) and MPEG-4 "
            << "at 1000k, 500k and 250k. Scores over 10 s windows (1 s hop) against the ground-truth HR of the "
            << "same window; *video MAE* is the whole-recording estimate.\n\n";
        out << "### Accuracy on synthetic video\n\n"
            << "| method | variant | achieved kb/s | MAE (bpm) | RMSE (bpm) | r | video MAE (bpm) | windows with HR |\n"
            << "|---|---|---|---|---|---|---|---|\n";
        for (const auto &m : methodObjs) {
            for (const Variant &v : vars) {
                auto it = scores.find({m->name(), v.label()});
                if (it == scores.end())
                    continue;
                const Scores &s = it->second;
                out << "| " << m->name().toUpper() << " | " << v.label() << " | "
                    << fmt(s.kbpsCount ? s.kbpsSum / s.kbpsCount : NAN, 0) << " | " << fmt(s.mae()) << " | "
                    << fmt(s.rmse()) << " | " << fmt(dsp::pearson(s.est, s.ref), 3) << " | "
                    << fmt(dsp::mean(s.videoErr)) << " | " << fmt(100 * s.coverage(), 0) << " % |\n";
            }
        }
        out << "\n### Speed (one CPU core, " << QFileInfo(speedVideo).fileName() << ": 640×480, 30 fps, H.264 1000k)\n\n"
            << "| stage | frames/s | × real time |\n|---|---|---|\n";
        for (const Speed &s : speeds)
            out << "| " << s.what << " | " << fmt(s.fps, 0) << " | " << fmt(s.realtime, 1) << " |\n";
        if (!realRoot.isEmpty()) {
            out << "\n### Real skin videos (bias-eval-rppg, whole frame)\n\n"
                << realClips << " clips (forehead and cheek patches, 15 fps, MPEG-4), reference: one contact HR per "
                << "subject. Per clip: whole-recording HR; per subject: the peak of the summed, normalised spectra of its three patches.\n\n"
                << "| method | clip MAE (bpm) | clip RMSE | clips within 5 bpm | subject MAE (bpm) |\n|---|---|---|---|---|\n";
            for (const auto &m : methodObjs) {
                const auto &e = realErr[m->name()];
                double sa = 0, ss = 0;
                int n = 0, within = 0;
                for (const auto &[est, ref] : e) {
                    const double err = std::isfinite(est) ? est - ref : 60.0;   // no estimate counts as a miss
                    sa += std::abs(err);
                    ss += err * err;
                    within += std::abs(err) <= 5;
                    ++n;
                }
                double subj = 0;
                for (const auto &[est, ref] : realSubjectErr[m->name()])
                    subj += std::isfinite(est) ? std::abs(est - ref) : 60.0;
                out << "| " << m->name().toUpper() << " | " << fmt(n ? sa / n : NAN) << " | "
                    << fmt(n ? std::sqrt(ss / n) : NAN) << " | " << within << " / " << n << " | "
                    << fmt(realSubjectErr[m->name()].empty() ? NAN : subj / realSubjectErr[m->name()].size()) << " |\n";
            }
            for (const QString &pr : realProblems)
                out << "\n- skipped: " << pr;
            out << "\n";
        }
        out << "\n";
        out.flush();
        std::printf("%s", qPrintable(md));
        if (p.isSet(QStringLiteral("results"))) {
            if (Error e = writeResultsSection(p.value(QStringLiteral("results")), md); e.isError())
                return fail(e);
            std::fprintf(stderr, "results written to %s\n", qPrintable(p.value(QStringLiteral("results"))));
        }
        return kExitOk;
    };
    return c;
}

} // namespace rppg::cli
