#pragma once

// Main window of rPPG Studio: dock widgets for the input video (face box, skin region), the
// STVEN-enhanced frames, the skin/attention overlay, the scrolling pulse waveform with beats, the
// heart-rate trend with quality shading, the large heart-rate readout and the controls; a
// transport bar (play/pause, seek, progress) and a status bar (processing fps, dropped frames,
// device, method/model).
//
// Thread affinity: GUI thread. Decoding runs on the FilePlayer's thread, camera frames are
// converted on the pool, analysis runs on the LiveAnalyzer's worker; their results arrive as
// queued signals and are drawn by a ~30 Hz timer. Exports run on the pool. The window never waits
// on a worker except when it closes (to stop them cleanly).
// Units: seconds of media time, Hz, beats per minute, decibels.

#include "groundtruth.h"
#include "liveanalyzer.h"
#include "liverecorder.h"
#include "settings.h"

#include <QFutureWatcher>
#include <QMainWindow>

#include <map>
#include <optional>

class QAction;
class QActionGroup;
class QCheckBox;
class QComboBox;
class QCPBars;
class QCPGraph;
class QCPItemRect;
class QCPItemText;
class QCustomPlot;
class QDockWidget;
class QDoubleSpinBox;
class QLabel;
class QMenu;
class QProgressBar;
class QPushButton;
class QSlider;
class QTimer;
class QToolButton;
class QVideoSink;

namespace rppg {

class CameraSource;
class FilePlayer;
class ImageView;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Opens a video file and starts analysing it (File → Open, drag and drop, command line).
    void openFile(const QString &path);
    void openSample();
    // Starts the camera chosen in the controls; shows a message when there is none.
    void startCamera();
    // Feeds frames delivered to `sink` through the live (camera) path; for tests and demos.
    void startSinkSource(QVideoSink *sink);
    void stopSource();
    void setPlaying(bool playing);
    bool isPlaying() const;
    void seek(double timeSec);        // files: jump and analyse from there (a new session)
    double positionSec() const;       // media time of the newest decoded frame
    void setPlaybackMode(PlaybackMode mode);

    // Analysis controls, as the widgets set them (the change restarts the analysis).
    void setMethod(const QString &method);
    QString method() const;
    void setWindowSec(double sec);
    // Other methods run live beside the main one on the same frames (Analysis → Compare with):
    // each has its curve in the trend plot and a line in the readout (heart rate, SNR, and the
    // mean absolute error against a loaded reference). Unknown names are ignored.
    void setCompareMethods(const QStringList &methods);
    QStringList compareMethods() const;   // as checked (the main method among them is skipped)
    QString compareText() const;          // the readout's comparison lines, as plain text
    int compareTrendPointCount(const QString &method) const;   // finite points of its curve
    // Analysis → "Check networks against POS and GREEN" (AnalysisConfig::witnessMethods and the
    // octave check); on by default, remembered, enabled while a network runs.
    void setWitnessChecks(bool on);
    bool witnessChecks() const;
    bool witnessChecksEnabled() const;
    // Analysis → "Check classical methods too" (AnalysisConfig::witnessClassical): each classical
    // method against the other of POS and GREEN; usable while the network check is on.
    void setWitnessClassical(bool on);
    bool witnessClassical() const;
    bool witnessClassicalEnabled() const;   // the box can be used (a network is the main or a compared method)

    void setOverlayVisible(bool visible);
    bool overlayVisible() const;        // the toggle
    bool overlayShown() const;          // an overlay is drawn right now (toggle on and data)

    // Exports (on the pool; each ends with exportFinished). Formats by file suffix for plots:
    // .png or .pdf.
    void exportCsv(const QString &path);
    void exportPlots(const QString &path);
    void exportSnapshot(const QString &path);
    // Streams the live session to CSV as it runs (File → Record session), flushed about every
    // second; stopRecording() moves the file into place (see core/liverecorder.h).
    bool startRecording(const QString &path);
    void stopRecording();
    bool isRecording() const { return m_recorder.isRecording(); }

