// The main window: a place for every panel, menus, status bar, a saved and restored
// layout, model opening (good and bad files) with the facts shown, the settings and about
// dialogs, theming.
#include "appharness.h"
#include "ui/chatpanel.h"
#include "ui/controllers/themecontroller.h"
#include "ui/conversationlist.h"
#include "ui/guidedialog.h"
#include "ui/messagewidget.h"
#include "ui/modelpanel.h"
#include "ui/remotedialog.h"
#include "ui/serverpanel.h"
#include "ui/settingsdialog.h"
#include "ui/welcomedialog.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QLineEdit>
#include <QDockWidget>
#include <QMimeData>
#include <QLabel>
#include <QMenuBar>
#include <QPointer>
#include <QPushButton>
#include <QTableView>
#include <QTableWidget>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <KSyntaxHighlighting/Repository>
#include <cmath>

namespace {
// WCAG 2 contrast ratio of a colour (alpha blended over the background) against it.
double contrast(QColor fg, QColor bg)
{
    const double a = fg.alphaF();
    fg = QColor::fromRgbF(float(fg.redF() * a + bg.redF() * (1 - a)), float(fg.greenF() * a + bg.greenF() * (1 - a)),
                          float(fg.blueF() * a + bg.blueF() * (1 - a)));
    auto luminance = [](const QColor& c) {
        auto lin = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF());
    };
    const double l1 = luminance(fg), l2 = luminance(bg);
    return (std::max(l1, l2) + 0.05) / (std::min(l1, l2) + 0.05);
}
} // namespace

namespace {

QString writeFile(const QTemporaryDir& dir, const QString& name, const QByteArray& bytes)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    file.open(QIODevice::WriteOnly);
    file.write(bytes);
    return path;
}

const QString kStories = QStringLiteral(SEEKBENCH_SHARED_DIR "/models/stories260K/stories260K.gguf");

} // namespace

class MainWindowTest : public QObject {
    Q_OBJECT
private slots:
    void theServerPanelStartsAndStopsTheServer()
    {
        QTemporaryDir dir;
        AppHarness app(dir.path());
        ServerPanel* panel = app.window->serverPanel();
        QVERIFY(panel);
        QCOMPARE(panel->startButton()->text(), QStringLiteral("Start Server"));
        QVERIFY(panel->statusLabel()->text().contains(QLatin1String("built-in model")));
        panel->portBox()->setValue(0);
        panel->slotsBox()->setValue(3);
        QSignalSpy started(&app.server, &ServerController::started);
        panel->startButton()->click();
        QVERIFY(!panel->portBox()->isEnabled());
        QVERIFY(started.wait(30000));
        QCOMPARE(panel->startButton()->text(), QStringLiteral("Stop Server"));
        const QString address = app.server.address().toString();
        QVERIFY2(panel->statusLabel()->text().contains(address + QStringLiteral("/v1")), qPrintable(panel->statusLabel()->text()));
        QCOMPARE(app.settings.server().slotCount, 3); // remembered, the key never
        QCOMPARE(panel->logView()->model(), app.server.log());
        QSignalSpy stopped(&app.server, &ServerController::stopped);
        panel->startButton()->click();
        QVERIFY(stopped.wait(15000));
        QCOMPARE(panel->startButton()->text(), QStringLiteral("Start Server"));
        QVERIFY(panel->portBox()->isEnabled());
    }

