"""Independent implementation of the multinomial profile-likelihood interval of Rcapture's
closedpCI.t (Cormack 1992) with statsmodels and scipy, for tests. Usage:
profile_ci.py TABLE.csv TERMS. Prints JSON: estimate, low, high."""
import csv
import itertools
import json
import math
import sys
import warnings

import numpy as np
import statsmodels.api as sm
from scipy.optimize import brentq, minimize_scalar

warnings.simplefilter("ignore")


def main():
    path, terms = sys.argv[1], sys.argv[2]
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    lists = [c for c in rows[0] if c != "count" and all(r[c] in ("0", "1") for r in rows)]
    counts = {}
    for r in rows:
        key = tuple(int(r[c]) for c in lists)
        counts[key] = counts.get(key, 0) + int(r["count"])
    pairs = [] if terms == "independence" else [tuple(sorted((lists.index(a), lists.index(b))))
                                                 for a, b in (t.split(":") for t in terms.split(","))]
    patterns = [p for p in itertools.product((0, 1), repeat=len(lists)) if any(p)]
    x = [[1.0] + [float(v) for v in p] + [float(p[a] * p[b]) for a, b in pairs] for p in patterns]
    y = [counts.get(p, 0) for p in patterns]
    n = float(sum(y))
    fit = sm.GLM(np.array(y, float), np.array(x), family=sm.families.Poisson()).fit(tol=1e-12)
    total_hat = n + math.exp(fit.params[0])
    x_completed = np.array(x + [[1.0] + [0.0] * (len(x[0]) - 1)])

    def loglik(total):
        n0 = total - n
        y_completed = np.array(y + [n0], float)
        deviance = sm.GLM(y_completed, x_completed, family=sm.families.Poisson()).fit(tol=1e-12, maxiter=200).deviance
        nn0 = y_completed.sum()
        if nn0 > 100:
            ct = -nn0 + 0.5 * math.log(2 * math.pi * nn0) if n0 in (0, 1) else n0 - nn0 - 0.5 * math.log(n0 / nn0)
        else:
            ct = (n0 * math.log(n0) if n0 > 0 else 0) + math.lgamma(nn0 + 1) - nn0 * math.log(nn0) - math.lgamma(n0 + 1)
        return -deviance / 2 + ct

    best = minimize_scalar(lambda t: -loglik(t), bounds=(n, 3 * total_hat), method="bounded",
                           options={"xatol": 1e-6})
    cut = -best.fun - 3.841458820694124 / 2
    f = lambda t: loglik(t) - cut
    # As closedpCI.t: the lower search starts at N = n exactly (no one unobserved), where the
    # correction term takes its n0 = 0 branch.
    low = brentq(f, n, best.x, xtol=1e-6) if f(n) < 0 else n
    high = brentq(f, best.x, 3 * total_hat, xtol=1e-6) if f(3 * total_hat) < 0 else None
    print(json.dumps({"estimate": best.x, "low": low, "high": high}))


if __name__ == "__main__":
    main()
