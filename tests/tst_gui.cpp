// The main window, offscreen: the bundled sample analysed through the real decode thread, live
// worker and redraw timer; its readout against the sample's ground truth; plots, overlay toggle,
// CSV export read back with core's reader; the no-camera message; switching methods mid-run; a
// live source through the camera bridge (a QMediaPlayer into a QVideoSink, as a camera would
// deliver); closing mid-run.

#include "analysiscsv.h"
#include "codeccomparisonview.h"
#include "groundtruth.h"
#include "dsp.h"
#include "mainwindow.h"
#include "synth.h"
#include "resourcepaths.h"
#include "testsupport.h"

#include <QCameraDevice>
#include <QComboBox>
#include <QDataStream>
#include <QScreen>
#include <QDockWidget>
#include <QFileInfo>
#include <QMediaDevices>
#include <QMediaPlayer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QMenu>
#include <QTest>
#include <QToolButton>
#include <QVideoSink>

#include <cmath>

using namespace rppg;

namespace {
// The sample is 25 s long; analysed in real time the whole file takes that long, so the tests
// analyse it "as fast as possible" (every frame, nothing dropped) with a generous bound.
constexpr int kAnalysisTimeoutMs = 150000;

// File → Export → CSV to `path`, waited for, and read back by core's reader; "" on success, else
// what went wrong.
QString exportAndRead(MainWindow &w, const QString &path, AnalysisCsv *table)
{
    QSignalSpy exported(&w, &MainWindow::exportFinished);
    w.exportCsv(path);
    if (!exported.wait(30000))
        return QStringLiteral("the export did not finish");
    if (!exported.first().at(0).toBool())
        return exported.first().at(2).toString();
    auto read = readAnalysisCsv(path);
    if (!read.ok())
        return read.error().message;
    *table = read.value();
    return {};
}
// Opens `video` in `w`, waits for the end, and counts the trend's full-window estimates (those
// ending after 11 s) that are unconfirmed and good; "" on success, else what went wrong.
struct TrendCounts
{
    int full = 0, unconfirmed = 0, good = 0;
};
QString analyseToTheEnd(MainWindow &w, const QString &video, TrendCounts *counts)
{
    QSignalSpy finished(&w, &MainWindow::analysisFinished);
    w.openFile(video);
    if (!finished.wait(kAnalysisTimeoutMs))
        return QStringLiteral("the analysis did not finish");
    if (!QTest::qWaitFor([&w] { return w.lastUpdate() && w.lastUpdate()->endOfStream; }, 5000))
        return QStringLiteral("no final update");
    *counts = {};
    for (const LiveHrPoint &p : w.lastUpdate()->trend) {
        if (p.quality == Quality::NoSignal || p.timeSec < 11)
            continue;
        ++counts->full;
        counts->unconfirmed += p.unconfirmed;
        counts->good += p.quality == Quality::Good;
    }
    return {};
}
} // namespace

