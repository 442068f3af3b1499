"""95% bootstrap confidence intervals of the agreement figures, resampling documents.

Every figure is a function of counts summed over documents (TP and the two totals for an F1,
a coincidence matrix for alpha, a confusion matrix per pair for kappa), so a bootstrap
replicate is a weighted sum of the per-document counts, the weights being how often each
document was drawn. Replicates are computed in blocks, so memory stays at a block of weights
whatever the number of replicates. The seed is fixed: the same input gives the same intervals.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from akhbar.annotation.team.agreement import Agreement

REPLICATES = 1000
BLOCK = 100
SEED = 13
LEVEL = 0.95


def _f1(tp: np.ndarray, n_a: np.ndarray, n_b: np.ndarray) -> np.ndarray:
    den = n_a + n_b
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, 2 * tp / np.where(den > 0, den, 1), np.nan)


def _alpha(o: np.ndarray) -> np.ndarray:
    """Nominal alpha of each coincidence matrix in ``o`` (replicates x V x V)."""
    n_c = o.sum(axis=2)
    n = n_c.sum(axis=1)
    spread = n * n - (n_c * n_c).sum(axis=1)
    tr = np.trace(o, axis1=1, axis2=2)
    ok = (n > 1) & (spread > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok, 1 - (n - 1) * (n - tr) / np.where(ok, spread, 1), np.nan)


def _kappa(c: np.ndarray) -> np.ndarray:
    """Cohen's kappa of each confusion matrix in ``c`` (replicates x V x V)."""
    n = c.sum(axis=(1, 2))
    po = np.trace(c, axis1=1, axis2=2)
    pe = (c.sum(axis=2) * c.sum(axis=1)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        po, pe = po / n, pe / (n * n)
        return np.where((n > 0) & (pe < 1), (po - pe) / (1 - pe), np.nan)


def _interval(samples: np.ndarray) -> list[float] | None:
    samples = samples[~np.isnan(samples)]
    if not len(samples):
        return None
    lo, hi = np.percentile(samples, [50 * (1 - LEVEL), 50 * (1 + LEVEL)])
    return [round(float(lo), 6), round(float(hi), 6)]


def intervals(agr: Agreement, replicates: int = REPLICATES, seed: int = SEED) -> dict[str, Any]:
    """``{figure: [low, high]}`` for the entity, token and event figures and per label/type."""
    d = len(agr.doc_counts)
    if d == 0:
        return {}
    counts = agr.matrix().astype(np.float64)  # documents x figures x 3
    flat = counts.reshape(d, -1)
    v = len(agr.values)
    coinc = np.stack(agr.coincidences).reshape(d, v * v)
    pair_of = np.array([p for p, _, _ in agr.pair_rows])
    doc_of = np.array([k for _, k, _ in agr.pair_rows])
    conf = np.stack([c for _, _, c in agr.pair_rows]).reshape(len(pair_of), v * v).astype(float)
    n_pairs = len(agr.pairs)
    figures = _figures(agr)
    samples: dict[str, list[np.ndarray]] = {name: [] for name in figures}
    samples["entities.token_alpha"] = []
    samples["entities.token_kappa_mean"] = []
    rng = np.random.default_rng(seed)
    done = 0
    while done < replicates:
        b = min(BLOCK, replicates - done)
        w = rng.multinomial(d, np.full(d, 1 / d), size=b).astype(np.float64)  # b x documents
        sums = (w @ flat).reshape(b, -1, 3)
        for name, col in figures.items():
            samples[name].append(_f1(sums[:, col, 0], sums[:, col, 1], sums[:, col, 2]))
        samples["entities.token_alpha"].append(_alpha((w @ coinc).reshape(b, v, v)))
        kappas = np.full((b, n_pairs), np.nan)
        for p in range(n_pairs):
            rows = pair_of == p
            kappas[:, p] = _kappa((w[:, doc_of[rows]] @ conf[rows]).reshape(b, v, v))
        with warnings.catch_warnings():  # a replicate with no defined kappa has a NaN mean
            warnings.simplefilter("ignore", RuntimeWarning)
            samples["entities.token_kappa_mean"].append(np.nanmean(kappas, axis=1))
        done += b
    return {name: _interval(np.concatenate(s)) for name, s in samples.items()}


def _figures(agr: Agreement) -> dict[str, int]:
    names = {
        ("entities", "exact"): "entities.exact.f1",
        ("entities", "overlap"): "entities.overlap.f1",
        ("events", "trigger"): "events.trigger.f1",
        ("events", "argument"): "events.argument.f1",
    }
    out = {}
    for key, col in agr.columns.items():
        if key in names:
            out[names[key]] = col
        elif key[0] == "label":
            out[f"entities.by_label.{key[1]}.{key[2]}_f1"] = col
        elif key[0] == "type":
            out[f"events.by_type.{key[1]}.{key[2]}_f1"] = col
    return out
