# SPDX-License-Identifier: GPL-2.0-or-later
# A small sharness-style TAP library for Leviathan's integration tests.
#
# A test script sets test_description, sources this file and then calls
#
#   test_expect_success [PREREQS] 'name' 'commands'
#   test_expect_failure [PREREQS] 'name' 'commands'   (a known bug: TODO)
#   test_done
#
# Commands run with eval in the script's own shell, so variables set in
# one test are seen by the next.  Chain them with && so that any failing
# step fails the test.  Each script runs in its own trash directory,
# $TRASH (a 0755 "trash-<script>" next to the script's build directory),
# which is removed when every test passed and kept otherwise.
#
# Options: -v/--verbose (or TEST_VERBOSE=1) shows the commands' output,
# -i/--immediate stops at the first failure, -d/--debug keeps the trash
# directory.  Everything registered with lv_atexit (clusters, daemons,
# namespaces) is stopped when the script exits, however it exits.
#
# Helpers for Leviathan: lv_cluster_up, lv_wait_for, lv_atexit, lv_pid_alive.

# ---------------------------------------------------------------- setup

# Fixed, predictable environment: no user settings leak into the tests.
export LC_ALL=C LANG=C TZ=UTC
unset LV_CONF LV_BINDIR CDPATH
# The CLI must not wait 30 s for a controller that a test stopped on
# purpose; tests that want to wait use lv_wait_for.
export LV_CLIENT_RETRY=0

this_test=${0##*/}
this_test=${this_test%.t}

test_count=0
test_success=0
test_failure=0
test_fixed=0
test_broken=0
test_skipped=0
verbose=${TEST_VERBOSE:-}
[ "$verbose" = 0 ] && verbose=
immediate=
debug=

while [ $# -gt 0 ]; do
	case $1 in
	-v | --verbose) verbose=t ;;
	-i | --immediate) immediate=t ;;
	-d | --debug) debug=t ;;
	-h | --help)
		echo "usage: $0 [-v|--verbose] [-i|--immediate] [-d|--debug]"
		exit 0
		;;
	*)
		echo "$0: unknown option '$1'" >&2
		exit 1
		;;
	esac
	shift
done

# Where the sources and the build are.  The Makefile passes absolute
# top_srcdir and top_builddir.  By hand, the script's own directory is
# testsuite/integration of the sources; the build is the current
# directory's ../.. when that has the programs (a VPATH build), else the
# source tree (an in-tree build).
SHARNESS_TEST_DIRECTORY=$(cd "$(dirname "$0")" && pwd)
if [ -z "${top_srcdir:-}" ]; then
	top_srcdir=$(cd "$SHARNESS_TEST_DIRECTORY/../.." && pwd)
fi
if [ -z "${top_builddir:-}" ]; then
	if [ -x ../../src/sched/lvctld ] && [ -d ../../testsuite/integration ]; then
		top_builddir=$(cd ../.. && pwd)
	else
		top_builddir=$top_srcdir
	fi
fi
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
export top_srcdir top_builddir

# Programs: the build tree first, then whatever PATH has.
PATH=$top_builddir/src/cmd:$top_builddir/src/sched:$top_builddir/src/node:$PATH
export PATH
LOCAL_CLUSTER=$top_srcdir/contrib/local-cluster

# File descriptors: 5 is TAP (the real stdout), 6 the real stderr.
# 3 and 4 are where the commands of a test write: nowhere unless -v,
# and in verbose mode stderr, so that nothing can spoil the TAP stream.
exec 5>&1 6>&2
if [ -n "$verbose" ]; then
	exec 3>&2 4>&2
else
	exec 3>/dev/null 4>/dev/null
fi

# say: a message for the human; as a TAP comment it is safe anywhere.
# Inside a test it goes with the test's output, because test bodies run
# without fds 5 and 6: a daemon started by a test must not inherit the
# TAP pipe, or whoever reads it would wait for the daemon to exit.
_lv_in_test=
say() {
	if [ -n "$_lv_in_test" ]; then
		echo "# $*" >&4
	else
		echo "# $*" >&5
	fi
}

# say_verbose: only shown with -v.
say_verbose() {
	if [ -n "$_lv_in_test" ]; then
		echo "# $*" >&4
	elif [ -n "$verbose" ]; then
		echo "# $*" >&6
	fi
	return 0
}

error() {
	echo "$this_test: error: $*" >&6
	exit 1
}

# ---------------------------------------------------------------- cleanup

# Commands run at exit, last registered first.  Each runs once.
_lv_atexit_cmds=()

lv_atexit() {
	_lv_atexit_cmds+=("$1")
}

