// The codec comparison view on a short generated clip with known pulse: the comparison runs in
// the background and fills its table with HR errors against the synthetic ground truth, scrubbing
// shows the same frame in every tile (checked against a direct decode and the study's own PSNR),
// the HTML report export writes a report that parses and agrees with the table, cancelling stops
// the study and leaves no files, and bad settings fail with a message.
#include "codeccomparisonview.h"
#include "codecstudy.h"
#include "groundtruth.h"
#include "testsupport.h"
#include "videofilesource.h"

#include <opencv2/imgproc.hpp>

#include <QAbstractItemModel>
#include <QApplication>
#include <QDirIterator>
#include <QFile>
#include <QSignalSpy>
#include <QTest>
#include <QTextStream>
#include <QXmlStreamReader>

#include <cmath>

using namespace rppg;

namespace {

constexpr double kTrueHr = 78.0;

int columnOf(const QAbstractItemModel *model, const QString &title)
{
    for (int c = 0; c < model->columnCount(); ++c)
        if (model->headerData(c, Qt::Horizontal, Qt::DisplayRole).toString() == title)
            return c;
    return -1;
}

cv::Mat toBgr(const QImage &image)
{
    const QImage rgb = image.convertToFormat(QImage::Format_RGB888);
    cv::Mat wrapped(rgb.height(), rgb.width(), CV_8UC3, const_cast<uchar *>(rgb.constBits()), size_t(rgb.bytesPerLine()));
    cv::Mat bgr;
    cv::cvtColor(wrapped, bgr, cv::COLOR_RGB2BGR);
    return bgr;
}

cv::Mat decodeFrame(const QString &path, int index)
{
    VideoFileSource src;
    if (src.open(path).isError())
        return {};
    VideoFrame f;
    for (int i = 0; i <= index; ++i)
        if (src.read(f) != ReadStatus::Frame)
            return {};
    return f.bgr;
}

int filesUnder(const QString &dir)
{
    int n = 0;
    QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        ++n;
    }
    return n;
}

} // namespace

