#include "evaluation.h"

#include "datasets.h"
#include "imagesequencesource.h"
#include "ppgseries.h"
#include "signalanalyzer.h"

#include "dsp.h"
#include "synth.h"

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTextStream>

#include <algorithm>
#include <cmath>
#include <map>

namespace rppg {

namespace {

const QStringList kVideoPatterns = {QStringLiteral("*.mp4"), QStringLiteral("*.avi"), QStringLiteral("*.mkv"),
                                    QStringLiteral("*.mov"), QStringLiteral("*.webm"), QStringLiteral("*.m4v")};

QStringList videosUnder(const QString &root)
{
    QStringList out;
    QDirIterator it(root, kVideoPatterns, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (!path.endsWith(QLatin1String(".mask.mkv")))   // synthetic skin masks are not videos to analyse
            out << path;
    }
    out.sort();
    return out;
}

QString relativeName(const QString &root, const QString &path)
{
    const QString rel = QDir(root).relativeFilePath(path);
    const int dot = rel.lastIndexOf(QLatin1Char('.'));
    return dot > 0 ? rel.left(dot) : rel;
}

// A reference table: name → HR, read from a CSV whose header names a name column and an HR column.
struct RefTable
{
    QString path;
    QString scopeFolder;   // "<Folder>_....csv" applies to <Folder>/ only
    std::map<QString, double> hr;
};

// The folder of `root` a table named "<Folder>_….csv" belongs to: the longest such sub-folder
// name ("Sierra_Leone_GT.csv" → Sierra_Leone/, not Sierra/); empty when no sub-folder matches,
// and the table then applies to every video.
QString scopeFolderFor(const QString &tablePath, const QString &root)
{
    const QString base = QFileInfo(tablePath).completeBaseName();
    QString best;
    for (const QString &d : QDir(root).entryList(QDir::Dirs | QDir::NoDotAndDotDot))
        if (d.size() > best.size() && base.startsWith(d + QLatin1Char('_')))
            best = d;
    return best;
}

Result<RefTable> readRefTable(const QString &path, const QString &root)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        return Error{ErrorCode::FileNotFound, QStringLiteral("cannot read '%1'").arg(path)};
    QTextStream in(&f);
    RefTable t;
    t.path = path;
    t.scopeFolder = scopeFolderFor(path, root);
    int nameCol = -1, hrCol = -1, line = 0;
    while (!in.atEnd()) {
        QString row = in.readLine();
        ++line;
        row.remove(QChar(0xFEFF));
        if (row.trimmed().isEmpty() || row.startsWith(QLatin1Char('#')))
            continue;
        const QStringList cells = row.split(QLatin1Char(','));
        if (nameCol < 0) {
            for (int i = 0; i < cells.size(); ++i) {
                const QString h = cells[i].trimmed().toLower();
                if (hrCol < 0 && (h.contains(QLatin1String("heart")) || h == QLatin1String("hr")
                                  || h.startsWith(QLatin1String("hr_")) || h.contains(QLatin1String("bpm"))))
                    hrCol = i;
                else if (nameCol < 0)
                    nameCol = i;
            }
            if (nameCol < 0 || hrCol < 0)
                return Error{ErrorCode::BadData,
                             QStringLiteral("'%1': the header needs a name column and a heart-rate column (hr_bpm)")
                                 .arg(QFileInfo(path).fileName())};
            continue;
        }
        bool ok = false;
        const double hr = cells.value(hrCol).trimmed().toDouble(&ok);
        const QString name = cells.value(nameCol).trimmed();
        if (name.isEmpty())
            continue;
        t.hr[name] = ok && hr >= 20 && hr <= 300 ? hr : std::nan("");   // kept: reported as malformed
    }
    return t;
}

std::optional<double> lookup(const RefTable &t, const QString &root, const QString &video, QString *key)
{
    const QFileInfo fi(video);
    if (!t.scopeFolder.isEmpty()) {
        const QString rel = QDir(root).relativeFilePath(video);
        if (!rel.startsWith(t.scopeFolder + QLatin1Char('/')))
            return std::nullopt;
    }
    const QString stem = fi.completeBaseName();
    for (const QString &k : {fi.fileName(), stem, stem.left(stem.indexOf(QLatin1Char('_')))}) {
        if (k.isEmpty())
            continue;
        auto it = t.hr.find(k);
        if (it != t.hr.end()) {
            *key = k;
            return it->second;
        }
    }
    return std::nullopt;
}

} // namespace

