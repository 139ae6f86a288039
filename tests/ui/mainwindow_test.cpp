// The main window: a place for every panel, menus, status bar, a saved and restored
// layout, model opening (good and bad files), the settings and about dialogs, theming.
#include "app/appsettings.h"
#include "app/devicecontroller.h"
#include "app/modelcontroller.h"
#include "app/themecontroller.h"
#include "ui/mainwindow.h"
#include "ui/modelpanel.h"
#include "ui/settingsdialog.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QLabel>
#include <QMenuBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QTest>

namespace {
QString writeFile(const QTemporaryDir& dir, const QString& name, const QByteArray& bytes)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    file.open(QIODevice::WriteOnly);
    file.write(bytes);
    return path;
}
} // namespace

class MainWindowTest : public QObject {
    Q_OBJECT
private slots:
    void everyPanelHasAPlace()
    {
        QTemporaryDir dir;
        AppSettings settings(dir.path());
        ModelController models(settings);
        DeviceController devices;
        MainWindow window(settings, models, devices);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QStringList ids = window.panelIds();
        QCOMPARE(ids, (QStringList{"chat", "code", "attention", "routing", "knowledge", "models"}));
        for (const QString& id : ids) {
            QWidget* panel = window.showPanel(id);
            QVERIFY2(panel, qPrintable(id));
            QVERIFY2(panel->isVisible(), qPrintable(id));
            if (id != QLatin1String("chat")) {
                QVERIFY(window.dock(id));
                QVERIFY(!window.dock(id)->windowTitle().isEmpty());
            }
        }
        QCOMPARE(window.centralWidget(), window.panel(QStringLiteral("chat")));
        QStringList menus;
        for (QAction* action : window.menuBar()->actions())
            menus << action->text();
        QCOMPARE(menus, (QStringList{"&File", "&View", "&Settings", "&Help"}));
        QCOMPARE(window.modelStatus()->text(), QStringLiteral("No model"));
    }

    void statusBarShowsDevice()
    {
        QTemporaryDir dir;
        AppSettings settings(dir.path());
        ModelController models(settings);
        DeviceController devices;
        MainWindow window(settings, models, devices);
        devices.probe();
        QTRY_VERIFY_WITH_TIMEOUT(devices.hasResult(), 30000);
        QTRY_VERIFY(window.deviceStatus()->text().contains(QLatin1String("CPU")) ||
                    window.deviceStatus()->text().startsWith(QLatin1String("GPU")));
        if (!devices.cudaAvailable()) {
            QVERIFY(window.deviceStatus()->text().contains(QLatin1String("no GPU")));
            QVERIFY(window.deviceStatus()->toolTip().contains(QLatin1String("no CUDA device")));
        }
    }

    void layoutIsRestored()
    {
        QTemporaryDir dir;
        {
            AppSettings settings(dir.path());
            ModelController models(settings);
            DeviceController devices;
            MainWindow window(settings, models, devices);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            window.dock(QStringLiteral("routing"))->hide();
            window.dock(QStringLiteral("knowledge"))->setFloating(true);
            window.close();
        }
        AppSettings settings(dir.path());
        ModelController models(settings);
        DeviceController devices;
        MainWindow window(settings, models, devices);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(!window.dock(QStringLiteral("routing"))->isVisible());
        QVERIFY(window.dock(QStringLiteral("knowledge"))->isFloating());
        QVERIFY(window.dock(QStringLiteral("attention"))->isVisible() ||
                window.tabifiedDockWidgets(window.dock(QStringLiteral("attention"))).size() > 0);
        window.resetLayout();
        QVERIFY(!window.dock(QStringLiteral("knowledge"))->isFloating());
        QVERIFY(!window.dock(QStringLiteral("routing"))->isHidden());
    }

    void openingModels()
    {
        QTemporaryDir dir;
        AppSettings settings(dir.path());
        ModelController models(settings);
        DeviceController devices;
        MainWindow window(settings, models, devices);
        auto* panel = qobject_cast<ModelPanel*>(window.panel(QStringLiteral("models")));
        QVERIFY(panel);
        QAbstractItemModelTester tester(panel->recentModel());
        QSignalSpy errors(&models, &ModelController::errorOccurred);
        QSignalSpy changes(&models, &ModelController::modelChanged);

        models.open(dir.filePath(QStringLiteral("missing.gguf")));
        models.open(writeFile(dir, QStringLiteral("text.gguf"), "just some text"));
        models.open(dir.path());
        QCOMPARE(errors.count(), 3);
        QVERIFY(errors.at(1).at(0).toString().contains(QLatin1String("not a GGUF")));
        QCOMPARE(changes.count(), 0);
        QCOMPARE(panel->recentModel()->rowCount(), 0);

        const QString good = writeFile(dir, QStringLiteral("tiny.gguf"), QByteArray("GGUF\3\0\0\0"));
        models.open(good);
        QCOMPARE(changes.count(), 1);
        QCOMPARE(window.modelStatus()->text(), QStringLiteral("Model: tiny.gguf"));
        QCOMPARE(panel->recentModel()->rowCount(), 1);
        QCOMPARE(panel->recentModel()->index(0, 0).data().toString(), QStringLiteral("tiny.gguf"));
        QCOMPARE(settings.recentModels(), QStringList{good});
        models.close();
        QCOMPARE(window.modelStatus()->text(), QStringLiteral("No model"));
    }

    void settingsDialogWritesSettingsAndTheme()
    {
        QTemporaryDir dir;
        AppSettings settings(dir.path());
        ThemeController theme(*qApp, settings);
        ModelController models(settings);
        DeviceController devices;
        MainWindow window(settings, models, devices);
        QVERIFY(!theme.isDark() || settings.theme() == AppSettings::Theme::System);
        std::unique_ptr<QDialog> dialog(window.createSettingsDialog());
        auto* settingsDialog = qobject_cast<SettingsDialog*>(dialog.get());
        QVERIFY(settingsDialog);
        settingsDialog->themeBox()->setCurrentIndex(
            settingsDialog->themeBox()->findData(int(AppSettings::Theme::Dark)));
        settingsDialog->threadsBox()->setValue(2);
        settingsDialog->languageBox()->setCurrentIndex(
            settingsDialog->languageBox()->findData(QStringLiteral("zh_CN")));
        QVERIFY(settingsDialog->languageBox()->currentIndex() > 0);
        settingsDialog->accept();
        QCOMPARE(settings.theme(), AppSettings::Theme::Dark);
        QCOMPARE(settings.threads(), 2);
        QCOMPARE(settings.language(), QStringLiteral("zh_CN"));
        QVERIFY(theme.isDark());
        QVERIFY(qApp->palette().color(QPalette::Window).lightness() < 100);
        settings.setTheme(AppSettings::Theme::Light);
        QVERIFY(!theme.isDark());
        QVERIFY(qApp->palette().color(QPalette::Window).lightness() > 150);
    }

    void aboutDialogSaysWhatItIs()
    {
        QTemporaryDir dir;
        AppSettings settings(dir.path());
        ModelController models(settings);
        DeviceController devices;
        MainWindow window(settings, models, devices);
        std::unique_ptr<QDialog> about(window.createAboutDialog());
        QString text;
        for (QLabel* label : about->findChildren<QLabel*>())
            text += label->text();
        QVERIFY(text.contains(QLatin1String(SEEKBENCH_VERSION)));
        QVERIFY(text.contains(QLatin1String(qVersion())));
        QVERIFY(text.contains(QLatin1String("Built with CUDA")));
    }
};

QTEST_MAIN(MainWindowTest)
#include "mainwindow_test.moc"
