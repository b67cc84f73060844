#include "datasets.h"

#include "groundtruth.h"
#include "imagesequencesource.h"
#include "ppgseries.h"
#include "synth.h"
#include "videofilesource.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <set>

namespace rppg {

namespace {

const QStringList kVideoPatterns = {QStringLiteral("*.mp4"), QStringLiteral("*.avi"), QStringLiteral("*.mkv"),
                                    QStringLiteral("*.mov"), QStringLiteral("*.webm"), QStringLiteral("*.m4v")};
constexpr int kMinReferenceSamples = 10;
// Ground-truth files are text of at most a few MB; anything far larger is not one.
constexpr qint64 kMaxReferenceBytes = 256LL * 1024 * 1024;

enum class SubjectRule { Auto, File, Prefix, Folder };

Error badData(const QString &path, const QString &what)
{
    return makeError(ErrorCode::BadData, QStringLiteral("%1: %2").arg(QFileInfo(path).fileName(), what));
}

std::optional<double> parseNumber(QByteArray cell)
{
    cell = cell.trimmed();
    if (cell.startsWith('+'))
        cell.remove(0, 1);
    double v = 0;
    const char *b = cell.constData(), *e = b + cell.size();
    const auto r = std::from_chars(b, e, v);
    if (b == e || r.ec != std::errc() || r.ptr != e || !std::isfinite(v))
        return std::nullopt;
    return v;
}

Result<QByteArray> readSmallFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::FileNotFound, QStringLiteral("cannot read '%1'").arg(path));
    if (f.size() > kMaxReferenceBytes)
        return badData(path, QStringLiteral("%1 MB is too large for a ground-truth file").arg(f.size() >> 20));
    return f.readAll();
}

bool strictlyIncreasing(const std::vector<double> &t)
{
    for (size_t i = 1; i < t.size(); ++i)
        if (!(t[i] > t[i - 1]))
            return false;
    return true;
}

// The HR track is only useful when most of it is physiological (oximeters write 0 while they
// search for the pulse); otherwise clip HRs come from the waveform.
void dropImplausibleHr(PulseReference &ref)
{
    if (ref.hrBpm.size() != ref.timeSec.size()) {
        ref.hrBpm.clear();
        return;
    }
    size_t good = 0;
    for (double &h : ref.hrBpm) {
        if (h >= 30 && h <= 250)
            ++good;
        else
            h = std::nan("");
    }
    if (good * 2 < ref.hrBpm.size())
        ref.hrBpm.clear();
}

Error checkReference(const QString &path, PulseReference &ref)
{
    if (ref.ppg.size() < size_t(kMinReferenceSamples))
        return badData(path, QStringLiteral("only %1 PPG samples").arg(ref.ppg.size()));
    if (ref.timeSec.size() != ref.ppg.size())
        return badData(path, QStringLiteral("%1 times for %2 PPG samples").arg(ref.timeSec.size()).arg(ref.ppg.size()));
    if (!strictlyIncreasing(ref.timeSec))
        return badData(path, QStringLiteral("time does not increase"));
    const auto [lo, hi] = std::minmax_element(ref.ppg.begin(), ref.ppg.end());
    if (!(*hi > *lo))
        return badData(path, QStringLiteral("the PPG waveform is constant"));
    dropImplausibleHr(ref);
    return {};
}

// ---- reference readers -------------------------------------------------------------------------

Result<PulseReference> readSyntheticReference(const QString &path)
{
    auto hr = readHrReference(path);
    if (!hr.ok())
        return hr.error();
    PulseReference ref;
    ref.timeSec = hr->timeSec;
    ref.ppg = hr->ppg;
    ref.hrBpm = hr->hrBpm;
    if (ref.ppg.empty())
        return badData(path, QStringLiteral("no ppg column"));
    ref.description = QStringLiteral("%1 (synthetic ground truth)").arg(QFileInfo(path).fileName());
    if (Error e = checkReference(path, ref); e.isError())
        return e;
    return ref;
}

