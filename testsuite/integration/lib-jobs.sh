# SPDX-License-Identifier: GPL-2.0-or-later
# What the batch-job tests (t03xx, t0600) share: reading a job's fields
# and state, waiting for a state, and running as "nobody".  Sourced
# after sharness.sh.

# NOBODY: root with setpriv can run commands as uid 65534.
test_have_prereq ROOT,SETPRIV && getent passwd 65534 >/dev/null &&
	test_set_prereq NOBODY

# as_nobody COMMAND...: COMMAND as uid and gid 65534, without groups.
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

# job_field ID FORMAT: an lvqueue field of a job in any state.
job_field() {
	lvqueue -h -t all -j "$1" -o "$2"
}

# state_is ID STATE: the job is in STATE now.
state_is() {
	[ "$(job_field "$1" %T)" = "$2" ]
}

# wait_state ID STATE [SECONDS]: the job is in STATE within SECONDS
# (30 by default: ASan builds on 2 busy cores are slow); otherwise its
# details go to the log.
wait_state() {
	lv_wait_for "state_is $1 $2" "${3:-30}" || {
		lvcontrol show job "$1" >&4
		return 1
	}
}

# wait_done ID: the job has COMPLETED within 30 s.
wait_done() {
	wait_state "$1" COMPLETED
}

# Nothing left in the queue.
queue_empty() {
	test -z "$(lvqueue -h)"
}

# show_has ID REGEX: "lvcontrol show job ID" has a line matching REGEX.
show_has() {
	lvcontrol show job "$1" >show.out &&
	test_grep "$2" show.out
}

# wait_pid_file FILE: the job wrote its PID to FILE (within 10 s).
wait_pid_file() {
	lv_wait_for "test -s $1" 10 && cat "$1"
}
