#include "mainwindow.h"

#include "analysiscsv.h"
#include "datasets.h"
#include "dsp.h"
#include "camerasource.h"
#include "fileplayer.h"
#include "frameprocessor.h"
#include "i18n.h"
#include "imageview.h"
#include "qcp.h"
#include "resourcepaths.h"
#include "theme.h"

#ifdef RPPG_HAVE_CODEC_VIEW
#include "codeccomparisonview.h"
#endif
#ifdef RPPG_HAVE_ABOUT_DIALOG
#include "aboutdialog.h"
#endif

#include <QActionGroup>
#include <QApplication>
#include <QBuffer>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLoggingCategory>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMimeData>
#include <QMouseEvent>
#include <QPainter>
#include <QPdfWriter>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QSlider>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <cmath>
#include <limits>
#include <utility>
#include <vector>

Q_LOGGING_CATEGORY(lcUi, "rppg.ui")

namespace rppg {

namespace {

constexpr int kRedrawIntervalMs = 33;   // ~30 Hz
constexpr int kApplyDelayMs = 250;      // settle time before a control change restarts analysis
constexpr double kWaveformSpanSec = 15.0;
constexpr double kMinShownLagSec = 0.2;   // a shorter output lag gets no band on the waveform

// The name a method is shown by: its registry title, else its key.
QString methodTitle(const QString &name)
{
    const MethodInfo *info = MethodRegistry::instance().find(name);
    return info && !info->title.isEmpty() ? info->title : name;
}

// A decibel value with one decimal, without a "-0.0" for values that round to zero.
double dbForDisplay(double db)
{
    return std::abs(db) < 0.05 ? 0.0 : db;
}

// One entry of a menu's exclusive choice (playback mode, theme, language): checkable, in `group`,
// `slot` run in `context` when the user picks it.
template <typename Slot>
QAction *addChoice(QMenu *menu, QActionGroup *group, const QString &title, bool checked, QObject *context, Slot slot)
{
    QAction *a = menu->addAction(title);
    a->setCheckable(true);
    a->setChecked(checked);
    group->addAction(a);
    QObject::connect(a, &QAction::triggered, context, std::move(slot));
    return a;
}

// Wraps an immutable BGR frame without copying; the QImage keeps the pixels alive.
QImage toQImage(const cv::Mat &bgr)
{
    if (bgr.empty() || bgr.type() != CV_8UC3)
        return {};
    auto *keep = new cv::Mat(bgr);
    return QImage(keep->data, keep->cols, keep->rows, int(keep->step), QImage::Format_BGR888,
                  [](void *p) { delete static_cast<cv::Mat *>(p); }, keep);
}

// The skin mask (255 = skin) as a tinted, otherwise transparent picture.
QImage maskOverlay(const cv::Mat &mask, QColor tint)
{
    if (mask.empty() || mask.type() != CV_8UC1)
        return {};
    QImage out(mask.cols, mask.rows, QImage::Format_ARGB32_Premultiplied);
    const QRgb on = qPremultiply(tint.rgba());
    for (int y = 0; y < mask.rows; ++y) {
        const uchar *m = mask.ptr<uchar>(y);
        auto *o = reinterpret_cast<QRgb *>(out.scanLine(y));
        for (int x = 0; x < mask.cols; ++x)
            o[x] = m[x] ? on : 0;
    }
    return out;
}

// A 0..1 map as a heat map (dark blue → red → yellow), weaker values more transparent.
QImage heatOverlay(const cv::Mat &map)
{
    if (map.empty() || map.type() != CV_32FC1)
        return {};
    QImage out(map.cols, map.rows, QImage::Format_ARGB32_Premultiplied);
    for (int y = 0; y < map.rows; ++y) {
        const float *m = map.ptr<float>(y);
        auto *o = reinterpret_cast<QRgb *>(out.scanLine(y));
        for (int x = 0; x < map.cols; ++x) {
            const double v = std::clamp(double(m[x]), 0.0, 1.0);
            const QColor c = QColor::fromHsvF(0.66 * (1.0 - v), 1.0, 1.0, 0.25 + 0.75 * v);
            o[x] = qPremultiply(c.rgba());
        }
    }
    return out;
}

// Play and pause symbols in the palette's text colour (the style's standard icons are dark on
// the dark palette).
QIcon transportIcon(bool playing, const QColor &colour)
{
    QPixmap pm(64, 64);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    p.setBrush(colour);
    if (playing) {
        p.drawRoundedRect(QRectF(14, 10, 13, 44), 3, 3);
        p.drawRoundedRect(QRectF(37, 10, 13, 44), 3, 3);
    } else {
        const QPointF tri[] = {{16, 8}, {56, 32}, {16, 56}};
        p.drawPolygon(tri, 3);
    }
    return QIcon(pm);
}

QString formatTime(double sec)
{
    if (!std::isfinite(sec) || sec < 0)
        sec = 0;
    const int s = int(sec);
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

// Writes bytes atomically (temporary file + rename). Returns an error message or "".
QString writeAtomically(const QString &path, const QByteArray &bytes)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit())
        return QCoreApplication::translate("rppg::MainWindow", "Cannot write %1: %2")
            .arg(QDir::toNativeSeparators(path), f.errorString());
    return {};
}

QByteArray encodeImage(const QImage &image, const char *format)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, format);
    return bytes;
}

} // namespace

// ---- construction -------------------------------------------------------------------------------

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    setWindowTitle(tr("rPPG Studio"));
    setObjectName(QStringLiteral("MainWindow"));
    setAcceptDrops(true);
    setDockNestingEnabled(true);
    applyTheme(m_settings.theme());

    m_analyzer = new LiveAnalyzer(this);
    connect(m_analyzer, &LiveAnalyzer::frameReady, this, &MainWindow::onFrame, Qt::QueuedConnection);
    connect(m_analyzer, &LiveAnalyzer::updateReady, this, &MainWindow::onUpdate, Qt::QueuedConnection);
    connect(m_analyzer, &LiveAnalyzer::errorOccurred, this, &MainWindow::onAnalyzerError,
            Qt::QueuedConnection);
    m_camera = new CameraSource(m_analyzer, this);
    connect(m_camera, &CameraSource::errorOccurred, this, [this](const QString &message) {
        showMessage(message, true);
        if (m_source == SourceKind::Camera) {
            m_camera->stop();
            m_source = SourceKind::None;
            m_cameraButton->setText(tr("Start camera"));
        }
    });

    buildDocks();
    connect(m_camera, &CameraSource::camerasChanged, this, &MainWindow::refreshCameras);
    buildActions();
    buildStatusBar();
    refreshCameras();
    updateControlsForMethod();
    applyPlotStyle();

    m_redrawTimer = new QTimer(this);
    m_redrawTimer->setInterval(kRedrawIntervalMs);
    connect(m_redrawTimer, &QTimer::timeout, this, &MainWindow::redraw);
    m_redrawTimer->start();
    m_applyTimer = new QTimer(this);
    m_applyTimer->setSingleShot(true);
    m_applyTimer->setInterval(kApplyDelayMs);
    connect(m_applyTimer, &QTimer::timeout, this, &MainWindow::applyConfig);

    m_session = m_analyzer->start(configFromControls());
    restoreLayout();
    clearDisplays();
    showMessage(tr("Open a video (File → Open, or drop it here), try Help → Open sample, or start a camera."),
                false);
    QStringList notes;
    // Moved aside by whichever Settings read the file first (app/studio_main.cpp reads the
    // language before this window exists).
    if (!Settings::setAsideInThisProcess().isEmpty())
        notes << tr("The settings file could not be read safely; it was moved to %1 and the defaults are used.")
                     .arg(QDir::toNativeSeparators(Settings::setAsideInThisProcess()));
    if (!m_startupNote.isEmpty())
        notes << m_startupNote;
    if (!notes.isEmpty())
        showMessage(notes.join(QLatin1Char(' ')), true);
}

MainWindow::~MainWindow()
{
    shutdown();
}

void MainWindow::buildDocks()
{
    auto makeDock = [this](const QString &title, const QString &name, QWidget *content) {
        auto *dock = new QDockWidget(title, this);
        dock->setObjectName(name);
        dock->setWidget(content);
        dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable
                          | QDockWidget::DockWidgetFloatable);
        return dock;
    };

    m_videoView = new ImageView;
    m_videoView->setPlaceholder(tr("No video. Open a file, drop one here, or start a camera."));
    m_enhancedView = new ImageView;
    m_enhancedView->setPlaceholder(tr("STVEN-enhanced frames appear here when an STVEN method is active."));
    m_overlayView = new ImageView;
    m_overlayView->setPlaceholder(tr("The face crop with its skin region (or rPPGNet's skin and attention maps) appears here."));

    // Pulse waveform with beats.
    m_wavePlot = new QCustomPlot;
    m_wavePlot->setMinimumSize(240, 140);
    m_waveGraph = m_wavePlot->addGraph();
    m_waveGraph->setPen(QPen(QColor(220, 60, 70), 1.6));
    m_beatGraph = m_wavePlot->addGraph();
    m_beatGraph->setLineStyle(QCPGraph::lsNone);
    m_beatGraph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QColor(40, 150, 240),
                                                 QColor(40, 150, 240), 7));
    m_wavePlot->xAxis->setLabel(tr("time (s)"));
    m_wavePlot->yAxis->setLabel(tr("pulse (a.u.)"));
    m_wavePlot->yAxis->setTickLabels(false);
    m_wavePlot->yAxis->setTicks(false);   // arbitrary units: the grid is enough
    // A neural method's output trails the video by up to a clip and a half: a band from its
    // newest value to the newest frame says so instead of leaving a blank.
    m_lagBand = new QCPItemRect(m_wavePlot);
    m_lagBand->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
    m_lagBand->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
    m_lagBand->topLeft->setCoords(0, 0);
    m_lagBand->bottomRight->setCoords(0, 1);
    m_lagBand->setPen(Qt::NoPen);
    m_lagBand->setVisible(false);
    m_lagText = new QCPItemText(m_wavePlot);
    m_lagText->position->setParentAnchor(m_lagBand->top);
    m_lagText->position->setCoords(0, 4);   // pixels below the band's top edge
    m_lagText->setPositionAlignment(Qt::AlignTop | Qt::AlignHCenter);
    m_lagText->setClipToAxisRect(true);
    m_lagText->setVisible(false);

    // Heart-rate trend over quality shading.
    m_trendPlot = new QCustomPlot;
    m_trendPlot->setMinimumSize(240, 140);
    m_goodBars = new QCPBars(m_trendPlot->xAxis, m_trendPlot->yAxis);
    m_lowBars = new QCPBars(m_trendPlot->xAxis, m_trendPlot->yAxis);
    for (QCPBars *bars : {m_goodBars, m_lowBars}) {
        bars->setWidthType(QCPBars::wtPlotCoords);
        bars->setPen(Qt::NoPen);
        bars->setBaseValue(0);
    }
    m_goodBars->setBrush(QColor(60, 190, 90, 45));
    m_lowBars->setBrush(QColor(240, 160, 40, 60));
    m_goodBars->setName(tr("good quality"));
    m_lowBars->setName(tr("low quality"));
    m_trendGraph = m_trendPlot->addGraph();
    m_trendGraph->setPen(QPen(QColor(220, 60, 70), 2));
    m_trendGraph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 3));
    m_trendGraph->setName(tr("heart rate"));
    m_refGraph = m_trendPlot->addGraph();
    m_refGraph->setLineStyle(QCPGraph::lsLine);
    m_refGraph->setVisible(false);
    m_refGraph->removeFromLegend();
    m_trendPlot->xAxis->setLabel(tr("time (s)"));
    m_trendPlot->yAxis->setLabel(tr("heart rate (bpm)"));
    m_trendPlot->legend->setVisible(true);
    m_trendPlot->legend->setFont(QFont(font().family(), std::max(7, font().pointSize() - 1)));
    // Above the plot, in rows of three, so that no curve (compared methods add theirs) hides under it.
    m_trendPlot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_trendPlot->legend->setWrap(3);
    m_trendPlot->axisRect()->insetLayout()->take(m_trendPlot->legend);
    m_trendPlot->plotLayout()->insertRow(0);
    m_trendPlot->plotLayout()->addElement(0, 0, m_trendPlot->legend);
    m_trendPlot->plotLayout()->setRowStretchFactor(0, 0.001);
    m_trendPlot->legend->setMargins(QMargins(4, 4, 4, 2));
    m_trendPlot->yAxis->setRange(40, 140);

    m_videoDock = makeDock(tr("Video"), QStringLiteral("videoDock"), m_videoView);
    m_enhancedDock = makeDock(tr("Enhanced (STVEN)"), QStringLiteral("enhancedDock"), m_enhancedView);
    m_overlayDock = makeDock(tr("Skin / attention"), QStringLiteral("overlayDock"), m_overlayView);
    m_readoutDock = makeDock(tr("Heart rate"), QStringLiteral("readoutDock"), buildReadout());
    m_waveDock = makeDock(tr("Pulse waveform"), QStringLiteral("waveDock"), m_wavePlot);
    m_trendDock = makeDock(tr("Heart-rate trend"), QStringLiteral("trendDock"), m_trendPlot);
    m_controlsDock = makeDock(tr("Controls"), QStringLiteral("controlsDock"), buildControls());

    addDockWidget(Qt::LeftDockWidgetArea, m_controlsDock);
    addDockWidget(Qt::RightDockWidgetArea, m_videoDock);
    splitDockWidget(m_videoDock, m_waveDock, Qt::Vertical);
    splitDockWidget(m_videoDock, m_enhancedDock, Qt::Horizontal);
    splitDockWidget(m_enhancedDock, m_readoutDock, Qt::Horizontal);
    splitDockWidget(m_enhancedDock, m_overlayDock, Qt::Vertical);
    splitDockWidget(m_waveDock, m_trendDock, Qt::Horizontal);
    resizeDocks({m_controlsDock}, {250}, Qt::Horizontal);
    resizeDocks({m_videoDock, m_enhancedDock, m_readoutDock}, {520, 260, 250}, Qt::Horizontal);
    resizeDocks({m_videoDock, m_waveDock}, {420, 260}, Qt::Vertical);
}

