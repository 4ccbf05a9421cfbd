"""gunicorn's settings for every web process: `gunicorn -c config/gunicorn_conf.py config.wsgi`.

The rest (bind address, worker count through WEB_CONCURRENCY) comes from the command line and
the environment, as gunicorn documents.
"""

from gunicorn.glogging import Logger

from config.health import HEALTH_PATHS

# One line a request on standard output, for the container's log collector.
accesslog = "-"
logger_class = "config.gunicorn_conf.QuietHealthChecks"


class QuietHealthChecks(Logger):
    """The access log without the load balancer's health checks: one every few seconds from each
    balancer would bury the requests people make."""

    def access(self, resp, req, environ, request_time):
        if environ.get("PATH_INFO") in HEALTH_PATHS:
            return
        super().access(resp, req, environ, request_time)
