#pragma once

// Help → About: the program's version, the versions of the libraries it runs on, their licences
// (QCustomPlot is GPL-3.0-or-later, so rPPG Studio as a whole is distributed under GPL-3.0-or-later)
// and the attribution of the bundled face photo.
//
// Thread affinity: GUI thread.

#include <QDialog>

namespace rppg {

class AboutDialog : public QDialog
{
    Q_OBJECT
public:
    explicit AboutDialog(QWidget *parent = nullptr);

    // The text of the "Libraries" section as plain text (one "name version" line each), for tests
    // and for copying into bug reports.
    QString versionsText() const;

private:
    QString m_versions;
};

} // namespace rppg