_lv_run_atexit() {
	local i cmd
	for ((i = ${#_lv_atexit_cmds[@]} - 1; i >= 0; i--)); do
		cmd=${_lv_atexit_cmds[i]}
		unset '_lv_atexit_cmds[i]'
		say_verbose "cleanup: $cmd"
		eval "$cmd" >&3 2>&4 || say "cleanup failed: $cmd"
	done
	_lv_atexit_cmds=()
}

_lv_exit_trap() {
	local rc=$?
	trap - EXIT
	# The reader of our output may be gone ("| head"): writes just fail.
	trap '' PIPE
	_lv_run_atexit
	if [ -z "$_lv_done" ]; then
		# test_done was never reached: the script died.
		# From inside a test body fd 6 is closed: fall back to stderr.
		{ echo "$this_test: exited early (status $rc); trash kept in $TRASH" >&6; } 2>/dev/null ||
			echo "$this_test: exited early (status $rc); trash kept in $TRASH" >&2
		[ "$rc" -eq 0 ] && rc=1
	fi
	exit "$rc"
}
_lv_done=
trap _lv_exit_trap EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE

# test_when_finished 'cmd': runs cmd after the current test, pass or fail.
_lv_when_finished=
test_when_finished() {
	_lv_when_finished="$1; $_lv_when_finished"
}

# ---------------------------------------------------------------- trash

# Not under /tmp: munged refuses sockets in world-writable directories,
# and every component must be readable by "nobody" for the tests that
# drop privileges.
TRASH=$top_builddir/testsuite/integration/trash-$this_test
if [ ! -d "$top_builddir/testsuite/integration" ]; then
	TRASH=$SHARNESS_TEST_DIRECTORY/trash-$this_test
fi
export TRASH
rm -rf "$TRASH" || error "cannot remove the old $TRASH"
mkdir -p "$TRASH" || error "cannot create $TRASH"
chmod 0755 "$TRASH"
cd "$TRASH" || error "cannot cd to $TRASH"
[ -n "$verbose" ] && [ -n "${test_description:-}" ] &&
	echo "# $this_test: $test_description" >&6
HOME=$TRASH
export HOME

# ---------------------------------------------------------------- prereqs

_lv_prereqs=" "

test_set_prereq() {
	_lv_prereqs="$_lv_prereqs$1 "
}

# test_have_prereq 'A,B,!C': true when A and B are set and C is not.
test_have_prereq() {
	local list p neg IFS=,
	list=$1
	for p in $list; do
		neg=
		case $p in
		!*) neg=t; p=${p#!} ;;
		esac
		case $_lv_prereqs in
		*" $p "*) [ -n "$neg" ] && return 1 ;;
		*) [ -z "$neg" ] && return 1 ;;
		esac
	done
	return 0
}

# Prerequisites every script may use.
[ "$(id -u)" = 0 ] && test_set_prereq ROOT
command -v python3 >/dev/null 2>&1 && test_set_prereq PYTHON3
command -v jq >/dev/null 2>&1 && test_set_prereq JQ
command -v munged >/dev/null 2>&1 && command -v mungekey >/dev/null 2>&1 &&
	test_set_prereq MUNGE
command -v setpriv >/dev/null 2>&1 && test_set_prereq SETPRIV

# ---------------------------------------------------------------- tests

_lv_ok() {
	test_count=$((test_count + 1))
	echo "ok $test_count - $*" >&5
}

_lv_not_ok() {
	test_count=$((test_count + 1))
	echo "not ok $test_count - $*" >&5
}

# Prints the body of a failed test as TAP comments.
_lv_show_body() {
	printf '%s\n' "$1" | sed -e 's/^/#\t/' >&5
}

# Runs a test body in this shell; returns its status.
_lv_eval() {
	local _lv_rc
	say_verbose "expecting ${2:-success}: $_lv_name"
	[ -n "$verbose" ] && printf '%s\n' "$1" | sed -e 's/^/#   /' >&6
	_lv_when_finished=
	# A body that calls "exit" must not end the script silently: it is
	# run in the current shell so that variables survive, and the EXIT
	# trap reports it.
	_lv_in_test=t
	eval "$1" >&3 2>&4 </dev/null 5>&- 6>&-
	_lv_rc=$?
	if [ -n "$_lv_when_finished" ]; then
		eval "$_lv_when_finished" >&3 2>&4 </dev/null 5>&- 6>&- || _lv_rc=1
		_lv_when_finished=
	fi
	_lv_in_test=
	return $_lv_rc
}

# Splits the optional prerequisite argument; sets _lv_prereq, _lv_name,
# _lv_body.
_lv_args() {
	local fn=$1
	shift
	case $# in
	2) _lv_prereq= ; _lv_name=$1 ; _lv_body=$2 ;;
	3) _lv_prereq=$1 ; _lv_name=$2 ; _lv_body=$3 ;;
	*) error "bug in the test script: $fn needs 2 or 3 arguments, got $#" ;;
	esac
}

