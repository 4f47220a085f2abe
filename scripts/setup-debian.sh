#!/bin/sh
# Installs what odmasim needs to build, test and plot on Debian/Ubuntu.
# Uses sudo when not run as root. Safe to run again.
set -eu
pkgs="meson ninja-build pkg-config gcc libgsl-dev libcsv-dev check libinih-dev libjansson-dev gnuplot-nox parallel"
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
