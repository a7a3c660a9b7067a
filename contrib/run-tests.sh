#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The whole test suite, as CI runs it, on a fresh Debian 12 machine as root:
# dependencies, a -Werror build with `make check` (unit and integration
# tests against real daemons), then the same under ASan/UBSan.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc)

echo "== Installing dependencies"
sh contrib/install-deps.sh >/dev/null
./autogen.sh >/dev/null

run_build() {
	local dir=$1
	shift
	rm -rf "$dir"
	mkdir -p "$dir"
	chmod 0755 "$dir"
	(cd "$dir" && "$top/configure" "$@" >/dev/null)
	make -C "$dir" -j"$jobs" >/dev/null
	if ! make -C "$dir" -j"$jobs" check; then
		find "$dir/testsuite" -name '*.log' -newer "$dir/config.status" \
			-exec grep -l -E '^(not ok|FAIL|ERROR)' {} + 2>/dev/null |
			while read -r f; do echo "---- $f"; tail -n 60 "$f"; done
		return 1
	fi
}

echo "== Build with -Werror and make check"
run_build "$top/build-ci" --enable-werror
echo "== ASan/UBSan build and make check"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	run_build "$top/build-asan" --enable-werror --enable-sanitizers
echo "== All tests passed"