class TestGui : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_sample;
    HrReference m_truth;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        test::isolateSettings(m_dir, QStringLiteral("tst_gui"));
        const QString sample = test::loadSample(&m_sample, &m_truth);
        QVERIFY2(sample.isEmpty(), qPrintable(sample));
        Settings settings;
        settings.setPlaybackMode(PlaybackMode::AsFastAsPossible);
        settings.setMethod(QStringLiteral("pos"));
        settings.setWindowSec(10);
    }

    // Open the sample: the readout reaches the truth, the plots fill, the overlay toggles, and
    // the CSV export parses.
    void sampleToTheEnd()
    {
        MainWindow w;
        w.resize(1280, 800);
        w.show();
        QSignalSpy finished(&w, &MainWindow::analysisFinished);
        // The session is also recorded as it runs (File → Record session).
        const QString recording = m_dir.filePath(QStringLiteral("recording.csv"));
        QVERIFY(w.startRecording(recording));
        w.openFile(m_sample);
        QVERIFY(finished.wait(kAnalysisTimeoutMs));
        QTRY_VERIFY(w.lastUpdate() && w.lastUpdate()->endOfStream);
        const QString endMessage = w.messageText();   // before the recording's own message
        QVERIFY(w.isRecording());
        QVERIFY(QFile::exists(LiveRecorder::partPathFor(recording)));
        w.stopRecording();
        QVERIFY(!w.isRecording());

        const LiveUpdatePtr u = w.lastUpdate();
        {
            // One row per waveform sample over the whole file, no gap, no repeat, and the
            // final estimate in the last row.
            QFile f(recording);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QVERIFY(!QFile::exists(LiveRecorder::partPathFor(recording)));
            QList<QByteArray> lines = f.readAll().trimmed().split('\n');
            QCOMPARE(lines.takeFirst(),
                     QByteArray("segment,time_s,pulse,hr_bpm,snr_db,quality,breaths_per_min,breathing_quality,quality_reason"));
            QVERIFY(lines.size() > int(20 * u->fsHz));
            double previous = -1;
            for (const QByteArray &line : lines) {
                const QList<QByteArray> c = line.split(',');
                QCOMPARE(c.size(), 9);
                const double t = c[1].toDouble();
                QVERIFY2(previous < 0 || std::abs(t - previous - 1 / u->fsHz) < 1e-3, line.constData());
                previous = t;
            }
            QVERIFY(previous > 24);
            const QList<QByteArray> last = lines.last().split(',');
            QCOMPARE(last[3].toDouble(), std::round(u->hrBpm * 100) / 100);
            // The breathing columns: the last update's estimate (25 s of sample: enough beats).
            QVERIFY(u->breathing.hasRate());
            QCOMPARE(last[6].toDouble(), std::round(u->breathing.ratePerMin * 100) / 100);
            QCOMPARE(QString::fromLatin1(last[7]), qualityName(u->breathing.quality));
            QCOMPARE(QString::fromLatin1(last[8]), QString());   // ok: no reason
        }
        QCOMPARE(u->framesAnalysed, int64_t(750));
        QCOMPARE(u->droppedFrames, uint64_t(0));
        QCOMPARE(u->state, LiveState::Ok);
        // HRV: the sample's beats (x264 900k) are too unlike each other to trust its SDNN (offline
        // 61 ms against the true 45): the readout says so instead of giving numbers.
        QVERIFY(u->hrv.valid);
        QCOMPARE(u->hrvQuality, Quality::Low);
        QCOMPARE(w.hrvText(), QStringLiteral("HRV: uncertain"));
        const double truth = m_truth.windowHr(u->timeSec - u->windowSec, u->timeSec);
        bool ok = false;
        const double shown = w.hrText().toDouble(&ok);
        QVERIFY2(ok, qPrintable(w.hrText()));
        qInfo("readout %s bpm (%.2f), truth %.2f bpm over the last %.0f s", qPrintable(w.hrText()),
              u->hrBpm, truth, u->windowSec);
        QVERIFY2(std::abs(shown - truth) <= 3.0, qPrintable(QStringLiteral("%1 vs %2").arg(shown).arg(truth)));
        QVERIFY(std::abs(u->hrBpm - truth) <= 3.0);
        // The end-of-file message gives the file's typical rate: the median of the good estimates.
        {
            std::vector<double> good;
            for (const LiveHrPoint &p : u->trend)
                if (p.quality == Quality::Good)
                    good.push_back(p.hrBpm);
            QVERIFY(good.size() > 10);
            const QString typical = QString::number(dsp::median(good), 'f', 0);
            QVERIFY2(endMessage.contains(QStringLiteral("typical %1 bpm (median of %2 good estimate")
                                             .arg(typical)
                                             .arg(good.size())),
                     qPrintable(endMessage));
            QVERIFY2(std::abs(typical.toDouble() - m_truth.meanHrBpm) <= 1.5,
                     qPrintable(QStringLiteral("%1 vs %2").arg(typical).arg(m_truth.meanHrBpm)));
        }

        // Plots hold data: the waveform covers its span, the trend one point per update.
        QVERIFY(w.waveformPointCount() >= int(10 * u->fsHz));
        QCOMPARE(w.trendPointCount(), int(u->trend.size()));
        QVERIFY(w.trendPointCount() >= 40);
        QVERIFY(w.hasVideoFrame());

        // The overlay toggles.
        w.setOverlayVisible(true);
        QVERIFY(w.overlayVisible());
        QVERIFY(w.overlayShown());
        w.setOverlayVisible(false);
        QVERIFY(!w.overlayShown());
        w.setOverlayVisible(true);
        QVERIFY(w.overlayShown());

        // CSV export, read back by core's reader.
        AnalysisCsv csvTable;
        const QString exportError = exportAndRead(w, m_dir.filePath(QStringLiteral("sample.csv")), &csvTable);
        QVERIFY2(exportError.isEmpty(), qPrintable(exportError));
        const AnalysisCsv *table = &csvTable;
        QCOMPARE(int(table->rows.size()), 750);
        QCOMPARE(table->columns, analysisCsvColumns());
        QCOMPARE(table->meta.value(QStringLiteral("method")), QStringLiteral("pos"));
        const double lastHr = table->number(table->rows.size() - 1, QStringLiteral("hr_bpm"));
        QVERIFY(std::abs(lastHr - truth) <= 3.0);
        // The reference shown beside the estimate is exported too.
        QVERIFY(w.hasReference());
        QCOMPARE(table->meta.value(QStringLiteral("reference")), groundTruthPathFor(m_sample));
        const double lastRef = table->number(table->rows.size() - 1, QStringLiteral("ref_hr_bpm"));
        QVERIFY2(std::abs(lastRef - truth) <= 3.0, qPrintable(QString::number(lastRef)));

        // Plots and a snapshot, as files.
        for (const QString &name : {QStringLiteral("plots.png"), QStringLiteral("plots.pdf"),
                                   QStringLiteral("snapshot.png")}) {
            const QString path = m_dir.filePath(name);
            QSignalSpy done(&w, &MainWindow::exportFinished);
            if (name.startsWith(QLatin1String("snapshot")))
                w.exportSnapshot(path);
            else
                w.exportPlots(path);
            QVERIFY(done.wait(30000));
            QVERIFY(done.first().at(0).toBool());
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray head = f.read(8);
            QVERIFY(name.endsWith(QLatin1String(".pdf")) ? head.startsWith("%PDF")
                                                           : head.startsWith("\x89PNG"));
            QVERIFY(f.size() > 5000);
        }
        // Tools → Compare codecs opens the comparison view on the current video.
        QAction *compare = w.findChild<QAction *>(QStringLiteral("compareCodecsAction"));
        QVERIFY(compare);
        QVERIFY(compare->isEnabled());
        compare->trigger();
        auto *codecDock = w.findChild<QDockWidget *>(QStringLiteral("codecDock"));
        QVERIFY(codecDock);
        auto *view = qobject_cast<CodecComparisonView *>(codecDock->widget());
        QVERIFY(view);
        QCOMPARE(QFileInfo(view->sourceVideo()).canonicalFilePath(), QFileInfo(m_sample).canonicalFilePath());
        QVERIFY(!view->isRunning());

        // An export into a folder that does not exist fails with a message, and nothing crashes.
        QSignalSpy bad(&w, &MainWindow::exportFinished);
        w.exportCsv(m_dir.filePath(QStringLiteral("missing/dir/x.csv")));
        QVERIFY(bad.wait(30000));
        QVERIFY(!bad.first().at(0).toBool());
        QVERIFY(!w.messageText().isEmpty());
    }

    // The ground truth next to a video is drawn beside the estimate, with the error; a video
    // without one has no reference until File → Load reference, and a file that is no reference is
    // refused with a message.
    void referenceBesideTheEstimate()
    {
        MainWindow w;
        w.resize(1280, 800);
        w.show();
        QSignalSpy finished(&w, &MainWindow::analysisFinished);
        w.openFile(m_sample);
        QVERIFY(w.hasReference());
        QVERIFY(finished.wait(kAnalysisTimeoutMs));
        QTRY_VERIFY(w.lastUpdate() && w.lastUpdate()->endOfStream);
        const LiveUpdatePtr u = w.lastUpdate();
        // One reference value per estimate, each the truth over that estimate's window, and the
        // error the window shows is the mean of |estimate - truth| over them.
        double sum = 0;
        int n = 0;
        for (const LiveHrPoint &p : u->trend) {
            if (!std::isfinite(p.hrBpm))
                continue;
            sum += std::abs(p.hrBpm - m_truth.windowHr(std::max(0.0, p.timeSec - u->windowSec), p.timeSec));
            ++n;
        }
        QVERIFY2(n >= 20, qPrintable(QString::number(n)));   // about one per 0.5 s after the first window
        QCOMPARE(w.referencePointCount(), n);
        QVERIFY(std::abs(w.referenceMaeBpm() - sum / n) < 1e-9);
        QVERIFY2(w.referenceMaeBpm() < 3.0, qPrintable(QString::number(w.referenceMaeBpm())));
        const double last = m_truth.windowHr(u->timeSec - u->windowSec, u->timeSec);
        QVERIFY2(w.referenceText().contains(QStringLiteral("reference %1 bpm").arg(last, 0, 'f', 1)),
                 qPrintable(w.referenceText()));

        // The same video under another name: no ground truth beside it.
        const QString copy = m_dir.filePath(QStringLiteral("no-truth.mp4"));
        QFile::remove(copy);
        QVERIFY(QFile::copy(m_sample, copy));
        w.openFile(copy);
        QVERIFY(!w.hasReference());
        QVERIFY(finished.wait(kAnalysisTimeoutMs));
        QTRY_VERIFY(w.lastUpdate() && w.lastUpdate()->endOfStream);
        QCOMPARE(w.referencePointCount(), 0);
        QVERIFY(w.referenceText().isEmpty());
        // Garbage is refused and leaves no reference.
        const QString junk = m_dir.filePath(QStringLiteral("junk-reference.csv"));
        {
            QFile f(junk);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("time,heart\nsoon,fast\n");
        }
        QVERIFY(!w.loadReference(junk));
        QVERIFY(!w.hasReference());
        QVERIFY2(w.messageText().startsWith(QStringLiteral("Cannot use")), qPrintable(w.messageText()));
        // Loading the ground truth by hand fills the curve for the finished analysis at once.
        QVERIFY(w.loadReference(groundTruthPathFor(m_sample)));
        QCOMPARE(w.referencePointCount(), n);
        QVERIFY(std::abs(w.referenceMaeBpm() - sum / n) < 1.0);   // the same video, analysed again
    }

    // A still face without a pulse (a photo held to the camera): its ground truth records no pulse
    // and is refused as a reference, and at the end the window gives no typical rate.
    void stillFaceWithoutPulse()
    {
        SynthConfig sc = test::defaultSynthConfig(72, 20);
        sc.width = 320;
        sc.height = 240;
        sc.seed = 5;   // 5 of 21 estimates good when written (seed 1: 12 of 21, a steady 52 bpm line)
        sc.pulseAmplitude = 0;
        sc.writeMasks = false;
        sc.variants.front().encoder.codec = QStringLiteral("x264");
        const QString video = test::makeSynthVideo(m_dir, QStringLiteral("photo.mp4"), sc);
        QVERIFY(!video.isEmpty());
        MainWindow w;
        w.resize(1280, 800);
        w.show();
        QSignalSpy finished(&w, &MainWindow::analysisFinished);
        w.openFile(video);
        QVERIFY(!w.hasReference());
        QVERIFY(!w.loadReference(groundTruthPathFor(video)));
        QVERIFY2(w.messageText().contains(QStringLiteral("records no pulse")), qPrintable(w.messageText()));
        QVERIFY(finished.wait(kAnalysisTimeoutMs));
        QTRY_VERIFY(w.lastUpdate() && w.lastUpdate()->endOfStream);
        int estimates = 0, good = 0;
        for (const LiveHrPoint &p : w.lastUpdate()->trend) {
            estimates += p.quality != Quality::NoSignal;
            good += p.quality == Quality::Good;
        }
        qInfo("%d of %d estimates good: %s", good, estimates, qPrintable(w.messageText()));
        QVERIFY(estimates >= 10);
        QVERIFY2(2 * good < estimates, qPrintable(QString::number(good)));
        const QString expected = good == 0 ? QStringLiteral("no estimate was good enough for a typical rate")
                                           : QStringLiteral("only %1 of %2 estimate")
                                                 .arg(good)
                                                 .arg(estimates);
        QVERIFY2(w.messageText().contains(expected), qPrintable(w.messageText()));
        QVERIFY(good == 0 || w.messageText().contains(QStringLiteral("no typical rate to trust")));
        // Nor HRV or breathing numbers from its beats unless the last window was good.
        const LiveUpdatePtr u = w.lastUpdate();
        QVERIFY(!w.hrvText().startsWith(QStringLiteral("HRV: SDNN")) || u->state == LiveState::Ok);
        QVERIFY(!w.breathingText().contains(QStringLiteral("per minute")) || u->state == LiveState::Ok);
        if (u->state != LiveState::Ok)
            QVERIFY(u->hrvQuality != Quality::Good && u->breathing.quality != Quality::Good);
    }

    // Other methods compared live: their curves and readout lines follow the updates, their errors
    // against the reference are the truth's, the choice is remembered, and clearing it removes them.
    void compareMethodsLive()
    {
        MainWindow w;
        w.resize(1280, 800);
        w.show();
        QSignalSpy finished(&w, &MainWindow::analysisFinished);
        // The main method (checked too) is not run twice; a name this build lacks is ignored.
        w.setCompareMethods({QStringLiteral("green"), QStringLiteral("chrom"), QStringLiteral("pos"),
                             QStringLiteral("no-such-method")});
        QCOMPARE(w.compareMethods(), (QStringList{QStringLiteral("pos"), QStringLiteral("chrom"), QStringLiteral("green")}));
        QCOMPARE(Settings().compareMethods(), w.compareMethods());
        w.openFile(m_sample);
        QVERIFY(w.hasReference());
        QVERIFY(finished.wait(kAnalysisTimeoutMs));
        QTRY_VERIFY(w.lastUpdate() && w.lastUpdate()->endOfStream);
        const LiveUpdatePtr u = w.lastUpdate();
        QCOMPARE(u->method, QStringLiteral("pos"));
        QCOMPARE(u->compare.size(), size_t(2));
        const QStringList lines = w.compareText().split(QLatin1Char('\n'));
        QCOMPARE(lines.size(), 2);
        const QStringList titles{QStringLiteral("CHROM"), QStringLiteral("GREEN")};
        for (int i = 0; i < 2; ++i) {
            const LiveMethodEstimate &m = u->compare[size_t(i)];
            QCOMPARE(m.method, titles[i].toLower());
            QCOMPARE(m.trend.size(), u->trend.size());
            const int finite = int(std::count_if(m.trend.begin(), m.trend.end(),
                                                 [](const LiveHrPoint &p) { return std::isfinite(p.hrBpm); }));
            QVERIFY(finite >= 20);
            QCOMPARE(w.compareTrendPointCount(m.method), finite);
            QVERIFY2(lines[i].startsWith(QStringLiteral("%1 %2 bpm").arg(titles[i]).arg(m.hrBpm, 0, 'f', 0)),
                     qPrintable(lines[i]));
            // Its error: over the windows the reference curve covers (where the main method has an
            // estimate), against the truth of each window.
            double sum = 0;
            int n = 0;
            for (size_t k = 0; k < u->trend.size(); ++k) {
                const LiveHrPoint &p = u->trend[k];
                if (!std::isfinite(p.hrBpm) || !std::isfinite(m.trend[k].hrBpm))
                    continue;
                sum += std::abs(m.trend[k].hrBpm
                                - m_truth.windowHr(std::max(0.0, p.timeSec - u->windowSec), p.timeSec));
                ++n;
            }
            QVERIFY(n >= 20);
            const QRegularExpressionMatch mae = QRegularExpression(QStringLiteral("MAE ([0-9.]+) bpm")).match(lines[i]);
            QVERIFY2(mae.hasMatch(), qPrintable(lines[i]));
            QVERIFY2(std::abs(mae.captured(1).toDouble() - sum / n) <= 0.051,
                     qPrintable(QStringLiteral("%1 vs %2").arg(lines[i]).arg(sum / n)));
            QVERIFY2(sum / n < 3.0, qPrintable(QStringLiteral("%1: %2").arg(titles[i]).arg(sum / n)));
        }

        // The CSV export carries their estimates: at the last frame, each method's newest one.
        {
            AnalysisCsv csvTable;
            const QString exportError = exportAndRead(w, m_dir.filePath(QStringLiteral("compared.csv")), &csvTable);
            QVERIFY2(exportError.isEmpty(), qPrintable(exportError));
            const AnalysisCsv *table = &csvTable;
            QCOMPARE(table->meta.value(QStringLiteral("compared")), QStringLiteral("chrom,green"));
            const size_t last = table->rows.size() - 1;
            for (const LiveMethodEstimate &m : u->compare) {
                const double written = table->number(last, QStringLiteral("hr_bpm_") + m.method);
                QVERIFY2(std::abs(written - m.trend.back().hrBpm) < 0.006,
                         qPrintable(QStringLiteral("%1: %2 vs %3").arg(m.method).arg(written).arg(m.trend.back().hrBpm)));
            }
        }

        // Cleared: the next session has no comparison, and none is drawn.
        w.setCompareMethods({});
        QCOMPARE(Settings().compareMethods(), QStringList());
        QVERIFY(w.compareText().isEmpty());
        w.openFile(m_sample);
        QTRY_VERIFY_WITH_TIMEOUT(w.lastUpdate() && w.lastUpdate()->timeSec >= 12.0, kAnalysisTimeoutMs);
        QVERIFY(w.lastUpdate()->compare.empty());
        QVERIFY(w.compareText().isEmpty());
        QCOMPARE(w.compareTrendPointCount(QStringLiteral("chrom")), 0);
        QVERIFY(finished.wait(kAnalysisTimeoutMs));
    }

    // The Compare menu stays open while entries are ticked, and the main method's entry is greyed.
    void compareMenuStaysOpen()
    {
        MainWindow w;
        w.show();
        QMenu *menu = nullptr;
        for (QToolButton *b : w.findChildren<QToolButton *>())
            if (b->menu() && !b->menu()->actions().isEmpty()
                && b->menu()->actions().first()->data().toString() == QLatin1String("pos"))
                menu = b->menu();
        QVERIFY(menu);
        QAction *pos = menu->actions().at(0);
        QAction *chrom = menu->actions().at(1);
        QCOMPARE(chrom->data().toString(), QStringLiteral("chrom"));
        QVERIFY(!pos->isEnabled());   // POS is the main method
        menu->popup(w.mapToGlobal(QPoint(100, 100)));
        QTRY_VERIFY(menu->isVisible());
        QTest::mouseClick(menu, Qt::LeftButton, {}, menu->actionGeometry(chrom).center());
        QVERIFY(chrom->isChecked());
        QVERIFY(menu->isVisible());
        QCOMPARE(w.compareMethods(), QStringList{QStringLiteral("chrom")});
        QTest::mouseClick(menu, Qt::LeftButton, {}, menu->actionGeometry(pos).center());   // greyed: no effect
        QVERIFY(!pos->isChecked());
        QTest::mouseClick(menu, Qt::LeftButton, {}, menu->actionGeometry(chrom).center());
        QVERIFY(!chrom->isChecked());
        QVERIFY(menu->isVisible());
        menu->close();
        QCOMPARE(w.compareMethods(), QStringList());
    }

    // Files that are not videos, or not there, give a message and leave the window usable.
    void badFiles()
    {
        MainWindow w;
        w.show();
        QSignalSpy finished(&w, &MainWindow::analysisFinished);
        w.openFile(m_dir.filePath(QStringLiteral("does-not-exist.mp4")));
        QCOMPARE(finished.count(), 1);
        QVERIFY2(w.messageText().contains(QStringLiteral("does not exist")), qPrintable(w.messageText()));
        QFile junk(m_dir.filePath(QStringLiteral("junk.mp4")));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write(QByteArray(4096, 'x'));
        junk.close();
        w.openFile(junk.fileName());
        QVERIFY(finished.wait(30000));
        QVERIFY2(w.messageText().startsWith(QStringLiteral("Cannot open")), qPrintable(w.messageText()));
        QVERIFY(!w.lastUpdate());
    }

    // This machine has no camera: starting one says so plainly and nothing else happens.
    void noCameraMessage()
    {
        if (!QMediaDevices::videoInputs().isEmpty())
            QSKIP("a camera is connected; the no-camera message cannot be shown");
        MainWindow w;
        w.show();
        w.startCamera();
        QVERIFY2(w.messageText().contains(QStringLiteral("No camera")), qPrintable(w.messageText()));
        QTest::qWait(300);
        QVERIFY(!w.lastUpdate());
        // And the window still works: a file opens afterwards.
        QSignalSpy shown(&w, &MainWindow::updateShown);
        w.openFile(m_sample);
        QVERIFY(shown.wait(30000));
    }

    // Switching methods mid-run restarts analysis cleanly and the new method reaches the truth.
    void switchMethodMidRun()
    {
        MainWindow w;
        w.show();
        QSignalSpy finished(&w, &MainWindow::analysisFinished);
        w.openSample();   // Help → Open sample
        QTRY_VERIFY_WITH_TIMEOUT(w.lastUpdate() && w.lastUpdate()->timeSec >= 3.0, kAnalysisTimeoutMs);
        QCOMPARE(w.lastUpdate()->method, QStringLiteral("pos"));
        w.setMethod(QStringLiteral("chrom"));
        QCOMPARE(w.method(), QStringLiteral("chrom"));
        // Displays restart with the new session.
        QVERIFY(!w.lastUpdate() || w.lastUpdate()->method == QStringLiteral("chrom"));
        QTRY_VERIFY_WITH_TIMEOUT(w.lastUpdate() && w.lastUpdate()->method == QStringLiteral("chrom"), 30000);
        QVERIFY(w.lastUpdate()->sequence < 5);
        QVERIFY(finished.wait(kAnalysisTimeoutMs));
        const LiveUpdatePtr u = w.lastUpdate();
        QVERIFY(u->endOfStream);
        QCOMPARE(u->method, QStringLiteral("chrom"));
        QCOMPARE(u->state, LiveState::Ok);
        const double truth = m_truth.windowHr(u->timeSec - u->windowSec, u->timeSec);
        QVERIFY2(std::abs(u->hrBpm - truth) <= 3.0, qPrintable(QStringLiteral("%1 vs %2").arg(u->hrBpm).arg(truth)));
        // The new session began after the switch: fewer frames than the file.
        QVERIFY(u->framesAnalysed < 750);
        QVERIFY(u->framesAnalysed > 500);
    }

    // Analysis → "Check networks against POS and GREEN": a network sure of a wrong rate (a clean
    // sine at 110 bpm on the 74 bpm sample) is rated low with the check on, good with it off; the
    // box follows whether a network runs, is remembered, and the CSV export names the witnesses
    // only while it is on.
    void witnessChecksSwitch()
    {
        test::registerSineMethod(QStringLiteral("test-sine-110"), 110);
        MainWindow w;
        w.show();
        QVERIFY(w.witnessChecks());   // the default
        w.setMethod(QStringLiteral("pos"));
        QVERIFY(!w.witnessChecksEnabled());
        w.setMethod(QStringLiteral("test-sine-110"));
        QCOMPARE(w.method(), QStringLiteral("test-sine-110"));
        QVERIFY(w.witnessChecksEnabled());
        for (const bool on : {true, false}) {
            w.setWitnessChecks(on);
            QCOMPARE(w.witnessChecks(), on);
            QCOMPARE(Settings().witnessChecks(), on);
            TrendCounts n;
            const QString error = analyseToTheEnd(w, m_sample, &n);
            QVERIFY2(error.isEmpty(), qPrintable(error));
            const LiveUpdatePtr u = w.lastUpdate();
            QCOMPARE(u->method, QStringLiteral("test-sine-110"));
            QVERIFY2(std::abs(u->hrBpm - 110) < 2, qPrintable(QString::number(u->hrBpm)));
            qInfo("check %s: %d of %d full-window estimates unconfirmed, %d good", on ? "on" : "off",
                  n.unconfirmed, n.full, n.good);
            QVERIFY(n.full >= 10);
            QCOMPARE(n.unconfirmed, on ? n.full : 0);
            QCOMPARE(n.good, on ? 0 : n.full);
            QCOMPARE(u->unconfirmed, on);
            QCOMPARE(u->state, on ? LiveState::LowQuality : LiveState::Ok);

            AnalysisCsv table;
            const QString exportError = exportAndRead(w, m_dir.filePath(QStringLiteral("witness-%1.csv").arg(on)), &table);
            QVERIFY2(exportError.isEmpty(), qPrintable(exportError));
            QCOMPARE(table.meta.value(QStringLiteral("witnesses")), on ? QStringLiteral("pos,green") : QString());
        }
        w.stopSource();
        w.close();
        MainWindow again;   // the choice comes back
        QVERIFY(!again.witnessChecks());
        again.setWitnessChecks(true);
        again.setMethod(QStringLiteral("pos"));
        again.close();
        QVERIFY(Settings().witnessChecks());
    }

    // Analysis → "Check classical methods too": a classical method (here a test one sure of
    // 110 bpm on the 74 bpm sample) is rated against POS and GREEN only with the box checked.
    void witnessClassicalSwitch()
    {
        test::registerRgbSineMethod(QStringLiteral("test-rgb-110"), 110);
        MainWindow w;
        w.show();
        QVERIFY(!w.witnessClassical());   // the default
        w.setMethod(QStringLiteral("test-rgb-110"));
        QCOMPARE(w.method(), QStringLiteral("test-rgb-110"));
        QVERIFY(w.witnessClassicalEnabled());
        w.setWitnessChecks(false);   // no witnesses at all: nothing to check with
        QVERIFY(!w.witnessClassicalEnabled());
        w.setWitnessChecks(true);
        QVERIFY(w.witnessClassicalEnabled());
        for (const bool on : {true, false}) {
            w.setWitnessClassical(on);
            QCOMPARE(w.witnessClassical(), on);
            QCOMPARE(Settings().witnessClassical(), on);
            TrendCounts n;
            const QString error = analyseToTheEnd(w, m_sample, &n);
            QVERIFY2(error.isEmpty(), qPrintable(error));
            const LiveUpdatePtr u = w.lastUpdate();
            QVERIFY2(std::abs(u->hrBpm - 110) < 2, qPrintable(QString::number(u->hrBpm)));
            qInfo("classical check %s: %d of %d full-window estimates unconfirmed, %d good", on ? "on" : "off",
                  n.unconfirmed, n.full, n.good);
            QVERIFY(n.full >= 10);
            QCOMPARE(n.unconfirmed, on ? n.full : 0);
            QCOMPARE(n.good, on ? 0 : n.full);
            QCOMPARE(u->state, on ? LiveState::LowQuality : LiveState::Ok);
        }
        w.stopSource();
        w.close();
        MainWindow again;   // the choice comes back
        QVERIFY(!again.witnessClassical());
        again.setMethod(QStringLiteral("pos"));
        again.close();
    }

    // The camera path with a QMediaPlayer as the frame producer (what a QCamera in a capture
    // session delivers): frames flow through conversion into the live analysis.
    void liveSinkPath()
    {
        MainWindow w;
        w.show();
        QMediaPlayer player;
        QVideoSink sink;
        player.setVideoOutput(&sink);
        player.setSource(QUrl::fromLocalFile(m_sample));
        w.startSinkSource(&sink);
        player.play();
        QTRY_VERIFY_WITH_TIMEOUT(w.lastUpdate() && w.lastUpdate()->framesAnalysed >= 30, 30000);
        if (player.error() != QMediaPlayer::NoError)
            QSKIP(qPrintable(QStringLiteral("Qt Multimedia cannot play the sample here: %1").arg(player.errorString())));
        QTRY_VERIFY_WITH_TIMEOUT(w.lastUpdate()->faceFrames > 0, 10000);
        QVERIFY(w.hasVideoFrame());
        player.stop();
        w.stopSource();
    }

    // Pause holds the position, seek analyses from the new position as a new session, and the
    // file lands in the recent list; the window layout comes back in the next window.
    void transportAndSettings()
    {
        QByteArray layout;
        {
            MainWindow w;
            w.show();
            w.setPlaybackMode(PlaybackMode::RealTime);
            w.openFile(m_sample);
            QTRY_VERIFY_WITH_TIMEOUT(w.lastUpdate() && w.lastUpdate()->timeSec >= 1.0, 60000);
            w.setPlaying(false);
            QVERIFY(!w.isPlaying());
            QTest::qWait(300);   // frames already queued drain
            const double paused = w.positionSec();
            QTest::qWait(700);
            QCOMPARE(w.positionSec(), paused);
            QVERIFY(paused < 5.0);

            w.seek(20.0);
            QVERIFY(w.isPlaying());
            QVERIFY(!w.lastUpdate());   // the displays start over
            QTRY_VERIFY_WITH_TIMEOUT(w.lastUpdate() != nullptr, 30000);
            const LiveUpdatePtr u = w.lastUpdate();
            QVERIFY2(u->timeSec >= 20.0 - 0.05, qPrintable(QString::number(u->timeSec)));
            QVERIFY(u->framesAnalysed <= 40);
            QCOMPARE(u->state, LiveState::WarmingUp);

            QVERIFY(Settings().recentFiles().contains(QFileInfo(m_sample).absoluteFilePath()));
            w.findChild<QDockWidget *>(QStringLiteral("enhancedDock"))->hide();
            QVERIFY(w.close());
        }
        MainWindow again;
        again.show();
        QVERIFY(!again.findChild<QDockWidget *>(QStringLiteral("enhancedDock"))->isVisible());
        again.findChild<QDockWidget *>(QStringLiteral("enhancedDock"))->show();
        again.close();
        Settings().setPlaybackMode(PlaybackMode::AsFastAsPossible);
    }

    // Tools → Compare codecs analyses the variants with the window's settings, and follows them
    // when they change while it is open.
    void codecViewTakesTheWindowsSettings()
    {
        MainWindow w;
        w.show();
        w.setWindowSec(14);
        w.setWitnessChecks(true);
        QAction *action = w.findChild<QAction *>(QStringLiteral("compareCodecsAction"));
        QVERIFY(action && action->isEnabled());
        action->trigger();
        auto *dock = w.findChild<QDockWidget *>(QStringLiteral("codecDock"));
        QVERIFY(dock && dock->isVisible());
        auto *view = qobject_cast<CodecComparisonView *>(dock->widget());
        QVERIFY(view);
        QCOMPARE(view->analysisConfig().windowSec, 14.0);
        QCOMPARE(view->analysisConfig().witnessMethods, AnalysisConfig{}.witnessMethods);
        w.setWitnessChecks(false);
        w.setWindowSec(10);
        QCOMPARE(view->analysisConfig().windowSec, 10.0);
        QVERIFY(view->analysisConfig().witnessMethods.isEmpty());
        w.setWitnessChecks(true);
        QCOMPARE(view->analysisConfig().witnessMethods, AnalysisConfig{}.witnessMethods);
    }

    // Closing while the worker and the decoder are busy stops both without hanging.
    void closeMidRun()
    {
        for (PlaybackMode mode : {PlaybackMode::AsFastAsPossible, PlaybackMode::RealTime}) {
            auto *w = new MainWindow;
            w->show();
            w->setPlaybackMode(mode);
            w->openFile(m_sample);
            QTRY_VERIFY_WITH_TIMEOUT(w->lastUpdate() && w->lastUpdate()->timeSec >= 1.5, 60000);
            QElapsedTimer clock;
            clock.start();
            QVERIFY(w->close());
            delete w;
            qInfo("closed mid-run in %lld ms", clock.elapsed());
            QVERIFY(clock.elapsed() < 5000);
        }
        Settings().setPlaybackMode(PlaybackMode::AsFastAsPossible);
    }

    // A damaged settings file: a method this build does not have falls back to POS with a message
    // (and POS is remembered), a CUDA device index is kept as its own choice, window geometry and
    // dock state that Qt cannot read leave the default layout, and a file Qt cannot read safely is
    // moved aside.
    void languageMenuStoresTheChoice()
    {
        MainWindow w;
        w.show();
        auto *zh = w.findChild<QAction *>(QStringLiteral("language_zh_CN"));
        auto *system = w.findChild<QAction *>(QStringLiteral("language_system"));
        QVERIFY(zh && system);
        QVERIFY(system->isChecked() || w.findChild<QAction *>(QStringLiteral("language_en"))->isChecked());
        zh->trigger();
        QCOMPARE(Settings().language(), QStringLiteral("zh_CN"));
        QVERIFY(zh->isChecked() && !system->isChecked());
        QVERIFY2(w.messageText().contains(QStringLiteral("next starts")), qPrintable(w.messageText()));
        system->trigger();
        QCOMPARE(Settings().language(), QStringLiteral("system"));
    }

    void damagedSettings()
    {
        QMap<QString, bool> defaultDocks;
        {
            MainWindow fresh;
            fresh.show();
            for (const QDockWidget *d : fresh.findChildren<QDockWidget *>())
                defaultDocks[d->objectName()] = d->isVisible();
            fresh.close();
        }
        QVERIFY(!defaultDocks.isEmpty());
        {
            QSettings raw;
            raw.setValue(QStringLiteral("analysis/method"), QStringLiteral("no-such-method"));
            raw.setValue(QStringLiteral("analysis/device"), QStringLiteral("cuda:3"));
            raw.setValue(QStringLiteral("window/geometry"), QByteArray("\x01\xd9\xd0\xcb garbage", 13));
            raw.setValue(QStringLiteral("window/state"), QByteArray(300, '\xff'));
        }
        {
            MainWindow w;
            w.show();
            QCOMPARE(w.method(), QStringLiteral("pos"));
            QVERIFY2(w.messageText().contains(QStringLiteral("no-such-method")), qPrintable(w.messageText()));
            QCOMPARE(Settings().method(), QStringLiteral("pos"));
            bool deviceShown = false;
            for (const QComboBox *c : w.findChildren<QComboBox *>())
                deviceShown = deviceShown || c->currentData().toString() == QLatin1String("cuda:3");
            QVERIFY(deviceShown);
            QVERIFY(w.width() > 200 && w.height() > 200);
            for (const QDockWidget *d : w.findChildren<QDockWidget *>())
                QCOMPARE(d->isVisible(), defaultDocks.value(d->objectName()));
            // And it analyses.
            QSignalSpy shown(&w, &MainWindow::updateShown);
            w.openFile(m_sample);
            QVERIFY(shown.wait(30000));
            QCOMPARE(w.lastUpdate()->method, QStringLiteral("pos"));
            w.close();
        }
        // A value Qt would decode through QDataStream (a @Variant QStringList claiming 185 million
        // entries made Qt reserve 4.4 GB): the file is moved aside unread, the window says so and works.
        const QString file = QSettings().fileName();
        {
            QFile f(file);
            QVERIFY(f.open(QIODevice::Append));
            f.write("\n[camera]\nfps=@Variant(\\0\\0\\0\\t\\xff\\xff\\xff\\xff)\n");
        }
        {
            QCOMPARE(Settings().language(), QString());   // what rppg-studio reads first
            MainWindow w;
            w.show();
            QVERIFY2(w.messageText().contains(QStringLiteral(".damaged")), qPrintable(w.messageText()));
            QVERIFY(QFileInfo::exists(file + QStringLiteral(".damaged")));
            QCOMPARE(w.method(), QStringLiteral("pos"));
            QSignalSpy shown(&w, &MainWindow::updateShown);
            w.openFile(m_sample);
            QVERIFY(shown.wait(30000));
            w.close();
        }
        QVERIFY(QFile::remove(file + QStringLiteral(".damaged")));

        // Geometry in Qt's own format but far off every screen: the window comes back on screen.
        QByteArray geometry;
        {
            MainWindow w;
            w.show();
            geometry = w.saveGeometry();
            w.close();
        }
        QVERIFY(geometry.size() >= 40);
        QDataStream patch(&geometry, QIODevice::ReadWrite);
        patch.device()->seek(8);   // after magic and version: frame and normal geometry
        for (int i = 0; i < 2; ++i)
            patch << qint32(100000) << qint32(100000) << qint32(101000) << qint32(100800);
        {
            QWidget probe;   // Qt accepts the patched blob (so the window really restores it)
            QVERIFY(probe.restoreGeometry(geometry));
        }
        Settings().setWindowGeometry(geometry);
        {
            MainWindow w;
            w.show();
            const QRect screen = w.screen()->availableGeometry();
            QVERIFY2(screen.intersects(w.geometry()), qPrintable(QStringLiteral("%1,%2 %3x%4 vs screen %5x%6")
                                                                   .arg(w.x()).arg(w.y()).arg(w.width()).arg(w.height())
                                                                   .arg(screen.width()).arg(screen.height())));
            w.close();
        }
        Settings s;
        s.setDevice(QStringLiteral("auto"));
        s.setPlaybackMode(PlaybackMode::AsFastAsPossible);
        s.setMethod(QStringLiteral("pos"));
        s.setWindowSec(10);
    }

    // A face-video method that holds frames (as the networks do for their clips) gets a band at
    // the waveform's end as wide as its output lag, and none once the stream has ended; POS none.
    // Each estimate is scored against the reference over its own window: the main method's and a
    // compared one's, whatever their lags.
    void outputLagBand()
    {
        test::registerDelayedMethod(QStringLiteral("delayed-45"), 45);   // 1.5 s at 30 fps
        test::registerDelayedMethod(QStringLiteral("delayed-0"), 0);
        for (const QString &method : {QStringLiteral("delayed-45"), QStringLiteral("pos")}) {
            MainWindow w;
            w.resize(1280, 800);
            w.show();
            QSignalSpy finished(&w, &MainWindow::analysisFinished);
            w.setMethod(method);
            w.setCompareMethods({QStringLiteral("delayed-0")});
            w.openFile(m_sample);
            QTRY_VERIFY_WITH_TIMEOUT(w.lastUpdate() && !w.lastUpdate()->endOfStream && w.lastUpdate()->timeSec > 3.0
                                         && w.lastUpdate()->method == method,
                                     30000);
            const LiveUpdatePtr u = w.lastUpdate();
            const double expected = method == QLatin1String("pos") ? 0.0 : 1.5;
            QVERIFY2(std::abs(u->outputLagSec - expected) < 1e-6, qPrintable(QString::number(u->outputLagSec)));
            QVERIFY2(std::abs(w.waveformLagShownSec() - expected) < 1e-6, qPrintable(QString::number(w.waveformLagShownSec())));
            QVERIFY(finished.wait(kAnalysisTimeoutMs));
            QTRY_VERIFY(w.lastUpdate() && w.lastUpdate()->endOfStream);
            QCOMPARE(w.waveformLagShownSec(), 0.0);

            const LiveUpdatePtr end = w.lastUpdate();
            const auto truthOver = [&](double t) { return m_truth.windowHr(std::max(0.0, t - end->windowSec), t); };
            double sum = 0, from = 1e9, to = -1e9;
            int n = 0;
            for (const LiveHrPoint &p : end->trend) {
                if (!std::isfinite(p.hrBpm))
                    continue;
                sum += std::abs(p.hrBpm - truthOver(p.timeSec));
                ++n;
                from = std::min(from, p.timeSec);
                to = std::max(to, p.timeSec);
            }
            QVERIFY(n >= 10);
            QVERIFY2(std::abs(w.referenceMaeBpm() - sum / n) < 1e-9,
                     qPrintable(QStringLiteral("%1: %2 vs %3").arg(method).arg(w.referenceMaeBpm()).arg(sum / n)));
            QCOMPARE(end->compare.size(), size_t(1));
            sum = 0;
            n = 0;
            for (const LiveHrPoint &p : end->compare[0].trend) {
                if (!std::isfinite(p.hrBpm) || p.timeSec < from || p.timeSec > to)
                    continue;
                sum += std::abs(p.hrBpm - truthOver(p.timeSec));
                ++n;
            }
            QVERIFY(n >= 10);
            const QRegularExpressionMatch mae = QRegularExpression(QStringLiteral("MAE ([0-9.]+) bpm")).match(w.compareText());
            QVERIFY2(mae.hasMatch(), qPrintable(w.compareText()));
            QVERIFY2(std::abs(mae.captured(1).toDouble() - sum / n) <= 0.051,
                     qPrintable(QStringLiteral("%1: %2 vs %3").arg(method, w.compareText()).arg(sum / n)));
            w.close();
        }
        Settings s;
        s.setMethod(QStringLiteral("pos"));
        s.setCompareMethods({});
    }

    // Settings the analysis cannot use: with settings that worked before, the window returns to
    // them (method, device, comparison) and keeps analysing; with nothing working (remembered at
    // start-up) it drops the comparison, then falls back to POS. The method under test stands for
    // a network on a machine without CUDA: it runs (as POS) on the CPU and refuses "cuda". Runs
    // last: the method stays in the registry.
    void settingsThatCannotRun()
    {
        MethodInfo info;
        info.name = QStringLiteral("cpu-only-net");
        info.title = QStringLiteral("CPU-only net");
        info.input = MethodInput::FaceVideo;   // so the window offers the device choice
        info.create = [](const MethodOptions &o) -> Result<std::unique_ptr<PulseMethod>> {
            if (o.device == QLatin1String("cuda"))
                return Error{ErrorCode::Unsupported, QStringLiteral("device 'cuda': no CUDA here")};
            return MethodRegistry::instance().create(QStringLiteral("pos"), o);
        };
        MethodRegistry::instance().add(info);
        {
            Settings s;
            s.setMethod(QStringLiteral("cpu-only-net"));
            s.setDevice(QStringLiteral("auto"));
            s.setCompareMethods({});
        }
        const auto chooseDevice = [](MainWindow &w, const QString &device) {
            for (QComboBox *c : w.findChildren<QComboBox *>()) {
                const int i = c->findData(device);
                if (i >= 0 && c->findData(QStringLiteral("auto")) >= 0) {
                    c->setCurrentIndex(i);
                    Q_EMIT c->activated(i);   // as a user's choice
                    return c;
                }
            }
            return static_cast<QComboBox *>(nullptr);
        };
        {
            MainWindow w;
            w.show();
            QSignalSpy shown(&w, &MainWindow::updateShown);
            w.openFile(m_sample);
            QVERIFY(shown.wait(30000));
            QCOMPARE(w.lastUpdate()->method, QStringLiteral("cpu-only-net"));
            // The device fails: the method stays (it still runs on the CPU), the device returns.
            QComboBox *device = chooseDevice(w, QStringLiteral("cuda"));
            QVERIFY(device && device->isEnabled());
            QTRY_VERIFY_WITH_TIMEOUT(w.messageText().contains(QStringLiteral("no CUDA here")), 30000);
            QTRY_COMPARE_WITH_TIMEOUT(device->currentData().toString(), QStringLiteral("auto"), 5000);
            QCOMPARE(w.method(), QStringLiteral("cpu-only-net"));
            QCOMPARE(Settings().device(), QStringLiteral("auto"));
            QCOMPARE(Settings().method(), QStringLiteral("cpu-only-net"));

            // A comparison that works, then a device it cannot use: both come back as they were.
            w.setMethod(QStringLiteral("pos"));
            w.setCompareMethods({QStringLiteral("chrom"), QStringLiteral("cpu-only-net")});
            QTRY_VERIFY_WITH_TIMEOUT(w.lastUpdate() && w.lastUpdate()->compare.size() == 2, 30000);
            QVERIFY(device->isEnabled());   // a compared network makes the device matter
            chooseDevice(w, QStringLiteral("cuda"));
            QTRY_VERIFY_WITH_TIMEOUT(w.messageText().contains(QStringLiteral("compare with cpu-only-net")), 30000);
            QTRY_COMPARE_WITH_TIMEOUT(device->currentData().toString(), QStringLiteral("auto"), 5000);
            QCOMPARE(w.method(), QStringLiteral("pos"));
            QCOMPARE(w.compareMethods(), (QStringList{QStringLiteral("chrom"), QStringLiteral("cpu-only-net")}));
            QCOMPARE(Settings().compareMethods(), w.compareMethods());
            w.close();
        }
        {
            Settings s;
            s.setMethod(QStringLiteral("cpu-only-net"));
            s.setDevice(QStringLiteral("cuda"));
            s.setCompareMethods({QStringLiteral("green"), QStringLiteral("cpu-only-net")});
        }
        MainWindow w;
        w.show();
        // Nothing runs: the comparison is dropped, then the method falls back to POS.
        QTRY_COMPARE_WITH_TIMEOUT(w.method(), QStringLiteral("pos"), 30000);
        QCOMPARE(w.compareMethods(), QStringList());
        QCOMPARE(Settings().method(), QStringLiteral("pos"));
        QSignalSpy shown(&w, &MainWindow::updateShown);
        w.openFile(m_sample);
        QVERIFY(shown.wait(30000));
        QTRY_VERIFY_WITH_TIMEOUT(w.lastUpdate() && w.lastUpdate()->method == QStringLiteral("pos"), 30000);
        Settings().setDevice(QStringLiteral("auto"));
    }
};

QTEST_MAIN(TestGui)
#include "tst_gui.moc"
