#pragma once

// Self-contained HTML reports: one file that opens in any browser without network access
// (images embedded as data: URIs, styles inline, no scripts needed). Built section by section,
// written atomically.
//
// Thread affinity: the thread that owns it.

#include "result.h"

#include <QImage>
#include <QString>
#include <QStringList>

#include <vector>

namespace rppg::report {

class HtmlReport
{
public:
    explicit HtmlReport(const QString &title);

    void addHeading(const QString &text, int level = 2);
    void addParagraph(const QString &text);                 // plain text, escaped
    void addHtml(const QString &html);                      // trusted markup
    void addKeyValues(const std::vector<std::pair<QString, QString>> &rows);
    // A table; cells are plain text (escaped). `highlightColumn` >= 0 colours numeric cells of that
    // column from green (low) to red (high) — for error columns.
    void addTable(const QStringList &header, const std::vector<QStringList> &rows,
                  int highlightColumn = -1);
    void addImage(const QImage &image, const QString &caption, const QString &altText = {});
    void addNote(const QString &text);                       // a highlighted remark box

    QString html() const;
    // Errors: WriteFailed.
    Error write(const QString &path) const;

    static QString escape(const QString &text);

private:
    QString m_title;
    QStringList m_body;
};

// Writes a PNG atomically. Errors: WriteFailed.
Error writePng(const QImage &image, const QString &path);

} // namespace rppg::report
