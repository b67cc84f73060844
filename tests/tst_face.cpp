// Face detection, tracking and the skin region, on frames generated from the bundled face photo
// (resources/faces/astronaut.png) with known motion. Nothing else is read.

#include "facetracker.h"
#include "resourcepaths.h"
#include "skinroi.h"

#include <QElapsedTimer>
#include <QFile>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/core/utility.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>

using namespace rppg;

namespace {

// Where the face is in the photo: dlib's box [(217,93) (342,217)] in a 640x480 resize of the
// photo's top 512x384 part, mapped back (x0.8): centre (224, 124), about 100 px.
const cv::Point2f kPhotoFaceCentre(224.0f, 124.0f);
constexpr double kPhotoFaceSize = 100.0;
constexpr double kFps = 30.0;
const cv::Size kFrameSize(640, 480);

struct Pose
{
    cv::Point2f centre{320.0f, 240.0f}; // where the photo's face centre lands in the frame
    double scale = 1.25;                // photo pixels -> frame pixels
    double angleDeg = 0;                // counter-clockwise, as cv::getRotationMatrix2D
};

Pose lerpPose(const Pose &a, const Pose &b, double t)
{
    Pose p;
    p.centre = a.centre + float(t) * (b.centre - a.centre);
    p.scale = a.scale + t * (b.scale - a.scale);
    p.angleDeg = a.angleDeg + t * (b.angleDeg - a.angleDeg);
    return p;
}

cv::Matx23d poseMatrix(const Pose &pose)
{
    cv::Matx23d m = cv::getRotationMatrix2D(kPhotoFaceCentre, pose.angleDeg, pose.scale);
    m(0, 2) += pose.centre.x - kPhotoFaceCentre.x;
    m(1, 2) += pose.centre.y - kPhotoFaceCentre.y;
    return m;
}

cv::Point2f apply(const cv::Matx23d &m, const cv::Point2f &p)
{
    return {float(m(0, 0) * p.x + m(0, 1) * p.y + m(0, 2)),
            float(m(1, 0) * p.x + m(1, 1) * p.y + m(1, 2))};
}

cv::Matx23d invert(const cv::Matx23d &m)
{
    cv::Matx23d inv;
    cv::invertAffineTransform(m, inv);
    return inv;
}

cv::Point2f centreOf(const cv::Rect2f &r)
{
    return {r.x + r.width * 0.5f, r.y + r.height * 0.5f};
}

double distance(const cv::Point2f &a, const cv::Point2f &b)
{
    return std::hypot(a.x - b.x, a.y - b.y);
}

const cv::Mat &photo()
{
    static const cv::Mat image = [] {
        const QString path = resourcePath(QStringLiteral("faces/astronaut.png"));
        return path.isEmpty() ? cv::Mat() : cv::imread(QFile::encodeName(path).toStdString());
    }();
    return image;
}

void addNoise(cv::Mat &frame, cv::RNG &rng, double sigma)
{
    cv::Mat noise(frame.size(), CV_16SC3);
    rng.fill(noise, cv::RNG::NORMAL, 0, sigma);
    cv::Mat wide;
    frame.convertTo(wide, CV_16SC3);
    wide += noise;
    wide.convertTo(frame, CV_8UC3);
}

cv::Mat renderFace(const Pose &pose, cv::RNG *rng = nullptr, double noiseSigma = 1.5)
{
    cv::Mat frame;
    cv::warpAffine(photo(), frame, poseMatrix(pose), kFrameSize, cv::INTER_LINEAR,
                   cv::BORDER_REPLICATE);
    if (rng)
        addNoise(frame, *rng, noiseSigma);
    return frame;
}

// Pastes the photo's head (an ellipse around face and hair) onto `canvas`.
void pasteHead(cv::Mat &canvas, const Pose &pose)
{
    static const cv::Mat headMask = [] {
        cv::Mat mask = cv::Mat::zeros(photo().size(), CV_8UC1);
        cv::ellipse(mask, cv::Point(224, 118), cv::Size(82, 105), 0, 0, 360, cv::Scalar(255), -1);
        return mask;
    }();
    cv::Mat warped, mask;
    cv::warpAffine(photo(), warped, poseMatrix(pose), canvas.size(), cv::INTER_LINEAR);
    cv::warpAffine(headMask, mask, poseMatrix(pose), canvas.size(), cv::INTER_NEAREST);
    warped.copyTo(canvas, mask);
}

// Frames without a face.
enum class Vanish { Grey, Noise, Background, Occluded };

cv::Mat renderVanished(Vanish kind, const Pose &pose, cv::RNG &rng)
{
    switch (kind) {
    case Vanish::Grey:
        return cv::Mat(kFrameSize, CV_8UC3, cv::Scalar(128, 128, 128));
    case Vanish::Noise: {
        cv::Mat frame(kFrameSize, CV_8UC3);
        rng.fill(frame, cv::RNG::UNIFORM, 0, 256);
        return frame;
    }
    case Vanish::Background: {
        // The helmet and the shuttle model: textured, no face.
        cv::Mat frame;
        cv::resize(photo()(cv::Rect(300, 250, 212, 262)), frame, kFrameSize, 0, 0,
                   cv::INTER_LINEAR);
        addNoise(frame, rng, 1.5);
        return frame;
    }
    case Vanish::Occluded: {
        // Something flat in front of the face; hair, suit and background stay.
        cv::Mat frame = renderFace(pose, &rng);
        const double half = 0.75 * kPhotoFaceSize * pose.scale;
        cv::rectangle(frame,
                      cv::Rect(int(pose.centre.x - half), int(pose.centre.y - half), int(2 * half),
                               int(2 * half)),
                      cv::Scalar(120, 150, 190), cv::FILLED);
        return frame;
    }
    }
    return {};
}

QByteArray describe(const cv::Rect2f &r)
{
    return QByteArray("(") + QByteArray::number(r.x, 'f', 1) + ", "
           + QByteArray::number(r.y, 'f', 1) + ", " + QByteArray::number(r.width, 'f', 1) + " x "
           + QByteArray::number(r.height, 'f', 1) + ")";
}

// A static face, tracked for a few frames so the landmarks have settled.
FaceObservation settledFace(const cv::Mat &frame)
{
    FaceTracker tracker;
    FaceObservation obs;
    for (int i = 0; i < 6; ++i)
        obs = tracker.process(frame, i / kFps);
    return obs;
}

} // namespace

