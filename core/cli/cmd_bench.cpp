// rppg bench: accuracy and speed of the pipeline on a fixed set of synthetic videos (several HRs,
// motion levels, skin tones and codecs/bitrates), and on the real bias-eval-rppg skin videos when
// that folder is given. Prints the tables and writes them into a section of bench/RESULTS.md.

#include "bench_live.h"
#include "bench_soak.h"
#include "codecreport.h"
#include "codecstudy.h"
#include "commands.h"
#include "evaluation.h"
#include "dsp.h"
#include "groundtruth.h"
#include "offlineanalyzer.h"
#include "options.h"
#include "progressbar.h"
#include "respiration.h"
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

#include <algorithm>
#include <cmath>
#include <set>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <random>

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

// The accuracy set's subjects: the fixed eight above, then (for --subjects above 8) more drawn
// from a fixed seed, spread over the HR band, every motion level and skin type, so a larger set
// is the same from run to run and a superset of the smaller one.
std::vector<Subject> benchSubjects(int count)
{
    static const char *const kMotions[] = {"none", "mild", "strong"};
    std::vector<Subject> out(kSubjects.begin(), kSubjects.begin() + std::min<size_t>(kSubjects.size(), size_t(std::max(0, count))));
    for (int j = 0; int(out.size()) < count; ++j) {
        std::mt19937_64 rng(uint64_t(7000 + j));
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        Subject s{};
        s.hrBpm = std::round((48 + 102 * unit(rng)) * 2) / 2;
        s.motion = kMotions[j % 3];
        s.skin = 1 + (j * 5 + 2) % 6;
        s.drift = 0.05 * unit(rng);
        s.flicker = unit(rng) < 0.25 ? 0.003 + 0.007 * unit(rng) : 0.0;
        s.seed = uint64_t(200 + j);
        out.push_back(s);
    }
    return out;
}

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
    std::vector<std::pair<int, double>> key;   // per window: subject, window start (s)
    std::vector<double> videoErr;   // whole-recording |error| per video
    int windows = 0;                // windows in total (with or without an estimate)
    double kbpsSum = 0;
    int kbpsCount = 0;

    void addWindow(double e, double r, int subject, double startSec)
    {
        est.push_back(e);
        ref.push_back(r);
        key.push_back({subject, startSec});
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

// Replaces the section `name` of the results file (between its markers), or appends it.
Error writeResultsSection(const QString &path, const QString &name, const QString &section)
{
    const QString begin = QStringLiteral("<!-- rppg bench: %1 -->").arg(name);
    const QString end = QStringLiteral("<!-- /rppg bench: %1 -->").arg(name);
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

std::vector<BenchPart> &benchParts()
{
    static std::vector<BenchPart> parts;
    return parts;
}

} // namespace

void addBenchPart(const BenchPart &part)
{
    auto &parts = benchParts();
    for (BenchPart &p : parts)
        if (p.name == part.name) {
            p = part;
            return;
        }
    parts.push_back(part);
}

namespace {

QString machineLines(const QString &command, double minutes)
{
    return QStringLiteral("- Machine: %1, %2 logical CPUs, %3\n- Date: %4\n- Commit: %5 (rppg " RPPG_VERSION_STRING ")\n"
                          "- Command: `%6` (%7 min)\n")
        .arg(cpuModel()).arg(QThread::idealThreadCount()).arg(QSysInfo::prettyProductName())
        .arg(QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'")))
        .arg(gitCommit(), command).arg(minutes, 0, 'f', 1);
}

SynthConfig subjectConfig(const Subject &s, double duration)
{
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
    return sc;
}

SynthVariant variantFor(const QString &workDir, const QString &stem, const Variant &v)
{
    SynthVariant sv;
    const QString ext = v.codec == QLatin1String("mpeg4") ? QStringLiteral("avi")
                        : v.codec == QLatin1String("ffv1") ? QStringLiteral("mkv")
                                                           : QStringLiteral("mp4");
    sv.videoPath = QDir(workDir).filePath(QStringLiteral("%1_%2_%3.%4").arg(stem, v.codec).arg(v.bitrateBps / 1000).arg(ext));
    sv.encoder.codec = v.codec;
    sv.encoder.bitrateBps = v.bitrateBps;
    sv.encoder.threads = 2;
    if (v.codec == QLatin1String("x265")) {
        sv.encoder.preset = QStringLiteral("fast");   // as in the codec study; medium takes ~3x longer
        // x265 with a pool of worker threads does not always give the same stream for the same
        // frames (stop 31: 1 of 16 benchmark videos differed between runs from its second frame
        // on, the rate control's early QPs), so a re-run would not compare exactly; one thread
        // (as the codec study and rppg synth use) keeps the benchmark reproducible.
        sv.encoder.threads = 1;
    }
    return sv;
}

// True when a face-video (neural) method is among `methods`: its results go to their own sections.
bool hasNeural(const QStringList &methods)
{
    for (const QString &m : methods)
        if (const MethodInfo *info = MethodRegistry::instance().find(m); info && info->input == MethodInput::FaceVideo)
            return true;
    return false;
}

struct BenchContext
{
    QString workDir;
    QStringList methods;
    std::vector<std::unique_ptr<PulseMethod>> methodObjs;
    bool quick = false;
    double duration = 20;
    int subjects = 0;              // --subjects; 0 = the default set (8, or 4 with --quick)
    bool methodsGiven = false;
    QStringList variantLabels;     // --variants as given ("lossless", "x264@250k"); empty = all
    std::vector<Variant> variants; // the accuracy set those select

    // The options that shaped a part's results, for its "Command" line.
    QString selectionArgs() const
    {
        QString args;
        if (subjects > 0)
            args += QStringLiteral(" --subjects %1").arg(subjects);
        if (!variantLabels.isEmpty())
            args += QStringLiteral(" --variants ") + variantLabels.join(QLatin1Char(','));
        if (methodsGiven)
            args += QStringLiteral(" --methods ") + methods.join(QLatin1Char(','));
        return args;
    }
};

// The accuracy variants, narrowed to `wanted` ("lossless" or "ffv1", "codec@kbps" with or without
// the k). Error: Usage for a label that is not in the set.
Result<std::vector<Variant>> selectVariants(const QStringList &wanted)
{
    const std::vector<Variant> all = variants();
    if (wanted.isEmpty())
        return all;
    std::vector<Variant> out;
    for (const Variant &v : all) {
        const QString key = v.bitrateBps > 0 ? QStringLiteral("%1@%2k").arg(v.codec).arg(v.bitrateBps / 1000)
                                             : QStringLiteral("lossless");
        for (QString w : wanted) {
            w = w.trimmed().toLower();
            if (w == QLatin1String("ffv1"))
                w = QStringLiteral("lossless");
            if (w.contains(QLatin1Char('@')) && !w.endsWith(QLatin1Char('k')))
                w += QLatin1Char('k');
            if (w == key) {
                out.push_back(v);
                break;
            }
        }
    }
    if (out.size() != size_t(wanted.size()))
        return Error{ErrorCode::Usage, QStringLiteral("--variants: use lossless and codec@kbps with codec x264, x265 or "
                                                      "mpeg4 and kbps 1000, 500 or 250 (e.g. lossless,x264@250k)")};
    return out;
}

// The paired comparisons behind the neural issue's claims (STVEN + rPPGNet against rPPGNet, and
// each network against POS), for the methods present: per variant, the mean over windows both
// methods scored of |error A| − |error B|, with a bootstrap interval over subjects.
QString pairedComparisons(const QStringList &methods, const std::vector<Variant> &vars,
                          const std::map<std::pair<QString, QString>, Scores> &scores)
{
    const std::vector<std::pair<QString, QString>> wanted = {{QStringLiteral("stven+rppgnet"), QStringLiteral("rppgnet")},
                                                             {QStringLiteral("rppgnet"), QStringLiteral("pos")},
                                                             {QStringLiteral("stven+rppgnet"), QStringLiteral("pos")}};
    QString md;
    QTextStream out(&md);
    bool any = false;
    for (const auto &[a, b] : wanted) {
        if (!methods.contains(a) || !methods.contains(b))
            continue;
        for (const Variant &v : vars) {
            auto ia = scores.find({a, v.label()}), ib = scores.find({b, v.label()});
            if (ia == scores.end() || ib == scores.end())
                continue;
            std::map<std::pair<int, double>, double> errB;
            for (size_t i = 0; i < ib->second.key.size(); ++i)
                errB[ib->second.key[i]] = std::abs(ib->second.est[i] - ib->second.ref[i]);
            std::vector<double> d;
            std::vector<int> subject;
            for (size_t i = 0; i < ia->second.key.size(); ++i) {
                auto it = errB.find(ia->second.key[i]);
                if (it == errB.end())
                    continue;
                d.push_back(std::abs(ia->second.est[i] - ia->second.ref[i]) - it->second);
                subject.push_back(ia->second.key[i].first);
            }
            const dsp::PairedDifference p = dsp::clusteredBootstrapMean(d, subject);
            if (!any) {
                out << "Paired: mean over the windows both methods scored of |error A| − |error B| (negative: A is "
                    << "better), with a 95 % bootstrap interval that resamples whole subjects. An interval that spans "
                    << "0 does not separate the two methods on this set.\n\n"
                    << "| A − B | variant | difference (bpm) | 95 % interval | windows | subjects |\n"
                    << "|---|---|---|---|---|---|\n";
                any = true;
            }
            out << "| " << a.toUpper() << " − " << b.toUpper() << " | " << v.label() << " | " << fmt(p.mean) << " | "
                << (std::isfinite(p.lo) ? QStringLiteral("%1 to %2").arg(fmt(p.lo), fmt(p.hi)) : QStringLiteral("–"))
                << " | " << p.pairs << " | " << p.clusters << " |\n";
        }
    }
    if (any)
        out << "\n";
    out.flush();
    return md;
}

// Accuracy over the synthetic codec set: each subject rendered once, encoded in every variant.
// "lossless, x264 250k, ..." for a part's description.
QString variantList(const std::vector<Variant> &vars)
{
    QStringList labels;
    for (const Variant &v : vars)
        labels << v.label();
    return labels.join(QStringLiteral(", "));
}

// Runs the context's methods on one encoding of a subject. One that cannot be analysed is
// reported on stderr and skipped (nullopt); Ctrl-C ends the part (Cancelled).
Result<std::optional<MultiAnalysis>> analyseVariant(const BenchContext &ctx, const QString &path,
                                                    const Variant &variant, const AnalysisConfig &config)
{
    auto analysed = analyzeFileMethods(path, config, ctx.methods, {}, interruptFlag());
    if (analysed.ok())
        return std::optional<MultiAnalysis>(std::move(analysed.value()));
    if (analysed.error().code == ErrorCode::Cancelled)
        return analysed.error();
    std::fprintf(stderr, "  %s: %s\n", qPrintable(variant.label()), qPrintable(analysed.error().message));
    return std::optional<MultiAnalysis>();
}

Result<QString> accuracyPart(BenchContext &ctx)
{
    QElapsedTimer total;
    total.start();
    std::vector<Subject> subjects = benchSubjects(ctx.subjects > 0 ? ctx.subjects : int(kSubjects.size()));
    if (ctx.quick && ctx.subjects == 0)
        subjects = {kSubjects[1], kSubjects[3], kSubjects[5], kSubjects[7]};
    const std::vector<Variant> &vars = ctx.variants;
    std::map<std::pair<QString, QString>, Scores> scores;   // (method, variant label)
    for (size_t si = 0; si < subjects.size(); ++si) {
        const Subject &s = subjects[si];
        SynthConfig sc = subjectConfig(s, ctx.duration);
        for (const Variant &v : vars)
            sc.variants.push_back(variantFor(ctx.workDir, QStringLiteral("s%1").arg(si), v));
        std::fprintf(stderr, "subject %zu/%zu: %.0f bpm, motion %s, skin type %d: rendering %zu variants\n", si + 1,
                     subjects.size(), s.hrBpm, s.motion, s.skin, vars.size());
        auto synth = generateSynthVideo(sc, {}, interruptFlag());
        if (!synth.ok())
            return synth.error();
        auto ref = readHrReference(synth->groundTruthPath);
        if (!ref.ok())
            return ref.error();
        for (size_t vi = 0; vi < vars.size(); ++vi) {
            const AnalysisConfig config;
            auto analysed = analyseVariant(ctx, sc.variants[vi].videoPath, vars[vi], config);
            if (!analysed.ok())
                return analysed.error();
            if (!analysed.value())
                continue;
            for (const MethodSignal &m : analysed.value()->methods) {
                const SignalResult &sig = m.signal;
                Scores &sco = scores[{m.method, vars[vi].label()}];
                sco.windows += int(sig.windows.size());
                for (const WindowEstimate &w : sig.windows)
                    if (std::isfinite(w.hrBpm))
                        sco.addWindow(w.hrBpm, ref->windowHr(w.startSec, w.endSec), int(si), w.startSec);
                if (sig.hasHr())
                    sco.videoErr.push_back(std::abs(sig.hrBpm - ref->recordingHr(config.windowSec)));
                sco.kbpsSum += synth->variantStats[vi].achievedBitrateBps / 1000.0;
                sco.kbpsCount++;
            }
        }
    }
    QString md;
    QTextStream out(&md);
    out << (hasNeural(ctx.methods) ? "## Neural methods: accuracy next to the classical ones on the synthetic codec set\n\n"
                                   : "## Foundation: accuracy of the classical methods on the synthetic codec set\n\n")
        << machineLines(QStringLiteral("rppg bench --parts accuracy%1%2")
                                    .arg(ctx.quick ? QStringLiteral(" --quick") : QString(), ctx.selectionArgs()),
                        total.elapsed() / 60000.0)
        << "- Set: " << subjects.size() << " subjects × " << ctx.duration << " s, 640×480 at 30 fps, HR "
        << [&subjects] {
               auto [lo, hi] = std::minmax_element(subjects.begin(), subjects.end(),
                                                   [](const Subject &a, const Subject &b) { return a.hrBpm < b.hrBpm; });
               return QStringLiteral("%1–%2").arg(lo->hrBpm).arg(hi->hrBpm);
           }()
        << " bpm, motion none/mild/strong, Fitzpatrick I–VI, illumination drift, sensor noise σ 1.5, pulse "
        << "modulation 0.8 % peak to peak (green); each rendered once and encoded "
        << (ctx.variantLabels.isEmpty() ? QStringLiteral("losslessly (FFV1) and with x264, x265 (preset fast) and MPEG-4 at "
                                                    "1000k, 500k and 250k")
                                   : QStringLiteral("as: %1 (lossless = FFV1; x265 preset fast)").arg(variantList(vars)))
        << ".\n"
        << "- Scores: 10 s windows (1 s hop) against the reference HR of the same window (the spectral peak of the "
        << "true PPG, processed like the estimate); *video MAE*: whole-recording estimate against the whole-recording "
        << "reference.\n\n"
        << "| method | variant | achieved kb/s | MAE (bpm) | RMSE (bpm) | r | video MAE (bpm) | windows with HR |\n"
        << "|---|---|---|---|---|---|---|---|\n";
    for (const QString &m : ctx.methods) {
        for (const Variant &v : vars) {
            auto it = scores.find({m, v.label()});
            if (it == scores.end())
                continue;
            const Scores &s = it->second;
            out << "| " << m.toUpper() << " | " << v.label() << " | " << fmt(s.kbpsCount ? s.kbpsSum / s.kbpsCount : NAN, 0)
                << " | " << fmt(s.mae()) << " | " << fmt(s.rmse()) << " | " << fmt(dsp::pearson(s.est, s.ref), 3) << " | "
                << fmt(dsp::mean(s.videoErr)) << " | " << fmt(100 * s.coverage(), 0) << " % |\n";
        }
    }
    out << "\n" << pairedComparisons(ctx.methods, vars, scores);
    out.flush();
    return md;
}

// Renders each subject `duration` s long in every variant (stem<index>_…), set up by `setup` (which
// returns the progress line's description), and hands each method's analysis of each variant to
// `visit` with the render's result. The first error ends it.
Error renderAndAnalyse(BenchContext &ctx, const std::vector<Subject> &subjects, double duration,
                       const std::vector<Variant> &vars, const QString &stem,
                       const std::function<QString(size_t, SynthConfig &)> &setup,
                       const std::function<void(const SynthResult &, const Variant &, const MethodSignal &)> &visit)
{
    for (size_t si = 0; si < subjects.size(); ++si) {
        SynthConfig sc = subjectConfig(subjects[si], duration);
        const QString what = setup(si, sc);
        for (const Variant &v : vars)
            sc.variants.push_back(variantFor(ctx.workDir, stem + QString::number(si), v));
        std::fprintf(stderr, "subject %zu/%zu: %s, motion %s: rendering %zu variants\n", si + 1, subjects.size(),
                     qPrintable(what), subjects[si].motion, vars.size());
        auto synth = generateSynthVideo(sc, {}, interruptFlag());
        if (!synth.ok())
            return synth.error();
        for (size_t vi = 0; vi < vars.size(); ++vi) {
            auto analysed = analyseVariant(ctx, sc.variants[vi].videoPath, vars[vi], AnalysisConfig{});
            if (!analysed.ok())
                return analysed.error();
            if (analysed.value())
                for (const MethodSignal &m : analysed.value()->methods)
                    visit(synth.value(), vars[vi], m);
        }
    }
    return {};
}

// Calls `row` for each (method, variant) of `tally`, methods then variants in their given order.
template <class Tally, class Row>
void forEachTallyRow(const QStringList &methods, const std::vector<Variant> &vars,
                     const std::map<std::pair<QString, QString>, Tally> &tally, Row row)
{
    for (const QString &m : methods)
        for (const Variant &v : vars)
            if (auto it = tally.find({m, v.label()}); it != tally.end())
                row(m, v, it->second);
}

// Breathing rate from the pulse: the accuracy subjects, each breathing at a known rate, 60 s or
// longer (the estimate needs 30 s windows), scored on the whole recording and on the windows.
Result<QString> breathingPart(BenchContext &ctx)
{
    QElapsedTimer total;
    total.start();
    static const double kRates[] = {8, 12, 16, 20, 10, 14, 18, 24};
    std::vector<Subject> subjects = benchSubjects(ctx.subjects > 0 ? ctx.subjects : int(kSubjects.size()));
    if (ctx.quick && ctx.subjects == 0)
        subjects.resize(3);
    const double duration = std::max(ctx.quick ? 40.0 : 60.0, ctx.duration);
    std::vector<Variant> vars = ctx.variants;
    if (ctx.variantLabels.isEmpty())
        vars = selectVariants({QStringLiteral("lossless"), QStringLiteral("x264@1000k"), QStringLiteral("x264@250k")}).value();
    struct Tally
    {
        std::vector<double> videoErr;   // |error| of the whole-recording rate, per video with one
        int videos = 0;
        int windows = 0, withRate = 0, good = 0, goodWithin2 = 0;
        double windowErrSum = 0, goodErrSum = 0;
    };
    std::map<std::pair<QString, QString>, Tally> tally;   // (method, variant label)
    double truth = 0;
    const Error e = renderAndAnalyse(
        ctx, subjects, duration, vars, QStringLiteral("b"),
        [&](size_t si, SynthConfig &sc) {
            sc.pulse.sdnnMs = 40;
            sc.pulse.respirationHz = kRates[si % std::size(kRates)] / 60.0;
            truth = sc.pulse.respirationHz * 60.0;
            return QStringLiteral("%1 bpm, breathing %2 /min").arg(subjects[si].hrBpm).arg(truth);
        },
        [&](const SynthResult &, const Variant &v, const MethodSignal &m) {
            Tally &t = tally[{m.method, v.label()}];
            t.videos++;
            if (m.signal.respiration.hasRate())
                t.videoErr.push_back(std::abs(m.signal.respiration.ratePerMin - truth));
            for (const RespirationEstimate &w : m.signal.respirationWindows) {
                t.windows++;
                if (!w.hasRate())
                    continue;
                const double err = std::abs(w.ratePerMin - truth);
                t.withRate++;
                t.windowErrSum += err;
                if (w.quality == Quality::Good) {
                    t.good++;
                    t.goodErrSum += err;
                    t.goodWithin2 += err <= 2.0;
                }
            }
        });
    if (e.isError())
        return e;
    QString md;
    QTextStream out(&md);
    out << "## Breathing rate from the pulse on the synthetic set\n\n"
        << machineLines(QStringLiteral("rppg bench --parts breathing%1%2")
                            .arg(ctx.quick ? QStringLiteral(" --quick") : QString(), ctx.selectionArgs()),
                        total.elapsed() / 60000.0)
        << "- Set: " << subjects.size() << " of the accuracy subjects (HR, motion, skin, light as there) × " << duration
        << " s, SDNN 40 ms, breathing at 8–24 per minute (respiratory sinus arrhythmia in the beat intervals, 7 % "
        << "modulation of the beat amplitudes, head movement with breathing where there is motion); encoded as: "
        << variantList(vars)
        << ".\n- Scores in breaths per minute against the rate the video was made with: the whole recording, and 30 s "
        << "windows (1 s hop); *trusted*: the windows marked ok (beat intervals and amplitudes agree).\n\n"
        << "| method | variant | video MAE | videos with a rate | window MAE | trusted windows | trusted MAE | trusted within 2 /min |\n"
        << "|---|---|---|---|---|---|---|---|\n";
    forEachTallyRow(ctx.methods, vars, tally, [&](const QString &m, const Variant &v, const Tally &t) {
        out << "| " << m.toUpper() << " | " << v.label() << " | " << fmt(t.videoErr.empty() ? NAN : dsp::mean(t.videoErr))
            << " | " << t.videoErr.size() << " / " << t.videos << " | "
            << fmt(t.withRate ? t.windowErrSum / t.withRate : NAN) << " | "
            << fmt(t.windows ? 100.0 * t.good / t.windows : NAN, 0) << " % | "
            << fmt(t.good ? t.goodErrSum / t.good : NAN) << " | "
            << (t.good ? QStringLiteral("%1 %").arg(fmt(100.0 * t.goodWithin2 / t.good, 0)) : QStringLiteral("–"))
            << " |\n";
    });
    out << "\n";
    out.flush();
    return md;
}

// HRV and its rating (SignalResult::hrvQuality): accuracy subjects at the generator's typical
// variability for their rate, SDNN against the ground truth's, apart for the analyses rated ok and
// low. "Right": within 10 ms or 20 % of the truth.
Result<QString> hrvPart(BenchContext &ctx)
{
    QElapsedTimer total;
    total.start();
    std::vector<Subject> subjects = benchSubjects(ctx.subjects > 0 ? ctx.subjects : 16);
    if (ctx.quick && ctx.subjects == 0)
        subjects.resize(4);
    const double duration = std::max(30.0, ctx.duration);
    std::vector<Variant> vars = ctx.variants;
    if (ctx.variantLabels.isEmpty())
        vars = selectVariants({QStringLiteral("lossless"), QStringLiteral("x264@1000k"), QStringLiteral("x264@500k")}).value();
    struct Side
    {
        std::vector<double> err;
        int right = 0;
        void add(double e, double truth)
        {
            err.push_back(e);
            right += e <= std::max(10.0, 0.2 * truth);
        }
    };
    struct Tally
    {
        int videos = 0, withHrv = 0;
        Side ok, low;
    };
    std::map<std::pair<QString, QString>, Tally> tally;   // (method, variant label)
    const Error e = renderAndAnalyse(
        ctx, subjects, duration, vars, QStringLiteral("h"),
        [&](size_t si, SynthConfig &sc) {
            sc.pulse.sdnnMs = typicalSdnnMs(subjects[si].hrBpm);
            return QStringLiteral("%1 bpm, SDNN %2 ms").arg(subjects[si].hrBpm).arg(sc.pulse.sdnnMs, 0, 'f', 0);
        },
        [&](const SynthResult &synth, const Variant &v, const MethodSignal &m) {
            Tally &t = tally[{m.method, v.label()}];
            t.videos++;
            if (!m.signal.hrv.valid)
                return;
            t.withHrv++;
            const double truth = synth.sdnnMs;
            (m.signal.hrvQuality == Quality::Good ? t.ok : t.low).add(std::abs(m.signal.hrv.sdnnMs - truth), truth);
        });
    if (e.isError())
        return e;
    auto side = [](const Side &s) {
        if (s.err.empty())
            return QStringLiteral("0 | – | – | –");
        return QStringLiteral("%1 | %2 | %3 | %4").arg(s.err.size()).arg(fmt(dsp::median(s.err))).arg(fmt(*std::max_element(s.err.begin(), s.err.end())))
            .arg(s.right);
    };
    QString md;
    QTextStream out(&md);
    out << "## HRV and its rating on the synthetic set\n\n"
        << machineLines(QStringLiteral("rppg bench --parts hrv%1%2").arg(ctx.quick ? QStringLiteral(" --quick") : QString(), ctx.selectionArgs()),
                        total.elapsed() / 60000.0)
        << "- Set: " << subjects.size() << " of the accuracy subjects (HR, motion, skin, light as there) × " << duration
        << " s, SDNN typical for the rate (`rppg synth`'s default: 40 ms × (72 / HR)²), breathing 15 per minute; encoded as: "
        << variantList(vars)
        << ".\n- SDNN error in ms against the ground truth's (the generated beats), apart for the analyses whose HRV was "
        << "rated ok (`hrv_quality`: windows mostly ok, beats alike, few implausible intervals) and low; *right*: within "
        << "10 ms or 20 % of the truth.\n\n"
        << "| method | variant | with HRV | ok | ok: median error | ok: worst | ok: right | low | low: median error | low: worst | low: right |\n"
        << "|---|---|---|---|---|---|---|---|---|---|---|\n";
    forEachTallyRow(ctx.methods, vars, tally, [&](const QString &m, const Variant &v, const Tally &t) {
        out << "| " << m.toUpper() << " | " << v.label() << " | " << t.withHrv << " / " << t.videos << " | " << side(t.ok)
            << " | " << side(t.low) << " |\n";
    });
    out << "\n";
    out.flush();
    return md;
}

// The speed and live parts' video: subject 3 (75 bpm, mild motion), 640×480, 30 fps, x264 1000k.
Result<QString> renderTimingVideo(const BenchContext &ctx, const QString &part, double seconds)
{
    SynthConfig sc = subjectConfig(kSubjects[2], seconds);
    sc.variants.push_back(variantFor(ctx.workDir, part, Variant{QStringLiteral("x264"), 1000000}));
    std::fprintf(stderr, "%s: rendering a %.0f s 640x480 H.264 video\n", qPrintable(part), seconds);
    auto synth = generateSynthVideo(sc, {}, interruptFlag());
    if (!synth.ok())
        return synth.error();
    return sc.variants[0].videoPath;
}

// Speed on one core: a 640×480, 30 fps H.264 video at 1000k.
Result<QString> speedPart(BenchContext &ctx)
{
    QElapsedTimer total;
    total.start();
    auto rendered = renderTimingVideo(ctx, QStringLiteral("speed"), 30);
    if (!rendered.ok())
        return rendered.error();
    const QString video = rendered.value();
    struct Speed
    {
        QString what;
        double fps;
        double realtime;
    };
    std::vector<Speed> speeds;
    VideoFileSource src;
    if (Error e = src.open(video); e.isError())
        return e;
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
    speeds.push_back({QStringLiteral("decode only (FFmpeg, 1 thread, BGR conversion)"), n / sec, (last + 1.0 / 30) / sec});
    for (const QString &m : ctx.methods) {
        AnalysisConfig config;
        config.method = m;
        auto r = onOneCore([&] { return analyzeFile(video, config); });
        if (!r.ok())
            return r.error();
        const double dur = r->frames.back().timeSec + 1.0 / 30;
        speeds.push_back({QStringLiteral("%1 end to end (decode + track + skin + extract + HR, model load included)").arg(m.toUpper()),
                          r->frames.size() / r->processingSec, dur / r->processingSec});
    }
    QString md;
    QTextStream out(&md);
    out << "## Foundation: speed on one CPU core\n\n"
        << machineLines(QStringLiteral("rppg bench --parts speed"), total.elapsed() / 60000.0)
        << "- Video: 30 s, 640×480, 30 fps, H.264 (x264) at 1000k, one face with mild motion; the process pinned to one "
        << "core (decode thread and processing share it).\n\n"
        << "| stage | frames/s | × real time |\n|---|---|---|\n";
    for (const Speed &s : speeds)
        out << "| " << s.what << " | " << fmt(s.fps, 0) << " | " << fmt(s.realtime, 1) << " |\n";
    out << "\n";
    out.flush();
    return md;
}

// Keeping up with a camera: each method alone, then all of them at once (the last as the main
// method, the others compared beside it, as in the window's Compare with), on a video fed at 30 fps.
Result<QString> livePart(BenchContext &ctx)
{
    QElapsedTimer total;
    total.start();
    const double seconds = ctx.quick ? 20 : 40;
    auto rendered = renderTimingVideo(ctx, QStringLiteral("live"), seconds);
    if (!rendered.ok())
        return rendered.error();
    const QString video = rendered.value();
    auto truth = readHrReference(groundTruthPathFor(video));
    if (!truth.ok())
        return truth.error();

    struct Row
    {
        QString label;
        LiveFeedResult r;
    };
    std::vector<Row> rows;
    const auto run = [&](const QString &label, const QString &method, const QStringList &compare,
                         bool witnesses = true) -> Error {
        std::fprintf(stderr, "live: %s\n", qPrintable(label));
        auto r = feedLive(video, method, compare, interruptFlag(), witnesses);
        if (!r.ok())
            return r.error();
        rows.push_back({label, r.value()});
        return {};
    };
    for (const QString &m : ctx.methods) {
        if (Error e = run(m.toUpper(), m, {}); e.isError())
            return e;
        // A network's windows are checked by POS and GREEN on the same skin: what that costs live.
        if (hasNeural({m}))
            if (Error e = run(m.toUpper() + QStringLiteral(" without the witness checks"), m, {}, false); e.isError())
                return e;
    }
    if (ctx.methods.size() > 1) {
        const QString main = ctx.methods.back();
        const QStringList others = ctx.methods.mid(0, ctx.methods.size() - 1);
        if (Error e = run(QStringLiteral("%1 with %2 compared").arg(main.toUpper(), others.join(QStringLiteral(", ")).toUpper()),
                          main, others);
            e.isError())
            return e;
    }

    QString md;
    QTextStream out(&md);
    out << "## Live: keeping up with a camera\n\n"
        << machineLines(QStringLiteral("rppg bench --parts live%1%2")
                            .arg(ctx.quick ? QStringLiteral(" --quick") : QString(),
                                 ctx.methodsGiven ? QStringLiteral(" --methods ") + ctx.methods.join(QLatin1Char(',')) : QString()),
                        total.elapsed() / 60000.0)
        << "- Feed: a " << fmt(seconds, 0) << " s, 640×480, 30 fps H.264 (x264 1000k) synthetic video, " << fmt(kSubjects[2].hrBpm, 0)
        << " bpm, mild motion, decoded on the feeding thread and handed to the live engine (the window's) at its own rate "
        << "with the camera's policy: the newest frame wins, a frame the engine has no room for (a queue of 4) is dropped. "
        << "Each method loads before the first frame.\n"
        << "- Lag: wall time from handing a frame over to the update that ends at it (updates every 0.5 s of media; the "
        << "end-of-stream update left out). A neural method's heart rate ends at its newest output, which trails the "
        << "frames by up to a clip and a half (up to 3 s at 30 fps), not counted here.\n"
        << "- HR error: the last update's window against the ground truth of the same window.\n"
        << "- A neural method runs twice: as the window runs it (its windows checked by POS and GREEN on the same skin, "
        << "the octave check) and without those checks (`--witness none`), so the difference is what they cost live.\n\n"
        << "| method | device | frames fed | dropped | first HR at (media s) | its lag (ms) | median lag (ms) | max lag (ms) | final HR error (bpm) |\n"
        << "|---|---|---|---|---|---|---|---|---|\n";
    for (const Row &row : rows) {
        const LiveFeedResult &r = row.r;
        const double expected = truth->windowHr(r.finalFromSec, r.finalToSec);
        out << "| " << row.label << " | " << r.device << " | " << r.fed << " | " << r.dropped << " ("
            << fmt(r.fed > 0 ? 100.0 * double(r.dropped) / double(r.fed) : 0.0, 1) << " %) | "
            << (std::isfinite(r.firstHrMediaSec) ? fmt(r.firstHrMediaSec, 1) : QStringLiteral("-")) << " | "
            << (std::isfinite(r.firstHrLagSec) ? fmt(1000 * r.firstHrLagSec, 1) : QStringLiteral("-")) << " | "
            << fmt(1000 * r.medianLagSec, 1) << " | " << fmt(1000 * r.maxLagSec, 1) << " | "
            << (std::isfinite(r.finalHrBpm) ? fmt(std::abs(r.finalHrBpm - expected), 1) : QStringLiteral("-")) << " |\n";
    }
    out << "\n";
    out.flush();
    return md;
}

// Real skin videos: every method on bias-eval-rppg (whole frame) through the evaluation engine.
Result<QString> realPart(BenchContext &ctx, const QString &root)
{
    QElapsedTimer total;
    total.start();
    auto scan = scanDataset(root + QStringLiteral(",roi=full"));
    if (!scan.ok())
        return scan.error();
    std::fprintf(stderr, "real: %zu clips\n", scan->items.size());
    auto res = runEvaluation({scan.value()}, ctx.methods, AnalysisConfig{}, {}, interruptFlag());
    if (!res.ok())
        return res.error();
    std::set<QString> subjects, groups;   // groups: the top folders (countries)
    for (const EvalItem &item : scan->items) {
        subjects.insert(item.subject);
        groups.insert(item.name.section(QLatin1Char('/'), 0, 0).replace(QLatin1Char('_'), QLatin1Char(' ')));
    }
    QString md;
    QTextStream out(&md);
    out << (hasNeural(ctx.methods) ? "## Neural methods: real skin videos (bias-eval-rppg)\n\n"
                                   : "## Foundation: real skin videos (bias-eval-rppg)\n\n")
        << machineLines(QStringLiteral("rppg bench --parts real --real …/bias-eval-rppg%1")
                            .arg(ctx.methodsGiven ? QStringLiteral(" --methods ") + ctx.methods.join(QLatin1Char(',')) : QString()),
                        total.elapsed() / 60000.0)
        << "- " << scan->items.size() << " clips: forehead and cheek patches of " << subjects.size()
        << " subjects with dark skin (" << QStringList(groups.begin(), groups.end()).join(QStringLiteral(", "))
        << "), 200×200 upscaled from 60×30 / 25×25 px, 15 fps, MPEG-4, 27–137 s; one contact HR per "
        << "subject. Whole frame as the skin region; whole-recording HR per clip.\n"
        << "- GREEN on the whole frame is the naive baseline.\n\n"
        << "| method | MAE (bpm) | RMSE (bpm) | MAPE | r | clips within 5 bpm | mean SNR (dB) |\n|---|---|---|---|---|---|---|\n";
    for (const MethodMetrics &m : res->metrics) {
        int within = 0, n = 0;
        for (const ItemResult &ir : res->items)
            for (const ItemOutcome &o : ir.outcomes)
                if (o.method == m.method) {
                    ++n;
                    within += std::abs(o.hrBpm - o.referenceHrBpm) <= 5;
                }
        out << "| " << m.method.toUpper() << " | " << fmt(m.maeBpm) << " | " << fmt(m.rmseBpm) << " | "
            << fmt(m.mapePercent, 1) << " % | " << fmt(m.pearsonR, 3) << " | " << within << " / " << n << " | "
            << fmt(m.meanSnrDb, 1) << " |\n";
    }
    for (const QString &pr : res->problems)
        out << "\n- skipped: " << pr;
    out << "\n";
    out.flush();
    return md;
}

// The default codec study on a 30 s 640×480 video, broken into its stages.
Result<QString> studyPart(BenchContext &ctx)
{
    QElapsedTimer total;
    total.start();
    SynthConfig sc = subjectConfig(kSubjects[2], 30);
    SynthVariant sv;
    sv.videoPath = QDir(ctx.workDir).filePath(QStringLiteral("study_source.mp4"));
    sv.encoder.codec = QStringLiteral("x264");
    sv.encoder.crf = 12;   // a high-quality source, as a camera would record
    sc.variants.push_back(sv);
    std::fprintf(stderr, "study: rendering a 30 s 640x480 source\n");
    auto synth = generateSynthVideo(sc, {}, interruptFlag());
    if (!synth.ok())
        return synth.error();
    CodecStudyConfig config;
    config.sourcePath = sv.videoPath;
    config.methods = ctx.methods;
    std::fprintf(stderr, "study: running the default study\n");
    auto r = runCodecStudy(config, {}, interruptFlag());
    if (!r.ok())
        return r.error();
    QString md;
    QTextStream out(&md);
    out << "## Codec study: time of the default study\n\n"
        << machineLines(QStringLiteral("rppg bench --parts study"), total.elapsed() / 60000.0)
        << "- Source: 30 s synthetic video, 640×480, 30 fps, x264 CRF 12 (" << fmt(synth->variantStats[0].achievedBitrateBps / 1e6, 1)
        << " Mb/s). Study: x264 (medium), x265 (fast) and MPEG-4 at 250k, 500k and 1000k; methods "
        << ctx.methods.join(QStringLiteral(", ")).toUpper() << "; both cores (encoders in parallel, two variant analyses at a time).\n\n"
        << "| stage | seconds |\n|---|---|\n"
        << "| encoding 9 variants (wall, source decode included) | " << fmt(r->encodeSec, 1) << " |\n"
        << "| decoding variants and source (summed over workers) | " << fmt(r->decodeSec, 1) << " |\n"
        << "| PSNR and SSIM (summed over workers) | " << fmt(r->qualitySec, 1) << " |\n"
        << "| tracking, skin, methods, HR (summed over workers) | " << fmt(r->analysisSec, 1) << " |\n"
        << "| **whole study (wall)** | **" << fmt(r->totalSec, 1) << "** |\n\n";
    out << "| variant | kb/s | PSNR (dB) | SSIM |";
    for (const QString &m : ctx.methods)
        out << ' ' << m.toUpper() << " window MAE |";
    out << "\n|---|---|---|---|" << QString(QStringLiteral("---|")).repeated(ctx.methods.size()) << "\n";
    for (const VariantResult &v : r->variants) {
        out << "| " << v.setting.label() << " | " << fmt(v.encode.achievedBitrateBps / 1000, 0) << " | " << fmt(v.meanPsnrDb, 1)
            << " | " << fmt(v.meanSsim, 3) << " |";
        for (const QString &m : ctx.methods)
            out << ' ' << fmt(v.outcome(m) ? v.outcome(m)->windowMaeBpm : NAN, 1) << " |";
        out << "\n";
    }
    out << "\n";
    for (const QString &f : codecTrendFindings(r.value()))
        out << "- " << f << "\n";
    out << "\n";
    out.flush();
    return md;
}

} // namespace

Command benchCommand()
{
    Command c;
    c.name = QStringLiteral("bench");
    c.summary = QStringLiteral("benchmarks: accuracy, speed, real videos, codec study (writes bench/RESULTS.md)");
    c.run = [](const QStringList &args) -> int {
        QCommandLineParser p;
        p.setApplicationDescription(QStringLiteral("Benchmarks the pipeline; each part prints a Markdown section and, "
                                                   "with --results, replaces its own section of that file."));
        addHelpOption(p);
        p.addOption({QStringLiteral("parts"), QStringLiteral("Parts to run: accuracy, speed, real, study, breathing, hrv, live, soak, and neural when "
                                                             "the networks are built in (default: the first four; real needs --real)."),
                     QStringLiteral("list"), QStringLiteral("accuracy,speed,real,study")});
        p.addOption({QStringLiteral("quick"), QStringLiteral("Fewer and shorter synthetic videos (a smoke run).")});
        p.addOption({QStringLiteral("duration"), QStringLiteral("Seconds per synthetic accuracy video (default 20)."),
                     QStringLiteral("sec"), QStringLiteral("20")});
        p.addOption({QStringLiteral("subjects"), QStringLiteral("Accuracy: synthetic subjects (default 8, the fixed set; more are "
                                                                "drawn from a fixed seed, for tighter intervals)."),
                     QStringLiteral("n")});
        p.addOption({QStringLiteral("methods"), QStringLiteral("Comma-separated methods (default: every classical one, and the neural ones when their weights load)."),
                     QStringLiteral("list")});
        p.addOption({QStringLiteral("variants"), QStringLiteral("Accuracy: only these encodings, e.g. lossless,x264@250k (default: "
                                                                "lossless and x264, x265, mpeg4 at 1000k, 500k, 250k)."),
                     QStringLiteral("list")});
        p.addOption({QStringLiteral("real"), QStringLiteral("bias-eval-rppg folder for the real part."), QStringLiteral("dir")});
        p.addOption({QStringLiteral("results"), QStringLiteral("Markdown file whose sections to update."), QStringLiteral("file")});
        p.addOption({QStringLiteral("work"), QStringLiteral("Keep the generated videos in <dir>."), QStringLiteral("dir")});
        p.addOption({QStringLiteral("soak-minutes"), QStringLiteral("Media time of the soak part in minutes (default 60)."),
                     QStringLiteral("min"), QStringLiteral("60")});
        p.addOption({QStringLiteral("soak-png"), QStringLiteral("Where the soak part writes its curve (default: soak.png next "
                                                                "to --results, else none)."), QStringLiteral("file")});
        if (auto code = parseCommandLine(p, args))
            return *code;
        BenchContext ctx;
        ctx.quick = p.isSet(QStringLiteral("quick"));
        bool okDur = false;
        ctx.duration = p.value(QStringLiteral("duration")).toDouble(&okDur);
        if (!okDur || ctx.duration < 12 || ctx.duration > 600)
            return fail(ErrorCode::Usage, QStringLiteral("--duration must be 12..600 s"));
        if (ctx.quick)
            ctx.duration = std::min(ctx.duration, 15.0);
        if (p.isSet(QStringLiteral("subjects"))) {
            bool okN = false;
            ctx.subjects = p.value(QStringLiteral("subjects")).toInt(&okN);
            if (!okN || ctx.subjects < 2 || ctx.subjects > 200)
                return fail(ErrorCode::Usage, QStringLiteral("--subjects must be 2..200"));
        }
        if (p.isSet(QStringLiteral("methods"))) {
            ctx.methods = p.value(QStringLiteral("methods")).split(QLatin1Char(','), Qt::SkipEmptyParts);
            ctx.methodsGiven = true;
        }
        ctx.variantLabels = p.value(QStringLiteral("variants")).split(QLatin1Char(','), Qt::SkipEmptyParts);
        auto selected = selectVariants(ctx.variantLabels);
        if (!selected.ok())
            return fail(selected.error().code, selected.error().message);
        ctx.variants = selected.value();
        for (const QString &m : ctx.methods)
            if (!MethodRegistry::instance().find(m))
                return fail(ErrorCode::Usage, QStringLiteral("unknown method '%1'").arg(m));
        const QStringList parts = p.value(QStringLiteral("parts")).split(QLatin1Char(','), Qt::SkipEmptyParts);
        QStringList known{QStringLiteral("accuracy"), QStringLiteral("speed"), QStringLiteral("real"), QStringLiteral("study"),
                          QStringLiteral("breathing"), QStringLiteral("hrv"), QStringLiteral("live")};
        for (const BenchPart &extra : benchParts())
            known << extra.name;
        known << QStringLiteral("soak");
        for (const QString &part : parts)
            if (!known.contains(part))
                return fail(ErrorCode::Usage, QStringLiteral("unknown part '%1' (%2)").arg(part, known.join(QStringLiteral(", "))));
        bool okSoak = false;
        const double soakMinutes = p.value(QStringLiteral("soak-minutes")).toDouble(&okSoak);
        if (!okSoak || soakMinutes < 1 || soakMinutes > 24 * 60)
            return fail(ErrorCode::Usage, QStringLiteral("--soak-minutes must be 1..1440"));
        // After the checks, so a usage error stays one line; only for the parts that run methods.
        const bool runsMethods = std::any_of(parts.begin(), parts.end(), [&](const QString &part) {
            return std::none_of(benchParts().begin(), benchParts().end(),
                                [&part](const BenchPart &extra) { return extra.name == part; });
        });
        if (!p.isSet(QStringLiteral("methods")) && runsMethods)
            ctx.methods = defaultMethods(MethodOptions{});

        QTemporaryDir tmp;
        ctx.workDir = p.value(QStringLiteral("work"));
        if (ctx.workDir.isEmpty()) {
            if (!tmp.isValid())
                return fail(ErrorCode::WriteFailed, QStringLiteral("cannot create a temporary folder"));
            ctx.workDir = tmp.path();
        } else if (!QDir().mkpath(ctx.workDir)) {
            return fail(ErrorCode::WriteFailed, QStringLiteral("cannot create '%1'").arg(ctx.workDir));
        }
        const QString results = p.value(QStringLiteral("results"));
        auto emit = [&](const QString &name, const Result<QString> &md) -> int {
            if (!md.ok())
                return fail(md.error());
            std::printf("%s", qPrintable(md.value()));
            std::fflush(stdout);
            if (!results.isEmpty())
                if (Error e = writeResultsSection(results, name, md.value()); e.isError())
                    return fail(e);
            return kExitOk;
        };
        for (const QString &part : parts) {
            int code = kExitOk;
            if (part == QLatin1String("accuracy"))
                code = emit(hasNeural(ctx.methods) ? QStringLiteral("neural-accuracy") : QStringLiteral("foundation-accuracy"),
                            accuracyPart(ctx));
            else if (part == QLatin1String("breathing"))
                code = emit(QStringLiteral("breathing-accuracy"), breathingPart(ctx));
            else if (part == QLatin1String("hrv"))
                code = emit(QStringLiteral("hrv-accuracy"), hrvPart(ctx));
            else if (part == QLatin1String("live"))
                code = emit(QStringLiteral("live-camera"), livePart(ctx));
            else if (part == QLatin1String("speed"))
                code = emit(QStringLiteral("foundation-speed"), speedPart(ctx));
            else if (part == QLatin1String("real") && p.isSet(QStringLiteral("real")))
                code = emit(hasNeural(ctx.methods) ? QStringLiteral("neural-real") : QStringLiteral("foundation-real"),
                            realPart(ctx, p.value(QStringLiteral("real"))));
            else if (part == QLatin1String("study"))
                code = emit(QStringLiteral("codec-study"), studyPart(ctx));
            else if (part == QLatin1String("soak")) {
                SoakOptions so;
                so.minutes = soakMinutes;
                so.method = ctx.methods.value(0, QStringLiteral("pos"));
                so.workDir = ctx.workDir;
                so.pngPath = p.isSet(QStringLiteral("soak-png")) ? p.value(QStringLiteral("soak-png"))
                             : results.isEmpty()                 ? QString()
                                                                 : QFileInfo(results).absoluteDir().filePath(QStringLiteral("soak.png"));
                so.cancel = interruptFlag();
                code = emit(QStringLiteral("reliability-soak"), soakPart(so, machineLines));
            }
            for (const BenchPart &extra : benchParts()) {
                if (part != extra.name)
                    continue;
                QElapsedTimer clock;
                clock.start();
                const Result<QString> body = extra.run(ctx.quick);
                if (!body.ok())
                    code = emit(extra.section, body.error());
                else
                    code = emit(extra.section,
                                QStringLiteral("## %1\n\n").arg(extra.title)
                                    + machineLines(QStringLiteral("rppg bench --parts %1%2")
                                                       .arg(extra.name, ctx.quick ? QStringLiteral(" --quick") : QString()),
                                                   clock.elapsed() / 60000.0)
                                    + body.value());
            }
            if (code != kExitOk)
                return code;
        }
        if (!results.isEmpty())
            std::fprintf(stderr, "results written to %s\n", qPrintable(results));
        return kExitOk;
    };
    return c;
}

} // namespace rppg::cli