// UBFC-rPPG DATASET_2 ground_truth.txt: whitespace-separated lines (PPG, HR, time in seconds).
Result<PulseReference> readUbfc2Reference(const QString &path)
{
    auto bytes = readSmallFile(path);
    if (!bytes.ok())
        return bytes.error();
    std::vector<std::vector<double>> rows;
    int lineNo = 0;
    for (const QByteArray &line : bytes->split('\n')) {
        ++lineNo;
        if (line.trimmed().isEmpty())
            continue;
        std::vector<double> row;
        for (const QByteArray &cell : line.simplified().split(' ')) {
            const auto v = parseNumber(cell);
            if (!v)
                return badData(path, QStringLiteral("line %1: '%2' is not a number").arg(lineNo).arg(QString::fromUtf8(cell.left(40))));
            row.push_back(*v);
        }
        rows.push_back(std::move(row));
    }
    if (rows.empty())
        return badData(path, QStringLiteral("empty file"));
    PulseReference ref;
    ref.ppg = rows[0];
    if (rows.size() >= 2 && rows[1].size() == ref.ppg.size())
        ref.hrBpm = rows[1];
    if (rows.size() >= 3 && rows[2].size() == ref.ppg.size() && strictlyIncreasing(rows[2])) {
        ref.timeSec = rows[2];
        const double t0 = ref.timeSec.front();
        for (double &t : ref.timeSec)
            t -= t0;
        ref.description = QStringLiteral("%1 (UBFC-rPPG 2, timed)").arg(QFileInfo(path).fileName());
    } else {
        ref.spansVideo = true;
        ref.timeSec.resize(ref.ppg.size());
        for (size_t i = 0; i < ref.timeSec.size(); ++i)
            ref.timeSec[i] = double(i);
        ref.description = QStringLiteral("%1 (UBFC-rPPG 2, spread over the video)").arg(QFileInfo(path).fileName());
    }
    if (Error e = checkReference(path, ref); e.isError())
        return e;
    return ref;
}

// UBFC-rPPG DATASET_1 gtdump.xmp: comma-separated rows "time_ms, HR, SpO2, PPG".
Result<PulseReference> readUbfc1Reference(const QString &path)
{
    auto bytes = readSmallFile(path);
    if (!bytes.ok())
        return bytes.error();
    PulseReference ref;
    int lineNo = 0;
    for (const QByteArray &line : bytes->split('\n')) {
        ++lineNo;
        if (line.trimmed().isEmpty())
            continue;
        const QList<QByteArray> cells = line.split(',');
        if (cells.size() < 4)
            return badData(path, QStringLiteral("line %1: %2 columns (time, HR, SpO2, PPG expected)").arg(lineNo).arg(cells.size()));
        const auto t = parseNumber(cells[0]), hr = parseNumber(cells[1]), ppg = parseNumber(cells[3]);
        if (!t || !ppg)
            return badData(path, QStringLiteral("line %1: not numbers").arg(lineNo));
        ref.timeSec.push_back(*t / 1000.0);
        ref.hrBpm.push_back(hr ? *hr : std::nan(""));
        ref.ppg.push_back(*ppg);
    }
    if (!ref.timeSec.empty()) {
        const double t0 = ref.timeSec.front();
        for (double &t : ref.timeSec)
            t -= t0;
    }
    ref.description = QStringLiteral("%1 (UBFC-rPPG 1)").arg(QFileInfo(path).fileName());
    if (Error e = checkReference(path, ref); e.isError())
        return e;
    return ref;
}

// The frame folder of a PURE recording: a folder named like the JSON's stem next to it.
QString pureFrameFolder(const QString &jsonPath)
{
    const QFileInfo fi(jsonPath);
    return fi.dir().filePath(fi.completeBaseName());
}

// Frame timestamps of a PURE recording in ns: /Image[].Timestamp when it lists every image, else
// the numbers in the file names; empty when neither is usable.
std::vector<int64_t> pureFrameTimestampsNs(const QJsonObject &root, const QString &folder)
{
    std::vector<int64_t> numbers;
    const QStringList images = ImageSequenceSource::listImages(folder, &numbers);
    const QJsonArray list = root.value(QStringLiteral("/Image")).toArray();
    if (!list.isEmpty() && list.size() == images.size()) {
        std::vector<int64_t> ts;
        ts.reserve(list.size());
        for (const QJsonValue &v : list) {
            const QJsonValue t = v.toObject().value(QStringLiteral("Timestamp"));
            if (!t.isDouble())
                return numbers;
            ts.push_back(int64_t(t.toDouble()));
        }
        return ts;
    }
    return numbers;
}

