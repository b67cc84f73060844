// The window's neural displays with the shipped weights (resources/models), through the real
// decode thread, live worker and redraw timer: STVEN + rPPGNet on the bundled sample puts STVEN's
// restored face crop in the Enhanced dock (the face of the frame on screen, not noise or another
// part of the picture), rPPGNet's skin map over it in the Skin / attention dock (the skin warmer
// than the hair and background around it), its attention map on request, and a heart rate that
// reaches the sample's reference; the codec comparison view's STVEN tile shows the worst variant's
// enhanced face crop. The other displays are tst_gui's and tst_codecview's (without networks).

#include "codeccomparisonview.h"
#include "codecstudy.h"
#include "facetracker.h"
#include "frameprocessor.h"
#include "groundtruth.h"
#include "imageview.h"
#include "mainwindow.h"
#include "modelsadapter.h"
#include "resourcepaths.h"
#include "testsupport.h"
#include "videofilesource.h"

#include <opencv2/imgproc.hpp>

#include <QComboBox>
#include <QDockWidget>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <cmath>

using namespace rppg;

namespace {

constexpr int kAnalysisTimeoutMs = 240000;

cv::Mat grey(const QImage &image)
{
    const QImage g = image.convertToFormat(QImage::Format_Grayscale8);
    cv::Mat wrapped(g.height(), g.width(), CV_8UC1, const_cast<uchar *>(g.constBits()), size_t(g.bytesPerLine()));
    cv::Mat out;
    wrapped.convertTo(out, CV_64F);
    return out;
}

// Pearson correlation of two grey pictures, `b` resized to `a`'s size.
double correlation(const cv::Mat &a, const cv::Mat &b)
{
    cv::Mat r;
    cv::resize(b, r, a.size(), 0, 0, cv::INTER_AREA);
    cv::Scalar ma, sa, mb, sb;
    cv::meanStdDev(a, ma, sa);
    cv::meanStdDev(r, mb, sb);
    if (!(sa[0] > 0 && sb[0] > 0))
        return 0;
    return cv::mean((a - ma[0]).mul(r - mb[0]))[0] / (sa[0] * sb[0]);
}

// The map value (0..1) a heat overlay pixel encodes: its alpha is 0.25 + 0.75 v.
double mapValue(QRgb pixel)
{
    return (qAlpha(pixel) / 255.0 - 0.25) / 0.75;
}

// Mean map value over the overlay's pixels inside `r` (fractions of its width and height).
double meanMap(const QImage &overlay, const QRectF &r)
{
    const int x0 = int(r.left() * overlay.width()), x1 = int(r.right() * overlay.width());
    const int y0 = int(r.top() * overlay.height()), y1 = int(r.bottom() * overlay.height());
    double sum = 0;
    int n = 0;
    for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x, ++n)
            sum += mapValue(overlay.pixel(x, y));
    return n > 0 ? sum / n : std::nan("");
}

ImageView *dockView(MainWindow &w, const char *dock)
{
    auto *d = w.findChild<QDockWidget *>(QLatin1String(dock));
    return d ? qobject_cast<ImageView *>(d->widget()) : nullptr;
}

} // namespace