class TstFace : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void initErrors_data();
    void initErrors();
    void detectsFace_data();
    void detectsFace();
    void tracksMotion_data();
    void tracksMotion();
    void losesAndReacquires_data();
    void losesAndReacquires();
    void keepsTrackedFaceAmongTwo_data();
    void keepsTrackedFaceAmongTwo();
    void resetSearchesAgain();
    void rejectsBadFrames();
    void skinMaskCoversSkinOnly();
    void colourRefineExcludesBlob();
    void fullFrameAndRectangle_data();
    void fullFrameAndRectangle();
    void meanFollowsBrightness();
    void benchmarkThroughput();
};

void TstFace::initTestCase()
{
    QVERIFY2(!photo().empty(), "resources/faces/astronaut.png not found (set RPPG_RESOURCE_DIR)");
    FaceTracker tracker;
    const Error error = tracker.init();
    QVERIFY2(!error.isError(), qPrintable(error.message));
}

void TstFace::initErrors_data()
{
    QTest::addColumn<QByteArray>("content"); // file content; "<missing>" = no file
    QTest::addColumn<int>("expected");

    QTest::newRow("missing") << QByteArray("<missing>") << int(ErrorCode::FileNotFound);
    QTest::newRow("empty") << QByteArray() << int(ErrorCode::BadData);
    QTest::newRow("text") << QByteArray("this is not a dlib model\n") << int(ErrorCode::BadData);
    QByteArray garbage(4096, '\0');
    cv::RNG rng(7);
    for (char &c : garbage)
        c = char(rng.uniform(0, 256));
    QTest::newRow("random bytes") << garbage << int(ErrorCode::BadData);
}

void TstFace::initErrors()
{
    QFETCH(QByteArray, content);
    QFETCH(int, expected);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("model.dat"));
    if (content != "<missing>") {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(content);
    }
    FaceTrackerConfig config;
    config.landmarkModelPath = path;
    FaceTracker tracker(config);
    const Error error = tracker.init();
    QCOMPARE(int(error.code), expected);
    QVERIFY(!error.message.isEmpty());
    // Still usable: detection works, there are just no landmarks.
    const FaceObservation obs = tracker.process(renderFace(Pose()), 0.0);
    QCOMPARE(obs.state, FaceState::Detected);
    QVERIFY(!obs.landmarksValid);
}

