"""Fits one Poisson log-linear model over the strata of a capture-history file with
statsmodels: the independent implementation fit_stratified is checked against.
Usage: stratified_fit.py TABLE.csv STRATUM_COLUMN TERMS STRATUM_LISTS
(TERMS: 'independence' or 'A:B,C:D'; STRATUM_LISTS: 'none' or 'A,C'). Columns are ordered as
the C++ fit orders them: intercept, strata after the first (sorted as strings), lists,
stratum-by-list terms (per list, per stratum), pairs (sorted). Prints JSON: params, deviance,
unobserved per stratum, total."""
import csv
import itertools
import json
import math
import sys

import numpy as np
import statsmodels.api as sm


def main():
    path, by, terms, cross = sys.argv[1:5]
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    header = list(rows[0].keys())
    lists = [c for c in header if c not in ("count", by) and all(r[c] in ("0", "1") for r in rows)]
    strata = sorted(set(r[by] for r in rows))
    counts = {}
    for r in rows:
        key = (r[by], tuple(int(r[c]) for c in lists))
        counts[key] = counts.get(key, 0) + int(r["count"])
    pairs = [] if terms == "independence" else [tuple(t.split(":")) for t in terms.split(",")]
    pairs = sorted(tuple(sorted((lists.index(a), lists.index(b)))) for a, b in pairs)
    cross_lists = [] if cross == "none" else [lists.index(c) for c in cross.split(",")]
    design, y = [], []
    for s_index, s in enumerate(strata):
        for pattern in itertools.product((0, 1), repeat=len(lists)):
            pattern = pattern[::-1]  # any order will do; all patterns are used
            if not any(pattern):
                continue
            row = [1.0]
            row += [1.0 if s_index == j else 0.0 for j in range(1, len(strata))]
            row += [float(v) for v in pattern]
            for l in cross_lists:
                row += [float(pattern[l]) if s_index == j else 0.0 for j in range(1, len(strata))]
            row += [float(pattern[a] * pattern[b]) for a, b in pairs]
            design.append(row)
            y.append(counts.get((s, pattern), 0))
    result = sm.GLM(np.array(y, dtype=float), np.array(design), family=sm.families.Poisson()).fit(tol=1e-14, maxiter=300)
    unobserved = [math.exp(result.params[0] + (result.params[j] if j > 0 else 0.0)) for j in range(len(strata))]
    print(json.dumps({
        "params": [float(p) for p in result.params],
        "deviance": float(result.deviance),
        "unobserved": unobserved,
        "total": sum(y) + sum(unobserved),
    }))


if __name__ == "__main__":
    main()
