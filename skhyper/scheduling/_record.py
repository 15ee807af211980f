"""The ordered record of a search's rows: what ``cv_results_`` shows.

Rows come in blocks, in the order they were evaluated: restored rows (a
checkpoint or an earlier search) first, then every batch scikit-learn
formatted, every configuration the streaming driver fitted itself, and the
rows of batches whose fits all failed (scikit-learn raises for those instead
of returning them). A failed row scores ``error_score`` on every split and
has the columns of the other rows, so it can only be shown once some row
has been formatted. The record fits nothing and calls nothing back.
"""

from skhyper.scheduling import _results

__all__ = ["Record"]


class Record:
    """Blocks of ``cv_results_`` rows, joined in the order they were added.

    Parameters
    ----------
    error_score : "raise" or float
        The search's ``error_score``: the scores of failed rows.
    """

    def __init__(self, error_score):
        self.error_score = error_score
        #: Whether every row so far was formatted by scikit-learn: then the
        #: columns keep scikit-learn's order, else ``param_<name>`` and
        #: ``params`` come first.
        self.formatted_only = True
        self._blocks = []  # [first row, rows dict | (params, columns) of failures]
        self._n_rows = 0
        self._results = None
        self._stale = False

    @property
    def n_rows(self):
        """Rows added so far, failed ones included."""
        return self._n_rows

    @property
    def results(self):
        """Every row in order, ranked; ``None`` until some row was formatted."""
        if self._stale:
            self._results = self._join()
            self._stale = False
        return self._results

    def add(self, rows, by_sklearn=False):
        """Append formatted rows; return their indices.

        ``by_sklearn``: rows of a call of scikit-learn's ``evaluate_candidates``
        (not restored, nor fitted by the streaming driver).
        """
        first = self._n_rows
        self._blocks.append([first, rows])
        self._n_rows += _results.n_rows(rows)
        self.formatted_only &= by_sklearn
        if self._results is not None and not self._stale:
            self._results = self._ordered(_results.append_rows(self._results, rows))
        else:
            self._stale = True
        return range(first, self._n_rows)

    def add_failed(self, params, columns):
        """Append rows of configurations whose fits all failed.

        ``columns`` maps the search's own columns (and times) to one value per
        configuration.
        """
        first = self._n_rows
        self._blocks.append([first, (list(params), dict(columns))])
        self._n_rows += len(params)
        self.formatted_only = False
        self._stale = True
        return range(first, self._n_rows)

    def set(self, row, key, value):
        """Set column ``key`` of ``row`` (a restored row reused at a rung, the
        finish time of the last evaluation)."""
        first, block = self._block_of(row)
        if isinstance(block, dict):
            if key in block:
                block[key][row - first] = value
        else:
            params, columns = block
            columns.setdefault(key, [None] * len(params))[row - first] = value
        if self._results is not None and not self._stale and key in self._results:
            self._results[key][row] = value

    def _block_of(self, row):
        for first, block in reversed(self._blocks):
            if row >= first:
                return first, block
        raise IndexError(row)

    def _join(self):
        template = next(
            (block for _, block in reversed(self._blocks) if isinstance(block, dict)),
            None,
        )
        if template is None:
            return None
        joined = None
        for _, block in self._blocks:
            if not isinstance(block, dict):
                params, columns = block
                block = _results.failed_results(
                    template, params, self.error_score, columns
                )
            joined = block if joined is None else _results.append_rows(joined, block)
        return self._ordered(_results.rank(joined))

    def _ordered(self, results):
        if self.formatted_only:
            return results
        first = [k for k in results if k.startswith("param_")] + ["params"]
        return {
            **{k: results[k] for k in first},
            **{k: v for k, v in results.items() if k not in first},
        }
