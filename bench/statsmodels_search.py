"""Anchor for bench/mse_bench: fits the first N hierarchical two-list models of a capture
table with statsmodels' Poisson GLM in a loop and prints the seconds it took."""
import csv
import itertools
import sys
import time

import numpy as np
import statsmodels.api as sm


def main():
    path, count = sys.argv[1], int(sys.argv[2])
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    lists = [c for c in rows[0] if c != "count"]
    counts = {}
    for r in rows:
        key = tuple(int(r[c]) for c in lists)
        counts[key] = counts.get(key, 0) + int(r["count"])
    patterns = [p for p in itertools.product((0, 1), repeat=len(lists)) if any(p)]
    y = np.array([counts.get(p, 0) for p in patterns], dtype=float)
    pairs = list(itertools.combinations(range(len(lists)), 2))
    start = time.perf_counter()
    for mask in range(count):
        chosen = [pairs[t] for t in range(len(pairs)) if mask >> t & 1]
        x = np.array([[1.0] + list(map(float, p)) + [float(p[a] * p[b]) for a, b in chosen] for p in patterns])
        sm.GLM(y, x, family=sm.families.Poisson()).fit()
    print(time.perf_counter() - start)


if __name__ == "__main__":
    main()
