// The Code panel: highlighting of twenty languages against golden formats
// (golden/highlighting: each piece of a sample with the format KSyntaxHighlighting gives it),
// the editor (themes that follow the palette, folding, brackets, line numbers, undo of a
// generation in one step), completion as ghost text with the built-in model (a held-out
// fill-in-the-middle case appears after a pause, Tab takes it, Esc and typing drop it), the
// diff dialog's choice hunk by hunk, the real checkers' findings in the editor and the list,
// files, and code travelling between the chat and the editor, all in an offscreen window.
#include "appharness.h"
#include "ui/chatpanel.h"
#include "ui/codeblock.h"
#include "ui/codeeditor.h"
#include "ui/codepanel.h"
#include "ui/controllers/themecontroller.h"
#include "ui/diffview.h"
#include "ui/messagewidget.h"

#include "engine/builtin_model.h"

#include <KSyntaxHighlighting/AbstractHighlighter>
#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Format>
#include <KSyntaxHighlighting/Repository>
#include <KSyntaxHighlighting/State>
#include <KSyntaxHighlighting/Theme>

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMetaEnum>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QProcess>
#include <QTemporaryDir>
#include <QTextBlock>
#include <QTextLayout>
#include <QTimer>

namespace {

struct Sample {
    const char* definition;
    const char* file; // the golden's name, and a file name the language is known by
    const char* code;
};

// Twenty languages, each with keywords, strings, comments and numbers where it has them.
const Sample kSamples[] = {
    {"Python", "sample.py", "import os\n\n# join two paths\ndef join(a, b=1):\n    return os.path.join(a, \"b\")  # done\n"},
    {"C++", "sample.cpp", "#include <vector>\n// sum\nint sum(const std::vector<int>& v) {\n    int s = 0;\n"
                          "    for (int x : v) s += x;\n    return s; /* done */\n}\n"},
    {"C", "sample.c", "#include <stdio.h>\nint main(void) {\n    printf(\"%d\\n\", 42);\n    return 0;\n}\n"},
    {"Bash", "sample.sh", "#!/bin/bash\n# greet\nname=\"${1:-world}\"\nif [ -n \"$name\" ]; then\n    echo \"hi $name\"\nfi\n"},
    {"JavaScript", "sample.js", "// add\nconst add = (a, b) => a + b;\nlet s = `x ${add(1, 2)}`;\nconsole.log(s, 3.5);\n"},
    {"TypeScript", "sample.ts", "interface P { x: number; }\nfunction f(p: P): string {\n    return 'v' + p.x; // v\n}\n"},
    {"Rust", "sample.rs", "// max\nfn max(a: i32, b: i32) -> i32 {\n    if a > b { a } else { b }\n}\nlet s = \"x\";\n"},
    {"Go", "sample.go", "package main\n\nimport \"fmt\"\n\n// main prints\nfunc main() {\n    fmt.Println(\"hi\", 42)\n}\n"},
    {"Java", "Sample.java", "public class Sample {\n    // entry\n    public static void main(String[] a) {\n"
                            "        System.out.println(\"hi\" + 1);\n    }\n}\n"},
    {"Kotlin", "sample.kt", "fun main() {\n    val n: Int = 3 // three\n    println(\"n=$n\")\n}\n"},
    {"C#", "sample.cs", "using System;\nclass P {\n    static void Main() { Console.WriteLine(\"hi\"); } // go\n}\n"},
    {"Ruby", "sample.rb", "# greet\ndef greet(name)\n  puts \"hi #{name}\"\nend\ngreet(:world)\n"},
    {"PHP (HTML)", "sample.php", "<?php\n// greet\nfunction greet($name) {\n    return \"hi \" . $name;\n}\necho greet('x');\n"},
    {"Lua", "sample.lua", "-- add\nlocal function add(a, b)\n  return a + b\nend\nprint(add(1, 2), \"ok\")\n"},
    {"SQL", "sample.sql", "-- users\nSELECT name, COUNT(*) FROM users WHERE age > 18 GROUP BY name;\n"},
    {"HTML", "sample.html", "<!DOCTYPE html>\n<html>\n<!-- page -->\n<body class=\"main\">Hi &amp; bye</body>\n</html>\n"},
    {"CSS", "sample.css", "/* main */\nbody {\n  color: #333;\n  margin: 0 auto;\n}\n"},
    {"JSON", "sample.json", "{\n  \"name\": \"seekbench\",\n  \"size\": 42,\n  \"ok\": true\n}\n"},
    {"YAML", "sample.yaml", "# config\nname: seekbench\nsize: 42\nitems:\n  - \"a\"\n  - b\n"},
    {"CMake", "CMakeLists.txt", "# project\ncmake_minimum_required(VERSION 3.25)\nproject(demo LANGUAGES CXX)\n"
                               "add_executable(demo main.cpp)\n"},
};

QString styleName(KSyntaxHighlighting::Theme::TextStyle style)
{
    return QString::fromLatin1(QMetaEnum::fromType<KSyntaxHighlighting::Theme::TextStyle>().valueToKey(style));
}

// What a definition makes of a text, piece by piece: "LINE:COLUMN Style (format name) "piece"".
class Recorder : public KSyntaxHighlighting::AbstractHighlighter {
public:
    QStringList record(const QString& text)
    {
        m_out.clear();
        KSyntaxHighlighting::State state;
        const QStringList lines = text.split(QLatin1Char('\n'));
        for (int i = 0; i < lines.size(); ++i) {
            m_line = i + 1;
            m_text = lines[i];
            state = highlightLine(lines[i], state);
        }
        return m_out;
    }
    QList<KSyntaxHighlighting::Format> formats;

protected:
    void applyFormat(int offset, int length, const KSyntaxHighlighting::Format& format) override
    {
        const QString piece = m_text.mid(offset, length);
        if (piece.trimmed().isEmpty())
            return;
        m_out << QStringLiteral("%1:%2 %3 (%4) \"%5\"")
                     .arg(m_line)
                     .arg(offset + 1)
                     .arg(styleName(format.textStyle()), format.name(), piece);
        formats << format;
    }

private:
    QStringList m_out;
    QString m_text;
    int m_line = 0;
};

QString goldenPath(const QString& file) { return QStringLiteral(SEEKBENCH_GOLDEN_DIR "/%1.txt").arg(file); }

CodePanel* codePanel(AppHarness& app) { return qobject_cast<CodePanel*>(app.window->panel(QStringLiteral("code"))); }

QJsonObject modelCard()
{
    QFile f(QFileInfo(QString::fromStdString(seekbench::builtin_model_path())).dir().filePath(QStringLiteral("seekbench-moe.json")));
    return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object() : QJsonObject();
}

// The held-out fill-in-the-middle cases the model card measured (resources/models).
QList<QJsonObject> fimCases()
{
    QFile f(QFileInfo(QString::fromStdString(seekbench::builtin_model_path())).dir().filePath(QStringLiteral("fim-heldout.jsonl")));
    QList<QJsonObject> out;
    if (!f.open(QIODevice::ReadOnly))
        return out;
    for (const QByteArray& line : f.readAll().split('\n'))
        if (!line.trimmed().isEmpty())
            out.append(QJsonDocument::fromJson(line).object());
    return out;
}

// Waits for the checker's answer about the current editor.
bool waitLint(CodePanel* panel, const QString& checker)
{
    return QTest::qWaitFor([&] { return panel->lintLabel()->text().startsWith(checker); }, 30000);
}

} // namespace

