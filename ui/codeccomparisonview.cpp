#include "codeccomparisonview.h"

#include "codecreport.h"
#include "codecstudy.h"
#include "signalanalyzer.h"
#include "frameprocessor.h"
#include "qcp.h"
#include "videofilesource.h"

#include <opencv2/imgproc.hpp>

#include <QAbstractTableModel>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMouseEvent>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSlider>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextDocument>
#include <QTimer>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <optional>

namespace rppg {

namespace codecview {

// ---- Values that cross threads ---------------------------------------------------------------

struct ProgressState
{
    std::mutex mutex;
    QString stage;
    double fraction = 0;
};

struct StudyOutcome
{
    std::shared_ptr<const CodecStudyResult> study;
    Error error;
};

struct FrameBatch
{
    quint64 generation = 0;
    int index = -1;
    std::vector<QImage> images;   // source, then variants; null where a frame is missing
};

struct StvenOutcome
{
    quint64 generation = 0;
    QImage enhanced;
    QString method;
    int frame = -1;
    QString reason;   // why there is no picture
};

struct ExportOutcome
{
    bool ok = false;
    QString message;
};

namespace {

QImage toQImage(const cv::Mat &bgr)
{
    if (bgr.empty() || bgr.type() != CV_8UC3)
        return {};
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    return QImage(rgb.data, rgb.cols, rgb.rows, int(rgb.step), QImage::Format_RGB888).copy();
}

QString fmt(double v, int decimals)
{
    return std::isfinite(v) ? QString::number(v, 'f', decimals) : QStringLiteral("—");
}

QColor variantColor(int variantIndex)
{
    static const QColor palette[] = {QColor(0x1f77b4), QColor(0xd62728), QColor(0x2ca02c), QColor(0xff7f0e),
                                     QColor(0x9467bd), QColor(0x8c564b), QColor(0xe377c2), QColor(0x17becf),
                                     QColor(0xbcbd22), QColor(0x7f7f7f)};
    return palette[variantIndex % int(sizeof(palette) / sizeof(palette[0]))];
}

// "250k, 1.5M, 800000" → bits per second; 0 on a bad item.
int64_t parseRate(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("^\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([kKmM]?)\\s*(?:b/s|bps)?\\s*$"));
    const auto m = re.match(text);
    if (!m.hasMatch())
        return 0;
    double v = m.captured(1).toDouble();
    const QString unit = m.captured(2).toLower();
    if (unit == QLatin1String("k"))
        v *= 1e3;
    else if (unit == QLatin1String("m"))
        v *= 1e6;
    return int64_t(std::llround(v));
}

} // namespace

// ---- Decoders for scrubbing: the source and every variant, one fetch at a time ------------------

class DecoderSet
{
public:
    Error open(const CodecStudyResult &study, const QString &sourcePath)
    {
        m_crop = study.sourceCrop;
        m_fps = study.source.nominalFps > 0 ? study.source.nominalFps : 30.0;
        QStringList paths{sourcePath};
        for (const VariantResult &v : study.variants)
            paths << v.path;
        for (const QString &p : paths) {
            auto dec = std::make_unique<VideoFileSource>();
            if (p.isEmpty() || dec->open(p).isError())
                dec.reset();   // shown as a missing frame
            m_decoders.push_back(std::move(dec));
            m_next.push_back(0);
        }
        return {};
    }

    std::vector<QImage> fetch(int index)
    {
        std::vector<QImage> out;
        for (size_t k = 0; k < m_decoders.size(); ++k) {
            VideoFileSource *dec = m_decoders[k].get();
            if (!dec) {
                out.emplace_back();
                continue;
            }
            if (m_next[k] != index) {
                // Seek a quarter frame early: the next read gives the first frame at or after it.
                if (!dec->seek(std::max(0.0, (index - 0.25) / m_fps))) {
                    out.emplace_back();
                    continue;
                }
            }
            VideoFrame f;
            bool got = false;
            const int64_t wanted = int64_t(std::llround(index * 1e6 / m_fps));
            for (int guard = 0; guard < 600 && dec->read(f) == ReadStatus::Frame; ++guard) {
                if (f.ptsUs + int64_t(0.5e6 / m_fps) >= wanted) {
                    got = true;
                    break;
                }
            }
            m_next[k] = got ? index + 1 : -1;
            if (!got) {
                out.emplace_back();
                continue;
            }
            cv::Mat bgr = f.bgr;
            if (bgr.size() != m_crop.size() && (m_crop & cv::Rect(0, 0, bgr.cols, bgr.rows)) == m_crop)
                bgr = bgr(m_crop);
            out.push_back(toQImage(bgr));
        }
        return out;
    }

private:
    std::vector<std::unique_ptr<VideoFileSource>> m_decoders;
    std::vector<int> m_next;
    cv::Rect m_crop;
    double m_fps = 30;
};

// ---- One picture with a caption ---------------------------------------------------------------

class FrameTile : public QWidget
{
public:
    explicit FrameTile(QWidget *parent = nullptr) : QWidget(parent)
    {
        setMinimumSize(160, 150);
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    }

    void setTitle(const QString &title)
    {
        m_title = title;
        update();
    }
    void setCaption(const QString &caption)
    {
        m_caption = caption;
        setToolTip(m_title + QLatin1Char('\n') + caption);
        update();
    }
    void setImage(const QImage &image)
    {
        m_image = image;
        m_placeholder.clear();
        update();
    }
    void setPlaceholder(const QString &text)
    {
        m_image = QImage();
        m_placeholder = text;
        update();
    }
    void setFocusRect(const QRectF &rect)   // image coordinates; empty = the whole picture
    {
        m_focus = rect;
        update();
    }
    void setHighlighted(bool on, const QColor &colour = QColor(0xd62728))
    {
        m_highlight = on;
        m_highlightColour = colour;
        update();
    }
    void setAccent(const QColor &colour)
    {
        m_accent = colour;
        update();
    }
    bool hasImage() const { return !m_image.isNull(); }
    QImage image() const { return m_image; }
    QSize sizeHint() const override { return {260, 230}; }

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        p.setRenderHint(QPainter::SmoothPixmapTransform);
        const QFontMetrics fm(font());
        const int line = fm.height();
        const QRect titleRect(4, 2, width() - 8, line);
        const QRect captionRect(4, height() - 2 * line - 2, width() - 8, 2 * line);
        const QRect picture(2, titleRect.bottom() + 3, width() - 4, captionRect.top() - titleRect.bottom() - 6);

        QFont bold = font();
        bold.setBold(true);
        p.setFont(bold);
        p.setPen(m_accent.isValid() ? m_accent : palette().color(QPalette::WindowText));
        p.drawText(titleRect, Qt::AlignLeft | Qt::AlignVCenter, fm.elidedText(m_title, Qt::ElideRight, titleRect.width()));
        p.setFont(font());
        p.setPen(palette().color(QPalette::WindowText));
        p.drawText(captionRect, Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, m_caption);

