"""gunicorn's settings for serving the portal: ``gunicorn -c gunicorn.conf.py wsgi:app``
(``make serve-prod``), read from the environment:

- ``BIND``: the address to listen on; default ``127.0.0.1:$PORT`` (``PORT`` default 8000).
  Behind a load balancer: ``BIND=0.0.0.0:8000``.
- ``WEB_CONCURRENCY``: worker processes; default 2 per core plus 1.
- ``LOG_FORMAT``, ``LOG_LEVEL``: as for the app, whose format gunicorn's own lines share.

Anything else can be changed for one run with gunicorn's ``GUNICORN_CMD_ARGS``
(``GUNICORN_CMD_ARGS="--timeout 120"``); command-line options win over this file.
"""

import os

from app.config import log_format, log_level
from app.logs import gunicorn_logconfig


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this container may use
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


bind = os.environ.get("BIND") or f"127.0.0.1:{os.environ.get('PORT') or 8000}"
# Sync workers, one request at a time each: a request that hangs past ``timeout`` has its
# worker replaced. gunicorn's guidance: 2-4 workers per core.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * _cores() + 1)
worker_class = "sync"

# A request may take this long (a 10,000-record CSV export streams for a while) before its
# worker is killed and replaced; on a restart, requests in flight get graceful_timeout to end.
timeout = 60
graceful_timeout = 30
# Seconds to hold an idle keep-alive connection: used by threaded workers
# (GUNICORN_CMD_ARGS="--worker-class gthread --threads 4"); sync workers close each one.
keepalive = 5

# No preloading: each worker builds the app after the fork, with its own database connection
# pool, search index reader, and insights counters. (A preloaded app would hand the master's
# pooled connections to every worker.)
preload_app = False

# The app writes one line per request itself, with the request's id (see app/logs.py), so
# gunicorn's access log stays off; its own lines (workers starting, stopping, timing out) go
# to standard error in the app's format.
accesslog = None
errorlog = "-"
logconfig_dict = gunicorn_logconfig(log_format(os.environ), log_level(os.environ))
