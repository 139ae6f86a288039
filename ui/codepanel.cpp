// CodePanel: the controllers' signals drive the current editor; two timers debounce the
// completion (after a pause in typing) and the checker (after edits).
#include "codepanel.h"

#include "codeeditor.h"
#include "diffview.h"

#include "ui/controllers/codecontroller.h"

#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Repository>

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSaveFile>
#include <QSplitter>
#include <QTabWidget>
#include <QTextBlock>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace {
constexpr int kLintDelayMs = 700;
const char* kPathProperty = "seekbenchPath";
} // namespace

CodePanel::CodePanel(CodeController& code, LintController& lint, KSyntaxHighlighting::Repository& repository,
                     QWidget* parent)
    : QWidget(parent), m_code(code), m_lint(lint), m_repository(repository), m_tabs(new QTabWidget(this)),
      m_language(new QComboBox(this)), m_prompt(new QLineEdit(this)), m_generate(new QPushButton(tr("Write"), this)),
      m_explain(new QPushButton(tr("Explain"), this)), m_refactor(new QPushButton(tr("Refactor…"), this)),
      m_tests(new QPushButton(tr("Write Tests"), this)), m_toChat(new QPushButton(tr("Send to Chat"), this)),
      m_status(new QLabel(this)), m_lintStatus(new QLabel(this)), m_findings(new QListWidget(this)),
      m_completionTimer(new QTimer(this)), m_lintTimer(new QTimer(this))
{
    auto* newButton = new QToolButton(this);
    newButton->setText(tr("New"));
    auto* openButton = new QToolButton(this);
    openButton->setText(tr("Open…"));
    auto* saveButton = new QToolButton(this);
    saveButton->setText(tr("Save"));
    m_language->addItem(tr("Plain text"), QString());
    for (const KSyntaxHighlighting::Definition& d : m_repository.definitions())
        if (!d.isHidden())
            m_language->addItem(d.translatedName(), d.name());
    m_language->setToolTip(tr("The language: highlighting, folding and the checker"));
    m_prompt->setPlaceholderText(tr("Describe the code to write, e.g. “a function that parses ISO dates”"));
    m_explain->setToolTip(tr("Ask in the chat what the selected code does"));
    m_refactor->setToolTip(tr("Rewrite the selected code; the change is shown as a diff first"));
    m_tests->setToolTip(tr("Ask in the chat for unit tests of the selected code"));
    m_toChat->setToolTip(tr("Put the selected code into the chat's message box"));
    m_status->setForegroundRole(QPalette::PlaceholderText);
    m_status->setWordWrap(true);
    m_lintStatus->setForegroundRole(QPalette::PlaceholderText);
    m_tabs->setTabsClosable(true);
    m_tabs->setDocumentMode(true);
    m_completionTimer->setSingleShot(true);
    m_completionTimer->setInterval(600);
    m_lintTimer->setSingleShot(true);
    m_lintTimer->setInterval(kLintDelayMs);

    auto* files = new QHBoxLayout;
    for (QWidget* w : {static_cast<QWidget*>(newButton), static_cast<QWidget*>(openButton), static_cast<QWidget*>(saveButton)})
        files->addWidget(w);
    files->addWidget(m_language, 1);
    auto* actions = new QHBoxLayout;
    for (QPushButton* b : {m_explain, m_refactor, m_tests, m_toChat})
        actions->addWidget(b);
    actions->addStretch(1);
    auto* ask = new QHBoxLayout;
    ask->addWidget(m_prompt, 1);
    ask->addWidget(m_generate);
    auto* bottom = new QWidget(this);
    auto* bottomLayout = new QVBoxLayout(bottom);
    bottomLayout->setContentsMargins(0, 0, 0, 0);
    bottomLayout->addWidget(m_lintStatus);
    bottomLayout->addWidget(m_findings);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_tabs);
    split->addWidget(bottom);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(files);
    layout->addWidget(split, 1);
    layout->addLayout(actions);
    layout->addLayout(ask);
    layout->addWidget(m_status);

    connect(newButton, &QToolButton::clicked, this, [this] { newEditor(); });
    connect(openButton, &QToolButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open File"));
        if (!path.isEmpty())
            openFile(path);
    });
    connect(saveButton, &QToolButton::clicked, this, [this] {
        CodeEditor* e = editor();
        if (!e)
            return;
        QString path = e->property(kPathProperty).toString();
        if (path.isEmpty())
            path = QFileDialog::getSaveFileName(this, tr("Save File"));
        if (!path.isEmpty())
            saveFile(e, path);
    });
    connect(m_tabs, &QTabWidget::tabCloseRequested, this, [this](int i) {
        auto* e = qobject_cast<CodeEditor*>(m_tabs->widget(i));
        m_lint.forget(keyOf(e));
        m_tabs->removeTab(i);
        if (e == m_generatingInto)
            m_code.stop();
        if (e == m_completingIn)
            m_code.cancelCompletion();
        delete e;
    });
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        if (CodeEditor* e = editor())
            m_language->setCurrentIndex(std::max(0, m_language->findData(e->language())));
        updateButtons();
        lintNow();
    });
    connect(m_language, &QComboBox::activated, this, [this] {
        if (CodeEditor* e = editor()) {
            e->setLanguage(m_language->currentData().toString());
            lintNow();
        }
    });
    connect(m_generate, &QPushButton::clicked, this, [this] {
        if (m_code.isGenerating())
            m_code.stop();
        else
            generate();
    });
    connect(m_prompt, &QLineEdit::returnPressed, this, &CodePanel::generate);
    connect(m_explain, &QPushButton::clicked, this,
            [this] { m_code.explain(selectionOrAll(), editor() ? editor()->language() : QString()); });
    connect(m_tests, &QPushButton::clicked, this,
            [this] { m_code.writeTests(selectionOrAll(), editor() ? editor()->language() : QString()); });
    connect(m_refactor, &QPushButton::clicked, this, &CodePanel::refactorSelection);
    connect(m_toChat, &QPushButton::clicked, this, [this] {
        const QString lang = editor() ? editor()->language().toLower() : QString();
        QString text = selectionOrAll();
        if (!text.endsWith(QLatin1Char('\n')))
            text += QLatin1Char('\n');
        emit sendToChat(QStringLiteral("```%1\n%2```\n").arg(lang, text));
    });
    connect(m_findings, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        if (CodeEditor* e = editor()) {
            QTextCursor c(e->document()->findBlockByNumber(item->data(Qt::UserRole).toInt() - 1));
            e->setTextCursor(c);
            e->setFocus();
        }
    });

    // The model's code streams into the editor it was asked from.
    connect(&m_code, &CodeController::codeStreamed, this, [this](const QString& piece) {
        if (m_generatingInto)
            m_generatingInto->insertGenerated(piece);
    });
    connect(&m_code, &CodeController::generationFinished, this, [this](const QString& written, const QString& stop) {
        if (m_generatingInto)
            m_generatingInto->endGenerated();
        m_generatingInto = nullptr;
        m_status->setText(stop == QLatin1String("cancelled") ? tr("Stopped; what was written is kept (Undo removes it).")
                          : written.isEmpty()                ? tr("The model wrote no code.")
                                                             : tr("Written (Undo removes it in one step)."));
        updateButtons();
        scheduleLint();
    });
    connect(&m_code, &CodeController::refactorProposed, this, [this](const QString& original, const QString& proposed) {
        CodeEditor* e = editor();
        DiffView view(original, proposed, this);
        if (view.exec() != QDialog::Accepted || !e)
            return;
        e->beginGenerated(); // the selection is still the original: one undo step replaces it
        e->insertGenerated(view.result());
        e->endGenerated();
    });
    connect(&m_code, &CodeController::completionStreamed, this, [this](const QString& piece) {
        if (m_completingIn && m_completingIn == editor())
            m_completingIn->appendGhostText(piece);
    });
    connect(&m_code, &CodeController::completionFinished, this, [this] { m_completingIn = nullptr; });
    connect(&m_code, &CodeController::failed, this, [this](const QString& message) {
        if (m_generatingInto)
            m_generatingInto->endGenerated();
        m_generatingInto = nullptr;
        m_status->setText(message);
        updateButtons();
    });
    connect(m_completionTimer, &QTimer::timeout, this, [this] {
        CodeEditor* e = editor();
        if (!e || m_code.isGenerating() || e->textCursor().hasSelection())
            return;
        e->setGhostText(QString());
        m_code.complete(e->textBeforeCursor(), e->textAfterCursor());
        m_completingIn = m_code.isCompleting() ? e : nullptr;
    });
    connect(m_lintTimer, &QTimer::timeout, this, &CodePanel::lintNow);
    connect(&m_lint, &LintController::checked, this, &CodePanel::showFindings);
    newEditor(QStringLiteral("Python"));
    updateButtons();
}