    void theRemoteDialogListsAndConnects()
    {
        QTemporaryDir dir;
        AppHarness app(dir.path());
        QSignalSpy started(&app.server, &ServerController::started);
        ServerSettings s;
        s.port = 0;
        app.server.start(QString(), s);
        QVERIFY(started.wait(30000));
        RemoteDialog dialog(app.settings, app.models, app.window.get());
        dialog.urlEdit()->setText(app.server.address().toString() + QStringLiteral("/v1"));
        dialog.listButton()->click();
        QVERIFY(QTest::qWaitFor([&] { return dialog.modelBox()->count() == 1; }, 10000));
        QCOMPARE(dialog.modelBox()->currentText(), QStringLiteral("seekbench-moe"));
        QVERIFY(dialog.statusLabel()->text().contains(QLatin1String("1 model")));
        dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->click();
        QVERIFY(QTest::qWaitFor([&] { return app.models.isRemote(); }, 10000));
        QVERIFY(app.window->modelStatus()->text().contains(QLatin1String("seekbench-moe")));
        QCOMPARE(app.settings.remote().model, QStringLiteral("seekbench-moe"));
    }

    void repliesAreTracedOnlyWhileATracePanelIsOnScreen()
    {
        QTemporaryDir dir;
        AppHarness app(dir.path());
        MainWindow& window = *app.window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.showPanel(QStringLiteral("attention"));
        QTRY_VERIFY(app.chat.traces.panelsVisible());
        // The Code tab in front of both (they share one tab group): nothing on screen traces.
        window.showPanel(QStringLiteral("code"));
        QTRY_VERIFY(!app.chat.traces.panelsVisible());
        QVERIFY(app.load(builtinModel()));
        QVERIFY(app.chat.turns.send(QStringLiteral("Hello")));
        QVERIFY(app.waitReply());
        QTest::qWait(200);
        QVERIFY(!app.chat.traces.isTracing() && !app.chat.traces.trace().trace);
        // Routing in front again: the reply missed meanwhile is traced now.
        window.showPanel(QStringLiteral("routing"));
        QTRY_VERIFY(app.chat.traces.panelsVisible());
        QVERIFY(QTest::qWaitFor([&] { return app.chat.traces.trace().trace != nullptr; }, 30000));
    }

    void theSpeedShownIsThatOfTheReplyOnScreen()
    {
        QTemporaryDir dir;
        AppHarness app(dir.path());
        QVERIFY(app.load(builtinModel()));
        const qint64 first = app.chat.conversations.newConversation();
        QVERIFY(app.chat.turns.send(QStringLiteral("Hello")));
        QVERIFY(app.waitReply());
        const MessageData reply = app.chat.conversations.branch().last();
        QVERIFY(reply.generatedTokens > 0);
        const QString speed = QStringLiteral("%1 tokens/s").arg(reply.tokensPerSecond, 0, 'f', 1);
        QCOMPARE(app.window->speedStatus()->text(), speed);
        app.chat.conversations.newConversation(); // nothing written here yet
        QCOMPARE(app.window->speedStatus()->text(), QStringLiteral("– tokens/s"));
        app.chat.conversations.select(first);
        QCOMPARE(app.window->speedStatus()->text(), speed);
    }

    void everyPanelHasAPlace()
    {
        QTemporaryDir dir;
        AppHarness app(dir.path());
        MainWindow& window = *app.window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QStringList ids = window.panelIds();
        QCOMPARE(ids, (QStringList{"chat", "conversations", "code", "attention", "routing", "knowledge", "models", "server"}));
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
        QCOMPARE(menus, (QStringList{"&File", "&Models", "&Chat", "&View", "&Settings", "&Help"}));
        QCOMPARE(window.modelStatus()->text(), QStringLiteral("No model"));
    }

    void statusBarShowsDevice()
    {
        QTemporaryDir dir;
        AppHarness app(dir.path());
        app.devices.probe();
        QTRY_VERIFY_WITH_TIMEOUT(app.devices.hasResult(), 30000);
        QLabel* device = app.window->deviceStatus();
        QTRY_VERIFY(device->text().contains(QLatin1String("CPU")) || device->text().startsWith(QLatin1String("GPU")));
        if (!app.devices.cudaAvailable()) {
            QVERIFY(device->text().contains(QLatin1String("no GPU")));
            QVERIFY(device->toolTip().contains(QLatin1String("no CUDA device")));
        }
    }

