#include "mainwindow.h"

#include "offlineanalyzer.h"
#include "qcp.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace rppg {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    setWindowTitle(tr("rPPG Studio"));
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    m_hrLabel = new QLabel(tr("-- bpm"), central);
    QFont big = m_hrLabel->font();
    big.setPointSizeF(big.pointSizeF() * 3);
    big.setBold(true);
    m_hrLabel->setFont(big);
    m_statusLabel = new QLabel(tr("Open a video (File → Open)."), central);
    m_pulsePlot = new QCustomPlot(central);
    m_pulsePlot->addGraph();
    m_pulsePlot->xAxis->setLabel(tr("time (s)"));
    m_pulsePlot->yAxis->setLabel(tr("pulse (a.u.)"));
    m_pulsePlot->setMinimumSize(640, 240);
    layout->addWidget(m_hrLabel);
    layout->addWidget(m_statusLabel);
    layout->addWidget(m_pulsePlot, 1);
    setCentralWidget(central);

    auto *fileMenu = menuBar()->addMenu(tr("&File"));
    fileMenu->addAction(tr("&Open…"), QKeySequence::Open, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open video"));
        if (!path.isEmpty())
            openFile(path);
    });
    fileMenu->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    connect(&m_watcher, &QFutureWatcher<Result<AnalysisResult>>::finished, this,
            &MainWindow::showResult);
    resize(900, 500);
}

MainWindow::~MainWindow()
{
    m_cancel = true;
    m_watcher.waitForFinished();
}

void MainWindow::openFile(const QString &path)
{
    m_cancel = true;
    m_watcher.waitForFinished();
    m_cancel = false;
    m_statusLabel->setText(tr("Analysing %1…").arg(QFileInfo(path).fileName()));
    m_hrLabel->setText(tr("-- bpm"));
    AnalysisConfig config;
    m_watcher.setFuture(QtConcurrent::run([path, config, this] {
        return analyzeFile(path, config, {}, &m_cancel);
    }));
}

void MainWindow::showResult()
{
    const auto result = m_watcher.result();
    if (!result.ok()) {
        m_statusLabel->setText(tr("Error: %1").arg(result.error().message));
        Q_EMIT analysisFinished();
        return;
    }
    const SignalResult &s = result->signal;
    m_hrLabel->setText(s.hasHr() ? tr("%1 bpm").arg(s.hrBpm, 0, 'f', 1) : tr("-- bpm"));
    m_statusLabel->setText(tr("%1: %2 frames, SNR %3 dB, method %4")
                               .arg(QFileInfo(result->source).fileName())
                               .arg(result->frames.size())
                               .arg(s.snrDb, 0, 'f', 1)
                               .arg(result->method.toUpper()));
    QVector<double> x, y;
    for (size_t k = 0; k < s.pulse.size(); ++k) {
        x.push_back(s.timeAt(k));
        y.push_back(s.pulse[k]);
    }
    m_pulsePlot->graph(0)->setData(x, y);
    m_pulsePlot->rescaleAxes();
    m_pulsePlot->replot();
    Q_EMIT analysisFinished();
}

} // namespace rppg