void TstFace::detectsFace_data()
{
    QTest::addColumn<QPointF>("centre");
    QTest::addColumn<double>("scale");
    QTest::addColumn<double>("angleDeg");

    QTest::newRow("centred") << QPointF(320, 240) << 1.25 << 0.0;
    QTest::newRow("top-left") << QPointF(150, 130) << 1.25 << 0.0;
    QTest::newRow("bottom-right") << QPointF(520, 370) << 1.1 << 0.0;
    QTest::newRow("tilted") << QPointF(320, 240) << 1.25 << 12.0;
    QTest::newRow("small face") << QPointF(300, 220) << 0.9 << 0.0; // needs the finer scale
    QTest::newRow("large face") << QPointF(320, 250) << 2.6 << 0.0;
}

void TstFace::detectsFace()
{
    QFETCH(QPointF, centre);
    QFETCH(double, scale);
    QFETCH(double, angleDeg);
    Pose pose;
    pose.centre = cv::Point2f(float(centre.x()), float(centre.y()));
    pose.scale = scale;
    pose.angleDeg = angleDeg;
    cv::RNG rng(1);
    const cv::Mat frame = renderFace(pose, &rng);

    FaceTracker tracker;
    const FaceObservation obs = tracker.process(frame, 0.0);
    QCOMPARE(obs.state, FaceState::Detected);
    const double size = kPhotoFaceSize * scale;
    QVERIFY2(distance(centreOf(obs.box), pose.centre) < 0.12 * size, describe(obs.box));
    QVERIFY2(std::abs(obs.box.width - size) < 0.2 * size, describe(obs.box));

    QVERIFY(obs.landmarksValid);
    // In the upright face frame: eyes above the nose tip above the mouth, left eye left.
    const double a = angleDeg * CV_PI / 180.0;
    const auto upright = [&](const cv::Point2f &p) {
        const cv::Point2f d = p - pose.centre;
        return cv::Point2f(float(std::cos(a) * d.x - std::sin(a) * d.y),
                           float(std::sin(a) * d.x + std::cos(a) * d.y));
    };
    const auto mean = [&](int first, int last) {
        cv::Point2f s(0, 0);
        for (int i = first; i <= last; ++i)
            s += upright(obs.landmarks[i]);
        return s * (1.0f / (last - first + 1));
    };
    const cv::Point2f eyeLeft = mean(36, 41), eyeRight = mean(42, 47);
    const cv::Point2f noseTip = upright(obs.landmarks[30]), mouth = mean(48, 67);
    QVERIFY(eyeLeft.x < noseTip.x && noseTip.x < eyeRight.x);
    QVERIFY(eyeLeft.y < noseTip.y && eyeRight.y < noseTip.y);
    QVERIFY(noseTip.y < mouth.y);
    QVERIFY(std::abs(eyeLeft.y - eyeRight.y) < 0.05 * size); // roll removed: eyes level
    const double iod = eyeRight.x - eyeLeft.x;
    QVERIFY2(iod > 0.3 * size && iod < 0.6 * size, QByteArray::number(iod));
    const cv::Rect2f grown(obs.box.x - 0.1f * obs.box.width, obs.box.y - 0.1f * obs.box.height,
                           1.2f * obs.box.width, 1.2f * obs.box.height);
    for (const cv::Point2f &p : obs.landmarks)
        QVERIFY(grown.contains(p));
}

void TstFace::tracksMotion_data()
{
    QTest::addColumn<QPointF>("shift");
    QTest::addColumn<double>("endScale");
    QTest::addColumn<double>("endAngleDeg");
    QTest::addColumn<int>("frames");

    QTest::newRow("translation") << QPointF(60, 0) << 1.25 << 0.0 << 90;
    QTest::newRow("diagonal fast") << QPointF(-90, 60) << 1.25 << 0.0 << 45;
    QTest::newRow("rotation") << QPointF(0, 0) << 1.25 << 10.0 << 90;
    QTest::newRow("scale") << QPointF(0, 0) << 1.45 << 0.0 << 90;
    QTest::newRow("combined") << QPointF(40, -25) << 1.1 << -8.0 << 120;
}

