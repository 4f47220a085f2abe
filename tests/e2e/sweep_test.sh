#!/bin/bash
# End-to-end tests of `odmasim sweep` and `odmasim merge`:
# run, resume, reformulated sweep file (stable names), merge correctness,
# GNU parallel and Slurm-script equivalence, failure isolation, interrupt.
# Usage: sweep_test.sh PATH/TO/odmasim
set -uo pipefail
ODM=$(realpath "$1")
T=$(mktemp -d /tmp/odmasim-sweep-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T"
fails=0
check() { # check DESCRIPTION COMMAND...
	if "${@:2}"; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
ndirs() { find "$1/runs" -mindepth 1 -maxdepth 1 -type d ! -name '*.tmp-*' | wc -l; }

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
cat >a.ini <<'EOF'
[sweep]
base = base.ini
out = A
[grid]
workload.rate = 1, 2, 4
scheduler.max_num_seqs = 16, 64
EOF

# --- a sweep runs every combination, each into its own directory
"$ODM" sweep a.ini -j 2 2>a1.err
check "sweep exits 0" test $? -eq 0
check "6 run directories" test "$(ndirs A)" -eq 6
check "manifest lists 6 runs" test "$(wc -l <A/manifest.csv)" -eq 7
check "no logs kept for successful runs" test -z "$(ls A/logs)"
check "line-based progress when not a terminal" grep -q '^sweep: \[6/6\] ok' a1.err

# --- resume: nothing is redone; finished directories are untouched
ls -i A/runs >inodes1
"$ODM" sweep a.ini -j 2 2>a2.err
check "rerun exits 0" test $? -eq 0
check "rerun runs nothing" grep -q '(0 ran now, 6 already)' a2.err
ls -i A/runs >inodes2
check "rerun keeps directories" cmp -s inodes1 inodes2
victim=$(ls A/runs | sed -n 3p)
cp A/runs/"$victim"/summary.csv victim.csv
rm -r A/runs/"$victim"
"$ODM" sweep a.ini -j 2 2>a3.err
check "a removed run is redone, alone" grep -q '(1 ran now, 5 already)' a3.err
check "the redone run is byte-identical" cmp -s victim.csv A/runs/"$victim"/summary.csv

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
"$ODM" sweep a_alt.ini 2>alt.err
check "reformulated sweep finds its runs done" grep -q '(0 ran now, 3 already)' alt.err

# --- merge: one row per run, swept keys, then the run's summary verbatim
"$ODM" merge A -o A.csv 2>/dev/null
check "merge exits 0" test $? -eq 0
"$ODM" sweep a.ini 2>/dev/null # rewrite the manifest of a.ini
"$ODM" merge A -o A.csv 2>/dev/null
check "table has header + 6 rows" test "$(wc -l <A.csv)" -eq 7
check "table header" test "$(head -1 A.csv)" = \
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
check "each row = run, its config's swept values, its summary (in sweep order)" test $? -eq 0
"$ODM" merge A/runs -o runs.csv 2>/dev/null
check "merge of a directory of runs finds the differing keys" \
	test "$(head -1 runs.csv | cut -d, -f1-3)" = "run,workload.rate,scheduler.max_num_seqs"
check "same rows either way" cmp -s <(tail -n +2 A.csv | sort) <(tail -n +2 runs.csv | sort)

# --- GNU parallel: the emitted commands give the identical table
"$ODM" sweep a.ini -o P --emit-jobs 2>/dev/null >jobs.txt
check "one command per pending run" test "$(wc -l <jobs.txt)" -eq 6
(cd / && parallel --will-cite -j 2 <"$T/jobs.txt")
check "parallel ran every job" test $? -eq 0
"$ODM" merge P -o P.csv 2>/dev/null
check "GNU parallel table == sweep table" cmp P.csv A.csv
check "commands are idempotent (rerun does nothing)" bash jobs.txt
check "nothing pending afterwards" test -z "$("$ODM" sweep a.ini -o P --emit-jobs 2>/dev/null)"

# --- Slurm: the array script, run task by task, gives the identical table
"$ODM" sweep a.ini -o S --emit-slurm job.sbatch 2>/dev/null
check "sbatch script is valid bash" bash -n job.sbatch
check "array spans the pending runs" grep -q '^#SBATCH --array=0-5$' job.sbatch
for i in 0 1 2 3 4 5; do SLURM_ARRAY_TASK_ID=$i bash job.sbatch || fails=$((fails + 1)); done
"$ODM" merge S -o S.csv 2>/dev/null
check "Slurm table == sweep table" cmp S.csv A.csv

# --- failure isolation: bad values, a failing run and a crashing worker
cat >crash.sh <<EOF
#!/bin/sh
# Worker wrapper: crashes (SIGSEGV) on the rate-3 synthetic run, else runs odmasim.
if grep -q '^rate = 3\$' "\$2" && grep -q '^trace = \$' "\$2"; then kill -SEGV \$\$; fi
exec "$ODM" "\$@"
EOF
chmod +x crash.sh
cat >f.ini <<'EOF'
[sweep]
base = base.ini
out = F
[grid]
workload.rate = 1, 2, 3, -1
workload.trace = "", /nonexistent/trace.csv
EOF
"$ODM" sweep f.ini -j 2 --exec ./crash.sh 2>f.err
rc=$?
check "a sweep with failures exits 1" test $rc -eq 1
check "the good runs completed" test "$(ndirs F)" -eq 2
check "crash reported with its signal" grep -q 'killed by signal 11' f.err
check "runtime error reported" grep -q 'error:  /nonexistent/trace.csv: cannot open' f.err
check "invalid value reported" grep -q 'workload.rate: -1 is out of range' f.err
check "failed config reported" grep -q 'config: workload.rate=3 workload.trace=$' f.err
check "6 failures listed" test "$(grep -c '^sweep: FAILED run' f.err)" -eq 6
check "no partial results left" test -z "$(find F/runs -name '*.tmp-*')"
"$ODM" merge F -o F.csv 2>fm.err
check "merge takes the complete runs only" test "$(wc -l <F.csv)" -eq 3
check "merge names the incomplete ones" test "$(grep -c 'not complete, left out' fm.err)" -eq 4

# --- interrupt and resume: finished runs survive, the rest run on resume
cat >slow.sh <<EOF
#!/bin/sh
sleep 0.4
exec "$ODM" "\$@"
EOF
chmod +x slow.sh
cat >i.ini <<'EOF'
[sweep]
base = base.ini
out = I
[grid]
workload.seed = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
EOF
"$ODM" sweep i.ini -j 2 --exec ./slow.sh 2>i1.err &
pid=$!
# Interrupt once the first run is complete (each takes at least 0.4 s, so
# most of the 12 are still to do).
for _ in $(seq 200); do [ -d I/runs ] && [ "$(ndirs I)" -ge 1 ] && break; sleep 0.1; done
kill -INT $pid
wait $pid
rc=$?
check "interrupted sweep exits 130" test $rc -eq 130
k=$(ndirs I)
check "interrupted part-way ($k of 12 complete)" test "$k" -ge 1 -a "$k" -lt 12
check "no partial results after interrupt" test -z "$(find I/runs -name '*.tmp-*')"
check "no logs of stopped runs" test -z "$(ls I/logs)"
ls -i I/runs >iin1
"$ODM" sweep i.ini -j 2 2>i2.err
check "resume runs only the rest" grep -q "($((12 - k)) ran now, $k already)" i2.err
check "resume completes the sweep" test "$(ndirs I)" -eq 12
check "resume leaves finished runs alone" \
	bash -c "ls -i I/runs | grep -F -x -f iin1 | wc -l | grep -qx $k"

if [ $fails -ne 0 ]; then
	echo "$fails check(s) failed; stderr of the sweeps:"
	tail -n 5 ./*.err
	exit 1
fi
echo "all sweep checks passed"
