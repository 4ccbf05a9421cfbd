"""A real SMTP server for the tests (aiosmtpd), on a free loopback port, in a thread of the test
process: Django's SMTP backend, in the test or in a real Celery worker, talks to it over TCP.

It can be made slow (`delay` seconds before each message is answered) and made to hang up after
`drop_after` messages (once: the message it hangs up on is not taken, as a relay that drops the
connection mid-message does not deliver it; later connections are served again)."""

import asyncio
import logging
import socket
import threading
from contextlib import contextmanager
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller

# aiosmtpd logs every SMTP command at debug level: a 500-message test would print them all.
logging.getLogger("mail.log").setLevel(logging.WARNING)


class Relay:
    def __init__(self, *, delay=0.0, drop_after=None):
        self.delay = delay
        self.drop_after = drop_after
        self.dropped = False
        self.messages = []
        self._lock = threading.Lock()
        self.port = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.delay:
            await asyncio.sleep(self.delay)
        with self._lock:
            drop = self.drop_after is not None and not self.dropped and len(self.messages) >= self.drop_after
            if drop:
                self.dropped = True
            else:
                self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        if drop:
            server.transport.abort()  # hang up before answering: the client never hears "250"
            return "421 Closing connection"
        return "250 Message accepted for delivery"

    def recipients(self):
        with self._lock:
            return [message["To"] for message in self.messages]

    def count(self):
        with self._lock:
            return len(self.messages)

    def settings(self):
        """What points Django's SMTP backend here (as settings, or as a worker's environment)."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_USE_TLS": False,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
        }


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server(*, delay=0.0, drop_after=None):
    relay = Relay(delay=delay, drop_after=drop_after)
    relay.port = _free_port()
    controller = Controller(relay, hostname="127.0.0.1", port=relay.port)
    controller.start()
    try:
        yield relay
    finally:
        controller.stop()
