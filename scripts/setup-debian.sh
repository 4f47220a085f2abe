#!/bin/sh
# Installs what odmasim needs to build, test and plot on Debian/Ubuntu.
# Uses sudo when not run as root. Safe to run again.
set -eu
pkgs="meson ninja-build pkg-config gcc libgsl-dev libcsv-dev check libinih-dev libxgboost-dev libjansson-dev gnuplot-nox parallel"
# --vidur: also what scripts/vidur_crosscheck.sh and a Vidur checkout need
if [ "${1:-}" = --vidur ]; then
	pkgs="$pkgs python3-numpy python3-pandas python3-sklearn python3-scipy python3-fasteners"
	pkgs="$pkgs python3-plotly python3-matplotlib python3-seaborn python3-tqdm python3-yaml bc"
fi
# --dram: also what scripts/dram-calibrate.sh needs to build Ramulator 2 (not CI)
if [ "${1:-}" = --dram ]; then
	pkgs="$pkgs cmake g++ make python3 libyaml-cpp-dev libfmt-dev git"
fi
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "setup: installing$missing" >&2
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