        p.fillRect(picture, palette().color(QPalette::Base).darker(110));
        if (!m_image.isNull()) {
            QRectF src = m_focus.isEmpty() ? QRectF(m_image.rect()) : m_focus.intersected(QRectF(m_image.rect()));
            if (src.isEmpty())
                src = m_image.rect();
            QSizeF target = src.size();
            target.scale(picture.size(), Qt::KeepAspectRatio);
            const QRectF dst(picture.x() + (picture.width() - target.width()) / 2,
                             picture.y() + (picture.height() - target.height()) / 2, target.width(), target.height());
            p.drawImage(dst, m_image, src);
        } else if (!m_placeholder.isEmpty()) {
            p.setPen(palette().color(QPalette::PlaceholderText));
            p.drawText(picture.adjusted(6, 6, -6, -6), Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
        }
        if (m_highlight) {
            p.setPen(QPen(m_highlightColour, 3));
            p.setBrush(Qt::NoBrush);
            p.drawRect(picture.adjusted(1, 1, -2, -2));
        }
    }

private:
    QString m_title;
    QString m_caption;
    QString m_placeholder;
    QImage m_image;
    QRectF m_focus;
    bool m_highlight = false;
    QColor m_highlightColour;
    QColor m_accent;
};

// ---- The HR table: one row per variant (source included) and method --------------------------

class ResultsModel : public QAbstractTableModel
{
public:
    // Heart-rate columns first: they are what the view is for.
    enum Column { Variant, Method, Hr, OkWindows, ReferenceHr, HrError, AbsHrError, Psnr, Ssim, AchievedKbps,
                  TargetKbps, WindowMae, Snr, Codec, ColumnCount };

    using QAbstractTableModel::QAbstractTableModel;

    void setStudy(std::shared_ptr<const CodecStudyResult> study)
    {
        beginResetModel();
        m_study = std::move(study);
        m_rows.clear();
        if (m_study) {
            for (int v = -1; v < int(m_study->variants.size()); ++v)
                for (int m = 0; m < m_study->methods.size(); ++m)
                    m_rows.push_back({v, m});
        }
        endResetModel();
    }

    int rowCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : int(m_rows.size()); }
    int columnCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : ColumnCount; }

    QVariant headerData(int section, Qt::Orientation orientation, int role) const override
    {
        if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
            return QAbstractTableModel::headerData(section, orientation, role);
        switch (section) {
        case Variant: return CodecComparisonView::tr("Variant");
        case Codec: return CodecComparisonView::tr("Codec");
        case TargetKbps: return CodecComparisonView::tr("Target kb/s");
        case AchievedKbps: return CodecComparisonView::tr("Achieved kb/s");
        case Psnr: return CodecComparisonView::tr("PSNR (dB)");
        case Ssim: return CodecComparisonView::tr("SSIM");
        case Method: return CodecComparisonView::tr("Method");
        case Hr: return CodecComparisonView::tr("HR (bpm)");
        case ReferenceHr: return CodecComparisonView::tr("Reference HR (bpm)");
        case HrError: return CodecComparisonView::tr("HR error (bpm)");
        case AbsHrError: return CodecComparisonView::tr("|HR error| (bpm)");
        case WindowMae: return CodecComparisonView::tr("Window MAE (bpm)");
        case Snr: return CodecComparisonView::tr("SNR (dB)");
        case OkWindows: return CodecComparisonView::tr("OK windows");
        }
        return {};
    }

    QVariant data(const QModelIndex &index, int role) const override
    {
        if (!m_study || !index.isValid() || index.row() >= int(m_rows.size()))
            return {};
        const auto [vi, mi] = m_rows[size_t(index.row())];
        const VariantResult &v = vi < 0 ? m_study->original : m_study->variants[size_t(vi)];
        const QString methodName = m_study->methods.value(mi);
        const MethodOutcome *o = v.outcome(methodName);
        const WindowCounts counts = o ? o->counts() : WindowCounts{};
        const double nan = std::numeric_limits<double>::quiet_NaN();
        auto number = [&](int column) -> double {
            switch (column) {
            case TargetKbps: return v.isSource() ? nan : v.setting.bitrateBps / 1000.0;
            case AchievedKbps: return v.isSource() ? nan : v.encode.achievedBitrateBps / 1000.0;
            case Psnr: return v.meanPsnrDb;
            case Ssim: return v.meanSsim;
            case Hr: return o ? o->signal.hrBpm : nan;
            case ReferenceHr: return o ? o->referenceHrBpm : nan;
            case HrError: return o ? o->hrErrorBpm : nan;
            case AbsHrError: return o ? std::abs(o->hrErrorBpm) : nan;
            case WindowMae: return o ? o->windowMaeBpm : nan;
            case Snr: return o ? o->signal.snrDb : nan;
            case OkWindows: return counts.okShare();
            }
            return nan;
        };
        const int c = index.column();
        if (role == Qt::DisplayRole) {
            switch (c) {
            case Variant: return v.isSource() ? CodecComparisonView::tr("original") : v.setting.label();
            case Codec: return v.isSource() ? QString() : v.setting.codec;
            case Method: {
                const MethodInfo *info = MethodRegistry::instance().find(methodName);
                return info ? info->title : methodName;
            }
            case Ssim: return fmt(number(c), 3);
            case TargetKbps:
                if (!v.isSource() && v.setting.bitrateBps <= 0)
                    return CodecComparisonView::tr("CRF %1").arg(v.setting.crf);
                return fmt(number(c), 0);
            case AchievedKbps: return fmt(number(c), 0);
            case OkWindows:
                if (counts.estimates == 0)
                    return fmt(nan, 0);
                return CodecComparisonView::tr("%1 of %2").arg(counts.good).arg(counts.estimates);
            default: return fmt(number(c), c == HrError || c == AbsHrError || c == WindowMae ? 2 : 1);
            }
        }
        if (role == Qt::UserRole) {   // sort key
            switch (c) {
            case Variant: return QStringLiteral("%1 %2").arg(vi + 1, 3, 10, QLatin1Char('0')).arg(methodName);
            case Codec: return v.setting.codec;
            case Method: return QStringLiteral("%1 %2").arg(mi, 3, 10, QLatin1Char('0')).arg(vi + 1, 3, 10, QLatin1Char('0'));
            default: {
                const double x = number(c);
                return std::isfinite(x) ? x : -1e300;
            }
            }
        }
        if (role == Qt::TextAlignmentRole)
            return c == Variant || c == Codec || c == Method ? int(Qt::AlignLeft | Qt::AlignVCenter)
                                                             : int(Qt::AlignRight | Qt::AlignVCenter);
        if (role == Qt::ForegroundRole && c == Variant && !v.isSource())
            return variantColor(vi);
        // A heart rate from a recording with under half of its windows ok is not to be trusted.
        if (counts.fewOk() && (c == Hr || c == OkWindows)) {
            if (role == Qt::ForegroundRole)
                return QColor(0xb3, 0x6b, 0x00);
            if (role == Qt::ToolTipRole)
                return fewOkWarning(o->signal);
        }
        return {};
    }

private:
    std::shared_ptr<const CodecStudyResult> m_study;
    std::vector<std::pair<int, int>> m_rows;   // variant (-1 = original), method
};

} // namespace codecview

using namespace codecview;

// ================================================================================================

CodecComparisonView::CodecComparisonView(QWidget *parent)
    : QWidget(parent), m_analysis(std::make_unique<AnalysisConfig>())
{
    m_progressTimer = new QTimer(this);
    m_progressTimer->setInterval(100);
    connect(m_progressTimer, &QTimer::timeout, this, &CodecComparisonView::onProgressTick);
    connect(&m_studyWatcher, &QFutureWatcherBase::finished, this, &CodecComparisonView::onStudyFinished);
    connect(&m_fetchWatcher, &QFutureWatcherBase::finished, this, &CodecComparisonView::onFramesFetched);
    connect(&m_stvenWatcher, &QFutureWatcherBase::finished, this, &CodecComparisonView::onStvenFinished);
    connect(&m_exportWatcher, &QFutureWatcherBase::finished, this, &CodecComparisonView::onExportFinished);
    buildUi();
    setState(State::Idle);
    showMessage(MessageKind::Info, tr("Choose a video, codecs, bit rates and methods, then press Compare."));
}