Result<DatasetScan> scanDataset(const QString &spec)
{
    DatasetScan scan;
    scan.spec = spec;
    QStringList parts = spec.split(QLatin1Char(','));
    // Absolute, so that names below it (subjects, the folder a table applies to) come out relative
    // whichever way the folder was given (QDir::relativeFilePath leaves relative paths as they are).
    const QString given = parts.takeFirst().trimmed();
    scan.root = given.isEmpty() ? QString() : QDir::cleanPath(QFileInfo(given).absoluteFilePath());
    QString csvPath;
    QString layout = QStringLiteral("auto");
    RoiMode roi = RoiMode::Face;
    cv::Rect rect;
    bool roiGiven = false;
    for (const QString &p : parts) {
        const int eq = p.indexOf(QLatin1Char('='));
        const QString key = p.left(eq).trimmed(), value = p.mid(eq + 1).trimmed();
        if (eq > 0 && key == QLatin1String("csv")) {
            csvPath = value;
        } else if (eq > 0 && key == QLatin1String("layout")) {
            layout = value.toLower();
            static const QStringList known = {QStringLiteral("auto"), QStringLiteral("synthetic"), QStringLiteral("ubfc2"),
                                              QStringLiteral("ubfc1"), QStringLiteral("pure"), QStringLiteral("folder"),
                                              QStringLiteral("hr-table")};
            if (!known.contains(layout))
                return Error{ErrorCode::Usage, QStringLiteral("unknown layout '%1' (%2)").arg(value, known.join(QStringLiteral(", ")))};
        } else if (eq > 0 && key == QLatin1String("roi")) {
            roiGiven = true;
            if (value == QLatin1String("full")) {
                roi = RoiMode::FullFrame;
            } else if (value == QLatin1String("face")) {
                roi = RoiMode::Face;
            } else {
                const QStringList c = value.split(QLatin1Char(';'));
                if (c.size() != 4)
                    return Error{ErrorCode::Usage, QStringLiteral("roi must be face, full or x;y;w;h in a dataset argument (got '%1')").arg(value)};
                rect = cv::Rect(c[0].toInt(), c[1].toInt(), c[2].toInt(), c[3].toInt());
                if (rect.area() <= 0)
                    return Error{ErrorCode::Usage, QStringLiteral("bad roi '%1'").arg(value)};
                roi = RoiMode::Rectangle;
            }
        } else {
            return Error{ErrorCode::Usage, QStringLiteral("unknown dataset option '%1' (csv=FILE, layout=..., roi=face|full|x;y;w;h)").arg(p)};
        }
    }
    if (!QFileInfo(scan.root).isDir())
        return Error{ErrorCode::FileNotFound, QStringLiteral("dataset folder '%1' does not exist").arg(scan.root)};

    const QStringList videos = videosUnder(scan.root);
    auto makeItem = [&](const QString &video) {
        EvalItem item;
        item.videoPath = video;
        item.name = relativeName(scan.root, video);
        item.subject = item.name;
        item.roi = roi;
        item.roiRect = rect;
        return item;
    };

    // Synthetic: ground truth next to the videos.
    int withGt = 0;
    for (const QString &v : videos)
        withGt += QFileInfo::exists(groundTruthPathFor(v));
    // The training layouts (UBFC-rPPG 2/1, PURE, a folder of videos with per-video PPG CSVs):
    // read through the same scanner as `rppg prepare`, so evaluation and training see the same
    // recordings and references.
    const bool trainingLayout = layout == QLatin1String("ubfc2") || layout == QLatin1String("ubfc1")
                                || layout == QLatin1String("pure") || layout == QLatin1String("folder");
    if (trainingLayout || (layout == QLatin1String("auto") && withGt == 0 && csvPath.isEmpty())) {
        QString trainingSpec = scan.root + (trainingLayout ? QStringLiteral(",layout=") + layout : QString());
        if (roi == RoiMode::FullFrame)
            trainingSpec += QStringLiteral(",roi=full");
        auto training = scanTrainingDataset(trainingSpec);
        if (trainingLayout && !training.ok())
            return training.error();
        if (training.ok() && training->layout != DatasetLayout::Synthetic) {
            scan.layout = training->layout == DatasetLayout::Folder ? QStringLiteral("folder+ppg") : datasetLayoutName(training->layout);
            scan.problems << training->problems;
            for (const TrainingRecording &rec : training->recordings) {
                auto ref = loadRecordingHrReference(rec);
                if (!ref.ok()) {
                    scan.problems << QStringLiteral("%1: %2").arg(rec.id, ref.error().message);
                    continue;
                }
                EvalItem item = makeItem(rec.levels.front().path);
                item.name = rec.id;
                item.subject = rec.subject;
                item.reference = std::move(ref.value());
                item.referenceSource = QFileInfo(rec.referencePath).fileName();
                scan.items.push_back(item);
            }
            if (scan.items.empty())
                return Error{ErrorCode::BadData, QStringLiteral("'%1': no recording with a usable reference (%2)")
                                                     .arg(scan.root, scan.problems.isEmpty() ? QStringLiteral("none found") : scan.problems.last())};
            return scan;
        }
    }

    if (withGt > 0 && csvPath.isEmpty() && layout != QLatin1String("hr-table")) {
        std::map<QString, QString> sharedGroundTruth;   // variant video → its clip's ground truth
        if (auto clips = scanTrainingDataset(scan.root + QStringLiteral(",layout=synthetic")); clips.ok())
            for (const TrainingRecording &rec : clips->recordings)
                for (const RecordingLevel &level : rec.levels)
                    sharedGroundTruth[QFileInfo(level.path).absoluteFilePath()] = rec.referencePath;
        scan.layout = QStringLiteral("synthetic");
        for (const QString &v : videos) {
            // A lossy copy listed in a clip's .synth.json (`rppg synth --variant`, `rppg
            // synth-set`) shares the clip's ground truth: the frames are the same.
            QString gt = groundTruthPathFor(v);
            if (!QFileInfo::exists(gt)) {
                auto it = sharedGroundTruth.find(QFileInfo(v).absoluteFilePath());
                if (it != sharedGroundTruth.end())
                    gt = it->second;
            }
            if (!QFileInfo::exists(gt)) {
                scan.problems << QStringLiteral("%1: no ground truth (%2)").arg(relativeName(scan.root, v), QFileInfo(gt).fileName());
                continue;
            }
            auto ref = loadHrReference(gt);
            if (!ref.ok()) {
                scan.problems << QStringLiteral("%1: %2").arg(relativeName(scan.root, v), ref.error().message);
                continue;
            }
            EvalItem item = makeItem(v);
            item.reference = ref.value();
            item.referenceSource = QFileInfo(gt).fileName();
            scan.items.push_back(item);
        }
    } else {
        // Folder + CSV of reference heart rates.
        scan.layout = QStringLiteral("folder+csv");
        QStringList csvs;
        if (!csvPath.isEmpty()) {
            csvs << csvPath;
        } else {
            for (const QString &dir : {scan.root, scan.root + QStringLiteral("/Ground_Truth")})
                for (const QString &f : QDir(dir).entryList({QStringLiteral("*.csv")}, QDir::Files, QDir::Name))
                    if (!f.endsWith(QLatin1String(".gt.csv")))
                        csvs << QDir(dir).filePath(f);
        }
        if (csvs.isEmpty())
            return Error{ErrorCode::BadData, QStringLiteral("'%1': no ground truth (<stem>.gt.csv next to the videos, or a CSV of "
                                                            "reference heart rates in the folder or Ground_Truth/, or csv=FILE)")
                                                 .arg(scan.root)};
        std::vector<RefTable> tables;
        for (const QString &c : csvs) {
            auto t = readRefTable(c, scan.root);
            if (!t.ok()) {
                if (!csvPath.isEmpty())
                    return t.error();
                scan.problems << t.error().message;
                continue;
            }
            tables.push_back(t.value());
        }
        for (const QString &v : videos) {
            std::optional<double> hr;
            QString key, source;
            for (const RefTable &t : tables) {
                hr = lookup(t, scan.root, v, &key);
                if (hr) {
                    source = QFileInfo(t.path).fileName();
                    break;
                }
            }
            const QString name = relativeName(scan.root, v);
            if (!hr) {
                scan.problems << QStringLiteral("%1: no reference heart rate in %2").arg(name, csvs.join(QStringLiteral(", ")));
                continue;
            }
            if (!std::isfinite(*hr)) {
                scan.problems << QStringLiteral("%1: malformed reference heart rate in %2").arg(name, source);
                continue;
            }
            EvalItem item = makeItem(v);
            const QString folder = QFileInfo(name).path();
            item.subject = folder == QLatin1String(".") ? key : folder + QLatin1Char('/') + key;
            item.reference = HrReference::constant(*hr);
            item.referenceSource = source;
            // Cropped skin videos (no face to find) are the usual reason for this layout; without
            // an explicit roi the face is tried and the whole frame used if there is none.
            if (!roiGiven)
                item.roi = RoiMode::Face;
            scan.items.push_back(item);
        }
    }
    if (scan.items.empty())
        return Error{ErrorCode::BadData, QStringLiteral("'%1': no video with a usable reference (%2)")
                                             .arg(scan.root, scan.problems.isEmpty() ? QStringLiteral("no videos found")
                                                                                     : scan.problems.first())};
    return scan;
}

