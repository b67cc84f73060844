// LiveRecorder: the rows of a live session stream to "<path>.part" and are flushed about every
// second, finish() replaces the target in one step, and a process killed mid-recording leaves a
// ".part" file that holds everything up to the last flush.

#include "liverecorder.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <cmath>
#include <cstdio>

using namespace rppg;

namespace {

constexpr double kFs = 30.0;
constexpr double kHz = 1.2;   // 72 bpm

double truePulse(double t) { return std::sin(2 * M_PI * kHz * t); }

// The update the live analyser would send when the newest frame is at `endSec`: the last 20 s of
// the pulse on the 30 Hz grid (the grid is anchored at 0, as the analyser's is), and an estimate.
LiveUpdate makeUpdate(uint64_t generation, double endSec)
{
    LiveUpdate u;
    u.generation = generation;
    u.timeSec = endSec;
    u.fsHz = kFs;
    const int64_t last = int64_t(std::floor(endSec * kFs + 1e-9));
    const int64_t first = std::max<int64_t>(0, last - int64_t(20 * kFs));
    u.pulseT0Sec = double(first) / kFs;
    for (int64_t k = first; k <= last; ++k)
        u.pulse.push_back(truePulse(double(k) / kFs));
    if (endSec >= 10) {
        u.hrBpm = 60 * kHz;
        u.snrDb = 6.5;
        u.quality = Quality::Good;
    }
    if (endSec >= 20) {   // a breathing rate once there are beats enough; trusted from 25 s
        u.breathing.ratePerMin = 14.5;
        u.breathing.quality = endSec >= 25 ? Quality::Good : Quality::Low;
    }
    return u;
}

struct Row
{
    int segment = -1;
    double t = 0, pulse = 0, hr = NAN, breaths = NAN;
    QString quality, breathingQuality, reason;
};

// Parses a recording; a torn last line (a crash in the middle of a write) is dropped.
QList<Row> readRows(const QString &path, bool *headerOk = nullptr)
{
    QList<Row> rows;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return rows;
    const QList<QByteArray> lines = f.readAll().split('\n');
    if (headerOk)
        *headerOk = !lines.isEmpty()
                    && lines.first() == "segment,time_s,pulse,hr_bpm,snr_db,quality,breaths_per_min,breathing_quality,quality_reason";
    for (int i = 1; i + 1 < lines.size(); ++i) {   // the last element follows the final '\n'
        const QList<QByteArray> c = lines[i].split(',');
        if (c.size() != 9)
            break;
        Row r;
        r.segment = c[0].toInt();
        r.t = c[1].toDouble();
        r.pulse = c[2].toDouble();
        r.hr = c[3].isEmpty() ? NAN : c[3].toDouble();
        r.quality = QString::fromLatin1(c[5]);
        r.breaths = c[6].isEmpty() ? NAN : c[6].toDouble();
        r.breathingQuality = QString::fromLatin1(c[7]);
        r.reason = QString::fromLatin1(c[8]);
        rows.append(r);
    }
    return rows;
}

// The child of killedMidRecording: records updates every 0.5 s of wall time (the live rate)
// until it is killed, printing the newest sample time it has handed to the recorder.
int recordUntilKilled(const QString &path)
{
    LiveRecorder rec(1.0);
    if (rec.start(path).isError())
        return 3;
    for (int i = 1;; ++i) {
        const double endSec = 0.5 * i;
        if (rec.add(makeUpdate(1, endSec)).isError())
            return 4;
        std::printf("%.4f\n", std::floor(endSec * kFs + 1e-9) / kFs);
        std::fflush(stdout);
        QThread::msleep(500);
    }
}

} // namespace

