"""Fits a Poisson log-linear capture-recapture model with statsmodels: the independent
implementation the C++ fits are checked against. Usage: statsmodels_fit.py TABLE.csv TERMS
(TERMS: 'independence' or 'A:B,C:D'). Prints JSON: params, deviance, unobserved, total."""
import csv
import itertools
import json
import math
import sys

import numpy as np
import statsmodels.api as sm


def main():
    path, terms = sys.argv[1], sys.argv[2]
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    header = list(rows[0].keys())
    lists = [c for c in header if c != "count" and all(r[c] in ("0", "1") for r in rows)]
    counts = {}
    for r in rows:
        pattern = tuple(int(r[c]) for c in lists)
        counts[pattern] = counts.get(pattern, 0) + int(r["count"])
    pairs = [] if terms == "independence" else [tuple(t.split(":")) for t in terms.split(",")]
    pairs = [(lists.index(a), lists.index(b)) for a, b in pairs]
    pairs = sorted(tuple(sorted(p)) for p in pairs)
    design, y = [], []
    for pattern in itertools.product((0, 1), repeat=len(lists)):
        if not any(pattern):
            continue
        row = [1.0] + [float(v) for v in pattern] + [float(pattern[a] * pattern[b]) for a, b in pairs]
        design.append(row)
        y.append(counts.get(pattern, 0))
    model = sm.GLM(np.array(y, dtype=float), np.array(design), family=sm.families.Poisson())
    result = model.fit(tol=1e-14, maxiter=200)
    observed = sum(y)
    print(json.dumps({
        "params": [float(p) for p in result.params],
        "deviance": float(result.deviance),
        "unobserved": math.exp(result.params[0]),
        "total": observed + math.exp(result.params[0]),
    }))


if __name__ == "__main__":
    main()
