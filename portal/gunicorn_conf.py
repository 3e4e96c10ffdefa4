"""gunicorn settings for Portail (docs/deployment.md, "gunicorn"), shipped inside the package so
an installed portal finds them from any folder: `gunicorn --config python:portal.gunicorn_conf`."""

# Access log on standard output (journald), the combined format, with the token part of reset,
# activation and email-change links masked (portal/logmask.py).
logger_class = "portal.gunicorn_logging.TokenMaskingLogger"
accesslog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'