CodecComparisonView::~CodecComparisonView()
{
    if (m_cancel)
        m_cancel->store(true);
    if (m_stvenCancel)
        m_stvenCancel->store(true);
    m_studyWatcher.waitForFinished();
    m_fetchWatcher.waitForFinished();
    m_stvenWatcher.waitForFinished();
    m_exportWatcher.waitForFinished();
    m_decoders.reset();
    // m_workRoot (a QTemporaryDir) removes every variant kept for scrubbing.
}

// ---- Building --------------------------------------------------------------------------------

void CodecComparisonView::buildUi()
{
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(buildSettingsPanel());
    split->addWidget(buildResultsPanel());
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);
    split->setSizes({300, 1000});
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(split);
}

QWidget *CodecComparisonView::buildSettingsPanel()
{
    auto *panel = new QWidget;
    auto *outer = new QVBoxLayout(panel);
    outer->setContentsMargins(0, 0, 0, 0);

    m_settingsWidgets = new QWidget;
    auto *form = new QVBoxLayout(m_settingsWidgets);
    form->setContentsMargins(0, 0, 0, 0);

    auto *sourceBox = new QGroupBox(tr("Video"));
    auto *sourceLayout = new QHBoxLayout(sourceBox);
    m_sourceEdit = new QLineEdit;
    m_sourceEdit->setPlaceholderText(tr("Video file"));
    m_sourceEdit->setClearButtonEnabled(true);
    m_currentButton = new QToolButton;
    m_currentButton->setText(tr("Current"));
    m_currentButton->setToolTip(tr("Use the video open in the main window"));
    m_currentButton->setEnabled(false);
    m_browseButton = new QToolButton;
    m_browseButton->setText(tr("…"));
    m_browseButton->setToolTip(tr("Choose another video"));
    sourceLayout->addWidget(m_sourceEdit, 1);
    sourceLayout->addWidget(m_currentButton);
    sourceLayout->addWidget(m_browseButton);
    connect(m_currentButton, &QToolButton::clicked, this, [this] { m_sourceEdit->setText(m_currentVideo); });
    connect(m_browseButton, &QToolButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("Choose a video"), QFileInfo(m_sourceEdit->text()).path(),
                                                          tr("Videos (*.mp4 *.mkv *.avi *.mov *.webm);;All files (*)"));
        if (!file.isEmpty())
            m_sourceEdit->setText(file);
    });
    form->addWidget(sourceBox);

    auto *codecBox = new QGroupBox(tr("Codecs and bit rates"));
    auto *codecLayout = new QVBoxLayout(codecBox);
    const std::pair<const char *, QString> codecs[] = {
        {"x264", tr("H.264 (x264)")}, {"x265", tr("H.265 / HEVC (x265)")}, {"mpeg4", tr("MPEG-4 Part 2")}};
    for (const auto &[key, title] : codecs) {
        auto *box = new QCheckBox(title);
        box->setProperty("codec", QString::fromLatin1(key));
        box->setChecked(true);
        codecLayout->addWidget(box);
        m_codecBoxes.push_back(box);
    }
    m_bitratesEdit = new QLineEdit(QStringLiteral("250k, 500k, 1000k"));
    m_bitratesEdit->setToolTip(tr("Target bit rates, separated by commas (k = 1000 bit/s, M = 1000000 bit/s)"));
    auto *rateForm = new QFormLayout;
    rateForm->addRow(tr("Bit rates:"), m_bitratesEdit);
    codecLayout->addLayout(rateForm);
    form->addWidget(codecBox);

    auto *methodBox = new QGroupBox(tr("Methods"));
    auto *methodLayout = new QVBoxLayout(methodBox);
    for (const QString &name : MethodRegistry::instance().names()) {
        const MethodInfo *info = MethodRegistry::instance().find(name);
        auto *box = new QCheckBox(info ? info->title : name);
        box->setProperty("method", name);
        if (info)
            box->setToolTip(info->description);
        box->setChecked(info && info->input == MethodInput::RgbTrace && name == QLatin1String("pos"));
        methodLayout->addWidget(box);
        m_methodBoxes.push_back(box);
    }
    form->addWidget(methodBox);
    outer->addWidget(m_settingsWidgets);

    auto *buttons = new QHBoxLayout;
    m_runButton = new QPushButton(tr("Compare"));
    m_runButton->setDefault(true);
    m_cancelButton = new QPushButton(tr("Cancel"));
    buttons->addWidget(m_runButton);
    buttons->addWidget(m_cancelButton);
    outer->addLayout(buttons);
    connect(m_runButton, &QPushButton::clicked, this, &CodecComparisonView::startComparison);
    connect(m_cancelButton, &QPushButton::clicked, this, &CodecComparisonView::cancelComparison);

    m_progressBar = new QProgressBar;
    m_progressBar->setRange(0, 1000);
    m_progressBar->setValue(0);
    m_progressBar->setTextVisible(true);
    outer->addWidget(m_progressBar);

    m_exportButton = new QPushButton(tr("Export report…"));
    m_exportButton->setToolTip(tr("Write the HTML report, tables and figures that `rppg compare-codecs` writes"));
    connect(m_exportButton, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder for the report"));
        if (!dir.isEmpty())
            exportReport(dir);
    });
    outer->addWidget(m_exportButton);

    m_messageLabel = new QLabel;
    m_messageLabel->setWordWrap(true);
    m_messageLabel->setTextFormat(Qt::RichText);
    m_messageLabel->setTextInteractionFlags(Qt::TextBrowserInteraction);
    outer->addWidget(m_messageLabel);
    m_summaryLabel = new QLabel;
    m_summaryLabel->setWordWrap(true);
    m_summaryLabel->setTextFormat(Qt::RichText);
    outer->addWidget(m_summaryLabel);
    outer->addStretch(1);
    return panel;
}

