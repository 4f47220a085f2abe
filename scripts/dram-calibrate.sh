#!/bin/bash
# Measures the LPDDR5 layer on a cycle-level DRAM simulator, Ramulator 2.1
# (CMU SAFARI), and writes the calibration table the `calib` memory model reads.
# usage: scripts/dram-calibrate.sh RAMULATOR_DIR [OUT.csv [KV.csv]]
#   RAMULATOR_DIR  a checkout of github.com/CMU-SAFARI/ramulator2 (2.1 line,
#                  tested at c5b1c3a). Built in RAMULATOR_DIR/build-odmasim with
#                  its Python bindings off and Debian's yaml-cpp and fmt in place
#                  of the copies its CMake would download (offline). Nothing of
#                  Ramulator enters this repository.
#   OUT.csv        default device_models/calib/lpddr5-6400-x24-ramulator.csv
#   KV.csv         default results/dram/kv-ramulator.csv
# Needs cmake, g++, python3, libyaml-cpp-dev, libfmt-dev (scripts/setup-debian.sh
# --dram). ~1 min after the build (~10-15 min on 2 cores). Deterministic: the
# same checkout gives byte-identical tables.
# What is simulated: ONE LPDDR5-6400 x16 channel (scripts/dram/ram2_config.py)
# fed with the share of every pattern that one of the MLU370-X4's 24 channels
# sees under a 256 B channel interleave (scripts/dram/gentrace.py); the driver
# (scripts/dram/ram2_drive.cpp) keeps the controller's read queue full.
set -euo pipefail
[ $# -ge 1 ] && [ -d "$1/src/ramulator" ] || {
	echo "usage: $0 RAMULATOR_DIR [OUT.csv [KV.csv]] (a ramulator2 2.1 checkout)" >&2
	exit 2
}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
ram=$(cd "$1" && pwd)
out=${2:-$root/device_models/calib/lpddr5-6400-x24-ramulator.csv}
kv=${3:-$root/results/dram/kv-ramulator.csv}
b=$ram/build-odmasim
export LC_ALL=C
mkdir -p "$b/stubs/yaml-cpp" "$b/stubs/fmt" "$b/work" "$(dirname "$out")" "$(dirname "$kv")"
# Stand-ins for CMake FetchContent: Debian's packages, under the target names
# Ramulator links (Debian's yaml-cpp 0.7 has no yaml-cpp::yaml-cpp alias).
cat >"$b/stubs/yaml-cpp/CMakeLists.txt" <<'CM'
find_package(yaml-cpp REQUIRED CONFIG)
set_target_properties(yaml-cpp PROPERTIES IMPORTED_GLOBAL TRUE)
if(NOT TARGET yaml-cpp::yaml-cpp)
  add_library(yaml-cpp::yaml-cpp ALIAS yaml-cpp)
endif()
CM
cat >"$b/stubs/fmt/CMakeLists.txt" <<'CM'
find_package(fmt REQUIRED CONFIG)
set_target_properties(fmt::fmt PROPERTIES IMPORTED_GLOBAL TRUE)
CM
cmake -S "$ram" -B "$b/cmake" -DCMAKE_BUILD_TYPE=Release -DRAMULATOR_PYTHON_BINDINGS=OFF \
	-DFETCHCONTENT_FULLY_DISCONNECTED=ON -DFETCHCONTENT_SOURCE_DIR_YAML-CPP="$b/stubs/yaml-cpp" \
	-DFETCHCONTENT_SOURCE_DIR_FMT="$b/stubs/fmt" >"$b/cmake.log"
make -C "$b/cmake" -j2 >"$b/make.log"
g++ -std=c++20 -O2 -I"$ram/src" "$here/dram/ram2_drive.cpp" -L"$ram" -lramulator -lyaml-cpp \
	-lfmt -Wl,-rpath,"$ram" -o "$b/ram2_drive"
for m in MOP4CLXOR RoBaRaCoCh; do
	PYTHONPATH=$ram/python python3 "$here/dram/ram2_config.py" AllBank $m >"$b/$m.yaml"
done
drive() { "$b/ram2_drive" "$b/$1.yaml" "$2" | awk '{printf "%.4f", $5 / 12.8}'; }
commit=$(git -C "$ram" rev-parse HEAD 2>/dev/null || echo unknown)
{
	echo "# LPDDR5-6400 x16, measured with Ramulator 2 (github.com/CMU-SAFARI/ramulator2 commit $commit)"
	echo "# command: scripts/dram-calibrate.sh RAMULATOR_DIR (odmasim); config: scripts/dram/ram2_config.py AllBank MOP4CLXOR"
	echo "# LPDDR5 controller, FR-FCFS, open rows, 32-entry read queue, all-bank refresh, LPDDR5_8Gb_x16, LPDDR5_6400"
	echo "# ONE channel simulated: it receives its share of reads of L bytes at random addresses on a card"
	echo "# of 24 channels striped every 256 B (assumption); 2^20 B per channel per point, 32 B reads"
	echo "# efficiency = channel GB/s / 12.8 (MOP4CLXOR address mapping: bank groups interleaved every 128 B)"
	echo "# efficiency_robaracoch: same with RoBaRaCoCh mapping (whole rows per bank), a sensitivity"
	echo "# DRAM layer only: no accelerator DMA issue cost (see device.mem_calib_dma_bytes)"
	echo "run_bytes,efficiency,efficiency_robaracoch"
	L=64
	while [ $L -le 4194304 ]; do
		t=$b/work/run$L
		python3 "$here/dram/gentrace.py" run $L "$t"
		echo "$L,$(drive MOP4CLXOR "$t"),$(drive RoBaRaCoCh "$t")"
		L=$((L * 2))
	done
} >"$out.tmp"
mv "$out.tmp" "$out"
{
	echo "# KV reads of DeepSeek-R1-Distill-Qwen-7B on one LPDDR5-6400 channel of 24 (Ramulator 2 commit $commit)"
	echo "# decode batch of 4 requests of C tokens, 2 layers traced; paged: 16-token blocks at random pool slots"
	echo "# efficiency = channel GB/s / 12.8 (MOP4CLXOR); ratio = paged time / contiguous time for the same bytes"
	echo "# *_robaracoch: the same with RoBaRaCoCh mapping (a sensitivity)"
	echo "context,pattern,efficiency,ratio,efficiency_robaracoch,ratio_robaracoch"
	ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.4f", a / b}'; }
	for C in 512 2048 8192; do
		python3 "$here/dram/gentrace.py" contig $C "$b/work/contig"
		ec=$(drive MOP4CLXOR "$b/work/contig")
		rc=$(drive RoBaRaCoCh "$b/work/contig")
		echo "$C,contiguous,$ec,1.0000,$rc,1.0000"
		for lay in per_layer per_head; do
			python3 "$here/dram/gentrace.py" paged $lay $C "$b/work/$lay"
			e=$(drive MOP4CLXOR "$b/work/$lay")
			r=$(drive RoBaRaCoCh "$b/work/$lay")
			echo "$C,paged_$lay,$e,$(ratio "$ec" "$e"),$r,$(ratio "$rc" "$r")"
		done
	done
} >"$kv.tmp"
mv "$kv.tmp" "$kv"
echo "dram-calibrate: wrote $out and $kv" >&2
