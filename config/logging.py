"""Logging helpers."""

import logging


class CacheOutageInOneLine(logging.Filter):
    """django-redis logs every ignored cache error with a full traceback; during a Redis outage
    that is one traceback per cache call per request. Say it in one line, keeping the cause."""

    def filter(self, record):
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = "Cache unavailable, carrying on without it: %s"
            record.args = (record.exc_info[1],)
            record.exc_info = None
            record.exc_text = None
        return True
