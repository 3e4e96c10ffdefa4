"""gunicorn settings for Portail (docs/deployment.md, "gunicorn"). gunicorn reads this file
from its working directory; the unit file passes it explicitly with --config."""

# Access log on standard output (journald), the combined format, with the token part of reset,
# activation and email-change links masked (portal/logmask.py).
logger_class = "portal.gunicorn_logging.TokenMaskingLogger"
accesslog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'
