"""The fast tagger's loops, compiled: sums of weight rows, and Viterbi and the forward
algorithm of a linear-chain CRF over many sentences.

The sentences' emission scores come as one (tokens x labels) array with the sentences' bounds;
each sentence is decoded on its own. Compiled by numba (cached on disk after the first call),
since a Python or numpy loop per token was the slowest part of tagging long articles. The
forward pass runs in probability space, rescaled at every token, so nothing overflows.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def decode(
    e: np.ndarray, bounds: np.ndarray, trans: np.ndarray, exp_trans: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(best label per token, log probability of each sentence's best labelling)."""
    n_tok, n_lab = e.shape
    n_sent = len(bounds) - 1
    tags = np.zeros(n_tok, dtype=np.int64)
    logp = np.zeros(n_sent)
    longest = 0
    for s in range(n_sent):
        longest = max(longest, bounds[s + 1] - bounds[s])
    back = np.zeros((max(longest, 1), n_lab), dtype=np.int64)
    delta = np.empty(n_lab)
    best = np.empty(n_lab)
    alpha = np.empty(n_lab)
    nxt = np.empty(n_lab)
    bk = np.empty(n_lab, dtype=np.int64)
    for s in range(n_sent):
        a, b = bounds[s], bounds[s + 1]
        if a == b:
            continue
        m = e[a].max()
        z = 0.0
        for j in range(n_lab):
            delta[j] = e[a, j]
            alpha[j] = np.exp(e[a, j] - m)
            z += alpha[j]
        log_z = m + np.log(z)
        for j in range(n_lab):
            alpha[j] /= z
        for t in range(a + 1, b):
            # Viterbi: the best previous label for each label (the first on ties, as CRFsuite),
            # with selects rather than branches, so that the loop over j is vectorised
            d0 = delta[0]
            for j in range(n_lab):
                best[j] = d0 + trans[0, j]
                bk[j] = 0
            for i in range(1, n_lab):
                di = delta[i]
                for j in range(n_lab):
                    v = di + trans[i, j]
                    gt = v > best[j]
                    best[j] = v if gt else best[j]
                    bk[j] = i if gt else bk[j]
            # forward: alpha @ exp(trans) * exp(e[t]), rescaled
            m = e[t].max()
            for j in range(n_lab):
                nxt[j] = 0.0
                back[t - a, j] = bk[j]
            for i in range(n_lab):
                ai = alpha[i]
                for j in range(n_lab):
                    nxt[j] += ai * exp_trans[i, j]
            z = 0.0
            for j in range(n_lab):
                delta[j] = best[j] + e[t, j]
                nxt[j] *= np.exp(e[t, j] - m)
                z += nxt[j]
            log_z += m + np.log(z)
            for j in range(n_lab):
                alpha[j] = nxt[j] / z
        last = 0
        for j in range(1, n_lab):
            if delta[j] > delta[last]:
                last = j
        logp[s] = delta[last] - log_z
        for t in range(b - 1, a - 1, -1):
            tags[t] = last
            if t > a:
                last = back[t - a, last]
    return tags, logp


@njit(cache=True, nogil=True)
def sum_keys(
    weights: np.ndarray,
    key_ptr: np.ndarray,
    entry_slot: np.ndarray,
    entry_row: np.ndarray,
    keys: np.ndarray,
    form_ptr: np.ndarray,
    out: np.ndarray,
) -> None:
    """``out[f, slot]`` += the weight rows at that slot of form ``f``'s keys (``keys[
    form_ptr[f]]`` to ``keys[form_ptr[f + 1]]``); key ``k`` stands for entries ``key_ptr[k]``
    to ``key_ptr[k + 1]``, each a (slot, weight row)."""
    n_lab = weights.shape[1]
    for f in range(len(form_ptr) - 1):
        for i in range(form_ptr[f], form_ptr[f + 1]):
            k = keys[i]
            for x in range(key_ptr[k], key_ptr[k + 1]):
                slot, r = entry_slot[x], entry_row[x]
                for j in range(n_lab):
                    out[f, slot, j] += weights[r, j]


@njit(cache=True, nogil=True)
def gather_tables(
    tables: np.ndarray, forms: np.ndarray, bounds: np.ndarray, offsets: np.ndarray
) -> np.ndarray:
    """Tokens x labels: each token's own row of its form's table (slot 0), plus, for each
    offset ``offsets[k]`` inside its sentence, the row the form there gives at slot ``k + 1``."""
    n_lab = tables.shape[2]
    e = np.empty((len(forms), n_lab))
    for s in range(len(bounds) - 1):
        a, b = bounds[s], bounds[s + 1]
        for i in range(a, b):
            f = forms[i]
            for j in range(n_lab):
                e[i, j] = tables[f, 0, j]
            for k in range(len(offsets)):
                t = i + offsets[k]
                if a <= t < b:
                    g = forms[t]
                    for j in range(n_lab):
                        e[i, j] += tables[g, k + 1, j]
    return e