QWidget *MainWindow::buildReadout()
{
    auto *w = new QWidget;
    auto *layout = new QVBoxLayout(w);
    m_hrLabel = new QLabel(QStringLiteral("--"));
    m_hrLabel->setAlignment(Qt::AlignCenter);
    QFont big = m_hrLabel->font();
    big.setPointSizeF(big.pointSizeF() * 4.5);
    big.setBold(true);
    m_hrLabel->setFont(big);
    m_unitLabel = new QLabel(tr("beats per minute"));
    m_unitLabel->setAlignment(Qt::AlignCenter);
    m_stateLabel = new QLabel;
    m_stateLabel->setAlignment(Qt::AlignCenter);
    QFont mid = m_stateLabel->font();
    mid.setPointSizeF(mid.pointSizeF() * 1.4);
    mid.setBold(true);
    m_stateLabel->setFont(mid);
    m_qualityLabel = new QLabel;
    m_qualityLabel->setAlignment(Qt::AlignCenter);
    m_qualityLabel->setWordWrap(true);
    m_breathingLabel = new QLabel;
    m_breathingLabel->setAlignment(Qt::AlignCenter);
    m_breathingLabel->setToolTip(tr("Breathing rate from the pulse: breathing changes the time between beats "
                                    "and their strength. Shown when both agree, over the last %1 s.")
                                     .arg(LiveConfig{}.bufferSec, 0, 'f', 0));
    m_hrvLabel = new QLabel;
    m_hrvLabel->setAlignment(Qt::AlignCenter);
    m_hrvLabel->setToolTip(tr("Heart-rate variability over the last %1 s, from the beats: SDNN (spread of the "
                              "intervals) and RMSSD (beat-to-beat change). Shown when the beats are clean and alike; "
                              "compression and motion move them and inflate both.")
                               .arg(LiveConfig{}.bufferSec, 0, 'f', 0));
    m_referenceLabel = new QLabel;
    m_referenceLabel->setAlignment(Qt::AlignCenter);
    m_referenceLabel->setWordWrap(true);
    m_referenceLabel->setVisible(false);
    m_compareLabel = new QLabel;
    m_compareLabel->setAlignment(Qt::AlignCenter);
    m_compareLabel->setTextFormat(Qt::RichText);
    m_compareLabel->setVisible(false);
    m_warmupBar = new QProgressBar;
    m_warmupBar->setRange(0, 100);
    m_warmupBar->setTextVisible(false);
    m_warmupBar->setMaximumHeight(8);
    m_warmupBar->setToolTip(tr("Signal collected towards the first full analysis window"));
    layout->addStretch(1);
    layout->addWidget(m_hrLabel);
    layout->addWidget(m_unitLabel);
    layout->addSpacing(6);
    layout->addWidget(m_stateLabel);
    layout->addWidget(m_warmupBar);
    layout->addWidget(m_qualityLabel);
    layout->addWidget(m_breathingLabel);
    layout->addWidget(m_hrvLabel);
    layout->addWidget(m_referenceLabel);
    layout->addSpacing(4);
    layout->addWidget(m_compareLabel);
    layout->addStretch(1);
    return w;
}

