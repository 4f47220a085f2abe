#!/usr/bin/env python3
"""Access traces for dram-calibrate.sh: what ONE LPDDR5 channel of the
MLU370-X4 sees when the card reads a pattern.

usage: gentrace.py run L OUT            (a) runs of L bytes at random addresses
       gentrace.py paged LAYOUT C OUT   (b) paged attention, LAYOUT per_layer|per_head
       gentrace.py contig C OUT         (c) the same KV read as contiguous regions

The card: 24 x16 channels, 24 GiB, striped over the channels in 256 B pieces
(channel = (addr / 256) mod 24; the MLU370's interleave is not public, 256 B
is the same assumption as the lpddr5 model's lpddr_interleave_bytes). Only
channel 0's share of every pattern is written, as intra-channel byte
addresses of 32 B reads (one LPDDR5 x16 BL16 transaction), one per line:
channels share no DRAM state, and with random placement every channel sees
the same traffic, so one simulated channel stands for all 24.
Randomness: splitmix64 from a fixed seed, so traces are byte-identical on
every machine and Python version.
"""
import sys

CH, IL, TX = 24, 256, 32
CARD = 24 << 30
SEED = 0x0D4A51
# (a): aim for this many bytes on channel 0 per point.
TARGET = 1 << 20
# (b), (c): DeepSeek-R1-Distill-Qwen-7B (the study's model): 28 layers,
# 4 KV heads, head_dim 128, FP16; 16-token blocks; a decode batch of BATCH
# requests of C tokens each; LAYERS of its 28 layers are traced (the pattern
# repeats layer after layer).
KVH, HD, EB, BS = 4, 128, 2, 16
BATCH, LAYERS, NLAYERS = 4, 2, 28
# KV pool: 90% of 24 GiB minus 15.2 GB of weights, split per layer into a K
# and a V array of equal size (vLLM's per-layer cache tensors).
POOL = int(0.9 * CARD) - 15_232_000_000
TOK_BYTES = KVH * HD * EB  # K (or V) bytes per token per layer


class Rng:
    def __init__(self, seed):
        self.s = seed & (2**64 - 1)

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & (2**64 - 1)
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & (2**64 - 1)
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & (2**64 - 1)
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n


def emit(out, start, length):
    """Channel 0's 32 B reads of the run [start, start + length)."""
    a = start - start % TX
    end = start + length
    while a < end:
        piece = a // IL
        if piece % CH == 0:
            stop = min(end, (piece + 1) * IL)
            intra = (piece // CH) * IL
            while a < stop:
                out.append(intra + a % IL)
                a += TX
        else:
            a = (piece + 1) * IL
    return out


def pat_run(L):
    rng = Rng(SEED ^ L)
    align = min(L, 4096)  # runs start on a multiple of their size, up to a 4 KiB page
    slots = (CARD - L) // align
    n = max(1, -(-TARGET * CH // L))
    out = []
    for _ in range(n):
        emit(out, rng.below(slots) * align, L)
    return out


def kv_layout(layout, C, contiguous):
    """Yields (start, length) runs, layer after layer."""
    rng = Rng(SEED ^ (C << 8) ^ (1 if contiguous else 2 if layout == "per_layer" else 3))
    blk = BS * TOK_BYTES  # one block of one layer's K (or V), all heads
    nblocks = POOL // (NLAYERS * 2 * blk)
    arr = nblocks * blk  # one layer's K (or V) array
    nb = -(-C // BS)
    if contiguous:
        # One region per request: [layer][K/V][head][token], at a random
        # place of the pool (region-aligned to 2 MiB).
        region = NLAYERS * 2 * C * TOK_BYTES
        slots = (POOL - region) // (2 << 20)
        bases = [rng.below(slots) * (2 << 20) for _ in range(BATCH)]
        per_head = C * HD * EB
        for layer in range(LAYERS):
            for b in bases:
                for kv in range(2):
                    for h in range(KVH):
                        off = ((layer * 2 + kv) * KVH + h) * per_head
                        yield b + off, per_head
        return
    # Each request's blocks: distinct random block ids of the pool.
    used, reqs = set(), []
    for _ in range(BATCH):
        ids = []
        while len(ids) < nb:
            i = rng.below(nblocks)
            if i not in used:
                used.add(i)
                ids.append(i)
        reqs.append(ids)
    head_run = BS * HD * EB
    for layer in range(LAYERS):
        for ids in reqs:
            for kv in range(2):
                base = (layer * 2 + kv) * arr
                if layout == "per_layer":
                    for i in ids:
                        yield base + i * blk, blk
                else:  # per head: the kernel reads one KV head over all blocks
                    for h in range(KVH):
                        for i in ids:
                            yield base + i * blk + h * head_run, head_run


def main():
    a = sys.argv[1:]
    if len(a) == 3 and a[0] == "run":
        out = pat_run(int(a[1]))
    elif len(a) == 4 and a[0] == "paged" and a[1] in ("per_layer", "per_head"):
        out = []
        for s, n in kv_layout(a[1], int(a[2]), False):
            emit(out, s, n)
    elif len(a) == 3 and a[0] == "contig":
        out = []
        for s, n in kv_layout("", int(a[1]), True):
            emit(out, s, n)
    else:
        sys.exit(__doc__)
    with open(a[-1], "w") as f:
        f.write("".join("%d\n" % x for x in out))


if __name__ == "__main__":
    main()
