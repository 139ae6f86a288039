#!/bin/sh
# The compiler launcher of engine/cuda's kernels: runs the compile it is given (which asks
# ptxas for its resource report, -Xptxas=-v) and keeps that report, per kernel and
# architecture, as REPORT_DIR/NAME.txt for the NAME.cu being compiled; every other line of
# the compiler's errors and warnings passes through. ccache, when it runs the compile,
# replays the report on a hit, so the files are there after every build.
# Usage: report_launcher.sh REPORT_DIR COMMAND...
set -u
dir=$1
shift
name=
for arg; do
  case $arg in *.cu) name=$(basename "$arg" .cu) ;; esac
done
[ -n "$name" ] || exec "$@"
mkdir -p "$dir"
log="$dir/$name.log.$$"
"$@" 2>"$log"
rc=$?
grep -e '^ptxas info' -e 'bytes stack frame' "$log" >"$dir/$name.txt"
grep -v -e '^ptxas info' -e 'bytes stack frame' "$log" >&2
rm -f "$log"
exit $rc
