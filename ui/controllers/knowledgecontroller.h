// The knowledge store for the app: ingestion, embeddings, search and opening a chunk's
// source, all on a worker thread that owns its own connection to the store and the
// embedding model (the GUI thread never touches SQLite, a model or a file here). Results
// come back as signals on the GUI thread; ingestion and embedding report progress at most
// every 100 ms and stop at the next file or chunk when cancelled.
#pragma once

#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QThread>
#include <atomic>
#include <memory>
#include <vector>

struct KnowledgeCollection {
    qint64 id = 0;
    QString name;
    int documents = 0, chunks = 0;
};

struct KnowledgeHit {
    qint64 chunkId = 0;
    int rank = 0;           // 1-based
    double score = 0;       // BM25, or the fused reciprocal-rank score when hybrid; higher is better
    int bm25Rank = 0, vectorRank = 0; // place in each list (0: absent); vectorRank 0 for all: BM25 alone
    QString path, heading, text;
    int page = 0;           // 1-based PDF page, 0 otherwise
    qint64 byteStart = 0, byteEnd = 0;
};

struct IngestSummary {
    QString collection;
    int added = 0, updated = 0, unchanged = 0, removed = 0, failed = 0, chunks = 0;
    QStringList failures;   // "path: reason"
    bool cancelled = false;
    double seconds = 0;
    QString error;          // the store failed (a full disk): what is committed stays
};

// A chunk's place in its file, to show: the file's text (a PDF: its page's), the span as
// character offsets into that text.
struct KnowledgeSource {
    qint64 chunkId = 0;
    QString path, heading, text, error;
    int page = 0;
    int start = 0, end = 0;
};

Q_DECLARE_METATYPE(KnowledgeHit)
Q_DECLARE_METATYPE(IngestSummary)
Q_DECLARE_METATYPE(KnowledgeSource)

class KnowledgeController : public QObject {
    Q_OBJECT
public:
    explicit KnowledgeController(const QString& databasePath, QObject* parent = nullptr);
    ~KnowledgeController() override;

    QString databasePath() const { return m_path; }
    bool isIngesting() const { return m_ingesting; }
    // The embedding model's file name ("" when none: retrieval is BM25 alone).
    QString embeddingModel() const { return m_embeddingModel; }
    QList<KnowledgeCollection> collections() const { return m_collections; }

    void refresh();                                       // collectionsChanged() follows
    void ingest(const QString& collection, const QStringList& paths);
    void cancelIngest();                                  // also stops embedding
    // Opens a bert or nomic-bert GGUF for hybrid retrieval ("" closes it: BM25 alone), then
    // embeds every chunk it has not seen yet. embeddingModelChanged() follows either way.
    void setEmbeddingModel(const QString& path);
    int search(const QString& text, const QList<qint64>& collections, int limit = 8); // request id
    // The same, in the collections of these names (those that exist); -1 when none does.
    int searchCollections(const QString& text, const QStringList& names, int limit = 8);
    void removeCollection(qint64 id);
    void openSource(qint64 chunkId);
    // A passage as a citation recorded it (the file, its page, the byte span): shown from the
    // file even when the store has since re-read it.
    void openPassage(const QString& path, int page, qint64 byteStart, qint64 byteEnd, const QString& heading);

signals:
    void collectionsChanged();
    void ingestStarted(const QString& collection);
    void ingestProgress(int done, int total, const QString& path, double filesPerSecond);
    void ingestFinished(const IngestSummary& summary);
    // path "" and error set: the model could not be opened (the previous one stays).
    void embeddingModelChanged(const QString& path, const QString& name, int dimensions, const QString& error);
    void embedProgress(int done, int total, double chunksPerSecond);
    void embedFinished(int embedded, bool cancelled);
    void searchFinished(int requestId, const QList<KnowledgeHit>& hits);
    void sourceReady(const KnowledgeSource& source);
    void errorOccurred(const QString& message);

private:
    struct Worker;
    // Runs `job` on the worker thread with its store; a thrown Error becomes errorOccurred.
    template <typename Job> void onWorker(Job job);
    // Embeds what the model has not seen in `collections` (all when empty), one batch per
    // job; `total` -1 on the first call. Reports embedProgress, then embedFinished.
    void embedPending(const std::vector<int64_t>& collections, int done, int total, qint64 started);

    QString m_path;
    QThread m_thread;
    QObject* m_context = nullptr;          // lives on m_thread; jobs are posted to it
    std::shared_ptr<Worker> m_worker;      // used on m_thread only
    std::shared_ptr<std::atomic_bool> m_cancel;
    QList<KnowledgeCollection> m_collections;
    bool m_ingesting = false;
    QString m_embeddingModel;
    int m_nextRequest = 1;
};
