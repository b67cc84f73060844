#include "htmlreport.h"

#include "rppg_version.h"

#include <QBuffer>
#include <QColor>
#include <QCoreApplication>
#include <QRegularExpression>
#include <QSaveFile>

#include <algorithm>
#include <cmath>
#include <optional>

namespace rppg::report {

namespace {

QString trReport(const char *text)
{
    return QCoreApplication::translate("rppg::report", text);
}

// XHTML-compatible markup (void elements closed, only XML entities) so the document also parses
// as XML; the stylesheet contains neither '<' nor '&' for the same reason.
const char kStyle[] = R"(
:root { color-scheme: light; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: #f4f5f7; color: #1f2328;
  font: 15px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans",
        "DejaVu Sans", Arial, sans-serif;
}
main {
  max-width: 1100px; margin: 0 auto; padding: 44px 56px 40px; background: #ffffff;
  min-height: 100vh; box-shadow: 0 0 0 1px #e3e6ea, 0 8px 24px rgba(31, 35, 40, 0.06);
}
h1 { font-size: 30px; line-height: 1.2; margin: 0 0 28px; font-weight: 700; letter-spacing: -0.015em; }
h2 { font-size: 21px; line-height: 1.3; margin: 44px 0 14px; padding-bottom: 8px;
     border-bottom: 1px solid #e3e6ea; font-weight: 650; }
h3 { font-size: 17px; margin: 30px 0 10px; font-weight: 650; }
h4, h5, h6 { font-size: 15px; margin: 22px 0 8px; font-weight: 650; }
p { margin: 0 0 14px; max-width: 75ch; }
code { font: 13px/1.4 ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace;
       background: #f2f3f5; padding: 1px 5px; border-radius: 4px; }
.table-wrap { overflow-x: auto; margin: 10px 0 28px; }
table { border-collapse: collapse; font-size: 14px; font-variant-numeric: tabular-nums; min-width: 50%; }
th, td { padding: 7px 14px; text-align: left; vertical-align: top; border-bottom: 1px solid #eceef1; }
thead th { font-weight: 650; color: #3d444d; border-bottom: 2px solid #cfd5dc; white-space: nowrap; }
tbody tr:nth-child(even) { background: #f7f8fa; }
tbody tr:hover { background: #eef3fb; }
th.num, td.num { text-align: right; white-space: nowrap; }
figure { margin: 18px 0 34px; }
figure img { display: block; max-width: 100%; height: auto; margin: 0 auto; border-radius: 6px;
             border: 1px solid #eceef1; }
figcaption { color: #59636e; font-size: 13.5px; margin: 10px auto 0; max-width: 80ch; text-align: center; }
figure .missing { color: #8c959f; font-style: italic; text-align: center; padding: 40px 0;
                  border: 1px dashed #cfd5dc; border-radius: 6px; margin: 0; max-width: none; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 6px 28px; margin: 10px 0 26px;
        font-size: 14.5px; }
dl.kv dt { color: #59636e; }
dl.kv dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.note { border-left: 4px solid #0072b2; background: #eef6fc; padding: 12px 18px; margin: 18px 0 26px;
        border-radius: 0 6px 6px 0; }
.note p { margin: 0; }
footer { margin-top: 56px; padding-top: 14px; border-top: 1px solid #eceef1; color: #8c959f;
         font-size: 12.5px; }
@media (max-width: 720px) { main { padding: 24px 18px; } }
@media print {
  body { background: #ffffff; }
  main { box-shadow: none; max-width: none; padding: 0; }
  figure, table, .note { break-inside: avoid; }
  tbody tr:hover { background: inherit; }
}
)";

// Cells that mean "no value" and neither make a column textual nor get a heat colour.
bool isPlaceholder(const QString &cell)
{
    static const QStringList kPlaceholders = {QString(),
                                              QStringLiteral("-"),
                                              QStringLiteral("\u2013"),
                                              QStringLiteral("\u2014"),
                                              QStringLiteral("n/a"),
                                              QStringLiteral("na"),
                                              QStringLiteral("nan"),
                                              QStringLiteral("?")};
    return kPlaceholders.contains(cell.trimmed().toLower());
}

// The number a cell shows, if it is one: "12.3", "−0.8", "1,250", "±2.1", "4.5 bpm", "12 %".
std::optional<double> cellNumber(const QString &cell)
{
    static const QRegularExpression kNumber(QStringLiteral(
        R"(^\s*([+\-\x{2212}\x{00b1}]?)\s*((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)([eE][+\-]?\d+)?\s*(?:%|[A-Za-z\x{00b5}\x{00b0}/]{1,8})?\s*$)"));
    const QRegularExpressionMatch m = kNumber.match(cell);
    if (!m.hasMatch())
        return std::nullopt;
    QString digits = m.captured(2) + m.captured(3);
    digits.remove(QLatin1Char(','));
    bool ok = false;
    double v = digits.toDouble(&ok);
    if (!ok || !std::isfinite(v))
        return std::nullopt;
    const QString sign = m.captured(1);
    if (sign == QStringLiteral("-") || sign == QStringLiteral("\u2212"))
        v = -v;
    return v;
}

// Light tints, green (low) → amber → red (high), dark text stays readable on all of them.
QString heatColor(double t)
{
    static const QColor kStops[]
        = {QColor(0xCD, 0xEB, 0xD3), QColor(0xFB, 0xE8, 0xB0), QColor(0xF6, 0xC3, 0xC0)};
    t = std::clamp(t, 0.0, 1.0);
    const int i = t < 0.5 ? 0 : 1;
    const double u = t < 0.5 ? t * 2 : (t - 0.5) * 2;
    const QColor &a = kStops[i];
    const QColor &b = kStops[i + 1];
    const QColor c(qRound(a.red() + (b.red() - a.red()) * u),
                   qRound(a.green() + (b.green() - a.green()) * u),
                   qRound(a.blue() + (b.blue() - a.blue()) * u));
    return c.name();
}

QString attribute(const QString &text)
{
    return HtmlReport::escape(text).replace(QLatin1Char('\n'), QLatin1String("&#10;"));
}

} // namespace

HtmlReport::HtmlReport(const QString &title)
    : m_title(title)
{
}

QString HtmlReport::escape(const QString &text)
{
    QString out;
    out.reserve(text.size() + text.size() / 8);
    for (const QChar c : text) {
        switch (c.unicode()) {
        case '&':
            out += QLatin1String("&amp;");
            break;
        case '<':
            out += QLatin1String("&lt;");
            break;
        case '>':
            out += QLatin1String("&gt;");
            break;
        case '"':
            out += QLatin1String("&quot;");
            break;
        case '\'':
            out += QLatin1String("&#39;");
            break;
        default:
            // Control characters are not allowed in HTML or XML text; drop them.
            if (c.unicode() < 0x20 && c != QLatin1Char('\n') && c != QLatin1Char('\t')
                && c != QLatin1Char('\r'))
                break;
            if (c.unicode() == 0xFFFE || c.unicode() == 0xFFFF)
                break;
            out += c;
        }
    }
    return out;
}

void HtmlReport::addHeading(const QString &text, int level)
{
    const int l = std::clamp(level, 1, 6);
    m_body << QStringLiteral("<h%1>%2</h%1>").arg(l).arg(escape(text));
}

void HtmlReport::addParagraph(const QString &text)
{
    QString html = escape(text);
    html.replace(QLatin1String("\r\n"), QLatin1String("\n"));
    html.replace(QLatin1Char('\n'), QLatin1String("<br />"));
    m_body << QStringLiteral("<p>%1</p>").arg(html);
}

void HtmlReport::addHtml(const QString &html)
{
    m_body << html;
}

void HtmlReport::addKeyValues(const std::vector<std::pair<QString, QString>> &rows)
{
    if (rows.empty())
        return;
    QString html = QStringLiteral("<dl class=\"kv\">\n");
    for (const auto &[key, value] : rows)
        html += QStringLiteral("<dt>%1</dt><dd>%2</dd>\n").arg(escape(key), escape(value));
    html += QStringLiteral("</dl>");
    m_body << html;
}

void HtmlReport::addTable(const QStringList &header, const std::vector<QStringList> &rows,
                          int highlightColumn)
{
    int columns = int(header.size());
    for (const QStringList &r : rows)
        columns = std::max(columns, int(r.size()));
    if (columns == 0)
        return;

    // A column is numeric (right-aligned) when every cell with a value is a number.
    std::vector<bool> numeric(size_t(columns), false);
    for (int c = 0; c < columns; ++c) {
        bool any = false;
        bool all = true;
        for (const QStringList &r : rows) {
            const QString cell = r.value(c);
            if (isPlaceholder(cell))
                continue;
            any = true;
            all = all && cellNumber(cell).has_value();
        }
        numeric[size_t(c)] = any && all;
    }

    double lo = qInf(), hi = -qInf();
    if (highlightColumn >= 0 && highlightColumn < columns) {
        for (const QStringList &r : rows) {
            const QString cell = r.value(highlightColumn);
            if (isPlaceholder(cell))
                continue;
            if (const auto v = cellNumber(cell)) {
                lo = std::min(lo, *v);
                hi = std::max(hi, *v);
            }
        }
    }
    const bool heat = lo < hi;

    QString html = QStringLiteral("<div class=\"table-wrap\"><table>\n");
    if (!header.isEmpty()) {
        html += QStringLiteral("<thead><tr>");
        for (int c = 0; c < columns; ++c) {
            html += numeric[size_t(c)] ? QStringLiteral("<th class=\"num\">")
                                       : QStringLiteral("<th>");
            html += escape(header.value(c)) + QStringLiteral("</th>");
        }
        html += QStringLiteral("</tr></thead>\n");
    }
    html += QStringLiteral("<tbody>\n");
    for (const QStringList &r : rows) {
        html += QStringLiteral("<tr>");
        for (int c = 0; c < columns; ++c) {
            const QString cell = r.value(c);
            html += QStringLiteral("<td");
            if (numeric[size_t(c)])
                html += QStringLiteral(" class=\"num\"");
            if (heat && c == highlightColumn && !isPlaceholder(cell)) {
                if (const auto v = cellNumber(cell))
                    html += QStringLiteral(" style=\"background:%1\"")
                                .arg(heatColor((*v - lo) / (hi - lo)));
            }
            html += QLatin1Char('>') + escape(cell) + QStringLiteral("</td>");
        }
        html += QStringLiteral("</tr>\n");
    }
    html += QStringLiteral("</tbody>\n</table></div>");
    m_body << html;
}

void HtmlReport::addImage(const QImage &image, const QString &caption, const QString &altText)
{
    const QString alt = attribute(altText.isEmpty() ? caption : altText);
    QString html = QStringLiteral("<figure>");
    QByteArray png;
    QBuffer buffer(&png);
    if (!image.isNull() && buffer.open(QIODevice::WriteOnly) && image.save(&buffer, "PNG")) {
        // Logical size, so an image rendered at pixelRatio 2 shows sharp at its intended size.
        const QSizeF logical = image.deviceIndependentSize();
        html
            += QStringLiteral(
                   "<img src=\"data:image/png;base64,%1\" width=\"%2\" height=\"%3\" alt=\"%4\" />")
                   .arg(QString::fromLatin1(png.toBase64()))
                   .arg(qRound(logical.width()))
                   .arg(qRound(logical.height()))
                   .arg(alt);
    } else {
        html += QStringLiteral("<p class=\"missing\">%1</p>").arg(escape(trReport("(no image)")));
    }
    if (!caption.isEmpty())
        html += QStringLiteral("<figcaption>%1</figcaption>").arg(escape(caption));
    html += QStringLiteral("</figure>");
    m_body << html;
}

void HtmlReport::addNote(const QString &text)
{
    QString html = escape(text);
    html.replace(QLatin1Char('\n'), QLatin1String("<br />"));
    m_body << QStringLiteral("<div class=\"note\"><p>%1</p></div>").arg(html);
}

QString HtmlReport::html() const
{
    const QString generator = QStringLiteral(RPPG_PROGRAM_NAME " " RPPG_VERSION_STRING);
    QString out;
    out += QStringLiteral(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n");
    out += QStringLiteral(
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n");
    out += QStringLiteral("<meta name=\"generator\" content=\"%1\" />\n").arg(attribute(generator));
    out += QStringLiteral("<title>%1</title>\n").arg(escape(m_title));
    out += QStringLiteral("<style>") + QLatin1String(kStyle) + QStringLiteral("</style>\n");
    out += QStringLiteral("</head>\n<body>\n<main>\n");
    if (!m_title.isEmpty())
        out += QStringLiteral("<h1>%1</h1>\n").arg(escape(m_title));
    for (const QString &part : m_body)
        out += part + QLatin1Char('\n');
    out += QStringLiteral("<footer>%1</footer>\n")
               .arg(escape(trReport("Generated by %1").arg(generator)));
    out += QStringLiteral("</main>\n</body>\n</html>\n");
    return out;
}

Error HtmlReport::write(const QString &path) const
{
    return writeFileAtomically(path, html().toUtf8());
}

Error writePng(const QImage &image, const QString &path)
{
    if (image.isNull())
        return Error{ErrorCode::WriteFailed,
                     QStringLiteral("cannot write '%1': empty image").arg(path)};
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error{
            ErrorCode::WriteFailed,
            QStringLiteral("cannot write '%1': %2").arg(path, file.errorString().simplified())};
    if (!image.save(&file, "PNG")) {
        const QString reason = file.error() != QFileDevice::NoError
                                   ? file.errorString().simplified()
                                   : QStringLiteral("PNG encoding failed");
        file.cancelWriting();
        return Error{ErrorCode::WriteFailed,
                     QStringLiteral("cannot write '%1': %2").arg(path, reason)};
    }
    if (!file.commit())
        return Error{
            ErrorCode::WriteFailed,
            QStringLiteral("cannot write '%1': %2").arg(path, file.errorString().simplified())};
    return Error::none();
}

} // namespace rppg::report
