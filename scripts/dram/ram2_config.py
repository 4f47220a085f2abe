#!/usr/bin/env python3
"""Writes the Ramulator 2.1 configuration dram-calibrate.sh runs, as YAML.

usage: PYTHONPATH=RAMULATOR_DIR/python ram2_config.py REFRESH MAPPER > config.yaml
One LPDDR5-6400 x16 channel (LPDDR5_8Gb_x16: 4 bank groups x 4 banks, 2 KiB
rows) behind Ramulator's LPDDR5 controller: FR-FCFS, open rows, the controller's
default 32-entry read queue. REFRESH is a Ramulator refresh manager (AllBank,
PerBank or NoRefresh); MAPPER its address mapper (MOP4CLXOR: 128 B of a row,
then the next bank group, as LPDDR5's bank-group mode needs to stream at
full rate; RoBaRaCoCh: whole rows, bank after bank).
Only Ramulator's pure-Python config layer is used (no native module): the
driver (ram2_drive.cpp) loads the YAML through Ramulator's C++ library.
"""
import sys

import ramulator
from ramulator.export import dict_to_yaml


def main():
    refresh = sys.argv[1] if len(sys.argv) > 1 else "AllBank"
    mapper = sys.argv[2] if len(sys.argv) > 2 else "MOP4CLXOR"
    dram = ramulator.dram.LPDDR5(org_preset="LPDDR5_8Gb_x16", timing_preset="LPDDR5_6400")
    ctrl = ramulator.controller.LPDDR5(
        dram=dram,
        scheduler=ramulator.scheduler.FRFCFS(),
        refresh_manager=getattr(ramulator.refresh_manager, refresh)(),
        row_policy=ramulator.row_policy.Open(),
        addr_mapper=getattr(ramulator.addr_mapper, mapper)(),
    )
    mem = ramulator.memory_system.GenericDRAM(
        clock_ratio=1,
        controllers=[ctrl],
        channel_mapper=ramulator.channel_mapper.CacheLineInterleave(),  # one channel: all to 0
    )
    fe = ramulator.frontend.External(clock_ratio=1)
    sys.stdout.write(dict_to_yaml({"frontend": fe.to_config(), "memory_system": mem.to_config()}))


if __name__ == "__main__":
    main()
