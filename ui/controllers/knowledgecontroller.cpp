// KnowledgeController: each public call posts one job to the worker thread; the job's
// result is posted back to this object (on the GUI thread) and emitted there.
#include "knowledgecontroller.h"

#include "retrieval.h"

#include "engine/error.h"
#include "storage/ingest.h"
#include "storage/knowledge_store.h"
#include "storage/pdf_text.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QMetaObject>

#include <algorithm>

using namespace seekbench::storage;

struct KnowledgeController::Worker {
    QString path;
    std::unique_ptr<KnowledgeStore> store;
    std::unique_ptr<seekbench::Embedder> embedder; // null: BM25 alone
    KnowledgeStore& open()
    {
        if (!store) {
            QDir().mkpath(QFileInfo(path).absolutePath());
            store = std::make_unique<KnowledgeStore>(path.toStdString());
        }
        return *store;
    }
};

namespace {

QString q(const std::string& s) { return QString::fromStdString(s); }

QList<KnowledgeCollection> readCollections(KnowledgeStore& store)
{
    QList<KnowledgeCollection> out;
    for (const Collection& c : store.collections())
        out.append({c.id, q(c.name), c.documents, c.chunks});
    return out;
}

// The text to show for a chunk, and its span as character offsets in it.
KnowledgeSource loadSource(const Chunk& chunk)
{
    KnowledgeSource s;
    s.chunkId = chunk.id;
    s.path = q(chunk.path);
    s.heading = q(chunk.heading);
    s.page = chunk.page;
    std::string bytes;
    if (chunk.page > 0) {
        const auto pages = pdf_page_texts(chunk.path);
        if (chunk.page > static_cast<int>(pages.size()))
            throw seekbench::Error(seekbench::ErrorCode::Format, chunk.path + ": the page is gone");
        bytes = pages[static_cast<std::size_t>(chunk.page - 1)];
    } else {
        QFile f(s.path);
        if (!f.open(QIODevice::ReadOnly))
            throw seekbench::Error(seekbench::ErrorCode::Io, chunk.path + ": " + f.errorString().toStdString());
        bytes = f.readAll().toStdString();
    }
    const auto start = static_cast<std::size_t>(std::clamp<int64_t>(chunk.byte_start, 0, int64_t(bytes.size())));
    const auto end = static_cast<std::size_t>(std::clamp<int64_t>(chunk.byte_end, int64_t(start), int64_t(bytes.size())));
    s.text = QString::fromStdString(bytes);
    s.start = static_cast<int>(QString::fromUtf8(bytes.data(), static_cast<qsizetype>(start)).size());
    s.end = s.start + static_cast<int>(QString::fromUtf8(bytes.data() + start, static_cast<qsizetype>(end - start)).size());
    return s;
}

// Chunks embedded per job on the worker: searches asked for meanwhile run between batches.
constexpr int kEmbedBatch = 16;

} // namespace

KnowledgeController::KnowledgeController(const QString& databasePath, QObject* parent)
    : QObject(parent), m_path(databasePath), m_worker(std::make_shared<Worker>()),
      m_cancel(std::make_shared<std::atomic_bool>(false))
{
    m_worker->path = databasePath;
    m_thread.setObjectName(QStringLiteral("knowledge"));
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_context, &QObject::deleteLater);
    m_thread.start();
    refresh();
}

KnowledgeController::~KnowledgeController()
{
    m_cancel->store(true);
    m_thread.quit();
    m_thread.wait();
}

template <typename Job> void KnowledgeController::onWorker(Job job)
{
    QMetaObject::invokeMethod(m_context, [this, job, worker = m_worker] {
        try {
            job(worker->open());
        } catch (const std::exception& e) {
            QMetaObject::invokeMethod(this, [this, message = QString::fromUtf8(e.what())] {
                emit errorOccurred(message);
            }, Qt::QueuedConnection);
        }
    }, Qt::QueuedConnection);
}