    void layoutIsRestored()
    {
        QTemporaryDir dir;
        {
            AppHarness app(dir.path());
            app.window->show();
            QVERIFY(QTest::qWaitForWindowExposed(app.window.get()));
            app.window->dock(QStringLiteral("routing"))->hide();
            app.window->dock(QStringLiteral("knowledge"))->setFloating(true);
            app.window->close();
        }
        AppHarness app(dir.path());
        MainWindow& window = *app.window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(!window.dock(QStringLiteral("routing"))->isVisible());
        QVERIFY(window.dock(QStringLiteral("knowledge"))->isFloating());
        window.resetLayout();
        QVERIFY(!window.dock(QStringLiteral("knowledge"))->isFloating());
        QVERIFY(!window.dock(QStringLiteral("routing"))->isHidden());
    }

    void openingModels()
    {
        if (!QFile::exists(kStories))
            QSKIP("../shared/models is not beside the repository");
        QTemporaryDir dir;
        AppHarness app(dir.path());
        auto* panel = qobject_cast<ModelPanel*>(app.window->panel(QStringLiteral("models")));
        QVERIFY(panel);
        QAbstractItemModelTester tester(panel->recentModel());
        QSignalSpy errors(&app.models, &ModelController::errorOccurred);

        // Refused at once: missing, not GGUF, a folder.
        app.models.open(dir.filePath(QStringLiteral("missing.gguf")));
        app.models.open(writeFile(dir, QStringLiteral("text.gguf"), "just some text"));
        app.models.open(dir.path());
        QCOMPARE(errors.count(), 3);
        QVERIFY(errors.at(1).at(0).toString().contains(QLatin1String("not a GGUF")));
        // Refused by the engine: GGUF magic, then nothing.
        QVERIFY(!app.load(writeFile(dir, QStringLiteral("cut.gguf"), QByteArray("GGUF\3\0\0\0", 8))));
        QVERIFY(errors.last().at(0).toString().contains(QLatin1String("truncated")));
        // ...and the app goes back to a model (the built-in one: none was open) with the reason.
        QVERIFY(errors.last().at(0).toString().contains(QLatin1String("went back to seekbench-moe.gguf")));
        QVERIFY(QTest::qWaitFor([&] {
            return app.window->modelStatus()->text() == QStringLiteral("Model: seekbench-moe.gguf");
        }, 30000));
        QCOMPARE(panel->recentModel()->rowCount(), 1);

        // The real model loads after all that, and its facts are shown.
        QVERIFY(app.load(kStories));
        QCOMPARE(app.window->modelStatus()->text(), QStringLiteral("Model: stories260K.gguf"));
        QCOMPARE(panel->recentModel()->rowCount(), 2);
        QCOMPARE(panel->recentModel()->index(0, 0).data().toString(), QStringLiteral("stories260K.gguf"));
        QVERIFY(panel->factsLabel()->text().contains(QLatin1String("llama")));
        QVERIFY(panel->factsLabel()->text().contains(QLatin1String("plain")));
        QCOMPARE(app.settings.recentModels().value(0), QFileInfo(kStories).absoluteFilePath());
        QSignalSpy closed(&app.models, &ModelController::modelChanged);
        app.models.close();
        QVERIFY(closed.wait(5000));
        QCOMPARE(app.window->modelStatus()->text(), QStringLiteral("No model"));
    }

