#!/usr/bin/env python3
"""Writes odmasim.1 from the help text the binary itself prints (`odmasim help`
and `odmasim help COMMAND`), so the man page can never disagree with --help.
usage: gen_man.py PATH/TO/odmasim OUT.1"""
import subprocess
import sys

binary, out = sys.argv[1], sys.argv[2]


def run(*args):
    return subprocess.run([binary, *args], capture_output=True, text=True, check=True).stdout


def esc(line):
    line = line.replace("\\", "\\e")
    return ("\\&" + line) if line[:1] in (".", "'") else line


def verbatim(text):
    return [".nf"] + [esc(l) for l in text.rstrip("\n").split("\n")] + [".fi"]


overview = run("help")
version = run("--version").split()[1]
commands = []
in_cmds = False
for line in overview.split("\n"):
    if line.startswith("commands:"):
        in_cmds = True
        continue
    if in_cmds:
        if not line.strip():
            break
        commands.append(line.split()[0])

page = [
    '.TH ODMASIM 1 "" "odmasim %s" "User Commands"' % version,
    ".SH NAME",
    "odmasim \\- trace-driven simulator of LLM serving on LPDDR-class accelerators",
    ".SH SYNOPSIS",
    ".B odmasim",
    ".I COMMAND",
    "[ARGS]",
    ".SH DESCRIPTION",
    "This page is generated from the program's own help text.",
]
page += verbatim(overview)
page.append(".SH COMMANDS")
for c in commands:
    page.append(".SS %s" % c)
    page += verbatim(run("help", c))
page += [
    ".SH ENVIRONMENT",
    ".TP",
    ".B ODMASIM_TRACES",
    "a directory searched for trace files named without a '/' (after workload.trace_dir);",
    "then $XDG_DATA_HOME/odmasim/traces, <prefix>/share/odmasim/traces and ../shared/traces.",
    ".SH FILES",
    "<prefix>/share/odmasim/presets, <prefix>/share/odmasim/experiments:",
    "the device and model presets (built into the binary too) and the example experiments.",
]
with open(out, "w") as f:
    f.write("\n".join(page) + "\n")
