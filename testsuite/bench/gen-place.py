#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Workload for bench-place.sh: a fixed-seed mix of job sizes and lengths.

Prints one job a line: "<lvbatch resource options>|<seconds of sleep>".
Same seed, same workload (Python's random is Mersenne Twister, stable
across versions for seed(int) and random()).

    gen-place.py [--jobs N] [--seed S] [--scale F]

--scale multiplies every sleep (the default lengths make a 1000-node,
20,000-job run take a few minutes on a small host).
"""
import argparse
import random


def job(r, scale):
    u = r.random()
    if u < 0.40:                       # serial
        opts = "-n 1"
    elif u < 0.60:                     # small: a few cores
        opts = "-n %d" % r.randint(2, 8)
    elif u < 0.70:                     # threaded
        opts = "-n %d -c %d" % (r.randint(1, 2), r.choice([2, 4, 8]))
    elif u < 0.92:                     # most of a node
        opts = "-N 1 -n %d" % r.randint(12, 32)
    else:                              # multi-node
        n = r.randint(2, 8)
        opts = "-N %d --ntasks-per-node=%d" % (n, r.choice([8, 16]))
    # Lengths: mostly short, a long tail (log-uniform 1-30 s).
    secs = 2 ** (r.random() * 4.9)
    return "%s|%.2f" % (opts, secs * scale)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=20261128)
    ap.add_argument("--scale", type=float, default=1.0)
    a = ap.parse_args()
    r = random.Random(a.seed)
    for _ in range(a.jobs):
        print(job(r, a.scale))


if __name__ == "__main__":
    main()