_lv_skip() {
	if [ -n "$_lv_prereq" ] && ! test_have_prereq "$_lv_prereq"; then
		test_skipped=$((test_skipped + 1))
		_lv_ok "$_lv_name # SKIP missing $_lv_prereq"
		return 0
	fi
	return 1
}

test_expect_success() {
	_lv_args test_expect_success "$@"
	_lv_skip && return 0
	if _lv_eval "$_lv_body" success; then
		test_success=$((test_success + 1))
		_lv_ok "$_lv_name"
	else
		test_failure=$((test_failure + 1))
		_lv_not_ok "$_lv_name"
		_lv_show_body "$_lv_body"
		if [ -n "$immediate" ]; then
			say "stopping at the first failure (-i); trash kept in $TRASH"
			_lv_done=t
			_lv_run_atexit
			echo "1..$test_count" >&5
			exit 1
		fi
	fi
	return 0
}

# A known bug: the test documents what should happen.  Failing is
# expected (TODO); passing means the bug was fixed and the test should
# become test_expect_success, which the TAP driver reports as XPASS.
test_expect_failure() {
	_lv_args test_expect_failure "$@"
	_lv_skip && return 0
	if _lv_eval "$_lv_body" failure; then
		test_fixed=$((test_fixed + 1))
		_lv_ok "$_lv_name # TODO known breakage vanished"
	else
		test_broken=$((test_broken + 1))
		_lv_not_ok "$_lv_name # TODO known breakage"
	fi
	return 0
}

# test_must_fail CMD...: CMD must exit with a failure status.  Success,
# death by a signal, "not found" (127) and "cannot run" (126) all fail
# the test: a crash is never the kind of failure a test expects.
test_must_fail() {
	local rc
	"$@"
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "test_must_fail: command succeeded: $*" >&4
		return 1
	elif [ $rc -gt 128 ] && [ $rc -le 192 ]; then
		echo "test_must_fail: killed by signal $((rc - 128)): $*" >&4
		return 1
	elif [ $rc -eq 127 ] || [ $rc -eq 126 ]; then
		echo "test_must_fail: command not found or not runnable: $*" >&4
		return 1
	fi
	return 0
}

# test_might_fail CMD...: only a crash fails.
test_might_fail() {
	local rc
	"$@"
	rc=$?
	if [ $rc -gt 128 ] && [ $rc -le 192 ]; then
		echo "test_might_fail: killed by signal $((rc - 128)): $*" >&4
		return 1
	fi
	return 0
}

# test_cmp EXPECTED ACTUAL
test_cmp() {
	diff -u "$@"
}

