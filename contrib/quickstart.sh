#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Quick start on a fresh Debian 12 machine, as root: installs what Leviathan
# needs, builds it, starts a 4-node cluster on this host and runs an example
# job through it.  The cluster keeps running; the last lines say how to use
# and stop it.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

echo "== Installing dependencies (Debian packages)"
sh contrib/install-deps.sh >/dev/null
echo "== Building"
[ -x configure ] || ./autogen.sh >/dev/null 2>&1
[ -f Makefile ] || ./configure --enable-werror >/dev/null
make -j"$(nproc)" >/dev/null
run=$top/run
mkdir -p "$run"
chmod 0755 "$run"
if [ -f "$run/cluster/lvctld.pid" ] && kill -0 "$(cat "$run/cluster/lvctld.pid")" 2>/dev/null; then
	contrib/local-cluster down --dir "$run/cluster"
fi
echo "== Starting a 4-node cluster in $run/cluster"
eval "$(contrib/local-cluster up --nodes 4 --dir "$run/cluster")"
lvinfo
echo "== Submitting contrib/examples/hello.sh"
mkdir -p "$run/jobs"
cd "$run/jobs"
job=$(lvbatch --parsable "$top/contrib/examples/hello.sh")
lvqueue
echo "== Waiting for job $job"
lvbatch -W -Q --wrap=true -d "afterany:$job" >/dev/null 2>&1 || true
lvqueue -t all -j "$job"
echo "== Output of job $job ($run/jobs/hello-$job.out)"
cat "hello-$job.out"
cat <<MSG

The cluster is still running. To use it from your shell:
  export LV_CONF=$run/cluster/leviathan.conf PATH=$top/src/cmd:\$PATH
To stop it:
  $top/contrib/local-cluster down --dir $run/cluster
MSG
