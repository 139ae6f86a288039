#!/usr/bin/env bash
# Seekbench's one entry point for developers: provision the build environment, build,
# test and run. Builds natively when the host has what the project needs (Qt >= 6.5,
# KF6 SyntaxHighlighting, ...); otherwise inside a cached Debian 13 root filesystem entered
# through a private mount namespace + chroot, so nothing it mounts outlives the command.
set -euo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
REPO=$(cd "$(dirname "$SELF")/.." && pwd)
SHARED=$(dirname "$REPO")/shared
CACHE=${SEEKBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/seekbench}
SUITE=trixie
MIRROR=${SEEKBENCH_MIRROR:-http://deb.debian.org/debian}
# Bump when the way the root filesystem is made changes (the package list is hashed too).
RECIPE=1
# Everything the project builds, tests and runs with, as Debian 13 names it (the checkers
# last: the Code panel runs them, and its tests run them for real).
PACKAGES=(
  build-essential cmake ninja-build ccache mold pkgconf git ca-certificates
  clang libclang-rt-19-dev
  qt6-base-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-translations-l10n
  qt6-httpserver-dev qt6-svg-dev qt6-svg-plugins qt6-image-formats-plugins qt6-qpa-plugins
  libkf6syntaxhighlighting-dev libsqlite3-dev sqlite3 libpcre2-dev nlohmann-json3-dev libpoppler-cpp-dev
  xvfb xauth fonts-dejavu-core fonts-noto-cjk
  python3 python3-numpy python3-safetensors
  python3-pyflakes shellcheck cppcheck nodejs
  libcpp-httplib-dev curl prometheus
  dpkg-dev file appstream desktop-file-utils libxml2-utils groff-base flatpak-builder
)
# Added for `train` (the built-in model's training tool and its corpus), in an environment
# of its own so that building and testing never download PyTorch.
TRAIN_PACKAGES=(
  python3-torch python3-regex python3-matplotlib libopenblas0-pthread
  python3.13-doc fortunes-zh
)
FLAVOR=""   # "" for the build environment, "train-" for the training one

usage() {
  cat <<EOF
usage: packaging/dev.sh COMMAND [ARGS]

  run [-- APP ARGS]   provision, build and start seekbench (headless: under Xvfb)
  test [-- CTEST ARGS] provision, build and run the whole test suite
  test --asan         the engine, storage and CLI tests built with AddressSanitizer and
                      UBSan (in build-asan/)
  test --tsan         the engine's threaded tests and the Qt controllers that use worker
                      threads, built with ThreadSanitizer (in build-tsan/)
  build               provision and build (binaries in build/bin/)
  package [--check]   build, then the Debian package (build/packages/seekbench_*.deb);
                      --check installs it with apt into a fresh Debian 13 (minbase) and
                      runs seekbench --self-test and seekbench-cli there
  env                 provision the build environment only
  guide               rebuild the user guide's pictures (resources/guide/images) with the
                      self-test, in English and in Simplified Chinese (images/zh_CN)
  exec -- CMD...      run CMD inside the build environment, from the repository root
  fuzz TARGET [--minutes N]
                      run one fuzzer (gguf, tokenizer, chat_template, conversation_import,
                      server_request, safetensors)
                      for N minutes (10), growing its corpus in tests/fuzz/TARGET
  train [-- ARGS]     provision the training environment (PyTorch, corpus packages), train
                      the built-in model (resources/models/train/train.py ARGS), then
                      measure it with the engine (finalize.py)
  clean               remove the build directory

Environment: SEEKBENCH_ENV=native|chroot forces a kind of environment;
SEEKBENCH_CACHE (default ~/.cache/seekbench) holds the Debian 13 root and ccache;
SEEKBENCH_BUILD_TYPE (default RelWithDebInfo); CI=1 turns warnings into errors.
EOF
}

say() { printf 'dev.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# --- deciding where to build -------------------------------------------------------------

# True when the host itself has every build dependency at the versions the project needs.
native_ok() {
  command -v cmake >/dev/null 2>&1 || return 1
  local probe; probe=$(mktemp -d)
  # shellcheck disable=SC2064
  trap "rm -rf '$probe'" RETURN
  cmake -S "$REPO/packaging/probe" -B "$probe" >"$probe/log" 2>&1
}

needs_list() {
  cat >&2 <<'EOF'
The host lacks the build dependencies (Qt >= 6.5 with Widgets, Test, LinguistTools;
KF6 SyntaxHighlighting; SQLite3; PCRE2; CMake >= 3.25; a C++20 compiler), and only root
can provision the private Debian 13 environment. Either run this as root (sudo), or
install the dependencies natively:

  Debian 13:     apt install build-essential cmake ninja-build qt6-base-dev qt6-tools-dev
                 qt6-tools-dev-tools qt6-l10n-tools qt6-httpserver-dev qt6-svg-dev
                 libkf6syntaxhighlighting-dev libsqlite3-dev libpcre2-dev nlohmann-json3-dev libpoppler-cpp-dev xvfb
  Ubuntu 25.04:  apt install build-essential cmake ninja-build qt6-base-dev qt6-tools-dev
                 qt6-tools-dev-tools qt6-l10n-tools qt6-httpserver-dev qt6-svg-dev
                 libkf6syntaxhighlighting-dev libsqlite3-dev libpcre2-dev nlohmann-json3-dev libpoppler-cpp-dev xvfb
  Fedora:        dnf install gcc-c++ cmake ninja-build qt6-qtbase-devel qt6-qttools-devel
                 qt6-linguist qt6-qthttpserver-devel qt6-qtsvg-devel
                 kf6-syntax-highlighting-devel sqlite-devel pcre2-devel json-devel poppler-cpp-devel xorg-x11-server-Xvfb
  Arch:          pacman -S base-devel cmake ninja qt6-base qt6-tools qt6-httpserver qt6-svg
                 syntax-highlighting sqlite pcre2 nlohmann-json xorg-server-xvfb
EOF
  exit 1
}

env_kind() {
  case "${SEEKBENCH_ENV:-auto}" in
    native) echo native ;;
    chroot) echo chroot ;;
    auto) if native_ok; then echo native; else echo chroot; fi ;;
    *) die "SEEKBENCH_ENV must be native, chroot or auto, not '${SEEKBENCH_ENV}'" ;;
  esac
}