class CodeTest : public QObject {
    Q_OBJECT
private slots:
    // --- highlighting ---------------------------------------------------------------------------

    void twentyLanguagesMatchTheirGoldens()
    {
        KSyntaxHighlighting::Repository repository;
        const bool write = qEnvironmentVariableIsSet("SEEKBENCH_WRITE_GOLDENS");
        QCOMPARE(int(std::size(kSamples)), 20);
        for (const Sample& s : kSamples) {
            const QString name = QString::fromLatin1(s.definition);
            const KSyntaxHighlighting::Definition d = repository.definitionForName(name);
            QVERIFY2(d.isValid(), qPrintable(name));
            // The file name alone picks the same definition.
            QCOMPARE(repository.definitionForFileName(QString::fromLatin1(s.file)).name(), d.name());
            Recorder r;
            r.setDefinition(d);
            const QStringList got = r.record(QString::fromUtf8(s.code));
            // A definition that highlights at all: at least three kinds of text in the sample.
            QSet<int> styles;
            for (const KSyntaxHighlighting::Format& f : std::as_const(r.formats))
                styles.insert(f.textStyle());
            QVERIFY2(styles.size() >= 3, qPrintable(name + QStringLiteral(": ") + got.join(QLatin1Char('\n'))));
            QFile golden(goldenPath(QString::fromLatin1(s.file)));
            if (write) {
                QVERIFY(golden.open(QIODevice::WriteOnly | QIODevice::Truncate));
                golden.write((got.join(QLatin1Char('\n')) + QLatin1Char('\n')).toUtf8());
                continue;
            }
            QVERIFY2(golden.open(QIODevice::ReadOnly),
                     qPrintable(golden.fileName() + QStringLiteral(" is missing: run with SEEKBENCH_WRITE_GOLDENS=1")));
            const QStringList want = QString::fromUtf8(golden.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
            QCOMPARE(got, want);
        }
    }

    void editorShowsTheThemesColours()
    {
        KSyntaxHighlighting::Repository repository;
        QWidget parent;
        CodeEditor e(repository, &parent);
        e.setLanguageForFile(QStringLiteral("x.py"));
        QCOMPARE(e.language(), QStringLiteral("Python"));
        e.setPlainText(QStringLiteral("def f():\n    return 'x'  # c\n"));
        Recorder r;
        r.setDefinition(repository.definitionForName(QStringLiteral("Python")));
        r.record(e.toPlainText());
        const KSyntaxHighlighting::Theme theme = repository.themeForPalette(parent.palette());
        // "def" as the theme colours a keyword, in the editor's own layout.
        const QList<QTextLayout::FormatRange> ranges = e.document()->firstBlock().layout()->formats();
        bool found = false;
        for (const QTextLayout::FormatRange& f : ranges)
            if (f.start == 0 && f.length == 3) {
                QCOMPARE(f.format.foreground().color(), r.formats[0].textColor(theme));
                found = true;
            }
        QVERIFY(found);
        // A script without an extension is known by its #! line.
        QTemporaryDir dir;
        QFile script(dir.filePath(QStringLiteral("build-all")));
        QVERIFY(script.open(QIODevice::WriteOnly));
        script.write("#!/bin/bash\nset -e\nmake -j\n");
        script.close();
        e.setLanguageForFile(script.fileName());
        QCOMPARE(e.language(), QStringLiteral("Bash"));
        e.setLanguage(QStringLiteral("Python"));
        // The background and text follow the theme; a dark palette brings a dark theme.
        const bool lightFirst = QColor(theme.editorColor(KSyntaxHighlighting::Theme::BackgroundColor)).lightness() > 128;
        QPalette dark = parent.palette();
        const QColor base = lightFirst ? QColor(30, 30, 30) : QColor(250, 250, 250);
        const QColor text = lightFirst ? QColor(230, 230, 230) : QColor(20, 20, 20);
        for (auto role : {QPalette::Window, QPalette::Base})
            dark.setColor(role, base);
        for (auto role : {QPalette::WindowText, QPalette::Text})
            dark.setColor(role, text);
        const QPalette before = parent.palette();
        parent.setPalette(dark);
        QTRY_COMPARE(e.palette().color(QPalette::Base).lightness() > 128, !lightFirst);
        // And back: the editor follows the next change too.
        parent.setPalette(before);
        QTRY_COMPARE(e.palette().color(QPalette::Base).lightness() > 128, lightFirst);
    }

    // The theme setting (ThemeController) to dark and back to light: the editor follows both
    // ways, also after it took the first theme's colours as its own.
    void editorFollowsTheThemeSetting()
    {
        QTemporaryDir dir;
        AppHarness app(dir.path());
        ThemeController theme(*qApp, app.settings);
        app.settings.setTheme(AppSettings::Theme::Light);
        KSyntaxHighlighting::Repository repository;
        QWidget parent;
        auto* e = new CodeEditor(repository, &parent);
        parent.resize(300, 200);
        parent.show();
        QTRY_VERIFY(e->palette().color(QPalette::Base).lightness() > 128);
        for (auto dark : {AppSettings::Theme::Dark, AppSettings::Theme::HighContrast}) {
            app.settings.setTheme(dark);
            QTRY_VERIFY(e->palette().color(QPalette::Base).lightness() < 128);
            app.settings.setTheme(AppSettings::Theme::Light);
            QTRY_VERIFY(e->palette().color(QPalette::Base).lightness() > 128);
            // What is drawn, not only the palette: nothing of the dark theme stays behind.
            QTRY_VERIFY(e->viewport()->grab().toImage().pixelColor(e->viewport()->width() / 2,
                                                                   e->viewport()->height() - 5).lightness() > 128);
        }
    }

    void editorFoldsBracketsAndNumbers()
    {
        KSyntaxHighlighting::Repository repository;
        CodeEditor e(repository);
        e.resize(400, 300);
        e.setLanguage(QStringLiteral("C++"));
        e.setPlainText(QStringLiteral("int f()\n{\n    return (1 + 2);\n}\nint g;\n"));
        // The region that opens with "{" on line 2 folds its inner line away.
        QVERIFY(e.canFold(1));
        QVERIFY(!e.canFold(2));
        QVERIFY(!e.isFolded(1));
        e.toggleFold(1);
        QVERIFY(e.isFolded(1));
        QVERIFY(!e.document()->findBlockByNumber(2).isVisible());
        QVERIFY(e.document()->findBlockByNumber(3).isVisible());
        e.toggleFold(1);
        QVERIFY(e.document()->findBlockByNumber(2).isVisible());
        // The bracket at the cursor and its partner are marked.
        QTextCursor c(e.document()->findBlockByNumber(2));
        c.setPosition(c.position() + 11); // on "("
        e.setTextCursor(c);
        QStringList marked;
        for (const QTextEdit::ExtraSelection& s : e.extraSelections())
            if (s.cursor.hasSelection())
                marked << s.cursor.selectedText();
        QCOMPARE(marked, (QStringList{QStringLiteral("("), QStringLiteral(")")}));
        // The gutter grows with the number of lines.
        const int narrow = e.gutterWidth();
        e.setPlainText(QString(QStringLiteral("x\n")).repeated(1200));
        QVERIFY(e.gutterWidth() > narrow);
    }

    // --- undo, ghost text, diffs --------------------------------------------------------------

    void undoRemovesOneGeneration()
    {
        KSyntaxHighlighting::Repository repository;
        CodeEditor e(repository);
        e.setPlainText(QStringLiteral("a = 1\nold\nb = 2\n"));
        e.document()->clearUndoRedoStacks();
        e.insertPlainText(QStringLiteral("# typed\n")); // an edit of the user's own, before
        const QString typed = e.toPlainText();
        QTextCursor c(e.document()->findBlockByNumber(2));
        c.movePosition(QTextCursor::EndOfBlock, QTextCursor::KeepAnchor); // select "old"
        e.setTextCursor(c);
        e.beginGenerated();
        for (const char* piece : {"def ", "f(", "):\n", "    return ", "2\n"})
            e.insertGenerated(QString::fromLatin1(piece));
        e.endGenerated();
        QCOMPARE(e.toPlainText(), QStringLiteral("# typed\na = 1\ndef f():\n    return 2\n\nb = 2\n"));
        e.undo(); // the whole generation, the selection back
        QCOMPARE(e.toPlainText(), typed);
        e.redo();
        QVERIFY(e.toPlainText().contains(QLatin1String("return 2")));
    }

    void ghostTextFromTheBuiltInModel()
    {
        // A held-out case whose prefix ends in a typed character (one the card says the model
        // writes exactly, when there is one); the ghost text must be what the command line's
        // `fim` writes for the same code before and after the cursor.
        const QJsonArray examples = modelCard().value(QStringLiteral("fim_heldout")).toObject().value(QStringLiteral("exact_examples")).toArray();
        const QList<QJsonObject> cases = fimCases();
        QList<QJsonObject> candidates;
        for (const QJsonValue& v : examples)
            candidates.append(cases.value(v.toObject().value(QStringLiteral("case")).toInt()));
        candidates += cases;
        QJsonObject fim;
        QString middle;
        for (const QJsonObject& c : candidates) {
            const QString prefix = c.value(QStringLiteral("prefix")).toString();
            if (prefix.isEmpty() || !prefix.back().isPrint() || prefix.back().isSpace())
                continue;
            QProcess cli;
            cli.start(QStringLiteral(SEEKBENCH_CLI), {QStringLiteral("fim"), QStringLiteral("--prefix"), prefix,
                                                     QStringLiteral("--suffix"), c.value(QStringLiteral("suffix")).toString(),
                                                     QStringLiteral("-n"), QStringLiteral("48")});
            QVERIFY(cli.waitForFinished(60000));
            QCOMPARE(cli.exitCode(), 0);
            middle = QString::fromUtf8(cli.readAllStandardOutput());
            if (!middle.trimmed().isEmpty()) {
                fim = c;
                break;
            }
        }
        QVERIFY2(!fim.isEmpty(), "the built-in model completes none of the held-out cases");
        const QString prefix = fim.value(QStringLiteral("prefix")).toString();
        const QString suffix = fim.value(QStringLiteral("suffix")).toString();

        QTemporaryDir dir;
        AppHarness app(dir.path());
        app.window->resize(1200, 800);
        app.window->show();
        QVERIFY(QTest::qWaitForWindowExposed(app.window.get()));
        QVERIFY(app.load(builtinModel()));
        CodePanel* panel = codePanel(app);
        app.window->showPanel(QStringLiteral("code"));
        panel->setCompletionDelay(100);
        CodeEditor* e = panel->newEditor(QStringLiteral("Python"), prefix.chopped(1) + suffix);
        e->setFocus();
        QTextCursor c = e->textCursor();
        c.setPosition(int(prefix.size()) - 1);
        e->setTextCursor(c);
        QTest::keyClicks(e, QString(prefix.back())); // the user types the prefix's last character
        QCOMPARE(e->textBeforeCursor(), prefix);
        // After the pause the middle appears as ghost text; the text itself is unchanged.
        QVERIFY(QTest::qWaitFor([&] { return !e->ghostText().isEmpty() && !app.code.isCompleting(); }, 30000));
        QCOMPARE(e->ghostText(), middle);
        QCOMPARE(e->toPlainText(), prefix + suffix);
        const QImage shot = e->viewport()->grab().toImage();
        QVERIFY(!shot.isNull());
        // Tab takes it, as one undo step.
        QTest::keyClick(e, Qt::Key_Tab);
        QCOMPARE(e->toPlainText(), prefix + middle + suffix);
        QVERIFY(e->ghostText().isEmpty());
        e->undo();
        QCOMPARE(e->toPlainText(), prefix + suffix);

        // Esc drops it.
        QTest::keyClick(e, Qt::Key_Space);
        QTest::keyClick(e, Qt::Key_Backspace);
        QVERIFY(QTest::qWaitFor([&] { return !e->ghostText().isEmpty() && !app.code.isCompleting(); }, 30000));
        QTest::keyClick(e, Qt::Key_Escape);
        QVERIFY(e->ghostText().isEmpty());
        QCOMPARE(e->toPlainText(), prefix + suffix);

        // Typing drops the offer and whatever of it is still coming.
        panel->setCompletionDelay(0);
        QTest::keyClick(e, Qt::Key_Space);
        QVERIFY(QTest::qWaitFor([&] { return !e->ghostText().isEmpty(); }, 30000));
        panel->setCompletionDelay(60000); // no new request after the next key
        QTest::keyClick(e, Qt::Key_Backspace);
        QVERIFY(!app.code.isCompleting());
        QVERIFY(e->ghostText().isEmpty());
        QTest::qWait(300);
        QVERIFY(e->ghostText().isEmpty());
        QCOMPARE(e->toPlainText(), prefix + suffix);
    }

    void diffAppliesTheChosenHunks()
    {
        const QString before = QStringLiteral("def f(a):\n    x = a\n    return x\n\nprint(f(1))");
        const QString after = QStringLiteral("def f(a):\n    return a\n\nprint(f(1))\nprint(f(2))");
        DiffView view(before, after);
        QCOMPARE(view.hunkCount(), 2);
        QCOMPARE(view.result(), after); // every hunk checked at first
        view.hunkBox(0)->setChecked(false);
        QCOMPARE(view.result(), QStringLiteral("def f(a):\n    x = a\n    return x\n\nprint(f(1))\nprint(f(2))"));
        view.hunkBox(1)->setChecked(false);
        QCOMPARE(view.result(), before);
        view.hunkBox(0)->setChecked(true);
        QCOMPARE(view.result(), QStringLiteral("def f(a):\n    return a\n\nprint(f(1))"));
        DiffView same(before, before);
        QCOMPARE(same.hunkCount(), 0);
        QCOMPARE(same.result(), before);
    }

    void refactorInThePanelGoesThroughTheDiff()
    {
        QTemporaryDir dir;
        AppHarness app(dir.path());
        app.window->resize(1200, 800);
        app.window->show();
        QVERIFY(QTest::qWaitForWindowExposed(app.window.get()));
        QVERIFY(app.load(builtinModel()));
        CodePanel* panel = codePanel(app);
        const QString original = QStringLiteral("def larger(a, b):\n    if a > b:\n        return a\n    return b\n");
        CodeEditor* e = panel->newEditor(QStringLiteral("Python"), original);
        e->selectAll();
        // The first proposal is turned down hunk by hunk: the code stays; the second is taken.
        QString proposed;
        int shown = 0;
        bool take = false;
        auto answer = [&] {
            auto* view = qobject_cast<DiffView*>(QApplication::activeModalWidget());
            if (!view)
                return false;
            ++shown;
            for (int i = 0; i < view->hunkCount(); ++i)
                view->hunkBox(i)->setChecked(take);
            proposed = view->result();
            view->accept();
            return true;
        };
        QTimer poll;
        connect(&poll, &QTimer::timeout, this, [&] { answer(); });
        poll.start(20);
        panel->refactorSelection();
        QVERIFY(app.code.isGenerating());
        QVERIFY(QTest::qWaitFor([&] { return shown == 1 && !app.code.isGenerating(); }, 120000));
        QCOMPARE(e->toPlainText(), original);
        take = true;
        e->selectAll();
        panel->refactorSelection();
        QVERIFY(QTest::qWaitFor([&] { return shown == 2 && !app.code.isGenerating(); }, 120000));
        poll.stop();
        QCOMPARE(e->toPlainText(), proposed);
        e->undo();
        QCOMPARE(e->toPlainText(), original);
    }

    void writeStreamsIntoTheEditorAndUndoesInOneStep()
    {
        QTemporaryDir dir;
        AppHarness app(dir.path());
        app.window->resize(1200, 800);
        app.window->show();
        QVERIFY(QTest::qWaitForWindowExposed(app.window.get()));
        QVERIFY(app.load(builtinModel()));
        CodePanel* panel = codePanel(app);
        CodeEditor* e = panel->newEditor(QStringLiteral("Python"), QStringLiteral("import os\n\n"));
        e->moveCursor(QTextCursor::End);
        int changes = 0;
        connect(e, &QPlainTextEdit::textChanged, this, [&] { ++changes; });
        panel->promptBox()->setText(QStringLiteral("Write a Python function that does this: return the larger of two "
                                                   "numbers."));
        panel->generateButton()->click();
        QVERIFY(app.code.isGenerating());
        QCOMPARE(panel->generateButton()->text(), QStringLiteral("Stop"));
        QVERIFY(QTest::qWaitFor([&] { return !app.code.isGenerating(); }, 120000));
        QCOMPARE(panel->generateButton()->text(), QStringLiteral("Write"));
        QVERIFY2(e->toPlainText().size() > 12, qPrintable(e->toPlainText()));
        QVERIFY(e->toPlainText().startsWith(QStringLiteral("import os\n\n")));
        QVERIFY(!e->toPlainText().contains(QLatin1String("```")));
        QVERIFY(changes > 1); // it streamed in
        e->undo();
        QCOMPARE(e->toPlainText(), QStringLiteral("import os\n\n"));
    }

    // --- checkers in the editor, files ---------------------------------------------------------

    void findingsAreShownInTheEditorAndTheList()
    {
        QTemporaryDir dir;
        AppHarness app(dir.path());
        app.window->show();
        CodePanel* panel = codePanel(app);
        const QString path = dir.filePath(QStringLiteral("bad.py"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("import os\n\n\ndef f(a):\n    return a + missing_name\n");
        f.close();
        QVERIFY(panel->openFile(path));
        CodeEditor* e = panel->editor();
        QCOMPARE(e->language(), QStringLiteral("Python"));
        QCOMPARE(panel->languageBox()->currentData().toString(), QStringLiteral("Python"));
        QVERIFY(waitLint(panel, QStringLiteral("pyflakes")));
        QTRY_COMPARE(panel->findings()->count(), 2);
        QVERIFY(panel->findings()->item(1)->text().contains(QLatin1String("missing_name")) ||
                panel->findings()->item(0)->text().contains(QLatin1String("missing_name")));
        bool underlined = false;
        for (const QTextEdit::ExtraSelection& s : e->extraSelections())
            underlined = underlined || (s.format.underlineStyle() == QTextCharFormat::WaveUnderline &&
                                        s.cursor.blockNumber() == 4);
        QVERIFY(underlined);
        // Fixing the mistake clears the finding after the pause (the checker runs again).
        QTextCursor c(e->document()->findBlockByNumber(4));
        c.movePosition(QTextCursor::EndOfBlock);
        c.movePosition(QTextCursor::StartOfWord, QTextCursor::KeepAnchor);
        e->setTextCursor(c);
        e->insertPlainText(QStringLiteral("1\nprint(os.sep)"));
        QVERIFY(QTest::qWaitFor([&] { return panel->findings()->count() == 0; }, 30000));
        // Activating a finding puts the cursor on its line.
        e->setPlainText(QStringLiteral("x = 1\ny = undefined_thing\n"));
        QVERIFY(QTest::qWaitFor([&] { return panel->findings()->count() == 1; }, 30000));
        emit panel->findings()->itemActivated(panel->findings()->item(0));
        QCOMPARE(e->textCursor().blockNumber(), 1);
        // Saving writes the file; a shell file gets shellcheck.
        QVERIFY(panel->saveFile(e, path));
        QFile back(path);
        QVERIFY(back.open(QIODevice::ReadOnly));
        QCOMPARE(back.readAll(), QByteArray("x = 1\ny = undefined_thing\n"));
        CodeEditor* sh = panel->newEditor(QStringLiteral("Bash"), QStringLiteral("#!/bin/bash\nrm -rf $1/build\n"));
        QVERIFY(sh == panel->editor());
        QVERIFY(waitLint(panel, QStringLiteral("shellcheck")));
        QTRY_VERIFY(panel->findings()->count() >= 1);
        QVERIFY(panel->findings()->item(0)->text().contains(QLatin1String("SC2086")));
        // A file that is not text is refused, with a reason.
        const QString binary = dir.filePath(QStringLiteral("x.bin"));
        QFile b(binary);
        QVERIFY(b.open(QIODevice::WriteOnly));
        b.write(QByteArray("\x00\xff\xfe", 3));
        b.close();
        const int tabs = panel->tabs()->count();
        QVERIFY(!panel->openFile(binary));
        QCOMPARE(panel->tabs()->count(), tabs);
        QVERIFY(panel->statusLabel()->text().contains(QLatin1String("not UTF-8")));
        QVERIFY(!panel->openFile(dir.filePath(QStringLiteral("missing.py"))));
    }

    // --- chat and code ---------------------------------------------------------------------------

    void codeTravelsBetweenChatAndEditor()
    {
        QTemporaryDir dir;
        AppHarness app(dir.path());
        app.window->resize(1200, 800);
        app.window->show();
        QVERIFY(QTest::qWaitForWindowExposed(app.window.get()));
        QVERIFY(app.load(builtinModel()));
        auto* chat = qobject_cast<ChatPanel*>(app.window->panel(QStringLiteral("chat")));
        CodePanel* panel = codePanel(app);
        // A selection goes to the chat's message box, fenced with its language.
        CodeEditor* e = panel->newEditor(QStringLiteral("Python"), QStringLiteral("def twice(x):\n    return 2 * x\n"));
        e->selectAll();
        const int tabs = panel->tabs()->count();
        panel->toChatButton()->click();
        QCOMPARE(chat->input()->toPlainText(),
                 QStringLiteral("```python\ndef twice(x):\n    return 2 * x\n```\n"));
        // "Explain" asks in the chat and shows it.
        app.chat.conversations.newConversation();
        app.chat.conversations.setSampling(greedy(8));
        panel->explainButton()->click();
        QVERIFY(app.chat.turns.isGenerating());
        QVERIFY(app.waitReply());
        QVERIFY(app.chat.conversations.branch().first().content.contains(QLatin1String("def twice(x)")));
        // A code block of a reply opens in a new tab of the Code panel.
        app.chat.conversations.setSampling(greedy(80));
        QVERIFY(app.chat.turns.send(QStringLiteral("Write a Python function that does this: return the larger of two numbers.")));
        QVERIFY(app.waitReply());
        CodeBlock* block = nullptr;
        QTRY_VERIFY((block = [&]() -> CodeBlock* {
            for (MessageWidget* w : chat->messageWidgets())
                if (!w->codeBlocks().isEmpty())
                    return w->codeBlocks().last();
            return nullptr;
        }()) != nullptr);
        block->openButton()->click();
        QCOMPARE(panel->tabs()->count(), tabs + 1);
        QCOMPARE(panel->editor()->toPlainText(), block->code());
        QCOMPARE(panel->editor()->language(), QStringLiteral("Python"));
    }
};

QTEST_MAIN(CodeTest)
#include "code_test.moc"
