// LintController: one QProcess per editor; output parsed into diagnostics on the GUI thread
// when the process ends.
#include "lintcontroller.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>

namespace {

struct Checker {
    QString name;       // what the status line calls it
    QString extension;  // of the temporary copy
    QString program;    // "" when it is not installed
    QStringList args;   // the file goes last
    QString install;    // what to install when it is missing
    QString missing;    // output that says it is missing after all (a Python module)
};

Checker checkerFor(const QString& language)
{
    const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"));
    const QString l = language.toLower();
    if (l == QLatin1String("python")) // whether the module is there, the run itself says
        return {QStringLiteral("pyflakes"), QStringLiteral(".py"), python, {QStringLiteral("-m"), QStringLiteral("pyflakes")},
                QStringLiteral("pyflakes (Debian and Ubuntu: python3-pyflakes; pip: pyflakes)"),
                QStringLiteral("No module named pyflakes")};
    if (l == QLatin1String("bash") || l == QLatin1String("zsh") || l == QLatin1String("sh"))
        return {QStringLiteral("shellcheck"), QStringLiteral(".sh"), QStandardPaths::findExecutable(QStringLiteral("shellcheck")),
                {QStringLiteral("-f"), QStringLiteral("gcc"), QStringLiteral("-s"), QStringLiteral("bash")},
                QStringLiteral("shellcheck (Debian and Ubuntu: shellcheck)"), QString()};
    if (l == QLatin1String("c++") || l == QLatin1String("c") || l == QLatin1String("isocpp"))
        return {QStringLiteral("cppcheck"), l == QLatin1String("c") ? QStringLiteral(".c") : QStringLiteral(".cpp"),
                QStandardPaths::findExecutable(QStringLiteral("cppcheck")),
                {QStringLiteral("--enable=warning,style,performance,portability"), QStringLiteral("--quiet"),
                 QStringLiteral("--template={file}:{line}:{column}: {severity}: {message} [{id}]")},
                QStringLiteral("cppcheck (Debian and Ubuntu: cppcheck)"), QString()};
    if (l == QLatin1String("javascript"))
        return {QStringLiteral("node --check"), QStringLiteral(".js"), QStandardPaths::findExecutable(QStringLiteral("node")),
                {QStringLiteral("--check")}, QStringLiteral("Node.js (Debian and Ubuntu: nodejs)"), QString()};
    if (l == QLatin1String("json"))
        return {QStringLiteral("json.tool"), QStringLiteral(".json"), python,
                {QStringLiteral("-m"), QStringLiteral("json.tool")}, QStringLiteral("Python 3 (python3)"), QString()};
    return {};
}

} // namespace

struct LintController::Run {
    std::unique_ptr<QProcess> process;
    QString file, checker, language, install, missing;
};

LintController::LintController(QObject* parent) : QObject(parent), m_dir(std::make_unique<QTemporaryDir>()) {}

LintController::~LintController()
{
    for (const auto& run : std::as_const(m_runs))
        if (run->process) {
            run->process->disconnect();
            run->process->kill();
            run->process->waitForFinished(1000);
        }
}

QString LintController::checkerFor(const QString& language) { return ::checkerFor(language).name; }

void LintController::forget(const QString& key)
{
    if (auto run = m_runs.take(key); run && run->process) {
        run->process->disconnect();
        run->process->kill();
        run->process->waitForFinished(1000);
    }
}

