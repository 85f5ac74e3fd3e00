"""Production server settings, all overridable from the environment."""

import os
import shutil

# Loopback for a local run; the image sets HOST=0.0.0.0 so the container's port can be published.
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '{{port}}')}"
workers = int(os.environ.get("WORKERS", "2"))
{{#isFastapi}}
worker_class = "uvicorn_worker.UvicornWorker"
{{/isFastapi}}
{{#isFlask}}
# Sync workers: scoring is CPU-bound, so threads in one process would only contend
# for the GIL; one request per worker at a time, and each connection closed after
# its response, spreads clients evenly across the workers.
worker_class = "sync"
{{/isFlask}}
timeout = int(os.environ.get("TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# The app writes structured logs itself; gunicorn's own lines go to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# No control socket (gunicornc): it would be made under $HOME, which the Deployment's read-only
# root filesystem refuses (an error line at every start), and a container is managed from outside.
control_socket_disable = True


def on_starting(server):
    # Each worker writes its metrics here so /metrics adds them all up.
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if path:
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
