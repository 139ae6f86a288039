// KnowledgePanel and SourceView: widgets over KnowledgeController's signals; no file or
// database access of their own.
#include "knowledgepanel.h"

#include "ui/controllers/chattypes.h"
#include "ui/controllers/knowledgecontroller.h"

#include <QComboBox>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTextBlock>
#include <QTimer>
#include <QVBoxLayout>

SourceView::SourceView(QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("Source"));
    resize(720, 520);
    m_location = new QLabel(this);
    m_location->setWordWrap(true);
    m_location->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_text = new QPlainTextEdit(this);
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_location);
    layout->addWidget(m_text);
}

void SourceView::showSource(const KnowledgeSource& source)
{
    const QString name = QFileInfo(source.path).fileName();
    if (!source.error.isEmpty()) {
        m_location->setText(tr("Cannot show %1: %2").arg(name, source.error));
        m_text->clear();
        m_start = m_end = 0;
        QDialog::show();
        return;
    }
    m_location->setText(passagePlace(source.path, source.page, source.heading));
    setWindowTitle(tr("Source: %1").arg(name));
    m_text->setPlainText(source.text);
    m_start = source.start;
    m_end = source.end;
    QTextEdit::ExtraSelection mark;
    mark.cursor = QTextCursor(m_text->document());
    mark.cursor.setPosition(m_start);
    mark.cursor.setPosition(m_end, QTextCursor::KeepAnchor);
    QColor colour = palette().color(QPalette::Highlight);
    colour.setAlpha(90);
    mark.format.setBackground(colour);
    m_text->setExtraSelections({mark});
    // Bring the span's end into view first, then its start, so a long span shows from its top.
    QTextCursor at(m_text->document());
    at.setPosition(m_end);
    m_text->setTextCursor(at);
    m_text->ensureCursorVisible();
    at.setPosition(m_start);
    m_text->setTextCursor(at);
    m_text->ensureCursorVisible();
    QDialog::show();
    raise();
}

QString SourceView::highlighted() const
{
    return m_text->toPlainText().mid(m_start, m_end - m_start);
}