QWidget *CodecComparisonView::buildResultsPanel()
{
    auto *vsplit = new QSplitter(Qt::Vertical);

    // Tiles and scrubbing.
    auto *top = new QWidget;
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    m_tileHost = new QWidget;
    m_tileGrid = new QGridLayout(m_tileHost);
    m_tileGrid->setContentsMargins(0, 0, 0, 0);
    m_tileGrid->setSpacing(4);
    auto *scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(m_tileHost);
    topLayout->addWidget(scroll, 1);

    auto *scrub = new QHBoxLayout;
    m_frameSlider = new QSlider(Qt::Horizontal);
    m_frameSlider->setEnabled(false);
    m_frameSlider->setToolTip(tr("Frame shown in every tile"));
    m_frameLabel = new QLabel(tr("No comparison yet"));
    m_frameLabel->setMinimumWidth(m_frameLabel->fontMetrics().horizontalAdvance(QStringLiteral("Frame 00000 / 00000 (000.00 s)")));
    m_zoomButton = new QToolButton;
    m_zoomButton->setText(tr("Zoom on face"));
    m_zoomButton->setCheckable(true);
    m_zoomButton->setChecked(true);
    m_zoomSlider = new QSlider(Qt::Horizontal);
    m_zoomSlider->setRange(100, 400);
    m_zoomSlider->setValue(100);
    m_zoomSlider->setMaximumWidth(120);
    m_zoomSlider->setToolTip(tr("Magnification"));
    m_methodCombo = new QComboBox;
    m_methodCombo->setToolTip(tr("Method for the waveforms, the captions and the worst variant"));
    scrub->addWidget(m_frameSlider, 1);
    scrub->addWidget(m_frameLabel);
    scrub->addWidget(m_zoomButton);
    scrub->addWidget(m_zoomSlider);
    scrub->addWidget(new QLabel(tr("Method:")));
    scrub->addWidget(m_methodCombo);
    topLayout->addLayout(scrub);
    connect(m_frameSlider, &QSlider::valueChanged, this, &CodecComparisonView::setCurrentFrame);
    connect(m_zoomButton, &QToolButton::toggled, this, &CodecComparisonView::applyZoom);
    connect(m_zoomSlider, &QSlider::valueChanged, this, &CodecComparisonView::applyZoom);
    connect(m_methodCombo, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_study)
            return;
        fillWaveformPlot();
        updateTileCaptions();
        requestStven();   // the worst variant depends on the method
    });
    // Enhancement follows the frame where scrubbing stops (neural methods are slow on a CPU).
    connect(m_frameSlider, &QSlider::sliderReleased, this, &CodecComparisonView::requestStven);
    vsplit->addWidget(top);

    // The table and, beside it, the plots.
    auto *bottom = new QSplitter(Qt::Horizontal);
    auto *tabs = new QTabWidget;
    m_table = new QTableView;
    m_model = new ResultsModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(Qt::UserRole);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(ResultsModel::Variant, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->setColumnHidden(ResultsModel::Codec, true);   // the variant's label names it
    bottom->addWidget(m_table);

    m_wavePlot = new QCustomPlot;
    m_wavePlot->xAxis->setLabel(tr("time (s)"));
    m_wavePlot->yAxis->setLabel(tr("pulse (normalised)"));
    m_wavePlot->legend->setVisible(true);
    m_wavePlot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_wavePlot->axisRect()->setRangeZoom(Qt::Horizontal);
    m_wavePlot->axisRect()->setRangeDrag(Qt::Horizontal);
    m_waveCursor = new QCPItemStraightLine(m_wavePlot);
    tabs->addTab(m_wavePlot, tr("Waveforms"));

    m_psnrPlot = new QCustomPlot;
    m_psnrPlot->xAxis->setLabel(tr("frame"));
    m_psnrPlot->yAxis->setLabel(tr("luma PSNR (dB)"));
    m_psnrPlot->legend->setVisible(true);
    m_psnrPlot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_psnrPlot->axisRect()->setRangeZoom(Qt::Horizontal);
    m_psnrPlot->axisRect()->setRangeDrag(Qt::Horizontal);
    m_psnrCursor = new QCPItemStraightLine(m_psnrPlot);
    tabs->addTab(m_psnrPlot, tr("Picture quality"));
    // Ctrl+click on a plot shows that moment in the tiles (a plain drag pans, the wheel zooms).
    m_psnrPlot->setToolTip(tr("Drag to pan, wheel to zoom, Ctrl+click to show that frame"));
    m_wavePlot->setToolTip(m_psnrPlot->toolTip());
    connect(m_psnrPlot, &QCustomPlot::mousePress, this, [this](QMouseEvent *e) {
        if (m_study && e->modifiers() & Qt::ControlModifier)
            setCurrentFrame(int(std::lround(m_psnrPlot->xAxis->pixelToCoord(e->position().x()))));
    });
    connect(m_wavePlot, &QCustomPlot::mousePress, this, [this](QMouseEvent *e) {
        if (!m_study || !(e->modifiers() & Qt::ControlModifier))
            return;
        const double fps = m_study->source.nominalFps > 0 ? m_study->source.nominalFps : 30.0;
        setCurrentFrame(int(std::lround(m_wavePlot->xAxis->pixelToCoord(e->position().x()) * fps)));
    });
    bottom->addWidget(tabs);
    bottom->setStretchFactor(0, 1);
    bottom->setStretchFactor(1, 1);
    bottom->setSizes({560, 440});   // proportions until the user moves the handle
    vsplit->addWidget(bottom);
    vsplit->setStretchFactor(0, 3);
    vsplit->setStretchFactor(1, 2);
    applyPlotPalette();
    return vsplit;
}

// ---- Public API -------------------------------------------------------------------------------

void CodecComparisonView::setSourceVideo(const QString &path)
{
    m_currentVideo = path;
    m_currentButton->setEnabled(!path.isEmpty());
    m_currentButton->setToolTip(path.isEmpty() ? tr("Use the video open in the main window")
                                               : tr("Use the video open in the main window: %1").arg(path));
    m_sourceEdit->setText(path);
}

QString CodecComparisonView::sourceVideo() const
{
    return m_sourceEdit->text().trimmed();
}

void CodecComparisonView::setCodecs(const QStringList &codecs)
{
    QStringList wanted;
    for (const QString &c : codecs)
        wanted << c.trimmed().toLower();
    for (QCheckBox *box : m_codecBoxes)
        box->setChecked(wanted.contains(box->property("codec").toString()));
}

void CodecComparisonView::setBitrates(const QString &list)
{
    m_bitratesEdit->setText(list);
}

void CodecComparisonView::setMethods(const QStringList &methods)
{
    QStringList wanted;
    for (const QString &m : methods)
        wanted << m.trimmed().toLower();
    for (QCheckBox *box : m_methodBoxes)
        box->setChecked(wanted.contains(box->property("method").toString()));
}

bool CodecComparisonView::isRunning() const
{
    return m_state != State::Idle;
}

int CodecComparisonView::frameCount() const
{
    return m_study ? int(m_study->original.frames.size()) : 0;
}

int CodecComparisonView::currentFrame() const
{
    return m_shownFrame;
}

void CodecComparisonView::setAnalysisConfig(const AnalysisConfig &config)
{
    *m_analysis = config;
}

AnalysisConfig CodecComparisonView::analysisConfig() const
{
    return *m_analysis;
}

QImage CodecComparisonView::shownImage(int tile) const
{
    return tile >= 0 && size_t(tile) < m_tiles.size() ? m_tiles[size_t(tile)]->image() : QImage();
}

QString CodecComparisonView::workFolder() const
{
    return m_workRoot ? m_workRoot->path() : QString();
}

QAbstractItemModel *CodecComparisonView::resultsModel() const
{
    return m_proxy;
}

const CodecStudyResult *CodecComparisonView::result() const
{
    return m_study.get();
}

QString CodecComparisonView::message() const
{
    return m_messagePlain;
}

// ---- Running a comparison ---------------------------------------------------------------------

QString CodecComparisonView::ensureWorkRoot(QString *error)
{
    if (!m_workRoot) {
        m_workRoot = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/rppg-codecview-XXXXXX"));
        if (!m_workRoot->isValid()) {
            m_workRoot.reset();
            *error = tr("Cannot create a working folder in %1.").arg(QDir::tempPath());
            return {};
        }
    }
    return m_workRoot->path();
}