void TstFace::tracksMotion()
{
    QFETCH(QPointF, shift);
    QFETCH(double, endScale);
    QFETCH(double, endAngleDeg);
    QFETCH(int, frames);
    const Pose start;
    Pose end = start;
    end.centre += cv::Point2f(float(shift.x()), float(shift.y()));
    end.scale = endScale;
    end.angleDeg = endAngleDeg;

    FaceTracker tracker;
    cv::RNG rng(2);
    cv::Point2f photoCentre; // the first box centre, in photo pixels
    double photoSize = 0;
    std::array<cv::Point2f, 68> photoLandmarks; // the first landmarks, in photo pixels
    double worstLandmarkError = 0;
    int detections = 0;
    for (int i = 0; i <= frames; ++i) {
        const Pose pose = lerpPose(start, end, double(i) / frames);
        const FaceObservation obs = tracker.process(renderFace(pose, &rng), i / kFps);
        QVERIFY2(obs.found(), qPrintable(QStringLiteral("lost at frame %1").arg(i)));
        QVERIFY(obs.landmarksValid);
        if (i == 0) {
            QCOMPARE(obs.state, FaceState::Detected);
            photoCentre = apply(invert(poseMatrix(pose)), centreOf(obs.box));
            photoSize = obs.box.width / pose.scale;
            for (int k = 0; k < 68; ++k)
                photoLandmarks[k] = apply(invert(poseMatrix(pose)), obs.landmarks[k]);
        }
        detections += obs.state == FaceState::Detected;
        const cv::Point2f expected = apply(poseMatrix(pose), photoCentre);
        const double size = photoSize * pose.scale;
        const QByteArray where = "frame " + QByteArray::number(i) + " box " + describe(obs.box);
        QVERIFY2(distance(centreOf(obs.box), expected) < 0.1 * size, where);
        QVERIFY2(std::abs(obs.box.width - size) < 0.1 * size, where);
        // The photo is rigid, so the landmarks must move with it.
        double landmarkError = 0;
        for (int k = 0; k < 68; ++k)
            landmarkError += distance(obs.landmarks[k], apply(poseMatrix(pose), photoLandmarks[k]));
        landmarkError /= 68 * size;
        worstLandmarkError = std::max(worstLandmarkError, landmarkError);
        QVERIFY2(landmarkError < 0.02,
                 where + " landmark error " + QByteArray::number(landmarkError));
    }
    qDebug("worst mean landmark error %.2f %% of the box", 100 * worstLandmarkError);
    // Detected on the first frame and at each periodic re-detection (1 s), Tracked otherwise.
    const int expectedDetections = 1 + int(frames / kFps);
    QVERIFY2(std::abs(detections - expectedDetections) <= 1, QByteArray::number(detections));
}

void TstFace::losesAndReacquires_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("fadeFrames"); // a cross-dissolve from the face to the empty frame
    QTest::addColumn<bool>("moving");
    QTest::addColumn<double>("scale");

    QTest::newRow("grey") << int(Vanish::Grey) << 0 << true << 1.25;
    QTest::newRow("noise") << int(Vanish::Noise) << 0 << true << 1.25;
    QTest::newRow("background") << int(Vanish::Background) << 0 << true << 1.25;
    QTest::newRow("occluded") << int(Vanish::Occluded) << 0 << true << 1.25;
    // Too small for the coarse full-frame search: found again by the search around the place
    // where it was lost.
    QTest::newRow("small face") << int(Vanish::Grey) << 0 << true << 0.85;
    // The hard cases: a still head dissolves into a still scene, so the points keep tracking
    // through the dissolve and then sit on the background's texture; only the appearance check
    // and the re-detection can end the track.
    QTest::newRow("dissolve to background") << int(Vanish::Background) << 10 << false << 1.25;
    QTest::newRow("dissolve to grey") << int(Vanish::Grey) << 10 << false << 1.25;
    QTest::newRow("dissolve to occluder") << int(Vanish::Occluded) << 10 << false << 1.25;
    QTest::newRow("slow dissolve") << int(Vanish::Background) << 45 << false << 1.25;
}

