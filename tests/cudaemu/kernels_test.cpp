// Every CUDA kernel against the CPU's code (or a float64 reference) on random inputs of
// awkward sizes, with the bound each precision allows. The same source runs under the
// emulator in CI and, built by nvcc, on a GPU (packaging/gpu-check.sh); under the emulator
// the kernels with shared memory and barriers also run with blocks and threads in reverse
// and seeded order, and must give the same bits.
#include "cuda_testing.h"

#include "engine/cpu/ops.h"
#include "engine/cuda/kernels.h"
#include "engine/fp16.h"
#include "engine/quants.h"

#include <random>
#include <vector>

using namespace seekbench;
using namespace seekbench::cuda;
using seekbench::test::BlasHandle;
using seekbench::test::Dev;
using seekbench::test::down;
using seekbench::test::golden;
using seekbench::test::in_every_order;
using seekbench::test::random_floats;
using seekbench::test::need_device;



TEST_CASE("matmul in every format the GPU runs, decode and prompt paths, against dequantized float64")
{
    need_device();
    struct Case {
        TensorType type;
        int64_t cols;
    };
    const Case cases[] = {{TensorType::F32, 100}, {TensorType::F16, 100}, {TensorType::BF16, 100},
                          {TensorType::Q8_0, 96},  {TensorType::Q4_0, 96},  {TensorType::Q4_1, 96},
                          {TensorType::Q5_0, 96},  {TensorType::Q5_1, 96},  {TensorType::Q4_K, 512},
                          {TensorType::Q5_K, 512}, {TensorType::Q6_K, 512}};
    BlasHandle blas;
    for (const Case& c : cases) {
        const int64_t rows = 37;
        CHECK(runs_format(c.type));
        const std::vector<float> wf = random_floats(std::size_t(rows * c.cols), 1 + uint64_t(c.type));
        const std::size_t rb = row_bytes(c.type, c.cols);
        std::vector<uint8_t> raw(std::size_t(rows) * rb);
        std::vector<float> wq(wf.size()); // the weights as stored, dequantized
        for (int64_t r = 0; r < rows; ++r) {
            quantize_row(c.type, &wf[std::size_t(r * c.cols)], &raw[std::size_t(r) * rb], c.cols);
            dequantize_row(c.type, &raw[std::size_t(r) * rb], &wq[std::size_t(r * c.cols)], c.cols);
        }
        Dev dev;
        DeviceMatrix w{c.type, rows, c.cols, rb, dev.up(raw)};
        MatmulScratch s;
        s.xq_blocks = kMatvecMaxTokens * std::size_t(c.cols / 32 + 1);
        s.xq = dev.alloc<BlockQ8_1>(s.xq_blocks);
        s.xh_elems = 16 * std::size_t(c.cols);
        s.xh = dev.alloc<__half>(s.xh_elems);
        s.tile_elems = std::size_t(c.cols) * 10; // 10 rows a tile: four tiles for 37 rows
        s.tile = dev.alloc<__half>(s.tile_elems);
        const bool quantized = !(c.type == TensorType::F32 || c.type == TensorType::F16 || c.type == TensorType::BF16);
        for (int M : {1, 3, 8, 13}) {
            const std::vector<float> x = random_floats(std::size_t(M * c.cols), 100 + uint64_t(M));
            float* dx = dev.up(x);
            float* dy = dev.alloc<float>(std::size_t(M * rows));
            const std::vector<float> base = random_floats(std::size_t(M * rows), 7);
            CUDA_CHECK(cudaMemcpy(dy, base.data(), base.size() * sizeof(float), cudaMemcpyHostToDevice));
            matmul(w, dx, M, dy, true, s, blas.h, nullptr);
            const std::vector<float> y = down(dy, std::size_t(M * rows));
            golden(std::string("matmul-") + type_name(c.type) + "-M" + std::to_string(M), y, 1e-4);
            // Decode: 8-bit activations cost ~1% of each product for the quantized formats;
            // the cuBLAS path rounds weights and activations to FP16 (~0.1%).
            const double rel = M > kMatvecMaxTokens ? (c.type == TensorType::BF16 ? 8e-3 : 2e-3)
                                                    : quantized ? 1.2e-2 : 1e-5;
            for (int m = 0; m < M; ++m)
                for (int64_t r = 0; r < rows; ++r) {
                    double ref = 0, mag = 0;
                    for (int64_t k = 0; k < c.cols; ++k) {
                        const double p = double(wq[std::size_t(r * c.cols + k)]) * x[std::size_t(m * c.cols + k)];
                        ref += p;
                        mag += std::fabs(p);
                    }
                    ref += base[std::size_t(m * rows + r)];
                    const double got = y[std::size_t(m * rows + r)];
                    CHECK_MSG(std::fabs(got - ref) <= rel * mag + 1e-4,
                              type_name(c.type) << " M=" << M << " row " << r << ": " << got << " vs " << ref);
                }
        }
        // The pieces: quantized activations as the Q8_1 definition says, FP16 tiles as dequantize_row.
        if (quantized) {
            const std::vector<float> x = random_floats(std::size_t(2 * c.cols), 5);
            float* dx = dev.up(x);
            quantize_q8_1(dx, s.xq, 2, c.cols, nullptr);
            const std::vector<BlockQ8_1> q = down(s.xq, std::size_t(2 * c.cols / 32));
            for (std::size_t b = 0; b < q.size(); ++b) {
                float amax = 0;
                for (int i = 0; i < 32; ++i)
                    amax = std::max(amax, std::fabs(x[b * 32 + std::size_t(i)]));
                CHECK_EQ(q[b].d, amax / 127.0f);
                int sum = 0;
                for (int i = 0; i < 32; ++i) {
                    CHECK_EQ(int(q[b].qs[i]), int(std::rint(x[b * 32 + std::size_t(i)] / q[b].d)));
                    sum += q[b].qs[i];
                }
                CHECK_EQ(q[b].s, q[b].d * float(sum));
            }
        }
        dequantize_f16(w, 3, 5, s.tile, nullptr);
        const std::vector<__half> tile = down(s.tile, std::size_t(5 * c.cols));
        for (std::size_t i = 0; i < tile.size(); ++i)
            CHECK_EQ(__half2float(tile[i]), fp16_to_f32(f32_to_fp16(wq[std::size_t(3 * c.cols) + i])));
    }
    CHECK(!runs_format(TensorType::Q3_K));
}