void LintController::check(const QString& key, const QString& language, const QString& text)
{
    forget(key); // a newer text replaces the check running
    const Checker c = ::checkerFor(language);
    if (c.name.isEmpty()) {
        emit checked(key, {}, QString());
        return;
    }
    if (c.program.isEmpty()) {
        emit checked(key, {}, tr("No %1 checker is installed: install %2.").arg(language, c.install));
        return;
    }
    auto run = std::make_shared<Run>();
    run->checker = c.name;
    run->language = language;
    run->install = c.install;
    run->missing = c.missing;
    run->file = QDir(m_dir->path()).filePath(QStringLiteral("code-%1%2").arg(qHash(key)).arg(c.extension));
    QFile f(run->file);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(text.toUtf8()) < 0) {
        emit checked(key, {}, tr("The code could not be written for %1 to check.").arg(c.name));
        return;
    }
    f.close();
    run->process = std::make_unique<QProcess>();
    run->process->setProcessChannelMode(QProcess::MergedChannels);
    connect(run->process.get(), &QProcess::finished, this, [this, key] { checkerEnded(key); });
    connect(run->process.get(), &QProcess::errorOccurred, this, [this, key](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart)
            checkerEnded(key);
    });
    m_runs.insert(key, run);
    run->process->start(c.program, c.args + QStringList{run->file});
}

void LintController::checkerEnded(const QString& key)
{
    const auto run = m_runs.take(key);
    if (!run || !run->process)
        return;
    const QString output = QString::fromUtf8(run->process->readAll());
    const QList<Diagnostic> found = parseDiagnostics(run->checker, run->file, output);
    QString status = found.isEmpty() ? tr("%1: no findings").arg(run->checker)
                                     : tr("%1: %n finding(s)", nullptr, int(found.size())).arg(run->checker);
    if (run->process->error() == QProcess::FailedToStart)
        status = tr("%1 could not be started.").arg(run->checker);
    else if (!run->missing.isEmpty() && output.contains(run->missing))
        status = tr("No %1 checker is installed: install %2.").arg(run->language, run->install);
    run->process->disconnect();
    run->process.release()->deleteLater(); // it is still in its own signal
    emit checked(key, found, status);
}

QList<Diagnostic> parseDiagnostics(const QString& checker, const QString& file, const QString& output)
{
    QList<Diagnostic> out;
    const QStringList lines = output.split(QLatin1Char('\n'));
    if (checker == QLatin1String("node --check")) {
        // "FILE:LINE" then the source line, a caret line, a blank line, "SyntaxError: ...".
        static const QRegularExpression where(QStringLiteral("^(.*):(\\d+)$"));
        for (int i = 0; i < lines.size(); ++i) {
            const auto m = where.match(lines[i]);
            if (!m.hasMatch() || m.captured(1) != file)
                continue;
            Diagnostic d{m.captured(2).toInt(), 0, QStringLiteral("error"), QString()};
            for (int j = i + 1; j < lines.size(); ++j)
                if (lines[j].contains(QLatin1String("Error:"))) {
                    d.message = lines[j].trimmed();
                    break;
                }
            out.append(d);
        }
        return out;
    }
    if (checker == QLatin1String("json.tool")) {
        static const QRegularExpression where(QStringLiteral("^(.*): line (\\d+) column (\\d+)"));
        for (const QString& line : lines)
            if (const auto m = where.match(line); m.hasMatch())
                out.append({m.captured(2).toInt(), m.captured(3).toInt(), QStringLiteral("error"), m.captured(1)});
        return out;
    }
    // gcc style: FILE:LINE[:COL]: [severity:] message
    static const QRegularExpression gcc(
        QStringLiteral("^(.*?):(\\d+):(?:(\\d+):)?\\s*(?:(error|warning|note|style|information|performance|portability)"
                       ":\\s*)?(.*)$"));
    for (const QString& line : lines) {
        const auto m = gcc.match(line);
        if (!m.hasMatch() || m.captured(1) != file)
            continue;
        QString severity = m.captured(4);
        if (severity.isEmpty()) // pyflakes names none: a syntax error stops the file, the rest warn
            severity = m.captured(5).contains(QLatin1String("syntax")) ? QStringLiteral("error") : QStringLiteral("warning");
        else if (severity == QLatin1String("performance") || severity == QLatin1String("portability") ||
                 severity == QLatin1String("information"))
            severity = QStringLiteral("style");
        out.append({m.captured(2).toInt(), m.captured(3).toInt(), severity, m.captured(5).trimmed()});
    }
    return out;
}
