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
            # Viterbi: the best previous label for each label (the first on ties, as CRFsuite)
            for j in range(n_lab):
                best[j] = delta[0] + trans[0, j]
                back[t - a, j] = 0
            for i in range(1, n_lab):
                di = delta[i]
                for j in range(n_lab):
                    v = di + trans[i, j]
                    if v > best[j]:
                        best[j] = v
                        back[t - a, j] = i
            # forward: alpha @ exp(trans) * exp(e[t]), rescaled
            m = e[t].max()
            for j in range(n_lab):
                nxt[j] = 0.0
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
def sum_rows(
    weights: np.ndarray, rows: np.ndarray, groups: np.ndarray, n_groups: int
) -> np.ndarray:
    """``out[g]`` = the sum of ``weights[rows[k]]`` over every k with ``groups[k] == g``."""
    out = np.zeros((n_groups, weights.shape[1]))
    for k in range(len(rows)):
        r = rows[k]
        if r >= 0:
            g = groups[k]
            for j in range(weights.shape[1]):
                out[g, j] += weights[r, j]
    return out
