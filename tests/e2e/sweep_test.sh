#!/bin/bash
# End-to-end tests of `odmasim sweep` and `odmasim merge`:
# run, resume, reformulated sweep file (stable names), merge correctness,
# GNU parallel and Slurm-script equivalence, failure isolation, interrupt.
# Usage: sweep_test.sh PATH/TO/odmasim
. "$(dirname "$0")/lib.sh"
cd "$tmp"
ndirs() { find "$1/runs" -mindepth 1 -maxdepth 1 -type d ! -name '*.tmp-*' | wc -l; }

# sweep_grid OUT: a sweep file over base.ini writing to OUT; its grid on stdin.
sweep_grid() { printf '[sweep]\nbase = base.ini\nout = %s\n[grid]\n' "$1" && cat; }
# worker FILE LINE: an --exec wrapper that runs the shell LINE, then odmasim.
worker() { printf '#!/bin/sh\n%s\nexec "%s" "$@"\n' "$2" "$bin" >"$1" && chmod +x "$1"; }

cat >base.ini <<'EOF'
[workload]
trace =
arrival = poisson
rate = 2
num_requests = 200
seed = 1
[policy]
name = static
EOF
sweep_grid A >a.ini <<'EOF'
workload.rate = 1, 2, 4
scheduler.max_num_seqs = 16, 64
EOF

# --- a sweep runs every combination, each into its own directory
"$bin" sweep a.ini -j 2 2>a1.err
expect "sweep exits 0" test $? -eq 0
expect "6 run directories" test "$(ndirs A)" -eq 6
expect "manifest lists 6 runs" test "$(wc -l <A/manifest.csv)" -eq 7
expect "no logs kept for successful runs" test -z "$(ls A/logs)"
expect "line-based progress when not a terminal" grep -q '^sweep: \[6/6\] ok' a1.err

# --- resume: nothing is redone; finished directories are untouched
ls -i A/runs >inodes1
"$bin" sweep a.ini -j 2 2>a2.err
expect "rerun exits 0" test $? -eq 0
expect "rerun runs nothing" grep -q '(0 ran now, 6 already)' a2.err
ls -i A/runs >inodes2
expect "rerun keeps directories" cmp -s inodes1 inodes2
victim=$(ls A/runs | sed -n 3p)
cp A/runs/"$victim"/summary.csv victim.csv
rm -r A/runs/"$victim"
"$bin" sweep a.ini -j 2 2>a3.err
expect "a removed run is redone, alone" grep -q '(1 ran now, 5 already)' a3.err
expect "the redone run is byte-identical" cmp -s victim.csv A/runs/"$victim"/summary.csv

# --- stable names: the same configurations written differently are found
cat >a_alt.ini <<'EOF'
; same runs for max_num_seqs = 16, given as a fixed value and in another order
[set]
scheduler.max_num_seqs = 16
[grid]
workload.rate = 4, 2, 1
[sweep]
out = A
base = ./base.ini
EOF
"$bin" sweep a_alt.ini 2>alt.err
expect "reformulated sweep finds its runs done" grep -q '(0 ran now, 3 already)' alt.err

# --- merge: one row per run, swept keys, then the run's summary verbatim
"$bin" merge A -o A.csv 2>/dev/null
expect "merge exits 0" test $? -eq 0
"$bin" sweep a.ini 2>/dev/null # rewrite the manifest of a.ini
"$bin" merge A -o A.csv 2>/dev/null
expect "table has header + 6 rows" test "$(wc -l <A.csv)" -eq 7
expect "table header" test "$(head -1 A.csv)" = \
	"run,workload.rate,scheduler.max_num_seqs,$(head -1 A/runs/"$victim"/summary.csv)"
row=1
merge_ok=true
tail -n +2 A/manifest.csv | while IFS=, read -r dir hash rate seqs; do
	row=$((row + 1))
	cr=$(sed -n 's/^rate = //p' A/runs/"$dir"/config.ini)
	cs=$(sed -n 's/^max_num_seqs = //p' A/runs/"$dir"/config.ini)
	want="$dir,$cr,$cs,$(sed -n 2p A/runs/"$dir"/summary.csv)"
	got=$(sed -n "${row}p" A.csv)
	[ "$rate" = "$cr" ] && [ "$seqs" = "$cs" ] && [ "$got" = "$want" ] || exit 1
done
expect "each row = run, its config's swept values, its summary (in sweep order)" test $? -eq 0
"$bin" merge A/runs -o runs.csv 2>/dev/null
expect "merge of a directory of runs finds the differing keys" \
	test "$(head -1 runs.csv | cut -d, -f1-3)" = "run,workload.rate,scheduler.max_num_seqs"