    // The true heart rate drawn beside the estimate (trend plot and readout, with the error): the
    // reference beside an opened video (its <stem>.gt.csv, or UBFC-rPPG's ground_truth.txt or
    // gtdump.xmp in its folder; see findVideoReference) is found by itself; File → Load reference
    // takes any file loadVideoReference() reads (those, time/HR columns or a PPG recording). A new
    // file or the camera drops it. False, with a message, for a file that cannot be used.
    bool loadReference(const QString &path);
    void clearReference();
    bool hasReference() const { return m_reference.has_value(); }
    int referencePointCount() const { return int(m_refX.size()); }
    QString referenceText() const;
    double referenceMaeBpm() const;     // mean |estimate - reference| over the session's estimates

    // What the window shows, for tests and scripts.
    LiveUpdatePtr lastUpdate() const { return m_shownUpdate; }
    QString hrText() const;
    QString hrvText() const;         // the readout's HRV line ("HRV: SDNN …", "HRV: uncertain" or empty)
    QString breathingText() const;   // the readout's breathing line
    QString stateText() const;
    QString messageText() const;
    int waveformPointCount() const;
    // Width of the band that marks the method's output lag at the waveform's end (0: not shown).
    double waveformLagShownSec() const;
    int trendPointCount() const;
    bool hasVideoFrame() const;
    int64_t framesDrawn() const { return m_framesDrawn; }   // video frames put on screen so far

Q_SIGNALS:
    // The opened file has been analysed to its end (or could not be opened).
    void analysisFinished();
    // A new live estimate is on screen.
    void updateShown();
    void exportFinished(bool succeeded, const QString &path, const QString &message);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    enum class SourceKind { None, File, Camera };

    void buildActions();
    void buildDocks();
    QWidget *buildControls();
    QWidget *buildReadout();
    void buildStatusBar();
    void restoreLayout();
    void rebuildRecentMenu();
    void refreshCameras();
    void refreshFormats();
    LiveConfig configFromControls() const;
    void scheduleApply();
    void applyConfig();
    void onFrame(LiveFramePtr frame);
    void onUpdate(LiveUpdatePtr update);
    void onAnalyzerError(const QString &message);
    void redraw();
    void drawFrame();
    void drawUpdate();
    void extendReferenceCurve(const LiveUpdate &u);
    void resetReferenceCurve();
    // The reference heart rate over the window ending at `endSec` (cached per session).
    double referenceAt(double endSec, double windowSec);
    void drawTransport();
    void clearDisplays();
    void showMessage(const QString &text, bool error);
    QString endOfFileText() const;   // the end-of-file message with the typical rate
    void applyPlotStyle();
    void updateControlsForMethod();
    void updateCompareButton();
    void drawComparison(const LiveUpdate &u, bool showHr, double *hrLo, double *hrHi);
    void removeCompareGraphs();
    QColor compareColour(int index) const;
    void retirePlayer();
    void startExport(const QString &path, std::function<QString()> job);
    QString chooseExportPath(const QString &title, const QString &filter, const QString &suffix);
    void shutdown();

    Settings m_settings;
    LiveAnalyzer *m_analyzer = nullptr;
    FilePlayer *m_player = nullptr;
    CameraSource *m_camera = nullptr;
    SourceKind m_source = SourceKind::None;
    QString m_sourceName;
    uint64_t m_session = 0;
    bool m_shutDown = false;
    bool m_finishedNotified = false;
    int64_t m_framesDrawn = 0;

    LiveFramePtr m_latestFrame, m_shownFrame;
    LiveUpdatePtr m_latestUpdate, m_shownUpdate;
    QTimer *m_redrawTimer = nullptr;
    QTimer *m_applyTimer = nullptr;