Result<PulseReference> readPureReference(const QString &path)
{
    auto root = readJsonObject(path);
    if (!root.ok())
        return root.error();
    const QJsonValue packageValue = root->value(QStringLiteral("/FullPackage"));
    if (!packageValue.isArray())
        return badData(path, QStringLiteral("no /FullPackage list"));
    const QJsonArray package = packageValue.toArray();
    const std::vector<int64_t> frameNs = pureFrameTimestampsNs(root.value(), pureFrameFolder(path));
    PulseReference ref;
    // Frame numbers that are indices (frame_0001.png) are no clock: median step 1 ms .. 1 s in ns.
    bool timed = frameNs.size() >= 2;
    if (timed) {
        std::vector<int64_t> steps;
        for (size_t i = 1; i < frameNs.size(); ++i)
            steps.push_back(frameNs[i] - frameNs[i - 1]);
        std::nth_element(steps.begin(), steps.begin() + steps.size() / 2, steps.end());
        const int64_t step = steps[steps.size() / 2];
        timed = step >= 1000000 && step <= 1000000000;
    }
    std::vector<double> stampsNs;
    for (int i = 0; i < package.size(); ++i) {
        const QJsonObject sample = package[i].toObject();
        const QJsonObject value = sample.value(QStringLiteral("Value")).toObject();
        const QJsonValue wave = value.value(QStringLiteral("waveform"));
        if (!wave.isDouble())
            return badData(path, QStringLiteral("/FullPackage[%1] has no numeric Value.waveform").arg(i));
        ref.ppg.push_back(wave.toDouble());
        const QJsonValue hr = value.value(QStringLiteral("pulseRate"));
        ref.hrBpm.push_back(hr.isDouble() ? hr.toDouble() : std::nan(""));
        const QJsonValue ts = sample.value(QStringLiteral("Timestamp"));
        if (ts.isDouble())
            stampsNs.push_back(ts.toDouble());
        else
            timed = false;
    }
    if (timed) {
        // Both clocks are Unix time in ns; the video clock starts at the first frame.
        const double t0 = double(frameNs.front());
        for (double s : stampsNs)
            ref.timeSec.push_back((s - t0) * 1e-9);
        ref.description = QStringLiteral("%1 (PURE, timestamps)").arg(QFileInfo(path).fileName());
    } else {
        // The pulse oximeter of PURE samples at 60 Hz from the start of the recording.
        for (size_t i = 0; i < ref.ppg.size(); ++i)
            ref.timeSec.push_back(double(i) / 60.0);
        ref.description = QStringLiteral("%1 (PURE, 60 Hz assumed)").arg(QFileInfo(path).fileName());
    }
    if (Error e = checkReference(path, ref); e.isError())
        return e;
    return ref;
}

Result<PulseReference> readCsvReference(const QString &path)
{
    auto ppg = readPpgCsv(path);
    if (!ppg.ok())
        return ppg.error();
    PulseReference ref;
    ref.timeSec = ppg->timeSec;
    ref.ppg = ppg->value;
    ref.description = ppg->description;
    if (Error e = checkReference(path, ref); e.isError())
        return e;
    return ref;
}

// ---- scanning ----------------------------------------------------------------------------------

