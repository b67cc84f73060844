#include "aboutdialog.h"

#include "buildinfo.h"
#include "qcp.h"
#include "rppg_version.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QPushButton>
#include <QTabWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace rppg {

namespace {

QTextBrowser *htmlPage(const QString &html)
{
    auto *page = new QTextBrowser;
    page->setOpenExternalLinks(true);
    page->setHtml(html);
    page->setMinimumSize(520, 260);
    return page;
}

} // namespace

AboutDialog::AboutDialog(QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("About rPPG Studio"));

    auto *header = new QHBoxLayout;
    auto *icon = new QLabel;
    const QIcon appIcon = QApplication::windowIcon().isNull() ? QIcon(QStringLiteral(":/icons/hicolor/64x64/apps/rppg-studio.png"))
                                                                : QApplication::windowIcon();
    icon->setPixmap(appIcon.pixmap(64, 64));
    header->addWidget(icon, 0, Qt::AlignTop);
    auto *title = new QLabel(
        tr("<h2>rPPG Studio %1</h2><p>Heart rate from facial video: remote photoplethysmography with "
           "classical methods (POS, CHROM, GREEN) and the STVEN and rPPGNet networks, a synthetic "
           "face-video generator with ground truth, and a codec study.</p>")
            .arg(QStringLiteral(RPPG_VERSION_STRING)));
    title->setWordWrap(true);
    header->addWidget(title, 1);

    // Versions of what this build runs on.
    std::vector<ComponentInfo> components = componentVersions();
    components.push_back({QStringLiteral("QCustomPlot"), QStringLiteral(QCUSTOMPLOT_VERSION_STR),
                          QStringLiteral("GPL-3.0-or-later"), QStringLiteral("https://www.qcustomplot.com/")});
    bool hasTorch = false;
    for (const ComponentInfo &c : components)
        hasTorch = hasTorch || c.name == QLatin1String("libtorch");
    QString rows;
    QStringList plain;
    plain << QStringLiteral("rPPG Studio %1").arg(QStringLiteral(RPPG_VERSION_STRING));
    for (const ComponentInfo &c : components) {
        rows += QStringLiteral("<tr><td><a href=\"%1\">%2</a></td><td>%3</td><td>%4</td></tr>")
                    .arg(c.url.toHtmlEscaped(), c.name.toHtmlEscaped(), c.version.toHtmlEscaped(),
                         c.licence.toHtmlEscaped());
        plain << QStringLiteral("%1 %2").arg(c.name, c.version);
    }
    if (!hasTorch) {
        rows += QStringLiteral("<tr><td>libtorch</td><td colspan=2>%1</td></tr>")
                    .arg(tr("not in this build (no neural methods)").toHtmlEscaped());
        plain << QStringLiteral("libtorch -");
    }
    m_versions = plain.join(QLatin1Char('\n'));
    const QString versionsHtml =
        tr("<p>This build uses:</p>") +
        QStringLiteral("<table cellspacing=0 cellpadding=3><tr><th align=left>%1</th><th align=left>%2</th>"
                       "<th align=left>%3</th></tr>%4</table>")
            .arg(tr("Library"), tr("Version"), tr("Licence"), rows);

    const QString licenceHtml = tr(
        "<p><b>rPPG Studio is free software</b>, distributed under the GNU General Public License, "
        "version 3 or (at your option) any later version (GPL-3.0-or-later). It links QCustomPlot, "
        "which is GPL-3.0-or-later, so the application as a whole is GPL-3.0-or-later. It comes with "
        "no warranty. The full licence text is in the file LICENSE.</p>"
        "<p>Libraries and their licences:</p><ul>"
        "<li>Qt 6: LGPL-3.0 (some tools GPL-3.0)</li>"
        "<li>QCustomPlot: GPL-3.0-or-later</li>"
        "<li>OpenCV: Apache-2.0</li>"
        "<li>FFmpeg: LGPL-2.1-or-later; the Debian build with x264 and x265 is GPL-2.0-or-later</li>"
        "<li>dlib: Boost Software License 1.0; the 68-point landmark model from libdlib-data is for "
        "use as its authors state (trained on iBUG 300-W)</li>"
        "<li>libtorch (PyTorch): BSD-3-Clause</li></ul>"
        "<p>Heart-rate values are estimates for research and education, not a medical device.</p>");

    const QString creditsHtml = tr(
        "<p><b>Face photo.</b> The synthetic videos animate a portrait of NASA astronaut Eileen "
        "Collins (official NASA photograph), as distributed in scikit-image's sample data "
        "(skimage.data.astronaut). Works of the United States government are in the public domain in "
        "the United States. NASA's media guidelines ask that the photo not be used to imply "
        "endorsement; the pulse in the synthetic videos is simulated.</p>"
        "<p><b>Methods.</b> STVEN and rPPGNet follow Yu et al., “Remote Heart Rate Measurement from "
        "Highly Compressed Facial Videos: an End-to-end Deep Learning Solution with Video Enhancement”, "
        "ICCV 2019. POS: Wang et al. 2017; CHROM: de Haan and Jeanne 2013; GREEN: Verkruysse et al. "
        "2008.</p>");

    auto *tabs = new QTabWidget;
    tabs->addTab(htmlPage(versionsHtml), tr("Libraries"));
    tabs->addTab(htmlPage(licenceHtml), tr("Licences"));
    tabs->addTab(htmlPage(creditsHtml), tr("Credits"));

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    QPushButton *copy = buttons->addButton(tr("Copy versions"), QDialogButtonBox::ActionRole);
    connect(copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(m_versions); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(header);
    layout->addWidget(tabs, 1);
    layout->addWidget(buttons);
}

QString AboutDialog::versionsText() const
{
    return m_versions;
}

} // namespace rppg
