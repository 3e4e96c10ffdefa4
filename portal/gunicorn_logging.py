"""gunicorn's logger for Portail (gunicorn.conf.py sets it): the access and error logs go
through the same token mask as Django's logs, so a reset, activation or email-change link never
reaches a log file."""

from gunicorn.glogging import Logger

from portal.logmask import TokenMaskFilter


class TokenMaskingLogger(Logger):
    def setup(self, cfg: object) -> None:
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(f, TokenMaskFilter) for f in log.filters):
                log.addFilter(TokenMaskFilter())
