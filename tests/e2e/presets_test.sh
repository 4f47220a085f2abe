#!/bin/bash
# Every device and model preset loads and runs; model.hf_config builds a model
# from a Hugging Face config.json (the llama-2-7b one gives the preset's KV
# size and, within rounding of params_b, its pool); bad config.json files
# fail naming the file and field; mlu370-x4-dram's built-in Ramulator table is
# the committed CSV.
# usage: presets_test.sh PATH/TO/odmasim   (run from the project root)
. "$(dirname "$0")/lib.sh"
small=(--set workload.num_requests=50 -q)
for d in $("$bin" list devices); do
	"$bin" run "${small[@]}" --set device.preset="$d" --set model.preset=llama-2-7b -o "$tmp/d-$d" 2>"$tmp/err" \
		&& ok || bad "device preset $d: $(cat "$tmp/err")"
done
for m in $("$bin" list models); do
	tp=()
	case $m in *70b) tp=(--set cluster.mode=tensor_parallel --set cluster.devices=4) ;; esac
	"$bin" run "${small[@]}" --set device.preset=a100-80g --set model.preset="$m" "${tp[@]}" -o "$tmp/m-$m" 2>"$tmp/err" \
		&& ok || bad "model preset $m: $(cat "$tmp/err")"
done

val() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1/summary.json" "$2"; }
"$bin" run "${small[@]}" --set model.hf_config=tests/data/hf/llama-2-7b.json -o "$tmp/hf" 2>"$tmp/err" || bad "hf_config: $(cat "$tmp/err")"
"$bin" run "${small[@]}" --set model.preset=llama-2-7b -o "$tmp/pre" 2>"$tmp/err" || bad "llama-2-7b preset: $(cat "$tmp/err")"
expect "hf_config: model name from _name_or_path" [ "$(val "$tmp/hf" model)" = Llama-2-7b-hf ]
python3 - "$(val "$tmp/hf" kv_pool_tokens)" "$(val "$tmp/pre" kv_pool_tokens)" <<'PY' && ok || bad "hf_config pool differs from the preset's"
import sys
a, b = int(sys.argv[1]), int(sys.argv[2])
assert a != 0 and abs(a - b) <= 0.001 * b, (a, b)
PY
"$bin" run "$tmp/hf/config.ini" -q -o "$tmp/hf2" && cmp -s "$tmp/hf/summary.csv" "$tmp/hf2/summary.csv" \
	&& ok || bad "an hf_config run's config.ini does not rerun to the same result"

# mlu370-x4-dram reads the committed Ramulator table compiled in: the same
# curve as the file on disk, and the file's efficiencies at its own points.
tab=device_models/calib/lpddr5-6400-x24-ramulator.csv
"$bin" bandwidth --set device.preset=mlu370-x4-dram >"$tmp/bw-builtin" 2>"$tmp/err" || bad "dram preset: $(cat "$tmp/err")"
"$bin" bandwidth --set device.preset=mlu370-x4-dram --set device.mem_calib_file="$tab" >"$tmp/bw-file" 2>"$tmp/err" \
	|| bad "dram table as a file: $(cat "$tmp/err")"
expect "builtin table = committed file" cmp -s "$tmp/bw-builtin" "$tmp/bw-file"
python3 - "$tab" "$tmp/bw-builtin" <<'PY' && ok || bad "the preset's efficiencies differ from the table's points"
import csv, sys
tab = {int(r["run_bytes"]): float(r["efficiency"])
       for r in csv.DictReader(l for l in open(sys.argv[1]) if not l.startswith("#"))}
got = {int(r["run_bytes"]): float(r["fraction_of_peak"]) for r in csv.DictReader(open(sys.argv[2]))}
common = [L for L in tab if L in got]
assert len(common) >= 10, common
for L in common:
    assert abs(got[L] - tab[L]) < 1e-4, (L, got[L], tab[L])
PY

hf_bad() { # NAME JSON EXPECTED
	printf '%s\n' "$2" >"$tmp/$1.json"
	"$bin" run "${small[@]}" --set "model.hf_config=$tmp/$1.json" -o "$tmp/bad-$1" 2>"$tmp/err" && bad "$1 accepted" || ok
	expect "$1: $3" grep -qF "$3" "$tmp/err"
	[ ! -e "$tmp/bad-$1" ] && ok || bad "$1: output left behind"
}
hf_bad arch '{"model_type": "gpt2", "n_layer": 12}' "model_type: 'gpt2' is not an architecture"
hf_bad nolayers '{"model_type": "llama", "num_attention_heads": 32, "hidden_size": 4096, "intermediate_size": 11008, "vocab_size": 32000, "torch_dtype": "float16"}' "num_hidden_layers: missing"
hf_bad notjson '{"model_type": "llama",' "not a JSON config"
hf_bad dtype '{"model_type": "llama", "num_hidden_layers": 2, "num_attention_heads": 4, "hidden_size": 64, "intermediate_size": 128, "vocab_size": 100, "torch_dtype": "int4"}' "torch_dtype: unsupported dtype 'int4'"
finish