std::unique_ptr<CodecStudyConfig> CodecComparisonView::configFromUi(QString *error) const
{
    auto config = std::make_unique<CodecStudyConfig>();
    config->sourcePath = sourceVideo();
    if (config->sourcePath.isEmpty()) {
        *error = tr("Choose a video to compare.");
        return nullptr;
    }
    if (!QFileInfo(config->sourcePath).isFile()) {
        *error = tr("The video %1 does not exist.").arg(config->sourcePath);
        return nullptr;
    }
    QStringList codecs;
    for (QCheckBox *box : m_codecBoxes)
        if (box->isChecked())
            codecs << box->property("codec").toString();
    if (codecs.isEmpty()) {
        *error = tr("Choose at least one codec.");
        return nullptr;
    }
    std::vector<int64_t> rates;
    for (const QString &item : m_bitratesEdit->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const int64_t bps = parseRate(item);
        if (bps < 10000 || bps > 200000000) {
            *error = tr("“%1” is not a bit rate between 10k and 200M (for example 250k or 1.5M).").arg(item.trimmed());
            return nullptr;
        }
        rates.push_back(bps);
    }
    if (rates.empty()) {
        *error = tr("Give at least one bit rate (for example 250k, 500k).");
        return nullptr;
    }
    config->settings.clear();
    for (const QString &codec : codecs)
        for (int64_t bps : rates)
            config->settings.push_back({codec, bps, -1});
    for (QCheckBox *box : m_methodBoxes)
        if (box->isChecked())
            config->methods << box->property("method").toString();
    if (config->methods.isEmpty()) {
        *error = tr("Choose at least one method.");
        return nullptr;
    }
    config->analysis = *m_analysis;
    config->keepVariants = true;   // kept for scrubbing, in the view's own temporary folder
    return config;
}

void CodecComparisonView::startComparison()
{
    if (m_state != State::Idle)
        return;
    QString error;
    std::unique_ptr<CodecStudyConfig> config = configFromUi(&error);
    if (!config) {
        showMessage(MessageKind::Error, error.toHtmlEscaped());
        Q_EMIT comparisonFinished(false);
        return;
    }
    const QString root = ensureWorkRoot(&error);
    if (root.isEmpty()) {
        showMessage(MessageKind::Error, error.toHtmlEscaped());
        Q_EMIT comparisonFinished(false);
        return;
    }
    clearResults();
    m_runDir = QDir(root).filePath(QStringLiteral("run-%1").arg(++m_runCounter));
    config->workDir = m_runDir;

    m_cancel = std::make_shared<std::atomic<bool>>(false);
    m_progress = std::make_shared<ProgressState>();
    auto cancel = m_cancel;
    auto progress = m_progress;
    const CodecStudyConfig cfg = *config;
    m_studyWatcher.setFuture(QtConcurrent::run([cfg, cancel, progress]() -> std::shared_ptr<StudyOutcome> {
        auto outcome = std::make_shared<StudyOutcome>();
        auto r = runCodecStudy(
            cfg,
            [progress](const QString &stage, double fraction) {
                std::lock_guard<std::mutex> lock(progress->mutex);
                progress->stage = stage;
                progress->fraction = fraction;
            },
            cancel.get());
        if (r.ok())
            outcome->study = std::make_shared<const CodecStudyResult>(std::move(r).value());
        else
            outcome->error = r.error();
        return outcome;
    }));
    m_progressBar->setValue(0);
    m_progressBar->setFormat(tr("starting…"));
    m_progressTimer->start();
    setState(State::Running);
    showMessage(MessageKind::Info, tr("Re-encoding %1 with %n variant(s) and analysing every one…", nullptr,
                                      int(cfg.settings.size()))
                                       .arg(QFileInfo(cfg.sourcePath).fileName().toHtmlEscaped()));
}

void CodecComparisonView::cancelComparison()
{
    if (m_state != State::Running || !m_cancel)
        return;
    m_cancel->store(true);
    setState(State::Cancelling);
    showMessage(MessageKind::Info, tr("Cancelling…"));
}

void CodecComparisonView::onProgressTick()
{
    if (!m_progress)
        return;
    QString stage;
    double fraction = 0;
    {
        std::lock_guard<std::mutex> lock(m_progress->mutex);
        stage = m_progress->stage;
        fraction = m_progress->fraction;
    }
    // Encoding is about a third of the work, decoding and analysing the rest.
    double overall = 0;
    QString text;
    if (stage == QLatin1String("encoding")) {
        overall = 0.35 * fraction;
        text = tr("encoding %p%");
    } else if (stage == QLatin1String("analysing")) {
        overall = 0.35 + 0.65 * fraction;
        text = tr("analysing %p%");
    } else if (stage == QLatin1String("done")) {
        overall = 1;
        text = tr("done");
    } else {
        text = tr("starting…");
    }
    if (m_state == State::Cancelling)
        text = tr("cancelling…");
    m_progressBar->setValue(int(std::lround(overall * 1000)));
    m_progressBar->setFormat(text);
}

void CodecComparisonView::onStudyFinished()
{
    m_progressTimer->stop();
    std::shared_ptr<StudyOutcome> outcome = m_studyWatcher.future().result();
    const bool cancelled = m_state == State::Cancelling || (outcome && outcome->error.code == ErrorCode::Cancelled);
    m_cancel.reset();
    m_progress.reset();
    setState(State::Idle);
    if (!outcome || !outcome->study) {
        // Nothing of a failed or cancelled run stays on disk.
        if (!m_runDir.isEmpty())
            QDir(m_runDir).removeRecursively();
        m_runDir.clear();
        m_progressBar->setValue(0);
        m_progressBar->setFormat(cancelled ? tr("cancelled") : tr("failed"));
        if (cancelled)
            showMessage(MessageKind::Info, tr("Comparison cancelled; no files were kept."));
        else
            showMessage(MessageKind::Error, tr("The comparison failed: %1")
                                                .arg((outcome ? outcome->error.message : tr("unknown error")).toHtmlEscaped()));
        Q_EMIT comparisonFinished(false);
        return;
    }
    m_study = outcome->study;
    ++m_generation;
    setState(State::Idle);   // again, now that there is something to export
    m_progressBar->setValue(1000);
    m_progressBar->setFormat(tr("done"));
    showStudy();
    const CodecStudyResult &s = *m_study;
    showMessage(MessageKind::Success,
                tr("Compared %n variant(s) in %1 s.", nullptr, int(s.variants.size())).arg(s.totalSec, 0, 'f', 1));
    Q_EMIT comparisonFinished(true);
}

void CodecComparisonView::clearResults()
{
    ++m_generation;
    if (m_stvenCancel)
        m_stvenCancel->store(true);
    m_study.reset();
    m_decoders.reset();
    m_model->setStudy(nullptr);
    m_pendingFrame = -1;
    m_shownFrame = -1;
    for (FrameTile *tile : m_tiles)
        delete tile;
    m_tiles.clear();
    m_stvenTile = nullptr;
    m_frameSlider->setEnabled(false);
    m_frameLabel->setText(tr("No comparison yet"));
    m_psnrPlot->clearGraphs();
    m_psnrPlot->replot();
    m_wavePlot->clearGraphs();
    m_wavePlot->replot();
    m_summaryLabel->clear();
    {
        QSignalBlocker block(m_methodCombo);
        m_methodCombo->clear();
    }
    if (!m_runDir.isEmpty())
        QDir(m_runDir).removeRecursively();   // the previous comparison's variants
    m_runDir.clear();
}

