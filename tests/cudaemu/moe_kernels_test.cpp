// The mixture-of-experts and latent-attention kernels against float64 references and the
// CPU's routing (engine/arch/ffn.cpp's route()): routing with softmax and with V3's sigmoid,
// bias and groups; products with experts picked on the device; the weighted combine; the
// gated shared expert; MLA's per-head products on both paths; attention over a latent cache.
// Under the emulator the kernels with barriers also run in reverse and shuffled order.
#include "cuda_testing.h"

#include "engine/arch/ffn.h"
#include "engine/cuda/kernels.h"
#include "engine/fp16.h"
#include "engine/quants.h"

#include <cmath>
#include <numeric>
#include <vector>

using namespace seekbench;
using namespace seekbench::cuda;
using seekbench::test::BlasHandle;
using seekbench::test::Dev;
using seekbench::test::down;
using seekbench::test::in_every_order;
using seekbench::test::need_device;
using seekbench::test::random_floats;



TEST_CASE("routing on the GPU chooses what the CPU chooses, with float64 scores and weights")
{
    need_device();
    struct Case {
        const char* name;
        int E, k, groups, groups_used;
        bool sigmoid, bias, norm;
        float scale;
    };
    const Case cases[] = {{"mixtral softmax top-2 of 8", 8, 2, 1, 1, false, false, true, 1.0f},
                          {"qwen2moe softmax top-4 of 60", 60, 4, 1, 1, false, false, false, 1.0f},
                          {"deepseek-v2 softmax top-6 of 64", 64, 6, 1, 1, false, false, false, 1.0f},
                          {"deepseek-v2 groups: top-6 of 160 in 3 of 8", 160, 6, 8, 3, false, false, false, 16.0f},
                          {"deepseek-v3 sigmoid + bias, top-8 of 256 in 4 of 8", 256, 8, 8, 4, true, true, true, 2.5f}};
    for (const Case& t : cases) {
        const int M = 37;
        ModelConfig c;
        c.n_experts = t.E;
        c.n_experts_used = t.k;
        c.n_expert_groups = t.groups;
        c.n_expert_groups_used = t.groups_used;
        c.gating = t.sigmoid ? Gating::Sigmoid : Gating::Softmax;
        c.expert_weights_norm = t.norm;
        c.expert_weights_scale = t.scale;
        const std::vector<float> logits = random_floats(std::size_t(M) * t.E, 3 + uint64_t(t.E), 2.0f);
        const std::vector<float> bias = random_floats(std::size_t(t.E), 99, 0.3f);
        RouteParams p{t.E, t.k, t.sigmoid, t.groups, t.groups_used, t.norm, t.scale};
        Dev dev;
        const float* dl = dev.up(logits);
        const float* db = t.bias ? dev.up(bias) : nullptr;
        float* ds = dev.alloc<float>(std::size_t(M) * t.E);
        int* de = dev.alloc<int>(std::size_t(M) * t.k);
        float* dw = dev.alloc<float>(std::size_t(M) * t.k);
        std::vector<float> scores, weights;
        std::vector<int> experts;
        in_every_order([&] {
            moe_route(dl, db, p, M, ds, de, dw, nullptr);
            scores = down(ds, std::size_t(M) * t.E);
            experts = down(de, std::size_t(M) * t.k);
            weights = down(dw, std::size_t(M) * t.k);
            return std::make_tuple(scores, experts, weights);
        });
        for (int m = 0; m < M; ++m) {
            std::vector<float> cs(std::size_t(t.E)), cw(std::size_t(t.k));
            std::vector<int> ce(std::size_t(t.k));
            route(c, &logits[std::size_t(m) * t.E], t.bias ? bias.data() : nullptr, cs.data(), ce.data(), cw.data());
            // float64 scores, then the weights of the experts the CPU chose
            std::vector<double> ref(std::size_t(t.E));
            double mx = -1e300, sum = 0;
            for (int e = 0; e < t.E; ++e)
                mx = std::max(mx, double(logits[std::size_t(m) * t.E + e]));
            for (int e = 0; e < t.E; ++e) {
                const double l = logits[std::size_t(m) * t.E + e];
                ref[std::size_t(e)] = t.sigmoid ? 1.0 / (1.0 + std::exp(-l)) : std::exp(l - mx);
                sum += ref[std::size_t(e)];
            }
            if (!t.sigmoid)
                for (double& r : ref)
                    r /= sum;
            for (int e = 0; e < t.E; ++e)
                CHECK_MSG(std::fabs(scores[std::size_t(m) * t.E + e] - ref[std::size_t(e)]) <= 1e-6 * (1 + ref[std::size_t(e)]),
                          t.name << ": score " << e << " of token " << m);
            double chosen = 0;
            for (int i = 0; i < t.k; ++i)
                chosen += ref[std::size_t(ce[std::size_t(i)])];
            for (int i = 0; i < t.k; ++i) {
                CHECK_MSG(experts[std::size_t(m) * t.k + i] == ce[std::size_t(i)], t.name << ": token " << m << " pick " << i);
                const double w = ref[std::size_t(ce[std::size_t(i)])] / (t.norm ? chosen : 1.0) * t.scale;
                CHECK_MSG(std::fabs(weights[std::size_t(m) * t.k + i] - w) <= 1e-5 * (1 + std::fabs(w)),
                          t.name << ": weight " << i << " of token " << m);
            }
        }
    }
}

