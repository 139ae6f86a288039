#!/usr/bin/env bash
# Everything a real GPU must confirm, in one call, on a bare Linux machine with CUDA and
# CMake and nothing else (no Qt, no internet): build the engine alone with the CUDA backend
# for this GPU, run the CUDA tests on the device (the same sources the emulator proves in
# CI), compute-sanitizer memcheck on the kernel tests where the tool exists, write every
# kernel's outputs as golden files (commit them to tests/cudaemu/golden/ so the emulated
# tests check against the hardware), and time decode and prompt on synth llama-7b shapes and
# deepseek-v2-lite shapes (whole on the GPU, and with the routed experts on the CPU), against
# llama.cpp when it is given. Results go to one folder; a table is printed last.
#
# usage: packaging/gpu-check.sh [OUT_DIR]              (default: ./gpu-check)
# environment:
#   LLAMA_BENCH=path      a llama-bench built with CUDA outside this repository (with its
#                         libraries beside it), to compare against
#   SEEKBENCH_GPU_DEPS=dir  .deb files to unpack when the machine lacks PCRE2's headers
#                           (e.g. `apt-get download libpcre2-dev libpcre2-8-0` elsewhere)
#   QUICK=1               tests only, no timing
#   MOE=0                 no deepseek-v2-lite timing (its synth file is ~9 GB, written here)
#   SEEKBENCH_SHARED_DIR=dir  the real models the tests read as oracles (default ../shared; the
#                           GPU machine gets a copy inside the checkout, as shared/)
set -uo pipefail

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
OUT=$(mkdir -p "${1:-gpu-check}" && cd "${1:-gpu-check}" && pwd)
BUILD=${SEEKBENCH_GPU_BUILD:-$REPO/build-gpu}
JOBS=$(nproc)
T0=$SECONDS
RESULTS=()

say() { printf 'gpu-check [%3ds]: %s\n' $((SECONDS - T0)) "$*" | tee -a "$OUT/log.txt" >&2; }
result() { RESULTS+=("$1"); }
: >"$OUT/log.txt"

# --- what the machine has ---------------------------------------------------------------------
command -v nvcc >/dev/null || export PATH=/usr/local/cuda/bin:$PATH
command -v nvcc >/dev/null || { say "no nvcc: this script needs the CUDA toolkit"; exit 1; }
nvidia-smi --query-gpu=name,compute_cap,memory.total,driver_version --format=csv,noheader >"$OUT/gpu.txt" 2>&1 ||
  say "nvidia-smi did not answer: $(cat "$OUT/gpu.txt")"
ARCH=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d '. ')
ARCH=${ARCH:-90}
say "GPU: $(head -1 "$OUT/gpu.txt"); building for sm_$ARCH with $(nvcc --version | tail -1)"

