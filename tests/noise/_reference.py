"""Brute-force reference for the functional core of :mod:`skrobust.noise` (tests only).

Written straight from METHODS.md A1 (confident joint) and A2 (the five ``filter_by``
rules), and from the EM of the :mod:`skrobust.noise._posterior` module docstring,
with plain Python loops over rows and entries: slow and obvious, never vectorised,
so that it shares no code path (and no bug) with the library.

Conventions: ``y`` holds integer codes ``0..K-1``; ``P`` is an ``(n, K)`` ndarray.
Probabilities are read as numpy scalars of ``P``'s dtype, so a float32 ``P`` gives
float32 margins exactly as the library computes them.

Where METHODS.md leaves a detail open, the reference follows cleanlab 2.9 (the
source METHODS.md cites) and says so next to the line:

- calibration rounds to nearest (half to even) and gives the remainder of each row
  to the entries rounded down the most (or takes the excess from those rounded up
  the most); among equal residuals the diagonal gains first (resp. loses last),
  then the later (resp. earlier) column, as a stable sort does (cleanlab's order
  among ties is its unstable argsort's);
- the prune matrix is cast to integers by truncation (cleanlab's
  ``_reduce_prune_counts`` ends with ``astype(int)``).

One detail follows METHODS.md where cleanlab differs: the diagonal raised to
``min_examples_per_class`` is taken evenly from the column's non-zero off-diagonal
entries; cleanlab divides by ``max(count_nonzero(column) - 1, 1)``, the same number
unless the calibrated diagonal is 0, which only a rounding tie can cause (no input
on which the two differ has been found).
"""

import numpy as np

THRESHOLD_FLOOR = 2e-6
SLACK = 1e-6
ABSENT_THRESHOLD = 2.0
TINY = 1e-100
EM_MAX_ITER = 20
NEAR_TIE = 1e-9


def argmax(values):
    """Index of the first largest entry."""
    best = 0
    for j in range(1, len(values)):
        if values[j] > values[best]:
            best = j
    return best


def confident_thresholds(P, y, K):
    """A1 step 1: mean self-confidence per given class, floored; absent class -> 2."""
    thresholds = []
    for j in range(K):
        total, count = 0.0, 0
        for i in range(len(y)):
            if y[i] == j:
                total += float(P[i, j])
                count += 1
        t = total / count if count else ABSENT_THRESHOLD
        thresholds.append(max(t, THRESHOLD_FLOOR))
    return thresholds


def confident_guesses(P, y, K):
    """A1 step 2: the guessed true label of each row, -1 when none is confident."""
    thresholds = confident_thresholds(P, y, K)
    guesses = []
    for i in range(len(y)):
        confident = [j for j in range(K) if float(P[i, j]) >= thresholds[j] - SLACK]
        if not confident:
            guesses.append(-1)
        elif len(confident) == 1:
            guesses.append(confident[0])
        else:
            # The row argmax, not the argmax restricted to the confident set.
            guesses.append(argmax(P[i]))
    return guesses


def round_preserving_row_totals(matrix):
    """Round each row to integers summing to its rounded total.

    Returns ``(rounded, tied)``; ``tied[i]`` is True when row ``i`` hinges on an
    exact-arithmetic tie that only floating-point noise or the column order
    breaks: an entry within 1e-9 of ``k + 1/2``, or the units of a row going to
    one of two entries whose residuals are within 1e-9 (e.g. a row scaled to
    ``[1 + 1/3, 9 + 1/3, 1 + 1/3]``). Permuting the classes may change such rows.
    """
    rounded, tied = [], []
    for i, row in enumerate(matrix):
        ints = [round(float(v)) for v in row]  # Python's round: half to even
        tied.append(
            any(
                abs(abs(float(v) - r) - 0.5) < NEAR_TIE
                for v, r in zip(row, ints, strict=True)
            )
        )
        total = 0.0
        for v in row:
            total += float(v)
        shortfall = round(total) - sum(ints)
        residual = [float(v) - r for v, r in zip(row, ints, strict=True)]
        if shortfall != 0:
            # Ascending residuals; among ties the diagonal last, then column
            # order (a stable sort).
            order = sorted(range(len(row)), key=lambda j: (residual[j], j == i, j))
            m = abs(shortfall)
            chosen = order[-m:] if shortfall > 0 else order[:m]
            rest = order[:-m] if shortfall > 0 else order[m:]
            step = 1 if shortfall > 0 else -1
            for j in chosen:
                ints[j] += step
            if any(
                abs(residual[a] - residual[b]) < NEAR_TIE for a in chosen for b in rest
            ):
                tied[-1] = True
        rounded.append(ints)
    return rounded, tied


def calibrate(joint, label_counts):
    """A1 step 4: rows scaled to the label counts, total to N, rounded by rows."""
    K = len(joint)
    scaled = []
    for i in range(K):
        row_sum = 0.0
        for j in range(K):
            row_sum += joint[i][j]
        row_sum = max(row_sum, TINY)
        scaled.append([joint[i][j] / row_sum * label_counts[i] for j in range(K)])
    # The grand total is N in exact arithmetic; in floating point it is off by an
    # ulp or so, which decides exact ties of the rounding (residuals 1/3, 1/3,
    # 1/3 in one row). cleanlab sums with np.sum (pairwise order), so do we.
    total = float(np.sum(np.array(scaled)))
    n = sum(label_counts)
    scaled = [[v / max(total, TINY) * n for v in row] for row in scaled]
    return round_preserving_row_totals(scaled)