MethodMetrics computeMetrics(const std::vector<double> &estimates, const std::vector<double> &references)
{
    MethodMetrics m;
    m.items = int(estimates.size());
    std::vector<double> e, r;
    double sa = 0, ss = 0, sp = 0;
    for (size_t i = 0; i < estimates.size() && i < references.size(); ++i) {
        if (!std::isfinite(estimates[i]) || !std::isfinite(references[i]))
            continue;
        const double d = estimates[i] - references[i];
        sa += std::abs(d);
        ss += d * d;
        if (references[i] != 0)
            sp += std::abs(d) / std::abs(references[i]);
        e.push_back(estimates[i]);
        r.push_back(references[i]);
    }
    m.withHr = int(e.size());
    if (!e.empty()) {
        m.maeBpm = sa / e.size();
        m.rmseBpm = std::sqrt(ss / e.size());
        m.mapePercent = 100.0 * sp / e.size();
        m.pearsonR = e.size() >= 3 ? dsp::pearson(e, r) : kNaN;
    }
    return m;
}

Result<EvaluationResult> runEvaluation(const std::vector<DatasetScan> &datasets, const QStringList &methodsIn,
                                       const AnalysisConfig &analysis,
                                       const std::function<void(int, int, const QString &)> &progress,
                                       const std::atomic<bool> *cancel)
{
    QElapsedTimer timer;
    timer.start();
    EvaluationResult res;
    res.datasets = datasets;
    res.methods = methodsIn.isEmpty() ? MethodRegistry::instance().names() : methodsIn;
    for (QString &m : res.methods) {
        m = m.trimmed().toLower();
        if (!MethodRegistry::instance().find(m))
            return Error{ErrorCode::Usage, QStringLiteral("unknown method '%1' (available: %2)")
                                               .arg(m, MethodRegistry::instance().names().join(QStringLiteral(", ")))};
    }
    int total = 0;
    for (const DatasetScan &d : datasets) {
        total += int(d.items.size());
        res.problems << d.problems;
    }
    if (total == 0)
        return Error{ErrorCode::BadData, QStringLiteral("nothing to evaluate")};

    int done = 0;
    for (const DatasetScan &d : datasets) {
        for (const EvalItem &item : d.items) {
            if (cancel && cancel->load())
                return Error{ErrorCode::Cancelled, QStringLiteral("evaluation cancelled")};
            if (progress)
                progress(done, total, item.name);
            ItemResult ir;
            ir.item = item;
            AnalysisConfig config = analysis;
            config.roi.mode = item.roi;
            config.roi.rect = item.roiRect;
            // A folder of frames (PURE) or a video file.
            auto analyze = [&](const AnalysisConfig &c) -> Result<MultiAnalysis> {
                if (!QFileInfo(item.videoPath).isDir())
                    return analyzeFileMethods(item.videoPath, c, res.methods, {}, cancel);
                ImageSequenceSource images;
                if (Error e = images.open(item.videoPath); e.isError())
                    return e;
                return analyzeSourceMethods(images, c, res.methods, {}, cancel);
            };
            auto multi = analyze(config);
            if (!multi.ok() && multi.error().code == ErrorCode::NoFace && item.roi == RoiMode::Face) {
                // No face anywhere: an already-cropped skin video. Use the whole frame, and say so.
                config.roi.mode = RoiMode::FullFrame;
                multi = analyze(config);
                if (multi.ok())
                    ir.item.roi = RoiMode::FullFrame;
            }
            if (!multi.ok()) {
                if (multi.error().code == ErrorCode::Cancelled)
                    return multi.error();
                ir.error = multi.error().message;
                res.problems << QStringLiteral("%1: %2").arg(item.name, ir.error);
                res.items.push_back(ir);
                ++done;
                continue;
            }
            for (const MethodSignal &ms : multi->methods) {
                ItemOutcome o;
                o.method = ms.method;
                o.hrBpm = ms.signal.hrBpm;
                o.referenceHrBpm = item.reference.recordingHr(analysis.windowSec, analysis.bandLowHz, analysis.bandHighHz);
                o.snrDb = ms.signal.snrDb;
                o.windowCoverage = windowCoverage(ms.signal.windows);
                const std::vector<double> perWindow = referencePerWindow(item.reference, ms.signal.windows,
                                                                         analysis.bandLowHz, analysis.bandHighHz);
                if (!item.reference.timeSec.empty())
                    o.windowMaeBpm = windowMaeBpm(ms.signal.windows, perWindow);
                o.typicalHrBpm = ms.signal.windowsMedianHrBpm;
                o.referenceTypicalHrBpm = goodWindowsMedian(ms.signal.windows, &perWindow);
                const WindowCounts counts = windowCounts(ms.signal);
                o.estimatedWindows = counts.estimates;
                o.okWindows = counts.good;
                ir.outcomes.push_back(o);
            }
            res.items.push_back(ir);
            ++done;
        }
    }
    if (progress)
        progress(done, total, QString());

    for (const QString &method : res.methods) {
        std::vector<double> est, ref, snr, cov, wmae, typ;
        std::vector<double> trustedEst, trustedRef, otherEst, otherRef;
        int trusted = 0;
        for (const ItemResult &ir : res.items) {
            for (const ItemOutcome &o : ir.outcomes) {
                if (o.method != method)
                    continue;
                est.push_back(o.hrBpm);
                ref.push_back(o.referenceHrBpm);
                trusted += o.trusted();
                (o.trusted() ? trustedEst : otherEst).push_back(o.hrBpm);
                (o.trusted() ? trustedRef : otherRef).push_back(o.referenceHrBpm);
                if (std::isfinite(o.snrDb))
                    snr.push_back(o.snrDb);
                cov.push_back(o.windowCoverage);
                if (std::isfinite(o.windowMaeBpm))
                    wmae.push_back(o.windowMaeBpm);
                if (std::isfinite(o.typicalHrBpm) && std::isfinite(o.referenceTypicalHrBpm))
                    typ.push_back(std::abs(o.typicalHrBpm - o.referenceTypicalHrBpm));
            }
        }
        MethodMetrics m = computeMetrics(est, ref);
        m.method = method;
        m.meanSnrDb = snr.empty() ? kNaN : dsp::mean(snr);
        m.windowCoverage = cov.empty() ? kNaN : dsp::mean(cov);
        m.windowMaeBpm = wmae.empty() ? kNaN : dsp::mean(wmae);
        m.typicalMaeBpm = typ.empty() ? kNaN : dsp::mean(typ);
        m.trusted = trusted;
        m.trustedMaeBpm = computeMetrics(trustedEst, trustedRef).maeBpm;
        m.untrustedMaeBpm = computeMetrics(otherEst, otherRef).maeBpm;
        res.metrics.push_back(m);
    }
    res.totalSec = timer.elapsed() / 1000.0;
    return res;
}