PREFIX=()
if ! echo '#include <pcre2.h>' | cc -DPCRE2_CODE_UNIT_WIDTH=8 -E -x c - >/dev/null 2>&1; then
  deps=${SEEKBENCH_GPU_DEPS:-$REPO/.gpu-deps}
  if ls "$deps"/*.deb >/dev/null 2>&1; then
    for deb in "$deps"/*.deb; do dpkg -x "$deb" /tmp/sb-deps; done
    # Their pkg-config files name /usr: point them where they were unpacked.
    sed -i 's|^prefix=/usr$|prefix=/tmp/sb-deps/usr|' /tmp/sb-deps/usr/lib/*/pkgconfig/*.pc
    PREFIX=(-DCMAKE_PREFIX_PATH=/tmp/sb-deps/usr -DCMAKE_LIBRARY_PATH=/tmp/sb-deps/usr/lib/x86_64-linux-gnu)
    export LD_LIBRARY_PATH=/tmp/sb-deps/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}
    say "PCRE2 unpacked from $deps"
  else
    say "PCRE2's headers are missing and no .deb files were carried (see SEEKBENCH_GPU_DEPS)"
    exit 1
  fi
fi

# --- build ---------------------------------------------------------------------------------------
gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
if ! cmake -S "$REPO" -B "$BUILD" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DSEEKBENCH_GUI=OFF -DSEEKBENCH_CUDA=ON \
     -DCMAKE_CUDA_ARCHITECTURES="$ARCH" -DSEEKBENCH_SHARED_DIR="${SEEKBENCH_SHARED_DIR:-$REPO/../shared}" \
     "${PREFIX[@]}" >"$OUT/configure.txt" 2>&1; then
  tail -20 "$OUT/configure.txt" >&2; say "configuring failed"; exit 1
fi
# What this script runs, nothing more: the other tests run in CI.
TESTS=(cuda_kernels_gpu_test cuda_moe_kernels_gpu_test cuda_backend_gpu_test cuda_moe_gpu_test
       cuda_builtin_gpu_test backend_test)
if ! cmake --build "$BUILD" -j "$JOBS" --target seekbench-cli seekbench_cuda "${TESTS[@]}" >"$OUT/build.txt" 2>&1; then
  grep -E 'error|Error' "$OUT/build.txt" | head -20 >&2; say "building failed"; exit 1
fi
cp "$BUILD"/cuda-resources/*.txt "$OUT/" 2>/dev/null
say "built"
"$BUILD/bin/seekbench-cli" devices | tee "$OUT/devices.txt" >&2

# The timing's model files are written on the CPU while the tests run on the GPU: the 7B one
# with every core, then the MoE one leaving two cores to the 7B timing.
MODEL=$OUT/../llama-7b-q4_k.gguf
MOE_MODEL=$OUT/../deepseek-v2-lite-q4_k.gguf
synth() {
  [ -f "$2" ] || "$BUILD/bin/seekbench-cli" synth --preset "$1" --type q4_k -o "$2" --threads "$3" >>"$OUT/synth.txt" 2>&1
}
SYNTH=
if [ -z "${QUICK:-}" ]; then
  rm -f "$OUT/.dense-written"
  ( synth llama-7b "$MODEL" "$JOBS"; touch "$OUT/.dense-written"
    [ "${MOE:-1}" = 0 ] || synth deepseek-v2-lite "$MOE_MODEL" $((JOBS > 4 ? JOBS - 2 : JOBS)) ) &
  SYNTH=$!
fi

# --- tests on the device -----------------------------------------------------------------------
export SEEKBENCH_GOLDEN_OUT=$OUT/golden
for t in "${TESTS[@]}"; do
  timeout 240 "$BUILD/bin/$t" >"$OUT/$t.txt" 2>&1
  case $? in
    0) result "$t: passed" ;;
    77) result "$t: skipped (no CUDA device)" ;;
    124) result "$t: STOPPED after 4 minutes, see $t.txt" ;;
    *) result "$t: FAILED, see $t.txt and $t-sync.txt"
       # Again with each kernel waited for, so that a fault names its kernel.
       SEEKBENCH_CUDA_SYNC=1 CUDA_LAUNCH_BLOCKING=1 timeout 240 "$BUILD/bin/$t" >"$OUT/$t-sync.txt" 2>&1 ;;
  esac
  say "$(tail -1 "$OUT/$t.txt")  [$t]"
done
unset SEEKBENCH_GOLDEN_OUT
tar -C "$OUT" -czf "$OUT/golden.tar.gz" golden 2>/dev/null && rm -rf "$OUT/golden"
if command -v compute-sanitizer >/dev/null; then
  # At most two minutes each (124: stopped there): the checker runs the kernels many times slower.
  timeout 120 compute-sanitizer --tool memcheck --error-exitcode 3 "$BUILD/bin/cuda_kernels_gpu_test" >"$OUT/memcheck.txt" 2>&1
  rc=$?
  timeout 120 compute-sanitizer --tool memcheck --error-exitcode 3 "$BUILD/bin/cuda_moe_kernels_gpu_test" >>"$OUT/memcheck.txt" 2>&1
  rc2=$?; [ $rc -eq 0 ] && rc=$rc2
  result "compute-sanitizer memcheck (kernel tests): $([ $rc -eq 0 ] && echo clean || echo "exit $rc, see memcheck.txt")"
  say "memcheck: $(grep -E 'ERROR SUMMARY' "$OUT/memcheck.txt" | tail -1)"
else
  result "compute-sanitizer: not on this machine"
fi
[ -n "${QUICK:-}" ] && { printf '%s\n' "${RESULTS[@]}" | tee "$OUT/summary.txt"; exit 0; }

# --- speed ----------------------------------------------------------------------------------------
# Device-to-device bandwidth (bytes read + written), the decode roofline's denominator.
BW=$(python3 - 2>/dev/null <<'EOF'
import torch
n = 1 << 30
a = torch.empty(n, dtype=torch.uint8, device="cuda"); b = torch.empty_like(a)
for _ in range(3): b.copy_(a)
torch.cuda.synchronize()
s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
ms = []
for _ in range(10):
    s.record(); b.copy_(a); e.record(); e.synchronize(); ms.append(s.elapsed_time(e))
ms.sort()
print(f"{2 * n / (ms[len(ms)//2] / 1e3) / 1e9:.0f}")
EOF
)
say "device-to-device bandwidth: ${BW:-unknown} GB/s"
while [ ! -f "$OUT/.dense-written" ] && kill -0 "$SYNTH" 2>/dev/null; do sleep 1; done
say "llama-7b file written"
"$BUILD/bin/seekbench-cli" bench -m "$MODEL" -p 512 -n 128 -r 3 --device cuda | tee "$OUT/bench-seekbench.txt" >&2
ours_tg=$(awk -F'|' '/ tg128 /{gsub(/ /,"",$8); print $8}' "$OUT/bench-seekbench.txt")
ours_pp=$(awk -F'|' '/ pp512 /{gsub(/ /,"",$8); print $8}' "$OUT/bench-seekbench.txt")
result "Seekbench llama-7b Q4_K on the GPU: pp512 ${ours_pp:-?} t/s, tg128 ${ours_tg:-?} t/s"
if [ -n "${BW:-}" ] && [ -n "${ours_tg:-}" ]; then
  bytes=$(stat -c %s "$MODEL")
  result "decode reads the weights once a token: ${ours_tg} x $(awk "BEGIN{printf \"%.2f\", $bytes/1e9}") GB = $(awk "BEGIN{printf \"%.0f\", $ours_tg*$bytes/1e9}") GB/s, $(awk "BEGIN{printf \"%.0f\", 100*$ours_tg*$bytes/1e9/$BW}")% of the ${BW} GB/s copy bandwidth"
fi

LB=${LLAMA_BENCH:-}
if [ -n "$LB" ] && [ -x "$LB" ]; then
  "$LB" -m "$MODEL" -p 512 -n 128 -r 3 -ngl 99 -o md | tee "$OUT/bench-llama.txt" >&2
  theirs_tg=$(awk -F'|' '/ tg128 /{print $(NF-1)}' "$OUT/bench-llama.txt" | awk '{print $1}')
  theirs_pp=$(awk -F'|' '/ pp512 /{print $(NF-1)}' "$OUT/bench-llama.txt" | awk '{print $1}')
  result "llama.cpp: pp512 ${theirs_pp:-?} t/s, tg128 ${theirs_tg:-?} t/s"
  [ -n "${theirs_tg:-}" ] && [ -n "${ours_tg:-}" ] &&
    result "ratio Seekbench / llama.cpp: tg128 $(awk "BEGIN{printf \"%.2f\", $ours_tg/$theirs_tg}")x (goal >= 1.3x), pp512 $(awk "BEGIN{printf \"%.2f\", $ours_pp/$theirs_pp}")x (goal >= 1.0x)"
else
  result "llama.cpp: not given (LLAMA_BENCH), no ratio"
fi

# DeepSeek-V2-Lite's shapes (16B, 2.4B active; MLA, 64 routed experts, top-6): the whole model
# on the GPU, then the routed experts on the CPU (llama.cpp's equivalent: -ot exps=CPU).
if [ "${MOE:-1}" != 0 ]; then
  wait "$SYNTH"
  say "deepseek-v2-lite file written"
  field() { awk -F'|' -v t=" $2 " 'index($0, t) {gsub(/ /,"",$8); print $8}' "$1"; }
  lfield() { awk -F'|' -v t=" $2 " 'index($0, t) {print $(NF-1)}' "$1" | awk '{print $1}'; }
  for way in gpu experts-on-cpu; do
    extra=(); [ $way = experts-on-cpu ] && extra=(--experts-on-cpu)
    "$BUILD/bin/seekbench-cli" bench -m "$MOE_MODEL" -p 512 -n 128 -r 3 --device cuda "${extra[@]}" |
      tee "$OUT/bench-moe-$way.txt" >&2
    result "Seekbench deepseek-v2-lite Q4_K ($way): pp512 $(field "$OUT/bench-moe-$way.txt" pp512) t/s, tg128 $(field "$OUT/bench-moe-$way.txt" tg128) t/s"
    if [ -n "$LB" ] && [ -x "$LB" ]; then
      lextra=(); [ $way = experts-on-cpu ] && lextra=(-ot "exps=CPU")
      "$LB" -m "$MOE_MODEL" -p 512 -n 128 -r 3 -ngl 99 "${lextra[@]}" -o md | tee "$OUT/bench-llama-moe-$way.txt" >&2
      ours=$(field "$OUT/bench-moe-$way.txt" tg128); theirs=$(lfield "$OUT/bench-llama-moe-$way.txt" tg128)
      ours_p=$(field "$OUT/bench-moe-$way.txt" pp512); theirs_p=$(lfield "$OUT/bench-llama-moe-$way.txt" pp512)
      [ -n "$ours" ] && [ -n "$theirs" ] && [ -n "$ours_p" ] && [ -n "$theirs_p" ] &&
        result "ratio deepseek-v2-lite ($way) Seekbench / llama.cpp: tg128 $(awk "BEGIN{printf \"%.2f\", $ours/$theirs}")x, pp512 $(awk "BEGIN{printf \"%.2f\", $ours_p/$theirs_p}")x (goals: whole 1.3x / 1.0x; experts on the CPU: tg within 1.2x)"
    fi
  done
fi
say "done"
printf '%s\n' "${RESULTS[@]}" | tee "$OUT/summary.txt"