    // Docks and views.
    QDockWidget *m_videoDock = nullptr;
    QDockWidget *m_enhancedDock = nullptr;
    QDockWidget *m_overlayDock = nullptr;
    QDockWidget *m_waveDock = nullptr;
    QDockWidget *m_trendDock = nullptr;
    QDockWidget *m_readoutDock = nullptr;
    QDockWidget *m_controlsDock = nullptr;
    ImageView *m_videoView = nullptr;
    ImageView *m_enhancedView = nullptr;
    ImageView *m_overlayView = nullptr;
    QCustomPlot *m_wavePlot = nullptr;
    QCPGraph *m_waveGraph = nullptr;
    QCPGraph *m_beatGraph = nullptr;
    QCPItemRect *m_lagBand = nullptr;    // from the method's newest output to the newest frame
    QCPItemText *m_lagText = nullptr;
    QCustomPlot *m_trendPlot = nullptr;
    QCPGraph *m_trendGraph = nullptr;
    QCPBars *m_goodBars = nullptr;
    QCPBars *m_lowBars = nullptr;
    QCPGraph *m_refGraph = nullptr;
    QList<QCPGraph *> m_compareGraphs;   // one per compared method, in the update's order

    // Reference: the file's values, and per trend point its window's reference HR and the
    // absolute error of the estimate (NaN without one), filled as the trend grows.
    std::optional<HrReference> m_reference;
    QString m_referencePath;
    QString m_videoPath;   // the opened file (a reference without a time axis spans it)
    QVector<double> m_refX, m_refY, m_refErr;
    std::map<double, double> m_refCache;   // window end → reference HR

    // Readout.
    QLabel *m_hrLabel = nullptr;
    QLabel *m_unitLabel = nullptr;
    QLabel *m_stateLabel = nullptr;
    QLabel *m_qualityLabel = nullptr;
    QLabel *m_breathingLabel = nullptr;
    QLabel *m_hrvLabel = nullptr;
    QLabel *m_referenceLabel = nullptr;
    QLabel *m_compareLabel = nullptr;
    QString m_compareText;
    QProgressBar *m_warmupBar = nullptr;

    // Controls.
    QComboBox *m_cameraCombo = nullptr;
    QComboBox *m_formatCombo = nullptr;
    QPushButton *m_cameraButton = nullptr;
    QComboBox *m_playbackCombo = nullptr;
    QComboBox *m_methodCombo = nullptr;
    QToolButton *m_compareButton = nullptr;
    QMenu *m_compareMenu = nullptr;
    QDoubleSpinBox *m_windowSpin = nullptr;
    QDoubleSpinBox *m_bandLowSpin = nullptr;
    QDoubleSpinBox *m_bandHighSpin = nullptr;
    QComboBox *m_deviceCombo = nullptr;
    QCheckBox *m_witnessCheck = nullptr;
    QCheckBox *m_witnessClassicalCheck = nullptr;
    QCheckBox *m_overlayCheck = nullptr;
    QSlider *m_opacitySlider = nullptr;
    QComboBox *m_overlayKindCombo = nullptr;
    QLabel *m_messageLabel = nullptr;

    // Transport.
    QAction *m_playAction = nullptr;
    QSlider *m_seekSlider = nullptr;
    QLabel *m_timeLabel = nullptr;
    QProgressBar *m_progressBar = nullptr;
    bool m_seeking = false;
    int m_playIconPlaying = -1;   // which symbol the play action shows (-1: to be drawn)

    // Status bar.
    QLabel *m_fpsLabel = nullptr;
    QLabel *m_droppedLabel = nullptr;
    QLabel *m_deviceLabel = nullptr;
    QLabel *m_methodLabel = nullptr;

    QMenu *m_recentMenu = nullptr;
    QActionGroup *m_playbackGroup = nullptr;
    QAction *m_realTimeAction = nullptr;
    QAction *m_fastAction = nullptr;
    QByteArray m_defaultState;
    QString m_startupNote;   // a setting that could not be used, shown once the window is built

    QList<QFutureWatcher<QString> *> m_exports;
    LiveRecorder m_recorder;
    QAction *m_recordAction = nullptr;
    QLabel *m_recordLabel = nullptr;
};

} // namespace rppg