void KnowledgeController::refresh()
{
    onWorker([this](KnowledgeStore& store) {
        QMetaObject::invokeMethod(this, [this, list = readCollections(store)] {
            m_collections = list;
            emit collectionsChanged();
        }, Qt::QueuedConnection);
    });
}

void KnowledgeController::ingest(const QString& collection, const QStringList& paths)
{
    if (m_ingesting || paths.isEmpty())
        return;
    m_ingesting = true;
    m_cancel->store(false);
    emit ingestStarted(collection);
    std::vector<std::string> files;
    for (const QString& p : paths)
        files.push_back(p.toStdString());
    onWorker([this, collection, files, cancel = m_cancel, worker = m_worker](KnowledgeStore& store) {
        IngestSummary summary;
        summary.collection = collection;
        QElapsedTimer since;
        since.start();
        IngestOptions options;
        options.cancelled = [cancel] { return cancel->load(); };
        options.progress = [&](const IngestProgress& p) {
            if (since.elapsed() < 100 && p.done < p.total)
                return;
            since.restart();
            QMetaObject::invokeMethod(this, [this, p] {
                emit ingestProgress(p.done, p.total, q(p.path), p.files_per_second);
            }, Qt::QueuedConnection);
        };
        try {
            const IngestReport r = seekbench::storage::ingest(store, store.collection(collection.toStdString()),
                                                               files, options);
            summary.added = r.added;
            summary.updated = r.updated;
            summary.unchanged = r.unchanged;
            summary.removed = r.removed;
            summary.failed = r.failed;
            summary.chunks = r.chunks;
            summary.cancelled = r.cancelled;
            summary.seconds = r.seconds;
            for (const IngestFailure& f : r.failures)
                summary.failures.append(q(f.path) + QStringLiteral(": ") + q(f.reason));
            if (worker->embedder && !r.cancelled) // the new passages, batch by batch after this
                embedPending({store.collection(collection.toStdString())}, 0, -1,
                             QDateTime::currentMSecsSinceEpoch());
        } catch (const std::exception& e) {
            summary.error = QString::fromUtf8(e.what());
        }
        QMetaObject::invokeMethod(this, [this, summary, list = readCollections(store)] {
            m_ingesting = false;
            m_collections = list;
            emit collectionsChanged();
            emit ingestFinished(summary);
        }, Qt::QueuedConnection);
    });
}

void KnowledgeController::cancelIngest() { m_cancel->store(true); }

void KnowledgeController::setEmbeddingModel(const QString& path)
{
    m_cancel->store(false);
    onWorker([this, path, worker = m_worker](KnowledgeStore&) {
        QString error, name;
        int dim = 0;
        try {
            worker->embedder = path.isEmpty() ? nullptr : seekbench::Embedder::open(path.toStdString());
            if (worker->embedder) {
                name = q(seekbench::embedding_model_key(*worker->embedder));
                dim = worker->embedder->dim();
            }
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        }
        QMetaObject::invokeMethod(this, [this, path, name, dim, error] {
            if (error.isEmpty())
                m_embeddingModel = name;
            emit embeddingModelChanged(error.isEmpty() ? path : QString(), name, dim, error);
        }, Qt::QueuedConnection);
        if (worker->embedder && error.isEmpty())
            embedPending({}, 0, -1, QDateTime::currentMSecsSinceEpoch());
    });
}