QStringList filesUnder(const QString &root, const QStringList &patterns)
{
    QStringList out;
    QDirIterator it(root, patterns, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        out << it.next();
    out.sort();
    return out;
}

QStringList videosUnder(const QString &root)
{
    QStringList out;
    for (const QString &v : filesUnder(root, kVideoPatterns))
        if (!v.endsWith(QLatin1String(".mask.mkv")))
            out << v;
    return out;
}

QString relativeStem(const QString &root, const QString &path)
{
    const QFileInfo fi(path);
    const QString rel = QDir(root).relativeFilePath(fi.dir().filePath(fi.completeBaseName()));
    return rel == QLatin1String(".") ? fi.completeBaseName() : rel;
}

QString stemPrefix(const QString &stem)
{
    const int us = stem.indexOf(QLatin1Char('_'));
    return us > 0 ? stem.left(us) : stem;
}

// The first folder below the root, or empty for files directly in it.
QString topFolder(const QString &root, const QString &path)
{
    const QString rel = QDir(root).relativeFilePath(path);
    const int slash = rel.indexOf(QLatin1Char('/'));
    return slash > 0 ? rel.left(slash) : QString();
}

QString subjectFor(SubjectRule rule, const QString &root, const QString &path, const QString &fallback)
{
    const QString stem = QFileInfo(path).completeBaseName();
    switch (rule) {
    case SubjectRule::File: return relativeStem(root, path);
    case SubjectRule::Prefix: return stemPrefix(stem);
    case SubjectRule::Folder: {
        const QString top = topFolder(root, path);
        return top.isEmpty() ? QFileInfo(root).fileName() : top;
    }
    case SubjectRule::Auto: break;
    }
    return fallback;
}

bool isLosslessCodec(const QString &codec)
{
    const QString c = codec.toLower();
    return c == QLatin1String("ffv1") || c == QLatin1String("raw") || c == QLatin1String("rawvideo");
}

// "x264@250k", "x265@crf28", "ffv1": what distinguishes the levels of a synthetic clip.
QString levelName(const QJsonObject &variant)
{
    QString name = variant.value(QStringLiteral("codec")).toString(QStringLiteral("unknown")).toLower();
    const double bps = variant.value(QStringLiteral("bitrate_bps")).toDouble();
    const int crf = variant.value(QStringLiteral("crf")).toInt(-1);
    if (bps > 0)
        name += QStringLiteral("@%1k").arg(qRound64(bps / 1000.0));
    else if (crf >= 0 && !isLosslessCodec(name))
        name += QStringLiteral("@crf%1").arg(crf);
    return name;
}

QString resolveNear(const QString &baseDir, const QString &path)
{
    return QFileInfo(path).isAbsolute() ? path : QDir(baseDir).filePath(path);
}

void scanSynthetic(TrainingDatasetScan &scan, SubjectRule rule)
{
    std::set<QString> claimed;
    for (const QString &meta : filesUnder(scan.root, {QStringLiteral("*.synth.json")})) {
        const QString dir = QFileInfo(meta).absolutePath();
        QString stem = QFileInfo(meta).fileName();
        stem.chop(int(qstrlen(".synth.json")));
        const QString id = QDir(scan.root).relativeFilePath(QDir(dir).filePath(stem));
        auto root = readJsonObject(meta);
        if (!root.ok()) {
            scan.problems << QStringLiteral("%1: %2").arg(id, root.error().message);
            continue;
        }
        const QJsonObject outputs = root->value(QStringLiteral("outputs")).toObject();
        const QJsonArray variants = outputs.value(QStringLiteral("variants")).toArray();
        TrainingRecording rec;
        rec.id = id;
        // The clip is its own subject unless the generator named the person (synth-set --faces).
        const QString person = root->value(QStringLiteral("subject")).toString();
        rec.subject = subjectFor(rule, scan.root, QDir(dir).filePath(stem), person.isEmpty() ? id : person);
        rec.layout = DatasetLayout::Synthetic;
        std::vector<RecordingLevel> lossy;
        QStringList missing;
        for (const QJsonValue &v : variants) {
            const QJsonObject o = v.toObject();
            RecordingLevel level;
            level.path = resolveNear(dir, o.value(QStringLiteral("path")).toString());
            level.name = levelName(o);
            claimed.insert(QFileInfo(level.path).absoluteFilePath());
            if (!QFileInfo::exists(level.path)) {
                missing << QFileInfo(level.path).fileName();
                continue;
            }
            if (rec.levels.empty() && isLosslessCodec(o.value(QStringLiteral("codec")).toString()))
                rec.levels.push_back(level);
            else if (!isLosslessCodec(o.value(QStringLiteral("codec")).toString()))
                lossy.push_back(level);   // a second lossless copy adds nothing
        }
        if (rec.levels.empty() && !lossy.empty()) {
            // No lossless variant: the first one stands in for the original.
            rec.levels.push_back(lossy.front());
            lossy.erase(lossy.begin());
        }
        rec.levels.insert(rec.levels.end(), lossy.begin(), lossy.end());
        if (!missing.isEmpty())
            scan.problems << QStringLiteral("%1: variant file(s) missing: %2").arg(id, missing.join(QStringLiteral(", ")));
        if (rec.levels.empty()) {
            scan.problems << QStringLiteral("%1: no video of this clip exists").arg(id);
            continue;
        }
        const QString gt = outputs.value(QStringLiteral("ground_truth")).toString();
        rec.referencePath = gt.isEmpty() ? groundTruthPathFor(rec.levels.front().path) : resolveNear(dir, gt);
        const QJsonValue mask = outputs.value(QStringLiteral("mask"));
        if (mask.isString() && QFileInfo::exists(resolveNear(dir, mask.toString())))
            rec.maskVideoPath = resolveNear(dir, mask.toString());
        if (!QFileInfo::exists(rec.referencePath)) {
            scan.problems << QStringLiteral("%1: no ground truth (%2)").arg(id, QFileInfo(rec.referencePath).fileName());
            continue;
        }
        scan.recordings.push_back(rec);
    }
    // Videos with ground truth that no description claims (older `rppg synth` output, or a
    // description that was deleted): one level each.
    for (const QString &video : videosUnder(scan.root)) {
        if (claimed.count(QFileInfo(video).absoluteFilePath()) || !QFileInfo::exists(groundTruthPathFor(video)))
            continue;
        TrainingRecording rec;
        rec.id = relativeStem(scan.root, video);
        rec.subject = subjectFor(rule, scan.root, video, rec.id);
        rec.layout = DatasetLayout::Synthetic;
        rec.levels.push_back({QFileInfo(video).suffix().toLower(), video, false});
        rec.referencePath = groundTruthPathFor(video);
        if (QFileInfo::exists(maskPathFor(video)))
            rec.maskVideoPath = maskPathFor(video);
        scan.recordings.push_back(rec);
    }
}

void scanUbfc(TrainingDatasetScan &scan, SubjectRule rule)
{
    const bool v2 = scan.layout == DatasetLayout::Ubfc2;
    const QString gtName = v2 ? QStringLiteral("ground_truth.txt") : QStringLiteral("gtdump.xmp");
    for (const QString &video : filesUnder(scan.root, {QStringLiteral("vid.avi")})) {
        const QDir dir = QFileInfo(video).dir();
        TrainingRecording rec;
        rec.id = QDir(scan.root).relativeFilePath(dir.absolutePath());
        if (rec.id == QLatin1String("."))
            rec.id = dir.dirName();
        rec.subject = subjectFor(rule, scan.root, video, dir.dirName());
        rec.layout = scan.layout;
        rec.levels.push_back({QStringLiteral("avi"), video, false});
        rec.referencePath = dir.filePath(gtName);
        if (!QFileInfo::exists(rec.referencePath)) {
            scan.problems << QStringLiteral("%1: no %2").arg(rec.id, gtName);
            continue;
        }
        scan.recordings.push_back(rec);
    }
}

void scanPure(TrainingDatasetScan &scan, SubjectRule rule)
{
    static const QRegularExpression name(QStringLiteral("^(\\d+)-(\\d+)\\.json$"));
    for (const QString &json : filesUnder(scan.root, {QStringLiteral("*.json")})) {
        const auto m = name.match(QFileInfo(json).fileName());
        if (!m.hasMatch())
            continue;
        TrainingRecording rec;
        rec.id = QFileInfo(json).completeBaseName();
        rec.subject = rule == SubjectRule::Auto ? m.captured(1) : subjectFor(rule, scan.root, json, m.captured(1));
        rec.layout = DatasetLayout::Pure;
        const QString folder = pureFrameFolder(json);
        rec.levels.push_back({QStringLiteral("png"), folder, true});
        rec.referencePath = json;
        if (ImageSequenceSource::listImages(folder).isEmpty()) {
            scan.problems << QStringLiteral("%1: no frames in %2/").arg(rec.id, QDir(scan.root).relativeFilePath(folder));
            continue;
        }
        scan.recordings.push_back(rec);
    }
}

void scanFolder(TrainingDatasetScan &scan, SubjectRule rule)
{
    for (const QString &video : videosUnder(scan.root)) {
        const QFileInfo fi(video);
        const QString csv = fi.dir().filePath(fi.completeBaseName() + QStringLiteral(".csv"));
        TrainingRecording rec;
        rec.id = relativeStem(scan.root, video);
        const QString top = topFolder(scan.root, video);
        rec.subject = subjectFor(rule, scan.root, video, top.isEmpty() ? stemPrefix(fi.completeBaseName()) : top);
        rec.layout = DatasetLayout::Folder;
        rec.levels.push_back({fi.suffix().toLower(), video, false});
        rec.referencePath = csv;
        if (!QFileInfo::exists(csv)) {
            scan.problems << QStringLiteral("%1: no %2 next to the video").arg(rec.id, QFileInfo(csv).fileName());
            continue;
        }
        scan.recordings.push_back(rec);
    }
}

DatasetLayout detectLayout(const QString &root)
{
    if (!filesUnder(root, {QStringLiteral("*.synth.json"), QStringLiteral("*.gt.csv")}).isEmpty())
        return DatasetLayout::Synthetic;
    static const QRegularExpression pureName(QStringLiteral("^\\d+-\\d+\\.json$"));
    for (const QString &json : filesUnder(root, {QStringLiteral("*.json")}))
        if (pureName.match(QFileInfo(json).fileName()).hasMatch())
            return DatasetLayout::Pure;
    const QStringList vids = filesUnder(root, {QStringLiteral("vid.avi")});
    for (const QString &v : vids)
        if (QFileInfo::exists(QFileInfo(v).dir().filePath(QStringLiteral("ground_truth.txt"))))
            return DatasetLayout::Ubfc2;
    for (const QString &v : vids)
        if (QFileInfo::exists(QFileInfo(v).dir().filePath(QStringLiteral("gtdump.xmp"))))
            return DatasetLayout::Ubfc1;
    return DatasetLayout::Folder;
}

} // namespace