# --- the Debian 13 environment -----------------------------------------------------------

env_hash() {
  printf '%s\n' "$RECIPE" "$SUITE" "${PACKAGES[@]}" | sha256sum | cut -c1-12
}

rootfs_dir() { echo "$CACHE/rootfs-$SUITE-$FLAVOR$(env_hash)"; }

ensure_host_tools() {
  local missing=()
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  command -v unshare >/dev/null 2>&1 || missing+=(util-linux)
  command -v flock >/dev/null 2>&1 || missing+=(util-linux)
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 ||
    die "this host needs: ${missing[*]} (no apt-get here to install them)"
  say "installing host tools: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null ||
    { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; } ||
    die "could not install ${missing[*]} with apt-get"
}

provision_chroot() {
  [ "$(id -u)" -eq 0 ] || needs_list
  local root; root=$(rootfs_dir)
  [ -f "$root/.seekbench-ready" ] && return 0
  ensure_host_tools
  mkdir -p "$CACHE"
  exec 9>"$CACHE/provision.lock"
  flock -n 9 || { say "another run is provisioning; waiting for it"; flock 9; }
  if [ -f "$root/.seekbench-ready" ]; then exec 9>&-; return 0; fi
  local tmp="$root.partial" t0=$SECONDS
  rm -rf "$tmp"
  say "creating the Debian 13 environment in $root (once; a few minutes)"
  debootstrap --variant=minbase "$SUITE" "$tmp" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 ||
    die "debootstrap failed; see $CACHE/debootstrap.log"
  # No fsync per unpacked file (dpkg's unsafe I/O): a root interrupted mid-install is never
  # marked ready, and the next run starts it again.
  say "installing ${#PACKAGES[@]} packages into it"
  unshare --mount --propagation private -- "$SELF" __enter "$tmp" /bin/sh -c \
    "export DEBIAN_FRONTEND=noninteractive; apt-get update -q && apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-unsafe-io $(printf '%s ' "${PACKAGES[@]}") && apt-get clean" \
    >"$CACHE/apt.log" 2>&1 || die "installing packages failed; see $CACHE/apt.log"
  printf '%s\n' "${PACKAGES[@]}" >"$tmp/.seekbench-ready"
  mv "$tmp" "$root"
  # Environments of this kind made from an older package list are dead weight now.
  for old in "$CACHE"/rootfs-"$SUITE"-"$FLAVOR"*; do
    [ -z "$FLAVOR" ] && case "$old" in *-train-*) continue ;; esac
    [ "$old" = "$root" ] || rm -rf "$old"
  done
  say "environment ready after $((SECONDS - t0)) s"
  exec 9>&-
}

