// ModelController: quick checks answer at once with a reason (missing, a folder, not GGUF),
// a broken GGUF is refused by the engine with its reason and the app goes back to the
// model before it (or the built-in one), a good one is loaded and remembered as recent,
// and closing says so.
#include "controllers.h"

#include "engine/device.h"

#include <QFileInfo>
#include <QTemporaryDir>

class ModelControllerTest : public QObject {
    Q_OBJECT
private slots:
    void refusesWhatIsNotAModel()
    {
        QTemporaryDir dir;
        Controllers app(dir.path());
        QSignalSpy errors(&app.models, &ModelController::errorOccurred);
        app.models.open(dir.filePath(QStringLiteral("missing.gguf")));
        QFile text(dir.filePath(QStringLiteral("text.gguf")));
        QVERIFY(text.open(QIODevice::WriteOnly));
        text.write("just some text");
        text.close();
        app.models.open(text.fileName());
        app.models.open(dir.path());
        QCOMPARE(errors.count(), 3);
        QVERIFY(errors.at(0).at(0).toString().contains(QLatin1String("does not exist")));
        QVERIFY(errors.at(1).at(0).toString().contains(QLatin1String("not a GGUF")));
        QVERIFY(errors.at(2).at(0).toString().contains(QLatin1String("cannot be read")));

        QFile cut(dir.filePath(QStringLiteral("cut.gguf")));
        QVERIFY(cut.open(QIODevice::WriteOnly));
        cut.write(QByteArray("GGUF\3\0\0\0", 8));
        cut.close();
        // A broken GGUF: the engine's reason, and the app goes back to a model (here the
        // built-in one, as nothing was open before) instead of staying without one.
        QSignalSpy changed(&app.models, &ModelController::modelChanged);
        QVERIFY(!app.load(cut.fileName()));
        QCOMPARE(errors.count(), 4);
        const QString why = errors.at(3).at(0).toString();
        QVERIFY2(why.startsWith(QLatin1String("Could not load cut.gguf")) &&
                     why.contains(QLatin1String("went back to seekbench-moe.gguf")),
                 qPrintable(why));
        QVERIFY(QTest::qWaitFor([&] { return !app.models.currentPath().isEmpty(); }, 30000));
        QCOMPARE(app.models.currentPath(), QFileInfo(builtinModel()).absoluteFilePath());
        QCOMPARE(app.settings.recentModels(), QStringList{QFileInfo(builtinModel()).absoluteFilePath()});

        // With a model open, a failed load goes back to that one.
        QFile broken(dir.filePath(QStringLiteral("broken.gguf")));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write(QByteArray("GGUF\3\0\0\0", 8) + QByteArray(64, '\xff'));
        broken.close();
        QVERIFY(!app.load(broken.fileName()));
        QVERIFY(errors.last().at(0).toString().contains(QLatin1String("went back to seekbench-moe.gguf")));
        QVERIFY(QTest::qWaitFor([&] { return !app.models.currentPath().isEmpty(); }, 30000));
        QCOMPARE(app.models.currentPath(), QFileInfo(builtinModel()).absoluteFilePath());
    }

    void loadsRemembersAndCloses()
    {
        QTemporaryDir dir;
        Controllers app(dir.path());
        QSignalSpy started(&app.models, &ModelController::loadingStarted);
        QVERIFY(app.load(builtinModel()));
        QCOMPARE(started.count(), 1);
        QCOMPARE(app.models.currentPath(), QFileInfo(builtinModel()).absoluteFilePath());
        QCOMPARE(app.models.currentName(), QStringLiteral("seekbench-moe.gguf"));
        QCOMPARE(app.settings.recentModels(), QStringList{QFileInfo(builtinModel()).absoluteFilePath()});
        QSignalSpy changed(&app.models, &ModelController::modelChanged);
        app.models.close();
        QVERIFY(changed.wait(10000));
        QCOMPARE(changed.at(0).at(0).toString(), QString());
        QVERIFY(app.models.currentPath().isEmpty());
    }

    // Settings › Device: the model runs where it is asked, or on the CPU with the reason;
    // changing the device loads the open model again there.
    void runsWhereTheSettingsSay()
    {
        QTemporaryDir dir;
        Controllers app(dir.path());
        app.settings.setDevice(AppSettings::Device::Cpu);
        QVERIFY(app.load(builtinModel()));
        QVERIFY(app.models.model().device.startsWith(QLatin1String("CPU")));
        QVERIFY(app.models.model().deviceNote.isEmpty());
        if (seekbench::probe_cuda().available)
            QSKIP("this machine has a CUDA device: the fallback is tested where there is none");
        QSignalSpy notices(&app.models, &ModelController::noticeOccurred);
        QSignalSpy changed(&app.models, &ModelController::modelChanged);
        app.settings.setDevice(AppSettings::Device::Cuda); // loads it again, asking for CUDA
        QVERIFY(QTest::qWaitFor([&] { return notices.count() > 0; }, 30000));
        QVERIFY(app.models.model().device.startsWith(QLatin1String("CPU")));
        QVERIFY2(app.models.model().deviceNote.contains(QLatin1String("no CUDA device")),
                 qPrintable(app.models.model().deviceNote));
        QVERIFY(notices.at(0).at(0).toString().contains(QLatin1String("running on the CPU")));
        QVERIFY(!app.models.currentPath().isEmpty());
    }
};

QTEST_GUILESS_MAIN(ModelControllerTest)
#include "modelcontroller_test.moc"