TEST_CASE("expert products picked on the device equal each expert's own product, and combine in slot order")
{
    need_device();
    const int E = 6, k = 2, M = 3;
    const int64_t rows = 40, cols = 256;
    BlasHandle blas;
    for (TensorType type : {TensorType::F16, TensorType::Q8_0, TensorType::Q4_K, TensorType::Q6_K}) {
        const std::size_t rb = row_bytes(type, cols);
        const std::vector<float> wf = random_floats(std::size_t(E * rows * cols), 17);
        std::vector<uint8_t> raw(std::size_t(E * rows) * rb);
        for (int64_t r = 0; r < E * rows; ++r)
            quantize_row(type, &wf[std::size_t(r * cols)], &raw[std::size_t(r) * rb], cols);
        Dev dev;
        DeviceMatrix first{type, rows, cols, rb, dev.up(raw)};
        const std::size_t stride = std::size_t(rows) * rb;
        const std::vector<int> ids{4, 1, 0, 5, 1, 1}; // token 2 names expert 1 twice: slots share matrices freely
        const std::vector<float> x = random_floats(std::size_t(M * cols), 5);
        const float* dx = dev.up(x);
        const int* dids = dev.up(ids);
        BlockQ8_1* xq = dev.alloc<BlockQ8_1>(std::size_t(M * k) * std::size_t(cols / 32));
        quantize_q8_1(dx, xq, M, cols, nullptr);
        float* y = dev.alloc<float>(std::size_t(M * k * rows));
        matvec_experts(first, stride, dids, M * k, k, dx, xq, y, nullptr);
        const std::vector<float> got = down(y, std::size_t(M * k * rows));
        // The same products one expert at a time with the plain matvec.
        float* one = dev.alloc<float>(std::size_t(rows));
        for (int s = 0; s < M * k; ++s) {
            DeviceMatrix w = first;
            w.data = static_cast<const uint8_t*>(first.data) + std::size_t(ids[std::size_t(s)]) * stride;
            matvec(w, dx + (s / k) * cols, xq + (s / k) * (cols / 32), 1, one, false, nullptr);
            const std::vector<float> expect = down(one, std::size_t(rows));
            for (int64_t r = 0; r < rows; ++r)
                CHECK_MSG(got[std::size_t(s * rows + r)] == expect[std::size_t(r)], type_name(type) << " slot " << s);
        }
        // Inputs per slot (the down projection's case): x_per = 1.
        const std::vector<float> xs = random_floats(std::size_t(M * k * cols), 6);
        const float* dxs = dev.up(xs);
        quantize_q8_1(dxs, xq, M * k, cols, nullptr);
        matvec_experts(first, stride, dids, M * k, 1, dxs, xq, y, nullptr);
        const std::vector<float> per_slot = down(y, std::size_t(M * k * rows));
        std::vector<float> wrow(static_cast<std::size_t>(cols));
        for (int s = 0; s < M * k; ++s)
            for (int64_t r = 0; r < rows; ++r) {
                dequantize_row(type, &raw[std::size_t(ids[std::size_t(s)] * rows + r) * rb], wrow.data(), cols);
                double ref = 0, mag = 0;
                for (int64_t i = 0; i < cols; ++i) {
                    ref += double(wrow[std::size_t(i)]) * xs[std::size_t(s * cols + i)];
                    mag += std::fabs(double(wrow[std::size_t(i)]) * xs[std::size_t(s * cols + i)]);
                }
                const double tol = type == TensorType::F16 ? 1e-5 * mag : 1.2e-2 * mag;
                CHECK_MSG(std::fabs(per_slot[std::size_t(s * rows + r)] - ref) <= tol, type_name(type) << " slot " << s);
            }
    }
    // Combine: x[m] += sum_i w[m,i] out[row(m,i)], in slot order; with and without a row map.
    const int64_t dim = 70;
    const std::vector<float> out = random_floats(std::size_t(M * k * dim), 8), w = random_floats(std::size_t(M * k), 9);
    const std::vector<float> x0 = random_floats(std::size_t(M * dim), 10);
    const std::vector<int> row_map{5, 0, 3, 1, 4, 2};
    Dev dev;
    for (bool mapped : {false, true}) {
        float* dx = dev.up(x0);
        moe_combine(dev.up(out), mapped ? dev.up(row_map) : nullptr, dev.up(w), M, k, dim, dx, nullptr);
        const std::vector<float> got = down(dx, std::size_t(M * dim));
        for (int m = 0; m < M; ++m)
            for (int64_t i = 0; i < dim; ++i) {
                // In float64, against the size of the terms: a GPU fuses the multiply-adds, so
                // where the sum nearly cancels its rounding is not the host's.
                double expect = x0[std::size_t(m * dim + i)], size = std::fabs(expect);
                for (int s = 0; s < k; ++s) {
                    const int slot = m * k + s, row = mapped ? row_map[std::size_t(slot)] : slot;
                    const double term = double(w[std::size_t(slot)]) * out[std::size_t(row * dim + i)];
                    expect += term;
                    size += std::fabs(term);
                }
                CHECK(std::fabs(got[std::size_t(m * dim + i)] - expect) <= 1e-6 * (1 + size));
            }
    }
}