KnowledgePanel::KnowledgePanel(KnowledgeController& knowledge, QWidget* parent)
    : QWidget(parent), m_knowledge(knowledge)
{
    setAcceptDrops(true);
    m_collection = new QComboBox(this);
    m_collection->setEditable(true);
    m_collection->setInsertPolicy(QComboBox::NoInsert);
    m_collection->setToolTip(tr("The collection files are added to and searched in; type a new name to start one"));
    m_remove = new QPushButton(tr("Remove"), this);
    m_remove->setToolTip(tr("Remove this collection from the store (the files stay on disk)"));
    m_addFolder = new QPushButton(tr("Add Folder…"), this);
    m_addFiles = new QPushButton(tr("Add Files…"), this);
    m_retrieval = new QLabel(this);
    m_retrieval->setWordWrap(true);
    m_chooseModel = new QPushButton(tr("Embedding Model…"), this);
    m_chooseModel->setToolTip(tr("Open a bert or nomic-bert GGUF (e.g. nomic-embed-text, bge-small) to search by "
                                 "meaning as well as by words"));
    m_keywordsOnly = new QPushButton(tr("Words Only"), this);
    m_keywordsOnly->setToolTip(tr("Close the embedding model: search by words alone (BM25)"));
    m_progress = new QProgressBar(this);
    m_progressLabel = new QLabel(this);
    m_progressLabel->setForegroundRole(QPalette::PlaceholderText);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_failures = new QListWidget(this);
    m_failures->setMaximumHeight(110);
    m_failures->setToolTip(tr("Files that were skipped, and why"));
    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(tr("Search the collection"));
    m_search->setClearButtonEnabled(true);
    m_results = new QListWidget(this);
    m_results->setWordWrap(true);
    m_results->setToolTip(tr("Double-click a passage to open it in its file"));
    m_source = new SourceView(this);

    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Collection"), this));
    top->addWidget(m_collection, 1);
    top->addWidget(m_remove);
    layout->addLayout(top);
    auto* add = new QHBoxLayout;
    add->addWidget(m_addFolder);
    add->addWidget(m_addFiles);
    add->addStretch(1);
    layout->addLayout(add);
    auto* embedRow = new QHBoxLayout;
    embedRow->addWidget(m_retrieval, 1);
    embedRow->addWidget(m_chooseModel);
    embedRow->addWidget(m_keywordsOnly);
    layout->addLayout(embedRow);
    layout->addWidget(m_progress);
    auto* progressRow = new QHBoxLayout;
    progressRow->addWidget(m_progressLabel, 1);
    progressRow->addWidget(m_cancel);
    layout->addLayout(progressRow);
    layout->addWidget(m_summary);
    layout->addWidget(m_failures);
    layout->addWidget(m_search);
    layout->addWidget(m_results, 1);
    for (QWidget* w : {static_cast<QWidget*>(m_progress), static_cast<QWidget*>(m_progressLabel),
                       static_cast<QWidget*>(m_cancel), static_cast<QWidget*>(m_failures)})
        w->hide();

    auto* searchTimer = new QTimer(this);
    searchTimer->setSingleShot(true);
    searchTimer->setInterval(250);
    connect(m_search, &QLineEdit::textChanged, searchTimer, qOverload<>(&QTimer::start));
    connect(m_search, &QLineEdit::returnPressed, this, &KnowledgePanel::runSearch);
    connect(searchTimer, &QTimer::timeout, this, &KnowledgePanel::runSearch);
    connect(m_addFolder, &QPushButton::clicked, this, &KnowledgePanel::addFolder);
    connect(m_addFiles, &QPushButton::clicked, this, &KnowledgePanel::addFiles);
    connect(m_cancel, &QPushButton::clicked, &m_knowledge, &KnowledgeController::cancelIngest);
    connect(m_chooseModel, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open an Embedding Model"), QString(),
                                                          tr("GGUF models (*.gguf);;All files (*)"));
        if (!path.isEmpty())
            openEmbeddingModel(path);
    });
    connect(m_keywordsOnly, &QPushButton::clicked, this, [this] { m_knowledge.setEmbeddingModel(QString()); });
    connect(&m_knowledge, &KnowledgeController::embeddingModelChanged, this, &KnowledgePanel::showEmbeddingModel);
    connect(&m_knowledge, &KnowledgeController::embedProgress, this, &KnowledgePanel::showEmbedProgress);
    connect(&m_knowledge, &KnowledgeController::embedFinished, this, [this](int embedded, bool cancelled) {
        setBusy(false);
        if (embedded > 0 || cancelled)
            m_summary->setText(cancelled ? tr("Embedding stopped after %n passage(s); the rest is embedded next time.",
                                          nullptr, embedded)
                                     : tr("%n passage(s) embedded: search now finds passages by meaning too.",
                                          nullptr, embedded));
    });
    connect(m_remove, &QPushButton::clicked, this, [this] {
        const qint64 id = currentCollectionId();
        if (id == 0)
            return;
        const auto answer = QMessageBox::question(
            this, tr("Remove Collection"),
            tr("Remove “%1” and everything read from its files? The files themselves stay.").arg(currentCollection()));
        if (answer == QMessageBox::Yes)
            m_knowledge.removeCollection(id);
    });
    connect(m_results, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        m_knowledge.openSource(item->data(Qt::UserRole).toLongLong());
    });
    connect(m_collection, &QComboBox::currentTextChanged, this, [this] {
        fillCollections();
        if (!m_search->text().isEmpty())
            runSearch();
    });

    connect(&m_knowledge, &KnowledgeController::collectionsChanged, this, &KnowledgePanel::fillCollections);
    connect(&m_knowledge, &KnowledgeController::ingestStarted, this, [this](const QString& collection) {
        setBusy(true);
        m_progress->setRange(0, 0);
        m_progressLabel->setText(tr("Looking for files to add to “%1”…").arg(collection));
        m_failures->clear();
        m_failures->hide();
    });
    connect(&m_knowledge, &KnowledgeController::ingestProgress, this, &KnowledgePanel::showProgress);
    connect(&m_knowledge, &KnowledgeController::ingestFinished, this, &KnowledgePanel::showSummary);
    connect(&m_knowledge, &KnowledgeController::searchFinished, this,
            [this](int request, const QList<KnowledgeHit>& hits) {
                if (request != m_searchRequest)
                    return;
                m_results->clear();
                for (const KnowledgeHit& h : hits) {
                    const QString first = h.text.simplified().left(160);
                    auto* item = new QListWidgetItem(
                        QStringLiteral("%1. %2\n%3")
                            .arg(h.rank)
                            .arg(passagePlace(QFileInfo(h.path).fileName(), h.page, h.heading), first),
                        m_results);
                    item->setData(Qt::UserRole, h.chunkId);
                    QString ranks;
                    if (!m_knowledge.embeddingModel().isEmpty())
                        ranks = QStringLiteral("\n") + tr("by words: %1 · by meaning: %2")
                                                           .arg(h.bm25Rank ? QString::number(h.bm25Rank) : tr("—"),
                                                                h.vectorRank ? QString::number(h.vectorRank) : tr("—"));
                    item->setToolTip(tr("%1\nscore %2").arg(h.path).arg(h.score, 0, 'f', 3) + ranks);
                }
                if (hits.isEmpty())
                    m_results->addItem(tr("Nothing found"));
            });
    connect(&m_knowledge, &KnowledgeController::sourceReady, m_source, &SourceView::showSource);
    fillCollections();
    showEmbeddingModel(QString(), m_knowledge.embeddingModel(), 0, QString());
}

