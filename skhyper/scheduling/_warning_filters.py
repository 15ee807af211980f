"""The process's warning filters, put back as a search found them.

Before Python 3.14 (and on 3.14 without context-aware warnings) the warning
filters are one list for the whole process, and ``warnings.catch_warnings``
saves it on entry and puts the saved list back on exit. Fits running in threads
(joblib's ``"threading"`` backend) enter and leave such contexts: scikit-learn's
``Parallel`` does it around every task since 1.7 (then clears the current list
and refills it), and many estimators do it inside ``fit``. Two threads
interleaving these can leave the process with another context's list, or clear
the process's own list: the user's filters are gone, and every later
scikit-learn task warns that ``delayed`` "should be used with" ``Parallel``.
scikit-learn's own searches show it too (a ``RandomizedSearchCV`` of random
forests on the threading backend). A search fitted from the main thread puts
back the filters it found if any of them went missing.
"""

import threading
import warnings
from contextlib import contextmanager

__all__ = ["kept"]


@contextmanager
def kept():
    """Run a fit; then restore any warning filter the fit's threads lost.

    The filters found come back first, in their order; filters added during
    the fit (a library imported for the first time adds its own) stay after
    them. Nothing is done when every filter found is still there, nor in a
    thread other than the main one, whose filters belong to whatever
    context that thread runs in.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    found = list(warnings.filters)
    try:
        yield
    finally:
        _restore(found)


def _restore(found):
    now = list(warnings.filters)
    if all(item in now for item in found):
        return
    # resetwarnings clears the list in place and tells the C module that the
    # filters changed, so that warnings already seen are looked at again.
    warnings.resetwarnings()
    warnings.filters.extend(found + [item for item in now if item not in found])
