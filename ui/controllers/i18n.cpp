// Translators live as long as the application; they are parented to it.
#include "i18n.h"

#include <QCoreApplication>
#include <QDir>
#include <QLibraryInfo>
#include <QTranslator>

namespace {
QString g_language = QStringLiteral("en");
}

QString installedLanguage() { return g_language; }

bool installTranslations(QCoreApplication& app, const QLocale& locale)
{
    auto* qt = new QTranslator(&app);
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                 QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        app.installTranslator(qt);
    else
        delete qt;

    auto* own = new QTranslator(&app);
    // The source strings are English; the English file only adds plural forms ("1 file").
    const bool english = locale.language() == QLocale::English || locale.language() == QLocale::C;
    if (english ? !own->load(QStringLiteral(":/i18n/seekbench_en.qm"))
                : !own->load(locale, QStringLiteral("seekbench"), QStringLiteral("_"), QStringLiteral(":/i18n"))) {
        delete own;
        return english;
    }
    app.installTranslator(own);
    g_language = english ? QStringLiteral("en") : locale.name();
    return true;
}

QStringList availableLanguages()
{
    QStringList languages{QStringLiteral("en")};
    const QStringList files =
        QDir(QStringLiteral(":/i18n")).entryList({QStringLiteral("seekbench_*.qm")});
    for (const QString& file : files) {
        const QString name = file.mid(10, file.size() - 13); // seekbench_XX.qm -> XX
        if (name != QLatin1String("en"))
            languages << name;
    }
    return languages;
}