TEST_CASE("qwen2moe's gated shared expert against float64")
{
    need_device();
    const int M = 5;
    const int64_t dim = 300;
    const std::vector<float> out = random_floats(std::size_t(M * dim), 1), xn = random_floats(std::size_t(M * dim), 2);
    const std::vector<float> gate = random_floats(std::size_t(dim), 3, 0.05f), x0 = random_floats(std::size_t(M * dim), 4);
    Dev dev;
    float* dx = dev.up(x0);
    float* dg = dev.alloc<float>(std::size_t(M));
    in_every_order([&] {
        CUDA_CHECK(cudaMemcpy(dx, x0.data(), x0.size() * sizeof(float), cudaMemcpyHostToDevice));
        gated_add(dev.up(out), dev.up(xn), dev.up(gate), M, dim, dx, dg, nullptr);
        return down(dx, std::size_t(M * dim));
    });
    const std::vector<float> got = down(dx, std::size_t(M * dim)), gates = down(dg, std::size_t(M));
    for (int m = 0; m < M; ++m) {
        double dot = 0;
        for (int64_t i = 0; i < dim; ++i)
            dot += double(xn[std::size_t(m * dim + i)]) * gate[std::size_t(i)];
        const double g = 1.0 / (1.0 + std::exp(-dot));
        CHECK(std::fabs(gates[std::size_t(m)] - g) <= 1e-6);
        for (int64_t i = 0; i < dim; ++i) {
            const double expect = x0[std::size_t(m * dim + i)] + g * out[std::size_t(m * dim + i)];
            CHECK(std::fabs(got[std::size_t(m * dim + i)] - expect) <= 1e-5 * (1 + std::fabs(expect)));
        }
    }
}

TEST_CASE("MLA's per-head products, few tokens and many, against float64; rows copied with strides")
{
    need_device();
    const int H = 3, rows = 40, cols = 72; // 72: not a multiple of 32, as a head's nope part need not be
    std::vector<float> wf = random_floats(std::size_t(H * rows * cols), 21);
    std::vector<uint16_t> wh(wf.size());
    for (std::size_t i = 0; i < wf.size(); ++i) {
        wh[i] = f32_to_fp16(wf[i]);
        wf[i] = fp16_to_f32(wh[i]);
    }
    Dev dev;
    BlasHandle blas;
    const HeadMatrices w{reinterpret_cast<const __half*>(dev.up(wh)), H, rows, cols};
    // x rows of H heads, each head's vector at an offset inside a wider slot (like q_nope in q).
    const HeadRows xr{int64_t(H) * 80, 80}, yr{int64_t(H) * 50, 50};
    for (int M : {1, 5, 20}) {
        const std::vector<float> x = random_floats(std::size_t(M) * std::size_t(xr.stride), 30 + uint64_t(M));
        float* y = dev.alloc<float>(std::size_t(M) * std::size_t(yr.stride));
        __half* xh = dev.alloc<__half>(std::size_t(M * H * cols));
        head_matmul(w, dev.up(x), xr, M, y, yr, xh, blas.h, nullptr);
        const std::vector<float> got = down(y, std::size_t(M) * std::size_t(yr.stride));
        // Few tokens: float activations (1e-5); many: FP16 activations for cuBLAS (2e-3).
        const double rel = M <= kMatvecMaxTokens ? 1e-5 : 2e-3;
        for (int m = 0; m < M; ++m)
            for (int h = 0; h < H; ++h)
                for (int r = 0; r < rows; ++r) {
                    double ref = 0, mag = 0;
                    for (int c = 0; c < cols; ++c) {
                        const double v = double(wf[(std::size_t(h) * rows + std::size_t(r)) * cols + std::size_t(c)]) *
                                         x[std::size_t(m * xr.stride + h * xr.head + c)];
                        ref += v;
                        mag += std::fabs(v);
                    }
                    CHECK_MSG(std::fabs(got[std::size_t(m * yr.stride + h * yr.head + r)] - ref) <= rel * mag + 1e-6,
                              "M " << M << " head " << h << " row " << r);
                }
    }
    const std::vector<float> src = random_floats(7 * 30, 40);
    float* dst = dev.up(std::vector<float>(7 * 20, -1.0f));
    copy_rows(dev.up(src) + 3, 30, dst + 2, 20, 7, 10, nullptr);
    const std::vector<float> got = down(dst, 7 * 20);
    for (int r = 0; r < 7; ++r)
        for (int i = 0; i < 20; ++i)
            CHECK(got[std::size_t(r * 20 + i)] == (i >= 2 && i < 12 ? src[std::size_t(r * 30 + 3 + i - 2)] : -1.0f));
}

