"""One BLAS thread during surrogate work.

The optimizer's matrices are tiny (a few hundred rows): spreading them over
several BLAS threads costs more in synchronization than it saves, and scipy's
L-BFGS-B (1.15+) goes through BLAS too. Limiting threads made surrogate work
several times faster on a busy two-core machine.
"""

import threading
from contextlib import contextmanager, nullcontext

from threadpoolctl import ThreadpoolController

_controller = None
_inside = threading.local()


def _get_controller():
    # Inspecting the loaded libraries takes milliseconds: do it once. BLAS is
    # loaded by numpy before this module is imported, so the list is complete.
    global _controller
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller


@contextmanager
def single_blas_thread():
    """Context manager limiting BLAS libraries to one thread inside it.

    Re-entering it in the same thread costs nothing: a proposal limits BLAS
    once, and the model calls inside it (a few dozen, each about 25
    microseconds to limit and restore) skip the limit they already have.
    """
    depth = getattr(_inside, "depth", 0)
    held = depth > 0  # an enclosing call holds the limit already
    limit = nullcontext() if held else _get_controller().limit(limits=1, user_api="blas")
    with limit:
        _inside.depth = depth + 1
        try:
            yield
        finally:
            _inside.depth = depth