QWidget *MainWindow::buildControls()
{
    auto *w = new QWidget;
    auto *layout = new QVBoxLayout(w);

    // Source.
    auto *source = new QGroupBox(tr("Source"));
    auto *sl = new QVBoxLayout(source);
    auto *openButton = new QPushButton(tr("Open video…"));
    connect(openButton, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open video"), m_settings.lastDirectory(),
            tr("Videos (*.mp4 *.mkv *.avi *.mov *.webm *.m4v *.mpg *.mpeg *.wmv *.flv);;All files (*)"));
        if (!path.isEmpty())
            openFile(path);
    });
    auto *sampleButton = new QPushButton(tr("Open sample"));
    connect(sampleButton, &QPushButton::clicked, this, &MainWindow::openSample);
    auto *row = new QHBoxLayout;
    row->addWidget(openButton);
    row->addWidget(sampleButton);
    sl->addLayout(row);
    auto *playForm = new QFormLayout;
    m_playbackCombo = new QComboBox;
    m_playbackCombo->addItem(tr("Real time"), int(PlaybackMode::RealTime));
    m_playbackCombo->addItem(tr("As fast as possible"), int(PlaybackMode::AsFastAsPossible));
    m_playbackCombo->setCurrentIndex(m_settings.playbackMode() == PlaybackMode::RealTime ? 0 : 1);
    connect(m_playbackCombo, &QComboBox::activated, this, [this](int index) {
        setPlaybackMode(PlaybackMode(m_playbackCombo->itemData(index).toInt()));
    });
    playForm->addRow(tr("Playback:"), m_playbackCombo);
    m_cameraCombo = new QComboBox;
    connect(m_cameraCombo, &QComboBox::currentIndexChanged, this, &MainWindow::refreshFormats);
    m_formatCombo = new QComboBox;
    playForm->addRow(tr("Camera:"), m_cameraCombo);
    playForm->addRow(tr("Format:"), m_formatCombo);
    sl->addLayout(playForm);
    m_cameraButton = new QPushButton(tr("Start camera"));
    connect(m_cameraButton, &QPushButton::clicked, this, [this] {
        if (m_source == SourceKind::Camera)
            stopSource();
        else
            startCamera();
    });
    sl->addWidget(m_cameraButton);
    m_messageLabel = new QLabel;
    m_messageLabel->setWordWrap(true);
    m_messageLabel->setTextFormat(Qt::PlainText);
    sl->addWidget(m_messageLabel);
    layout->addWidget(source);

    // Analysis.
    auto *analysis = new QGroupBox(tr("Analysis"));
    auto *af = new QFormLayout(analysis);
    m_methodCombo = new QComboBox;
    for (const QString &name : MethodRegistry::instance().names()) {
        const MethodInfo *info = MethodRegistry::instance().find(name);
        m_methodCombo->addItem(methodTitle(name), name);
        m_methodCombo->setItemData(m_methodCombo->count() - 1, info->description, Qt::ToolTipRole);
    }
    // A remembered method that this build does not have (hand-edited, or a neural method from a
    // build with libtorch) falls back to the classical default, and the user is told.
    const QString storedMethod = m_settings.method();
    int methodIndex = m_methodCombo->findData(storedMethod);
    if (methodIndex < 0) {
        methodIndex = std::max(0, m_methodCombo->findData(Settings::defaultMethod()));
        m_startupNote = tr("The remembered method “%1” is not available here; using %2.")
                            .arg(storedMethod, m_methodCombo->itemText(methodIndex));
        m_settings.setMethod(m_methodCombo->itemData(methodIndex).toString());
    }
    m_methodCombo->setCurrentIndex(methodIndex);
    // Methods compared live beside the main one: a menu of checkable entries that stays open
    // while several are ticked (see eventFilter).
    m_compareMenu = new QMenu(this);
    m_compareMenu->installEventFilter(this);
    for (int i = 0; i < m_methodCombo->count(); ++i) {
        QAction *a = m_compareMenu->addAction(m_methodCombo->itemText(i));
        a->setData(m_methodCombo->itemData(i));
        a->setCheckable(true);
        connect(a, &QAction::toggled, this, [this] {
            updateControlsForMethod();
            scheduleApply();
        });
    }
    QStringList unavailable;
    for (const QString &name : m_settings.compareMethods()) {
        const auto actions = m_compareMenu->actions();
        const auto it = std::find_if(actions.begin(), actions.end(), [&](QAction *a) { return a->data() == name; });
        if (it == actions.end()) {
            unavailable << name;
            continue;
        }
        const QSignalBlocker block(*it);
        (*it)->setChecked(true);
    }
    if (!unavailable.isEmpty()) {
        m_startupNote += (m_startupNote.isEmpty() ? QString() : QStringLiteral(" "))
                         + tr("The remembered compared methods “%1” are not available here.")
                               .arg(unavailable.join(QStringLiteral(", ")));
        m_settings.setCompareMethods(compareMethods());
    }
    m_compareButton = new QToolButton;
    m_compareButton->setMenu(m_compareMenu);
    m_compareButton->setPopupMode(QToolButton::InstantPopup);
    m_compareButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_compareButton->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    m_compareButton->setToolTip(tr("Other methods run beside the main one on the same frames: their heart "
                                   "rates in the readout and their curves in the trend"));
    m_windowSpin = new QDoubleSpinBox;
    m_windowSpin->setRange(4, 60);
    m_windowSpin->setDecimals(0);
    m_windowSpin->setSuffix(tr(" s"));
    m_windowSpin->setValue(m_settings.windowSec());
    m_windowSpin->setToolTip(tr("Length of the analysis window behind each heart-rate estimate"));
    m_bandLowSpin = new QDoubleSpinBox;
    m_bandLowSpin->setRange(0.3, 3.0);
    m_bandLowSpin->setSingleStep(0.1);
    m_bandLowSpin->setDecimals(2);
    m_bandLowSpin->setSuffix(tr(" Hz"));
    m_bandLowSpin->setValue(m_settings.bandLowHz());
    m_bandHighSpin = new QDoubleSpinBox;
    m_bandHighSpin->setRange(1.0, 8.0);
    m_bandHighSpin->setSingleStep(0.1);
    m_bandHighSpin->setDecimals(2);
    m_bandHighSpin->setSuffix(tr(" Hz"));
    m_bandHighSpin->setValue(m_settings.bandHighHz());
    auto bandTip = [this] {
        const QString tip = tr("Pulse band: %1 to %2 bpm")
                                .arg(qRound(m_bandLowSpin->value() * 60))
                                .arg(qRound(m_bandHighSpin->value() * 60));
        m_bandLowSpin->setToolTip(tip);
        m_bandHighSpin->setToolTip(tip);
    };
    bandTip();
    m_deviceCombo = new QComboBox;
    m_deviceCombo->addItem(tr("Automatic"), QStringLiteral("auto"));
    m_deviceCombo->addItem(tr("CPU"), QStringLiteral("cpu"));
    m_deviceCombo->addItem(tr("CUDA"), QStringLiteral("cuda"));
    const QString storedDevice = m_settings.device();   // auto, cpu, cuda or cuda:N
    if (m_deviceCombo->findData(storedDevice) < 0)
        m_deviceCombo->addItem(tr("CUDA device %1").arg(storedDevice.mid(5)), storedDevice);
    m_deviceCombo->setCurrentIndex(m_deviceCombo->findData(storedDevice));
    m_deviceCombo->setToolTip(tr("Where neural methods run; classical methods always use the CPU"));
    m_witnessCheck = new QCheckBox(tr("Check networks against POS and GREEN"));
    m_witnessCheck->setObjectName(QStringLiteral("witnessCheck"));
    m_witnessCheck->setChecked(m_settings.witnessChecks());
    m_witnessCheck->setToolTip(tr("A network's window counts as good only when POS or GREEN on the same skin "
                                  "finds the same rate, and a network that reads twice or half that rate is "
                                  "moved to it. Off: the network's own reading alone."));
    af->addRow(tr("Method:"), m_methodCombo);
    af->addRow(tr("Compare with:"), m_compareButton);
    af->addRow(tr("Window:"), m_windowSpin);
    af->addRow(tr("Band from:"), m_bandLowSpin);
    af->addRow(tr("Band to:"), m_bandHighSpin);
    af->addRow(tr("Device:"), m_deviceCombo);
    af->addRow(m_witnessCheck);
    m_witnessClassicalCheck = new QCheckBox(tr("Check classical methods too"));
    m_witnessClassicalCheck->setObjectName(QStringLiteral("witnessClassicalCheck"));
    m_witnessClassicalCheck->setChecked(m_settings.witnessClassical());
    m_witnessClassicalCheck->setToolTip(tr("A classical method's window counts as good only when the other of POS "
                                           "and GREEN finds the same rate (and an octave it finds is taken). Fewer "
                                           "wrong readings pass on compressed video; a right one whose witness "
                                           "is wrong is rated low."));
    af->addRow(m_witnessClassicalCheck);
    layout->addWidget(analysis);
    connect(m_methodCombo, &QComboBox::activated, this, [this] {
        updateControlsForMethod();
        scheduleApply();
    });
    for (QDoubleSpinBox *spin : {m_windowSpin, m_bandLowSpin, m_bandHighSpin})
        connect(spin, &QDoubleSpinBox::valueChanged, this, [this, bandTip] {
            bandTip();
            scheduleApply();
        });
    connect(m_deviceCombo, &QComboBox::activated, this, &MainWindow::scheduleApply);
    connect(m_witnessCheck, &QCheckBox::toggled, this, [this] {
        updateControlsForMethod();
        scheduleApply();
    });
    connect(m_witnessClassicalCheck, &QCheckBox::toggled, this, &MainWindow::scheduleApply);

    // Overlay.
    auto *overlay = new QGroupBox(tr("Overlay"));
    auto *of = new QFormLayout(overlay);
    m_overlayCheck = new QCheckBox(tr("Show skin / attention overlay"));
    m_overlayCheck->setChecked(m_settings.overlayVisible());
    m_opacitySlider = new QSlider(Qt::Horizontal);
    m_opacitySlider->setRange(0, 100);
    m_opacitySlider->setValue(m_settings.overlayOpacityPercent());
    m_overlayKindCombo = new QComboBox;
    m_overlayKindCombo->setObjectName(QStringLiteral("overlayKindCombo"));
    m_overlayKindCombo->addItem(tr("Skin map"));
    m_overlayKindCombo->addItem(tr("Attention"));
    m_overlayKindCombo->setToolTip(tr("rPPGNet's maps; classical methods show their skin mask"));
    of->addRow(m_overlayCheck);
    of->addRow(tr("Opacity:"), m_opacitySlider);
    of->addRow(tr("Map:"), m_overlayKindCombo);
    layout->addWidget(overlay);
    connect(m_overlayCheck, &QCheckBox::toggled, this, [this](bool on) {
        m_settings.setOverlayVisible(on);
        m_videoView->setOverlayVisible(on);
        m_overlayView->setOverlayVisible(on);
    });
    connect(m_opacitySlider, &QSlider::valueChanged, this, [this](int v) {
        m_settings.setOverlayOpacityPercent(v);
        m_videoView->setOverlayOpacity(v / 100.0);
        m_overlayView->setOverlayOpacity(v / 100.0);
    });
    connect(m_overlayKindCombo, &QComboBox::activated, this, [this] { drawFrame(); });
    m_videoView->setOverlayVisible(m_overlayCheck->isChecked());
    m_overlayView->setOverlayVisible(m_overlayCheck->isChecked());
    m_videoView->setOverlayOpacity(m_opacitySlider->value() / 100.0);
    m_overlayView->setOverlayOpacity(m_opacitySlider->value() / 100.0);

    layout->addStretch(1);
    return w;
}