Result<QJsonObject> readJsonObject(const QString &path)
{
    auto bytes = readSmallFile(path);
    if (!bytes.ok())
        return bytes.error();
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes.value(), &err);
    if (err.error != QJsonParseError::NoError)
        return badData(path, QStringLiteral("not JSON (%1 at byte %2)").arg(err.errorString()).arg(err.offset));
    if (!doc.isObject())
        return badData(path, QStringLiteral("not a JSON object"));
    return doc.object();
}

QString datasetLayoutName(DatasetLayout layout)
{
    switch (layout) {
    case DatasetLayout::Auto: return QStringLiteral("auto");
    case DatasetLayout::Synthetic: return QStringLiteral("synthetic");
    case DatasetLayout::Ubfc2: return QStringLiteral("ubfc2");
    case DatasetLayout::Ubfc1: return QStringLiteral("ubfc1");
    case DatasetLayout::Pure: return QStringLiteral("pure");
    case DatasetLayout::Folder: return QStringLiteral("folder");
    }
    return {};
}

void PulseReference::stretchToDuration(double durationSec)
{
    if (!spansVideo || timeSec.size() < 2 || !(durationSec > 0))
        return;
    const double step = durationSec / double(timeSec.size());
    for (size_t i = 0; i < timeSec.size(); ++i)
        timeSec[i] = double(i) * step;
    spansVideo = false;
}