expect "same rows either way" cmp -s <(tail -n +2 A.csv | sort) <(tail -n +2 runs.csv | sort)

# --- GNU parallel: the emitted commands give the identical table
"$bin" sweep a.ini -o P --emit-jobs 2>/dev/null >jobs.txt
expect "one command per pending run" test "$(wc -l <jobs.txt)" -eq 6
(cd / && parallel --will-cite -j 2 <"$tmp/jobs.txt")
expect "parallel ran every job" test $? -eq 0
"$bin" merge P -o P.csv 2>/dev/null
expect "GNU parallel table == sweep table" cmp P.csv A.csv
expect "commands are idempotent (rerun does nothing)" bash jobs.txt
expect "nothing pending afterwards" test -z "$("$bin" sweep a.ini -o P --emit-jobs 2>/dev/null)"

# --- Slurm: the array script, run task by task, gives the identical table
"$bin" sweep a.ini -o S --emit-slurm job.sbatch 2>/dev/null
expect "sbatch script is valid bash" bash -n job.sbatch
expect "array spans the pending runs" grep -q '^#SBATCH --array=0-5$' job.sbatch
for i in 0 1 2 3 4 5; do SLURM_ARRAY_TASK_ID=$i bash job.sbatch || fail=$((fail + 1)); done
"$bin" merge S -o S.csv 2>/dev/null
expect "Slurm table == sweep table" cmp S.csv A.csv

# --- failure isolation: bad values, a failing run and a crashing worker
# a worker that crashes (SIGSEGV) on the rate-3 synthetic run
worker crash.sh 'if grep -q "^rate = 3\$" "$2" && grep -q "^trace = \$" "$2"; then kill -SEGV $$; fi'
sweep_grid F >f.ini <<'EOF'
workload.rate = 1, 2, 3, -1
workload.trace = "", /nonexistent/trace.csv
EOF
"$bin" sweep f.ini -j 2 --exec ./crash.sh 2>f.err
rc=$?
expect "a sweep with failures exits 1" test $rc -eq 1
expect "the good runs completed" test "$(ndirs F)" -eq 2
expect "crash reported with its signal" grep -q 'killed by signal 11' f.err
expect "runtime error reported" grep -q 'error:  /nonexistent/trace.csv: cannot open' f.err
expect "invalid value reported" grep -q 'workload.rate: -1 is out of range' f.err
expect "failed config reported" grep -q 'config: workload.rate=3 workload.trace=$' f.err
expect "6 failures listed" test "$(grep -c '^sweep: FAILED run' f.err)" -eq 6
expect "no partial results left" test -z "$(find F/runs -name '*.tmp-*')"
"$bin" merge F -o F.csv 2>fm.err
expect "merge takes the complete runs only" test "$(wc -l <F.csv)" -eq 3
expect "merge names the incomplete ones" test "$(grep -c 'not complete, left out' fm.err)" -eq 4

# --- interrupt and resume: finished runs survive, the rest run on resume
worker slow.sh 'sleep 0.4'
sweep_grid I >i.ini <<'EOF'
workload.seed = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
EOF
"$bin" sweep i.ini -j 2 --exec ./slow.sh 2>i1.err &
pid=$!
# Interrupt once the first run is complete (each takes at least 0.4 s, so
# most of the 12 are still to do).
for _ in $(seq 200); do [ -d I/runs ] && [ "$(ndirs I)" -ge 1 ] && break; sleep 0.1; done
kill -INT $pid
wait $pid
rc=$?
expect "interrupted sweep exits 130" test $rc -eq 130
k=$(ndirs I)
expect "interrupted part-way ($k of 12 complete)" test "$k" -ge 1 -a "$k" -lt 12
expect "no partial results after interrupt" test -z "$(find I/runs -name '*.tmp-*')"
expect "no logs of stopped runs" test -z "$(ls I/logs)"
ls -i I/runs >iin1
"$bin" sweep i.ini -j 2 2>i2.err
expect "resume runs only the rest" grep -q "($((12 - k)) ran now, $k already)" i2.err
expect "resume completes the sweep" test "$(ndirs I)" -eq 12
expect "resume leaves finished runs alone" \
	bash -c "ls -i I/runs | grep -F -x -f iin1 | wc -l | grep -qx $k"