void MainWindow::buildActions()
{
    // File.
    auto *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open video…"), QKeySequence::Open, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open video"), m_settings.lastDirectory());
        if (!path.isEmpty())
            openFile(path);
    });
    file->addAction(tr("Load &reference…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Load reference heart rate or PPG"), m_settings.lastDirectory(),
            tr("Reference files (*.csv *.txt);;All files (*)"));
        if (!path.isEmpty() && loadReference(path))
            showMessage(tr("Reference: %1").arg(QFileInfo(path).fileName()), false);
    });
    m_recentMenu = file->addMenu(tr("Open &recent"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentMenu);
    file->addAction(tr("Start &camera"), QKeySequence(tr("Ctrl+K")), this, &MainWindow::startCamera);
    file->addAction(tr("&Stop source"), this, &MainWindow::stopSource);
    file->addSeparator();
    auto *exportMenu = file->addMenu(tr("&Export"));
    exportMenu->addAction(tr("Signal and heart rate as &CSV…"), QKeySequence(tr("Ctrl+E")), this, [this] {
        const QString path = chooseExportPath(tr("Export CSV"), tr("CSV files (*.csv)"), QStringLiteral("csv"));
        if (!path.isEmpty())
            exportCsv(path);
    });
    exportMenu->addAction(tr("Plots as &PNG…"), QKeySequence(tr("Ctrl+Shift+E")), this, [this] {
        const QString path = chooseExportPath(tr("Export plots"), tr("PNG images (*.png)"), QStringLiteral("png"));
        if (!path.isEmpty())
            exportPlots(path);
    });
    exportMenu->addAction(tr("Plots as P&DF…"), this, [this] {
        const QString path = chooseExportPath(tr("Export plots"), tr("PDF documents (*.pdf)"), QStringLiteral("pdf"));
        if (!path.isEmpty())
            exportPlots(path);
    });
    exportMenu->addAction(tr("&Snapshot of the window…"), QKeySequence(tr("Ctrl+Shift+S")), this, [this] {
        const QString path = chooseExportPath(tr("Save snapshot"), tr("PNG images (*.png)"), QStringLiteral("png"));
        if (!path.isEmpty())
            exportSnapshot(path);
    });
    m_recordAction = file->addAction(tr("&Record session to CSV…"));
    m_recordAction->setShortcut(QKeySequence(tr("Ctrl+R")));
    m_recordAction->setCheckable(true);
    m_recordAction->setToolTip(tr("Write the pulse and heart rate to a CSV file while the analysis runs"));
    connect(m_recordAction, &QAction::triggered, this, [this](bool checked) {
        if (!checked) {
            stopRecording();
            return;
        }
        const QString path = chooseExportPath(tr("Record session"), tr("CSV files (*.csv)"), QStringLiteral("csv"));
        if (path.isEmpty() || !startRecording(path))
            m_recordAction->setChecked(false);
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    // Playback.
    auto *playback = menuBar()->addMenu(tr("&Playback"));
    m_playAction = playback->addAction(tr("Play / pause"));
    m_playAction->setShortcut(QKeySequence(Qt::Key_Space));
    m_playAction->setShortcutContext(Qt::WindowShortcut);
    connect(m_playAction, &QAction::triggered, this, [this] {
        if (m_player)
            setPlaying(!m_player->isPlaying());
    });
    playback->addSeparator();
    m_playbackGroup = new QActionGroup(this);
    const bool realTime = m_settings.playbackMode() == PlaybackMode::RealTime;
    m_realTimeAction = addChoice(playback, m_playbackGroup, tr("&Real time"), realTime, this,
                                 [this] { setPlaybackMode(PlaybackMode::RealTime); });
    m_fastAction = addChoice(playback, m_playbackGroup, tr("&As fast as possible"), !realTime, this,
                             [this] { setPlaybackMode(PlaybackMode::AsFastAsPossible); });

    // View.
    auto *view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget *dock : {m_videoDock, m_enhancedDock, m_overlayDock, m_readoutDock, m_waveDock,
                              m_trendDock, m_controlsDock})
        view->addAction(dock->toggleViewAction());
    view->addSeparator();
    auto *themeMenu = view->addMenu(tr("&Theme"));
    auto *themeGroup = new QActionGroup(this);
    const std::pair<Theme, QString> themes[] = {
        {Theme::System, tr("&System")}, {Theme::Light, tr("&Light")}, {Theme::Dark, tr("&Dark")}};
    for (const auto &[theme, title] : themes)
        addChoice(themeMenu, themeGroup, title, m_settings.theme() == theme, this, [this, theme = theme] {
            m_settings.setTheme(theme);
            applyTheme(theme);
        });
    // Language: stored for the next start (the widgets are built translated, not re-translated).
    auto *languageMenu = view->addMenu(tr("&Language"));
    languageMenu->setObjectName(QStringLiteral("languageMenu"));
    auto *languageGroup = new QActionGroup(this);
    const QString storedLanguage = m_settings.language();
    // The compiled-in translations, each named in its own language ("English", "简体中文").
    std::vector<std::pair<QString, QString>> languages{{QStringLiteral("system"), tr("System default")}};
    for (const QString &code : availableLanguages()) {
        const QLocale locale(code);
        languages.emplace_back(code, locale.language() == QLocale::English ? QStringLiteral("English")
                                                                          : locale.nativeLanguageName());
    }
    for (const auto &[code, title] : languages) {
        const bool stored = storedLanguage == code || (code == QLatin1String("system") && storedLanguage.isEmpty());
        QAction *a = addChoice(languageMenu, languageGroup, title, stored, this, [this, code = code, title = title] {
            m_settings.setLanguage(code);
            showMessage(tr("Language set to %1: it applies when rPPG Studio next starts.").arg(title), false);
        });
        a->setObjectName(QStringLiteral("language_") + code);
    }
    view->addAction(tr("&Reset layout"), this, [this] {
        for (QDockWidget *dock : findChildren<QDockWidget *>())
            dock->show();
        restoreState(m_defaultState);
    });

    // Tools.
    auto *tools = menuBar()->addMenu(tr("&Tools"));
    QAction *compare = tools->addAction(tr("&Compare codecs…"));
    compare->setObjectName(QStringLiteral("compareCodecsAction"));
#ifdef RPPG_HAVE_CODEC_VIEW
    connect(compare, &QAction::triggered, this, [this] {
        auto *dock = findChild<QDockWidget *>(QStringLiteral("codecDock"));
        if (!dock) {
            dock = new QDockWidget(tr("Codec comparison"), this);
            dock->setObjectName(QStringLiteral("codecDock"));
            dock->setWidget(new CodecComparisonView(dock));
            dock->setFloating(true);
            dock->resize(1100, 750);
            addDockWidget(Qt::RightDockWidgetArea, dock);
        }
        auto *view = static_cast<CodecComparisonView *>(dock->widget());
        view->setAnalysisConfig(configFromControls().analysis);
        if (m_source == SourceKind::File && m_player)
            view->setSourceVideo(m_player->path());
        dock->show();
        dock->raise();
    });
#else
    compare->setEnabled(false);
    compare->setToolTip(tr("This build has no codec comparison view"));
#endif

    // Help.
    auto *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("Open &sample"), this, &MainWindow::openSample);
#ifdef RPPG_HAVE_ABOUT_DIALOG
    help->addAction(tr("&About rPPG Studio"), this, [this] {
        AboutDialog dialog(this);
        dialog.exec();
    });
#endif
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);

    // Transport bar.
    auto *bar = addToolBar(tr("Transport"));
    bar->setObjectName(QStringLiteral("transportBar"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_playAction->setIcon(transportIcon(false, palette().color(QPalette::ButtonText)));
    bar->addAction(m_playAction);
    m_seekSlider = new QSlider(Qt::Horizontal);
    m_seekSlider->setRange(0, 1000);
    m_seekSlider->setEnabled(false);
    m_seekSlider->setToolTip(tr("Seek"));
    connect(m_seekSlider, &QSlider::sliderPressed, this, [this] { m_seeking = true; });
    connect(m_seekSlider, &QSlider::sliderReleased, this, [this] {
        m_seeking = false;
        if (m_player && m_player->durationSec() > 0)
            seek(m_seekSlider->value() / 1000.0 * m_player->durationSec());
    });
    bar->addWidget(m_seekSlider);
    m_timeLabel = new QLabel(QStringLiteral(" 0:00 / 0:00 "));
    bar->addWidget(m_timeLabel);
    m_progressBar = new QProgressBar;
    m_progressBar->setRange(0, 1000);
    m_progressBar->setMaximumWidth(160);
    m_progressBar->setFormat(tr("%p% analysed"));
    m_progressBar->setToolTip(tr("How much of the file has been analysed"));
    bar->addWidget(m_progressBar);
}

void MainWindow::buildStatusBar()
{
    m_fpsLabel = new QLabel;
    m_droppedLabel = new QLabel;
    m_deviceLabel = new QLabel;
    m_methodLabel = new QLabel;
    for (QLabel *l : {m_fpsLabel, m_droppedLabel, m_deviceLabel, m_methodLabel})
        statusBar()->addPermanentWidget(l);
    m_recordLabel = new QLabel;
    m_recordLabel->setVisible(false);
    statusBar()->addPermanentWidget(m_recordLabel);
    m_fpsLabel->setToolTip(tr("Frames analysed per second"));
    m_droppedLabel->setToolTip(tr("Stale frames dropped because the analysis fell behind the source"));
}

void MainWindow::restoreLayout()
{
    m_defaultState = saveState();
    const QByteArray geometry = m_settings.windowGeometry();
    if (geometry.isEmpty() || !restoreGeometry(geometry))
        resize(1360, 860);
    // restoreState() refuses a blob it cannot read; put the default docks back in case it
    // got part way.
    const QByteArray state = m_settings.windowState();
    if (!state.isEmpty() && !restoreState(state))
        restoreState(m_defaultState);
}

// ---- sources --------------------------------------------------------------------------------

void MainWindow::retirePlayer()
{
    if (!m_player)
        return;
    // The analyzer was restarted before this, so the old player's frames are refused and a
    // blocked submit has been released: its thread ends within a frame.
    m_player->requestStop();
    delete m_player;
    m_player = nullptr;
}

void MainWindow::openFile(const QString &path)
{
    if (m_shutDown)
        return;
    const QFileInfo info(path);
    if (!info.exists()) {
        showMessage(tr("The file %1 does not exist.").arg(QDir::toNativeSeparators(path)), true);
        Q_EMIT analysisFinished();
        return;
    }
    m_camera->stop();
    m_cameraButton->setText(tr("Start camera"));
    m_session = m_analyzer->restart();
    retirePlayer();
    m_settings.addRecentFile(info.absoluteFilePath());
    m_settings.setLastDirectory(info.absolutePath());
    m_source = SourceKind::File;
    m_sourceName = info.fileName();
    m_finishedNotified = false;
    clearDisplays();
    clearReference();
    setWindowTitle(tr("%1 — rPPG Studio").arg(m_sourceName));
    showMessage(tr("Analysing %1…").arg(m_sourceName), false);
    m_videoPath = info.absoluteFilePath();
    if (const QString reference = findVideoReference(m_videoPath); !reference.isEmpty())
        loadReference(reference);

    m_player = new FilePlayer(m_analyzer, this);
    connect(m_player, &FilePlayer::opened, this, [this](const VideoInfo &video) {
        m_analyzer->setSource(video.path, video);
        m_seekSlider->setEnabled(video.durationSec > 0);
        showMessage(tr("%1: %2×%3, %4 fps, %5")
                        .arg(m_sourceName)
                        .arg(video.width)
                        .arg(video.height)
                        .arg(video.nominalFps, 0, 'f', 1)
                        .arg(formatTime(video.durationSec)),
                    false);
    });
    connect(m_player, &FilePlayer::failed, this, [this](const QString &message) {
        showMessage(tr("Cannot open %1: %2").arg(m_sourceName, message), true);
        m_source = SourceKind::None;
        Q_EMIT analysisFinished();
    });
    m_player->open(info.absoluteFilePath(), m_session,
                   PlaybackMode(m_playbackCombo->currentData().toInt()));
}

void MainWindow::openSample()
{
    const QString sample = resourcePath(QStringLiteral("samples/sample.mp4"));
    if (sample.isEmpty()) {
        showMessage(tr("The bundled sample video was not found."), true);
        return;
    }
    openFile(sample);
}

void MainWindow::startCamera()
{
    if (m_shutDown)
        return;
    const QList<QCameraDevice> cams = CameraSource::cameras();
    QCameraDevice device;
    const QByteArray wanted = m_cameraCombo->currentData().toByteArray();
    for (const QCameraDevice &c : cams)
        if (c.id() == wanted)
            device = c;
    if (device.isNull() && !cams.isEmpty())
        device = cams.first();
    QCameraFormat format;
    const int fi = m_formatCombo->currentIndex();
    const QList<QCameraFormat> formats = device.isNull() ? QList<QCameraFormat>() : CameraSource::usableFormats(device);
    if (fi >= 0 && fi < formats.size())
        format = formats[fi];

    m_session = m_analyzer->restart();
    retirePlayer();
    m_camera->stop();
    QString error;
    if (!m_camera->start(device, format, m_session, &error)) {
        m_source = SourceKind::None;
        showMessage(error, true);
        return;
    }
    m_settings.setCameraId(QString::fromUtf8(device.id()));
    if (!format.isNull()) {
        m_settings.setCameraResolution(format.resolution());
        m_settings.setCameraFps(format.maxFrameRate());
    }
    VideoInfo info;
    info.path = device.description();
    info.width = format.resolution().width();
    info.height = format.resolution().height();
    info.nominalFps = format.maxFrameRate();
    m_analyzer->setSource(device.description(), info);
    m_source = SourceKind::Camera;
    m_sourceName = device.description();
    m_cameraButton->setText(tr("Stop camera"));
    m_seekSlider->setEnabled(false);
    clearDisplays();
    clearReference();
    setWindowTitle(tr("%1 — rPPG Studio").arg(m_sourceName));
    showMessage(tr("Live from %1.").arg(m_sourceName), false);
}

void MainWindow::startSinkSource(QVideoSink *sink)
{
    m_session = m_analyzer->restart();
    retirePlayer();
    m_camera->attachSink(sink, m_session);
    VideoInfo info;
    info.path = tr("live video");
    m_analyzer->setSource(info.path, info);
    m_source = SourceKind::Camera;
    m_sourceName = info.path;
    m_cameraButton->setText(tr("Stop camera"));
    clearDisplays();
    clearReference();
}

void MainWindow::stopSource()
{
    if (m_source == SourceKind::Camera) {
        m_camera->stop();
        m_cameraButton->setText(tr("Start camera"));
        showMessage(tr("Camera stopped."), false);
    } else if (m_player) {
        m_player->setPlaying(false);
    }
    m_source = m_player ? SourceKind::File : SourceKind::None;
}

void MainWindow::setPlaying(bool playing)
{
    if (m_player)
        m_player->setPlaying(playing);
    if (playing)
        m_finishedNotified = false;
}

void MainWindow::seek(double timeSec)
{
    if (!m_player)
        return;
    // A jump in media time starts a new analysis session (the signal must be continuous).
    m_session = m_analyzer->restart();
    m_player->seek(timeSec, m_session);
    m_player->setPlaying(true);
    m_finishedNotified = false;
    clearDisplays();
}

bool MainWindow::isPlaying() const { return m_player && m_player->isPlaying(); }
double MainWindow::positionSec() const { return m_player ? m_player->positionSec() : 0.0; }

void MainWindow::setPlaybackMode(PlaybackMode mode)
{
    m_settings.setPlaybackMode(mode);
    m_playbackCombo->setCurrentIndex(mode == PlaybackMode::RealTime ? 0 : 1);
    (mode == PlaybackMode::RealTime ? m_realTimeAction : m_fastAction)->setChecked(true);
    if (m_player)
        m_player->setMode(mode);
}

void MainWindow::refreshCameras()
{
    const QSignalBlocker block(m_cameraCombo);
    m_cameraCombo->clear();
    const QList<QCameraDevice> cams = CameraSource::cameras();
    for (const QCameraDevice &c : cams)
        m_cameraCombo->addItem(c.description(), c.id());
    if (cams.isEmpty()) {
        m_cameraCombo->addItem(tr("No camera found"));
        m_cameraCombo->setEnabled(false);
    } else {
        m_cameraCombo->setEnabled(true);
        const int i = m_cameraCombo->findData(m_settings.cameraId().toUtf8());
        m_cameraCombo->setCurrentIndex(i >= 0 ? i : 0);
    }
    refreshFormats();
}

void MainWindow::refreshFormats()
{
    m_formatCombo->clear();
    const QByteArray id = m_cameraCombo->currentData().toByteArray();
    QCameraDevice device;
    for (const QCameraDevice &c : CameraSource::cameras())
        if (c.id() == id)
            device = c;
    m_formatCombo->setEnabled(!device.isNull());
    if (device.isNull())
        return;
    const QSize wantedSize = m_settings.cameraResolution();
    const double wantedFps = m_settings.cameraFps();
    int best = -1;
    const auto formats = CameraSource::usableFormats(device);
    for (const QCameraFormat &f : formats) {
        m_formatCombo->addItem(tr("%1×%2 at %3 fps")
                                   .arg(f.resolution().width())
                                   .arg(f.resolution().height())
                                   .arg(f.maxFrameRate(), 0, 'f', 0));
        if (f.resolution() == wantedSize && std::abs(f.maxFrameRate() - wantedFps) < 0.5)
            best = m_formatCombo->count() - 1;
    }
    if (best >= 0)
        m_formatCombo->setCurrentIndex(best);
}

// ---- analysis configuration -----------------------------------------------------------------

LiveConfig MainWindow::configFromControls() const
{
    LiveConfig c;
    c.analysis.method = m_methodCombo->currentData().toString();
    for (const QString &m : compareMethods())
        if (m != c.analysis.method)
            c.compareMethods << m;
    c.analysis.methodOptions.device = m_deviceCombo->currentData().toString();
    c.analysis.windowSec = m_windowSpin->value();
    c.analysis.bandLowHz = m_bandLowSpin->value();
    c.analysis.bandHighHz = std::max(m_bandHighSpin->value(), m_bandLowSpin->value() + 0.3);
    if (!m_witnessCheck->isChecked())
        c.analysis.witnessMethods.clear();   // turns the octave check off with it
    c.analysis.witnessClassical = m_witnessClassicalCheck->isChecked();
    c.bufferSec = std::max(30.0, c.analysis.windowSec + 2.0);
    c.waveformSec = kWaveformSpanSec;
    c.frameEmitIntervalSec = 1.0 / 40.0;   // a little above the redraw rate
    return c;
}

void MainWindow::scheduleApply()
{
    m_applyTimer->start();
}

void MainWindow::applyConfig()
{
    if (m_shutDown)
        return;
    const LiveConfig c = configFromControls();
    m_settings.setMethod(c.analysis.method);
    m_settings.setCompareMethods(compareMethods());
    m_settings.setWindowSec(c.analysis.windowSec);
    m_settings.setBandLowHz(c.analysis.bandLowHz);
    m_settings.setBandHighHz(c.analysis.bandHighHz);
    m_settings.setDevice(c.analysis.methodOptions.device);
    m_settings.setWitnessChecks(m_witnessCheck->isChecked());
    m_settings.setWitnessClassical(m_witnessClassicalCheck->isChecked());
    m_session = m_analyzer->setConfig(c);
#ifdef RPPG_HAVE_CODEC_VIEW
    // The codec comparison analyses its variants as the window does.
    if (auto *dock = findChild<QDockWidget *>(QStringLiteral("codecDock")))
        static_cast<CodecComparisonView *>(dock->widget())->setAnalysisConfig(c.analysis);
#endif
    if (m_player)
        m_player->setSession(m_session);
    m_camera->setSession(m_session);
    m_finishedNotified = false;
    clearDisplays();
    qCInfo(lcUi) << "analysis restarted with" << c.analysis.method << "window" << c.analysis.windowSec
                 << (c.compareMethods.isEmpty() ? QString() : QStringLiteral("compared with ") + c.compareMethods.join(QLatin1Char(',')));
}

void MainWindow::setMethod(const QString &method)
{
    const int i = m_methodCombo->findData(method);
    if (i < 0)
        return;
    m_methodCombo->setCurrentIndex(i);
    updateControlsForMethod();
    m_applyTimer->stop();
    applyConfig();
}

QString MainWindow::method() const
{
    return m_methodCombo->currentData().toString();
}

void MainWindow::setWindowSec(double sec)
{
    m_windowSpin->setValue(sec);
    m_applyTimer->stop();
    applyConfig();
}

void MainWindow::updateControlsForMethod()
{
    const auto isNeural = [](const QString &name) {
        const MethodInfo *info = MethodRegistry::instance().find(name);
        return info && info->input == MethodInput::FaceVideo;
    };
    const bool neural = isNeural(method());
    const QStringList compared = configFromControls().compareMethods;
    // The device matters as soon as any method that runs is a network.
    const bool anyNeural = neural || std::any_of(compared.begin(), compared.end(), isNeural);
    m_deviceCombo->setEnabled(anyNeural);
    m_witnessCheck->setEnabled(anyNeural);
    // A classical method runs (the main one or a compared one) and the witnesses are on.
    const bool anyClassical = !neural || !std::all_of(compared.begin(), compared.end(), isNeural);
    m_witnessClassicalCheck->setEnabled(anyClassical && m_witnessCheck->isChecked());
    m_overlayKindCombo->setEnabled(neural);
    updateCompareButton();
}

void MainWindow::setCompareMethods(const QStringList &methods)
{
    for (QAction *a : m_compareMenu->actions()) {
        const QSignalBlocker block(a);
        a->setChecked(methods.contains(a->data().toString()));
    }
    updateControlsForMethod();
    m_applyTimer->stop();
    applyConfig();
}

QStringList MainWindow::compareMethods() const
{
    QStringList list;
    for (const QAction *a : m_compareMenu->actions())
        if (a->isChecked())
            list << a->data().toString();
    return list;
}

QString MainWindow::compareText() const { return m_compareText; }

void MainWindow::setWitnessChecks(bool on)
{
    if (m_witnessCheck->isChecked() == on)
        return;
    {
        const QSignalBlocker block(m_witnessCheck);
        m_witnessCheck->setChecked(on);
    }
    updateControlsForMethod();
    m_applyTimer->stop();
    applyConfig();
}

bool MainWindow::witnessChecks() const { return m_witnessCheck->isChecked(); }

bool MainWindow::witnessChecksEnabled() const { return m_witnessCheck->isEnabled(); }

void MainWindow::setWitnessClassical(bool on)
{
    if (m_witnessClassicalCheck->isChecked() == on)
        return;
    {
        const QSignalBlocker block(m_witnessClassicalCheck);
        m_witnessClassicalCheck->setChecked(on);
    }
    m_applyTimer->stop();
    applyConfig();
}

bool MainWindow::witnessClassical() const { return m_witnessClassicalCheck->isChecked(); }

bool MainWindow::witnessClassicalEnabled() const { return m_witnessClassicalCheck->isEnabled(); }

int MainWindow::compareTrendPointCount(const QString &method) const
{
    for (const QCPGraph *g : m_compareGraphs)
        if (g->property("method").toString() == method)
            return int(std::count_if(g->data()->constBegin(), g->data()->constEnd(),
                                     [](const QCPGraphData &d) { return std::isfinite(d.value); }));
    return 0;
}

bool MainWindow::eventFilter(QObject *watched, QEvent *event)
{
    // A click on an entry of the Compare menu toggles it without closing the menu.
    if (watched == m_compareMenu && event->type() == QEvent::MouseButtonRelease) {
        auto *mouse = static_cast<QMouseEvent *>(event);
        QAction *a = m_compareMenu->actionAt(mouse->position().toPoint());
        if (a && a->isEnabled()) {
            a->trigger();
            return true;
        }
    }
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::updateCompareButton()
{
    // The main method is never compared with itself: its entry is greyed out.
    QStringList titles;
    for (QAction *a : m_compareMenu->actions()) {
        const bool isMain = a->data().toString() == method();
        a->setEnabled(!isMain);
        if (a->isChecked() && !isMain)
            titles << a->text();
    }
    m_compareButton->setText(titles.isEmpty() ? tr("None") : titles.join(QStringLiteral(", ")));
}

// ---- results --------------------------------------------------------------------------------

void MainWindow::onFrame(LiveFramePtr frame)
{
    if (frame && frame->generation == m_session)
        m_latestFrame = std::move(frame);
}

void MainWindow::onUpdate(LiveUpdatePtr update)
{
    if (!update || update->generation != m_session)
        return;
    m_latestUpdate = std::move(update);
    if (m_recorder.isRecording()) {
        if (const Error e = m_recorder.add(*m_latestUpdate); e.isError()) {
            showMessage(tr("Recording stopped: %1").arg(e.message), true);
            m_recordAction->setChecked(false);
            m_recordLabel->setVisible(false);
        }
    }
    if (m_latestUpdate->endOfStream && m_source == SourceKind::File) {
        // Draw the final state before anyone looks at it.
        redraw();
        if (!m_finishedNotified) {
            m_finishedNotified = true;
            showMessage(endOfFileText(), false);
            Q_EMIT analysisFinished();
        }
    }
}

void MainWindow::onAnalyzerError(const QString &message)
{
    showMessage(tr("The analysis could not use this setting: %1").arg(message), true);
    if (!m_analyzer->hasWorkingConfig()) {
        // Nothing runs yet (a setting remembered from an earlier run that cannot start now, or
        // the first try): drop the comparison first, then fall back to the classical default, so
        // the window still analyses.
        if (!configFromControls().compareMethods.isEmpty())
            setCompareMethods({});
        else if (method() != QLatin1String("pos"))
            setMethod(QStringLiteral("pos"));
        return;
    }
    // The analyzer kept its previous working settings: show (and remember) those.
    const LiveConfig active = m_analyzer->config();
    if (const int i = m_methodCombo->findData(active.analysis.method); i >= 0)
        m_methodCombo->setCurrentIndex(i);
    if (const int i = m_deviceCombo->findData(active.analysis.methodOptions.device); i >= 0)
        m_deviceCombo->setCurrentIndex(i);
    for (QAction *a : m_compareMenu->actions()) {
        const QSignalBlocker block(a);
        a->setChecked(active.compareMethods.contains(a->data().toString()));
    }
    {
        const QSignalBlocker block(m_witnessCheck);
        m_witnessCheck->setChecked(!active.analysis.witnessMethods.isEmpty());
        const QSignalBlocker blockClassical(m_witnessClassicalCheck);
        m_witnessClassicalCheck->setChecked(active.analysis.witnessClassical);
    }
    m_settings.setMethod(active.analysis.method);
    m_settings.setDevice(active.analysis.methodOptions.device);
    m_settings.setWitnessChecks(m_witnessCheck->isChecked());
    m_settings.setWitnessClassical(m_witnessClassicalCheck->isChecked());
    m_settings.setCompareMethods(compareMethods());
    updateControlsForMethod();
}

void MainWindow::redraw()
{
    if (m_latestFrame != m_shownFrame) {
        m_shownFrame = m_latestFrame;
        drawFrame();
    }
    if (m_latestUpdate != m_shownUpdate) {
        m_shownUpdate = m_latestUpdate;
        drawUpdate();
        Q_EMIT updateShown();
    }
    drawTransport();
}

void MainWindow::drawFrame()
{
    const LiveFramePtr f = m_shownFrame;
    if (!f) {
        m_videoView->clear();
        m_enhancedView->clear();
        m_overlayView->clear();
        return;
    }
    const QImage image = toQImage(f->frame.bgr);
    m_videoView->setImage(image);
    ++m_framesDrawn;
    const bool face = f->face.found();
    m_videoView->setFaceBox(face ? QRectF(f->face.box.x, f->face.box.y, f->face.box.width, f->face.box.height)
                                 : QRectF());
    const QRect skin(f->skinBounds.x, f->skinBounds.y, f->skinBounds.width, f->skinBounds.height);
    m_videoView->setRegionBox(face ? skin : QRect());
    const QImage skinTint = maskOverlay(f->skinMask, QColor(255, 70, 150));
    m_videoView->setOverlay(face ? skinTint : QImage(), skin);

    // Enhanced frames (STVEN methods only).
    const QImage enhanced = toQImage(f->visuals.enhancedBgr);
    if (!enhanced.isNull()) {
        m_enhancedView->setImage(enhanced);
        // The network's own size (64 px on a CPU): shown enlarged, so softer than the video.
        m_enhancedView->setCaption(tr("STVEN output, %1×%2 px").arg(enhanced.width()).arg(enhanced.height()));
    } else if (!m_enhancedView->image().isNull()) {
        m_enhancedView->clear();
    }

    // The face crop with the method's maps, or the skin mask for classical methods.
    if (!face) {
        m_overlayView->clear();
        m_overlayView->setPlaceholder(tr("No face in view."));
        return;
    }
    const cv::Rect c = faceCropRect(f->face.box, f->frame.bgr.size());   // as the networks see it
    const QRect crop(c.x, c.y, c.width, c.height);
    if (crop.isEmpty())
        return;
    const bool attention = m_overlayKindCombo->currentIndex() == 1;
    const cv::Mat &map = attention ? f->visuals.attention : f->visuals.skinMap;
    if (!map.empty()) {
        const QImage base = !enhanced.isNull() ? enhanced : image.copy(crop).scaled(map.cols, map.rows);
        m_overlayView->setImage(base);
        m_overlayView->setOverlay(heatOverlay(map), QRect(0, 0, base.width(), base.height()));
        m_overlayView->setCaption(attention ? tr("attention (rPPGNet)") : tr("skin map (rPPGNet)"));
    } else {
        m_overlayView->setImage(image.copy(crop));
        m_overlayView->setOverlay(skinTint, skin.translated(-crop.topLeft()));
        m_overlayView->setCaption(tr("skin mask"));
    }
}

void MainWindow::drawUpdate()
{
    const LiveUpdatePtr u = m_shownUpdate;
    if (!u)
        return;

    // Readout.
    const bool hasHr = std::isfinite(u->hrBpm);
    QString state;
    QColor stateColour = palette().color(QPalette::WindowText);
    switch (u->state) {
    case LiveState::Idle:
        state = tr("Waiting for frames");
        break;
    case LiveState::NoFace:
        state = tr("No face");
        stateColour = QColor(220, 70, 60);
        break;
    case LiveState::WarmingUp:
        state = tr("Warming up");
        stateColour = QColor(70, 140, 230);
        break;
    case LiveState::LowQuality:
        switch (lowReason(Quality::Low, u->motionLocked, u->unsteady, u->frozen, u->unconfirmed)) {
        case LowReason::Motion: state = tr("Low quality: head motion"); break;
        case LowReason::Inconsistent: state = tr("Low quality: inconsistent"); break;
        case LowReason::Frozen: state = tr("Low quality: frozen picture"); break;
        case LowReason::Unconfirmed: state = tr("Low quality: unconfirmed"); break;
        case LowReason::None:
        case LowReason::Snr: state = tr("Low quality"); break;
        }
        stateColour = QColor(230, 150, 30);
        break;
    case LiveState::Ok:
        state = tr("Good signal");
        stateColour = QColor(50, 170, 80);
        break;
    }
    const bool showHr = hasHr && (u->state == LiveState::Ok || u->state == LiveState::LowQuality);
    m_hrLabel->setText(showHr ? QString::number(u->hrBpm, 'f', 0) : QStringLiteral("--"));
    QPalette hp = m_hrLabel->palette();
    hp.setColor(QPalette::WindowText, u->state == LiveState::Ok ? palette().color(QPalette::WindowText)
                                                                : palette().color(QPalette::PlaceholderText));
    m_hrLabel->setPalette(hp);
    m_stateLabel->setText(state);
    QPalette sp = m_stateLabel->palette();
    sp.setColor(QPalette::WindowText, stateColour);
    m_stateLabel->setPalette(sp);
    const double progress = u->windowSec > 0 ? std::clamp(u->signalSec / u->windowSec, 0.0, 1.0) : 0;
    m_warmupBar->setValue(int(progress * 100));
    m_warmupBar->setVisible(u->state == LiveState::WarmingUp);
    if (u->state == LiveState::WarmingUp)
        m_qualityLabel->setText(tr("%1 of %2 s of signal").arg(u->signalSec, 0, 'f', 1).arg(u->windowSec, 0, 'f', 0));
    else if (std::isfinite(u->snrDb) && std::isfinite(u->octaveFromBpm))
        // A network's rate moved an octave to where a classical witness finds it (AnalysisConfig::octavePowerRatio).
        m_qualityLabel->setText(tr("signal-to-noise %1 dB · %2 s window · octave-corrected from %3 bpm")
                                    .arg(dbForDisplay(u->snrDb), 0, 'f', 1)
                                    .arg(u->windowSec, 0, 'f', 0)
                                    .arg(u->octaveFromBpm, 0, 'f', 0));
    else if (std::isfinite(u->snrDb))
        m_qualityLabel->setText(tr("signal-to-noise %1 dB · %2 s window").arg(dbForDisplay(u->snrDb), 0, 'f', 1).arg(u->windowSec, 0, 'f', 0));
    else if (u->state == LiveState::NoFace)
        m_qualityLabel->setText(tr("Face the camera, in even light."));
    else
        m_qualityLabel->setText(QString());
    // Breathing: a rate only when the beat intervals and amplitudes agree on it, and the pulse it
    // comes from is good now (beats of a low-quality pulse are noise that can agree by chance).
    if (!showHr || !u->breathing.hasRate())
        m_breathingLabel->clear();
    else if (u->breathing.quality == Quality::Good && u->state == LiveState::Ok)
        m_breathingLabel->setText(tr("breathing %1 per minute").arg(u->breathing.ratePerMin, 0, 'f', 0));
    else
        m_breathingLabel->setText(tr("breathing: uncertain"));
    // HRV: numbers only from clean beats (SignalResult::hrvQuality), as the CLI's `uncertain`.
    if (!showHr || !u->hrv.valid)
        m_hrvLabel->clear();
    else if (u->hrvQuality == Quality::Good)
        m_hrvLabel->setText(tr("HRV: SDNN %1 ms, RMSSD %2 ms").arg(u->hrv.sdnnMs, 0, 'f', 0).arg(u->hrv.rmssdMs, 0, 'f', 0));
    else
        m_hrvLabel->setText(tr("HRV: uncertain"));
    extendReferenceCurve(*u);
    const bool refNow = !m_refX.isEmpty() && !u->trend.empty() && m_refX.back() == u->trend.back().timeSec
                        && std::isfinite(m_refY.back());
    if (refNow && showHr) {
        const double error = u->hrBpm - m_refY.back();
        m_referenceLabel->setText(tr("reference %1 bpm, error %2 bpm")
                                      .arg(m_refY.back(), 0, 'f', 1)
                                      .arg((error > 0 ? QStringLiteral("+") : QString())
                                           + QLocale().toString(error, 'f', 1))
                                  + QLatin1Char('\n')
                                  + tr("mean absolute error %1 bpm").arg(referenceMaeBpm(), 0, 'f', 1));
    } else {
        m_referenceLabel->clear();
    }

    // Waveform: the last kWaveformSpanSec, beats on the curve.
    QVector<double> x, y;
    x.reserve(int(u->pulse.size()));
    y.reserve(int(u->pulse.size()));
    double lo = 0, hi = 0;
    for (size_t k = 0; k < u->pulse.size(); ++k) {
        x.push_back(u->pulseT0Sec + double(k) / u->fsHz);
        y.push_back(u->pulse[k]);
        if (std::isfinite(u->pulse[k])) {
            lo = std::min(lo, u->pulse[k]);
            hi = std::max(hi, u->pulse[k]);
        }
    }
    m_waveGraph->setData(x, y, true);
    QVector<double> bx, by;
    for (double b : u->beatTimesSec) {
        const double pos = (b - u->pulseT0Sec) * u->fsHz;
        const size_t k = size_t(std::clamp(std::lround(pos), 0L, long(u->pulse.size()) - 1));
        if (!u->pulse.empty() && std::isfinite(u->pulse[k])) {
            bx.push_back(b);
            by.push_back(u->pulse[k]);
        }
    }
    m_beatGraph->setData(bx, by, true);
    const bool showLag = u->outputLagSec >= kMinShownLagSec && !u->pulse.empty();
    m_lagBand->setVisible(showLag);
    m_lagText->setVisible(showLag);
    if (showLag) {
        m_lagBand->topLeft->setCoords(u->timeSec - u->outputLagSec, 0);
        m_lagBand->bottomRight->setCoords(u->timeSec, 1);
        m_lagText->setText(tr("lag\n%1 s").arg(QLocale().toString(u->outputLagSec, 'f', 1)));
    }
    const double end = std::max(u->timeSec, kWaveformSpanSec);
    m_wavePlot->xAxis->setRange(end - kWaveformSpanSec, end);
    if (hi > lo)
        m_wavePlot->yAxis->setRange(lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo));
    m_wavePlot->replot(QCustomPlot::rpQueuedReplot);

    // Trend with quality shading behind it.
    QVector<double> tx, ty, gx, gy, lx, ly;
    double hrLo = 1e9, hrHi = -1e9;
    const double barWidth = u->trend.size() >= 2
                                ? std::max(0.05, (u->trend.back().timeSec - u->trend.front().timeSec)
                                                     / double(u->trend.size() - 1))
                                : 0.5;
    for (const LiveHrPoint &p : u->trend) {
        tx.push_back(p.timeSec);
        ty.push_back(p.hrBpm);
        if (std::isfinite(p.hrBpm)) {
            hrLo = std::min(hrLo, p.hrBpm);
            hrHi = std::max(hrHi, p.hrBpm);
        }
        if (p.quality == Quality::Good) {
            gx.push_back(p.timeSec);
            gy.push_back(1000);
        } else if (p.quality == Quality::Low) {
            lx.push_back(p.timeSec);
            ly.push_back(1000);
        }
    }
    m_trendGraph->setData(tx, ty, true);
    m_goodBars->setWidth(barWidth);
    m_lowBars->setWidth(barWidth);
    m_goodBars->setData(gx, gy, true);
    m_lowBars->setData(lx, ly, true);
    m_refGraph->setData(m_refX, m_refY, true);
    drawComparison(*u, showHr, &hrLo, &hrHi);
    for (double r : m_refY)
        if (std::isfinite(r)) {
            hrLo = std::min(hrLo, r);
            hrHi = std::max(hrHi, r);
        }
    const double t0 = u->trend.empty() ? 0 : u->trend.front().timeSec;
    m_trendPlot->xAxis->setRange(t0, std::max(u->timeSec, t0 + 30.0));
    if (hrHi >= hrLo)
        m_trendPlot->yAxis->setRange(std::min(50.0, std::floor(hrLo / 10) * 10 - 5),
                                     std::max(110.0, std::ceil(hrHi / 10) * 10 + 5));
    m_trendPlot->replot(QCustomPlot::rpQueuedReplot);

    // Status bar.
    const uint64_t dropped = u->droppedFrames + m_camera->droppedFrames();
    m_fpsLabel->setText(tr("%1 fps").arg(u->processingFps, 0, 'f', 1));
    m_droppedLabel->setText(tr("%n dropped", nullptr, int(std::min<uint64_t>(dropped, INT_MAX))));
    m_deviceLabel->setText(tr("device: %1").arg(u->device.isEmpty() ? tr("CPU") : u->device));
    const QString title = methodTitle(u->method);
    // The model description (architecture, checkpoint, training data) is a long line: it goes in
    // the tooltip, so the permanent widgets never push the status bar wider than the window.
    m_methodLabel->setText(tr("method: %1").arg(title));
    m_methodLabel->setToolTip(u->model.isEmpty() ? tr("Pulse method") : u->model);
}

QColor MainWindow::compareColour(int index) const
{
    // Apart from the estimate's red and the reference's blue.
    static const QColor colours[] = {{30, 150, 80}, {225, 130, 0}, {140, 70, 200}, {0, 150, 165},
                                     {160, 100, 40}, {205, 60, 165}, {110, 110, 110}, {110, 150, 0}};
    const QColor c = colours[index % int(std::size(colours))];
    return isDarkPalette(palette()) ? c.lighter(150) : c;
}

void MainWindow::removeCompareGraphs()
{
    for (QCPGraph *g : std::as_const(m_compareGraphs))
        m_trendPlot->removeGraph(g);
    m_compareGraphs.clear();
}

void MainWindow::drawComparison(const LiveUpdate &u, bool showHr, double *hrLo, double *hrHi)
{
    // One curve per compared method (rebuilt when the set changes).
    bool same = m_compareGraphs.size() == qsizetype(u.compare.size());
    for (size_t i = 0; same && i < u.compare.size(); ++i)
        same = m_compareGraphs[qsizetype(i)]->property("method").toString() == u.compare[i].method;
    if (!same) {
        removeCompareGraphs();
        // With others beside it, the estimate's curve is named by its method too.
        m_trendGraph->setName(u.compare.empty() ? tr("heart rate") : tr("heart rate (%1)").arg(methodTitle(u.method)));
        for (size_t i = 0; i < u.compare.size(); ++i) {
            QCPGraph *g = m_trendPlot->addGraph();
            g->setName(methodTitle(u.compare[i].method));
            g->setProperty("method", u.compare[i].method);
            g->setPen(QPen(compareColour(int(i)), 1.5));
            m_compareGraphs << g;
        }
    }
    QStringList plain, rich;
    for (size_t i = 0; i < u.compare.size(); ++i) {
        const LiveMethodEstimate &m = u.compare[i];
        QVector<double> x, y;
        x.reserve(int(m.trend.size()));
        y.reserve(int(m.trend.size()));
        for (const LiveHrPoint &p : m.trend) {
            x.push_back(p.timeSec);
            y.push_back(p.hrBpm);
            if (std::isfinite(p.hrBpm)) {
                *hrLo = std::min(*hrLo, p.hrBpm);
                *hrHi = std::max(*hrHi, p.hrBpm);
            }
        }
        m_compareGraphs[qsizetype(i)]->setData(x, y, true);

        // Readout line: its current estimate while the main one is shown, its SNR, and with a
        // reference its mean absolute error over the windows the reference curve covers.
        const QString title = m_compareGraphs[qsizetype(i)]->name();
        QString line = title + QStringLiteral(" ")
                       + (showHr && std::isfinite(m.hrBpm) ? tr("%1 bpm").arg(m.hrBpm, 0, 'f', 0) : QStringLiteral("--"));
        if (showHr && std::isfinite(m.snrDb))
            line += QStringLiteral(" · ") + tr("%1 dB").arg(dbForDisplay(m.snrDb), 0, 'f', 1);
        if (!m_refX.isEmpty()) {
            // Each estimate against the reference over its own window (a neural method's ends
            // earlier than a classical one's), within the span the main curve covers.
            double sum = 0;
            int n = 0;
            for (const LiveHrPoint &p : m.trend) {
                if (p.timeSec < m_refX.front() || p.timeSec > m_refX.back() || !std::isfinite(p.hrBpm))
                    continue;
                const double ref = referenceAt(p.timeSec, u.windowSec);
                if (std::isfinite(ref)) {
                    sum += std::abs(p.hrBpm - ref);
                    ++n;
                }
            }
            if (n > 0)
                line += QStringLiteral(" · ") + tr("MAE %1 bpm").arg(sum / n, 0, 'f', 1);
        }
        plain << line;
        const QColor c = compareColour(int(i));
        rich << QStringLiteral("<span style=\"color:%1\">&#9632;</span> %2").arg(c.name(), line.toHtmlEscaped());
    }
    m_compareText = plain.join(QLatin1Char('\n'));
    m_compareLabel->setText(rich.join(QStringLiteral("<br>")));
    m_compareLabel->setVisible(!rich.isEmpty());
}

bool MainWindow::loadReference(const QString &path)
{
    auto loaded = loadVideoReference(path, m_source == SourceKind::File ? m_videoPath : QString());
    if (!loaded.ok()) {
        showMessage(tr("Cannot use %1 as the reference: %2")
                        .arg(QDir::toNativeSeparators(path), loaded.error().message),
                    true);
        return false;
    }
    m_reference = std::move(loaded.value());
    m_referencePath = path;
    resetReferenceCurve();
    // The file is named in the readout's tooltip; the legend keeps short names (it sits above the plot).
    m_refGraph->setName(tr("reference"));
    m_referenceLabel->setToolTip(tr("Reference: %1").arg(QDir::toNativeSeparators(path)));
    m_refGraph->setVisible(true);
    m_refGraph->addToLegend();
    m_referenceLabel->setVisible(true);
    if (m_shownUpdate)
        drawUpdate();
    return true;
}

void MainWindow::clearReference()
{
    m_reference.reset();
    m_referencePath.clear();
    resetReferenceCurve();
    m_refGraph->data()->clear();
    m_refGraph->setVisible(false);
    m_refGraph->removeFromLegend();
    m_referenceLabel->clear();
    m_referenceLabel->setVisible(false);
    m_referenceLabel->setToolTip(QString());
    m_trendPlot->replot(QCustomPlot::rpQueuedReplot);
}

void MainWindow::resetReferenceCurve()
{
    m_refX.clear();
    m_refY.clear();
    m_refErr.clear();
    m_refCache.clear();
}

double MainWindow::referenceAt(double endSec, double windowSec)
{
    if (!m_reference)
        return std::nan("");
    const auto it = m_refCache.find(endSec);
    if (it != m_refCache.end())
        return it->second;
    const double ref = m_reference->windowHr(std::max(0.0, endSec - windowSec), endSec, m_bandLowSpin->value(),
                                             m_bandHighSpin->value());
    if (m_refCache.size() >= 20000)   // a long camera session: forget what is an hour old
        m_refCache.erase(m_refCache.begin(), m_refCache.lower_bound(endSec - 3600.0));
    m_refCache.emplace(endSec, ref);
    return ref;
}

QString MainWindow::referenceText() const { return m_referenceLabel->text(); }

double MainWindow::referenceMaeBpm() const
{
    double sum = 0;
    int n = 0;
    for (double e : m_refErr)
        if (std::isfinite(e)) {
            sum += e;
            ++n;
        }
    return n > 0 ? sum / n : std::nan("");
}

void MainWindow::extendReferenceCurve(const LiveUpdate &u)
{
    if (!m_reference)
        return;
    // Within a session the trend only grows; an earlier end means a new session (seek, restart).
    if (!m_refX.isEmpty() && (u.trend.empty() || u.trend.back().timeSec < m_refX.back()))
        resetReferenceCurve();
    const double last = m_refX.isEmpty() ? -std::numeric_limits<double>::infinity() : m_refX.back();
    for (const LiveHrPoint &p : u.trend) {
        // A face-video method's newest point is replaced until its output advances: keep its
        // error current.
        if (p.timeSec == last && std::isfinite(p.hrBpm) && !m_refErr.isEmpty()) {
            m_refErr.back() = std::isfinite(m_refY.back()) ? std::abs(p.hrBpm - m_refY.back()) : std::nan("");
            continue;
        }
        // Only where there is an estimate to compare: the reference as the estimator sees it, the
        // same window ending at the point's time.
        if (p.timeSec <= last || !std::isfinite(p.hrBpm))
            continue;
        const double ref = referenceAt(p.timeSec, u.windowSec);
        m_refX.push_back(p.timeSec);
        m_refY.push_back(ref);
        m_refErr.push_back(std::isfinite(ref) ? std::abs(p.hrBpm - ref) : std::nan(""));
    }
}

void MainWindow::drawTransport()
{
    const bool file = m_source == SourceKind::File && m_player;
    m_playAction->setEnabled(file);
    if (file) {
        const bool playing = m_player->isPlaying();
        if (m_playIconPlaying != int(playing)) {
            m_playIconPlaying = int(playing);
            m_playAction->setIcon(transportIcon(playing, palette().color(QPalette::ButtonText)));
        }
        m_playAction->setText(playing ? tr("Pause") : tr("Play"));
        const double duration = m_player->durationSec();
        const double pos = m_player->positionSec();
        if (!m_seeking && duration > 0)
            m_seekSlider->setValue(int(std::clamp(pos / duration, 0.0, 1.0) * 1000));
        m_timeLabel->setText(QStringLiteral(" %1 / %2 ").arg(formatTime(pos), formatTime(duration)));
        const double analysed = m_shownUpdate ? m_shownUpdate->timeSec : 0.0;
        const bool done = m_shownUpdate && m_shownUpdate->endOfStream;
        m_progressBar->setValue(done ? 1000 : duration > 0 ? int(std::clamp(analysed / duration, 0.0, 1.0) * 1000) : 0);
    } else {
        m_timeLabel->setText(m_source == SourceKind::Camera ? tr(" live ") : QStringLiteral(" 0:00 / 0:00 "));
        m_progressBar->setValue(0);
    }
    m_progressBar->setEnabled(file);
}

void MainWindow::clearDisplays()
{
    m_latestFrame.reset();
    m_shownFrame.reset();
    m_latestUpdate.reset();
    m_shownUpdate.reset();
    m_videoView->clear();
    m_enhancedView->clear();
    m_overlayView->clear();
    m_waveGraph->data()->clear();
    m_beatGraph->data()->clear();
    m_lagBand->setVisible(false);
    m_lagText->setVisible(false);
    m_trendGraph->data()->clear();
    m_trendGraph->setName(tr("heart rate"));
    m_goodBars->data()->clear();
    m_lowBars->data()->clear();
    resetReferenceCurve();
    m_refGraph->data()->clear();
    m_referenceLabel->clear();
    removeCompareGraphs();
    m_compareText.clear();
    m_compareLabel->clear();
    m_compareLabel->setVisible(false);
    m_wavePlot->replot(QCustomPlot::rpQueuedReplot);
    m_trendPlot->replot(QCustomPlot::rpQueuedReplot);
    m_hrLabel->setText(QStringLiteral("--"));
    m_stateLabel->setText(m_source == SourceKind::None ? tr("No source") : tr("Starting…"));
    m_qualityLabel->clear();
    m_breathingLabel->clear();
    m_hrvLabel->clear();
    m_warmupBar->setVisible(false);
    m_fpsLabel->setText(tr("– fps"));
    m_droppedLabel->setText(tr("%n dropped", nullptr, 0));
    m_methodLabel->setText(tr("method: %1").arg(methodTitle(method())));
    if (m_deviceLabel->text().isEmpty())
        m_deviceLabel->setText(tr("device: %1").arg(tr("CPU")));
}

void MainWindow::showMessage(const QString &text, bool error)
{
    m_messageLabel->setText(text);
    QPalette p = m_messageLabel->palette();
    p.setColor(QPalette::WindowText, error ? QColor(215, 60, 50) : palette().color(QPalette::WindowText));
    m_messageLabel->setPalette(p);
    statusBar()->showMessage(text, error ? 0 : 8000);
    if (error)
        qCWarning(lcUi).noquote() << text;
}

void MainWindow::applyPlotStyle()
{
    stylePlot(m_wavePlot, palette());
    stylePlot(m_trendPlot, palette());
    const bool dark = isDarkPalette(palette());
    m_waveGraph->setPen(QPen(dark ? QColor(255, 110, 110) : QColor(205, 40, 50), 1.6));
    QColor band = palette().color(QPalette::WindowText);
    band.setAlpha(28);
    m_lagBand->setBrush(band);
    m_lagText->setColor(palette().color(QPalette::PlaceholderText));
    m_trendGraph->setPen(QPen(dark ? QColor(255, 110, 110) : QColor(205, 40, 50), 2));
    m_refGraph->setPen(QPen(dark ? QColor(120, 190, 255) : QColor(30, 90, 200), 1.6, Qt::DashLine));
    for (qsizetype i = 0; i < m_compareGraphs.size(); ++i)
        m_compareGraphs[i]->setPen(QPen(compareColour(int(i)), 1.5));
    m_wavePlot->replot(QCustomPlot::rpQueuedReplot);
    m_trendPlot->replot(QCustomPlot::rpQueuedReplot);
}

void MainWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange && m_wavePlot) {
        applyPlotStyle();
        m_playIconPlaying = -1;   // redrawn in the new text colour
        drawUpdate();
    }
    QMainWindow::changeEvent(event);
}