Result<TrainingDatasetScan> scanTrainingDataset(const QString &spec, RoiMode defaultRoi)
{
    TrainingDatasetScan scan;
    scan.spec = spec;
    QStringList parts = spec.split(QLatin1Char(','));
    const QString rootArg = parts.takeFirst().trimmed();
    if (rootArg.isEmpty())
        return makeError(ErrorCode::Usage, QStringLiteral("empty dataset path in '%1'").arg(spec));
    // Absolute, so recording ids and subjects relative to the root are the same whatever the
    // working folder.
    scan.root = QDir::cleanPath(QFileInfo(rootArg).absoluteFilePath());
    RoiMode roi = defaultRoi;
    SubjectRule subjectRule = SubjectRule::Auto;
    for (const QString &p : parts) {
        const int eq = p.indexOf(QLatin1Char('='));
        const QString key = p.left(eq).trimmed(), value = p.mid(eq + 1).trimmed().toLower();
        if (eq > 0 && key == QLatin1String("layout")) {
            static const std::map<QString, DatasetLayout> layouts = {
                {QStringLiteral("auto"), DatasetLayout::Auto}, {QStringLiteral("synthetic"), DatasetLayout::Synthetic},
                {QStringLiteral("ubfc2"), DatasetLayout::Ubfc2}, {QStringLiteral("ubfc1"), DatasetLayout::Ubfc1},
                {QStringLiteral("pure"), DatasetLayout::Pure}, {QStringLiteral("folder"), DatasetLayout::Folder}};
            auto it = layouts.find(value);
            if (it == layouts.end())
                return makeError(ErrorCode::Usage, QStringLiteral("unknown layout '%1' (auto, synthetic, ubfc2, ubfc1, pure, folder)").arg(value));
            scan.layout = it->second;
        } else if (eq > 0 && key == QLatin1String("roi")) {
            if (value == QLatin1String("face"))
                roi = RoiMode::Face;
            else if (value == QLatin1String("full"))
                roi = RoiMode::FullFrame;
            else
                return makeError(ErrorCode::Usage, QStringLiteral("roi must be face or full in a training dataset (got '%1')").arg(value));
        } else if (eq > 0 && key == QLatin1String("subject")) {
            static const std::map<QString, SubjectRule> rules = {
                {QStringLiteral("auto"), SubjectRule::Auto}, {QStringLiteral("file"), SubjectRule::File},
                {QStringLiteral("prefix"), SubjectRule::Prefix}, {QStringLiteral("folder"), SubjectRule::Folder}};
            auto it = rules.find(value);
            if (it == rules.end())
                return makeError(ErrorCode::Usage, QStringLiteral("unknown subject rule '%1' (auto, file, prefix, folder)").arg(value));
            subjectRule = it->second;
        } else {
            return makeError(ErrorCode::Usage, QStringLiteral("unknown dataset option '%1' (layout=, roi=, subject=)").arg(p));
        }
    }
    if (QFileInfo(scan.root).isFile())
        return makeError(ErrorCode::Usage, QStringLiteral("'%1' is a file; a dataset is a folder").arg(scan.root));
    if (!QFileInfo(scan.root).isDir())
        return makeError(ErrorCode::FileNotFound, QStringLiteral("dataset folder '%1' does not exist").arg(scan.root));
    if (scan.layout == DatasetLayout::Auto)
        scan.layout = detectLayout(scan.root);
    switch (scan.layout) {
    case DatasetLayout::Synthetic: scanSynthetic(scan, subjectRule); break;
    case DatasetLayout::Ubfc2:
    case DatasetLayout::Ubfc1: scanUbfc(scan, subjectRule); break;
    case DatasetLayout::Pure: scanPure(scan, subjectRule); break;
    case DatasetLayout::Folder:
    case DatasetLayout::Auto: scanFolder(scan, subjectRule); break;
    }
    QString datasetName = QFileInfo(QFileInfo(scan.root).absoluteFilePath()).fileName();
    if (datasetName.isEmpty())
        datasetName = QStringLiteral("dataset");
    for (TrainingRecording &r : scan.recordings) {
        r.dataset = datasetName;
        r.roi = roi;
    }
    if (scan.recordings.empty())
        return makeError(ErrorCode::BadData, QStringLiteral("no usable recording in '%1' (%2 layout)%3")
                                                 .arg(scan.root, datasetLayoutName(scan.layout),
                                                      scan.problems.isEmpty() ? QString()
                                                                              : QStringLiteral(": ") + scan.problems.first()));
    return scan;
}

