#include "groundtruth.h"

#include "dsp.h"
#include "ppgseries.h"
#include "signalanalyzer.h"

#include <QFile>
#include <QTextStream>

#include <cmath>

namespace rppg {

HrReference HrReference::constant(double hrBpm)
{
    HrReference r;
    r.meanHrBpm = hrBpm;
    return r;
}

double HrReference::meanOver(double fromSec, double toSec) const
{
    if (timeSec.empty())
        return meanHrBpm;
    double sum = 0;
    int n = 0;
    for (size_t i = 0; i < timeSec.size(); ++i) {
        if (timeSec[i] >= fromSec && timeSec[i] <= toSec && std::isfinite(hrBpm[i])) {
            sum += hrBpm[i];
            ++n;
        }
    }
    return n ? sum / n : meanHrBpm;
}

namespace {

// The reference waveform over [fromSec, toSec] at 30 Hz, detrended and band-passed like a pulse.
std::vector<double> processedWaveform(const HrReference &r, double fromSec, double toSec,
                                      double bandLowHz, double bandHighHz, double fs)
{
    std::vector<double> t, v;
    for (size_t i = 0; i < r.timeSec.size(); ++i) {
        if (r.timeSec[i] >= fromSec - 1e-9 && r.timeSec[i] <= toSec + 1e-9 && std::isfinite(r.ppg[i])) {
            t.push_back(r.timeSec[i]);
            v.push_back(r.ppg[i]);
        }
    }
    if (t.size() < 8)
        return {};
    const int n = int((t.back() - t.front()) * fs) + 1;
    auto x = dsp::resampleLinear(t, v, t.front(), fs, n);
    x = dsp::detrendSmoothnessPriors(x, dsp::smoothnessLambdaForCutoff(0.5 * bandLowHz, fs));
    return dsp::sosFiltFilt(dsp::butterworthBandpass(3, bandLowHz, bandHighHz, fs), x);
}

} // namespace

double HrReference::recordingHr(double windowSec, double bandLowHz, double bandHighHz) const
{
    if (ppg.size() != timeSec.size() || timeSec.size() < 8)
        return meanHrBpm;
    const double fs = 30.0;
    const auto x = processedWaveform(*this, timeSec.front(), timeSec.back(), bandLowHz, bandHighHz, fs);
    if (x.size() < 8)
        return meanHrBpm;
    int nfft = 4096;
    while (nfft < int(windowSec * fs))
        nfft <<= 1;
    const auto spec = dsp::welch(x, fs, int(windowSec * fs), 0.5, nfft);
    const auto peak = dsp::spectralPeak(spec, bandLowHz, bandHighHz);
    return peak.valid ? peak.frequencyHz * 60.0 : meanHrBpm;
}

double HrReference::windowHr(double fromSec, double toSec, double bandLowHz, double bandHighHz) const
{
    if (ppg.size() != timeSec.size() || timeSec.size() < 8 || toSec - fromSec < 2.0)
        return meanOver(fromSec, toSec);
    const double fs = 30.0;
    const auto x = processedWaveform(*this, fromSec, toSec, bandLowHz, bandHighHz, fs);
    if (x.size() < 8)
        return meanOver(fromSec, toSec);
    const double hr = estimateHeartRate(x, fs, bandLowHz, bandHighHz).hrBpm;
    return std::isfinite(hr) ? hr : meanOver(fromSec, toSec);
}

namespace {

Error noPulseError(const QString &path)
{
    return Error{ErrorCode::BadData, QStringLiteral("'%1' records no pulse (a video rendered with --amplitude 0): "
                                                    "there is no heart rate to compare with")
                                         .arg(path)};
}

} // namespace

Result<HrReference> readHrReference(const QString &path)
{
    QFile f(path);
    if (!f.exists())
        return Error{ErrorCode::FileNotFound, QStringLiteral("ground truth '%1' does not exist").arg(path)};
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        return Error{ErrorCode::FileNotFound, QStringLiteral("cannot read '%1': %2").arg(path, f.errorString())};
    QTextStream in(&f);
    int timeCol = -1, hrCol = -1, ppgCol = -1, columns = 0;
    HrReference ref;
    double sum = 0;
    while (!in.atEnd()) {
        const QString line = in.readLine().trimmed();
        if (line.startsWith(QLatin1String(kNoPulseMarker)))
            return noPulseError(path);
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        const QStringList cells = line.split(QLatin1Char(','));
        if (timeCol < 0 && hrCol < 0 && columns == 0) {
            columns = int(cells.size());
            for (int i = 0; i < cells.size(); ++i) {
                const QString name = cells[i].trimmed().toLower();
                if (name == QLatin1String("time_s"))
                    timeCol = i;
                else if (name == QLatin1String("hr_bpm"))
                    hrCol = i;
                else if (name == QLatin1String("ppg"))
                    ppgCol = i;
            }
            if (timeCol < 0 || hrCol < 0)
                return Error{ErrorCode::BadData,
                             QStringLiteral("'%1' has no time_s and hr_bpm columns").arg(path)};
            continue;
        }
        if (cells.size() != columns)
            return Error{ErrorCode::BadData, QStringLiteral("'%1': ragged row '%2'").arg(path, line.left(40))};
        bool okT = false, okH = false;
        const double t = cells[timeCol].toDouble(&okT);
        const double h = cells[hrCol].toDouble(&okH);
        if (!okT)
            return Error{ErrorCode::BadData, QStringLiteral("'%1': bad time '%2'").arg(path, cells[timeCol])};
        ref.timeSec.push_back(t);
        if (ppgCol >= 0) {
            bool okP = false;
            const double pv = cells[ppgCol].toDouble(&okP);
            ref.ppg.push_back(okP ? pv : std::nan(""));
        }
        ref.hrBpm.push_back(okH ? h : std::nan(""));
        if (okH)
            sum += h;
    }
    int valid = 0;
    for (double h : ref.hrBpm)
        valid += std::isfinite(h);
    if (valid == 0)
        return Error{ErrorCode::BadData, QStringLiteral("'%1' holds no heart-rate values").arg(path)};
    ref.meanHrBpm = sum / valid;
    return ref;
}

} // namespace rppg

namespace rppg {

Result<HrReference> loadHrReference(const QString &path, double defaultRateHz)
{
    auto direct = readHrReference(path);
    if (direct.ok() || direct.error().code == ErrorCode::FileNotFound
        || direct.error().message == noPulseError(path).message)
        return direct;
    auto ppg = readPpgCsv(path, defaultRateHz);
    if (!ppg.ok())
        return Error{ErrorCode::BadData,
                     QStringLiteral("'%1' is neither a time_s,hr_bpm table nor a PPG recording (%2)")
                         .arg(path, ppg.error().message)};
    HrReference ref;
    ref.timeSec = ppg->timeSec;
    ref.ppg = ppg->value;
    ref.hrBpm.assign(ref.timeSec.size(), std::nan(""));
    ref.meanHrBpm = referenceHeartRate(ppg.value());
    if (!std::isfinite(ref.meanHrBpm))
        return Error{ErrorCode::BadData, QStringLiteral("no clear pulse in the PPG of '%1'").arg(path)};
    return ref;
}

} // namespace rppg
