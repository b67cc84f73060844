#pragma once

// Main window of rPPG Studio. Thread affinity: GUI thread. Analysis runs on a pool thread and
// reports back through a queued QFutureWatcher signal.

#include <QFutureWatcher>
#include <QMainWindow>

#include "analysisconfig.h"
#include "result.h"

#include <atomic>

class QCustomPlot;
class QLabel;

namespace rppg {

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    void openFile(const QString &path);

Q_SIGNALS:
    // The analysis of the opened file ended (with a result or an error shown in the window).
    void analysisFinished();

private:
    void showResult();

    QLabel *m_hrLabel = nullptr;
    QLabel *m_statusLabel = nullptr;
    QCustomPlot *m_pulsePlot = nullptr;
    QFutureWatcher<Result<AnalysisResult>> m_watcher;
    std::atomic<bool> m_cancel{false};
};

} // namespace rppg
