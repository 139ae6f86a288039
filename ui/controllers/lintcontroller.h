// Static checks of the code in the editor with the checker its language has, when it is
// installed: pyflakes (Python), shellcheck (shell), cppcheck (C and C++), node --check
// (JavaScript), python3 -m json.tool (JSON). Each run is a QProcess over a temporary copy of
// the text, never blocking; a newer request for the same editor replaces the one running.
// With no checker installed it says which package provides one.
#pragma once

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <memory>

class QProcess;
class QTemporaryDir;

struct Diagnostic {
    int line = 0;       // 1-based
    int column = 0;     // 1-based; 0 when the checker gives none
    QString severity;   // "error", "warning", "style", "note"
    QString message;
};

class LintController : public QObject {
    Q_OBJECT
public:
    explicit LintController(QObject* parent = nullptr);
    ~LintController() override;

    // Checks `text` as `language` (a KSyntaxHighlighting definition name: "Python", "Bash",
    // "C++", "C", "JavaScript", "JSON"...); the answer comes as checked(key, ...).
    void check(const QString& key, const QString& language, const QString& text);
    void forget(const QString& key); // the editor closed
    // The checker for a language ("pyflakes"), "" when the language has none here.
    static QString checkerFor(const QString& language);

signals:
    // `status`: "pyflakes: 2 findings", or what to install when there is no checker.
    void checked(const QString& key, const QList<Diagnostic>& diagnostics, const QString& status);

private:
    struct Run;
    void checkerEnded(const QString& key);

    std::unique_ptr<QTemporaryDir> m_dir;
    QHash<QString, std::shared_ptr<Run>> m_runs;
};

// The diagnostics in a checker's output about `file` (gcc-style lines, node's and
// json.tool's formats); exposed for tests.
QList<Diagnostic> parseDiagnostics(const QString& checker, const QString& file, const QString& output);
