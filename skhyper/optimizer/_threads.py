"""One BLAS thread during surrogate work.

The optimizer's matrices are tiny (a few hundred rows): spreading them over
several BLAS threads costs more in synchronization than it saves, and scipy's
L-BFGS-B (1.15+) goes through BLAS too. Limiting threads made surrogate work
several times faster on a busy two-core machine.
"""

from contextlib import contextmanager

from threadpoolctl import ThreadpoolController

_controller = None


def _get_controller():
    # Inspecting the loaded libraries takes milliseconds: do it once. BLAS is
    # loaded by numpy before this module is imported, so the list is complete.
    global _controller
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller


@contextmanager
def single_blas_thread():
    """Context manager limiting BLAS libraries to one thread inside it."""
    with _get_controller().limit(limits=1, user_api="blas"):
        yield