void TstFace::losesAndReacquires()
{
    QFETCH(int, kind);
    QFETCH(int, fadeFrames);
    QFETCH(bool, moving);
    QFETCH(double, scale);
    constexpr int kFaceFrames = 30, kGoneFrames = 30, kBackFrames = 30;
    const int goneStart = kFaceFrames + fadeFrames, backStart = goneStart + kGoneFrames;
    FaceTrackerConfig config;
    FaceTracker tracker(config);
    cv::RNG rng(3);
    int lostAt = -1, foundAgainAt = -1;
    for (int i = 0; i < backStart + kBackFrames; ++i) {
        Pose pose;
        pose.scale = scale;
        if (moving)
            pose.centre.x += float(10.0 * std::sin(i * 0.1)); // a slowly moving head
        cv::Mat frame;
        if (i < kFaceFrames || i >= backStart) {
            frame = renderFace(pose, &rng);
        } else if (i < goneStart) {
            const double a = double(i - kFaceFrames + 1) / (fadeFrames + 1);
            cv::addWeighted(renderFace(pose, &rng), 1 - a, renderVanished(Vanish(kind), pose, rng),
                            a, 0, frame);
        } else {
            frame = renderVanished(Vanish(kind), pose, rng);
        }
        const FaceObservation obs = tracker.process(frame, i / kFps);
        const QByteArray where = "frame " + QByteArray::number(i);
        if (i < kFaceFrames) {
            QVERIFY2(obs.found(), where);
        } else if (i < backStart) {
            if (!obs.found() && lostAt < 0)
                lostAt = i;
            if (lostAt >= 0 && i >= goneStart)
                QVERIFY2(!obs.found(), where + ": a face on a frame without one");
        } else if (obs.found() && foundAgainAt < 0) {
            foundAgainAt = i;
            QCOMPARE(obs.state, FaceState::Detected);
        }
    }
    qDebug("lost %d frames after the face vanished, found %d frames after it returned",
           lostAt - goneStart, foundAgainAt - backStart);
    QVERIFY2(lostAt >= 0, "the track never ended");
    QVERIFY2(lostAt - goneStart <= 5, QByteArray::number(lostAt - goneStart));
    QVERIFY2(foundAgainAt >= 0, "not re-acquired");
    const int maxDelay = int(std::ceil(config.searchIntervalSec * kFps)) + 1;
    QVERIFY2(foundAgainAt - backStart <= maxDelay, QByteArray::number(foundAgainAt - backStart));
}

void TstFace::keepsTrackedFaceAmongTwo_data()
{
    QTest::addColumn<bool>("largerOnLeft");
    QTest::newRow("larger on the left") << true;
    QTest::newRow("larger on the right") << false;
}

void TstFace::keepsTrackedFaceAmongTwo()
{
    QFETCH(bool, largerOnLeft);
    Pose bigStart, smallStart;
    bigStart.centre = {largerOnLeft ? 180.0f : 460.0f, 250};
    bigStart.scale = 1.7;
    smallStart.centre = {largerOnLeft ? 480.0f : 160.0f, 220};
    smallStart.scale = 1.3;
    Pose bigEnd = bigStart, smallEnd = smallStart;
    bigEnd.centre += cv::Point2f(15, -10);
    bigEnd.scale = 1.6;
    smallEnd.centre += cv::Point2f(0, 25);
    smallEnd.scale = 1.8; // ends up the larger face: the track must not jump to it
    const auto render = [](const Pose *a, const Pose *b) {
        cv::Mat canvas(kFrameSize, CV_8UC3, cv::Scalar(95, 105, 115));
        if (a)
            pasteHead(canvas, *a);
        if (b)
            pasteHead(canvas, *b);
        return canvas;
    };
    // Detection at full resolution, so both faces are surely seen and the choice is by size.
    FaceTrackerConfig config;
    config.detectMaxWidthPx = kFrameSize.width;

    for (const Pose *pose : {&bigStart, &smallStart}) {
        FaceTracker alone(config);
        const FaceObservation obs = alone.process(render(pose, nullptr), 0.0);
        QCOMPARE(obs.state, FaceState::Detected);
        QVERIFY(distance(centreOf(obs.box), pose->centre) < 0.15 * kPhotoFaceSize * pose->scale);
    }

    FaceTracker tracker(config);
    constexpr int kFrames = 90;
    for (int i = 0; i <= kFrames; ++i) {
        const double t = double(i) / kFrames;
        const Pose big = lerpPose(bigStart, bigEnd, t), small = lerpPose(smallStart, smallEnd, t);
        const FaceObservation obs = tracker.process(render(&big, &small), i / kFps);
        const QByteArray where = "frame " + QByteArray::number(i) + " box " + describe(obs.box);
        QVERIFY2(obs.found(), where);
        QVERIFY2(distance(centreOf(obs.box), big.centre) < 0.15 * kPhotoFaceSize * big.scale,
                 where);
    }
    // A fresh tracker on the last frame picks the face that is now the larger one.
    FaceTracker fresh(config);
    const Pose small = smallEnd;
    const FaceObservation obs = fresh.process(render(&bigEnd, &small), 0.0);
    QVERIFY(distance(centreOf(obs.box), small.centre) < 0.15 * kPhotoFaceSize * small.scale);
}

