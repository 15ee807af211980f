"""Kernel and linear-algebra pieces of the Gaussian process.

The Matérn-5/2 kernel's terms, the Kumaraswamy input warp, squared
distances, and the triangular solve and Cholesky factorization the
Gaussian process (:mod:`skhyper.optimizer._gp`) calls hundreds of times
per proposal, written for small matrices.
"""

import numpy as np
from scipy.linalg import lapack


def _matern52_terms(r2):
    """Return ``k(r)``, ``1 + s`` and ``exp(-s)`` for ``s = sqrt(5 r2)``.

    In-place updates avoid temporaries: on large query batches allocation
    dominated the cost.
    """
    s = np.multiply(r2, 5.0)
    np.sqrt(s, out=s)
    e = np.negative(s)
    np.exp(e, out=e)
    k = np.square(s)
    k *= 1.0 / 3.0
    s += 1.0
    k += s
    k *= e
    return k, s, e


def _matern52_parts(r2):
    """Return ``k(r)`` and ``exp(-s) * (1 + s)`` for ``s = sqrt(5 r2)``.

    The second array is, up to a factor ``-5 / 6``, the derivative of ``k``
    with respect to ``r2``; it drives every gradient below.
    """
    k, s, e = _matern52_terms(r2)
    s *= e
    return k, s


def _unit_logs(X):
    """Where ``X`` is inside ``(0, 1)``, and its log there (0 elsewhere)."""
    inner = (X > 0.0) & (X < 1.0)
    return inner, np.log(np.where(inner, X, 1.0))


def _kumaraswamy(X, a, b, logs=None, with_grad=False):
    """Warp each column of ``X`` by its Kumaraswamy CDF.

    Values outside the open interval ``(0, 1)`` are left as they are: the
    CDF is 0 at 0 and 1 at 1, and beyond it the identity keeps far query
    points far. ``logs`` is ``_unit_logs(X)`` if known already. With
    ``with_grad``, also return the derivatives of the warped values with
    respect to ``log a`` and ``log b``, shape ``(n, 2, d)`` (zero outside).
    """
    inner, log_x = _unit_logs(X) if logs is None else logs
    a_log_x = a * log_x
    # log(1 - x**a), accurate near x = 1; the placeholder log_x = 0 outside
    # would give log(0), hence the errstate.
    with np.errstate(divide="ignore"):
        log_t = np.log(-np.expm1(a_log_x))
    log_t[~inner] = 0.0
    b_log_t = b * log_t
    U = np.where(inner, -np.expm1(b_log_t), X)
    if not with_grad:
        return U
    dU = np.empty(X.shape[:1] + (2,) + X.shape[1:])
    # dw/dlog a = a b (1 - x**a)**(b - 1) x**a log x, in logs so that it
    # stays finite for b < 1 near x = 1; both derivatives vanish outside
    # because log x = log t = 0 there.
    np.multiply(np.exp(b_log_t - log_t + a_log_x), (a * b) * log_x, out=dU[:, 0])
    np.multiply(np.exp(b_log_t), -b * log_t, out=dU[:, 1])
    return U, dU


def _sq_norms(A):
    return np.einsum("ij,ij->i", A, A)


def _sq_dist(A, B, A_norms=None, B_norms=None):
    """Squared Euclidean distances between rows of ``A`` and ``B``.

    ``A_norms`` / ``B_norms`` are the rows' squared norms if known already
    (the training rows' are fixed between fits).
    """
    r2 = A @ B.T
    r2 *= -2.0
    r2 += (_sq_norms(A) if A_norms is None else A_norms)[:, None]
    r2 += (_sq_norms(B) if B_norms is None else B_norms)[None, :]
    return np.maximum(r2, 0.0, out=r2)


def _solve_lower(L, B, trans=0):
    """``L^-1 B`` (``trans=0``) or ``L^-T B`` (``trans=1``) for lower ``L``.

    LAPACK's ``trtrs`` called directly, as ``scipy.linalg.solve_triangular``
    calls it, without the wrapper's checks: a proposal makes hundreds of
    small solves, and the checks cost more than the solves.
    """
    if L.flags.f_contiguous:
        x, info = lapack.dtrtrs(L, B, lower=1, trans=trans)
    else:  # the transposed system, in the Fortran order trtrs expects
        x, info = lapack.dtrtrs(L.T, B, lower=0, trans=1 - trans)
    if info != 0:
        raise np.linalg.LinAlgError(f"triangular solve failed (info={info}).")
    return x


def _cholesky(K):
    """Lower Cholesky factor of ``K``, adding diagonal jitter if needed.

    Never raises on a finite symmetric matrix: the jitter grows tenfold until
    the factorization succeeds (at worst ``K`` becomes diagonally dominant).
    """
    L, info = lapack.dpotrf(K, lower=1, clean=1)
    if info == 0:
        return L, 0.0
    scale = max(float(np.mean(np.abs(np.diag(K)))), 1e-300)
    jitter = 1e-10 * scale
    diag = np.arange(K.shape[0])
    while True:
        Kj = K.copy()
        Kj[diag, diag] += jitter
        L, info = lapack.dpotrf(Kj, lower=1, clean=1)
        if info == 0:
            return L, jitter
        if not np.isfinite(jitter) or jitter > 1e6 * scale:
            # Only reachable with non-finite entries; degrade to a diagonal.
            d = np.sqrt(np.abs(np.diag(K)) + 1.0)
            return np.diag(np.where(np.isfinite(d), d, 1.0)), jitter
        jitter *= 10.0