// ---- exports --------------------------------------------------------------------------------

QString MainWindow::chooseExportPath(const QString &title, const QString &filter, const QString &suffix)
{
    const QString base = m_sourceName.isEmpty() ? QStringLiteral("rppg") : QFileInfo(m_sourceName).completeBaseName();
    QString path = QFileDialog::getSaveFileName(this, title,
                                                QDir(m_settings.lastDirectory()).filePath(base + QLatin1Char('.') + suffix),
                                                filter);
    if (!path.isEmpty() && QFileInfo(path).suffix().isEmpty())
        path += QLatin1Char('.') + suffix;
    return path;
}

void MainWindow::startExport(const QString &path, std::function<QString()> job)
{
    auto *watcher = new QFutureWatcher<QString>(this);
    m_exports << watcher;
    connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher, path] {
        const QString error = watcher->result();
        m_exports.removeAll(watcher);
        watcher->deleteLater();
        if (error.isEmpty())
            showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)), false);
        else
            showMessage(error, true);
        Q_EMIT exportFinished(error.isEmpty(), path, error.isEmpty() ? tr("saved") : error);
    });
    watcher->setFuture(QtConcurrent::run(std::move(job)));
}

void MainWindow::exportCsv(const QString &path)
{
    LiveAnalyzer *analyzer = m_analyzer;   // outlives the job: shutdown() waits for exports
    // The reference (if one is shown) goes into the file too: its HR beside each estimate; and the
    // compared methods' live estimates of this session.
    std::vector<ComparedEstimates> compared;
    const LiveUpdatePtr latest = m_latestUpdate ? m_latestUpdate : m_shownUpdate;
    if (latest)
        for (const LiveMethodEstimate &m : latest->compare) {
            ComparedEstimates c;
            c.method = m.method;
            for (const LiveHrPoint &p : m.trend) {
                c.timeSec.push_back(p.timeSec);
                c.hrBpm.push_back(p.hrBpm);
                c.snrDb.push_back(p.snrDb);
            }
            compared.push_back(std::move(c));
        }
    startExport(path, [analyzer, path, reference = m_reference, referencePath = m_referencePath,
                       compared = std::move(compared)]() -> QString {
        const LiveSession session = analyzer->sessionSnapshot();
        const auto result = buildSessionResult(session);
        if (!result.ok())
            return MainWindow::tr("Nothing to export yet: %1").arg(result.error().message);
        std::optional<ReferenceScore> score;
        if (reference)
            score = scoreAgainstReference(*reference, referencePath, result->signal, result->config);
        const Error e = writeAnalysisCsv(path, result.value(), score ? &*score : nullptr, compared);
        return e.isError() ? e.message : QString();
    });
}