std::vector<double> referencePerWindow(const HrReference &reference, const std::vector<WindowEstimate> &windows,
                                       double bandLowHz, double bandHighHz)
{
    std::vector<double> out(windows.size(), kNaN);
    for (size_t k = 0; k < windows.size(); ++k)
        if (std::isfinite(windows[k].hrBpm))
            out[k] = reference.windowHr(windows[k].startSec, windows[k].endSec, bandLowHz, bandHighHz);
    return out;
}

double windowMaeBpm(const std::vector<WindowEstimate> &windows, const std::vector<double> &references, int *pairs)
{
    double sum = 0;
    int n = 0;
    for (size_t k = 0; k < windows.size() && k < references.size(); ++k) {
        if (std::isfinite(windows[k].hrBpm) && std::isfinite(references[k])) {
            sum += std::abs(windows[k].hrBpm - references[k]);
            ++n;
        }
    }
    if (pairs)
        *pairs = n;
    return n ? sum / n : kNaN;
}

double windowCoverage(const std::vector<WindowEstimate> &windows)
{
    const auto with = std::count_if(windows.begin(), windows.end(),
                                    [](const WindowEstimate &w) { return std::isfinite(w.hrBpm); });
    return windows.empty() ? 0.0 : double(with) / windows.size();
}

ReferenceScore scoreAgainstReference(const HrReference &reference, const QString &source, const SignalResult &signal,
                                     const AnalysisConfig &config)
{
    ReferenceScore score;
    score.source = source;
    score.recordingHrBpm = reference.recordingHr(config.windowSec, config.bandLowHz, config.bandHighHz);
    score.perWindow = referencePerWindow(reference, signal.windows, config.bandLowHz, config.bandHighHz);
    score.windowMaeBpm = windowMaeBpm(signal.windows, score.perWindow, &score.windowPairs);
    return score;
}

} // namespace rppg