TEST_CASE("rms_norm equals the CPU's")
{
    need_device();
    const int rows = 3;
    const int64_t n = 300;
    const std::vector<float> x = random_floats(std::size_t(rows * n), 21, 3.0f), w = random_floats(std::size_t(n), 22);
    Dev dev;
    float* dx = dev.up(x);
    float* dy = dev.alloc<float>(x.size());
    in_every_order([&] {
        rms_norm(dx, dev.up(w), dy, rows, n, 1e-5f, nullptr);
        return down(dy, x.size());
    });
    const std::vector<float> y = down(dy, x.size());
    golden("rms_norm", y, 1e-6);
    std::vector<float> ref(static_cast<std::size_t>(n));
    for (int r = 0; r < rows; ++r) {
        cpu::rmsnorm(&x[std::size_t(r * n)], w.data(), ref.data(), n, 1e-5f);
        for (int64_t i = 0; i < n; ++i)
            CHECK(std::fabs(y[std::size_t(r * n + i)] - ref[std::size_t(i)]) <= 1e-5f * (1 + std::fabs(ref[std::size_t(i)])));
    }
}

TEST_CASE("rope, normal and NeoX, with YaRN, and the shift of cached keys, equal the CPU's")
{
    need_device();
    for (int variant = 0; variant < 3; ++variant) {
        ModelConfig c;
        c.arch = Arch::Llama;
        c.head_dim = 48;
        c.rope_dims = variant == 2 ? 32 : 48; // partial rotation in the last variant
        c.rope_type = variant == 0 ? RopeType::Normal : RopeType::Neox;
        c.rope_base = 10000.0f;
        if (variant == 1) {
            c.yarn = true;
            c.yarn_orig_ctx = 4096;
            c.rope_freq_scale = 0.25f;
        }
        const cpu::Rope cpu_rope(c);
        const std::vector<double>& inv = cpu_rope.inv_freq();
        Dev dev;
        RopeParams p{dev.up(inv), c.rope_dims, c.rope_type == RopeType::Neox, float(cpu_rope.mscale())};
        const int M = 4, heads = 3;
        const std::vector<int> pos{0, 1, 777, 3001};
        std::vector<float> x = random_floats(std::size_t(M * heads * c.head_dim), 30 + uint64_t(variant));
        float* dx = dev.up(x);
        rope(dx, dev.up(pos), M, heads, c.head_dim, int64_t(heads) * c.head_dim, p, nullptr);
        const std::vector<float> got = down(dx, x.size());
        golden("rope-" + std::to_string(variant), got, 1e-6);
        for (int m = 0; m < M; ++m)
            cpu_rope.apply(&x[std::size_t(m * heads * c.head_dim)], heads, c.head_dim, pos[std::size_t(m)]);
        for (std::size_t i = 0; i < x.size(); ++i)
            CHECK_MSG(std::fabs(got[i] - x[i]) <= 2e-5f * (1 + std::fabs(x[i])), "variant " << variant << " at " << i);

        std::vector<uint16_t> keys(std::size_t(2 * heads * c.head_dim));
        for (std::size_t i = 0; i < keys.size(); ++i)
            keys[i] = f32_to_fp16(got[i]);
        __half* dk = reinterpret_cast<__half*>(dev.up(keys));
        rope_shift(dk, 2, heads, c.head_dim, int64_t(heads) * c.head_dim, -300, p, nullptr);
        const std::vector<uint16_t> shifted = down(reinterpret_cast<uint16_t*>(dk), keys.size());
        for (int r = 0; r < 2; ++r)
            cpu_rope.shift_f16(&keys[std::size_t(r * heads * c.head_dim)], heads, c.head_dim, -300);
        for (std::size_t i = 0; i < keys.size(); ++i)
            CHECK(std::fabs(fp16_to_f32(shifted[i]) - fp16_to_f32(keys[i])) <= 2e-3f * (1 + std::fabs(fp16_to_f32(keys[i]))));
    }
}