class TestLiveRecorder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Why an estimate is low, one word per row: the first check that failed (motion, then the
    // halves, a frozen picture, no witness; the SNR alone otherwise); empty when ok or no estimate.
    void qualityReasonColumn()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("reasons.csv"));
        LiveRecorder rec;
        QVERIFY(!rec.start(path).isError());
        struct Case { double endSec; Quality q; bool motion, unsteady, frozen, unconfirmed; const char *reason; };
        const Case cases[] = {{11, Quality::Good, false, false, false, false, ""},
                              {12, Quality::Low, false, false, false, false, "snr"},
                              {13, Quality::Low, true, false, true, true, "motion"},
                              {14, Quality::Low, false, true, false, true, "inconsistent"},
                              {15, Quality::Low, false, false, true, true, "frozen"},
                              {16, Quality::Low, false, false, false, true, "unconfirmed"},
                              {17, Quality::Good, false, false, false, false, ""}};
        for (const Case &c : cases) {
            LiveUpdate u = makeUpdate(1, c.endSec);
            u.quality = c.q;
            u.motionLocked = c.motion;
            u.unsteady = c.unsteady;
            u.frozen = c.frozen;
            u.unconfirmed = c.unconfirmed;
            QVERIFY(!rec.add(u).isError());
        }
        QVERIFY(!rec.finish().isError());
        bool headerOk = false;
        const QList<Row> rows = readRows(path, &headerOk);
        QVERIFY(headerOk);
        QVERIFY(rows.size() > int(17 * kFs));
        QVERIFY(rows[int(5 * kFs)].reason.isEmpty());   // warming up: no estimate, no reason
        for (const Case &c : cases) {
            // The samples an update first carried: those after the previous update's end.
            const Row &r = rows[int(std::lround((c.endSec - 0.5) * kFs))];
            QCOMPARE(r.quality, qualityName(c.q));
            QCOMPARE(r.reason, QString::fromLatin1(c.reason));
        }
    }

    void rowsFollowThePulseWithoutGapsOrRepeats()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("session.csv"));
        LiveRecorder rec;
        QVERIFY(!rec.start(path).isError());
        QVERIFY(rec.isRecording());
        // Updates every 0.5 s for 30 s, then one update skipped (the display was busy).
        for (int i = 1; i <= 60; ++i)
            QVERIFY(!rec.add(makeUpdate(7, 0.5 * i)).isError());
        QVERIFY(!rec.add(makeUpdate(7, 31.5)).isError());
        QVERIFY(!QFile::exists(path));   // nothing at the target until finish()
        QVERIFY(!rec.finish().isError());
        QVERIFY(!rec.isRecording());
        QVERIFY(!QFile::exists(LiveRecorder::partPathFor(path)));

        bool headerOk = false;
        const QList<Row> rows = readRows(path, &headerOk);
        QVERIFY(headerOk);
        QCOMPARE(rows.size(), int(31.5 * kFs) + 1);   // t = 0 … 31.5 s, one row per sample
        QCOMPARE(rec.rowsWritten(), int64_t(rows.size()));
        for (int k = 0; k < rows.size(); ++k) {
            QCOMPARE(rows[k].segment, 0);
            QVERIFY2(std::abs(rows[k].t - k / kFs) < 1e-3, qPrintable(QString::number(rows[k].t)));
            QVERIFY(std::abs(rows[k].pulse - truePulse(k / kFs)) < 1e-5);
        }
        // The estimate column: empty while warming up (before 10 s), then the live value.
        QVERIFY(std::isnan(rows[int(5 * kFs)].hr));
        QCOMPARE(rows.last().hr, 72.0);
        QCOMPARE(rows.last().quality, QStringLiteral("ok"));
        // The breathing columns likewise: empty, then the rate with its own quality.
        QVERIFY(std::isnan(rows[int(15 * kFs)].breaths) && rows[int(15 * kFs)].breathingQuality.isEmpty());
        QCOMPARE(rows[int(19.9 * kFs)].breaths, 14.5);   // first carried by the update at 20 s
        QCOMPARE(rows[int(19.9 * kFs)].breathingQuality, QStringLiteral("low"));
        QCOMPARE(rows.last().breaths, 14.5);
        QCOMPARE(rows.last().breathingQuality, QStringLiteral("ok"));
    }

    void newSessionStartsASegment()
    {
        // A seek back to 3 s starts a new analysis session: its rows are kept, in a new segment.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("seek.csv"));
        LiveRecorder rec;
        QVERIFY(!rec.start(path).isError());
        QVERIFY(!rec.add(makeUpdate(1, 8.0)).isError());
        QVERIFY(!rec.add(makeUpdate(2, 3.0)).isError());
        QVERIFY(!rec.add(makeUpdate(2, 3.5)).isError());
        QVERIFY(!rec.finish().isError());
        const QList<Row> rows = readRows(path);
        const int first = int(8 * kFs) + 1, second = int(3.5 * kFs) + 1;
        QCOMPARE(rows.size(), first + second);
        QCOMPARE(rows[first - 1].segment, 0);
        QCOMPARE(rows[first].segment, 1);
        QVERIFY(std::abs(rows[first].t) < 1e-6);
        QVERIFY(std::abs(rows.last().t - 3.5) < 1e-3);
    }

    // Methods compared live when the recording starts: a column pair each, holding their newest
    // estimate; empty in a segment where the method is not compared any more.
    void comparedMethodColumns()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("compared.csv"));
        LiveRecorder rec;
        QVERIFY(!rec.start(path, {QStringLiteral("chrom"), QStringLiteral("stven+rppgnet")}).isError());
        const auto withCompare = [](uint64_t generation, double endSec, bool both) {
            LiveUpdate u = makeUpdate(generation, endSec);
            // Values that say when they were made: 100 + the update's time.
            u.compare.push_back(LiveMethodEstimate{QStringLiteral("stven+rppgnet"), QStringLiteral("CPU"),
                                                   100 + endSec, 2.5, Quality::Good, {}});
            if (both)
                u.compare.push_back(LiveMethodEstimate{QStringLiteral("chrom"), QStringLiteral("CPU"),
                                                       200 + endSec, kNaN, Quality::NoSignal, {}});
            return u;
        };
        QVERIFY(!rec.add(withCompare(1, 1.0, true)).isError());
        QVERIFY(!rec.add(withCompare(1, 2.0, true)).isError());
        QVERIFY(!rec.add(withCompare(2, 1.0, false)).isError());   // a new session without CHROM
        QVERIFY(!rec.finish().isError());
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = f.readAll().split('\n');
        QCOMPARE(lines.first(), QByteArray("segment,time_s,pulse,hr_bpm,snr_db,quality,breaths_per_min,breathing_quality,"
                                           "quality_reason,hr_bpm_chrom,snr_db_chrom,hr_bpm_stven+rppgnet,snr_db_stven+rppgnet"));
        int checked = 0;
        for (int i = 1; i + 1 < lines.size(); ++i) {
            const QList<QByteArray> c = lines[i].split(',');
            QCOMPARE(c.size(), 13);
            const int segment = c[0].toInt();
            const double t = c[1].toDouble();
            // The update that first carried this sample: the one ending at ceil(t) (1 s, 2 s).
            const double end = t <= 1.0 + 1e-6 ? 1.0 : 2.0;
            if (segment == 0) {
                QCOMPARE(c[9].toDouble(), 200 + end);
                QVERIFY(c[10].isEmpty());   // no SNR: empty, not "nan"
                QCOMPARE(c[11].toDouble(), 100 + end);
                QCOMPARE(c[12].toDouble(), 2.5);
            } else {
                QVERIFY(c[9].isEmpty() && c[10].isEmpty());
                QCOMPARE(c[11].toDouble(), 101.0);
            }
            ++checked;
        }
        QCOMPARE(checked, int(2 * kFs) + 1 + int(kFs) + 1);
    }

    void replacesThePreviousFileOnlyWhenComplete()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("keep.csv"));
        QFile old(path);
        QVERIFY(old.open(QIODevice::WriteOnly));
        old.write("previous export\n");
        old.close();
        LiveRecorder rec(0);   // flush on every update
        QVERIFY(!rec.start(path).isError());
        QVERIFY(!rec.add(makeUpdate(1, 2.0)).isError());
        // While recording, the old file is untouched and the part file already holds the rows.
        QFile check(path);
        QVERIFY(check.open(QIODevice::ReadOnly));
        QCOMPARE(check.readAll(), QByteArray("previous export\n"));
        QCOMPARE(readRows(LiveRecorder::partPathFor(path)).size(), int(2 * kFs) + 1);
        QVERIFY(!rec.finish().isError());
        QCOMPARE(readRows(path).size(), int(2 * kFs) + 1);
    }

    void interruptedRecordingIsKeptAside()
    {
        // A ".part" file left by a crash is moved aside, never truncated by the next recording.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("session.csv"));
        const QByteArray crashed("segment,time_s,pulse,hr_bpm,snr_db,quality,breaths_per_min,breathing_quality\n0,0.000,0.1,,,,,\n");
        for (int round = 0; round < 2; ++round) {
            QFile part(LiveRecorder::partPathFor(path));
            QVERIFY(part.open(QIODevice::WriteOnly));
            part.write(crashed);
            part.close();
            LiveRecorder rec(0);
            QVERIFY(!rec.start(path).isError());
            const QString expected = dir.filePath(round == 0 ? QStringLiteral("session.recovered.csv")
                                                             : QStringLiteral("session.recovered-2.csv"));
            QCOMPARE(rec.recoveredPath(), expected);
            QFile kept(expected);
            QVERIFY(kept.open(QIODevice::ReadOnly));
            QCOMPARE(kept.readAll(), crashed);
            QVERIFY(!rec.add(makeUpdate(1, 1.0)).isError());
            QVERIFY(!rec.finish().isError());
            QCOMPARE(readRows(path).size(), int(kFs) + 1);
        }
        LiveRecorder clean;
        QVERIFY(!clean.start(path).isError());
        QVERIFY(clean.recoveredPath().isEmpty());
        QVERIFY(!clean.finish().isError());
    }

    void badPathsFailCleanly()
    {
        QTemporaryDir dir;
        LiveRecorder rec;
        QCOMPARE(rec.start(QString()).code, ErrorCode::Usage);
        const Error e = rec.start(dir.filePath(QStringLiteral("no/such/folder/x.csv")));
        QCOMPARE(e.code, ErrorCode::WriteFailed);
        QVERIFY(!e.message.contains(QLatin1Char('\n')));
        QVERIFY(!rec.isRecording());
        QVERIFY(!rec.add(makeUpdate(1, 1.0)).isError());   // ignored, nothing open
        QVERIFY(!rec.finish().isError());
        // The target is a folder: the rows still stream, the final move fails and keeps them.
        const QString folder = dir.filePath(QStringLiteral("folder.csv"));
        QVERIFY(QDir().mkpath(folder + QStringLiteral("/inside")));
        QVERIFY(!rec.start(folder).isError());
        QVERIFY(!rec.add(makeUpdate(1, 1.0)).isError());
        QCOMPARE(rec.finish().code, ErrorCode::WriteFailed);
        QCOMPARE(readRows(LiveRecorder::partPathFor(folder)).size(), int(kFs) + 1);
    }

    void killedMidRecording()
    {
        // A real crash: the child records at the live rate and is killed with SIGKILL after about
        // 4 s. Its ".part" file must hold every sample up to the last flush: at most the flush
        // interval (1 s) plus one update (0.5 s) behind what the child had handed over.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("crash.csv"));
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("RPPG_RECORDER_CHILD"), path);
        child.setProcessEnvironment(env);
        child.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY(child.waitForStarted(10000));
        QByteArray out;
        double handed = 0;
        QElapsedTimer timer;
        timer.start();
        while (handed < 4.0 && timer.elapsed() < 60000) {
            child.waitForReadyRead(1000);
            out += child.readAllStandardOutput();
            const QList<QByteArray> lines = out.trimmed().split('\n');
            handed = lines.last().toDouble();
        }
        QVERIFY2(handed >= 4.0, out.constData());
        child.kill();
        QVERIFY(child.waitForFinished(10000));
        out += child.readAllStandardOutput();   // anything printed just before the kill
        handed = out.trimmed().split('\n').last().toDouble();

        QVERIFY(!QFile::exists(path));
        bool headerOk = false;
        const QList<Row> rows = readRows(LiveRecorder::partPathFor(path), &headerOk);
        QVERIFY(headerOk);
        QVERIFY(!rows.isEmpty());
        const double kept = rows.last().t;
        QVERIFY2(kept >= handed - 1.5 - 1e-6,
                 qPrintable(QStringLiteral("kept up to %1 s of %2 s").arg(kept).arg(handed)));
        for (int k = 0; k < rows.size(); ++k)
            QVERIFY(std::abs(rows[k].t - k / kFs) < 1e-3);
        qInfo("killed at %.2f s of recording; the part file kept %.2f s", handed, kept);
    }
};

int main(int argc, char **argv)
{
    if (const QString child = qEnvironmentVariable("RPPG_RECORDER_CHILD"); !child.isEmpty())
        return recordUntilKilled(child);
    QCoreApplication app(argc, argv);
    TestLiveRecorder t;
    return QTest::qExec(&t, argc, argv);
}

#include "tst_liverecorder.moc"
