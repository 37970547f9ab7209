"""Backprop Explorer's web server: REST API v1, live stream, store, pages."""

import os

# One BLAS thread per request thread. The server already runs many requests at once (the
# thread pool, the heavy lane, several streams); OpenBLAS's own threads on top of them spin
# against each other for the same few cores: on a busy 2-core machine 100 digit-net steps
# took 1.5 s with 2 BLAS threads and 36 ms with 1 (tests/bench/bench_play.py plays every
# lesson). Set before numpy is first imported; an operator's own setting wins.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

__version__ = "0.1.0"