void KnowledgePanel::openEmbeddingModel(const QString& path)
{
    setBusy(true);
    m_progress->setRange(0, 0);
    m_progressLabel->setText(tr("Opening %1…").arg(QFileInfo(path).fileName()));
    m_knowledge.setEmbeddingModel(path);
}

void KnowledgePanel::setBusy(bool busy)
{
    for (QWidget* w : {static_cast<QWidget*>(m_progress), static_cast<QWidget*>(m_progressLabel),
                       static_cast<QWidget*>(m_cancel)})
        w->setVisible(busy);
    for (QPushButton* b : {m_addFolder, m_addFiles, m_chooseModel, m_keywordsOnly})
        b->setEnabled(!busy);
    if (!busy)
        m_keywordsOnly->setEnabled(!m_knowledge.embeddingModel().isEmpty());
}

void KnowledgePanel::showEmbeddingModel(const QString& path, const QString& name, int dimensions, const QString& error)
{
    Q_UNUSED(path)
    if (!error.isEmpty()) {
        setBusy(false);
        m_summary->setText(tr("The embedding model could not be opened: %1").arg(error));
    }
    const QString current = m_knowledge.embeddingModel();
    if (current.isEmpty())
        m_retrieval->setText(tr("Search by words (BM25). Open an embedding model to search by meaning too."));
    else if (dimensions > 0 || current == name)
        m_retrieval->setText(dimensions > 0 ? tr("Search by words and meaning: %1, %2 dimensions").arg(current).arg(dimensions)
                                            : tr("Search by words and meaning: %1").arg(current));
    m_keywordsOnly->setEnabled(!current.isEmpty() && !m_knowledge.isIngesting());
}

void KnowledgePanel::showEmbedProgress(int done, int total, double chunksPerSecond)
{
    setBusy(done < total);
    m_progress->setRange(0, total);
    m_progress->setValue(done);
    m_progressLabel->setText(tr("Embedding passages with %1: %2 of %3 · %4/s")
                                 .arg(m_knowledge.embeddingModel())
                                 .arg(done)
                                 .arg(total)
                                 .arg(chunksPerSecond, 0, 'f', 1));
}

QString KnowledgePanel::currentCollection() const
{
    const QString name = m_collection->currentText().trimmed();
    return name.isEmpty() ? tr("Documents") : name;
}

qint64 KnowledgePanel::currentCollectionId() const
{
    for (const KnowledgeCollection& c : m_knowledge.collections())
        if (c.name == currentCollection())
            return c.id;
    return 0;
}

