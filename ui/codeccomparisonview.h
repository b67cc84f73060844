#pragma once

// The codec comparison view ("Tools → Compare codecs…"): runs the codec study engine on a video
// (re-encodes it with the chosen codecs and bit rates, compares and analyses every variant) and
// shows the result: the same frame from every variant side by side with one scrubbing slider and a
// face zoom, PSNR/SSIM per variant and per frame, the variants' pulse waveforms overlaid, a
// sortable table of heart rate and heart-rate error per variant and method, and an export of the
// HTML report the command line writes.
//
// Thread affinity: GUI thread. The study, frame decoding for scrubbing, STVEN enhancement and the
// report export run on the global thread pool (QtConcurrent) and report back through
// QFutureWatcher signals; only immutable values (shared results, images) cross threads. The view
// displays and controls; the numbers come from core's codec study.
// Units: bit rates in bits per second (shown as kb/s), PSNR in dB, heart rate in beats per minute.

#include <QFutureWatcher>
#include <QImage>
#include <QStringList>
#include <QWidget>

#include <atomic>
#include <memory>
#include <vector>

class QAbstractItemModel;
class QCheckBox;
class QComboBox;
class QCPItemStraightLine;
class QCustomPlot;
class QGridLayout;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSlider;
class QSortFilterProxyModel;
class QTableView;
class QTemporaryDir;
class QTimer;
class QToolButton;

namespace rppg {

struct AnalysisConfig;
struct CodecStudyResult;
struct CodecStudyConfig;

namespace codecview {
class FrameTile;
class ResultsModel;
class DecoderSet;
struct StudyOutcome;
struct FrameBatch;
struct StvenOutcome;
struct ProgressState;
struct ExportOutcome;
} // namespace codecview

class CodecComparisonView : public QWidget
{
    Q_OBJECT
public:
    explicit CodecComparisonView(QWidget *parent = nullptr);
    ~CodecComparisonView() override;

    // The video open in the main window: offered as "current video" and selected as the source.
    void setSourceVideo(const QString &path);
    QString sourceVideo() const;   // the source the next comparison uses

    // The study settings, also editable in the view (for the main window, scripts and tests).
    void setCodecs(const QStringList &codecs);   // "x264", "x265", "mpeg4"
    void setBitrates(const QString &list);       // "250k, 500k, 1000k"
    void setMethods(const QStringList &methods); // registry names, e.g. "pos"
    // How every variant is analysed: window, band, device, network checks (the main window passes
    // its own; the default is AnalysisConfig's). The method in it is ignored.
    void setAnalysisConfig(const AnalysisConfig &config);
    AnalysisConfig analysisConfig() const;

    // Starts a comparison in the background (the "Compare" button). Problems with the settings
    // are shown in the view's message line and end in comparisonFinished(false).
    void startComparison();
    // Asks the running comparison to stop (the "Cancel" button); it ends with
    // comparisonFinished(false) and leaves no files behind.
    void cancelComparison();
    bool isRunning() const;

    // Scrubbing: the frame shown in every tile (0-based index into the source's frames).
    int frameCount() const;
    int currentFrame() const;
    void setCurrentFrame(int index);
    // The picture a tile shows now: 0 = the original, 1..n = the variants in the study's order,
    // n + 1 = the STVEN-enhanced worst variant. A null image when the tile shows none.
    QImage shownImage(int tile) const;
    // The STVEN tile is being computed (or will be again once the running one stops).
    bool isEnhancing() const;

    // Writes the HTML report and its tables and figures (as `rppg compare-codecs`) into `folder`,
    // in the background; ends with reportExported().
    void exportReport(const QString &folder);

    // The folder where the variants of the current comparison are kept for scrubbing; removed
    // with the view.
    QString workFolder() const;
    QAbstractItemModel *resultsModel() const;      // sortable proxy over the HR table
    const CodecStudyResult *result() const;        // nullptr before a comparison succeeded
    QString message() const;                       // the text of the message line (plain)

Q_SIGNALS:
    void comparisonFinished(bool succeeded);
    // Every tile now shows `frameIndex` (after scrubbing or a new result).
    void framesShown(int frameIndex);
    // The STVEN tile is final for now: `shown` when it holds an enhanced face crop, false when it
    // says why it has none (no neural method, or the network failed).
    void enhancedFrameShown(bool shown);
    void reportExported(bool succeeded, const QString &message);

protected:
    void changeEvent(QEvent *event) override;

private:
    enum class State { Idle, Running, Cancelling };
    enum class MessageKind { Info, Success, Error };