void TstFace::resetSearchesAgain()
{
    FaceTracker tracker;
    const cv::Mat frame = renderFace(Pose());
    QCOMPARE(tracker.process(frame, 0.0).state, FaceState::Detected);
    QCOMPARE(tracker.process(frame, 1 / kFps).state, FaceState::Tracked);
    tracker.reset();
    // After a seek the clock restarts; the first frame is searched at once.
    QCOMPARE(tracker.process(frame, 0.0).state, FaceState::Detected);
}

void TstFace::rejectsBadFrames()
{
    FaceTracker tracker;
    QCOMPARE(tracker.process(cv::Mat(), 0.0).state, FaceState::NoFace);
    cv::Mat grey;
    cv::cvtColor(renderFace(Pose()), grey, cv::COLOR_BGR2GRAY);
    QCOMPARE(tracker.process(grey, 0.1).state, FaceState::NoFace);
    QCOMPARE(tracker.process(cv::Mat(20, 30, CV_8UC3, cv::Scalar(1, 2, 3)), 0.2).state,
             FaceState::NoFace);
    SkinRoi roi;
    QVERIFY(!roi.measure(cv::Mat(), FaceObservation()).valid);
    QVERIFY(!roi.measure(renderFace(Pose()), FaceObservation()).valid); // no landmarks
}

void TstFace::skinMaskCoversSkinOnly()
{
    cv::RNG rng(4);
    const cv::Mat frame = renderFace(Pose(), &rng);
    const FaceObservation face = settledFace(frame);
    QVERIFY(face.landmarksValid);

    const std::vector<std::vector<cv::Point>> polys = SkinRoi::landmarkPolygons(face);
    QCOMPARE(int(polys.size()), 3);
    for (const std::vector<cv::Point> &poly : polys)
        QVERIFY(poly.size() >= 3);
    QVERIFY(SkinRoi::landmarkPolygons(FaceObservation()).empty());

    SkinRoi roi;
    cv::Mat mask;
    const SkinSample sample = roi.measure(frame, face, &mask);
    QVERIFY(sample.valid);
    QCOMPARE(mask.type(), CV_8UC1);
    QCOMPARE(mask.size(), sample.bounds.size());
    QCOMPARE(cv::countNonZero(mask), sample.pixelCount);
    const double boxArea = face.box.area();
    QVERIFY2(sample.pixelCount > 0.08 * boxArea && sample.pixelCount < 0.5 * boxArea,
             QByteArray::number(sample.pixelCount));

    // Eyes (36-47) and mouth (48-67) are outside the mask.
    const auto inMask = [&](const cv::Point2f &p) {
        const cv::Point q(int(std::lround(p.x)) - sample.bounds.x,
                          int(std::lround(p.y)) - sample.bounds.y);
        return q.x >= 0 && q.y >= 0 && q.x < mask.cols && q.y < mask.rows && mask.at<uchar>(q) != 0;
    };
    for (int i = 36; i <= 67; ++i)
        QVERIFY2(!inMask(face.landmarks[i]), QByteArray::number(i));

    // Each polygon is mostly kept (the forehead loses the fringe of hair).
    const double minKept[3] = {0.3, 0.6, 0.6};
    for (int k = 0; k < 3; ++k) {
        cv::Mat polyMask = cv::Mat::zeros(frame.size(), CV_8UC1);
        cv::fillPoly(polyMask, std::vector<std::vector<cv::Point>>{polys[k]}, cv::Scalar(255));
        const int area = cv::countNonZero(polyMask);
        QVERIFY(area > 100);
        cv::Mat kept = cv::Mat::zeros(frame.size(), CV_8UC1);
        mask.copyTo(kept(sample.bounds));
        const int overlap = cv::countNonZero(kept & polyMask);
        QVERIFY2(overlap > minKept[k] * area,
                 QByteArray::number(k) + ": " + QByteArray::number(double(overlap) / area));
    }

    // The mean is the mean over the mask, in RGB order.
    const cv::Scalar expected = cv::mean(frame(sample.bounds), mask);
    for (int c = 0; c < 3; ++c)
        QVERIFY(std::abs(sample.meanRgb[c] - expected[2 - c]) < 1e-9);
    QVERIFY(sample.meanRgb[0] > sample.meanRgb[2]); // skin: red above blue
}

