// Simplified Chinese: with the zh_CN translations installed, every menu entry, dock title,
// panel text and status text of the shell is Chinese; English stays the default.
#include "appharness.h"
#include "ui/controllers/i18n.h"
#include "ui/emptystate.h"
#include "ui/knowledgepanel.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QDialog>
#include <QDockWidget>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QTemporaryDir>
#include <QLineEdit>
#include <QPushButton>
#include <QTest>
#include <QTranslator>

namespace {
bool hasChinese(const QString& text)
{
    for (QChar c : text)
        if (c.unicode() >= 0x4e00 && c.unicode() <= 0x9fff)
            return true;
    return false;
}

void collectMenuTexts(QMenu* menu, QStringList& out)
{
    for (QAction* action : menu->actions()) {
        if (action->isSeparator())
            continue;
        if (action->menu())
            collectMenuTexts(action->menu(), out);
        out << action->text();
    }
}
} // namespace

class I18nTest : public QObject {
    Q_OBJECT
private slots:
    void chineseIsShipped()
    {
        QVERIFY(availableLanguages().contains(QStringLiteral("zh_CN")));
    }

    // English needs its file too: it turns "%n passage(s)" into "1 passage" and "2 passages".
    void englishHasPluralForms()
    {
        QVERIFY(installTranslations(*qApp, QLocale(QLocale::English, QLocale::UnitedStates)));
        QCOMPARE(QCoreApplication::translate("KnowledgePanel", "%n passage(s)", nullptr, 1), QStringLiteral("1 passage"));
        QCOMPARE(QCoreApplication::translate("KnowledgePanel", "%n passage(s)", nullptr, 2), QStringLiteral("2 passages"));
        for (QTranslator* t : qApp->findChildren<QTranslator*>()) {
            QCoreApplication::removeTranslator(t);
            delete t;
        }
    }

    void shellIsChinese()
    {
        QVERIFY(installTranslations(*qApp, QLocale(QStringLiteral("zh_CN"))));
        QTemporaryDir dir;
        AppHarness app(dir.path());
        MainWindow& window = *app.window;

        QStringList texts; // the window title is the product name and stays as it is
        for (QAction* action : window.menuBar()->actions()) {
            texts << action->text();
            collectMenuTexts(action->menu(), texts);
        }
        for (const QString& id : window.panelIds()) {
            if (QDockWidget* dock = window.dock(id))
                texts << dock->windowTitle();
            for (EmptyState* empty : window.panel(id)->findChildren<EmptyState*>(Qt::FindDirectChildrenOnly))
                texts << empty->title() << empty->body();
            if (auto* empty = qobject_cast<EmptyState*>(window.panel(id)))
                texts << empty->title() << empty->body();
        }
        texts << window.modelStatus()->text() << window.deviceStatus()->text();
        for (QPushButton* button : window.knowledgePanel()->findChildren<QPushButton*>())
            texts << button->text();
        texts << window.knowledgePanel()->searchBox()->placeholderText();
        QVERIFY(texts.size() > 25);
        for (const QString& text : texts)
            QVERIFY2(hasChinese(text), qPrintable(QStringLiteral("not translated: ") + text));
        QVERIFY(window.menuBar()->actions().front()->text().contains(QStringLiteral("文件")));

        std::unique_ptr<QDialog> settingsDialog(window.createSettingsDialog());
        QVERIFY(hasChinese(settingsDialog->windowTitle()));
        for (QLabel* label : settingsDialog->findChildren<QLabel*>())
            if (label->text().endsWith(QLatin1Char(':')) || label->text().endsWith(QChar(0xff1a)))
                QVERIFY2(hasChinese(label->text()), qPrintable(label->text()));
    }
};

QTEST_MAIN(I18nTest)
#include "i18n_test.moc"