# test_grep [-v] ARGS... FILE: grep that shows the file when it fails.
test_grep() {
	local invert= last
	if [ "$1" = "!" ] || [ "$1" = "-v" ]; then
		invert=t
		shift
	fi
	last=${!#}
	if [ -n "$invert" ]; then
		grep "$@" && {
			echo "test_grep: unexpected match in $last" >&4
			return 1
		}
		return 0
	fi
	grep "$@" && return 0
	echo "test_grep: no match for '$*'; $last has:" >&4
	[ -f "$last" ] && sed 's/^/|	/' "$last" >&4
	return 1
}

test_skip_all() {
	_lv_done=t
	echo "1..0 # SKIP $*" >&5
	_lv_run_atexit
	cd / && rm -rf "$TRASH"
	exit 0
}

test_done() {
	_lv_done=t
	_lv_run_atexit
	[ $test_fixed -gt 0 ] &&
		say "fixed $test_fixed known breakage(s): make them test_expect_success"
	[ $test_broken -gt 0 ] &&
		say "still have $test_broken known breakage(s)"
	[ $test_skipped -gt 0 ] && say "skipped $test_skipped test(s)"
	if [ $test_failure -gt 0 ]; then
		say "failed $test_failure among $test_count test(s); trash kept in $TRASH"
		echo "1..$test_count" >&5
		exit 1
	fi
	say "passed all remaining $((test_count - test_broken - test_skipped)) test(s)"
	echo "1..$test_count" >&5
	if [ -z "$debug" ]; then
		cd / && rm -rf "$TRASH"
	fi
	exit 0
}

# ---------------------------------------------------------------- helpers

# lv_wait_for 'shell condition' SECONDS: polls every 0.1 s.
lv_wait_for() {
	local cond=$1 secs=${2:-10} tries
	tries=$((secs * 10))
	while [ $tries -gt 0 ]; do
		eval "$cond" >/dev/null 2>&1 && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	echo "lv_wait_for: timed out after ${secs}s: $cond" >&4
	return 1
}

# lv_pid_alive PID: the process exists and is not a zombie.
lv_pid_alive() {
	local t st
	kill -0 "$1" 2>/dev/null || return 1
	# A zombie leader is not the end of a threaded daemon: its other
	# threads may still be exiting (one in fdatasync, say) and hold its
	# files and locks.  Alive while any thread is not a zombie.
	for t in /proc/"$1"/task/*/status; do
		st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "$t" 2>/dev/null)
		[ -n "$st" ] && [ "$st" != Z ] && return 0
	done
	return 1
}

# lv_cluster_up N [local-cluster up args...]: munged, lvctld and N lvd on
# 127.0.0.1 in $TRASH/cluster (or $LV_CLUSTER_DIR).  Sets LV_CONF, PATH
# and CLUSTER; the cluster is stopped by PID when the script exits.
lv_cluster_up() {
	local n=$1 out port
	shift
	CLUSTER=${LV_CLUSTER_DIR:-$TRASH/cluster}
	# A unix socket path has at most 107 bytes.
	if [ ${#CLUSTER} -gt 90 ]; then
		echo "lv_cluster_up: $CLUSTER is too long for munged's socket path" >&4
		return 1
	fi
	mkdir -p "$CLUSTER" && chmod 0755 "$CLUSTER" || return 1
	lv_atexit "lv_cluster_down '$CLUSTER'"
	# local-cluster picks its ports among the ephemeral ones; ours are
	# safer.  A caller's own --port comes later and wins.
	port=$(lv_free_port $((n + 1))) || return 1
	out=$("$LOCAL_CLUSTER" up --nodes "$n" --dir "$CLUSTER" --port "$port" "$@") || {
		echo "lv_cluster_up: local-cluster up failed" >&4
		return 1
	}
	case $out in
	export\ LV_CONF=*) eval "$out" ;;
	*)
		echo "lv_cluster_up: unexpected output: $out" >&4
		return 1
		;;
	esac
	export CLUSTER
	say_verbose "cluster of $n node(s) up in $CLUSTER"
}

# lv_cluster_down DIR: stops what local-cluster started in DIR.  All
# daemons get SIGTERM at once and are waited for in parallel (a zombie
# counts as gone: some init processes reap slowly); then "local-cluster
# down" stops, by PID, anything still left.
lv_cluster_down() {
	local dir=$1 f pid pids=() i
	for f in "$dir"/nodes/*/lvd.pid "$dir/lvctld.pid" "$dir/munge/munged.pid"; do
		[ -f "$f" ] || continue
		pid=$(cat "$f" 2>/dev/null)
		[[ $pid =~ ^[0-9]+$ ]] || continue
		lv_pid_alive "$pid" && kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
	done
	for ((i = 0; i < 100; i++)); do
		for pid in "${pids[@]}"; do
			lv_pid_alive "$pid" && break
			pid=
		done
		[ -z "$pid" ] && break
		sleep 0.05
	done
	for f in "$dir"/nodes/*/lvd.pid "$dir/lvctld.pid" "$dir/munge/munged.pid"; do
		[ -f "$f" ] || continue
		pid=$(cat "$f" 2>/dev/null)
		lv_pid_alive "$pid" || rm -f "$f"
	done
	"$LOCAL_CLUSTER" down --dir "$dir"
}

# lv_conf_get KEY [FILE]: a key's value in a configuration file.
lv_conf_get() {
	sed -n "s/^$1=//p" "${2:-$LV_CONF}" | head -n 1
}

# lv_free_port [COUNT]: a TCP port with COUNT-1 free ones after it,
# below the kernel's ephemeral range: a port that no socket listens on
# may still be the local end of some connection, and then bind() fails.
lv_free_port() {
	local n=${1:-1} lo=32768 hi base i try span
	read -r lo hi </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null
	span=$((lo - 10000 - n))
	[ $span -lt 1000 ] && span=1000
	for try in $(seq 1 50); do
		base=$((10000 + (RANDOM * 32768 + RANDOM + $$) % span))
		for ((i = 0; i < n; i++)); do
			ss -Htan "sport = :$((base + i))" 2>/dev/null | grep -q . &&
				continue 2
		done
		echo $base
		return 0
	done
	return 1
}

# test_must_be_empty FILE
test_must_be_empty() {
	if [ -s "$1" ]; then
		echo "test_must_be_empty: $1 is not empty:" >&4
		sed 's/^/|	/' "$1" >&4
		return 1
	fi
}

test_path_is_missing() {
	if [ -e "$1" ]; then
		echo "test_path_is_missing: $1 exists" >&4
		return 1
	fi
}

test_path_is_file() {
	if [ ! -f "$1" ]; then
		echo "test_path_is_file: $1 is not a file" >&4
		return 1
	fi
}