void TstFace::colourRefineExcludesBlob()
{
    cv::RNG rng(5);
    const cv::Mat frame = renderFace(Pose(), &rng);
    const FaceObservation face = settledFace(frame);
    QVERIFY(face.landmarksValid);
    const std::vector<std::vector<cv::Point>> polys = SkinRoi::landmarkPolygons(face);
    const cv::Rect forehead = cv::boundingRect(polys[0]);
    // A blue sticker in the middle of the forehead.
    const cv::Rect blob(forehead.x + forehead.width * 3 / 8, forehead.y + forehead.height / 2,
                        forehead.width / 4, forehead.height / 3);
    cv::Mat marked = frame.clone();
    cv::rectangle(marked, blob, cv::Scalar(200, 60, 30), cv::FILLED);

    SkinRoi refined;
    cv::Mat mask;
    const SkinSample clean = refined.measure(frame, face);
    const SkinSample sample = refined.measure(marked, face, &mask);
    QVERIFY(sample.valid);
    const cv::Rect blobInMask = (blob - sample.bounds.tl()) & cv::Rect(0, 0, mask.cols, mask.rows);
    QVERIFY(blobInMask.area() > 50);
    QCOMPARE(cv::countNonZero(mask(blobInMask)), 0);
    // Only the sticker went: elsewhere the mask is nearly the one of the clean frame (the
    // sticker shifts the robust colour statistics a little).
    cv::Mat cleanMask;
    refined.measure(frame, face, &cleanMask);
    QCOMPARE(cleanMask.size(), mask.size());
    cleanMask(blobInMask).setTo(cv::Scalar(0));
    const int changed = cv::countNonZero(cleanMask != mask);
    QVERIFY2(changed < 0.08 * clean.pixelCount, QByteArray::number(changed));

    // Without refinement the sticker is part of the region: the test above is meaningful.
    SkinRoiConfig config;
    config.colourRefine = false;
    SkinRoi plain(config);
    cv::Mat plainMask;
    const SkinSample raw = plain.measure(marked, face, &plainMask);
    QVERIFY(cv::countNonZero(plainMask(blobInMask)) > blobInMask.area() / 2);
    QVERIFY(raw.pixelCount > sample.pixelCount);
}

void TstFace::fullFrameAndRectangle_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<QRect>("rect");
    QTest::addColumn<QRect>("expectedBounds");

    QTest::newRow("full frame") << int(RoiMode::FullFrame) << QRect() << QRect(0, 0, 640, 480);
    QTest::newRow("inside") << int(RoiMode::Rectangle) << QRect(100, 50, 200, 120)
                            << QRect(100, 50, 200, 120);
    QTest::newRow("clipped") << int(RoiMode::Rectangle) << QRect(-20, 400, 100, 200)
                             << QRect(0, 400, 80, 80);
    QTest::newRow("outside") << int(RoiMode::Rectangle) << QRect(700, 10, 50, 50) << QRect();
    QTest::newRow("empty") << int(RoiMode::Rectangle) << QRect(10, 10, 0, 5) << QRect();
}

