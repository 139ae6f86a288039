// The importance-matrix collector: a MatmulObserver that finds which tensor (and which
// expert slice of it) a product's weights belong to by their address in the mapped file.
#include "imatrix.h"

#include "cpu/backend.h"
#include "error.h"
#include "gguf.h"
#include "gguf_writer.h"

#include <algorithm>
#include <cstring>

namespace seekbench {
namespace {

class Collector final : public cpu::MatmulObserver {
public:
    Collector(const GgufFile& file, ImportanceMatrix& out) : m_out(out)
    {
        for (const GgufTensor& t : file.tensors())
            if (t.n_dims >= 2 && t.nbytes > 0)
                m_spans.push_back({t.data, t.data + t.nbytes, &t});
        std::sort(m_spans.begin(), m_spans.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
    }

    void inputs(const cpu::WeightView& w, const float* x, int64_t ldx, int M) override
    {
        auto it = std::upper_bound(m_spans.begin(), m_spans.end(), w.data,
                                   [](const uint8_t* p, const Span& s) { return p < s.begin; });
        if (it == m_spans.begin() || M <= 0)
            return;
        const Span& s = *--it;
        const GgufTensor& t = *s.tensor;
        if (w.data >= s.end || w.cols != t.ne[0])
            return; // scratch (a converted copy), or a view across rows of another length
        const std::size_t slice = t.nbytes / static_cast<std::size_t>(t.ne[2] * t.ne[3]);
        const int64_t mat = static_cast<int64_t>(static_cast<std::size_t>(w.data - s.begin) / slice);
        const int64_t n_mat = t.ne[2] * t.ne[3];
        ImatrixEntry& e = m_out.entries[t.name];
        if (e.cols == 0) {
            e.cols = t.ne[0];
            e.sum2.assign(static_cast<std::size_t>(n_mat * e.cols), 0.0);
            e.counts.assign(static_cast<std::size_t>(n_mat), 0.0);
        }
        double* sum = &e.sum2[static_cast<std::size_t>(mat * e.cols)];
        for (int m = 0; m < M; ++m) {
            const float* row = x + static_cast<int64_t>(m) * ldx;
            for (int64_t k = 0; k < e.cols; ++k)
                sum[k] += double(row[k]) * row[k];
        }
        e.counts[static_cast<std::size_t>(mat)] += M;
    }

private:
    struct Span {
        const uint8_t *begin, *end;
        const GgufTensor* tensor;
    };
    ImportanceMatrix& m_out;
    std::vector<Span> m_spans;
};

} // namespace

std::vector<float> ImportanceMatrix::column_means(const std::string& name, int64_t mat, int64_t cols) const
{
    const auto it = entries.find(name);
    if (it == entries.end() || it->second.cols != cols || mat < 0 ||
        static_cast<std::size_t>(mat) >= it->second.counts.size())
        return {};
    const ImatrixEntry& e = it->second;
    const double n = e.counts[static_cast<std::size_t>(mat)];
    if (n <= 0)
        return {};
    std::vector<float> out(static_cast<std::size_t>(cols));
    for (int64_t k = 0; k < cols; ++k)
        out[static_cast<std::size_t>(k)] = static_cast<float>(e.sum2[static_cast<std::size_t>(mat * cols + k)] / n);
    return out;
}

void ImportanceMatrix::write(const std::string& path) const
{
    GgufWriter w;
    w.add_string("general.type", "imatrix");
    w.add_strings("imatrix.datasets", datasets);
    w.add_u32("imatrix.chunk_count", static_cast<uint32_t>(chunks));
    w.add_u32("imatrix.chunk_size", static_cast<uint32_t>(chunk_size));
    for (const auto& [name, e] : entries) {
        const int64_t n_mat = static_cast<int64_t>(e.counts.size());
        std::vector<uint8_t> sums(e.sum2.size() * 4), counts(e.counts.size() * 4);
        for (std::size_t i = 0; i < e.sum2.size(); ++i) {
            const float f = static_cast<float>(e.sum2[i]);
            std::memcpy(&sums[i * 4], &f, 4);
        }
        for (std::size_t i = 0; i < e.counts.size(); ++i) {
            const float f = static_cast<float>(e.counts[i]);
            std::memcpy(&counts[i * 4], &f, 4);
        }
        w.add_tensor(name + ".in_sum2", TensorType::F32, {e.cols, n_mat}, std::move(sums));
        w.add_tensor(name + ".counts", TensorType::F32, {1, n_mat}, std::move(counts));
    }
    w.write(path);
}

ImportanceMatrix ImportanceMatrix::read(const std::string& path)
{
    const auto f = GgufFile::open(path);
    ImportanceMatrix m;
    if (const GgufValue* d = f->get_array("imatrix.datasets", GgufType::String))
        for (std::string_view s : d->strings)
            m.datasets.emplace_back(s);
    m.chunks = static_cast<int>(f->get_int("imatrix.chunk_count").value_or(0));
    m.chunk_size = static_cast<int>(f->get_int("imatrix.chunk_size").value_or(0));
    const std::string sums_suffix = ".in_sum2";
    for (const GgufTensor& t : f->tensors()) {
        if (!t.name.ends_with(sums_suffix))
            continue;
        const std::string name = t.name.substr(0, t.name.size() - sums_suffix.size());
        const GgufTensor* c = f->find_tensor(name + ".counts");
        if (!c || t.type != TensorType::F32 || c->type != TensorType::F32 || t.n_dims > 2 ||
            c->elements() != t.ne[1] || t.ne[0] <= 0)
            throw Error(ErrorCode::Format, path + ": the sums and counts of '" + name + "' do not match (an imatrix "
                                                  "GGUF holds NAME.in_sum2 [cols, n] and NAME.counts [1, n], F32)");
        ImatrixEntry e;
        e.cols = t.ne[0];
        e.sum2.resize(static_cast<std::size_t>(t.elements()));
        e.counts.resize(static_cast<std::size_t>(c->elements()));
        for (std::size_t i = 0; i < e.sum2.size(); ++i) {
            float v;
            std::memcpy(&v, t.data + i * 4, 4);
            e.sum2[i] = v;
        }
        for (std::size_t i = 0; i < e.counts.size(); ++i) {
            float v;
            std::memcpy(&v, c->data + i * 4, 4);
            e.counts[i] = v;
        }
        m.entries.emplace(name, std::move(e));
    }
    if (m.entries.empty())
        throw Error(ErrorCode::Format, path + ": holds no importance matrix (no NAME.in_sum2 tensors)");
    return m;
}

ImportanceMatrix compute_imatrix(CpuBackend& cpu, const std::vector<int32_t>& tokens, int n_ctx,
                                 const std::function<void(int, int)>& progress, const std::atomic<bool>* cancel)
{
    if (n_ctx < 2)
        throw Error(ErrorCode::InvalidArgument, "the context must hold at least 2 tokens");
    const int n_chunks = static_cast<int>(tokens.size() / static_cast<std::size_t>(n_ctx));
    if (n_chunks < 1)
        throw Error(ErrorCode::InvalidArgument, "the text has " + std::to_string(tokens.size()) + " tokens; at least " +
                                                    std::to_string(n_ctx) + " (one chunk) are needed");
    ImportanceMatrix m;
    m.chunk_size = n_ctx;
    Collector collector(cpu.model().file(), m);
    const Tokenizer& tok = cpu.model().tokenizer();
    const auto ctx = cpu.new_context(n_ctx, 1, KvType::F32);
    std::vector<float> logits;
    struct Detach {
        CpuBackend& cpu;
        ~Detach() { cpu.device().matmul().set_observer(nullptr); }
    } detach{cpu};
    cpu.device().matmul().set_observer(&collector);
    for (int c = 0; c < n_chunks; ++c) {
        if (cancel && cancel->load(std::memory_order_relaxed))
            throw Error(ErrorCode::Cancelled, "importance matrix cancelled");
        Batch batch;
        for (int k = 0; k < n_ctx; ++k) {
            const std::size_t at = static_cast<std::size_t>(c) * static_cast<std::size_t>(n_ctx) + static_cast<std::size_t>(k);
            batch.add(k == 0 && tok.adds_bos() ? tok.bos() : tokens[at], k, 0, k + 1 == n_ctx);
        }
        ctx->forward(batch, logits);
        m.chunks = c + 1;
        if (progress)
            progress(c + 1, n_chunks);
    }
    return m;
}

} // namespace seekbench