void CodecComparisonView::showStudy()
{
    const CodecStudyResult &s = *m_study;
    {
        QSignalBlocker block(m_methodCombo);
        m_methodCombo->clear();
        for (const QString &m : s.methods) {
            const MethodInfo *info = MethodRegistry::instance().find(m);
            m_methodCombo->addItem(info ? info->title : m, m);
        }
    }
    m_model->setStudy(m_study);
    m_table->resizeColumnsToContents();
    m_table->sortByColumn(m_proxy->sortColumn() < 0 ? int(ResultsModel::Variant) : m_proxy->sortColumn(),
                          m_proxy->sortOrder());

    QStringList lines;
    lines << tr("Reference: %1").arg(referenceKindName(s.referenceKind).toHtmlEscaped());
    if (s.referenceKind != ReferenceKind::SourceEstimate)
        lines.last() += QStringLiteral(" (%1)").arg(QFileInfo(s.referencePath).fileName().toHtmlEscaped());
    lines << tr("Source: %1×%2, %3 fps, %4 frames")
                 .arg(s.source.width).arg(s.source.height).arg(s.source.nominalFps, 0, 'f', 2).arg(s.original.frames.size());
    lines << tr("Analysis: %1").arg(analysisSettingsText(s.analysis).toHtmlEscaped());
    for (const QString &line : codecTrendFindings(s))
        lines << line.toHtmlEscaped();
    for (const QString &w : s.warnings)
        lines << QStringLiteral("<span style='color:#b36b00'>%1</span>").arg(w.toHtmlEscaped());
    m_summaryLabel->setText(lines.join(QStringLiteral("<br>")));

    m_decoders = std::make_shared<DecoderSet>();
    m_decoders->open(s, s.source.path.isEmpty() ? sourceVideo() : s.source.path);
    buildTiles();
    fillPsnrPlot();
    fillWaveformPlot();
    const int frames = frameCount();
    m_frameSlider->setRange(0, std::max(0, frames - 1));
    m_frameSlider->setEnabled(frames > 0);
    {
        QSignalBlocker block(m_frameSlider);
        m_frameSlider->setValue(std::clamp(s.contactFrame, 0, std::max(0, frames - 1)));
    }
    requestFrame(m_frameSlider->value());
    requestStven();
}

// ---- Tiles and scrubbing ----------------------------------------------------------------------

void CodecComparisonView::buildTiles()
{
    const CodecStudyResult &s = *m_study;
    const int count = int(s.variants.size()) + 2;   // original, variants, STVEN
    const int columns = std::max(2, int(std::ceil(std::sqrt(double(count) * 1.5))));
    auto add = [&](FrameTile *tile) {
        const int i = int(m_tiles.size());
        m_tileGrid->addWidget(tile, i / columns, i % columns);
        m_tiles.push_back(tile);
    };
    auto *original = new FrameTile;
    original->setTitle(tr("Original"));
    add(original);
    for (size_t v = 0; v < s.variants.size(); ++v) {
        auto *tile = new FrameTile;
        tile->setTitle(s.variants[v].setting.label());
        tile->setAccent(variantColor(int(v)));
        add(tile);
    }
    m_stvenTile = new FrameTile;
    m_stvenTile->setTitle(tr("STVEN-enhanced worst variant"));
    add(m_stvenTile);
    updateTileCaptions();
}

int CodecComparisonView::worstVariantIndex() const
{
    if (!m_study || m_study->variants.empty())
        return -1;
    const QString method = selectedMethod();
    int worst = -1;
    double worstError = -1;
    for (size_t v = 0; v < m_study->variants.size(); ++v) {
        const MethodOutcome *o = m_study->variants[v].outcome(method);
        const double e = o && std::isfinite(o->hrErrorBpm) ? std::abs(o->hrErrorBpm) : 1e9;   // no HR = worst
        if (e > worstError) {
            worstError = e;
            worst = int(v);
        }
    }
    return worst;
}

QString CodecComparisonView::selectedMethod() const
{
    if (m_methodCombo->currentIndex() >= 0)
        return m_methodCombo->currentData().toString();
    return m_study && !m_study->methods.isEmpty() ? m_study->methods.first() : QString();
}

void CodecComparisonView::updateTileCaptions()
{
    if (!m_study || m_tiles.empty())
        return;
    const CodecStudyResult &s = *m_study;
    const QString method = selectedMethod();
    const int frame = std::max(0, m_shownFrame);
    const int worst = worstVariantIndex();
    auto hrText = [&](const VariantResult &v) {
        const MethodOutcome *o = v.outcome(method);
        if (!o || !std::isfinite(o->signal.hrBpm))
            return tr("no HR");
        return tr("HR %1 bpm (error %2)").arg(o->signal.hrBpm, 0, 'f', 1).arg(fmt(o->hrErrorBpm, 1));
    };
    m_tiles[0]->setCaption(hrText(s.original));
    for (size_t v = 0; v < s.variants.size() && v + 1 < m_tiles.size(); ++v) {
        const VariantResult &var = s.variants[v];
        const double psnr = size_t(frame) < var.psnrDb.size() ? var.psnrDb[size_t(frame)] : kNaN;
        const double ssim = size_t(frame) < var.ssim.size() ? var.ssim[size_t(frame)] : kNaN;
        m_tiles[v + 1]->setCaption(tr("PSNR %1 dB, SSIM %2 (mean %3 dB, %4)\n%5")
                                       .arg(fmt(psnr, 1), fmt(ssim, 3), fmt(var.meanPsnrDb, 1), fmt(var.meanSsim, 3),
                                            hrText(var)));
        m_tiles[v + 1]->setHighlighted(int(v) == worst);
    }
}

void CodecComparisonView::setCurrentFrame(int index)
{
    if (!m_study || frameCount() == 0)
        return;
    index = std::clamp(index, 0, frameCount() - 1);
    if (m_frameSlider->value() != index) {
        QSignalBlocker block(m_frameSlider);
        m_frameSlider->setValue(index);
    }
    requestFrame(index);
}

void CodecComparisonView::requestFrame(int index)
{
    if (!m_decoders)
        return;
    if (m_fetchWatcher.isRunning()) {
        m_pendingFrame = index;   // only the latest request is served next
        return;
    }
    m_pendingFrame = -1;
    auto decoders = m_decoders;
    const quint64 generation = m_generation;
    m_fetchWatcher.setFuture(QtConcurrent::run([decoders, index, generation] {
        auto batch = std::make_shared<FrameBatch>();
        batch->generation = generation;
        batch->index = index;
        batch->images = decoders->fetch(index);
        return batch;
    }));
}

void CodecComparisonView::onFramesFetched()
{
    std::shared_ptr<FrameBatch> batch = m_fetchWatcher.future().result();
    if (batch && batch->generation == m_generation && m_study) {
        for (size_t k = 0; k < batch->images.size() && k + 1 < m_tiles.size(); ++k) {
            if (batch->images[k].isNull())
                m_tiles[k]->setPlaceholder(tr("frame not available"));
            else
                m_tiles[k]->setImage(batch->images[k]);
        }
        m_shownFrame = batch->index;
        const double fps = m_study->source.nominalFps > 0 ? m_study->source.nominalFps : 30.0;
        m_frameLabel->setText(tr("Frame %1 / %2 (%3 s)").arg(m_shownFrame + 1).arg(frameCount()).arg(m_shownFrame / fps, 0, 'f', 2));
        applyZoom();
        updateTileCaptions();
        updateCursors();
        Q_EMIT framesShown(m_shownFrame);
    }
    if (m_pendingFrame >= 0 && m_decoders) {
        const int next = m_pendingFrame;
        m_pendingFrame = -1;
        requestFrame(next);
    }
}

