// Languages and the About box: the Simplified Chinese translation is complete (no unfinished or
// empty entries, every %1/%n placeholder kept), it is compiled into the program and switches the
// widgets' texts, English stays the source, and the About box names the library versions this
// build really uses and the licences.
#include "aboutdialog.h"
#include "buildinfo.h"
#include "codeccomparisonview.h"
#include "i18n.h"

#include <opencv2/core/version.hpp>

#include <QApplication>
#include <QFile>
#include <QPushButton>
#include <QRegularExpression>
#include <QTest>
#include <QTextBrowser>
#include <QXmlStreamReader>

using namespace rppg;

namespace {

struct TsEntry
{
    QString context;
    QString source;
    QStringList translations;   // one, or the numerus forms
    QString type;               // "unfinished", "vanished", "obsolete" or empty
};

std::vector<TsEntry> readTs(const QString &path, QString *error)
{
    std::vector<TsEntry> out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot open %1").arg(path);
        return out;
    }
    QXmlStreamReader xml(&f);
    QString context;
    TsEntry cur;
    bool inMessage = false;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement()) {
            if (xml.name() == QLatin1String("name") && !inMessage)
                context = xml.readElementText();
            else if (xml.name() == QLatin1String("message")) {
                cur = TsEntry{context, {}, {}, {}};
                inMessage = true;
            } else if (xml.name() == QLatin1String("source") && inMessage)
                cur.source = xml.readElementText();
            else if (xml.name() == QLatin1String("translation") && inMessage) {
                cur.type = xml.attributes().value(QLatin1String("type")).toString();
                // Either text or <numerusform> children.
                QString text;
                while (!(xml.isEndElement() && xml.name() == QLatin1String("translation")) && !xml.atEnd()) {
                    xml.readNext();
                    if (xml.isCharacters())
                        text += xml.text();
                    else if (xml.isStartElement() && xml.name() == QLatin1String("numerusform"))
                        cur.translations << xml.readElementText();
                }
                if (cur.translations.isEmpty())
                    cur.translations << text;
            }
        } else if (xml.isEndElement() && xml.name() == QLatin1String("message")) {
            out.push_back(cur);
            inMessage = false;
        }
    }
    if (xml.hasError())
        *error = xml.errorString();
    return out;
}

QStringList placeholders(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("%(\\d+|n)"));
    QStringList out;
    for (auto it = re.globalMatch(text); it.hasNext();)
        out << it.next().captured(0);
    out.removeDuplicates();
    out.sort();
    return out;
}

} // namespace

class TstI18n : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void chineseTranslationIsComplete()
    {
        QString error;
        const auto entries = readTs(QStringLiteral(RPPG_TS_DIR "/rppg_studio_zh_CN.ts"), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(entries.size() > 50);
        QStringList problems;
        for (const TsEntry &e : entries) {
            if (e.type == QLatin1String("vanished") || e.type == QLatin1String("obsolete"))
                continue;
            const QString where = QStringLiteral("%1: \"%2\"").arg(e.context, e.source.left(60));
            if (e.type == QLatin1String("unfinished")) {
                problems << QStringLiteral("unfinished ") + where;
                continue;
            }
            for (const QString &t : e.translations) {
                if (t.trimmed().isEmpty())
                    problems << QStringLiteral("empty ") + where;
                else if (placeholders(t) != placeholders(e.source))
                    problems << QStringLiteral("placeholders differ ") + where;
            }
        }
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    }

    void englishBaseListsTheSameMessages()
    {
        QString error;
        const auto zh = readTs(QStringLiteral(RPPG_TS_DIR "/rppg_studio_zh_CN.ts"), &error);
        const auto en = readTs(QStringLiteral(RPPG_TS_DIR "/rppg_studio_en.ts"), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QSet<QString> a, b;
        for (const auto &e : zh)
            a.insert(e.context + QLatin1Char('|') + e.source);
        for (const auto &e : en)
            b.insert(e.context + QLatin1Char('|') + e.source);
        QCOMPARE(a, b);
    }

    void chineseIsLoadedAndUsed()
    {
        QCOMPARE(installTranslations(QStringLiteral("zh_CN")), QStringLiteral("zh_CN"));
        {
            CodecComparisonView view;
            QStringList texts;
            for (QPushButton *b : view.findChildren<QPushButton *>())
                texts << b->text();
            QVERIFY2(texts.contains(QStringLiteral("比较")), qPrintable(texts.join(QLatin1Char(','))));
            QCOMPARE(view.resultsModel()->headerData(0, Qt::Horizontal).toString(), QStringLiteral("变体"));
        }
        QCOMPARE(installTranslations(QStringLiteral("en")), QStringLiteral("en"));
        {
            CodecComparisonView view;
            QCOMPARE(view.resultsModel()->headerData(0, Qt::Horizontal).toString(), QStringLiteral("Variant"));
        }
        // An unknown language falls back to English rather than failing.
        QCOMPARE(installTranslations(QStringLiteral("xx_YY")), QStringLiteral("en"));
        QVERIFY(availableLanguages().contains(QStringLiteral("zh_CN")));
    }

    void aboutBoxNamesVersionsAndLicences()
    {
        AboutDialog about;
        const QString versions = about.versionsText();
        QVERIFY2(versions.contains(QStringLiteral("OpenCV " CV_VERSION)), qPrintable(versions));
        QVERIFY(versions.contains(QStringLiteral("Qt %1").arg(QString::fromLatin1(qVersion()))));
        QVERIFY(versions.contains(QStringLiteral("FFmpeg ")));
        QVERIFY(versions.contains(QStringLiteral("dlib 19.")));
        QVERIFY(versions.contains(QStringLiteral("QCustomPlot 2.")));
        // The torch line: a version only when a layer above core registered one.
        registerComponent({QStringLiteral("libtorch"), QStringLiteral("9.9.9-test"), QStringLiteral("BSD-3-Clause"), {}});
        AboutDialog withTorch;
        QVERIFY(withTorch.versionsText().contains(QStringLiteral("libtorch 9.9.9-test")));
        QVERIFY(versions.contains(QStringLiteral("libtorch -")));
        if (qEnvironmentVariableIsSet("RPPG_SCREENSHOT_DIR")) {   // for looking at it, not for the verdict
            about.resize(640, 480);
            about.grab().save(qEnvironmentVariable("RPPG_SCREENSHOT_DIR") + QStringLiteral("/about.png"));
            installTranslations(QStringLiteral("zh_CN"));
            AboutDialog zh;
            zh.resize(640, 480);
            zh.grab().save(qEnvironmentVariable("RPPG_SCREENSHOT_DIR") + QStringLiteral("/about-zh_CN.png"));
            installTranslations(QStringLiteral("en"));
        }
        QString all;
        for (QTextBrowser *page : about.findChildren<QTextBrowser *>())
            all += page->toPlainText();
        for (const char *needle : {"GPL-3.0-or-later", "Apache-2.0", "Boost", "BSD-3-Clause", "LGPL", "Eileen Collins",
                                   "public domain"})
            QVERIFY2(all.contains(QLatin1String(needle)), needle);
    }
};

QTEST_MAIN(TstI18n)
#include "tst_i18n.moc"