void KnowledgePanel::fillCollections()
{
    const QString current = m_collection->currentText();
    const QSignalBlocker block(m_collection);
    m_collection->clear();
    for (const KnowledgeCollection& c : m_knowledge.collections()) {
        m_collection->addItem(c.name, c.id);
        m_collection->setItemData(m_collection->count() - 1,
                                  tr("%n document(s)", nullptr, c.documents) + QStringLiteral(", ") +
                                      tr("%n passage(s)", nullptr, c.chunks),
                                  Qt::ToolTipRole);
    }
    m_collection->setCurrentText(current.isEmpty() && m_collection->count() ? m_collection->itemText(0) : current);
    m_remove->setEnabled(currentCollectionId() != 0);
    if (m_knowledge.isIngesting())
        return;
    const qint64 id = currentCollectionId();
    if (id == 0) {
        m_summary->setText(m_knowledge.collections().isEmpty()
                               ? tr("Add a folder or files (text, Markdown, code, HTML, PDF) to search them here.")
                               : tr("A new collection: add a folder or files to it."));
        return;
    }
    for (const KnowledgeCollection& c : m_knowledge.collections())
        if (c.id == id)
            m_summary->setText(tr("%n document(s)", nullptr, c.documents) + QStringLiteral(", ") +
                               tr("%n passage(s)", nullptr, c.chunks));
}

void KnowledgePanel::addPaths(const QStringList& paths)
{
    if (paths.isEmpty() || m_knowledge.isIngesting())
        return;
    m_knowledge.ingest(currentCollection(), paths);
}

void KnowledgePanel::addFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Add a Folder to “%1”").arg(currentCollection()));
    if (!dir.isEmpty())
        addPaths({dir});
}

void KnowledgePanel::addFiles()
{
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Add Files to “%1”").arg(currentCollection()), QString(),
        tr("Documents (*.txt *.md *.markdown *.rst *.html *.htm *.pdf *.py *.cpp *.h *.c *.js *.ts *.rs *.go *.java "
           "*.sh);;All files (*)"));
    addPaths(files);
}

void KnowledgePanel::showProgress(int done, int total, const QString& path, double filesPerSecond)
{
    m_progress->setRange(0, total);
    m_progress->setValue(done);
    m_progressLabel->setText(tr("%1 of %2 files · %3 files/s · %4")
                                 .arg(done)
                                 .arg(total)
                                 .arg(filesPerSecond, 0, 'f', 0)
                                 .arg(QFileInfo(path).fileName()));
}

void KnowledgePanel::showSummary(const IngestSummary& s)
{
    setBusy(false);
    QString text = tr("“%1”: %2 added, %3 updated, %4 unchanged, %5 removed; %n passage(s) written", nullptr, s.chunks)
                       .arg(s.collection)
                       .arg(s.added)
                       .arg(s.updated)
                       .arg(s.unchanged)
                       .arg(s.removed);
    if (s.failed > 0)
        text += QStringLiteral(" ") + tr("%n file(s) skipped (below).", nullptr, s.failed);
    if (s.cancelled)
        text += QStringLiteral(" ") + tr("Cancelled: adding the same files again continues where it stopped.");
    if (!s.error.isEmpty())
        text += QStringLiteral(" ") + tr("Stopped: %1. What was added before is kept.").arg(s.error);
    m_summary->setText(text);
    m_failures->clear();
    m_failures->addItems(s.failures);
    m_failures->setVisible(!s.failures.isEmpty());
    m_collection->setCurrentText(s.collection);
}

void KnowledgePanel::runSearch()
{
    const QString text = m_search->text().trimmed();
    if (text.isEmpty()) {
        m_results->clear();
        return;
    }
    const qint64 id = currentCollectionId();
    m_searchRequest = m_knowledge.search(text, id ? QList<qint64>{id} : QList<qint64>{});
}

void KnowledgePanel::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls() && !m_knowledge.isIngesting())
        event->acceptProposedAction();
}

void KnowledgePanel::dropEvent(QDropEvent* event)
{
    QStringList paths;
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile())
            paths.append(url.toLocalFile());
    addPaths(paths);
    event->acceptProposedAction();
}