void CodecComparisonView::applyZoom()
{
    if (!m_study || m_tiles.empty())
        return;
    const CodecStudyResult &s = *m_study;
    const QSizeF frameSize(s.sourceCrop.width, s.sourceCrop.height);
    QRectF region(QPointF(0, 0), frameSize);
    if (m_zoomButton->isChecked()) {
        cv::Rect2f face;
        const int frame = std::max(0, m_shownFrame);
        if (size_t(frame) < s.original.frames.size())
            face = s.original.frames[size_t(frame)].faceBox;
        if (face.area() <= 0)
            face = s.original.contactFace;
        if (face.area() > 0) {
            const double side = std::max(face.width, face.height) * 1.4;
            region = QRectF(face.x + face.width / 2 - side / 2, face.y + face.height / 2 - side / 2, side, side);
        }
    }
    const double z = m_zoomSlider->value() / 100.0;
    const QPointF c = region.center();
    region = QRectF(c.x() - region.width() / (2 * z), c.y() - region.height() / (2 * z), region.width() / z,
                    region.height() / z);
    for (size_t k = 0; k + 1 < m_tiles.size(); ++k)   // not the STVEN tile: it is a face crop already
        m_tiles[k]->setFocusRect(region);
}

// ---- Plots ------------------------------------------------------------------------------------

void CodecComparisonView::fillPsnrPlot()
{
    m_psnrPlot->clearGraphs();
    const CodecStudyResult &s = *m_study;
    double lo = 1e9, hi = -1e9;
    for (size_t v = 0; v < s.variants.size(); ++v) {
        const VariantResult &var = s.variants[v];
        QVector<double> x, y;
        for (size_t k = 0; k < var.psnrDb.size(); ++k) {
            x << double(k);
            y << var.psnrDb[k];
            if (std::isfinite(var.psnrDb[k]) && var.psnrDb[k] < 98) {
                lo = std::min(lo, var.psnrDb[k]);
                hi = std::max(hi, var.psnrDb[k]);
            }
        }
        QCPGraph *g = m_psnrPlot->addGraph();
        g->setName(tr("%1 (SSIM %2)").arg(var.setting.label(), fmt(var.meanSsim, 3)));
        g->setPen(QPen(variantColor(int(v)), 1.5));
        g->setData(x, y, true);
    }
    m_psnrPlot->xAxis->setRange(0, std::max(1, frameCount() - 1));
    if (hi > lo)
        m_psnrPlot->yAxis->setRange(lo - 1, hi + 1);
    else
        m_psnrPlot->yAxis->setRange(20, 50);
    updateCursors();
}

void CodecComparisonView::fillWaveformPlot()
{
    m_wavePlot->clearGraphs();
    if (!m_study)
        return;
    const CodecStudyResult &s = *m_study;
    const QString method = selectedMethod();
    auto addPulse = [&](const VariantResult &v, const QString &name, const QPen &pen) {
        const MethodOutcome *o = v.outcome(method);
        if (!o || o->signal.pulse.empty() || o->signal.fsHz <= 0)
            return;
        // Normalise to unit standard deviation so the variants overlay on one scale.
        double sum = 0, sum2 = 0;
        int n = 0;
        for (double p : o->signal.pulse)
            if (std::isfinite(p)) {
                sum += p;
                sum2 += p * p;
                ++n;
            }
        const double mean = n ? sum / n : 0;
        const double sd = n > 1 ? std::sqrt(std::max(1e-12, sum2 / n - mean * mean)) : 1;
        QVector<double> x, y;
        for (size_t k = 0; k < o->signal.pulse.size(); ++k) {
            x << o->signal.timeAt(k);
            const double p = o->signal.pulse[k];
            y << (std::isfinite(p) ? (p - mean) / sd : std::numeric_limits<double>::quiet_NaN());
        }
        QCPGraph *g = m_wavePlot->addGraph();
        g->setName(name);
        g->setPen(pen);
        g->setData(x, y, true);
    };
    addPulse(s.original, tr("original"), QPen(palette().color(QPalette::WindowText), 2.0));
    for (size_t v = 0; v < s.variants.size(); ++v)
        addPulse(s.variants[v], s.variants[v].setting.label(), QPen(variantColor(int(v)), 1.2));
    const double fps = s.source.nominalFps > 0 ? s.source.nominalFps : 30.0;
    const double duration = frameCount() / fps;
    // Ten seconds around the shown frame (the whole clip when shorter).
    const double centre = std::max(0, m_shownFrame) / fps;
    const double span = std::min(10.0, duration);
    const double start = std::clamp(centre - span / 2, 0.0, std::max(0.0, duration - span));
    m_wavePlot->xAxis->setRange(start, start + std::max(span, 1.0));
    m_wavePlot->yAxis->setRange(-3.2, 3.2);
    updateCursors();
}

void CodecComparisonView::updateCursors()
{
    if (!m_study)
        return;
    const double fps = m_study->source.nominalFps > 0 ? m_study->source.nominalFps : 30.0;
    const int frame = std::max(0, m_shownFrame);
    const QPen pen(palette().color(QPalette::Highlight), 1, Qt::DashLine);
    m_psnrCursor->setPen(pen);
    m_psnrCursor->point1->setCoords(frame, 0);
    m_psnrCursor->point2->setCoords(frame, 1);
    m_waveCursor->setPen(pen);
    m_waveCursor->point1->setCoords(frame / fps, 0);
    m_waveCursor->point2->setCoords(frame / fps, 1);
    const QCPRange r = m_wavePlot->xAxis->range();
    const double t = frame / fps;
    if (t < r.lower || t > r.upper)
        m_wavePlot->xAxis->setRange(t - r.size() / 2, t + r.size() / 2);
    m_psnrPlot->replot(QCustomPlot::rpQueuedReplot);
    m_wavePlot->replot(QCustomPlot::rpQueuedReplot);
}

void CodecComparisonView::applyPlotPalette()
{
    const QPalette pal = palette();
    const QColor bg = pal.color(QPalette::Base);
    const QColor fg = pal.color(QPalette::Text);
    const QColor grid = pal.color(QPalette::Mid);
    for (QCustomPlot *plot : {m_psnrPlot, m_wavePlot}) {
        if (!plot)
            continue;
        plot->setBackground(bg);
        for (QCPAxis *axis : {plot->xAxis, plot->yAxis}) {
            axis->setBasePen(QPen(fg));
            axis->setTickPen(QPen(fg));
            axis->setSubTickPen(QPen(fg));
            axis->setTickLabelColor(fg);
            axis->setLabelColor(fg);
            axis->grid()->setPen(QPen(grid, 0, Qt::DotLine));
        }
        plot->legend->setBrush(bg);
        plot->legend->setTextColor(fg);
        plot->legend->setBorderPen(QPen(grid));
        plot->replot(QCustomPlot::rpQueuedReplot);
    }
    if (m_study)
        fillWaveformPlot();   // the original's pen follows the palette
}

// ---- STVEN enhancement of the worst variant ---------------------------------------------------

