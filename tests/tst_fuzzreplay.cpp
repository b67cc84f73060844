// Replays the inputs the fuzzers found (tests/fuzz-regressions/<target>/) through the same checks
// as the fuzz targets (fuzz/replay.h), in the normal build and, in CI, under ASan + UBSan. Each
// finding also gets its own assertion about the outcome its fix promises.

#include "offlineanalyzer.h"
#include "replay.h"

#include <QDir>
#include <QTest>

using namespace rppg;

namespace {

QStringList regressionFiles(const QString &target)
{
    QDir dir(QStringLiteral(RPPG_FUZZ_REGRESSIONS "/") + target);
    QStringList files;
    for (const QString &f : dir.entryList(QDir::Files, QDir::Name))
        files << dir.filePath(f);
    return files;
}

} // namespace

class TstFuzzReplay : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void video()
    {
        const QStringList files = regressionFiles(QStringLiteral("video"));
        QVERIFY(!files.isEmpty());
        for (const QString &path : files) {
            const std::string failure = fuzz::checkVideoFile(path);
            QVERIFY2(failure.empty(), qPrintable(QFileInfo(path).fileName() + QStringLiteral(": ") + QString::fromStdString(failure)));
        }
    }

    void csv()
    {
        const QStringList files = regressionFiles(QStringLiteral("csv"));
        if (files.isEmpty())
            QSKIP("no fuzz_csv findings to replay (10 minutes of fuzzing found none)");
        for (const QString &path : files)
            for (double rate : {0.0, 15.0, 30.0, 45.0}) {
                const std::string failure = fuzz::checkReferenceFile(path, rate);
                QVERIFY2(failure.empty(), qPrintable(QFileInfo(path).fileName() + QStringLiteral(": ") + QString::fromStdString(failure)));
            }
    }

    // fuzz_video finding 1: an MP4 whose H.264 track has parameter sets with an impossible picture
    // size (63085×25705) and no sample the demuxer can deliver. It opens with the size unknown (0,
    // set from the first decoded frame otherwise), reading ends cleanly, and the analysis fails with
    // a defined error. (The fuzz target itself was wrong here: it required a known size at open.)
    void h264ImpossiblePictureSize()
    {
        const QString path = QStringLiteral(RPPG_FUZZ_REGRESSIONS "/video/h264-impossible-picture-size.bin");
        VideoFileSource source;
        QVERIFY(!source.open(path).isError());
        QCOMPARE(source.info().width, 0);
        QCOMPARE(source.info().height, 0);
        VideoFrame frame;
        QCOMPARE(source.read(frame), ReadStatus::EndOfStream);
        QCOMPARE(source.read(frame), ReadStatus::EndOfStream);
        auto r = analyzeFile(path, AnalysisConfig{});
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::NoFrames);
    }
};

QTEST_GUILESS_MAIN(TstFuzzReplay)
#include "tst_fuzzreplay.moc"
