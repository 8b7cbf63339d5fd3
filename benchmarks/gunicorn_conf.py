"""Gunicorn settings shared by every server a benchmark starts: refcheck and the hello-world app alike.

With BENCH_NOOP_CIPHER=1 each worker swaps refcheck's AES-GCM for a no-op right after the fork,
before it loads the app; the application code is never changed.
"""

import os

workers = 2
worker_class = "sync"
timeout = 60
accesslog = None
loglevel = "warning"


def post_fork(server, worker):
    """Swap the cipher in this worker when the benchmark asks for the no-op run."""
    if os.environ.get("BENCH_NOOP_CIPHER") == "1":
        from benchmarks.noop_cipher import install

        install()
        worker.log.warning("benchmark: AES-GCM replaced by a no-op cipher in this worker")