Result<PulseReference> loadPulseReference(const TrainingRecording &recording)
{
    const QString &path = recording.referencePath;
    if (!QFileInfo::exists(path))
        return makeError(ErrorCode::FileNotFound, QStringLiteral("ground truth '%1' does not exist").arg(path));
    switch (recording.layout) {
    case DatasetLayout::Synthetic: return readSyntheticReference(path);
    case DatasetLayout::Ubfc2: return readUbfc2Reference(path);
    case DatasetLayout::Ubfc1: return readUbfc1Reference(path);
    case DatasetLayout::Pure: return readPureReference(path);
    case DatasetLayout::Folder:
    case DatasetLayout::Auto: return readCsvReference(path);
    }
    return makeError(ErrorCode::Internal, QStringLiteral("unknown layout"));
}

Result<std::unique_ptr<FrameSource>> openRecordingLevel(const TrainingRecording &recording, int level)
{
    if (level < 0 || level >= int(recording.levels.size()))
        return makeError(ErrorCode::Usage, QStringLiteral("%1 has no level %2").arg(recording.id).arg(level));
    const RecordingLevel &l = recording.levels[size_t(level)];
    if (l.imageSequence) {
        auto source = std::make_unique<ImageSequenceSource>();
        ImageSequenceOptions options;
        if (recording.layout == DatasetLayout::Pure) {
            // The frame clock must be the one loadPulseReference() aligned the pulse to.
            auto root = readJsonObject(recording.referencePath);
            if (root.ok()) {
                const std::vector<int64_t> ns = pureFrameTimestampsNs(root.value(), l.path);
                if (!ns.empty()) {
                    options.timestampsUs.reserve(ns.size());
                    for (int64_t t : ns)
                        options.timestampsUs.push_back((t - ns.front()) / 1000);
                }
            }
        }
        if (Error e = source->open(l.path, options); e.isError())
            return e;
        return std::unique_ptr<FrameSource>(std::move(source));
    }
    auto source = std::make_unique<VideoFileSource>();
    if (Error e = source->open(l.path); e.isError())
        return e;
    return std::unique_ptr<FrameSource>(std::move(source));
}