TEST_CASE("attention over the F16 cache, split across chunks, with grouped heads, against float64")
{
    need_device();
    const AttentionDims d{8, 2, 40, 24, 0.15f};
    const int n_ctx = 600, n_seq = 2; // three chunks of 256 keys
    KvLayer kv{nullptr, nullptr, n_ctx, n_seq, int64_t(d.n_kv_heads) * d.head_dim, int64_t(d.n_kv_heads) * d.head_dim_v};
    Dev dev;
    const std::size_t rows = std::size_t(n_ctx) * n_seq;
    std::vector<uint16_t> k(rows * std::size_t(kv.k_dim)), v(rows * std::size_t(kv.v_dim));
    {
        const std::vector<float> kf = random_floats(k.size(), 41), vf = random_floats(v.size(), 42);
        for (std::size_t i = 0; i < k.size(); ++i)
            k[i] = f32_to_fp16(kf[i]);
        for (std::size_t i = 0; i < v.size(); ++i)
            v[i] = f32_to_fp16(vf[i]);
    }
    kv.k = reinterpret_cast<__half*>(dev.up(k));
    kv.v = reinterpret_cast<__half*>(dev.up(v));
    const std::vector<int> seq{0, 1, 0, 1, 0}, pos{0, 1, 255, 256, 599};
    const int M = int(pos.size());
    const std::vector<float> q = random_floats(std::size_t(M * d.n_heads * d.head_dim), 43, 2.0f);
    float* dq = dev.up(q);
    int *dseq = dev.up(seq), *dpos = dev.up(pos);
    float* partials = dev.alloc<float>(attention_scratch_floats(M, d, n_ctx));
    float* out = dev.alloc<float>(std::size_t(M * d.n_heads * d.head_dim_v));
    float* probs = dev.alloc<float>(std::size_t(M * d.n_heads * n_ctx));
    in_every_order([&] {
        attention(dq, kv, dseq, dpos, M, d, partials, out, nullptr);
        return down(out, std::size_t(M * d.n_heads * d.head_dim_v));
    });
    attention_probs(dq, kv, dseq, dpos, M, d, probs, nullptr);
    const std::vector<float> o = down(out, std::size_t(M * d.n_heads * d.head_dim_v));
    const std::vector<float> p = down(probs, std::size_t(M * d.n_heads * n_ctx));
    golden("attention", o, 1e-5);
    for (int m = 0; m < M; ++m)
        for (int h = 0; h < d.n_heads; ++h) {
            const int kvh = h / (d.n_heads / d.n_kv_heads), n = pos[std::size_t(m)] + 1;
            const std::size_t first = std::size_t(seq[std::size_t(m)]) * n_ctx;
            std::vector<double> s(static_cast<std::size_t>(n));
            double mx = -1e300, sum = 0;
            for (int j = 0; j < n; ++j) {
                double dot = 0;
                for (int i = 0; i < d.head_dim; ++i)
                    dot += double(q[std::size_t((m * d.n_heads + h) * d.head_dim + i)]) *
                           fp16_to_f32(k[(first + std::size_t(j)) * std::size_t(kv.k_dim) + std::size_t(kvh * d.head_dim + i)]);
                s[std::size_t(j)] = dot * d.scale;
                mx = std::max(mx, s[std::size_t(j)]);
            }
            for (double& e : s)
                sum += (e = std::exp(e - mx));
            for (int j = 0; j < n; ++j)
                CHECK(std::fabs(p[std::size_t((m * d.n_heads + h) * n_ctx + j)] - s[std::size_t(j)] / sum) <= 1e-5);
            for (int i = 0; i < d.head_dim_v; ++i) {
                double ref = 0;
                for (int j = 0; j < n; ++j)
                    ref += s[std::size_t(j)] / sum *
                           fp16_to_f32(v[(first + std::size_t(j)) * std::size_t(kv.v_dim) + std::size_t(kvh * d.head_dim_v + i)]);
                CHECK_MSG(std::fabs(o[std::size_t((m * d.n_heads + h) * d.head_dim_v + i)] - ref) <= 2e-5,
                          "token " << m << " head " << h << " value " << i);
            }
        }
}

