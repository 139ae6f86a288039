// What the Code panel asks of the model and of the checkers, without a window: the code of
// a streamed answer's fence (split at every point), line diffs and their per-hunk
// application, checker output parsed, the real checkers' findings on known-bad Python,
// shell and C++ (and what to install when there is none), and CodeController with the
// built-in model: code streamed without its fence, a rewrite proposed rather than applied,
// explanations as chat turns, completions equal to `seekbench-cli fim`, and a completion
// cancelled by typing that stops before its next token.
#include "controllers.h"
#include "ui/controllers/linediff.h"

#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>

namespace {

// The code a streamed answer holds, found independently of CodeFence: the first fenced
// block's contents, or the whole answer when it has none.
QString expectedCode(const QString& answer)
{
    const qsizetype open = answer.indexOf(QLatin1String("```"));
    if (open < 0)
        return answer.trimmed();
    const qsizetype start = answer.indexOf(QLatin1Char('\n'), open);
    if (start < 0)
        return QString();
    const qsizetype close = answer.indexOf(QLatin1String("```"), start + 1);
    QString code = answer.mid(start + 1, close < 0 ? -1 : close - start - 1);
    if (code.endsWith(QLatin1Char('\n')))
        code.chop(1);
    return code;
}

QString fed(const QStringList& pieces)
{
    CodeFence fence;
    QString out;
    for (const QString& p : pieces)
        out += fence.feed(p);
    return out + fence.finish();
}

QString joinedArgs(const QSignalSpy& spy, int arg = 0)
{
    QString text;
    for (const auto& args : spy)
        text += args.at(arg).toString();
    return text;
}

// The checker's findings for `text`, waiting for the process.
QList<Diagnostic> check(LintController& lint, const QString& language, const QString& text, QString* status = nullptr)
{
    QSignalSpy checked(&lint, &LintController::checked);
    lint.check(QStringLiteral("k"), language, text);
    if (!checked.wait(30000) && checked.isEmpty())
        return {};
    if (status)
        *status = checked.last().at(2).toString();
    return checked.last().at(1).value<QList<Diagnostic>>();
}

bool hasFinding(const QList<Diagnostic>& found, int line, const QString& words)
{
    for (const Diagnostic& d : found)
        if (d.line == line && d.message.contains(words, Qt::CaseInsensitive))
            return true;
    return false;
}

} // namespace

class CodeControllerTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { qRegisterMetaType<QList<Diagnostic>>(); }

    // --- the code of an answer ----------------------------------------------------------------

    void fenceKeepsOnlyTheCode()
    {
        const QString answer = QStringLiteral("Here it is:\n```python\ndef f(a):\n    return a `x` 1\n```\nThat's all.");
        const QString want = QStringLiteral("def f(a):\n    return a `x` 1");
        QCOMPARE(expectedCode(answer), want);
        QCOMPARE(fed({answer}), want);
        // Split at every point, and character by character: the same code, never a backtick
        // of the closing fence.
        for (int cut = 0; cut <= answer.size(); ++cut)
            QCOMPARE(fed({answer.left(cut), answer.mid(cut)}), want);
        QStringList chars;
        for (QChar c : answer)
            chars << QString(c);
        QCOMPARE(fed(chars), want);
        // What the first pieces hand on is certain: it never has to be taken back.
        CodeFence fence;
        QString so_far;
        for (const QString& c : std::as_const(chars)) {
            so_far += fence.feed(c);
            QVERIFY2(want.startsWith(so_far), qPrintable(so_far));
        }
    }

    void fenceWithoutAFenceOrUnclosed()
    {
        QCOMPARE(fed({QStringLiteral("  x = 1\n"), QStringLiteral("y = 2\n")}), QStringLiteral("x = 1\ny = 2"));
        QCOMPARE(fed({QStringLiteral("```\nint a;\nint b;")}), QStringLiteral("int a;\nint b;"));
        QCOMPARE(fed({QStringLiteral("```c\n```")}), QString());
        // Only the first block.
        QCOMPARE(fed({QStringLiteral("```\na\n```\ntext\n```\nb\n```")}), QStringLiteral("a"));
        // A fence still being written is held back, then released when it was not one.
        CodeFence fence;
        QCOMPARE(fence.feed(QStringLiteral("```\nx = 1\n``")), QStringLiteral("x = 1"));
        QCOMPARE(fence.feed(QStringLiteral("x\n")), QStringLiteral("\n``x"));
        QCOMPARE(fence.finish(), QString());
    }

    // --- line diffs -------------------------------------------------------------------------------

    void diffHunksApplyOneByOne()
    {
        const QStringList before{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("d")};
        const QStringList after{QStringLiteral("a"), QStringLiteral("B"), QStringLiteral("c"), QStringLiteral("d"),
                                QStringLiteral("e")};
        const QList<DiffHunk> hunks = diffLines(before, after);
        QCOMPARE(hunks.size(), 2);
        QCOMPARE(hunks[0].oldStart, 1);
        QCOMPARE(hunks[0].removed, QStringList{QStringLiteral("b")});
        QCOMPARE(hunks[0].added, QStringList{QStringLiteral("B")});
        QCOMPARE(hunks[1].oldStart, 4);
        QVERIFY(hunks[1].removed.isEmpty());
        QCOMPARE(hunks[1].added, QStringList{QStringLiteral("e")});
        QCOMPARE(applyHunks(before, hunks, {true, true}), after);
        QCOMPARE(applyHunks(before, hunks, {false, false}), before);
        QCOMPARE(applyHunks(before, hunks, {false, true}), (QStringList{QStringLiteral("a"), QStringLiteral("b"),
                                                                        QStringLiteral("c"), QStringLiteral("d"),
                                                                        QStringLiteral("e")}));
        QCOMPARE(applyHunks(before, hunks, {true, false}), (QStringList{QStringLiteral("a"), QStringLiteral("B"),
                                                                        QStringLiteral("c"), QStringLiteral("d")}));
        QVERIFY(diffLines(before, before).isEmpty());
        QCOMPARE(diffLines({}, before).size(), 1);
        QCOMPARE(diffLines(before, {}).size(), 1);
    }

    void diffOfRandomEditsRoundTrips()
    {
        // Random texts and random edits of them: all hunks give the new text, none the old,
        // and the hunks never touch a line both texts keep in place.
        QRandomGenerator rng(11);
        for (int round = 0; round < 300; ++round) {
            QStringList before;
            for (int i = 0, n = int(rng.bounded(12)); i < n; ++i)
                before << QString::number(rng.bounded(5));
            QStringList after = before;
            for (int e = 0, n = int(rng.bounded(5)); e < n; ++e) {
                const int at = after.isEmpty() ? 0 : int(rng.bounded(after.size() + 1));
                switch (rng.bounded(3)) {
                case 0: after.insert(at, QString::number(rng.bounded(5))); break;
                case 1: if (at < after.size()) after.removeAt(at); break;
                default: if (at < after.size()) after[at] = QStringLiteral("x"); break;
                }
            }
            const QList<DiffHunk> hunks = diffLines(before, after);
            QList<bool> all(hunks.size(), true), none(hunks.size(), false);
            QCOMPARE(applyHunks(before, hunks, all), after);
            QCOMPARE(applyHunks(before, hunks, none), before);
            for (const DiffHunk& h : hunks)
                QVERIFY(!h.removed.isEmpty() || !h.added.isEmpty());
        }
    }

    // --- checkers ---------------------------------------------------------------------------------

    void parsesCheckerOutput()
    {
        const QString file = QStringLiteral("/tmp/x/code.py");
        QList<Diagnostic> d = parseDiagnostics(QStringLiteral("pyflakes"), file,
                                               QStringLiteral("/tmp/x/code.py:3:5: undefined name 'y'\n"
                                                              "/tmp/x/code.py:1:1: 'os' imported but unused\n"));
        QCOMPARE(d.size(), 2);
        QCOMPARE(d[0].line, 3);
        QCOMPARE(d[0].column, 5);
        QCOMPARE(d[0].message, QStringLiteral("undefined name 'y'"));
        d = parseDiagnostics(QStringLiteral("shellcheck"), QStringLiteral("/t/a.sh"),
                             QStringLiteral("/t/a.sh:2:6: warning: Double quote to prevent globbing. [SC2086]\n"));
        QCOMPARE(d.size(), 1);
        QCOMPARE(d[0].severity, QStringLiteral("warning"));
        QCOMPARE(d[0].message, QStringLiteral("Double quote to prevent globbing. [SC2086]"));
        // Output about other files, or without a line, is not a finding of this one.
        QVERIFY(parseDiagnostics(QStringLiteral("cppcheck"), QStringLiteral("/t/a.cpp"),
                                 QStringLiteral("/usr/include/x.h:2:1: error: nope\nChecking /t/a.cpp ...\n"))
                    .isEmpty());
    }

    void realCheckersFindKnownMistakes()
    {
        LintController lint;
        for (const char* tool : {"python3", "shellcheck", "cppcheck"})
            QVERIFY2(!QStandardPaths::findExecutable(QString::fromLatin1(tool)).isEmpty(),
                     qPrintable(QStringLiteral("%1 is not installed: packaging/dev.sh installs it (PACKAGES)")
                                    .arg(QString::fromLatin1(tool))));
        QString status;
        // Python: a name never defined, and an import never used.
        QList<Diagnostic> found = check(lint, QStringLiteral("Python"),
                                        QStringLiteral("import os\n\ndef f(a):\n    return a + missing_name\n"), &status);
        QVERIFY2(hasFinding(found, 4, QStringLiteral("undefined name 'missing_name'")), qPrintable(status));
        QVERIFY(hasFinding(found, 1, QStringLiteral("imported but unused")));
        QVERIFY2(status.startsWith(QStringLiteral("pyflakes")), qPrintable(status));
        // A syntax error is an error finding on its line.
        found = check(lint, QStringLiteral("Python"), QStringLiteral("x = 1\ndef f(:\n    pass\n"));
        QVERIFY(!found.isEmpty());
        QCOMPARE(found[0].line, 2);
        QCOMPARE(found[0].severity, QStringLiteral("error"));
        // Shell: an unquoted variable (SC2086).
        found = check(lint, QStringLiteral("Bash"), QStringLiteral("#!/bin/bash\nrm -rf $1/build\n"), &status);
        QVERIFY2(hasFinding(found, 2, QStringLiteral("SC2086")), qPrintable(status));
        // C++: writing past the end of an array.
        found = check(lint, QStringLiteral("C++"),
                      QStringLiteral("int main()\n{\n    int a[2];\n    a[5] = 1;\n    return a[0];\n}\n"), &status);
        QVERIFY2(hasFinding(found, 4, QStringLiteral("out of bounds")), qPrintable(status));
        // Clean code has no findings, and the status says so.
        found = check(lint, QStringLiteral("Python"), QStringLiteral("def f(a):\n    return a\n"), &status);
        QVERIFY(found.isEmpty());
        QVERIFY2(status.contains(QStringLiteral("no findings")), qPrintable(status));
        // JSON through Python's own parser.
        found = check(lint, QStringLiteral("JSON"), QStringLiteral("{\n  \"a\": 1,\n}\n"));
        QCOMPARE(found.size(), 1);
        QCOMPARE(found[0].line, 2); // Python 3.13 names the trailing comma's line
        QVERIFY(found[0].message.contains(QStringLiteral("comma")));
    }

    void withoutTheCheckerItSaysWhatToInstall()
    {
        const QByteArray path = qgetenv("PATH");
        QTemporaryDir empty;
        qputenv("PATH", empty.path().toUtf8()); // nothing to find
        LintController lint;
        QString status;
        QVERIFY(check(lint, QStringLiteral("Bash"), QStringLiteral("echo $1\n"), &status).isEmpty());
        qputenv("PATH", path);
        QVERIFY2(status.contains(QStringLiteral("shellcheck")) && status.contains(QStringLiteral("install")),
                 qPrintable(status));
        // A language with no checker here: no findings and nothing to say.
        QVERIFY(LintController::checkerFor(QStringLiteral("Haskell")).isEmpty());
        QCOMPARE(LintController::checkerFor(QStringLiteral("Python")), QStringLiteral("pyflakes"));
    }

    // --- the model --------------------------------------------------------------------------------

    void generatedCodeStreamsWithoutItsFence()
    {
        QTemporaryDir dir;
        Controllers app(dir.path());
        QVERIFY(app.load(builtinModel()));
        QSignalSpy raw(&app.engine, &EngineController::tokenGenerated);
        QSignalSpy streamed(&app.code, &CodeController::codeStreamed);
        QSignalSpy finished(&app.code, &CodeController::generationFinished);
        QVERIFY(app.code.generate(QStringLiteral("Write a Python function that does this: return the larger of two "
                                                 "numbers."),
                                  QStringLiteral("Python")));
        QVERIFY(app.code.isGenerating());
        QVERIFY(!app.code.generate(QStringLiteral("another"), QStringLiteral("Python"))); // one at a time
        QVERIFY(QTest::qWaitFor([&] { return !finished.isEmpty(); }, 120000));
        QVERIFY(!app.code.isGenerating());
        const QString answer = joinedArgs(raw, 1);
        const QString code = finished.at(0).at(0).toString();
        QVERIFY2(!code.isEmpty(), qPrintable(answer));
        QCOMPARE(code, expectedCode(answer));
        QCOMPARE(joinedArgs(streamed), code);
        QVERIFY(!code.contains(QLatin1String("```")));
        // Code requests never become conversations.
        QVERIFY(app.chat.conversations.list().isEmpty());
    }

    void refactorIsProposedNotApplied()
    {
        QTemporaryDir dir;
        Controllers app(dir.path());
        QVERIFY(app.load(builtinModel()));
        QSignalSpy streamed(&app.code, &CodeController::codeStreamed);
        QSignalSpy proposed(&app.code, &CodeController::refactorProposed);
        QSignalSpy finished(&app.code, &CodeController::generationFinished);
        QSignalSpy failed(&app.code, &CodeController::failed);
        QVERIFY(!app.code.refactor(QStringLiteral("  \n"), QStringLiteral("Python"), QString()));
        QCOMPARE(failed.count(), 1);
        const QString original = QStringLiteral("def larger(a, b):\n    if a > b:\n        return a\n    return b");
        QVERIFY(app.code.refactor(original, QStringLiteral("Python"), QString()));
        QVERIFY(QTest::qWaitFor([&] { return !finished.isEmpty(); }, 120000));
        QCOMPARE(proposed.count(), 1);
        QCOMPARE(proposed.at(0).at(0).toString(), original);
        QCOMPARE(proposed.at(0).at(1).toString(), finished.at(0).at(0).toString());
        QVERIFY(streamed.isEmpty()); // nothing goes into the editor before the diff is accepted
    }

    void explainAndTestsAreChatTurns()
    {
        QTemporaryDir dir;
        Controllers app(dir.path());
        QVERIFY(app.load(builtinModel()));
        app.chat.conversations.newConversation();
        app.chat.conversations.setSampling(greedy(16));
        QSignalSpy asked(&app.code, &CodeController::askedInChat);
        const QString code = QStringLiteral("def twice(x):\n    return 2 * x");
        QVERIFY(app.code.explain(code, QStringLiteral("Python")));
        QVERIFY(app.waitReply());
        QVERIFY(app.code.writeTests(code, QStringLiteral("Python")));
        QVERIFY(app.waitReply());
        QCOMPARE(asked.count(), 2);
        const QList<MessageData> branch = app.chat.conversations.branch();
        QCOMPARE(branch.size(), 4);
        QVERIFY(branch[0].content.startsWith(QStringLiteral("Explain what this code does.")));
        QVERIFY(branch[0].content.contains(QStringLiteral("```python\n") + code + QStringLiteral("\n```")));
        QVERIFY(branch[2].content.startsWith(QStringLiteral("Write unit tests for this code.")));
        QCOMPARE(branch[3].role, QStringLiteral("assistant"));
        QVERIFY(!app.code.explain(QString(), QStringLiteral("Python"))); // nothing selected
    }

    void completionEqualsTheCommandLine()
    {
        QTemporaryDir dir;
        Controllers app(dir.path());
        QVERIFY(app.load(builtinModel()));
        QCOMPARE(app.engine.model().fimFamily, QStringLiteral("deepseek-coder"));
        QVERIFY(app.code.canComplete());
        const QString prefix = QStringLiteral("import os\n\n\ndef join_all(parts):\n    return os.path.");
        const QString suffix = QStringLiteral("\n\n\ndef main():\n    print(join_all(['a', 'b']))\n");
        QSignalSpy pieces(&app.code, &CodeController::completionStreamed);
        QSignalSpy done(&app.code, &CodeController::completionFinished);
        app.code.complete(prefix, suffix);
        QVERIFY(app.code.isCompleting());
        QVERIFY(done.wait(60000));
        QVERIFY(!app.code.isCompleting());
        QProcess cli;
        cli.start(QStringLiteral(SEEKBENCH_CLI), {QStringLiteral("fim"), QStringLiteral("--prefix"), prefix,
                                                 QStringLiteral("--suffix"), suffix, QStringLiteral("-n"),
                                                 QStringLiteral("48")});
        QVERIFY(cli.waitForFinished(60000));
        QCOMPARE(cli.exitCode(), 0);
        QCOMPARE(joinedArgs(pieces), QString::fromUtf8(cli.readAllStandardOutput()));
    }

    void typingCancelsACompletionAtOnce()
    {
        QTemporaryDir dir;
        Controllers app(dir.path());
        QVERIFY(app.load(writeSlowModel(dir))); // random weights, CodeLlama's FIM tokens
        QCOMPARE(app.engine.model().fimFamily, QStringLiteral("codellama"));
        QSignalSpy pieces(&app.code, &CodeController::completionStreamed);
        QSignalSpy done(&app.code, &CodeController::completionFinished);
        QSignalSpy engineDone(&app.engine, &EngineController::generationFinished);
        app.code.complete(QStringLiteral("int main() {\n    return "), QStringLiteral(";\n}\n"));
        QVERIFY(QTest::qWaitFor([&] { return !pieces.isEmpty(); }, 30000));
        app.code.cancelCompletion(); // what typing does
        QVERIFY(!app.code.isCompleting());
        QCOMPARE(done.count(), 1);
        const int seen = int(pieces.count());
        // The worker ends the request before its next token and says it was cancelled.
        QVERIFY(QTest::qWaitFor([&] { return !engineDone.isEmpty(); }, 10000));
        const auto stats = engineDone.last().at(0).value<GenerationStats>();
        QCOMPARE(stats.stopReason, QStringLiteral("cancelled"));
        QVERIFY2(stats.generatedTokens < 48, qPrintable(QString::number(stats.generatedTokens)));
        QTest::qWait(100);
        QCOMPARE(int(pieces.count()), seen); // nothing more reaches the editor
        // The model stays usable: the next completion runs to its end.
        app.code.complete(QStringLiteral("int x = "), QString());
        QVERIFY(done.wait(30000));
    }

    void modelsWithoutFimCannotComplete()
    {
        // stories260K (llama2.c's tokenizer) has no FIM tokens.
        const QString path = QStringLiteral(SEEKBENCH_SHARED_DIR "/models/stories260K/stories260K.gguf");
        if (!QFile::exists(path))
            QSKIP("../shared/models/stories260K is not here");
        QTemporaryDir dir;
        Controllers app(dir.path());
        QVERIFY(app.load(path));
        QVERIFY(app.engine.model().fimFamily.isEmpty());
        QVERIFY(!app.code.canComplete());
        QSignalSpy pieces(&app.code, &CodeController::completionStreamed);
        app.code.complete(QStringLiteral("x = "), QString());
        QVERIFY(!app.code.isCompleting());
        QVERIFY(pieces.isEmpty());
    }
};

QTEST_GUILESS_MAIN(CodeControllerTest)
#include "codecontroller_test.moc"
