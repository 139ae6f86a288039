// Settings live under --data-dir and survive a restart (a new AppSettings on the same dir).
#include "ui/controllers/appsettings.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

class AppSettingsTest : public QObject {
    Q_OBJECT
private slots:
    void everythingUnderDataDir()
    {
        QTemporaryDir dir;
        AppSettings settings(dir.path() + QStringLiteral("/profile"));
        QCOMPARE(settings.dataDir(), dir.path() + QStringLiteral("/profile"));
        QVERIFY(settings.settingsFile().startsWith(settings.dataDir() + QLatin1Char('/')));
        QVERIFY(settings.isWritable());
    }

    void survivesRestart()
    {
        QTemporaryDir dir;
        {
            AppSettings settings(dir.path());
            QSignalSpy themeSpy(&settings, &AppSettings::themeChanged);
            settings.setLanguage(QStringLiteral("zh_CN"));
            settings.setTheme(AppSettings::Theme::Dark);
            settings.setTheme(AppSettings::Theme::Dark);
            QCOMPARE(themeSpy.count(), 1);
            settings.setThreads(3);
            settings.setDevice(AppSettings::Device::Cpu);
            settings.setWindowLayout(QByteArray("geom"), QByteArray("state"));
            settings.sync();
        }
        AppSettings again(dir.path());
        QCOMPARE(again.language(), QStringLiteral("zh_CN"));
        QCOMPARE(again.theme(), AppSettings::Theme::Dark);
        QCOMPARE(again.threads(), 3);
        QCOMPARE(again.device(), AppSettings::Device::Cpu);
        QCOMPARE(again.windowGeometry(), QByteArray("geom"));
        QCOMPARE(again.windowState(), QByteArray("state"));
        again.setTheme(AppSettings::Theme::HighContrast);
        again.sync();
        QCOMPARE(AppSettings(dir.path()).theme(), AppSettings::Theme::HighContrast);
    }

    void recentModelsNewestFirstBounded()
    {
        QTemporaryDir dir;
        AppSettings settings(dir.path());
        QSignalSpy spy(&settings, &AppSettings::recentModelsChanged);
        for (int i = 0; i < 12; ++i)
            settings.addRecentModel(QStringLiteral("/m/%1.gguf").arg(i));
        settings.addRecentModel(QStringLiteral("/m/5.gguf"));
        const QStringList recent = settings.recentModels();
        QCOMPARE(recent.size(), 10);
        QCOMPARE(recent.front(), QStringLiteral("/m/5.gguf"));
        QCOMPARE(recent.count(QStringLiteral("/m/5.gguf")), 1);
        QCOMPARE(spy.count(), 13);
        settings.clearRecentModels();
        QVERIFY(settings.recentModels().isEmpty());
    }
};

QTEST_GUILESS_MAIN(AppSettingsTest)
#include "appsettings_test.moc"