class TestGuiNeural : public QObject
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
        test::isolateSettings(m_dir, QStringLiteral("tst_gui_neural"));
        registerNeuralMethods();
        for (const char *name : {"rppgnet", "stven+rppgnet"})
            QVERIFY2(MethodRegistry::instance().find(QLatin1String(name)), name);
        const QString sample = test::loadSample(&m_sample, &m_truth);
        QVERIFY2(sample.isEmpty(), qPrintable(sample));
        Settings settings;
        // At the video's pace, as a user watches it: every frame drawn, whatever the machine's speed.
        settings.setPlaybackMode(PlaybackMode::RealTime);
        settings.setMethod(QStringLiteral("stven+rppgnet"));
        settings.setWindowSec(10);
    }

    void stvenAndSkinMapDocks()
    {
        MainWindow w;
        w.resize(1280, 800);
        w.show();
        QCOMPARE(w.method(), QStringLiteral("stven+rppgnet"));
        ImageView *video = dockView(w, "videoDock");
        ImageView *enhanced = dockView(w, "enhancedDock");
        ImageView *overlay = dockView(w, "overlayDock");
        QVERIFY(video && enhanced && overlay);
        auto *kind = w.findChild<QComboBox *>(QStringLiteral("overlayKindCombo"));
        QVERIFY(kind);
        QCOMPARE(kind->currentIndex(), 0);   // skin map

        // Checked on the frames on screen while the analysis runs, from the first one that has
        // a network picture (the networks start after a clip) to the end.
        int checked = 0, attentionChecked = 0;
        double worstFace = 1, bestElsewhere = -1, worstSkinLead = 1;
        auto check = [&] {
            if (enhanced->image().isNull() || video->image().isNull() || video->faceBox().isEmpty())
                return;
            const QRectF b = video->faceBox();
            const cv::Rect crop = faceCropRect(cv::Rect2f(float(b.x()), float(b.y()), float(b.width()), float(b.height())),
                                               cv::Size(video->image().width(), video->image().height()));
            if (crop.width < 32 || crop.height < 32)
                return;
            const cv::Mat frame = grey(video->image());
            const cv::Mat picture = grey(enhanced->image());
            worstFace = std::min(worstFace, correlation(picture, frame(crop)));
            // The same size of picture from the frame's top-left corner and beside the face: not it.
            const cv::Rect corner(0, 0, crop.width, crop.height);
            const cv::Rect beside(crop.x + crop.width / 2 + crop.width > frame.cols ? 0 : crop.x + crop.width / 2,
                                  crop.y, crop.width, crop.height);
            bestElsewhere = std::max({bestElsewhere, correlation(picture, frame(corner)),
                                      correlation(picture, frame(beside & cv::Rect(0, 0, frame.cols, frame.rows)))});
            // The Skin / attention dock: the enhanced crop with the network's map over it.
            if (overlay->overlay().isNull())
                return;
            QCOMPARE(overlay->image(), enhanced->image());
            if (kind->currentIndex() == 0) {
                QCOMPARE(overlay->caption(), QStringLiteral("skin map (rPPGNet)"));
                // Cheeks and nose against the top corners (hair, background) of the face crop.
                const double skin = meanMap(overlay->overlay(), QRectF(0.3, 0.45, 0.4, 0.3));
                const double around = 0.5 * (meanMap(overlay->overlay(), QRectF(0, 0, 0.15, 0.15))
                                             + meanMap(overlay->overlay(), QRectF(0.85, 0, 0.15, 0.15)));
                worstSkinLead = std::min(worstSkinLead, skin - around);
            } else {
                QCOMPARE(overlay->caption(), QStringLiteral("attention (rPPGNet)"));
                ++attentionChecked;
            }
            ++checked;
        };
        // Every frame the window draws, looked at from a timer (as a user would see them).
        int64_t lastDrawn = 0;
        QTimer poll;
        connect(&poll, &QTimer::timeout, this, [&] {
            if (w.framesDrawn() == lastDrawn)
                return;
            lastDrawn = w.framesDrawn();
            check();
            if (checked == 200)   // from here on the attention map instead of the skin map
                kind->setCurrentIndex(1);
        });
        poll.start(10);
        QSignalSpy finished(&w, &MainWindow::analysisFinished);
        w.openFile(m_sample);
        QVERIFY(finished.wait(kAnalysisTimeoutMs));
        QTRY_VERIFY(w.lastUpdate() && w.lastUpdate()->endOfStream);
        poll.stop();

        qInfo("%d frames checked (%d with attention): face correlation >= %.3f, elsewhere <= %.3f, "
              "skin map lead >= %.3f",
              checked, attentionChecked, worstFace, bestElsewhere, worstSkinLead);
        QVERIFY2(checked >= 300, qPrintable(QString::number(checked)));
        QVERIFY2(attentionChecked >= 100, qPrintable(QString::number(attentionChecked)));
        QVERIFY2(worstFace > 0.8, qPrintable(QString::number(worstFace)));
        QVERIFY2(bestElsewhere < 0.5, qPrintable(QString::number(bestElsewhere)));
        QVERIFY2(worstSkinLead > 0.1, qPrintable(QString::number(worstSkinLead)));
        QCOMPARE(enhanced->caption(), QStringLiteral("STVEN output, %1×%2 px").arg(enhanced->image().width()).arg(enhanced->image().height()));

        // The readout: the networks' final rate on the sample near its reference.
        const LiveUpdatePtr u = w.lastUpdate();
        QCOMPARE(u->droppedFrames, uint64_t(0));
        const double truth = m_truth.recordingHr(10.0, 0.7, 4.0);
        QVERIFY2(std::abs(u->hrBpm - truth) < 3.0, qPrintable(QStringLiteral("%1 vs %2").arg(u->hrBpm).arg(truth)));
        QCOMPARE(u->state, LiveState::Ok);
    }

    void codecViewEnhancesTheWorstVariant()
    {
        SynthConfig sc = test::defaultSynthConfig(80, 8);
        sc.width = 320;
        sc.height = 240;
        sc.writeMasks = false;
        const QString clip = test::makeSynthVideo(m_dir, QStringLiteral("clip.mkv"), sc);
        QVERIFY(!clip.isEmpty());
        CodecComparisonView view;
        view.resize(1200, 800);
        view.show();
        view.setSourceVideo(clip);
        view.setCodecs({QStringLiteral("x264")});
        view.setBitrates(QStringLiteral("60k"));
        view.setMethods({QStringLiteral("pos")});
        QSignalSpy finished(&view, &CodecComparisonView::comparisonFinished);
        QSignalSpy enhancedShown(&view, &CodecComparisonView::enhancedFrameShown);
        view.startComparison();
        QVERIFY(finished.wait(kAnalysisTimeoutMs));
        QVERIFY(finished.at(0).at(0).toBool());
        QVERIFY(enhancedShown.count() > 0 || enhancedShown.wait(kAnalysisTimeoutMs));
        QVERIFY(!view.isEnhancing());
        QCOMPARE(enhancedShown.last().at(0).toBool(), true);
        const QImage tile = view.shownImage(2);   // original, x264 60k, STVEN
        QVERIFY(!tile.isNull());

        // The tile is the face of the variant's frame the slider is on (give or take the
        // network's lag): found there by the tracker and cropped as the networks crop.
        const CodecStudyResult *study = view.result();
        QVERIFY(study && study->variants.size() == 1);
        VideoFileSource src;
        QVERIFY(!src.open(study->variants[0].path).isError());
        FaceTracker tracker;
        QVERIFY(!tracker.init().isError());
        VideoFrame f;
        FaceObservation face;
        for (int i = 0; i <= view.currentFrame(); ++i) {
            QVERIFY(src.read(f) == ReadStatus::Frame);
            face = tracker.process(f.bgr, f.ptsUs / 1e6);
        }
        QVERIFY(face.found());
        const cv::Rect crop = faceCropRect(face.box, f.bgr.size());
        cv::Mat frame;
        cv::cvtColor(f.bgr, frame, cv::COLOR_BGR2GRAY);
        frame.convertTo(frame, CV_64F);
        const double r = correlation(grey(tile), frame(crop));
        const double corner = correlation(grey(tile), frame(cv::Rect(0, 0, crop.width, crop.height)));
        qInfo("STVEN tile: %dx%d, correlation with the face crop %.3f, with the corner %.3f", tile.width(),
              tile.height(), r, corner);
        QVERIFY2(r > 0.8, qPrintable(QString::number(r)));
        QVERIFY2(corner < 0.5, qPrintable(QString::number(corner)));
    }
};

QTEST_MAIN(TestGuiNeural)
#include "tst_gui_neural.moc"