bool stretchOverVideo(PulseReference &pulse, const VideoInfo &video)
{
    if (!pulse.spansVideo)
        return true;
    const double duration = video.durationSec > 0 ? video.durationSec
                                                  : (video.nominalFps > 0 ? video.frameCountEstimate / video.nominalFps : 0);
    if (!(duration > 0))
        return false;
    pulse.stretchToDuration(duration);
    return !pulse.spansVideo;
}

bool stretchOverVideo(PulseReference &pulse, const TrainingRecording &recording)
{
    if (!pulse.spansVideo)
        return true;
    if (recording.levels.empty() || recording.levels.front().path.isEmpty())
        return false;
    auto src = openRecordingLevel(recording, 0);
    return src.ok() && stretchOverVideo(pulse, src.value()->info());
}

Result<HrReference> loadRecordingHrReference(const TrainingRecording &recording)
{
    auto pulse = loadPulseReference(recording);
    if (!pulse.ok())
        return pulse.error();
    const QString file = QFileInfo(recording.referencePath).fileName();
    if (!stretchOverVideo(pulse.value(), recording))
        return makeError(ErrorCode::BadData, QStringLiteral("%1 has no time axis and the video no duration").arg(file));
    HrReference ref;
    ref.timeSec = pulse->timeSec;
    ref.ppg = pulse->ppg;
    ref.hrBpm = pulse->hrBpm.size() == ref.timeSec.size() ? pulse->hrBpm
                                                           : std::vector<double>(ref.timeSec.size(), std::nan(""));
    ref.meanHrBpm = referenceHeartRate(ref.timeSec, ref.ppg);
    if (!std::isfinite(ref.meanHrBpm))
        return makeError(ErrorCode::BadData, QStringLiteral("no clear pulse in %1").arg(file));
    return ref;
}

QString findVideoReference(const QString &videoPath)
{
    const QString gt = groundTruthPathFor(videoPath);
    if (QFileInfo(gt).isFile())
        return gt;
    const QDir dir = QFileInfo(videoPath).absoluteDir();
    for (const QString &name : {QStringLiteral("ground_truth.txt"), QStringLiteral("gtdump.xmp")})
        if (QFileInfo(dir.filePath(name)).isFile())
            return dir.filePath(name);
    return {};
}

Result<HrReference> loadVideoReference(const QString &referencePath, const QString &videoPath)
{
    const QString name = QFileInfo(referencePath).fileName().toLower();
    DatasetLayout layout = DatasetLayout::Auto;
    if (name == QLatin1String("ground_truth.txt"))
        layout = DatasetLayout::Ubfc2;
    else if (name == QLatin1String("gtdump.xmp"))
        layout = DatasetLayout::Ubfc1;
    else
        return loadHrReference(referencePath);
    TrainingRecording rec;
    rec.id = QFileInfo(videoPath).fileName();
    rec.layout = layout;
    rec.referencePath = referencePath;
    rec.levels.push_back({QStringLiteral("video"), videoPath, false});
    return loadRecordingHrReference(rec);
}

} // namespace rppg
