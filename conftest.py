"""Repository-wide pytest set-up, for the tests and the doctests alike.

One BLAS and one OpenMP thread per process: pytest-xdist already runs a process
per core, and on the 2-core CI machines a second thread per process made small
matrix work (a logistic regression on digits) several times slower, not faster.
The libraries are imported first so that the limit reaches every loaded pool.
"""

import numpy  # noqa: F401
import scipy.linalg  # noqa: F401
import sklearn.linear_model  # noqa: F401
from threadpoolctl import threadpool_limits

threadpool_limits(limits=1)
