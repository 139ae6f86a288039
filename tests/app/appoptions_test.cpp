// The desktop app's command line: every option, help, and the errors for bad input.
#include "app/appoptions.h"

#include <QDir>
#include <QTest>

class AppOptionsTest : public QObject {
    Q_OBJECT
private slots:
    void parses_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("dataDir");
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("lang");
        QTest::addColumn<QString>("selfTest");
        const QString cwd = QDir::currentPath();
        QTest::newRow("nothing") << QStringList{} << "" << "" << "" << "";
        QTest::newRow("all, relative paths made absolute")
            << QStringList{"--data-dir", "d", "--model", "m.gguf", "--lang", "zh_CN",
                           "--self-test", "/tmp/st"}
            << cwd + "/d" << cwd + "/m.gguf" << "zh_CN" << "/tmp/st";
        QTest::newRow("a file name, as a file manager passes it")
            << QStringList{"m.gguf"} << "" << cwd + "/m.gguf" << "" << "";
        QTest::newRow("equals form") << QStringList{"--lang=en", "--data-dir=/x"} << "/x" << ""
                                     << "en" << "";
    }
    void parses()
    {
        QFETCH(QStringList, args);
        args.prepend(QStringLiteral("seekbench"));
        const AppOptionsResult r = parseAppOptions(args);
        QCOMPARE(r.action, AppOptionsResult::Action::Run);
        QTEST(r.options.dataDir, "dataDir");
        QTEST(r.options.modelPath, "model");
        QTEST(r.options.language, "lang");
        QTEST(r.options.selfTestDir, "selfTest");
    }

    void rejects_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("needle");
        QTest::newRow("unknown option") << QStringList{"--frobnicate"} << "frobnicate";
        QTest::newRow("missing value") << QStringList{"--model"} << "model";
        QTest::newRow("two files") << QStringList{"a.gguf", "b.gguf"} << "b.gguf";
        QTest::newRow("a file and --model") << QStringList{"--model", "a.gguf", "b.gguf"} << "b.gguf";
        QTest::newRow("stream-bench not a number") << QStringList{"--stream-bench", "x"} << "--stream-bench";
        QTest::newRow("stream-bench zero") << QStringList{"--stream-bench", "0"} << "1 to 100";
    }
    void rejects()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, needle);
        args.prepend(QStringLiteral("seekbench"));
        const AppOptionsResult r = parseAppOptions(args);
        QCOMPARE(r.action, AppOptionsResult::Action::Exit);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.message.contains(needle), qPrintable(r.message));
    }

    void help()
    {
        const AppOptionsResult r = parseAppOptions({QStringLiteral("seekbench"), QStringLiteral("--help")});
        QCOMPARE(r.action, AppOptionsResult::Action::Exit);
        QCOMPARE(r.exitCode, 0);
        for (const char* option : {"--data-dir", "--model", "--lang", "--self-test", "--stream-bench"})
            QVERIFY2(r.message.contains(QLatin1String(option)), option);
    }

    void streamBench()
    {
        const AppOptionsResult r = parseAppOptions({QStringLiteral("seekbench"), QStringLiteral("--stream-bench"),
                                                    QStringLiteral("3"), QStringLiteral("m.gguf")});
        QCOMPARE(r.action, AppOptionsResult::Action::Run);
        QCOMPARE(r.options.streamBenchRuns, 3);
        QVERIFY(r.options.modelPath.endsWith(QLatin1String("/m.gguf")));
        QCOMPARE(parseAppOptions({QStringLiteral("seekbench")}).options.streamBenchRuns, 0);
    }
};

QTEST_GUILESS_MAIN(AppOptionsTest)
#include "appoptions_test.moc"
