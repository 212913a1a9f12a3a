"""Independent reference for the latent class sampler (tests/mse/latent_class_test.cpp).

A plain numpy Gibbs sampler of the model of Manrique-Vallier (2016, Biometrics 72(1)), written
from the paper, not from our C++: every observed person has their own class, drawn by inverse
CDF; the unobserved count is negative binomial (prior p(N) ~ 1/N) and its people's classes one
multinomial draw; Beta(1, 1) capture probabilities; truncated stick-breaking with a
Gamma(0.25, 0.25) concentration. numpy's generator, not ours.

usage: lcmcr_reference.py TABLE.csv CHAINS BURN_IN SAMPLES THINNING SEED [CLASSES]
prints JSON: median, low, high (2.5% and 97.5%) of N over all chains' draws, and per-chain medians.
"""
import csv
import json
import sys

import numpy as np


def read(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    lists = [c for c in rows[0] if c != "count"]
    people = []
    for r in rows:
        people += [[int(r[c]) for c in lists]] * int(r["count"])
    x = np.array([p for p in people if any(p)], dtype=float)
    return x[:, x.sum(axis=0) > 0]


def chain(x, classes, burn_in, samples, thinning, rng, a=0.25, b=0.25):
    n, _ = x.shape
    lam = rng.uniform(size=(x.shape[1], classes))
    pi = np.full(classes, 1.0 / classes)
    alpha = 1.0
    draws = []
    for it in range(1, burn_in + samples * thinning + 1):
        logp = x @ np.log(lam) + (1 - x) @ np.log1p(-lam) + np.log(np.maximum(pi, 1e-300))
        p = np.exp(logp - logp.max(axis=1, keepdims=True))
        cum = np.cumsum(p, axis=1)
        u = rng.random(n)[:, None] * cum[:, -1:]
        z = np.minimum((u > cum).sum(axis=1), classes - 1)
        p0k = pi * np.prod(1 - lam, axis=0)
        p0 = p0k.sum()
        n0 = rng.negative_binomial(n, max(1 - p0, 1e-12))
        size = np.bincount(z, minlength=classes) + rng.multinomial(n0, p0k / p0)
        captured = np.stack([np.bincount(z, weights=x[:, j], minlength=classes) for j in range(x.shape[1])])
        lam = rng.beta(1 + captured, 1 + size - captured)
        later = np.cumsum(size[::-1])[::-1]  # later[k] = sum of size[k:]
        # V_k ~ Beta(1 + size_k, alpha + later) from two gamma variates on the log scale: when
        # alpha is tiny, 1 - V underflows in double precision and log(1 - V) would be lost
        # (G(a) = G(a + 1) U^(1/a) keeps it exact).
        second = alpha + later[1:]
        log_x = np.log(rng.gamma(1 + size[:-1]))
        log_y = np.log(rng.gamma(second + 1)) + np.log(rng.random(classes - 1)) / second
        log_sum = np.logaddexp(log_x, log_y)
        v = np.exp(log_x - log_sum)
        log_complement = log_y - log_sum
        rest = np.concatenate([[0.0], np.cumsum(log_complement)])
        pi = np.exp(rest) * np.concatenate([v, [1.0]])
        alpha = rng.gamma(a + classes - 1, 1.0 / (b - log_complement.sum()))
        if it > burn_in and (it - burn_in) % thinning == 0:
            draws.append(n + n0)
    return np.array(draws, dtype=float)


def main():
    path, chains, burn_in, samples, thinning, seed = sys.argv[1:7]
    classes = int(sys.argv[7]) if len(sys.argv) > 7 else 10
    x = read(path)
    rng = np.random.default_rng(int(seed))
    runs = [chain(x, classes, int(burn_in), int(samples), int(thinning), rng) for _ in range(int(chains))]
    pooled = np.concatenate(runs)
    print(json.dumps({
        "median": float(np.quantile(pooled, 0.5)),
        "low": float(np.quantile(pooled, 0.025)),
        "high": float(np.quantile(pooled, 0.975)),
        "chain_medians": [float(np.median(r)) for r in runs],
    }))


if __name__ == "__main__":
    main()