TEST_CASE("the cache: rows stored at their slot and position, and moved by a context shift")
{
    need_device();
    KvLayer kv{nullptr, nullptr, 10, 2, 6, 4};
    Dev dev;
    kv.k = dev.alloc<__half>(std::size_t(10 * 2 * 6));
    kv.v = dev.alloc<__half>(std::size_t(10 * 2 * 4));
    const std::vector<float> k = random_floats(3 * 6, 51), v = random_floats(3 * 4, 52);
    const std::vector<int> seq{1, 1, 0}, pos{2, 9, 0};
    kv_store(dev.up(k), dev.up(v), kv, dev.up(seq), dev.up(pos), 3, nullptr);
    std::vector<__half> hk = down(kv.k, std::size_t(10 * 2 * 6));
    for (int i = 0; i < 6; ++i) {
        CHECK_EQ(__half2float(hk[std::size_t((10 + 2) * 6 + i)]), fp16_to_f32(f32_to_fp16(k[std::size_t(i)])));
        CHECK_EQ(__half2float(hk[std::size_t((10 + 9) * 6 + i)]), fp16_to_f32(f32_to_fp16(k[std::size_t(6 + i)])));
        CHECK_EQ(__half2float(hk[std::size_t(i)]), fp16_to_f32(f32_to_fp16(k[std::size_t(12 + i)])));
    }
    // Rows 4..10 of slot 1 move down by 2: what was at 9 is now at 7.
    kv_move(kv, 1, 4, 10, 2, dev.alloc<__half>(64), nullptr);
    hk = down(kv.k, std::size_t(10 * 2 * 6));
    for (int i = 0; i < 6; ++i)
        CHECK_EQ(__half2float(hk[std::size_t((10 + 7) * 6 + i)]), fp16_to_f32(f32_to_fp16(k[std::size_t(6 + i)])));
    const std::vector<__half> hv = down(kv.v, std::size_t(10 * 2 * 4));
    for (int i = 0; i < 4; ++i)
        CHECK_EQ(__half2float(hv[std::size_t((10 + 7) * 4 + i)]), fp16_to_f32(f32_to_fp16(v[std::size_t(4 + i)])));
}

TEST_CASE("SwiGLU, adds, biases, conversions and gathers")
{
    need_device();
    const int64_t n = 1000;
    const std::vector<float> g = random_floats(std::size_t(n), 61), u = random_floats(std::size_t(n), 62);
    Dev dev;
    float* dg = dev.up(g);
    silu_mul(dg, dev.up(u), n, nullptr);
    std::vector<float> ref = g;
    cpu::silu_mul(ref.data(), u.data(), n);
    std::vector<float> got = down(dg, std::size_t(n));
    for (int64_t i = 0; i < n; ++i)
        CHECK(std::fabs(got[std::size_t(i)] - ref[std::size_t(i)]) <= 1e-6f * (1 + std::fabs(ref[std::size_t(i)])));

    float* dy = dev.up(g);
    add(dy, dev.up(u), n, nullptr);
    add_bias(dy, dev.up(std::vector<float>(100, 0.5f)), 10, 100, nullptr);
    got = down(dy, std::size_t(n));
    for (int64_t i = 0; i < n; ++i)
        CHECK_EQ(got[std::size_t(i)], g[std::size_t(i)] + u[std::size_t(i)] + 0.5f);

    __half* h = dev.alloc<__half>(std::size_t(n));
    to_half(dev.up(g), h, n, nullptr);
    uint16_t* b = dev.alloc<uint16_t>(std::size_t(n));
    to_bf16(dev.up(g), b, n, nullptr);
    const std::vector<__half> hh = down(h, std::size_t(n));
    const std::vector<uint16_t> hb = down(b, std::size_t(n));
    for (int64_t i = 0; i < n; ++i) {
        CHECK_EQ(__half2float(hh[std::size_t(i)]), fp16_to_f32(f32_to_fp16(g[std::size_t(i)])));
        CHECK_EQ(hb[std::size_t(i)], f32_to_bf16(g[std::size_t(i)]));
    }

    const std::vector<int> rows{3, 0};
    float* dst = dev.alloc<float>(200);
    gather_rows(dev.up(g), dev.up(rows), 2, 100, dst, nullptr);
    got = down(dst, 200);
    for (int i = 0; i < 100; ++i) {
        CHECK_EQ(got[std::size_t(i)], g[std::size_t(300 + i)]);
        CHECK_EQ(got[std::size_t(100 + i)], g[std::size_t(i)]);
    }
}