void KnowledgeController::embedPending(const std::vector<int64_t>& collections, int done, int total, qint64 started)
{
    onWorker([this, collections, done, total, started, cancel = m_cancel, worker = m_worker](KnowledgeStore& store) {
        const auto finish = [this](int n, bool stopped) {
            QMetaObject::invokeMethod(this, [this, n, stopped] { emit embedFinished(n, stopped); }, Qt::QueuedConnection);
        };
        if (!worker->embedder) // closed meanwhile
            return finish(done, true);
        const int all = total >= 0 ? total
                                   : store.count_without_embedding(seekbench::embedding_model_key(*worker->embedder),
                                                                   collections);
        const int n = seekbench::embed_missing_chunks(
            store, *worker->embedder, collections, [&](const seekbench::EmbedProgress&) { return !cancel->load(); },
            kEmbedBatch);
        const int now_done = done + n;
        const double seconds = std::max(0.001, (QDateTime::currentMSecsSinceEpoch() - started) / 1000.0);
        QMetaObject::invokeMethod(this, [this, now_done, all, rate = now_done / seconds] {
            emit embedProgress(now_done, std::max(all, now_done), rate);
        }, Qt::QueuedConnection);
        if (cancel->load() || n == 0 || now_done >= all)
            return finish(now_done, cancel->load());
        embedPending(collections, now_done, all, started); // the next batch, behind what was asked meanwhile
    });
}

int KnowledgeController::search(const QString& text, const QList<qint64>& collections, int limit)
{
    const int id = m_nextRequest++;
    const std::vector<int64_t> ids(collections.begin(), collections.end());
    onWorker([this, id, text, ids, limit, worker = m_worker](KnowledgeStore& store) {
        QList<KnowledgeHit> hits;
        const auto found = seekbench::retrieve(store, worker->embedder.get(), text.toStdString(), ids, limit);
        for (const ChunkHit& h : found.hits) {
            const Chunk& c = h.chunk;
            hits.append({c.id, static_cast<int>(hits.size()) + 1, h.score, h.bm25_rank, h.vector_rank, q(c.path),
                         q(c.heading), q(c.text), c.page, c.byte_start, c.byte_end});
        }
        QMetaObject::invokeMethod(this, [this, id, hits] { emit searchFinished(id, hits); }, Qt::QueuedConnection);
    });
    return id;
}

int KnowledgeController::searchCollections(const QString& text, const QStringList& names, int limit)
{
    QList<qint64> ids;
    for (const KnowledgeCollection& c : m_collections)
        if (names.contains(c.name))
            ids.append(c.id);
    return ids.isEmpty() ? -1 : search(text, ids, limit);
}

void KnowledgeController::removeCollection(qint64 id)
{
    onWorker([this, id](KnowledgeStore& store) {
        store.remove_collection(id);
        QMetaObject::invokeMethod(this, [this, list = readCollections(store)] {
            m_collections = list;
            emit collectionsChanged();
        }, Qt::QueuedConnection);
    });
}

void KnowledgeController::openPassage(const QString& path, int page, qint64 byteStart, qint64 byteEnd,
                                      const QString& heading)
{
    Chunk c;
    c.path = path.toStdString();
    c.page = page;
    c.byte_start = byteStart;
    c.byte_end = byteEnd;
    c.heading = heading.toStdString();
    QMetaObject::invokeMethod(m_context, [this, c] {
        KnowledgeSource source;
        try {
            source = loadSource(c);
        } catch (const seekbench::Error& e) {
            source.path = q(c.path);
            source.error = QString::fromUtf8(e.what());
        }
        QMetaObject::invokeMethod(this, [this, source] { emit sourceReady(source); }, Qt::QueuedConnection);
    }, Qt::QueuedConnection);
}

void KnowledgeController::openSource(qint64 chunkId)
{
    onWorker([this, chunkId](KnowledgeStore& store) {
        KnowledgeSource source;
        source.chunkId = chunkId;
        const auto chunk = store.chunk(chunkId);
        try {
            if (!chunk)
                throw seekbench::Error(seekbench::ErrorCode::InvalidArgument, "the passage is no longer in the store");
            source = loadSource(*chunk);
        } catch (const seekbench::Error& e) {
            source.error = QString::fromUtf8(e.what());
            if (chunk)
                source.path = q(chunk->path);
        }
        QMetaObject::invokeMethod(this, [this, source] { emit sourceReady(source); }, Qt::QueuedConnection);
    });
}