void TstFace::fullFrameAndRectangle()
{
    QFETCH(int, mode);
    QFETCH(QRect, rect);
    QFETCH(QRect, expectedBounds);
    cv::RNG rng(6);
    const cv::Mat frame = renderFace(Pose(), &rng);
    SkinRoiConfig config;
    config.mode = RoiMode(mode);
    config.rect = cv::Rect(rect.x(), rect.y(), rect.width(), rect.height());
    SkinRoi roi(config);
    cv::Mat mask;
    const SkinSample sample = roi.measure(frame, FaceObservation(), &mask);
    const cv::Rect bounds(expectedBounds.x(), expectedBounds.y(), expectedBounds.width(),
                          expectedBounds.height());
    QCOMPARE(sample.valid, !bounds.empty());
    if (!sample.valid)
        return;
    QCOMPARE(sample.bounds, bounds);
    QCOMPARE(sample.pixelCount, bounds.area());
    const cv::Scalar expected = cv::mean(frame(bounds));
    QCOMPARE(sample.meanRgb[0], expected[2]);
    QCOMPARE(sample.meanRgb[1], expected[1]);
    QCOMPARE(sample.meanRgb[2], expected[0]);
    QCOMPARE(mask.size(), bounds.size());
    QCOMPARE(cv::countNonZero(mask), bounds.area());
}

void TstFace::meanFollowsBrightness()
{
    cv::RNG rng(8);
    // 5 % darker than the photo: its brightest cheek pixels would otherwise clip at 255 when
    // brightened, and clipped pixels are left out by design.
    cv::Mat frame;
    renderFace(Pose(), &rng).convertTo(frame, -1, 0.95);
    const FaceObservation face = settledFace(frame);
    QVERIFY(face.landmarksValid);
    cv::Mat brighter;
    frame.convertTo(brighter, -1, 1.01);
    SkinRoi roi;
    const SkinSample base = roi.measure(frame, face);
    const SkinSample lit = roi.measure(brighter, face);
    QVERIFY(base.valid && lit.valid);
    // The colour limits scale with the skin, so the mask barely changes; the few pixels that
    // cross a limit on rounding shift the mean by well under a tenth of the change.
    for (int c = 0; c < 3; ++c) {
        const double ratio = lit.meanRgb[c] / base.meanRgb[c];
        QVERIFY2(std::abs(ratio - 1.01) < 0.002,
                 QByteArray::number(c) + ": " + QByteArray::number(ratio, 'f', 5));
    }
}

// Measured, not asserted: RPPG_BENCH=1 tst_face benchmarkThroughput
void TstFace::benchmarkThroughput()
{
    if (qgetenv("RPPG_BENCH") != "1")
        QSKIP("set RPPG_BENCH=1 to run the throughput benchmark");
    constexpr int kFrames = 300;
    // The budget is for one core: no OpenCV worker threads.
    const int threads = cv::getNumThreads();
    cv::setNumThreads(1);
    const auto restoreThreads = qScopeGuard([threads] { cv::setNumThreads(threads); });
    FaceTracker tracker;
    QVERIFY(!tracker.init().isError());
    SkinRoi roi;
    cv::RNG rng(9);
    qint64 trackNs = 0, roiNs = 0, worstNs = 0;
    int found = 0, detected = 0;
    QElapsedTimer timer;
    for (int i = 0; i < kFrames; ++i) {
        const double t = i / kFps;
        Pose pose;
        pose.centre += cv::Point2f(float(25 * std::sin(0.7 * t)), float(10 * std::sin(0.45 * t)));
        pose.angleDeg = 4 * std::sin(0.5 * t);
        pose.scale = 1.25 * (1 + 0.04 * std::sin(0.3 * t));
        const cv::Mat frame = renderFace(pose, &rng);
        timer.start();
        const FaceObservation obs = tracker.process(frame, t);
        const qint64 trackedNs = timer.nsecsElapsed();
        const SkinSample sample = roi.measure(frame, obs);
        const qint64 totalNs = timer.nsecsElapsed();
        trackNs += trackedNs;
        roiNs += totalNs - trackedNs;
        if (i > 0) // the first frame includes the one-off full-frame search at two scales
            worstNs = std::max(worstNs, totalNs);
        found += sample.valid;
        detected += obs.state == FaceState::Detected;
    }
    qInfo("FaceTracker+SkinRoi 640x480: %.3f ms/frame (tracker %.3f, roi %.3f, worst %.2f ms), "
          "%d/%d valid, %d detections",
          (trackNs + roiNs) / 1e6 / kFrames, trackNs / 1e6 / kFrames, roiNs / 1e6 / kFrames,
          worstNs / 1e6, found, kFrames, detected);
    QCOMPARE(found, kFrames);
}

QTEST_GUILESS_MAIN(TstFace)
#include "tst_face.moc"