CodeEditor* CodePanel::editor() const { return qobject_cast<CodeEditor*>(m_tabs->currentWidget()); }

QString CodePanel::keyOf(CodeEditor* e) const { return QString::number(quintptr(e), 16); }

CodeEditor* CodePanel::newEditor(const QString& language, const QString& text, const QString& path)
{
    auto* e = new CodeEditor(m_repository, m_tabs);
    e->setPlainText(text);
    if (!path.isEmpty())
        e->setLanguageForFile(path);
    else
        e->setLanguage(language);
    e->setProperty(kPathProperty, path);
    const QString title = path.isEmpty() ? (language.isEmpty() ? tr("Untitled") : tr("Untitled (%1)").arg(language))
                                         : QFileInfo(path).fileName();
    m_tabs->setCurrentIndex(m_tabs->addTab(e, title));
    connect(e, &CodeEditor::userTyped, this, [this] {
        m_code.cancelCompletion(); // typing cancels the request at once
        m_completingIn = nullptr;
        if (m_code.canComplete())
            m_completionTimer->start();
        scheduleLint();
    });
    connect(e, &CodeEditor::ghostDismissed, this, [this, e] {
        if (m_completingIn == e) {
            m_code.cancelCompletion();
            m_completingIn = nullptr;
        }
    });
    connect(e, &QPlainTextEdit::textChanged, this, &CodePanel::scheduleLint);
    connect(e, &QPlainTextEdit::selectionChanged, this, &CodePanel::updateButtons);
    lintNow();
    return e;
}