    // A .gguf dropped on the window opens; anything else is refused at the door.
    void droppingAModelOpensIt()
    {
        if (!QFile::exists(kStories))
            QSKIP("../shared/models is not beside the repository");
        QTemporaryDir dir;
        AppHarness app(dir.path());
        app.window->show();
        QVERIFY(QTest::qWaitForWindowExposed(app.window.get()));
        QMimeData text;
        text.setUrls({QUrl::fromLocalFile(dir.filePath(QStringLiteral("notes.txt")))});
        QDragEnterEvent refused(QPoint(10, 10), Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(app.window.get(), &refused);
        QVERIFY(!refused.isAccepted());

        QMimeData model;
        model.setUrls({QUrl::fromLocalFile(kStories)});
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &model, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(app.window.get(), &enter);
        QVERIFY(enter.isAccepted());
        QSignalSpy loaded(&app.models, &ModelController::modelChanged);
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &model, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(app.window.get(), &drop);
        QVERIFY(drop.isAccepted());
        QTRY_VERIFY_WITH_TIMEOUT(!app.models.currentPath().isEmpty(), 30000);
        QCOMPARE(app.window->modelStatus()->text(), QStringLiteral("Model: stories260K.gguf"));
    }

    void settingsDialogWritesSettingsAndTheme()
    {
        QTemporaryDir dir;
        AppHarness app(dir.path());
        ThemeController theme(*qApp, app.settings);
        QVERIFY(!theme.isDark() || app.settings.theme() == AppSettings::Theme::System);
        std::unique_ptr<QDialog> dialog(app.window->createSettingsDialog());
        auto* settingsDialog = qobject_cast<SettingsDialog*>(dialog.get());
        QVERIFY(settingsDialog);
        settingsDialog->themeBox()->setCurrentIndex(settingsDialog->themeBox()->findData(int(AppSettings::Theme::Dark)));
        settingsDialog->threadsBox()->setValue(2);
        settingsDialog->languageBox()->setCurrentIndex(settingsDialog->languageBox()->findData(QStringLiteral("zh_CN")));
        QVERIFY(settingsDialog->languageBox()->currentIndex() > 0);
        settingsDialog->accept();
        QCOMPARE(app.settings.theme(), AppSettings::Theme::Dark);
        QCOMPARE(app.settings.threads(), 2);
        QCOMPARE(app.settings.language(), QStringLiteral("zh_CN"));
        QVERIFY(theme.isDark());
        QVERIFY(qApp->palette().color(QPalette::Window).lightness() < 100);
        app.settings.setTheme(AppSettings::Theme::Light);
        QVERIFY(!theme.isDark());
        QVERIFY(qApp->palette().color(QPalette::Window).lightness() > 150);
    }

    // Every text role against its background: WCAG AA (4.5:1) in light and dark, AAA (7:1) in
    // high contrast; a message already on screen takes the new theme's background.
    void themesAreReadable()
    {
        QTemporaryDir dir;
        AppHarness app(dir.path());
        ThemeController theme(*qApp, app.settings);
        KSyntaxHighlighting::Repository repository;
        QWidget chat; // a message lives inside the chat, not as a window of its own
        MessageWidget user(repository, &chat);
        MessageData m;
        m.role = QStringLiteral("user");
        m.content = QStringLiteral("Hello");
        user.show(m, true);
        chat.show();
        const QList<QPair<QPalette::ColorRole, QPalette::ColorRole>> pairs = {
            {QPalette::WindowText, QPalette::Window},   {QPalette::Text, QPalette::Base},
            {QPalette::Text, QPalette::AlternateBase},  {QPalette::ButtonText, QPalette::Button},
            {QPalette::HighlightedText, QPalette::Highlight}, {QPalette::ToolTipText, QPalette::ToolTipBase},
            {QPalette::Link, QPalette::Base},           {QPalette::PlaceholderText, QPalette::Base}};
        for (auto [t, goal] : {std::pair{AppSettings::Theme::Light, 4.5}, std::pair{AppSettings::Theme::Dark, 4.5},
                               std::pair{AppSettings::Theme::HighContrast, 7.0}}) {
            app.settings.setTheme(t);
            const QPalette p = qApp->palette();
            for (auto [fg, bg] : pairs) {
                const double ratio = contrast(p.color(fg), p.color(bg));
                QVERIFY2(ratio >= goal, qPrintable(QStringLiteral("theme %1, roles %2 on %3: %4:1")
                                                       .arg(int(t)).arg(int(fg)).arg(int(bg)).arg(ratio, 0, 'f', 2)));
            }
            QCOMPARE(user.background(), p.color(QPalette::AlternateBase));
            QCOMPARE(user.grab().toImage().pixelColor(2, 2), p.color(QPalette::AlternateBase));
            QCOMPARE(qApp->style()->objectName() == QLatin1String("seekbench-high-contrast"),
                     t == AppSettings::Theme::HighContrast);
        }
        QVERIFY(theme.isDark()); // high contrast is light on dark: code blocks take a dark theme
        app.settings.setTheme(AppSettings::Theme::Light);
    }

    // Help › User Guide: every page of the guide opens from the contents, every picture a
    // page shows loads (scaled to the page), and Back returns to the contents.
    void userGuideOpensEveryPage()
    {
        QTemporaryDir dir;
        AppHarness app(dir.path());
        std::unique_ptr<QDialog> dialog(app.window->createGuideDialog());
        auto* guide = qobject_cast<GuideDialog*>(dialog.get());
        QVERIFY(guide);
        dialog->show();
        GuideBrowser* browser = guide->browser();
        QVERIFY(browser->toPlainText().startsWith(QStringLiteral("Seekbench user guide")));
        static const QRegularExpression link(QStringLiteral(R"(\]\(([a-z]+\.md)\))")),
            picture(QStringLiteral(R"(!\[[^\]]*\]\(([^)]+\.png)\))"));
        // The English guide and the Chinese one (guide/zh_CN/), page by page.
        for (const QString& folder : {QStringLiteral("guide/"), QStringLiteral("guide/zh_CN/")}) {
            QFile index(QStringLiteral(":/") + folder + QStringLiteral("index.md"));
            QVERIFY2(index.open(QIODevice::ReadOnly), qPrintable(folder));
            const QString contents = QString::fromUtf8(index.readAll());
            QStringList pages{QStringLiteral("index.md")};
            for (auto it = link.globalMatch(contents); it.hasNext();)
                pages << it.next().captured(1);
            QCOMPARE(pages.size(), 8);
            int pictures = 0;
            for (const QString& page : pages) {
                const QUrl url(QStringLiteral("qrc:/") + folder + page);
                browser->setSource(url, QTextDocument::MarkdownResource);
                QVERIFY2(browser->toPlainText().size() > 100, qPrintable(url.toString()));
                QFile source(QStringLiteral(":/") + folder + page);
                QVERIFY2(source.open(QIODevice::ReadOnly), qPrintable(page));
                for (auto it = picture.globalMatch(QString::fromUtf8(source.readAll())); it.hasNext();) {
                    const QUrl name = url.resolved(QUrl(it.next().captured(1)));
                    const QImage image = qvariant_cast<QImage>(browser->loadResource(QTextDocument::ImageResource, name));
                    QVERIFY2(!image.isNull(), qPrintable(name.toString()));
                    QVERIFY2(image.width() <= browser->viewport()->width(), qPrintable(name.toString()));
                    ++pictures;
                }
            }
            QVERIFY2(pictures >= 15, qPrintable(folder));
        }
        browser->backward();
        QVERIFY(browser->isBackwardAvailable());
        browser->home();
        QVERIFY(browser->toPlainText().startsWith(QStringLiteral("Seekbench user guide")));
    }

    void aboutDialogSaysWhatItIs()
    {
        QTemporaryDir dir;
        AppHarness app(dir.path());
        std::unique_ptr<QDialog> about(app.window->createAboutDialog());
        QString text;
        for (QLabel* label : about->findChildren<QLabel*>())
            text += label->text();
        QVERIFY(text.contains(QLatin1String(SEEKBENCH_VERSION)));
        QVERIFY(text.contains(QLatin1String(qVersion())));
        QVERIFY(text.contains(QLatin1String("Built with CUDA")));
    }

    // The first start shows the welcome (what the built-in model is, where models come
    // from, where data lives), once per data folder; Help › Welcome shows it again.
    void welcomeOnTheFirstRunOnly()
    {
        QTemporaryDir dir;
        {
            AppHarness app(dir.path());
            QPointer<QDialog> dialog = app.window->showWelcomeIfFirstRun();
            QVERIFY(dialog);
            QVERIFY(dialog->isVisible());
            auto* welcome = qobject_cast<WelcomeDialog*>(dialog.data());
            QVERIFY(welcome);
            const QString text = welcome->textLabel()->text();
            QVERIFY2(text.contains(QDir::toNativeSeparators(app.settings.dataDir()).toHtmlEscaped()), qPrintable(text));
            QVERIFY(text.contains(QLatin1String("7 M-parameter")));
            QVERIFY(text.contains(QLatin1String("huggingface.co")));
            QVERIFY(text.contains(QLatin1String("never downloads")));
            dialog->accept();
            QTRY_VERIFY(!dialog); // closed and deleted
            QVERIFY(!app.window->showWelcomeIfFirstRun());
        }
        AppHarness again(dir.path());
        QVERIFY(!again.window->showWelcomeIfFirstRun());
        std::unique_ptr<QDialog> fromHelp(again.window->createWelcomeDialog());
        QVERIFY(qobject_cast<WelcomeDialog*>(fromHelp.get())->openModelButton());
    }

    void standardShortcuts()
    {
        QTemporaryDir dir;
        AppHarness app(dir.path());
        app.window->show();
        QVERIFY(QTest::qWaitForWindowExposed(app.window.get()));
        QCOMPARE(app.window->findAction()->shortcut(), QKeySequence(QKeySequence::Find));
        app.window->findAction()->trigger();
        QCOMPARE(app.window->focusWidget(), app.window->conversationList()->searchBox());
        QCOMPARE(app.window->stopAction()->shortcut(), QKeySequence(Qt::Key_Escape));
        QVERIFY(app.window->chatPanel()->actions().contains(app.window->stopAction()));
        QCOMPARE(app.window->fullScreenAction()->shortcut(), QKeySequence(QKeySequence::FullScreen));
        app.window->fullScreenAction()->trigger();
        QTRY_VERIFY(app.window->windowState() & Qt::WindowFullScreen);
        app.window->fullScreenAction()->trigger();
        QTRY_VERIFY(!(app.window->windowState() & Qt::WindowFullScreen));
        // Full screen set from outside the menu (the window manager): the check mark follows.
        app.window->showFullScreen();
        QTRY_VERIFY(app.window->fullScreenAction()->isChecked());
        app.window->showNormal();
        QTRY_VERIFY(!app.window->fullScreenAction()->isChecked());
        QVERIFY(!(app.window->windowState() & Qt::WindowFullScreen));

        // Help › Keyboard Shortcuts lists every menu action that has keys, and the chat's.
        std::unique_ptr<QDialog> list(app.window->createShortcutsDialog());
        auto* table = list->findChild<QTableWidget*>(QStringLiteral("shortcutTable"));
        QVERIFY(table);
        QStringList keys, actions;
        for (int r = 0; r < table->rowCount(); ++r) {
            actions << table->item(r, 0)->text();
            keys << table->item(r, 1)->text();
        }
        for (const QKeySequence& k : {QKeySequence(QKeySequence::New), QKeySequence(QKeySequence::Open),
                                      QKeySequence(QKeySequence::Find), QKeySequence(Qt::Key_Escape),
                                      QKeySequence(QKeySequence::FullScreen)})
            QVERIFY2(keys.contains(k.toString(QKeySequence::NativeText)), qPrintable(k.toString()));
        QVERIFY(actions.contains(QStringLiteral("Stop Generating")));
        QVERIFY(keys.contains(QStringLiteral("Shift+Enter")));
    }
};

QTEST_MAIN(MainWindowTest)
#include "mainwindow_test.moc"