def confident_joint(P, y, K, *, calibrated=True, return_tied=False):
    """A1 steps 1-4: the (calibrated) confident joint, rows given, columns true."""
    guesses = confident_guesses(P, y, K)
    joint = [[0] * K for _ in range(K)]
    for i in range(len(y)):
        if guesses[i] >= 0:
            joint[y[i]][guesses[i]] += 1
    for k in range(K):
        joint[k][k] = max(joint[k][k], 1)
    tied = [False] * K
    if calibrated:
        counts = [sum(1 for label in y if label == k) for k in range(K)]
        joint, tied = calibrate(joint, counts)
    out = np.array(joint, dtype=np.int64)
    return (out, np.array(tied, dtype=bool)) if return_tied else out


def prune_matrix(joint, min_examples_per_class=1, frac_noise=1.0):
    """A2 set-up: counts to flag, rows true label, columns given label."""
    K = len(joint)
    M = [[float(joint[k][j]) for k in range(K)] for j in range(K)]  # M = C^T
    for k in range(K):
        diag = M[k][k]
        new_diag = max(diag, min_examples_per_class)
        donors = [j for j in range(K) if j != k and M[j][k] != 0]
        if new_diag > diag and donors:
            share = (new_diag - diag) / len(donors)
            for j in donors:
                M[j][k] = max(M[j][k] - share, 0.0)
        M[k][k] = new_diag
    for k in range(K):
        removed = 0.0
        for j in range(K):
            if j != k:
                reduced = M[j][k] * frac_noise
                removed += M[j][k] - reduced
                M[j][k] = reduced
        M[k][k] += removed  # the column total is kept
    # cleanlab casts the reduced counts with astype(int): truncation.
    return [[int(M[j][k]) for k in range(K)] for j in range(K)]


def _rows_of(y, k):
    return [i for i in range(len(y)) if y[i] == k]


def prune_by_noise_rate(P, y, K, prune, min_examples_per_class):
    flagged = [False] * len(y)
    for k in range(K):
        rows = _rows_of(y, k)
        if len(rows) <= min_examples_per_class:
            continue
        for j in range(K):
            m = prune[j][k]
            if j == k or m <= 0:
                continue
            margin = np.array([P[i, j] - P[i, k] for i in rows])
            for pos in np.argsort(-margin, kind="stable")[:m]:
                flagged[rows[pos]] = True
    return flagged


def prune_by_class(P, y, K, prune, min_examples_per_class):
    flagged = [False] * len(y)
    for k in range(K):
        rows = _rows_of(y, k)
        m = len(rows) - prune[k][k]
        if len(rows) <= min_examples_per_class or m < 1:
            continue
        p = np.array([P[i, k] for i in rows])
        for pos in np.argsort(p, kind="stable")[:m]:
            flagged[rows[pos]] = True
    return flagged


def default_transition_matrix(P, y, K):
    """T[j, i] = C[i, j] / sum_i' C[i', j]; a true class never guessed -> e_j."""
    joint = confident_joint(P, y, K)
    T = np.zeros((K, K))
    for j in range(K):
        column = sum(int(joint[i][j]) for i in range(K))
        for i in range(K):
            T[j, i] = joint[i][j] / column if column else float(i == j)
    return T


def transition_posterior_scores(P, y, T, *, max_iter=EM_MAX_ITER):
    """P(true == given | x, given) by the EM of ``_posterior``'s docstring.

    The docstring gives the update only; the count and start are the library's:
    ``max_iter`` updates of each row on its own, starting from the noisy
    posterior (stopping early once an update leaves the row unchanged, which
    changes nothing).
    """
    n, K = P.shape
    T = [[float(T[a][b]) for b in range(K)] for a in range(K)]
    scores = []
    for i in range(n):
        noisy = [float(P[i, j]) for j in range(K)]
        p = noisy[:]
        for _ in range(max_iter):
            mixed = [
                max(sum(p[a] * T[a][j] for a in range(K)), 1e-300) for j in range(K)
            ]
            updated = [
                p[a] * sum(T[a][j] * noisy[j] / mixed[j] for j in range(K))
                for a in range(K)
            ]
            total = sum(updated)
            updated = [v / total for v in updated]
            if updated == p:
                break
            p = updated
        g = int(y[i])
        implied = sum(p[a] * T[a][g] for a in range(K))
        score = p[g] * T[g][g] / max(implied, TINY)
        scores.append(min(max(score, 0.0), 1.0))
    return np.array(scores)


def find_label_issues(
    P, y, K, filter_by, *, frac_noise=1.0, min_examples_per_class=1, T=None
):
    """A2: the boolean mask of one rule, after the final unflag step."""
    n = len(y)
    if filter_by == "auto":
        filter_by = "transition_posterior"  # n * K**2 is tiny here
    if filter_by == "transition_posterior":
        if T is None:
            T = default_transition_matrix(P, y, K)
        scores = transition_posterior_scores(P, y, T)
        flagged = [scores[i] < 0.5 for i in range(n)]
    elif filter_by == "confident_learning":
        guesses = confident_guesses(P, y, K)
        flagged = [guesses[i] >= 0 and guesses[i] != y[i] for i in range(n)]
    elif filter_by == "predicted_neq_given":
        flagged = [argmax(P[i]) != y[i] for i in range(n)]
    else:
        prune = prune_matrix(
            confident_joint(P, y, K), min_examples_per_class, frac_noise
        )
        by_rate = prune_by_noise_rate(P, y, K, prune, min_examples_per_class)
        by_class = prune_by_class(P, y, K, prune, min_examples_per_class)
        flagged = {
            "prune_by_noise_rate": by_rate,
            "prune_by_class": by_class,
            "both": [a and b for a, b in zip(by_rate, by_class, strict=True)],
        }[filter_by]
    for i in range(n):
        row = P[i].copy()
        row[y[i]] += SLACK  # in P's dtype, as cleanlab's _reduce_issues
        if argmax(row) == y[i]:
            flagged[i] = False
    return np.array(flagged, dtype=bool)