# Runs inside the private mount namespace made by `unshare`: mount what the build needs
# into the root filesystem, then chroot. Every mount disappears with the namespace.
enter() {
  local root=$1; shift
  mount --make-rprivate /
  mkdir -p "$root/proc" "$root/dev" "$root/sys" "$root/tmp"
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  mount --rbind /sys "$root/sys"
  mount --bind /tmp "$root/tmp"
  local dir
  for dir in "$REPO" "$SHARED" "$HOME" "$CACHE/ccache" "${XDG_RUNTIME_DIR:-}"; do
    [ -n "$dir" ] && [ -d "$dir" ] || continue
    case "$dir" in /tmp|/tmp/*) continue ;; esac
    mkdir -p "$root$dir" && mount --bind "$dir" "$root$dir"
  done
  if [ -e /usr/local/cuda/bin/nvcc ]; then
    mkdir -p "$root/usr/local/cuda" && mount --bind "$(readlink -f /usr/local/cuda)" "$root/usr/local/cuda"
  fi
  cp -f /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  exec chroot "$root" /usr/bin/env -i \
    HOME="$HOME" USER="${USER:-root}" TERM="${TERM:-dumb}" LANG=C.UTF-8 \
    PATH=/usr/local/cuda/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LD_LIBRARY_PATH=/usr/local/cuda/lib64 \
    ${DISPLAY:+DISPLAY="$DISPLAY"} ${WAYLAND_DISPLAY:+WAYLAND_DISPLAY="$WAYLAND_DISPLAY"} \
    ${XDG_RUNTIME_DIR:+XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR"} ${XAUTHORITY:+XAUTHORITY="$XAUTHORITY"} \
    ${QT_QPA_PLATFORM:+QT_QPA_PLATFORM="$QT_QPA_PLATFORM"} ${CI:+CI="$CI"} \
    ${CTEST_PARALLEL_LEVEL:+CTEST_PARALLEL_LEVEL="$CTEST_PARALLEL_LEVEL"} \
    ${SEEKBENCH_BUILD_TYPE:+SEEKBENCH_BUILD_TYPE="$SEEKBENCH_BUILD_TYPE"} \
    CCACHE_DIR="$CACHE/ccache" SEEKBENCH_IN_ENV=1 \
    /bin/sh -c 'cd "$1" 2>/dev/null || cd /; shift; exec "$@"' sh "$PWD" "$@"
}

# The package on a machine that has nothing of ours: a fresh minbase Debian 13, the .deb
# installed with apt (which must find every dependency by its Debian name), then the app's
# self-test (offscreen) and a CLI run on the installed built-in model.
check_deb() {
  local deb=$1 root="$CACHE/deb-check" t0=$SECONDS
  [ "$(id -u)" -eq 0 ] || die "package --check needs root (debootstrap, chroot)"
  ensure_host_tools
  rm -rf "$root"
  say "a fresh Debian 13 for the package in $root"
  debootstrap --variant=minbase "$SUITE" "$root" "$MIRROR" >"$CACHE/deb-check.log" 2>&1 ||
    die "debootstrap failed; see $CACHE/deb-check.log"
  unshare --mount --propagation private -- "$SELF" __enter "$root" /bin/sh -ec "
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends '$deb' >/var/tmp/apt.log || { tail -20 /var/tmp/apt.log; exit 1; }
    echo \"installed: \$(dpkg-query -W -f='\${Package} \${Version}' seekbench), \$(dpkg -l | grep -c '^ii') packages in all\"
    rm -rf /var/tmp/sb && mkdir -p /var/tmp/sb
    QT_QPA_PLATFORM=offscreen seekbench --data-dir /var/tmp/sb/data --self-test /var/tmp/sb/shots
    echo \"self-test screenshots: \$(ls /var/tmp/sb/shots | wc -l)\"
    seekbench-cli run -n 8 -p 'def add(a, b):' </dev/null
    seekbench --help | head -1
    # A desktop's file manager: a .gguf file is application/x-gguf, Seekbench opens it, and a
    # double-click (the desktop entry launched with the file) opens that model in the app,
    # which keeps its settings under XDG_CONFIG_HOME and its data under XDG_DATA_HOME.
    apt-get install -y -q --no-install-recommends libglib2.0-bin shared-mime-info desktop-file-utils >/dev/null
    update-mime-database /usr/share/mime && update-desktop-database -q /usr/share/applications
    cp /usr/share/seekbench/models/seekbench-moe.gguf /var/tmp/sb/story.gguf
    type=\$(gio info -a standard::content-type /var/tmp/sb/story.gguf | sed -n 's/.*content-type: //p')
    [ \"\$type\" = application/x-gguf ] || { echo \"a .gguf file is \$type, not application/x-gguf\"; exit 1; }
    gio mime application/x-gguf | grep -q io.github.seekbench.Seekbench.desktop ||
      { gio mime application/x-gguf; echo 'Seekbench is not the default for .gguf'; exit 1; }
    export HOME=/var/tmp/sb/home QT_QPA_PLATFORM=offscreen
    mkdir -p \$HOME
    ini=\$HOME/.config/seekbench/seekbench/seekbench.ini
    gio launch /usr/share/applications/io.github.seekbench.Seekbench.desktop /var/tmp/sb/story.gguf
    for i in \$(seq 30); do grep -qs story.gguf \$ini && break; sleep 1; done
    for p in /proc/[0-9]*; do [ \"\$(cat \$p/comm 2>/dev/null)\" = seekbench ] && kill \${p#/proc/}; done
    grep -s story.gguf \$ini || { find \$HOME | head -20; echo 'a double-click did not open the model'; exit 1; }
    [ -d \$HOME/.local/share/seekbench/seekbench ] || { echo 'no data folder under ~/.local/share'; exit 1; }
    echo \"double-click: \$type opened by io.github.seekbench.Seekbench.desktop; settings in ~/.config/seekbench, data in ~/.local/share/seekbench\"" ||
    die "the package failed on a fresh Debian 13 (see above)"
  rm -rf "$root"
  say "the package installed and ran on a fresh Debian 13 ($((SECONDS - t0)) s)"
}

# Runs a command in the build environment, with the repository root as working directory.
in_env() {
  if [ "${SEEKBENCH_IN_ENV:-}" = 1 ] || [ "$KIND" = native ]; then
    (cd "$REPO" && CCACHE_DIR="${CCACHE_DIR:-$CACHE/ccache}" "$@")
  else
    mkdir -p "$CACHE/ccache"
    (cd "$REPO" && unshare --mount --propagation private -- "$SELF" __enter "$(rootfs_dir)" "$@")
  fi
}

provision() {
  KIND=$(env_kind)
  if [ "$KIND" = chroot ]; then provision_chroot; fi
  say "build environment: $KIND"
}

# --- build, test, run --------------------------------------------------------------------

build() {
  local preset=dev
  [ -n "${CI:-}" ] && preset=ci
  # A build directory configured by the other kind of environment has the wrong compilers.
  local stamp="$REPO/build/.seekbench-env"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" != "$KIND" ]; then rm -rf "$REPO/build"; fi
  mkdir -p "$REPO/build" && echo "$KIND" >"$stamp"
  in_env cmake --preset "$preset" >"$REPO/build/configure.log" 2>&1 ||
    { cat "$REPO/build/configure.log" >&2; die "configuring failed"; }
  in_env cmake --build --preset "$preset"
}

# The tests `test --asan` builds and runs: the engine's, the stores', and the CLI's.
ASAN_TESTS=(device_test backend_test gguf_test quants_test kernels_test tokenizer_test sampler_test model_test
  session_test moe_test chat_template_test fim_test cli_test builtin_model_test provenance_test embedding_test
  database_test conversation_store_test knowledge_store_test chunker_test ingest_test cli_knowledge_test
  batcher_test server_api_test server_test quantize_test convert_test profile_test)

test_asan() {
  in_env cmake --preset asan >"$REPO/build-configure-asan.log" 2>&1 ||
    { cat "$REPO/build-configure-asan.log" >&2; die "configuring the ASan build failed"; }
  local targets=() t
  for t in "${ASAN_TESTS[@]}"; do [ "$t" = server_test ] || targets+=("$t"); done # a script, not a target
  in_env cmake --build --preset asan --target seekbench-cli seekbench-server "${targets[@]}"
  local pattern
  pattern="^($(IFS='|'; echo "${ASAN_TESTS[*]}"))\$"
  in_env env QT_QPA_PLATFORM=offscreen ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j "${CTEST_PARALLEL_LEVEL:-$(nproc)}" -R "$pattern" "$@"
}

# The engine's multithreaded tests under ThreadSanitizer (the thread pool, batched and MoE
# forward passes, sessions, embeddings, the CLI), and the app's controllers that run work on
# other threads: the engine worker, chat turns, code, traces, the workbench (Qt is not
# instrumented; tests/tsan_qt.cpp tells TSan about its queued hand-overs, tsan_canary_test
# checks that a race in a queued call is still reported).
TSAN_TESTS=(device_test backend_test kernels_test model_test session_test moe_test embedding_test cli_test
  provenance_test batcher_test enginecontroller_test turncontroller_test codecontroller_test
  tracecontroller_test workbenchcontroller_test tsan_canary_test)

# The user guide shows the app as the self-test pictures it: every images/NAME.png a page
# names comes from the English run, every images/zh_CN/NAME.png from a --lang zh_CN run.
guide_pictures() {
  local tmp="$REPO/build/guide-shots" lang names zh name
  rm -rf "$tmp"
  for lang in en zh_CN; do
    in_env env QT_QPA_PLATFORM=offscreen build/bin/seekbench --lang "$lang" --data-dir "build/guide-shots/data-$lang" \
      --self-test "build/guide-shots/$lang" >"$tmp-$lang.log" 2>&1 ||
      { tail -20 "$tmp-$lang.log" >&2; die "the self-test (--lang $lang) failed"; }
  done
  names=$(grep -oh 'images/[a-z0-9-]*\.png' "$REPO"/resources/guide/*.md "$REPO"/resources/guide/zh_CN/*.md |
    sort -u | sed 's|images/||; s|\.png||')
  zh=$(grep -oh 'images/zh_CN/[a-z0-9-]*\.png' "$REPO"/resources/guide/*.md "$REPO"/resources/guide/zh_CN/*.md |
    sort -u | sed 's|images/zh_CN/||; s|\.png||')
  rm -f "$REPO"/resources/guide/images/*.png "$REPO"/resources/guide/images/zh_CN/*.png
  mkdir -p "$REPO/resources/guide/images/zh_CN"
  for name in $names; do
    cp "$tmp/en/$name.png" "$REPO/resources/guide/images/" || die "the self-test wrote no $name.png"
  done
  for name in $zh; do
    cp "$tmp/zh_CN/$name.png" "$REPO/resources/guide/images/zh_CN/" || die "the self-test wrote no $name.png (zh_CN)"
  done
  echo "guide pictures: $(echo "$names" | wc -w) English, $(echo "$zh" | wc -w) Chinese"
}

test_tsan() {
  in_env cmake --preset tsan >"$REPO/build-configure-tsan.log" 2>&1 ||
    { cat "$REPO/build-configure-tsan.log" >&2; die "configuring the TSan build failed"; }
  in_env cmake --build --preset tsan --target seekbench-cli "${TSAN_TESTS[@]}"
  local pattern
  pattern="^($(IFS='|'; echo "${TSAN_TESTS[*]}"))\$"
  in_env env TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$REPO/tests/tsan-qt.supp" \
    ctest --test-dir build-tsan --output-on-failure -R "$pattern" "$@"
}

# The official `openai` JavaScript client, which the server's tests drive unmodified: put
# into build/npm by the npm registry client (the host's; the Debian 13 root runs it with its
# own Node.js). Once per build folder; without npm on the host that test says so and skips.
OPENAI_NPM=openai@6.30.1

npm_clients() {
  local dir="$REPO/build/npm"
  [ -f "$dir/node_modules/openai/package.json" ] && return 0
  if ! command -v npm >/dev/null 2>&1; then
    say "no npm on this host: the openai-client test will skip"
    return 0
  fi
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund --legacy-peer-deps "$OPENAI_NPM" >"$dir/install.log" 2>&1 ||
    say "npm could not install $OPENAI_NPM (see build/npm/install.log): the openai-client test will fail"
}

run_app() {
  local args=("$@")
  if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    # No display: a virtual X server when there is one, the offscreen platform otherwise.
    in_env /bin/sh -c 'if command -v xvfb-run >/dev/null; then
        exec xvfb-run -a -s "-screen 0 1600x1000x24" "$@"; else
        QT_QPA_PLATFORM=offscreen exec "$@"; fi' sh build/bin/seekbench "${args[@]}"
  else
    in_env build/bin/seekbench "${args[@]}"
  fi
}

main() {
  local cmd=${1:-}; shift || true
  [ "${1:-}" = "--" ] && shift
  case "$cmd" in
    __enter) enter "$@" ;;
    env) provision ;;
    build) provision; build ;;
    package)
      provision; build
      rm -f "$REPO"/build/packages/seekbench_*.deb
      in_env cpack --config build/CPackConfig.cmake -B build/packages
      local deb; deb=$(ls -1 "$REPO"/build/packages/seekbench_*.deb)
      echo "$deb"
      [ "${1:-}" = "--check" ] && check_deb "$deb" ;;
    test)
      if [ "${1:-}" = "--asan" ]; then shift; provision; test_asan "$@"; return; fi
      if [ "${1:-}" = "--tsan" ]; then shift; provision; test_tsan "$@"; return; fi
      provision; build; npm_clients
      in_env env QT_QPA_PLATFORM=offscreen ctest --test-dir build --output-on-failure \
        -j "${CTEST_PARALLEL_LEVEL:-$(nproc)}" "$@" ;;
    run) provision; build; run_app "$@" ;;
    guide) provision; build; guide_pictures ;;
    exec) [ $# -gt 0 ] || die "exec needs a command: dev.sh exec -- CMD..."; provision; in_env "$@" ;;
    fuzz)
      [ $# -ge 1 ] || die "fuzz needs a target: gguf, tokenizer, chat_template, conversation_import, server_request or safetensors"
      local target=$1 minutes=10
      shift
      while [ $# -gt 0 ]; do
        case $1 in
          --minutes) minutes=${2:?--minutes needs a number}; shift 2 ;;
          *) die "fuzz: unknown option $1" ;;
        esac
      done
      provision; build
      [ -x "build/bin/fuzz_$target" ] || die "no fuzzer named $target (clang++ missing, or a typo)"
      mkdir -p "tests/fuzz/$target"
      # The GGUF fuzzer also reads the small models the tests wrote (new finds go to the first folder).
      local extra=()
      [ "$target" = gguf ] && extra=(build/test-tmp)
      in_env env SEEKBENCH_SHARED="$REPO/../shared" "build/bin/fuzz_$target" -max_total_time=$((minutes * 60)) \
        -max_len=4000000 -rss_limit_mb=3000 -timeout=20 -print_final_stats=1 "tests/fuzz/$target" "${extra[@]}" ;;
    train)
      # Train in the training environment, then measure the result with the engine.
      local build_packages=("${PACKAGES[@]}")
      FLAVOR=train- PACKAGES+=("${TRAIN_PACKAGES[@]}") KIND=chroot
      provision_chroot
      in_env python3 resources/models/train/train.py "$@"
      FLAVOR="" PACKAGES=("${build_packages[@]}")
      provision; build
      in_env python3 resources/models/train/finalize.py ;;
    clean) rm -rf "$REPO/build" ;;
    -h|--help|help|"") usage ;;
    *) usage; exit 2 ;;
  esac
}

main "$@"