# --- merge: a run is its directory, not its name
"$bin" run base.ini -q -o X/res && "$bin" run base.ini --set workload.rate=4 -q -o Y/res
"$bin" merge X/res Y/res -o XY.csv 2>xy.err
expect "merge: two runs named alike are two rows" test "$(wc -l <XY.csv)" -eq 3
expect "merge: ... named by their paths" grep -q '^X/res,' XY.csv
"$bin" merge X/res X/res/ -o XX.csv 2>/dev/null
expect "merge: the same directory twice is one row" test "$(wc -l <XX.csv)" -eq 2
# a run directory whose config does not hash to its manifest entry (sweep
# calls it a conflict) is left out of the table too
cp -r A C
conflicted=$(ls C/runs | sed -n 2p)
sed -i 's/^max_num_seqs = .*/max_num_seqs = 3/' C/runs/"$conflicted"/config.ini
"$bin" merge C -o C.csv 2>c.err
expect "merge leaves out a conflicting run" test "$(wc -l <C.csv)" -eq 6
expect "merge says why" grep -q "conflict, left out: C/runs/$conflicted" c.err

# --- a log left by a run that finished while its sweep was killed goes on rerun
h=$(sed -n 2p A/manifest.csv | cut -d, -f2)
echo stale >A/logs/"$h".log
"$bin" sweep a.ini 2>/dev/null
expect "rerun removes logs of finished runs" test ! -e A/logs/"$h".log

# --- SIGKILL of the sweep: its workers die too, no orphan finishes a run
worker slow2.sh 'sleep 1.5'
sweep_grid K >k.ini <<'EOF'
workload.seed = 1, 2, 3, 4
EOF
"$bin" sweep k.ini -j 2 --exec ./slow2.sh 2>/dev/null &
pid=$!
for _ in $(seq 100); do [ "$(ls K/logs 2>/dev/null | wc -l)" -ge 2 ] && break; sleep 0.05; done
kill -KILL $pid
wait $pid 2>/dev/null
sleep 2.5
expect "workers of a killed sweep do not run on" test "$(ndirs K)" -eq 0

# --- output that cannot be written (full disk) is an error, not exit 0
"$bin" sweep k.ini --emit-jobs >/dev/full 2>full.err
expect "--emit-jobs to a full disk fails" test $? -ne 0
expect "... saying so" grep -q 'standard output: write failed' full.err
expect "... in exactly one line (no summary)" test "$(wc -l <full.err)" -eq 1
"$bin" sweep a.ini --list >/dev/full 2>full.err
expect "--list to a full disk fails" test $? -ne 0
expect "... in exactly one line" test "$(wc -l <full.err)" -eq 1
# (a script path that cannot be written, not /dev/full: as root, renaming
# into /dev would replace the device)
"$bin" sweep k.ini --emit-slurm nodir/job.sbatch 2>full.err
expect "--emit-slurm to an unwritable path fails" test $? -ne 0
expect "... in exactly one line" test "$(wc -l <full.err)" -eq 1
# an existing path that is not a regular file is refused, not replaced (a
# FIFO, a directory and a link stand in for a device, safe even as root)
mkfifo fifo.sbatch && mkdir dir.sbatch && ln -s fifo.sbatch link.sbatch
for p in fifo.sbatch dir.sbatch link.sbatch; do
	"$bin" sweep k.ini --emit-slurm $p 2>full.err
	expect "--emit-slurm onto $p fails" test $? -ne 0
	expect "... in one line saying why" \
		test "$(wc -l <full.err)" -eq 1 -a "$(grep -c 'not a regular file' full.err)" -eq 1
done
expect "... leaving them as they were" test -p fifo.sbatch -a -d dir.sbatch -a -L link.sbatch
expect "... and no temporary file" test -z "$(ls | grep '\.tmp-')"
# --- workers train each distinct predictor model once (OUT/models) and give
# the runs a fresh `run` gives
{
	echo 'id,prompt_tokens,output_tokens,prompt'
	for i in $(seq 0 199); do echo "$i,$((5 + i % 7)),$((3 + (i * 37) % 90)),\"word$((i % 5)) how many $((i % 3))\""; done
} >texts.csv
printf '[workload]\ntrace = %s\narrival = offline\n[policy]\nname = s3\n[predictor]\nname = s3\n' \
	"$tmp/texts.csv" >pm_base.ini
printf '[sweep]\nbase = pm_base.ini\nout = PM\n[grid]\nscheduler.max_num_seqs = 4, 16, 64\n' >pm.ini
"$bin" sweep pm.ini -j 2 2>pm.err
expect "predictor sweep exits 0" test $? -eq 0
expect "one model file for three runs of one model" \
	test "$(find PM/models -name '*.model' | wc -l)" -eq 1
"$bin" run pm_base.ini -q -o p16 --set scheduler.max_num_seqs=16
expect "a worker with the saved model gives the run a fresh training gives" \
	diff -r -x config.ini p16 "$(find PM/runs -mindepth 1 -maxdepth 1 -name '*max_num_seqs-16-*')"

if [ $fail -ne 0 ]; then
	echo "$fail check(s) failed; stderr of the sweeps:"
	tail -n 5 ./*.err
	exit 1
fi
echo "all sweep checks passed"