void MainWindow::exportPlots(const QString &path)
{
    // Rendering happens here (widgets live in this thread); only the file write goes to the pool.
    const bool pdf = QFileInfo(path).suffix().compare(QLatin1String("pdf"), Qt::CaseInsensitive) == 0;
    const int w = std::max(800, m_wavePlot->width());
    const int h = std::max(300, m_wavePlot->height());
    QByteArray bytes;
    if (pdf) {
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        QPdfWriter writer(&buffer);
        writer.setTitle(tr("rPPG Studio plots: %1").arg(m_sourceName));
        writer.setCreator(QStringLiteral("rPPG Studio"));
        writer.setPageSize(QPageSize(QSizeF(w, 2 * h), QPageSize::Point));
        writer.setPageMargins(QMarginsF(0, 0, 0, 0));
        writer.setResolution(72);
        QCPPainter painter(&writer);
        painter.setMode(QCPPainter::pmVectorized);
        painter.setMode(QCPPainter::pmNoCaching);
        painter.setMode(QCPPainter::pmNonCosmetic);
        m_wavePlot->toPainter(&painter, w, h);
        painter.translate(0, h);
        m_trendPlot->toPainter(&painter, w, h);
        painter.end();
    } else {
        QImage image(w, 2 * h, QImage::Format_ARGB32);
        image.fill(palette().color(QPalette::Base));
        QCPPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        m_wavePlot->toPainter(&painter, w, h);
        painter.translate(0, h);
        m_trendPlot->toPainter(&painter, w, h);
        painter.end();
        bytes = encodeImage(image, "PNG");
    }
    startExport(path, [path, bytes]() { return writeAtomically(path, bytes); });
}

