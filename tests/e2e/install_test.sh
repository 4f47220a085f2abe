#!/bin/bash
# Installing: `meson install` puts the binary, presets, experiments, man page,
# bash completion, LICENSE and CITATION.cff in place; the man page carries
# every command's own help text; bare trace names are looked up through
# workload.trace_dir, $ODMASIM_TRACES, $XDG_DATA_HOME/odmasim/traces, and the
# error says where it looked; --version names the commit.
# usage: install_test.sh PATH/TO/odmasim BUILD_DIR   (run from the project root)
. "$(dirname "$0")/lib.sh"
build=${2:?usage: install_test.sh ODMASIM BUILD_DIR}

meson install -C "$build" --destdir "$tmp/dest" --no-rebuild --quiet >"$tmp/inst.log" 2>&1 \
	|| bad "meson install: $(tail -3 "$tmp/inst.log")"
prefix=$(meson introspect "$build" --buildoptions | python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"][0])')
root=$tmp/dest$prefix
for f in bin/odmasim share/man/man1/odmasim.1 share/bash-completion/completions/odmasim \
	share/odmasim/presets/mlu370-x4.ini share/odmasim/experiments/quickstart.ini \
	share/doc/odmasim/LICENSE share/doc/odmasim/CITATION.cff; do
	[ -s "$root/$f" ] && ok || bad "not installed: $f"
done
[ -d "$root/share/odmasim/traces" ] && ok || bad "no share/odmasim/traces"
bash -n "$root/share/bash-completion/completions/odmasim" && ok || bad "completion script does not parse"
for c in $("$bin" help | awk '/^commands:/ { c = 1; next } c && NF == 0 { exit } c { print $1 }'); do
	first=$("$bin" help "$c" | head -1 | sed 's/\\/\\e/g')
	grep -qF -- "$first" "$root/share/man/man1/odmasim.1" && ok || bad "man page lacks '$c' help: $first"
done
"$bin" --version | grep -q '^odmasim [0-9.]* (commit [0-9a-f]*\(-dirty\)\?\|unknown)' && ok || bad "--version: $("$bin" --version)"

# the trace lookup chain, from a directory with no ../shared beside it
mkdir -p "$tmp/cwd" "$tmp/xdg/odmasim/traces" "$tmp/env" "$tmp/dir"
cp tests/data/traces/plain.jsonl "$tmp/xdg/odmasim/traces/t.jsonl"
printf '{"prompt_tokens": 5, "output_tokens": 1}\n' >"$tmp/env/t.jsonl"
printf '{"prompt_tokens": 5, "output_tokens": 1}\n{"prompt_tokens": 6, "output_tokens": 1}\n{"prompt_tokens": 7, "output_tokens": 1}\n' >"$tmp/dir/t.jsonl"
rows() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["requests_total"])' "$1/summary.json"; }
(cd "$tmp/cwd" && env -u ODMASIM_TRACES XDG_DATA_HOME="$tmp/xdg" "$bin" run --trace t.jsonl -q -o "$tmp/r1") \
	&& [ "$(rows "$tmp/r1")" = 4 ] && ok || bad "XDG_DATA_HOME lookup"
(cd "$tmp/cwd" && ODMASIM_TRACES="$tmp/env" XDG_DATA_HOME="$tmp/xdg" "$bin" run --trace t.jsonl -q -o "$tmp/r2") \
	&& [ "$(rows "$tmp/r2")" = 1 ] && ok || bad "ODMASIM_TRACES before XDG"
(cd "$tmp/cwd" && ODMASIM_TRACES="$tmp/env" "$bin" run --trace t.jsonl --set "workload.trace_dir=$tmp/dir" -q -o "$tmp/r3") \
	&& [ "$(rows "$tmp/r3")" = 3 ] && ok || bad "workload.trace_dir first"
(cd "$tmp/cwd" && env -u ODMASIM_TRACES XDG_DATA_HOME="$tmp/xdg" "$bin" run --trace nosuch.csv -q -o "$tmp/r4" 2>"$tmp/err") \
	&& bad "a missing trace was accepted" || ok
grep -q "looked in $tmp/xdg/odmasim/traces" "$tmp/err" && grep -q "share/odmasim/traces" "$tmp/err" \
	&& ok || bad "the error does not say where it looked: $(cat "$tmp/err")"
[ ! -e "$tmp/r4" ] && ok || bad "output left after a missing trace"
finish