    void buildUi();
    QWidget *buildSettingsPanel();
    QWidget *buildResultsPanel();
    void setState(State state);
    void showMessage(MessageKind kind, const QString &html);
    void clearResults();
    void onStudyFinished();
    void onProgressTick();
    void showStudy();
    void buildTiles();
    void updateTileCaptions();
    void fillPsnrPlot();
    void fillWaveformPlot();
    void updateCursors();
    void applyPlotPalette();
    void requestFrame(int index);
    void onFramesFetched();
    void requestStven();
    void onStvenFinished();
    void onExportFinished();
    void applyZoom();
    QString selectedMethod() const;
    int worstVariantIndex() const;
    std::unique_ptr<CodecStudyConfig> configFromUi(QString *error) const;
    QString ensureWorkRoot(QString *error);

    // Settings panel.
    QLineEdit *m_sourceEdit = nullptr;
    QToolButton *m_currentButton = nullptr;
    QToolButton *m_browseButton = nullptr;
    std::vector<QCheckBox *> m_codecBoxes;
    QLineEdit *m_bitratesEdit = nullptr;
    std::vector<QCheckBox *> m_methodBoxes;
    QPushButton *m_runButton = nullptr;
    QPushButton *m_cancelButton = nullptr;
    QProgressBar *m_progressBar = nullptr;
    QPushButton *m_exportButton = nullptr;
    QLabel *m_messageLabel = nullptr;
    QLabel *m_summaryLabel = nullptr;
    QWidget *m_settingsWidgets = nullptr;   // disabled while a comparison runs

    // Results panel.
    QWidget *m_tileHost = nullptr;
    QGridLayout *m_tileGrid = nullptr;
    std::vector<codecview::FrameTile *> m_tiles;   // [0] source, then variants, then STVEN (if any)
    codecview::FrameTile *m_stvenTile = nullptr;
    QSlider *m_frameSlider = nullptr;
    QLabel *m_frameLabel = nullptr;
    QToolButton *m_zoomButton = nullptr;
    QSlider *m_zoomSlider = nullptr;
    QComboBox *m_methodCombo = nullptr;
    QCustomPlot *m_psnrPlot = nullptr;
    QCustomPlot *m_wavePlot = nullptr;
    QCPItemStraightLine *m_psnrCursor = nullptr;   // owned by the plots
    QCPItemStraightLine *m_waveCursor = nullptr;
    QTableView *m_table = nullptr;
    codecview::ResultsModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;

    // State.
    State m_state = State::Idle;
    QString m_currentVideo;
    std::unique_ptr<QTemporaryDir> m_workRoot;
    QString m_runDir;         // this comparison's variants (inside m_workRoot)
    int m_runCounter = 0;
    std::shared_ptr<const CodecStudyResult> m_study;
    std::unique_ptr<AnalysisConfig> m_analysis;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    std::shared_ptr<codecview::ProgressState> m_progress;
    QTimer *m_progressTimer = nullptr;
    QFutureWatcher<std::shared_ptr<codecview::StudyOutcome>> m_studyWatcher;

    std::shared_ptr<codecview::DecoderSet> m_decoders;   // used by one fetch job at a time
    QFutureWatcher<std::shared_ptr<codecview::FrameBatch>> m_fetchWatcher;
    int m_pendingFrame = -1;     // requested while a fetch was running
    int m_shownFrame = -1;
    quint64 m_generation = 0;    // bumped per comparison; stale fetches are dropped

    QFutureWatcher<std::shared_ptr<codecview::StvenOutcome>> m_stvenWatcher;
    std::shared_ptr<std::atomic<bool>> m_stvenCancel;
    bool m_stvenPending = false;

    QFutureWatcher<std::shared_ptr<codecview::ExportOutcome>> m_exportWatcher;
    QString m_messagePlain;
    MessageKind m_messageKind = MessageKind::Info;
};

} // namespace rppg
