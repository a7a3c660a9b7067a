#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later

test_description='lvbatch: scripts, directives, output patterns, --parsable/-Q/--test-only, and refused submissions'

. "$(dirname "$0")/sharness.sh"
. "$SHARNESS_TEST_DIRECTORY/lib-jobs.sh"

# Every job the controller knows, in any state.
all_jobs() {
	lvqueue -h -t all -o "%i %T %j" | sort
}

# refused MESSAGE LVBATCH-ARGS...: lvbatch fails (non-zero, no signal),
# prints nothing on stdout and exactly "lvbatch: error: MESSAGE" on
# stderr, and the queue is as it was: nothing queued, nothing lost.
refused() {
	local msg=$1
	shift
	all_jobs >before.jobs &&
	test_must_fail lvbatch "$@" >out 2>err &&
	test_must_be_empty out &&
	echo "lvbatch: error: $msg" >expect &&
	test_cmp expect err &&
	all_jobs >after.jobs &&
	test_cmp before.jobs after.jobs
}

test_expect_success MUNGE 'start a 4-node cluster with 2 CPUs a node' '
	lv_cluster_up 4 --cpus 2 --extra KillWait=2 &&
	lvinfo -h >out &&
	test_grep "^debug\* *up *infinite *4 *idle n\[1-4\]$" out
'

test_expect_success MUNGE '--wrap runs the command with sh and names the job "wrap"' '
	lvbatch --wrap "echo wrapped; readlink /proc/\$\$/exe" >out &&
	test_grep "^Submitted batch job [0-9][0-9]*$" out &&
	id=$(sed -n "s/^Submitted batch job //p" out) &&
	wait_done $id &&
	test "$(job_field $id %j)" = wrap &&
	printf "wrapped\n%s\n" "$(readlink -f /bin/sh)" >expect &&
	test_cmp expect lv-$id.out
'

test_expect_success MUNGE '--wrap refuses script arguments' '
	refused "Script arguments not permitted with --wrap option" --wrap true extra
'

test_expect_success MUNGE 'a script file with #SBATCH directives: -J, -o, -e, -D, --comment' '
	mkdir -p work &&
	cat >job.sh <<-\EOF &&
	#!/bin/sh
	# an ordinary comment
	#SBATCH -J dirname
	#SBATCH -o out-%j-%x-%u-%N.txt
	#SBATCH -e err-%j.txt
	#SBATCH -D work
	#SBATCH --comment="two words"
	echo "to stdout"
	echo "to stderr" >&2
	pwd
	echo "args: $*"
	EOF
	id=$(lvbatch --parsable job.sh a1 "b 2") &&
	wait_done $id &&
	node=$(job_field $id %B) &&
	test_path_is_file "work/out-$id-dirname-root-$node.txt" &&
	printf "to stdout\n%s\nargs: a1 b 2\n" "$TRASH/work" >expect &&
	test_cmp expect "work/out-$id-dirname-root-$node.txt" &&
	echo "to stderr" >expect &&
	test_cmp expect work/err-$id.txt &&
	test "$(job_field $id %j)" = dirname &&
	test "$(job_field $id %k)" = "two words" &&
	test "$(job_field $id %Z)" = "$TRASH/work" &&
	lvcontrol show job $id >show &&
	test_grep "^   Comment=two words$" show &&
	test_grep "^   WorkDir=$TRASH/work$" show &&
	test_grep "^   StdOut=out-%j-%x-%u-%N.txt StdErr=err-%j.txt StdIn=/dev/null$" show &&
	test_path_is_missing lv-$id.out &&
	test_path_is_missing work/lv-$id.out
'

test_expect_success MUNGE 'without -o and -e both streams go to lv-%j.out in the working directory' '
	id=$(lvbatch --parsable --chdir=work --wrap "echo out; echo err >&2") &&
	wait_done $id &&
	printf "out\nerr\n" >expect &&
	test_cmp expect work/lv-$id.out
'

test_expect_success MUNGE '-o with %% and -i with an input file' '
	echo "from the input file" >in.txt &&
	id=$(lvbatch --parsable -o "pct%%-%j.out" -i in.txt --wrap cat) &&
	wait_done $id &&
	test_cmp in.txt "pct%-$id.out"
'

test_expect_success MUNGE 'the job name defaults to the script file name' '
	sed "/^#SBATCH -J/d" job.sh >named.sh &&
	id=$(lvbatch --parsable -o /dev/null ./named.sh) &&
	test "$(job_field $id %j)" = named.sh &&
	wait_done $id
