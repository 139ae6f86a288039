// WorkbenchController: each job runs the engine's function on a QThread, turns its result
// into Qt types there, and hands them to the GUI thread with a queued call.
#include "workbenchcontroller.h"

#include "engine/ab_compare.h"
#include "engine/convert/convert.h"
#include "engine/cpu/backend.h"
#include "engine/cpu/profile_run.h"
#include "engine/error.h"
#include "engine/imatrix.h"
#include "engine/model.h"
#include "engine/quantize.h"

#include <QDateTime>
#include <QFileInfo>
#include <QThread>

#include <map>

namespace {

QString fromUtf8(const std::string& s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

QList<WbCandidate> candidates(const seekbench::Tokenizer& tok, const std::vector<seekbench::AbCandidate>& top)
{
    QList<WbCandidate> out;
    for (const seekbench::AbCandidate& c : top)
        out.append({fromUtf8(tok.piece(c.id)), c.prob});
    return out;
}

QList<WbToken> tokens(const seekbench::Tokenizer& tok, const seekbench::AbSide& side)
{
    QList<WbToken> out;
    for (const seekbench::AbToken& t : side.tokens)
        out.append({fromUtf8(t.piece), t.kl, candidates(tok, t.top_a), candidates(tok, t.top_b)});
    return out;
}

WbProfilePhase phase(const seekbench::Profile& p, int tokens)
{
    WbProfilePhase out;
    out.tokens = tokens;
    out.seconds = p.total_seconds();
    for (const seekbench::ProfileRow& r : p.by_op())
        out.ops.append({QString::fromStdString(r.op), 1e3 * r.seconds, double(r.bytes) / 1e6,
                        r.seconds > 0 ? double(r.bytes) / r.seconds / 1e9 : 0.0, r.calls,
                        r.seconds > 0 ? double(r.flops) / r.seconds / 1e9 : 0.0});
    std::map<int, double> layers;
    for (const seekbench::ProfileRow& r : p.rows())
        layers[r.layer] += 1e3 * r.seconds;
    for (const auto& [layer, ms] : layers)
        out.layers.append({layer, ms});
    return out;
}

QString mib(std::size_t bytes) { return QString::number(double(bytes) / (1024.0 * 1024.0), 'f', 1); }

} // namespace

WorkbenchController::WorkbenchController(QObject* parent) : QObject(parent) {}

WorkbenchController::~WorkbenchController()
{
    m_cancel = true;
    if (m_thread) {
        m_thread->wait();
        delete m_thread; // its finished() handler, queued to this object, will not run now
    }
}

QStringList WorkbenchController::quantizeTypes()
{
    QStringList out;
    for (const seekbench::QuantMix& m : seekbench::quant_mixes())
        out << QString::fromLatin1(m.name);
    return out;
}

QString WorkbenchController::quantizeAbout(const QString& type)
{
    const seekbench::QuantMix* m = seekbench::find_quant_mix(type.toStdString());
    return m ? QString::fromLatin1(m->about) : QString();
}

void WorkbenchController::cancel() { m_cancel = true; }

void WorkbenchController::reportProgress(int done, int total, const QString& what)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (done < total && now - m_lastProgress < 100)
        return;
    m_lastProgress = now;
    QMetaObject::invokeMethod(this, [this, done, total, what] { emit progress(done, total, what); }, Qt::QueuedConnection);
}

void WorkbenchController::start(const QString& name, std::function<void()> job)
{
    if (m_thread)
        return;
    m_cancel = false;
    m_lastProgress = 0;
    m_thread = QThread::create([this, job = std::move(job)] {
        QString error;
        bool stopped = false;
        try {
            job();
        } catch (const seekbench::Error& e) {
            stopped = e.code() == seekbench::ErrorCode::Cancelled;
            error = fromUtf8(e.what());
        } catch (const std::exception& e) {
            error = fromUtf8(e.what());
        }
        QMetaObject::invokeMethod(
            this,
            [this, error, stopped] {
                if (stopped)
                    emit cancelled();
                else if (!error.isEmpty())
                    emit failed(error);
            },
            Qt::QueuedConnection);
    });
    m_thread->setObjectName(name);
    connect(m_thread, &QThread::finished, this, [this] {
        m_thread->deleteLater();
        m_thread = nullptr;
        emit busyChanged(false);
    });
    m_thread->start();
    emit busyChanged(true);
}