void CodecComparisonView::requestStven()
{
    if (!m_study || !m_stvenTile)
        return;
    const int worst = worstVariantIndex();
    if (worst < 0)
        return;
    const VariantResult &variant = m_study->variants[size_t(worst)];
    m_stvenTile->setTitle(tr("STVEN-enhanced %1").arg(variant.setting.label()));

    // Neural methods that take face crops; those named after STVEN first.
    QStringList candidates;
    for (const QString &name : MethodRegistry::instance().names()) {
        const MethodInfo *info = MethodRegistry::instance().find(name);
        if (info && info->input == MethodInput::FaceVideo)
            candidates << name;
    }
    std::stable_sort(candidates.begin(), candidates.end(), [](const QString &a, const QString &b) {
        return a.contains(QLatin1String("stven")) && !b.contains(QLatin1String("stven"));
    });
    if (candidates.isEmpty()) {
        m_stvenTile->setPlaceholder(tr("No STVEN-enhanced frame: no method that enhances frames is registered "
                                       "(this build has no neural methods)."));
        m_stvenTile->setCaption(QString());
        Q_EMIT enhancedFrameShown(false);
        return;
    }
    if (m_stvenWatcher.isRunning()) {
        if (m_stvenCancel)
            m_stvenCancel->store(true);   // the running one is out of date; start again when it stops
        m_stvenPending = true;
        return;
    }
    m_stvenPending = false;
    m_stvenTile->setPlaceholder(tr("Enhancing the worst variant with STVEN…"));
    m_stvenCancel = std::make_shared<std::atomic<bool>>(false);
    auto cancel = m_stvenCancel;
    const QString path = variant.path;
    const int target = m_frameSlider->isEnabled() ? m_frameSlider->value() : m_study->contactFrame;
    const double fps = m_study->source.nominalFps > 0 ? m_study->source.nominalFps : 30.0;
    const quint64 generation = m_generation;
    m_stvenWatcher.setFuture(QtConcurrent::run([candidates, cancel, path, target, fps, generation] {
        auto out = std::make_shared<StvenOutcome>();
        out->generation = generation;
        QStringList reasons;
        for (const QString &name : candidates) {
            auto method = MethodRegistry::instance().create(name);
            if (!method.ok()) {
                reasons << QStringLiteral("%1: %2").arg(name, method.error().message);
                continue;
            }
            PulseMethod *m = method.value().get();
            FrameProcessor processor(AnalysisConfig{}, m);
            if (Error e = processor.init(); e.isError()) {
                reasons << QStringLiteral("%1: %2").arg(name, e.message);
                continue;
            }
            VideoFileSource video;
            if (Error e = video.open(path); e.isError()) {
                reasons << e.message;
                break;
            }
            // Feed a stretch of frames that ends a little after the chosen one: neural methods
            // emit whole clips, so their visuals lag the input.
            const int start = std::max(0, target - 160);
            if (start > 0)
                video.seek(start / fps);
            const int64_t targetPts = int64_t(target * 1e6 / fps);
            std::vector<PulseSample> samples;
            MethodVisuals visuals;
            bool got = false;
            VideoFrame f;
            while (!got && !cancel->load() && video.read(f) == ReadStatus::Frame) {
                processor.process(f);
                m->drain(samples);
                MethodVisuals v;
                if (m->latestVisuals(v) && !v.enhancedBgr.empty()) {
                    visuals = v;
                    got = v.ptsUs >= targetPts;
                }
                if (f.ptsUs > targetPts + int64_t(10e6))
                    break;
            }
            if (cancel->load())
                return out;
            if (!got) {
                m->finish(samples);
                MethodVisuals v;
                if (m->latestVisuals(v) && !v.enhancedBgr.empty())
                    visuals = v;
            }
            if (!visuals.enhancedBgr.empty()) {
                out->enhanced = toQImage(visuals.enhancedBgr);
                out->method = name;
                out->frame = int(std::lround(visuals.ptsUs * fps / 1e6));
                return out;
            }
            reasons << QStringLiteral("%1: gives no enhanced frames").arg(name);
        }
        out->reason = reasons.join(QStringLiteral("; "));
        return out;
    }));
}

void CodecComparisonView::onStvenFinished()
{
    std::shared_ptr<StvenOutcome> out = m_stvenWatcher.future().result();
    if (m_stvenPending) {
        m_stvenPending = false;
        requestStven();   // this outcome is out of date
        return;
    }
    if (out && out->generation == m_generation && m_stvenTile) {
        if (!out->enhanced.isNull()) {
            m_stvenTile->setImage(out->enhanced);
            const MethodInfo *info = MethodRegistry::instance().find(out->method);
            m_stvenTile->setCaption(tr("%1, frame %2 (face crop, %3×%4 px)")
                                        .arg(info ? info->title : out->method)
                                        .arg(out->frame + 1)
                                        .arg(out->enhanced.width())
                                        .arg(out->enhanced.height()));
            Q_EMIT enhancedFrameShown(true);
        } else if (!out->reason.isEmpty()) {
            m_stvenTile->setPlaceholder(tr("No STVEN-enhanced frame: %1").arg(out->reason));
            m_stvenTile->setCaption(QString());
            Q_EMIT enhancedFrameShown(false);
        }
    }
}

bool CodecComparisonView::isEnhancing() const
{
    return m_stvenWatcher.isRunning() || m_stvenPending;
}

// ---- Export -----------------------------------------------------------------------------------

void CodecComparisonView::exportReport(const QString &folder)
{
    if (!m_study) {
        const QString msg = tr("Nothing to export yet: run a comparison first.");
        showMessage(MessageKind::Error, msg.toHtmlEscaped());
        Q_EMIT reportExported(false, msg);
        return;
    }
    if (m_exportWatcher.isRunning()) {
        const QString msg = tr("An export is already running.");
        Q_EMIT reportExported(false, msg);
        return;
    }
    auto study = m_study;
    m_exportButton->setEnabled(false);
    showMessage(MessageKind::Info, tr("Writing the report to %1…").arg(folder.toHtmlEscaped()));
    m_exportWatcher.setFuture(QtConcurrent::run([study, folder] {
        auto out = std::make_shared<ExportOutcome>();
        auto written = writeCodecStudyReport(*study, folder);
        out->ok = written.ok();
        out->message = written.ok() ? QDir(folder).filePath(QStringLiteral("report.html")) : written.error().message;
        return out;
    }));
}

void CodecComparisonView::onExportFinished()
{
    std::shared_ptr<ExportOutcome> out = m_exportWatcher.future().result();
    m_exportButton->setEnabled(m_state == State::Idle && m_study != nullptr);
    if (out && out->ok) {
        showMessage(MessageKind::Success, tr("Report written: <a href=\"%1\">%2</a>")
                                              .arg(QUrl::fromLocalFile(out->message).toString().toHtmlEscaped(),
                                                   out->message.toHtmlEscaped()));
        m_messageLabel->setOpenExternalLinks(true);
        Q_EMIT reportExported(true, out->message);
    } else {
        const QString msg = tr("The report could not be written: %1").arg(out ? out->message : tr("unknown error"));
        showMessage(MessageKind::Error, msg.toHtmlEscaped());
        Q_EMIT reportExported(false, msg);
    }
}

// ---- State and messages -----------------------------------------------------------------------

void CodecComparisonView::setState(State state)
{
    m_state = state;
    const bool idle = state == State::Idle;
    m_settingsWidgets->setEnabled(idle);
    m_runButton->setEnabled(idle);
    m_cancelButton->setEnabled(state == State::Running);
    m_exportButton->setEnabled(idle && m_study != nullptr && !m_exportWatcher.isRunning());
}

void CodecComparisonView::showMessage(MessageKind kind, const QString &html)
{
    m_messageKind = kind;
    QTextDocument doc;
    doc.setHtml(html);
    m_messagePlain = doc.toPlainText();
    QString colour;
    if (kind == MessageKind::Error)
        colour = QStringLiteral("#c0392b");
    else if (kind == MessageKind::Success)
        colour = palette().color(QPalette::Window).lightness() < 128 ? QStringLiteral("#6fcf7f") : QStringLiteral("#1e7b34");
    m_messageLabel->setText(colour.isEmpty() ? html : QStringLiteral("<span style='color:%1'>%2</span>").arg(colour, html));
}

void CodecComparisonView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        applyPlotPalette();
    QWidget::changeEvent(event);
}

} // namespace rppg