class TstCodecView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        SynthConfig sc = test::defaultSynthConfig(kTrueHr, 12);
        sc.width = 320;
        sc.height = 240;
        sc.writeMasks = false;
        m_video = test::makeSynthVideo(m_dir, QStringLiteral("clip.mkv"), sc);
        QVERIFY(!m_video.isEmpty());
        auto gt = loadHrReference(groundTruthPathFor(m_video));
        QVERIFY2(gt.ok(), qPrintable(gt.error().message));
        m_gtHr = gt.value().recordingHr(10.0, 0.7, 4.0);
        QVERIFY(std::abs(m_gtHr - kTrueHr) < 3);
    }

    void badSettingsFailWithAMessage()
    {
        CodecComparisonView view;
        QSignalSpy finished(&view, &CodecComparisonView::comparisonFinished);
        view.setSourceVideo(m_dir.filePath(QStringLiteral("missing.mkv")));
        view.startComparison();
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.at(0).at(0).toBool(), false);
        QVERIFY2(view.message().contains(QStringLiteral("does not exist")), qPrintable(view.message()));
        view.setSourceVideo(m_video);
        view.setBitrates(QStringLiteral("fast"));
        view.startComparison();
        QCOMPARE(finished.count(), 2);
        QVERIFY2(view.message().contains(QStringLiteral("bit rate")), qPrintable(view.message()));
        QVERIFY(!view.isRunning());
        QCOMPARE(view.resultsModel()->rowCount(), 0);
    }

    void comparisonFillsTableAgainstGroundTruth()
    {
        m_view = std::make_unique<CodecComparisonView>();
        m_view->resize(1200, 800);
        m_view->show();
        m_view->setSourceVideo(m_video);
        // Two containers (x264 in Matroska, MPEG-4 Part 2 in AVI) so scrubbing is checked on both.
        m_view->setCodecs({QStringLiteral("x264"), QStringLiteral("mpeg4")});
        m_view->setBitrates(QStringLiteral("40k, 800k"));
        m_view->setMethods({QStringLiteral("pos")});
        QSignalSpy finished(m_view.get(), &CodecComparisonView::comparisonFinished);
        QSignalSpy shown(m_view.get(), &CodecComparisonView::framesShown);
        m_view->startComparison();
        QVERIFY(m_view->isRunning());
        QVERIFY2(finished.wait(240000), "comparison did not finish in 4 minutes");
        QCOMPARE(finished.at(0).at(0).toBool(), true);
        QVERIFY(!m_view->isRunning());
        const CodecStudyResult *study = m_view->result();
        QVERIFY(study);
        QCOMPARE(study->referenceKind, ReferenceKind::GroundTruth);
        QCOMPARE(int(study->variants.size()), 4);

        const QAbstractItemModel *model = m_view->resultsModel();
        QCOMPARE(model->rowCount(), 5);   // original + 4 variants, one method
        const int cVariant = columnOf(model, QStringLiteral("Variant"));
        const int cHr = columnOf(model, QStringLiteral("HR (bpm)"));
        const int cRef = columnOf(model, QStringLiteral("Reference HR (bpm)"));
        const int cErr = columnOf(model, QStringLiteral("HR error (bpm)"));
        const int cPsnr = columnOf(model, QStringLiteral("PSNR (dB)"));
        QVERIFY(cVariant >= 0 && cHr >= 0 && cRef >= 0 && cErr >= 0 && cPsnr >= 0);
        QStringList variants;
        for (int r = 0; r < model->rowCount(); ++r) {
            variants << model->index(r, cVariant).data().toString();
            bool okHr = false, okRef = false, okErr = false;
            const double hr = model->index(r, cHr).data().toString().toDouble(&okHr);
            const double ref = model->index(r, cRef).data().toString().toDouble(&okRef);
            const double err = model->index(r, cErr).data().toString().toDouble(&okErr);
            QVERIFY2(okRef && std::abs(ref - m_gtHr) < 0.06, qPrintable(QStringLiteral("row %1 reference %2 vs %3").arg(r).arg(ref).arg(m_gtHr)));
            if (okHr) {
                QVERIFY(okErr);
                QVERIFY2(std::abs((hr - m_gtHr) - err) < 0.06, qPrintable(QStringLiteral("row %1: %2 - %3 != %4").arg(r).arg(hr).arg(m_gtHr).arg(err)));
            }
        }
        // OK windows: each row's windows rated ok, out of those with an estimate; a row under half
        // is amber with the CLI's warning as its tooltip.
        const int cOk = columnOf(model, QStringLiteral("OK windows"));
        QVERIFY(cOk >= 0);
        for (int r = 0; r < model->rowCount(); ++r) {
            const QString label = model->index(r, cVariant).data().toString();
            const VariantResult *v = label == QLatin1String("original") ? &study->original : nullptr;
            for (const VariantResult &x : study->variants)
                if (x.setting.label() == label)
                    v = &x;
            QVERIFY2(v, qPrintable(label));
            const MethodOutcome *o = v->outcome(QStringLiteral("pos"));
            int estimates = 0, good = 0;
            for (const WindowEstimate &w : o->signal.windows) {
                estimates += w.quality != Quality::NoSignal;
                good += w.quality == Quality::Good;
            }
            QVERIFY(estimates > 0);
            QCOMPARE(model->index(r, cOk).data().toString(), QStringLiteral("%1 of %2").arg(good).arg(estimates));
            const QString tip = model->index(r, cOk).data(Qt::ToolTipRole).toString();
            QCOMPARE(tip.startsWith(QStringLiteral("only %1 of %2 windows are ok").arg(good).arg(estimates)), 2 * good < estimates);
            QCOMPARE(model->index(r, cOk).data(Qt::ForegroundRole).isValid(), 2 * good < estimates);
        }
        QVERIFY(variants.contains(QStringLiteral("original")));
        QVERIFY(variants.contains(QStringLiteral("x264 40k")));
        QVERIFY(variants.contains(QStringLiteral("x264 800k")));
        QVERIFY(variants.contains(QStringLiteral("mpeg4 800k")));
        // The clean clip and its well-encoded copy measure the ground truth.
        for (int r = 0; r < model->rowCount(); ++r) {
            const QString v = model->index(r, cVariant).data().toString();
            if (v == QLatin1String("original") || v == QLatin1String("x264 800k")) {
                const double err = model->index(r, cErr).data().toString().toDouble();
                QVERIFY2(std::abs(err) < 3.0, qPrintable(QStringLiteral("%1: HR error %2 bpm").arg(v).arg(err)));
            }
        }
        // Sorting by PSNR puts the 40k variant below the 800k one (and the original, 99 dB, or no value, apart).
        QAbstractItemModel *sortable = m_view->resultsModel();
        sortable->sort(cPsnr, Qt::DescendingOrder);
        int row40 = -1, row800 = -1;
        for (int r = 0; r < sortable->rowCount(); ++r) {
            const QString v = sortable->index(r, cVariant).data().toString();
            if (v == QLatin1String("x264 40k"))
                row40 = r;
            if (v == QLatin1String("x264 800k"))
                row800 = r;
        }
        QVERIFY(row800 >= 0 && row40 > row800);

        // The first frames appear without scrubbing.
        QVERIFY(shown.count() > 0 || shown.wait(20000));
        QCOMPARE(m_view->frameCount(), int(study->original.frames.size()));
        QVERIFY(m_view->frameCount() >= 300);
    }

    void scrubbingShowsTheSameFrameEverywhere()
    {
        QVERIFY(m_view && m_view->result());
        const CodecStudyResult *study = m_view->result();
        QSignalSpy shown(m_view.get(), &CodecComparisonView::framesShown);
        for (int frame : {40, 41, 250, 7}) {   // forward, next, far, backwards (seeks)
            m_view->setCurrentFrame(frame);
            QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty() && shown.last().at(0).toInt() == frame, 20000);
            QCOMPARE(m_view->currentFrame(), frame);
            const cv::Mat expected = decodeFrame(m_video, frame);
            QVERIFY(!expected.empty());
            const cv::Mat original = toBgr(m_view->shownImage(0));
            QCOMPARE(original.cols, expected.cols);
            QCOMPARE(original.rows, expected.rows);
            QVERIFY2(cv::norm(original, expected, cv::NORM_INF) == 0, "the original tile is not the decoded frame");
            for (size_t v = 0; v < study->variants.size(); ++v) {
                const QImage img = m_view->shownImage(int(v) + 1);
                QVERIFY(!img.isNull());
                const double psnr = lumaPsnrDb(original, toBgr(img));
                QVERIFY2(std::abs(psnr - study->variants[v].psnrDb[size_t(frame)]) < 0.01,
                         qPrintable(QStringLiteral("%1 frame %2: PSNR %3 vs study %4").arg(study->variants[v].setting.label())
                                        .arg(frame).arg(psnr).arg(study->variants[v].psnrDb[size_t(frame)])));
            }
        }
        // Out-of-range requests clamp to the last frame.
        m_view->setCurrentFrame(1000000);
        QTRY_VERIFY_WITH_TIMEOUT(m_view->currentFrame() == m_view->frameCount() - 1, 20000);
        // Without neural methods registered the STVEN tile says why it is empty.
        QVERIFY(m_view->shownImage(int(study->variants.size()) + 1).isNull());
    }

    void exportWritesTheCliReport()
    {
        QVERIFY(m_view && m_view->result());
        const QString out = m_dir.filePath(QStringLiteral("report"));
        QSignalSpy exported(m_view.get(), &CodecComparisonView::reportExported);
        m_view->exportReport(out);
        QVERIFY(exported.wait(60000));
        QVERIFY2(exported.at(0).at(0).toBool(), qPrintable(exported.at(0).at(1).toString()));
        QFile html(QDir(out).filePath(QStringLiteral("report.html")));
        QVERIFY(html.open(QIODevice::ReadOnly | QIODevice::Text));
        QString text = QString::fromUtf8(html.readAll());
        QVERIFY(text.startsWith(QStringLiteral("<!DOCTYPE html>")));
        text.remove(QRegularExpression(QStringLiteral("^<!DOCTYPE[^>]*>")));
        QXmlStreamReader xml(text);
        int images = 0;
        while (!xml.atEnd())
            if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == QLatin1String("img"))
                ++images;
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY(images >= 3);
        QVERIFY(text.contains(QStringLiteral("x264 40k")));
        // summary.csv agrees with the view's table.
        QFile csv(QDir(out).filePath(QStringLiteral("summary.csv")));
        QVERIFY(csv.open(QIODevice::ReadOnly | QIODevice::Text));
        QTextStream in(&csv);
        QStringList header;
        int rows = 0;
        while (!in.atEnd()) {
            const QString line = in.readLine();
            if (line.startsWith(QLatin1Char('#')) || line.isEmpty())
                continue;
            const QStringList cells = line.split(QLatin1Char(','));
            if (header.isEmpty()) {
                header = cells;
                continue;
            }
            ++rows;
            const int cErr = header.indexOf(QStringLiteral("hr_error_bpm"));
            QVERIFY(cErr >= 0);
            const VariantResult *v = nullptr;
            const CodecStudyResult *s = m_view->result();
            for (const VariantResult &var : s->variants)
                if (var.setting.label() == cells[0])
                    v = &var;
            if (cells[0] == QLatin1String("source"))
                v = &s->original;
            QVERIFY2(v, qPrintable(cells[0]));
            QVERIFY(std::abs(cells[cErr].toDouble() - v->outcome(QStringLiteral("pos"))->hrErrorBpm) < 0.006);
        }
        QCOMPARE(rows, 5);
    }

    void cancelStopsAndLeavesNoFiles()
    {
        QVERIFY(m_view);
        const QString work = m_view->workFolder();
        QVERIFY(!work.isEmpty());
        QVERIFY(filesUnder(work) > 0);   // the finished comparison keeps its variants for scrubbing
        QSignalSpy finished(m_view.get(), &CodecComparisonView::comparisonFinished);
        m_view->startComparison();
        QVERIFY(m_view->isRunning());
        QTest::qWait(400);   // into the encoding
        m_view->cancelComparison();
        QVERIFY2(finished.wait(30000), "cancel did not end the comparison within 30 s");
        QCOMPARE(finished.at(0).at(0).toBool(), false);
        QVERIFY(!m_view->isRunning());
        QVERIFY2(m_view->message().contains(QStringLiteral("cancelled"), Qt::CaseInsensitive), qPrintable(m_view->message()));
        QVERIFY(!m_view->result());
        QCOMPARE(m_view->resultsModel()->rowCount(), 0);
        QCOMPARE(filesUnder(work), 0);
        m_view.reset();
        QVERIFY(!QFileInfo::exists(work));   // the view removes its working folder
    }

    // The analysis settings handed to the view (the main window's) are the ones every variant is
    // analysed with, and the report states them.
    void analysisSettingsAreUsedAndReported()
    {
        CodecComparisonView view;
        QCOMPARE(view.analysisConfig().windowSec, AnalysisConfig{}.windowSec);
        AnalysisConfig analysis;
        analysis.windowSec = 6;
        analysis.bandLowHz = 0.8;
        analysis.bandHighHz = 3.0;
        analysis.witnessMethods.clear();
        view.setAnalysisConfig(analysis);
        view.setSourceVideo(m_video);
        view.setCodecs({QStringLiteral("x264")});
        view.setBitrates(QStringLiteral("400k"));
        view.setMethods({QStringLiteral("pos")});
        QSignalSpy finished(&view, &CodecComparisonView::comparisonFinished);
        view.startComparison();
        QVERIFY(finished.wait(240000));
        QVERIFY(finished.at(0).at(0).toBool());
        const CodecStudyResult *study = view.result();
        QVERIFY(study);
        QCOMPARE(study->analysis.windowSec, 6.0);
        QVERIFY(study->analysis.witnessMethods.isEmpty());
        // 6 s windows over the 12 s clip, every rate inside 48-180 bpm.
        for (const VariantResult *v : {&study->original, &study->variants[0]}) {
            const MethodOutcome *o = v->outcome(QStringLiteral("pos"));
            QVERIFY(o && !o->signal.windows.empty());
            QVERIFY(o->signal.windows.size() >= 5);
            for (const WindowEstimate &w : o->signal.windows) {
                QVERIFY2(std::abs(w.endSec - w.startSec - 6.0) < 0.1, qPrintable(QString::number(w.endSec - w.startSec)));
                QVERIFY(!std::isfinite(w.hrBpm) || (w.hrBpm >= 48 - 1e-6 && w.hrBpm <= 180 + 1e-6));
            }
        }
        const QString out = m_dir.filePath(QStringLiteral("report-settings"));
        QSignalSpy exported(&view, &CodecComparisonView::reportExported);
        view.exportReport(out);
        QVERIFY(exported.wait(60000));
        QVERIFY(exported.at(0).at(0).toBool());
        QFile html(QDir(out).filePath(QStringLiteral("report.html")));
        QVERIFY(html.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(html.readAll());
        QVERIFY2(text.contains(QStringLiteral("window 6 s, band 0.80-3.00 Hz (48-180 bpm), networks not checked")),
                 "the report does not state the analysis settings");
        QFile csv(QDir(out).filePath(QStringLiteral("summary.csv")));
        QVERIFY(csv.open(QIODevice::ReadOnly | QIODevice::Text));
        const QString table = QString::fromUtf8(csv.readAll());
        QVERIFY(table.contains(QStringLiteral("# window_s: 6\n")));
        QVERIFY(table.contains(QStringLiteral("# band_hz: 0.8-3\n")));
        QVERIFY(table.contains(QStringLiteral("# witnesses: \n")));
    }

private:
    QTemporaryDir m_dir;
    QString m_video;
    double m_gtHr = 0;
    std::unique_ptr<CodecComparisonView> m_view;
};

QTEST_MAIN(TstCodecView)
#include "tst_codecview.moc"