void WorkbenchController::compare(const QString& pathA, const QString& pathB, const QString& prompt, int maxTokens)
{
    start(QStringLiteral("workbench-ab"), [this, pathA, pathB, prompt, maxTokens] {
        const auto a = seekbench::Model::load(pathA.toStdString());
        const auto b = seekbench::Model::load(pathB.toStdString());
        seekbench::CpuBackend cpuA(*a), cpuB(*b);
        seekbench::AbOptions o;
        o.max_tokens = maxTokens;
        o.cancel = &m_cancel;
        o.progress = [this](int done, int total) { reportProgress(done, total, QString()); };
        const std::vector<int32_t> ids = a->tokenizer().encode(prompt.toStdString(), true);
        if (b->tokenizer().encode(prompt.toStdString(), true) != ids)
            throw seekbench::Error(seekbench::ErrorCode::InvalidArgument,
                                   "the two files tokenize the prompt differently: are they the same model?");
        const seekbench::AbResult r = seekbench::ab_compare(cpuA, cpuB, ids, o);
        WbComparison c;
        c.nameA = QFileInfo(pathA).fileName();
        c.nameB = QFileInfo(pathB).fileName();
        c.a = tokens(a->tokenizer(), r.a);
        c.b = tokens(a->tokenizer(), r.b);
        c.firstDivergence = r.first_divergence;
        c.meanKl = r.mean_kl;
        c.top1 = r.top1_agreement;
        c.speedA = r.a.tokens_per_second;
        c.speedB = r.b.tokens_per_second;
        QMetaObject::invokeMethod(this, [this, c] { emit compared(c); }, Qt::QueuedConnection);
    });
}

void WorkbenchController::quantize(const QString& in, const QString& out, const QString& type, const QString& imatrix)
{
    start(QStringLiteral("workbench-quantize"), [this, in, out, type, imatrix] {
        const seekbench::QuantMix* mix = seekbench::find_quant_mix(type.toStdString());
        if (!mix)
            throw seekbench::Error(seekbench::ErrorCode::InvalidArgument, "unknown type " + type.toStdString());
        seekbench::QuantizeOptions o;
        seekbench::ImportanceMatrix importance;
        if (!imatrix.isEmpty()) {
            importance = seekbench::ImportanceMatrix::read(imatrix.toStdString());
            o.imatrix = &importance;
        }
        o.cancel = &m_cancel;
        o.progress = [this](std::size_t done, std::size_t total, const seekbench::QuantPlanRow& row) {
            reportProgress(static_cast<int>(done >> 10), static_cast<int>(total >> 10), QString::fromStdString(row.name));
        };
        const seekbench::QuantizeResult r = seekbench::quantize_model(in.toStdString(), out.toStdString(), *mix, o);
        const QString summary = tr("%1: %2 MiB → %3 MiB in %4 s").arg(QFileInfo(out).fileName(), mib(r.bytes_in),
                                                                     mib(r.bytes_out), QString::number(r.seconds, 'f', 1));
        QMetaObject::invokeMethod(this, [this, summary] { emit quantized(summary); }, Qt::QueuedConnection);
    });
}

void WorkbenchController::convert(const QString& source, const QString& out, const QString& type, const QString& tokenizer)
{
    start(QStringLiteral("workbench-convert"), [this, source, out, type, tokenizer] {
        seekbench::ConvertOptions o;
        o.type = type.toStdString();
        o.tokenizer = tokenizer.toStdString();
        o.cancel = &m_cancel;
        o.progress = [this](std::size_t done, std::size_t total, const std::string& tensor) {
            reportProgress(static_cast<int>(done >> 10), static_cast<int>(total >> 10), QString::fromStdString(tensor));
        };
        const seekbench::ConvertResult r = seekbench::convert_model(source.toStdString(), out.toStdString(), o);
        const QString summary = tr("%1: %2 (%3), %n tensors, %4 MiB", "", r.tensors)
                                    .arg(QFileInfo(out).fileName(), fromUtf8(r.source), fromUtf8(r.arch), mib(r.bytes));
        QMetaObject::invokeMethod(this, [this, summary] { emit converted(summary); }, Qt::QueuedConnection);
    });
}

void WorkbenchController::profile(const QString& path, int promptTokens, int generatedTokens)
{
    start(QStringLiteral("workbench-profile"), [this, path, promptTokens, generatedTokens] {
        const auto model = seekbench::Model::load(path.toStdString());
        seekbench::CpuBackend cpu(*model);
        const seekbench::ProfileRun run = seekbench::profile_forward(cpu, promptTokens, generatedTokens);
        WbProfile p;
        p.name = QFileInfo(path).fileName();
        p.backend = QString::fromStdString(cpu.describe());
        p.bandwidth = run.bandwidth_gbs;
        p.fmaPeak = run.fma_peak_gflops;
        p.prefill = phase(run.prefill, run.n_prompt);
        p.decode = phase(run.decode, run.n_gen);
        QMetaObject::invokeMethod(this, [this, p] { emit profiled(p); }, Qt::QueuedConnection);
    });
}
