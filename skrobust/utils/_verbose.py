"""The single place in the library allowed to print.

Everything that reports progress goes through :func:`log_progress`, so that
``verbose=0`` silences the whole library and a test can capture all of its output.
"""

import sys
import time


def log_progress(verbose, message, *, level=1, start_time=None):
    """Print ``message`` when ``verbose >= level``, with elapsed time if given."""
    if not verbose or verbose < level:
        return
    if start_time is not None:
        message = f"{message} [{time.perf_counter() - start_time:.2f}s]"
    print(message, file=sys.stdout, flush=True)