TEST_CASE("attention over a latent cache (values inside the keys, 576-wide keys) against float64")
{
    need_device();
    const int H = 4, lat = 576, lora = 512, n_ctx = 300, M = 2;
    KvLayer kv;
    Dev dev;
    const std::vector<float> keys = random_floats(std::size_t(n_ctx) * lat, 50, 0.5f);
    std::vector<uint16_t> kh(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i)
        kh[i] = f32_to_fp16(keys[i]);
    kv.k = reinterpret_cast<__half*>(dev.up(kh));
    kv.v = kv.k;
    kv.n_ctx = n_ctx;
    kv.n_seq = 1;
    kv.k_dim = kv.v_dim = lat;
    const AttentionDims d{H, 1, lat, lora, 0.05f};
    const std::vector<float> q = random_floats(std::size_t(M * H * lat), 51);
    const std::vector<int> pos{299, 130}, seq{0, 0};
    float* partials = dev.alloc<float>(attention_scratch_floats(M, d, n_ctx));
    float* out = dev.alloc<float>(std::size_t(M * H * lora));
    attention(dev.up(q), kv, dev.up(seq), dev.up(pos), M, d, partials, out, nullptr);
    const std::vector<float> got = down(out, std::size_t(M * H * lora));
    for (int m = 0; m < M; ++m)
        for (int h = 0; h < H; ++h) {
            const int n = pos[std::size_t(m)] + 1;
            std::vector<double> p(static_cast<std::size_t>(n));
            double mx = -1e300, sum = 0;
            for (int j = 0; j < n; ++j) {
                double s = 0;
                for (int i = 0; i < lat; ++i)
                    s += double(q[std::size_t((m * H + h) * lat + i)]) * fp16_to_f32(kh[std::size_t(j * lat + i)]);
                p[std::size_t(j)] = s * d.scale;
                mx = std::max(mx, p[std::size_t(j)]);
            }
            for (double& v : p)
                sum += v = std::exp(v - mx);
            for (int i = 0; i < lora; i += 7) {
                double ref = 0;
                for (int j = 0; j < n; ++j)
                    ref += p[std::size_t(j)] / sum * fp16_to_f32(kh[std::size_t(j * lat + i)]);
                CHECK_MSG(std::fabs(got[std::size_t((m * H + h) * lora + i)] - ref) <= 1e-4 * (1 + std::fabs(ref)),
                          "token " << m << " head " << h << " value " << i);
            }
        }
}

TEST_CASE("rms_norm of the first n values of wider rows leaves the rest")
{
    need_device();
    const int rows = 4;
    const int64_t n = 100, stride = 130;
    const std::vector<float> x = random_floats(std::size_t(rows * stride), 60), w = random_floats(std::size_t(n), 61);
    Dev dev;
    float* dx = dev.up(x);
    rms_norm(dx, dev.up(w), dx, rows, n, 1e-6f, nullptr, stride);
    const std::vector<float> got = down(dx, std::size_t(rows * stride));
    for (int r = 0; r < rows; ++r) {
        double ss = 0;
        for (int64_t i = 0; i < n; ++i)
            ss += double(x[std::size_t(r * stride + i)]) * x[std::size_t(r * stride + i)];
        const double scale = 1.0 / std::sqrt(ss / double(n) + 1e-6);
        for (int64_t i = 0; i < stride; ++i) {
            const double expect = i < n ? x[std::size_t(r * stride + i)] * scale * w[std::size_t(i)] : x[std::size_t(r * stride + i)];
            CHECK(std::fabs(got[std::size_t(r * stride + i)] - expect) <= 1e-5 * (1 + std::fabs(expect)));
        }
    }
}
