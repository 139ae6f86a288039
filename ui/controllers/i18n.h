// Loads the app's translations (embedded .qm files) and Qt's own for a locale.
#pragma once

#include <QLocale>
#include <QStringList>

class QCoreApplication;

// Installs the translators for `locale` on `app`; returns false when Seekbench has no
// translation for it (English is then shown). Qt's own strings follow when Qt has them.
bool installTranslations(QCoreApplication& app, const QLocale& locale);

// The language installTranslations() put in place: "en" until then, else e.g. "zh_CN".
QString installedLanguage();

// The locales Seekbench ships a translation for, e.g. {"en", "zh_CN"}.
QStringList availableLanguages();