'

test_expect_success MUNGE 'a script on standard input is named "lvbatch"' '
	printf "#!/bin/sh\necho from stdin\n" | lvbatch --parsable >idfile &&
	id=$(cat idfile) &&
	wait_done $id &&
	test "$(job_field $id %j)" = lvbatch &&
	echo "from stdin" >expect &&
	test_cmp expect lv-$id.out
'

test_expect_success MUNGE 'the command line overrides a directive; SBATCH_* sits in between' '
	id=$(lvbatch --parsable -J cli -o /dev/null job.sh) &&
	test "$(job_field $id %j)" = cli &&
	id2=$(SBATCH_JOB_NAME=fromenv lvbatch --parsable -o /dev/null job.sh) &&
	test "$(job_field $id2 %j)" = fromenv &&
	id3=$(SBATCH_JOB_NAME=fromenv lvbatch --parsable -J cli2 -o /dev/null job.sh) &&
	test "$(job_field $id3 %j)" = cli2 &&
	wait_done $id && wait_done $id2 && wait_done $id3
'

test_expect_success MUNGE '#LV directives work like #SBATCH ones, and mix with them' '
	cat >lv.sh <<-\EOF &&
	#!/bin/sh
	#LV -J lvname
	#SBATCH --comment=fromsbatch
	#LV -o lvdir.out
	echo lv directives
	EOF
	id=$(lvbatch --parsable lv.sh) &&
	wait_done $id &&
	test "$(job_field $id %j)" = lvname &&
	test "$(job_field $id %k)" = fromsbatch &&
	echo "lv directives" >expect &&
	test_cmp expect lvdir.out
'

test_expect_success MUNGE 'directives after the first command are ignored' '
	cat >late.sh <<-\EOF &&
	#!/bin/sh
	#SBATCH -J early
	echo first command
	#SBATCH -J late
	#SBATCH --bogus-option
	EOF
	id=$(lvbatch --parsable -o /dev/null late.sh) &&
	test "$(job_field $id %j)" = early &&
	wait_done $id
'

test_expect_success MUNGE '--parsable prints only the job id' '
	lvbatch --parsable -o /dev/null --wrap true >out 2>err &&
	test_must_be_empty err &&
	test_grep -x "[0-9][0-9]*" out &&
	test $(wc -l <out) -eq 1 &&
	id=$(cat out) &&
	wait_done $id
'

test_expect_success MUNGE '-Q prints nothing, and the job is queued' '
	all_jobs >before.jobs &&
	lvbatch -Q -J quiet -o /dev/null --wrap true >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	all_jobs >after.jobs &&
	test $(($(wc -l <after.jobs) - $(wc -l <before.jobs))) -eq 1 &&
	id=$(lvqueue -h -t all -n quiet -o %i) &&
	wait_done $id
'

test_expect_success MUNGE '--test-only estimates and queues nothing' '
	all_jobs >before.jobs &&
	lvbatch --test-only -n 3 --wrap true >out 2>err &&
	test_must_be_empty out &&
	test_grep "^lvbatch: Job 0 to start at [0-9T:-]* using 3 processors on nodes n\[[1-4]-[1-4]\] in partition debug$" err &&
	all_jobs >after.jobs &&
	test_cmp before.jobs after.jobs
'

test_expect_success MUNGE '--test-only of an impossible request fails' '
	refused "Requested node configuration is not available" --test-only -n 100 --wrap true
'

test_expect_success MUNGE 'an unknown option is refused' '
	all_jobs >before.jobs &&
	test_must_fail lvbatch --bogus --wrap true >out 2>err &&
	test_must_be_empty out &&
	cat >expect <<-\EOF &&
	lvbatch: unrecognized option '"'"'--bogus'"'"'
	Try "lvbatch --help" for more information
	EOF
	test_cmp expect err &&
	test_must_fail lvbatch -y --wrap true 2>err &&
	test_grep "^lvbatch: invalid option -- '"'"'y'"'"'$" err &&
	all_jobs >after.jobs &&
	test_cmp before.jobs after.jobs
'

test_expect_success MUNGE 'an unknown option in a directive is refused with its line number' '
	printf "#!/bin/sh\n#SBATCH -J x\n#SBATCH --bogus\ntrue\n" >bad.sh &&
	refused "line 3: unrecognized option '"'"'--bogus'"'"'" bad.sh
