// Model loading: hyper-parameters from `{arch}.*` metadata, weights by llama.cpp's tensor
// names, every shape and type checked with an error naming the tensor.
#include "model.h"

#include "error.h"
#include "model_loader.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <sys/mman.h>
#include <thread>
#include <unistd.h>

namespace seekbench {
namespace {

const char* file_type_name(int64_t id)
{
    static const std::map<int64_t, const char*> names = {
        {0, "F32"},     {1, "F16"},     {2, "Q4_0"},    {3, "Q4_1"},    {7, "Q8_0"},
        {8, "Q5_0"},    {9, "Q5_1"},    {10, "Q2_K"},   {11, "Q3_K_S"}, {12, "Q3_K_M"},
        {13, "Q3_K_L"}, {14, "Q4_K_S"}, {15, "Q4_K_M"}, {16, "Q5_K_S"}, {17, "Q5_K_M"},
        {18, "Q6_K"},   {32, "BF16"},
    };
    const auto it = names.find(id);
    return it == names.end() ? nullptr : it->second;
}

} // namespace

std::unique_ptr<Model> Model::load(const std::string& path, const std::function<void(float)>& progress)
{
    auto model = std::unique_ptr<Model>(new Model);
    model->m_file = GgufFile::open(path);
    const GgufFile& f = *model->m_file;
    if (f.tensors().empty())
        throw Error(ErrorCode::Format, path + ": the file has no tensors; a vocabulary-only file "
                                              "can tokenize but not run");
    model->m_tokenizer = Tokenizer::from_gguf(f);
    model->m_config = read_config(f, model->m_tokenizer->n_vocab());
    model->m_weights = read_weights(f, model->m_config, progress);
    // The weights into memory in the background, in the order a forward pass reads them; the
    // embedding table is left to page faults (a prompt reads a few of its rows) unless the
    // output reuses it.
    const bool own_output = f.find_tensor("output.weight") != nullptr;
    std::vector<const GgufTensor*> order;
    for (const GgufTensor& t : f.tensors())
        if (t.name != "token_embd.weight" || !own_output)
            order.push_back(&t);
    std::sort(order.begin(), order.end(), [](const GgufTensor* a, const GgufTensor* b) { return a->offset < b->offset; });
    std::vector<MapPrefetch::Range> ranges;
    for (const GgufTensor* t : order)
        ranges.emplace_back(t->data, t->nbytes);
    model->m_prefetch = MapPrefetch::start(std::move(ranges));
    return model;
}

void Model::wait_for_background_reads(double timeout_s) const
{
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    while (m_prefetch && !m_prefetch->done() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

void Model::skip_huge_page_moves(const std::vector<MapPrefetch::Range>& ranges) const
{
    if (m_prefetch)
        m_prefetch->skip_moves(ranges);
}

void Model::drop_pages(const MapPrefetch::Range& range) const
{
    // The whole pages inside the range, of a private read-only file mapping (Model::load maps
    // every file it opens): dropped, they fault back in from the file. Paged out first, so
    // they leave the page cache too where no other process maps them; left there, a model
    // near the memory's size (the copy in anonymous memory beside the file's cached pages)
    // made the kernel evict the pages still read instead, and decoding read them from disk.
    const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
    const auto from = (reinterpret_cast<std::uintptr_t>(range.first) + page - 1) / page * page;
    const auto to = (reinterpret_cast<std::uintptr_t>(range.first) + range.second) / page * page;
    if (to <= from)
        return;
#if defined(MADV_PAGEOUT)
    madvise(reinterpret_cast<void*>(from), to - from, MADV_PAGEOUT); // Linux 5.4; EINVAL before: DONTNEED still unmaps
#endif
    madvise(reinterpret_cast<void*>(from), to - from, MADV_DONTNEED);
}

ModelInfo Model::info() const
{
    ModelInfo i;
    i.path = m_file->path();
    i.arch = m_config.arch_name;
    i.name = m_config.name;
    i.file_bytes = m_file->file_size();
    i.n_layers = m_config.n_layers;
    i.dim = m_config.dim;
    i.n_heads = m_config.n_heads;
    i.n_kv_heads = m_config.n_kv_heads;
    i.n_ctx_train = m_config.n_ctx_train;
    i.n_vocab = m_config.n_vocab;
    std::map<TensorType, uint64_t> by_type;
    for (const GgufTensor& t : m_file->tensors()) {
        i.parameters += static_cast<uint64_t>(t.elements());
        if (t.n_dims >= 2)
            by_type[t.type] += static_cast<uint64_t>(t.elements());
    }
    const auto ftype = m_file->get_int("general.file_type");
    if (ftype && file_type_name(*ftype)) {
        i.file_type = file_type_name(*ftype);
    } else {
        uint64_t best = 0;
        for (const auto& [type, n] : by_type)
            if (n > best) {
                best = n;
                i.file_type = type_name(type);
            }
    }
    i.n_experts = m_config.n_experts;
    i.n_experts_used = m_config.n_experts_used;
    i.active_parameters = i.parameters;
    for (const LayerWeights& lw : m_weights.layers)
        for (const TensorRef* e : {&lw.gate_exps, &lw.up_exps, &lw.down_exps})
            if (*e) // only k of the experts work on a token
                i.active_parameters -= static_cast<uint64_t>(e->t->elements()) *
                                       static_cast<uint64_t>(m_config.n_experts - m_config.n_experts_used) /
                                       static_cast<uint64_t>(m_config.n_experts);
    i.tokenizer = m_tokenizer->describe();
    i.chat_template = m_file->get_string("tokenizer.chat_template").value_or("");
    return i;
}

} // namespace seekbench
