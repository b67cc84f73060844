#include "i18n.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

#include <memory>

namespace rppg {

QStringList availableLanguages()
{
    return {QStringLiteral("en"), QStringLiteral("zh_CN")};
}

QString installTranslations(const QString &language)
{
    static QTranslator *own = nullptr;
    static QTranslator *qt = nullptr;
    auto *app = QCoreApplication::instance();
    if (!app)
        return QStringLiteral("en");
    for (QTranslator **t : {&own, &qt}) {
        if (*t) {
            app->removeTranslator(*t);
            delete *t;
            *t = nullptr;
        }
    }
    const QString wanted = language.trimmed();
    const QLocale locale = wanted.isEmpty() || wanted.compare(QLatin1String("system"), Qt::CaseInsensitive) == 0
                               ? QLocale::system()
                               : QLocale(wanted);
    if (locale.language() == QLocale::English || locale.language() == QLocale::C) {
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        return QStringLiteral("en");
    }
    auto translator = std::make_unique<QTranslator>();
    // Looks for :/i18n/rppg_studio_<ui language>.qm (e.g. zh_CN for zh_Hans_CN).
    if (!translator->load(locale, QStringLiteral("rppg_studio"), QStringLiteral("_"), QStringLiteral(":/i18n")))
        return QStringLiteral("en");
    own = translator.release();
    app->installTranslator(own);
    auto qtTranslator = std::make_unique<QTranslator>();
    if (qtTranslator->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                           QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        qt = qtTranslator.release();
        app->installTranslator(qt);
    }
    QLocale::setDefault(locale);
    const QString file = own->filePath();   // ":/i18n/rppg_studio_zh_CN.qm"
    const int us = file.indexOf(QLatin1String("rppg_studio_"));
    return us >= 0 ? file.mid(us + 12).chopped(3) : locale.name();
}

} // namespace rppg
