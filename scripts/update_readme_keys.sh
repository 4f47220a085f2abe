#!/bin/bash
# Regenerates the README's configuration reference from `odmasim keys`.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/odmasim}
python3 - "$bin" <<'PY'
import subprocess, sys
keys = subprocess.run([sys.argv[1], "keys"], check=True, capture_output=True, text=True).stdout
s = open("README.md").read()
a = s.index("<!-- keys:begin")
a = s.index("\n", a) + 1
b = s.index("<!-- keys:end -->")
open("README.md", "w").write(s[:a] + keys + s[b:])
PY