void MainWindow::exportSnapshot(const QString &path)
{
    const QImage image = grab().toImage();
    startExport(path, [path, image]() { return writeAtomically(path, encodeImage(image, "PNG")); });
}

QString MainWindow::hrText() const { return m_hrLabel->text(); }
QString MainWindow::hrvText() const { return m_hrvLabel->text(); }
QString MainWindow::breathingText() const { return m_breathingLabel->text(); }
QString MainWindow::stateText() const { return m_stateLabel->text(); }
QString MainWindow::endOfFileText() const
{
    // The typical rate of the file: the median of the trend's good estimates, as the CLI's
    // ok-window median (the trend keeps the last trendSec, 30 min by default).
    std::vector<double> good;
    int estimates = 0;
    for (const LiveHrPoint &p : m_latestUpdate->trend) {
        estimates += p.quality != Quality::NoSignal;
        if (p.quality == Quality::Good && std::isfinite(p.hrBpm))
            good.push_back(p.hrBpm);
    }
    if (good.empty())
        return tr("%1 analysed to the end; no estimate was good enough for a typical rate.").arg(m_sourceName);
    // As the CLI's warning (fewOkWarning): a median of a few good estimates among many low ones is
    // no rate to give.
    if (2 * int(good.size()) < estimates)
        return tr("%1 analysed to the end: only %n of %2 estimate(s) good, no typical rate to trust (no pulse, or "
                  "too much noise, compression or motion).",
                  nullptr, int(good.size()))
            .arg(m_sourceName, QString::number(estimates));
    const auto [lo, hi] = std::minmax_element(good.begin(), good.end());
    return tr("%1 analysed to the end: typical %2 bpm (median of %n good estimate(s), %3–%4 bpm).", nullptr,
              int(good.size()))
        .arg(m_sourceName, QString::number(dsp::median(good), 'f', 0), QString::number(*lo, 'f', 0),
             QString::number(*hi, 'f', 0));   // one pass: a '%2' in the file name stays as it is
}

