#include "clipdataset.h"

#include "mathconst.h"
#include "textparse.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>

namespace rppg::models {

namespace {

// Sample i of an n-point Hann window, sampled at bin centres so that it is never exactly zero
// (the overlap-add of windowedHrMae divides by sums of these).
double hannWeight(size_t i, size_t n)
{
    return 0.5 - 0.5 * std::cos(2.0 * kPi * (double(i) + 0.5) / double(n));
}

bool toInt64(const std::string &s, int64_t &v)
{
    if (s.empty())
        return false;
    char *end = nullptr;
    errno = 0;
    const long long x = std::strtoll(s.c_str(), &end, 10);
    if (errno != 0 || end == s.c_str() || *end != '\0')
        return false;
    v = x;
    return true;
}

bool toDouble(const std::string &s, double &v)
{
    if (s.empty())
        return false;
    char *end = nullptr;
    const double x = std::strtod(s.c_str(), &end);
    if (end == s.c_str() || *end != '\0' || !std::isfinite(x))
        return false;
    v = x;
    return true;
}

int64_t fileSize(const std::string &path)
{
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return -1;
    return int64_t(st.st_size);
}

bool isDirectory(const std::string &path)
{
    struct stat st{};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string joinPath(const std::string &dir, const std::string &name)
{
    if (!dir.empty() && dir.back() == '/')
        return dir + name;
    return dir + "/" + name;
}

// A CSV with a header row; rows as maps column → text. Names never contain ',' (format rule).
bool readCsv(const std::string &path, std::vector<std::map<std::string, std::string>> &rows, std::string &why)
{
    std::ifstream in(path);
    if (!in) {
        why = "cannot read " + path;
        return false;
    }
    std::string line;
    if (!std::getline(in, line)) {
        why = path + " is empty";
        return false;
    }
    const std::vector<std::string> header = splitText(trimText(line), ',');
    int lineNo = 1;
    while (std::getline(in, line)) {
        ++lineNo;
        line = trimText(line);
        if (line.empty())
            continue;
        const std::vector<std::string> cells = splitText(line, ',');
        if (cells.size() != header.size()) {
            why = path + " line " + std::to_string(lineNo) + ": " + std::to_string(cells.size()) + " fields, expected "
                  + std::to_string(header.size());
            return false;
        }
        std::map<std::string, std::string> row;
        for (size_t i = 0; i < header.size(); ++i)
            row[header[i]] = cells[i];
        rows.push_back(std::move(row));
    }
    return true;
}

bool readExact(const std::string &path, int64_t offset, void *dst, int64_t bytes)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return false;
    in.seekg(offset);
    if (!in)
        return false;
    in.read(static_cast<char *>(dst), bytes);
    return in.gcount() == bytes;
}

torch::Tensor resizeFrames(const torch::Tensor &tchw, int size)
{
    // tchw: T × C × H × W float
    namespace F = torch::nn::functional;
    const int64_t h = tchw.size(2);
    if (h == size)
        return tchw;
    if (size < h)
        return F::interpolate(tchw, F::InterpolateFuncOptions()
                                        .size(std::vector<int64_t>{size, size})
                                        .mode(torch::kArea));
    return F::interpolate(tchw, F::InterpolateFuncOptions()
                                    .size(std::vector<int64_t>{size, size})
                                    .mode(torch::kBilinear)
                                    .align_corners(false));
}

} // namespace

std::optional<ClipDataset> ClipDataset::open(const std::vector<std::string> &dirs, std::string *error)
{
    auto fail = [&](const std::string &msg) -> std::optional<ClipDataset> {
        if (error)
            *error = msg;
        return std::nullopt;
    };
    if (dirs.empty())
        return fail("no clip cache given");

    ClipDataset ds;
    ds.m_levelNames = {"original"};
    std::map<std::string, int> subjectIds;
    for (size_t c = 0; c < dirs.size(); ++c) {
        const std::string &dir = dirs[c];
        const std::string where = "clip cache " + dir + ": ";
        if (!isDirectory(dir))
            return fail(where + "not a folder");
        std::ifstream idx(joinPath(dir, "index.txt"));
        if (!idx)
            return fail(where + "no index.txt (not a clip cache, or an unfinished one)");
        std::map<std::string, std::string> kv;
        std::string line;
        while (std::getline(idx, line)) {
            const auto eq = line.find('=');
            if (eq == std::string::npos)
                continue;
            kv[trimText(line.substr(0, eq))] = trimText(line.substr(eq + 1));
        }
        if (kv["format"] != "rppg-clip-cache")
            return fail(where + "index.txt does not say format=rppg-clip-cache");
        ClipCacheFolder f;
        f.dir = dir;
        int64_t v = 0;
        auto needInt = [&](const char *key, int64_t &out) {
            return toInt64(kv[key], out);
        };
        if (!needInt("version", v))
            return fail(where + "index.txt has no version");
        f.version = int(v);
        if (f.version != 1)
            return fail(where + "format version " + std::to_string(f.version) + " is not supported (this build reads 1)");
        int64_t crop = 0, mask = 0, clipFrames = 0, stride = 0, frames = 0, levels = 0;
        if (!needInt("crop_size", crop) || !needInt("clip_frames", clipFrames) || !needInt("frames", frames)
            || !needInt("levels", levels))
            return fail(where + "index.txt lacks crop_size, clip_frames, frames or levels");
        if (!needInt("mask_size", mask))
            mask = crop / 2;
        needInt("stride_frames", stride);
        if (crop < 8 || crop > 4096 || mask != crop / 2 || clipFrames < 2 || clipFrames > 100000 || frames < 0
            || levels < 1 || levels > 64)
            return fail(where + "index.txt has implausible sizes");
        if (kv.count("channels") && kv["channels"] != "rgb")
            return fail(where + "channels=" + kv["channels"] + " is not supported (rgb only)");
        f.cropSize = int(crop);
        f.maskSize = int(mask);
        f.clipFrames = int(clipFrames);
        f.strideFrames = int(stride);
        f.frames = frames;
        f.sources = kv["sources"];
        for (int k = 0; k < levels; ++k) {
            const std::string p = "level." + std::to_string(k);
            f.levelNames.push_back(kv.count(p + ".name") ? kv[p + ".name"] : (k == 0 ? "original" : "level " + std::to_string(k)));
            int64_t lf = 0;
            if (!toInt64(kv[p + ".frames"], lf))
                lf = k == 0 ? frames : 0;
            f.levelFrames.push_back(lf);
            // Level 0 is the original in every cache; the others meet by name.
            int datasetLevel = 0;
            if (k > 0) {
                const std::string &name = f.levelNames.back();
                if (std::count(f.levelNames.begin(), f.levelNames.end(), name) > 1)
                    return fail(where + "two levels are named '" + name + "'");
                datasetLevel = ds.compressedLevelIndex(name);
                if (datasetLevel < 0) {
                    datasetLevel = ds.levelCount();
                    ds.m_levelNames.push_back(name);
                }
            }
            f.datasetLevels.push_back(datasetLevel);
            const int64_t need = lf * crop * crop * 3;
            const std::string bin = joinPath(dir, "frames_l" + std::to_string(k) + ".bin");
            const int64_t have = fileSize(bin);
            if (lf > 0 && have != need)
                return fail(where + "frames_l" + std::to_string(k) + ".bin has " + std::to_string(have) + " bytes, expected "
                            + std::to_string(need));
        }
        if (fileSize(joinPath(dir, "masks.bin")) != frames * mask * mask)
            return fail(where + "masks.bin size does not match " + std::to_string(frames) + " frames");
        if (fileSize(joinPath(dir, "ppg.bin")) != frames * 4)
            return fail(where + "ppg.bin size does not match " + std::to_string(frames) + " frames");

        std::string why;
        std::vector<std::map<std::string, std::string>> segRows, clipRows;
        if (!readCsv(joinPath(dir, "segments.csv"), segRows, why))
            return fail(where + why);
        if (!readCsv(joinPath(dir, "clips.csv"), clipRows, why))
            return fail(where + why);

        const int segBase = int(ds.m_segments.size());
        for (size_t r = 0; r < segRows.size(); ++r) {
            auto &row = segRows[r];
            ClipCacheSegmentInfo s;
            s.cache = int(c);
            s.dataset = row["dataset"];
            s.recording = row["recording"];
            s.subject = row["subject"];
            int64_t segId = -1;
            if (!toDouble(row["fps"], s.fps) || s.fps <= 0 || !toInt64(row["frames"], s.frames) || s.frames <= 0
                || !toInt64(row["offset"], s.offset) || !toInt64(row["segment"], segId) || segId != int64_t(r))
                return fail(where + "segments.csv row " + std::to_string(r + 1) + " is malformed");
            if (s.offset < 0 || s.offset + s.frames > frames)
                return fail(where + "segments.csv row " + std::to_string(r + 1) + " lies outside masks.bin/ppg.bin");
            s.levelOffsets.assign(ds.m_levelNames.size(), -1);
            for (const std::string &item : splitText(row["levels"], ';')) {
                if (item.empty())
                    continue;
                const auto colon = item.find(':');
                int64_t k = -1, off = -1;
                if (colon == std::string::npos || !toInt64(item.substr(0, colon), k) || !toInt64(item.substr(colon + 1), off)
                    || k < 0 || k >= levels || off < 0 || off + s.frames > f.levelFrames[size_t(k)])
                    return fail(where + "segments.csv row " + std::to_string(r + 1) + " has a bad levels entry '" + item + "'");
                s.levelOffsets[size_t(f.datasetLevels[size_t(k)])] = off;
            }
            if (std::none_of(s.levelOffsets.begin(), s.levelOffsets.end(), [](int64_t o) { return o >= 0; }))
                return fail(where + "segments.csv row " + std::to_string(r + 1) + " has no frames at any level");
            const std::string key = s.dataset + "/" + s.subject;
            auto it = subjectIds.find(key);
            if (it == subjectIds.end()) {
                it = subjectIds.emplace(key, int(ds.m_subjects.size())).first;
                ds.m_subjects.push_back(key);
            }
            s.subjectId = it->second;
            ds.m_segments.push_back(std::move(s));
        }
        int64_t clipsHere = 0;
        for (size_t r = 0; r < clipRows.size(); ++r) {
            auto &row = clipRows[r];
            ClipInfo ci;
            int64_t seg = -1;
            if (!toInt64(row["segment"], seg) || !toInt64(row["start"], ci.start) || !toDouble(row["hr_bpm"], ci.hrBpm))
                return fail(where + "clips.csv row " + std::to_string(r + 1) + " is malformed");
            if (seg < 0 || seg >= int64_t(segRows.size()))
                return fail(where + "clips.csv row " + std::to_string(r + 1) + " names a missing segment");
            const auto &s = ds.m_segments[size_t(segBase + seg)];
            if (ci.start < 0 || ci.start + clipFrames > s.frames)
                return fail(where + "clips.csv row " + std::to_string(r + 1) + " runs past its segment");
            ci.segment = int(segBase + seg);
            ds.m_clips.push_back(ci);
            ++clipsHere;
        }
        if (clipsHere == 0)
            return fail(where + "no clips");
        ds.m_clipFrames = ds.m_clipFrames == 0 ? f.clipFrames : std::min(ds.m_clipFrames, f.clipFrames);
        if (ds.m_cropSize == 0)
            ds.m_cropSize = f.cropSize;
        ds.m_caches.push_back(std::move(f));
    }
    for (auto &s : ds.m_segments)   // levels named by later caches are absent from earlier ones
        s.levelOffsets.resize(ds.m_levelNames.size(), -1);
    return ds;
}

int ClipDataset::compressedLevelIndex(const std::string &name) const
{
    const auto it = std::find(m_levelNames.begin() + (m_levelNames.empty() ? 0 : 1), m_levelNames.end(), name);
    return it == m_levelNames.end() ? -1 : int(it - m_levelNames.begin());
}

std::vector<int> ClipDataset::levelsOf(int64_t clip) const
{
    std::vector<int> out;
    const auto &s = m_segments[size_t(m_clips[size_t(clip)].segment)];
    for (size_t k = 0; k < s.levelOffsets.size(); ++k)
        if (s.levelOffsets[k] >= 0)
            out.push_back(int(k));
    return out;
}

std::string ClipDataset::describe() const
{
    std::ostringstream os;
    os << m_clips.size() << " clips of " << m_clipFrames << " frames, " << m_subjects.size() << " subjects, "
       << m_segments.size() << " segments from ";
    for (size_t c = 0; c < m_caches.size(); ++c) {
        const auto &f = m_caches[c];
        if (c)
            os << "; ";
        // Folder names, not paths: this text goes into checkpoints, which travel between machines.
        os << "clip cache " << pathLeaf(f.dir) << " (" << f.cropSize << " px, levels " << joinText(f.levelNames, "|") << ")";
        if (!f.sources.empty())
            os << " sources " << withoutFolders(f.sources);
    }
    if (m_caches.size() > 1)
        os << "; levels by name (STVEN label order) " << joinText(m_levelNames, "|");
    return os.str();
}

ClipRequest ClipDataset::plainRequest(int64_t clip, int frames, int size) const
{
    ClipRequest r;
    r.clip = clip;
    r.frames = frames;
    r.size = size;
    return r;
}

ClipRequest ClipDataset::randomRequest(int64_t clip, int frames, int size, const Augmentation &aug,
                                       std::mt19937_64 &rng) const
{
    ClipRequest r = plainRequest(clip, frames, size);
    const auto &f = m_caches[size_t(m_segments[size_t(m_clips[size_t(clip)].segment)].cache)];
    const int t = frames > 0 ? frames : f.clipFrames;
    if (t < f.clipFrames)
        r.frameOffset = std::uniform_int_distribution<int64_t>(0, f.clipFrames - t)(rng);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    r.flip = aug.flip && (rng() & 1u);
    r.brightness = aug.brightness * u(rng);
    r.contrast = 1.0 + aug.contrast * u(rng);
    return r;
}

ClipSample ClipDataset::read(const ClipRequest &req, int level) const
{
    if (req.clip < 0 || req.clip >= size())
        throw std::runtime_error("clip " + std::to_string(req.clip) + " out of range");
    const ClipInfo &ci = m_clips[size_t(req.clip)];
    const ClipCacheSegmentInfo &s = m_segments[size_t(ci.segment)];
    const ClipCacheFolder &f = m_caches[size_t(s.cache)];
    if (level < 0 || level >= int(s.levelOffsets.size()) || s.levelOffsets[size_t(level)] < 0)
        throw std::runtime_error("clip " + std::to_string(req.clip) + " has no level " + std::to_string(level));
    const int T = req.frames > 0 ? req.frames : f.clipFrames;
    if (T > f.clipFrames || req.frameOffset < 0 || req.frameOffset + T > f.clipFrames)
        throw std::runtime_error("clip " + std::to_string(req.clip) + ": " + std::to_string(T)
                                 + " frames asked, the cache has " + std::to_string(f.clipFrames));
    const int S = f.cropSize, M = f.maskSize;
    const int out = req.size > 0 ? req.size : S;
    const int64_t first = ci.start + req.frameOffset;

    // Frames: T × S × S × 3 uint8.
    auto raw = torch::empty({T, S, S, 3}, torch::kUInt8);
    const auto file = std::find(f.datasetLevels.begin(), f.datasetLevels.end(), level) - f.datasetLevels.begin();
    const std::string frameFile = joinPath(f.dir, "frames_l" + std::to_string(file) + ".bin");
    if (!readExact(frameFile, (s.levelOffsets[size_t(level)] + first) * int64_t(S) * S * 3, raw.data_ptr<uint8_t>(),
                   raw.numel()))
        throw std::runtime_error("short read from " + frameFile);
    auto x = raw.permute({0, 3, 1, 2}).to(torch::kFloat).div_(255.0);   // T × 3 × S × S in [0, 1]
    x = resizeFrames(x, out);
    if (req.contrast != 1.0 || req.brightness != 0.0) {
        const auto mean = x.mean();
        x = ((x - mean) * req.contrast + mean + req.brightness).clamp_(0.0, 1.0);
    }
    if (req.flip)
        x = x.flip({3});
    ClipSample sample;
    sample.frames = x.mul(2.0).sub_(1.0).permute({1, 0, 2, 3}).contiguous();   // 3 × T × S × S

    // Mask: T × M × M uint8 → float 0/1 at out/2.
    auto m = torch::empty({T, M, M}, torch::kUInt8);
    const std::string maskFile = joinPath(f.dir, "masks.bin");
    if (!readExact(maskFile, (s.offset + first) * int64_t(M) * M, m.data_ptr<uint8_t>(), m.numel()))
        throw std::runtime_error("short read from " + maskFile);
    auto mf = m.to(torch::kFloat).clamp_max_(1.0).unsqueeze(1);   // T × 1 × M × M
    if (out / 2 != M)
        mf = resizeFrames(mf, out / 2).gt(0.5).to(torch::kFloat);
    if (req.flip)
        mf = mf.flip({3});
    sample.mask = mf.squeeze(1).contiguous();

    auto p = torch::empty({T}, torch::kFloat);
    const std::string ppgFile = joinPath(f.dir, "ppg.bin");
    if (!readExact(ppgFile, (s.offset + first) * 4, p.data_ptr<float>(), T * 4))
        throw std::runtime_error("short read from " + ppgFile);
    sample.ppg = p;
    sample.hrBpm = ci.hrBpm;
    sample.fps = s.fps;
    return sample;
}

DatasetSplit splitBySubject(const ClipDataset &data, double valFraction, uint64_t seed)
{
    DatasetSplit split;
    const int nSubjects = int(data.subjects().size());
    std::vector<int64_t> perSubject(size_t(nSubjects), 0);
    for (int64_t i = 0; i < data.size(); ++i)
        ++perSubject[size_t(data.subjectOf(i))];
    std::vector<int> order(static_cast<size_t>(nSubjects));
    std::iota(order.begin(), order.end(), 0);
    // Sort by name first so the result does not depend on the order caches were listed in.
    std::sort(order.begin(), order.end(), [&](int a, int b) { return data.subjects()[size_t(a)] < data.subjects()[size_t(b)]; });
    std::mt19937_64 rng(seed);
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<char> isVal(size_t(nSubjects), 0);
    if (valFraction > 0 && nSubjects >= 2) {
        const double target = valFraction * double(data.size());
        int64_t inVal = 0;
        for (int k = 0; k < nSubjects - 1; ++k) {   // always leave at least one subject to train on
            const int s = order[size_t(k)];
            if (inVal > 0 && double(inVal + perSubject[size_t(s)]) > target * 1.5)
                continue;
            isVal[size_t(s)] = 1;
            inVal += perSubject[size_t(s)];
            split.validationSubjects.push_back(data.subjects()[size_t(s)]);
            if (double(inVal) >= target)
                break;
        }
    }
    for (int64_t i = 0; i < data.size(); ++i)
        (isVal[size_t(data.subjectOf(i))] ? split.validation : split.train).push_back(i);
    return split;
}

double spectralPeakBpm(const std::vector<float> &signal, double fsHz, double minBpm, double maxBpm)
{
    const size_t n = signal.size();
    if (n < 4 || !(fsHz > 0))
        return std::nan("");
    // Linear detrend.
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (size_t i = 0; i < n; ++i) {
        const double x = double(i), y = signal[i];
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
    }
    const double den = double(n) * sxx - sx * sx;
    const double slope = den != 0 ? (double(n) * sxy - sx * sy) / den : 0.0;
    const double icpt = (sy - slope * sx) / double(n);
    std::vector<double> y(n);
    double energy = 0;
    for (size_t i = 0; i < n; ++i) {
        const double w = hannWeight(i, n);
        y[i] = (double(signal[i]) - (icpt + slope * double(i))) * w;
        energy += y[i] * y[i];
    }
    if (!(energy > 1e-20) || !std::isfinite(energy))
        return std::nan("");
    // Power on a 0.1 bpm grid (a direct DFT: clips are short, so this is cheap and exact).
    double best = -1, bestBpm = std::nan("");
    for (double bpm = minBpm; bpm <= maxBpm + 1e-9; bpm += 0.1) {
        const double w = 2.0 * kPi * bpm / 60.0 / fsHz;
        double re = 0, im = 0;
        for (size_t i = 0; i < n; ++i) {
            re += y[i] * std::cos(w * double(i));
            im -= y[i] * std::sin(w * double(i));
        }
        const double p = re * re + im * im;
        if (p > best) {
            best = p;
            bestBpm = bpm;
        }
    }
    return bestBpm;
}

WindowedHrScore windowedHrMae(const std::vector<PredictedClip> &clips, double windowSec, double hopSec)
{
    WindowedHrScore score;
    score.maeBpm = std::nan("");
    std::map<int, std::vector<const PredictedClip *>> bySegment;
    for (const PredictedClip &c : clips)
        if (!c.prediction.empty() && c.prediction.size() == c.reference.size() && c.fps > 0 && c.start >= 0)
            bySegment[c.segment].push_back(&c);
    double sum = 0;
    for (const auto &[segment, list] : bySegment) {
        (void)segment;
        int64_t end = 0;
        for (const PredictedClip *c : list)
            end = std::max(end, c->start + int64_t(c->prediction.size()));
        std::vector<double> acc(size_t(end), 0.0), weight(size_t(end), 0.0);
        std::vector<float> ref(size_t(end), 0.0f);
        for (const PredictedClip *c : list) {
            const size_t n = c->prediction.size();
            double mean = 0, var = 0;
            for (float v : c->prediction)
                mean += v;
            mean /= double(n);
            for (float v : c->prediction)
                var += (v - mean) * (v - mean);
            const double sd = std::sqrt(var / double(n));
            if (!(sd > 1e-12) || !std::isfinite(sd))
                continue;   // a flat clip adds nothing (and leaves its frames uncovered)
            for (size_t i = 0; i < n; ++i) {
                const double w = hannWeight(i, n);
                const size_t f = size_t(c->start) + i;
                acc[f] += w * (c->prediction[i] - mean) / sd;
                weight[f] += w;
                ref[f] = c->reference[i];
            }
        }
        const double fps = list.front()->fps;
        const auto win = int64_t(std::llround(windowSec * fps));
        const auto hop = std::max<int64_t>(1, std::llround(hopSec * fps));
        // Runs of covered frames, each scored in windows.
        for (int64_t a = 0; a < end;) {
            if (!(weight[size_t(a)] > 0)) {
                ++a;
                continue;
            }
            int64_t b = a;
            while (b < end && weight[size_t(b)] > 0)
                ++b;
            for (int64_t w0 = a; w0 + win <= b; w0 += hop) {
                std::vector<float> p(static_cast<size_t>(win)), r(static_cast<size_t>(win));
                for (int64_t i = 0; i < win; ++i) {
                    p[size_t(i)] = float(acc[size_t(w0 + i)] / weight[size_t(w0 + i)]);
                    r[size_t(i)] = ref[size_t(w0 + i)];
                }
                const double hp = spectralPeakBpm(p, fps), hr = spectralPeakBpm(r, fps);
                if (std::isfinite(hp) && std::isfinite(hr)) {
                    sum += std::abs(hp - hr);
                    ++score.windows;
                }
            }
            a = b;
        }
    }
    if (score.windows > 0)
        score.maeBpm = sum / double(score.windows);
    return score;
}

} // namespace rppg::models