'

test_expect_success MUNGE 'a bad --time is refused' '
	refused "Invalid --time specification" --time=abc --wrap true &&
	refused "Invalid --time specification" -t -5 --wrap true &&
	refused "Invalid --time specification" -t 1:2:3:4 --wrap true
'

test_expect_success MUNGE 'a bad --mem is refused' '
	refused "Invalid --mem specification" --mem=lots --wrap true &&
	refused "Invalid --mem specification" --mem=10X --wrap true &&
	refused "Invalid --mem-per-cpu specification" --mem-per-cpu=-1 --wrap true
'

test_expect_success MUNGE 'a bad -N is refused' '
	refused "Invalid --nodes specification" -N 0 --wrap true &&
	refused "Invalid --nodes specification" -N x --wrap true &&
	refused "Invalid --nodes specification" -N 3-1 --wrap true
'

test_expect_success MUNGE 'a script without #! is refused' '
	printf "echo hello\n" >nosh.sh &&
	refused "This does not look like a batch script.  The first line must start with #! followed by the path to an interpreter." nosh.sh &&
	all_jobs >before.jobs &&
	printf "echo hello\n" | test_must_fail lvbatch 2>err &&
	test_grep "This does not look like a batch script" err &&
	all_jobs >after.jobs &&
	test_cmp before.jobs after.jobs
'

test_expect_success MUNGE 'an empty script is refused' '
	: >empty.sh &&
	refused "Batch script is empty!" empty.sh &&
	printf "\n  \n" >blank.sh &&
	refused "Batch script contains only whitespace!" blank.sh &&
	all_jobs >before.jobs &&
	test_must_fail lvbatch </dev/null 2>err &&
	test_grep "^lvbatch: error: Batch script is empty!$" err &&
	all_jobs >after.jobs &&
	test_cmp before.jobs after.jobs
'

test_expect_success MUNGE 'a script file that does not exist is refused' '
	refused "Unable to open file nonexistent.sh: No such file or directory" nonexistent.sh
'

test_expect_success MUNGE 'a nonexistent partition is refused' '
	refused "Invalid partition name specified: nope" -p nope --wrap true &&
	printf "#!/bin/sh\n#SBATCH -p nope\ntrue\n" >part.sh &&
	refused "Invalid partition name specified: nope" part.sh &&
	test_grep "job: refused submission from uid=0: Invalid partition name specified: nope" "$CLUSTER/lvctld.log"
'

test_expect_success MUNGE 'requests no node can satisfy are refused: -n 100, --mem, -N 9, -c 3' '
	refused "Requested node configuration is not available" -n 100 --wrap true &&
	refused "Requested node configuration is not available" --mem=100T --wrap true &&
	refused "Requested node configuration is not available" -N 9 --wrap true &&
	refused "Requested node configuration is not available" -c 3 --wrap true
'

test_expect_success MUNGE 'a bad --array is refused' '
	refused "Invalid job array specification" --array=5-1 --wrap true &&
	refused "Invalid job array specification" --array=abc --wrap true &&
	refused "Invalid job array specification" --array=1-10%0 --wrap true &&
	refused "Invalid job array specification" --array=1-4:0 --wrap true &&
	refused "Invalid job array specification" --array=1-2000000 --wrap true
'

test_expect_success MUNGE 'a bad --dependency is refused' '
	refused "Invalid --dependency specification" --dependency=foo:1 --wrap true &&
	refused "Invalid --dependency specification" -d afterok --wrap true &&
	refused "Invalid --dependency specification" -d afterok:x --wrap true &&
	refused "Invalid --dependency specification" -d "afterok:1?afterany:2,afterok:3" --wrap true
'

test_expect_success MUNGE 'a dependency on a job that does not exist is refused' '
	refused "Job dependency problem: job 999999 does not exist" -d afterok:999999 --wrap true &&
	refused "Job dependency problem: job 999999 does not exist" -d afterany:1:999999 --wrap true
'

test_expect_success MUNGE 'a good submission after all the refusals runs normally' '
	lvqueue -h >pending &&
	test_must_be_empty pending &&
	id=$(lvbatch --parsable -o after.out --wrap "echo still fine") &&
	wait_done $id &&
	echo "still fine" >expect &&
	test_cmp expect after.out &&
	lvinfo -h >out &&
	test_grep "^debug\* *up *infinite *4 *idle n\[1-4\]$" out
'

test_done