QString MainWindow::messageText() const { return m_messageLabel->text(); }
int MainWindow::waveformPointCount() const { return m_waveGraph->data()->size(); }

double MainWindow::waveformLagShownSec() const
{
    return m_lagBand->visible() ? m_lagBand->bottomRight->coords().x() - m_lagBand->topLeft->coords().x() : 0.0;
}
int MainWindow::trendPointCount() const { return m_trendGraph->data()->size(); }
bool MainWindow::hasVideoFrame() const { return !m_videoView->image().isNull(); }

void MainWindow::setOverlayVisible(bool visible) { m_overlayCheck->setChecked(visible); }
bool MainWindow::overlayVisible() const { return m_overlayCheck->isChecked(); }
bool MainWindow::overlayShown() const { return m_videoView->overlayShown() || m_overlayView->overlayShown(); }

// ---- desktop habits -------------------------------------------------------------------------

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.first().isLocalFile())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.first().isLocalFile()) {
        openFile(urls.first().toLocalFile());
        event->acceptProposedAction();
    }
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList files = m_settings.recentFiles();
    for (const QString &f : files) {
        QAction *a = m_recentMenu->addAction(QFileInfo(f).fileName(), this, [this, f] { openFile(f); });
        a->setToolTip(QDir::toNativeSeparators(f));
        a->setEnabled(QFileInfo::exists(f));
    }
    if (files.isEmpty())
        m_recentMenu->addAction(tr("(none)"))->setEnabled(false);
    m_recentMenu->addSeparator();
    m_recentMenu->addAction(tr("Clear list"), this, [this] { m_settings.clearRecentFiles(); });
}

bool MainWindow::startRecording(const QString &path)
{
    if (const Error e = m_recorder.start(path, configFromControls().compareMethods); e.isError()) {
        showMessage(tr("Cannot record: %1").arg(e.message), true);
        return false;
    }
    m_recordAction->setChecked(true);
    m_recordLabel->setText(tr("● Recording to %1").arg(QFileInfo(path).fileName()));
    m_recordLabel->setToolTip(QDir::toNativeSeparators(path));
    m_recordLabel->setVisible(true);
    if (!m_recorder.recoveredPath().isEmpty())
        showMessage(tr("Recording to %1. An interrupted earlier recording to that file was kept as %2.")
                        .arg(QDir::toNativeSeparators(path), QDir::toNativeSeparators(m_recorder.recoveredPath())),
                    false);
    else
        showMessage(tr("Recording the session to %1 (saved every second).").arg(QDir::toNativeSeparators(path)), false);
    return true;
}

void MainWindow::stopRecording()
{
    if (!m_recorder.isRecording())
        return;
    const int64_t rows = m_recorder.rowsWritten();
    const QString path = m_recorder.path();
    m_recordAction->setChecked(false);
    m_recordLabel->setVisible(false);
    if (const Error e = m_recorder.finish(); e.isError())
        showMessage(tr("The recording could not be completed: %1").arg(e.message), true);
    else
        showMessage(tr("Recorded %n sample(s) to %1.", nullptr, int(rows)).arg(QDir::toNativeSeparators(path)), false);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    m_settings.setWindowGeometry(saveGeometry());
    m_settings.setWindowState(saveState());
    shutdown();
    QMainWindow::closeEvent(event);
}

void MainWindow::shutdown()
{
    if (m_shutDown)
        return;
    m_shutDown = true;
    m_redrawTimer->stop();
    m_applyTimer->stop();
    // Order matters: the camera stops delivering, the decoder is asked to stop, the analyzer's
    // stop releases a decoder blocked in a back-pressure submit and joins the worker, then the
    // decoder thread is joined; running exports hold the analyzer, so they finish first.
    m_camera->stop();
    if (m_player)
        m_player->requestStop();
    for (QFutureWatcher<QString> *w : m_exports)
        w->waitForFinished();
    m_analyzer->stop();
    retirePlayer();
    stopRecording();
}

} // namespace rppg