bool CodePanel::openFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        m_status->setText(tr("%1 cannot be read: %2").arg(QFileInfo(path).fileName(), f.errorString()));
        return false;
    }
    const QByteArray bytes = f.readAll();
    const QString text = QString::fromUtf8(bytes);
    if (text.contains(QChar::ReplacementCharacter) || bytes.contains('\0')) {
        m_status->setText(tr("%1 is not UTF-8 text; it was not opened.").arg(QFileInfo(path).fileName()));
        return false;
    }
    newEditor(QString(), text, path);
    m_language->setCurrentIndex(std::max(0, m_language->findData(editor()->language())));
    m_status->setText(tr("Opened %1.").arg(QDir::toNativeSeparators(path)));
    return true;
}

bool CodePanel::saveFile(CodeEditor* e, const QString& path)
{
    QSaveFile f(path); // all or nothing: a full disk leaves the old file
    if (!f.open(QIODevice::WriteOnly) || f.write(e->toPlainText().toUtf8()) < 0 || !f.commit()) {
        m_status->setText(tr("%1 could not be saved: %2").arg(QFileInfo(path).fileName(), f.errorString()));
        return false;
    }
    e->setProperty(kPathProperty, path);
    e->document()->setModified(false);
    m_tabs->setTabText(m_tabs->indexOf(e), QFileInfo(path).fileName());
    if (e->language().isEmpty())
        e->setLanguageForFile(path);
    m_status->setText(tr("Saved %1.").arg(QDir::toNativeSeparators(path)));
    return true;
}

void CodePanel::openCode(const QString& language, const QString& code)
{
    const KSyntaxHighlighting::Definition d = m_repository.definitionForName(language);
    newEditor(d.isValid() ? d.name() : QString(), code);
    m_language->setCurrentIndex(std::max(0, m_language->findData(editor()->language())));
}

QString CodePanel::selectionOrAll() const
{
    CodeEditor* e = editor();
    if (!e)
        return QString();
    const QString selected = e->textCursor().selectedText().replace(QChar::ParagraphSeparator, QLatin1Char('\n'));
    return selected.isEmpty() ? e->toPlainText() : selected;
}

void CodePanel::generate()
{
    CodeEditor* e = editor();
    if (!e)
        e = newEditor(QStringLiteral("Python"));
    const QString selection = e->textCursor().selectedText().replace(QChar::ParagraphSeparator, QLatin1Char('\n'));
    e->beginGenerated();
    m_generatingInto = e;
    if (!m_code.generate(m_prompt->text(), e->language(), selection)) {
        e->endGenerated();
        m_generatingInto = nullptr;
        return;
    }
    m_status->setText(tr("Writing…"));
    updateButtons();
}

void CodePanel::refactorSelection()
{
    CodeEditor* e = editor();
    if (!e)
        return;
    if (!e->textCursor().hasSelection())
        e->selectAll();
    const QString selection = e->textCursor().selectedText().replace(QChar::ParagraphSeparator, QLatin1Char('\n'));
    if (m_code.refactor(selection, e->language(), m_prompt->text()))
        m_status->setText(tr("Rewriting; the change will be shown before it is applied…"));
    updateButtons();
}

void CodePanel::setCompletionDelay(int ms) { m_completionTimer->setInterval(ms); }

void CodePanel::updateButtons()
{
    const bool generating = m_code.isGenerating();
    m_generate->setText(generating ? tr("Stop") : tr("Write"));
    m_generate->setToolTip(generating ? tr("Stop writing (what was written is kept)")
                                      : tr("Write the described code at the cursor, or in place of the selection"));
    for (QPushButton* b : {m_explain, m_refactor, m_tests, m_toChat})
        b->setEnabled(!generating && editor());
}

void CodePanel::scheduleLint() { m_lintTimer->start(); }

void CodePanel::lintNow()
{
    if (CodeEditor* e = editor())
        m_lint.check(keyOf(e), e->language(), e->toPlainText());
}

void CodePanel::showFindings(const QString& key, const QList<Diagnostic>& found, const QString& status)
{
    for (int i = 0; i < m_tabs->count(); ++i) {
        auto* e = qobject_cast<CodeEditor*>(m_tabs->widget(i));
        if (keyOf(e) != key)
            continue;
        e->setDiagnostics(found);
        if (e != editor())
            return;
        m_lintStatus->setText(status);
        m_findings->clear();
        for (const Diagnostic& d : found) {
            auto* item = new QListWidgetItem(tr("line %1: %2").arg(d.line).arg(d.message), m_findings);
            item->setData(Qt::UserRole, d.line);
            item->setForeground(d.severity == QLatin1String("error") ? QBrush(Qt::red) : palette().text());
        }
        return;
    }
}
