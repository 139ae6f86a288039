// The Knowledge panel: collections of documents (a folder or files added to one, with a
// progress bar, files per second and Cancel while they are read, and a list of the files
// that were skipped and why), the embedding model that adds search by meaning to BM25, a
// search over the chosen collection, and the source view a result (or a chat citation)
// opens at its exact place. Reaches the store only through KnowledgeController.
#pragma once

#include <QDialog>
#include <QWidget>

class KnowledgeController;
struct IngestSummary;
struct KnowledgeSource;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

// A file shown at a chunk: its text (a PDF: the page's), the chunk highlighted and in view.
class SourceView : public QDialog {
    Q_OBJECT
public:
    explicit SourceView(QWidget* parent = nullptr);
    void showSource(const KnowledgeSource& source);
    QPlainTextEdit* textView() const { return m_text; }
    QLabel* locationLabel() const { return m_location; }
    QString highlighted() const;   // the text of the highlighted span

private:
    QLabel* m_location;
    QPlainTextEdit* m_text;
    int m_start = 0, m_end = 0;
};

class KnowledgePanel : public QWidget {
    Q_OBJECT
public:
    explicit KnowledgePanel(KnowledgeController& knowledge, QWidget* parent = nullptr);

    void addPaths(const QStringList& paths);     // into the collection named in the box
    void openEmbeddingModel(const QString& path); // what "Embedding Model…" does with the file chosen
    QString currentCollection() const;           // the box's name ("Documents" when empty)
    qint64 currentCollectionId() const;          // 0 when it is a new name

    QComboBox* collectionBox() const { return m_collection; }
    QProgressBar* progressBar() const { return m_progress; }
    QLabel* progressLabel() const { return m_progressLabel; }
    QPushButton* cancelButton() const { return m_cancel; }
    QLabel* summaryLabel() const { return m_summary; }
    QLabel* retrievalLabel() const { return m_retrieval; }
    QPushButton* embeddingOffButton() const { return m_keywordsOnly; }
    QListWidget* failures() const { return m_failures; }
    QLineEdit* searchBox() const { return m_search; }
    QListWidget* results() const { return m_results; }
    SourceView* sourceView() const { return m_source; }

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void fillCollections();
    void showProgress(int done, int total, const QString& path, double filesPerSecond);
    void showSummary(const IngestSummary& summary);
    void showEmbeddingModel(const QString& path, const QString& name, int dimensions, const QString& error);
    void showEmbedProgress(int done, int total, double chunksPerSecond);
    void setBusy(bool busy);
    void runSearch();
    void addFolder();
    void addFiles();

    KnowledgeController& m_knowledge;
    QComboBox* m_collection;
    QPushButton *m_addFolder, *m_addFiles, *m_remove, *m_cancel, *m_chooseModel, *m_keywordsOnly;
    QLabel* m_retrieval;
    QProgressBar* m_progress;
    QLabel* m_progressLabel;
    QLabel* m_summary;
    QListWidget* m_failures;
    QLineEdit* m_search;
    QListWidget* m_results;
    SourceView* m_source;
    int m_searchRequest = 0;
};
