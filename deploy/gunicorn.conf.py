"""Production server configuration (gunicorn), sized for a 2-core machine by default.

WEB_CONCURRENCY sets the worker processes (default: 2 × cores + 1); THREADS the threads per worker.
Every value can be overridden with GUNICORN_CMD_ARGS as usual.
"""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
wsgi_app = "aftersales.wsgi:application"
pythonpath = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = 100
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: no access log
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Load the application once in the master so workers fork with it (faster start, less memory).
preload_app = True


def when_ready(server):  # gunicorn hook
    """After preload: move the ~170,000 objects of the loaded application (modules, URL
    resolvers, templates, translations) out of the garbage collector's reach. They live as long
    as the process; without this, every full collection in a worker walks them all (tens of
    milliseconds, one request's worth of tail latency), and touching them would also unshare the
    copy-on-write pages the workers inherit from the master."""
    import gc

    gc.collect()
    gc.freeze()
