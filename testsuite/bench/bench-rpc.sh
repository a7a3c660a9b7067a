#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs bench_rpc against a private 1-node local cluster and prints its
# figures with the machine they came from.  Builds nothing: run
# "make -C testsuite/bench bench" first.
#
#   bench-rpc.sh [bench_rpc options]     e.g. -n 20000 -c 16
#
# BENCH_RPC names the binary (default: bench_rpc beside this script);
# LV_BINDIR is passed on to local-cluster for out-of-tree builds.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cluster=$here/../../contrib/local-cluster
bench=${BENCH_RPC:-$here/bench_rpc}
[ -x "$bench" ] || { echo "bench-rpc.sh: $bench not built (make -C testsuite/bench bench)" >&2; exit 1; }

# munged refuses a socket under a world-writable parent without the
# sticky bit: a private directory of our own, 0755.
dir=$(mktemp -d "${TMPDIR:-/tmp}/lv-bench.XXXXXX")
chmod 0755 "$dir"
cleanup() {
	"$cluster" down --dir "$dir" >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$cluster" up --nodes 1 --dir "$dir" >"$dir/up.out" 2>&1 ||
	{ cat "$dir/up.out" >&2; exit 1; }
export LV_CONF=$dir/leviathan.conf

echo "machine: $(nproc) CPUs, $(uname -sr), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //')"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
"$bench" "$@"
