#pragma once

// The user-interface language: English (the source strings) or a translation compiled into the
// application (Simplified Chinese: zh_CN). The choice follows the system locale unless the
// `--lang` option or the setting "ui/language" names one ("en", "zh_CN", "system").
//
// Thread affinity: GUI thread, before the first window is created.

#include <QString>
#include <QStringList>

namespace rppg {

// Languages with a translation, as locale names ("en" first).
QStringList availableLanguages();

// Installs the translators for `language` ("" or "system" = the system locale) on the running
// application: rPPG Studio's own and Qt's (standard dialogs). Returns the locale name in use
// ("en" when no translation matches).
QString installTranslations(const QString &language);

} // namespace rppg
