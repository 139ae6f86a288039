// Models › Workbench in a real window: a synthesized model quantized from the Quantize tab,
// then both files compared in the A/B tab (tinted tokens with both top-5 lists on hover and a
// summary), and profiled in the Profile tab (the chart gets both phases).
#include "appharness.h"
#include "ui/profilechart.h"
#include "ui/workbenchdialog.h"

#include <QComboBox>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTextBrowser>

class WorkbenchTest : public QObject {
    Q_OBJECT
private slots:
    void quantizeCompareProfile()
    {
        QTemporaryDir dir;
        AppHarness app(dir.path());
        app.window->show();
        // The menu entry and its keys.
        QAction* action = nullptr;
        for (QAction* menu : app.window->menuBar()->actions())
            if (menu->menu())
                for (QAction* a : menu->menu()->actions())
                    if (a->text().contains(QLatin1String("Workbench")))
                        action = a;
        QVERIFY(action);
        QCOMPARE(action->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_W));
        action->trigger();
        WorkbenchDialog* wb = app.window->openWorkbench();
        QVERIFY(wb->isVisible());
        QCOMPARE(wb->tabs()->count(), 4);

        seekbench::SynthOptions o;
        o.type = seekbench::TensorType::F32;
        const QString f32 = dir.filePath(QStringLiteral("m-f32.gguf")), q4 = dir.filePath(QStringLiteral("m-q4.gguf"));
        seekbench::write_synth_model(*seekbench::find_synth_preset("qwen2-tiny"), o, f32.toStdString());

        wb->tabs()->setCurrentIndex(1);
        wb->quantizeIn()->setText(f32);
        wb->quantizeOut()->setText(q4);
        wb->quantizeType()->setCurrentText(QStringLiteral("Q4_0"));
        wb->quantizeButton()->click();
        QVERIFY(!wb->quantizeButton()->isEnabled()); // one job at a time
        QTRY_VERIFY_WITH_TIMEOUT(wb->quantizeResult()->text().contains(QLatin1String("m-q4.gguf")), 30000);
        QTRY_VERIFY(wb->quantizeButton()->isEnabled());
        QVERIFY(QFileInfo::exists(q4));
        // With an importance matrix that is not one, the reason comes back and nothing is written.
        wb->quantizeImatrix()->setText(f32);
        wb->quantizeOut()->setText(dir.filePath(QStringLiteral("never.gguf")));
        wb->quantizeButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(wb->quantizeResult()->text().contains(QLatin1String("no importance matrix")), 30000);
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("never.gguf"))));
        wb->quantizeImatrix()->clear();
        QTRY_VERIFY(wb->quantizeButton()->isEnabled());

        wb->tabs()->setCurrentIndex(0);
        wb->fileA()->setText(f32);
        wb->fileB()->setText(q4);
        wb->prompt()->setText(QStringLiteral("Hello"));
        wb->tokens()->setValue(16);
        wb->compareButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(wb->summary()->text().contains(QLatin1String("KL")), 30000);
        const QString html = wb->textA()->toHtml();
        QVERIFY(html.contains(QLatin1String("href=\"0:0\"")));
        QVERIFY(wb->textB()->toHtml().contains(QLatin1String("href=\"1:0\"")));
        const QString tip = wb->tokenTip(0, 0);
        QVERIFY2(tip.contains(QLatin1String("<table>")) && tip.contains(QLatin1String("KL")), qPrintable(tip));
        QVERIFY(wb->tokenTip(0, 999).isEmpty());

        wb->tabs()->setCurrentIndex(3);
        wb->profileModel()->setText(q4);
        wb->profileButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(wb->profileChart()->profile().decode.tokens > 0, 30000);
        QVERIFY(!wb->profileChart()->profile().prefill.ops.isEmpty());
        QVERIFY(!wb->profileChart()->grab().isNull());
        QVERIFY(wb->profileChart()->accessibleDescription().contains(QLatin1String("ms")));

        // A failure lands in the tab that started the job, with the engine's reason.
        wb->tabs()->setCurrentIndex(2);
        wb->convertSource()->setText(dir.path());
        wb->convertOut()->setText(dir.filePath(QStringLiteral("x.gguf")));
        QTRY_VERIFY(wb->convertButton()->isEnabled());
        wb->convertButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(wb->convertResult()->text().contains(QLatin1String("config.json")), 30000);
    }
};

QTEST_MAIN(WorkbenchTest)
#include "workbench_test.moc"
