"""The outbox: every e-mail the product sends to a person is first a row (`models.Outgoing`),
written in the transaction of the event that causes it, and sent afterwards by a task.

Why: sending mail is slow and fails in pieces. Rendering and sending inside the event's own
transaction held its row locks for as long as the relay took (a vote once waited 2.79 s behind
32 opening notices), and a relay that dropped after six messages rolled the whole batch back
and sent those six again on the retry. Here:

* writing is cheap and atomic with the event: no event without its mail, no mail without it;
* each row has a unique key (the person and the event), so it exists once however often the
  event's task runs, and it is sent by `deliver`, which claims rows with `SKIP LOCKED` in a short
  transaction on this table alone, sends outside any transaction and marks each row as it goes;
* a failure retries that one message with backoff and, after `MAIL_MAX_ATTEMPTS`, marks it
  failed for staff to see (the staff dashboard) and retry (`retry_failed`);
* `reconcile` (Celery beat) sends again whatever the broker lost, and takes back claims a dead
  worker left behind.

At most once per person and event, at least once overall. The one accepted edge: a worker that
dies after the relay took a message but before its row is marked sent leaves the row claimed;
when the claim expires the reconciler sends that one message again. Marking before sending
would turn that duplicate into a message lost for good, and a duplicate notice is the lesser
harm. It is one message, never a batch: each row is marked the moment it is sent.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.models import User
from accounts.roles import is_academy_staff
from config import dispatch
from core.errors import NotAllowed

from .kinds import label_in_sentence
from .models import Outgoing
from .unsubscribe import unsubscribe_url

logger = logging.getLogger(__name__)

# Ids per sending task: small, so one slow relay holds few messages and a retry is one message.
BATCH = 20
SUBJECT_PREFIX = "[Leadership Compact] "
TASKS = {
    Outgoing.Priority.TRANSACTIONAL: "notifications.tasks.send_mail",
    Outgoing.Priority.BULK: "notifications.tasks.send_bulk_mail",
}
# Marks where the unsubscribe footer goes in an HTML body (templates/email/base.html).
FOOTER_MARK = "<!-- footer -->"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Letter:
    """One e-mail to one person, before it is a row. Either rendered (`rendered`) or rendered when
    it is sent by the function named in `render_with`, called with `params` as keywords, which
    returns a `Rendered` or None when the mail is no longer needed."""

    key: str
    kind: str
    to: str
    rendered: Rendered | None = None
    user_id: int | None = None
    about: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    urgent: bool = False
    secret: bool = False
    render_with: str = ""
    params: dict[str, Any] = field(default_factory=dict)


# --- rendering ----------------------------------------------------------------------------------


def one_line(*, subject: str) -> str:
    """Subjects carry people's names and round titles: one line, whatever was typed, prefixed."""
    subject = " ".join(subject.split())
    if not subject.startswith(SUBJECT_PREFIX.strip()):
        subject = SUBJECT_PREFIX + subject
    return subject[:300]


def render(*, template: str, subject: str, context: dict[str, Any]) -> Rendered:
    """The plain-text part from `<template>.txt` and the HTML part from `<template>.html` (which
    extends templates/email/base.html, the NHS.UK e-mail style), from one context."""
    context = {**context, "subject": " ".join(subject.split()), "site_url": settings.SITE_URL}
    text = render_to_string(f"{template}.txt", context).strip() + "\n"
    html = render_to_string(f"{template}.html", context)
    return Rendered(subject=one_line(subject=subject), text=text, html=html)


def unsubscribing(letter: Letter, *, user: User, kind: str) -> Letter:
    """The letter with RFC 8058 one-click headers and a footer (text and HTML) that switches this
    kind off. Only mail a person chose to receive carries one; transactional mail does not."""
    url = unsubscribe_url(user=user, kind=kind)
    manage = settings.SITE_URL + reverse("accounts:profile") + "#notifications"
    label = label_in_sentence(kind)
    headers = {
        **letter.headers,
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    rendered = letter.rendered
    if rendered is not None:
        text = (
            f"{rendered.text.rstrip()}\n\n--\n"
            f"Stop e-mails about {label}: {url}\n"
            f"Choose which e-mails you get: {manage}\n"
        )
        footer = render_to_string("email/_unsubscribe.html", {"label": label, "url": url, "manage": manage})
        rendered = replace(rendered, text=text, html=rendered.html.replace(FOOTER_MARK, footer, 1))
    return replace(letter, headers=headers, rendered=rendered)


# --- writing ------------------------------------------------------------------------------------


def put(*, letters: Iterable[Letter]) -> int:
    """Write these letters as rows, once per key, in the caller's transaction; once it commits,
    tasks send them. Returns how many are waiting to be sent."""
    rows = [_row(letter) for letter in letters]
    if not rows:
        return 0
    Outgoing.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    waiting = list(
        Outgoing.objects.filter(key__in=[row.key for row in rows], status=Outgoing.Status.PENDING)
        .order_by("pk")
        .values_list("pk", "priority")
    )
    _send_on_commit(waiting)
    return len(waiting)


def _row(letter: Letter) -> Outgoing:
    rendered = letter.rendered
    headers = dict(letter.headers)
    if not letter.urgent:
        # Bulk and notification mail: auto-responders must not answer it (RFC 3834).
        headers.setdefault("Auto-Submitted", "auto-generated")
    return Outgoing(
        key=letter.key[:200],
        kind=letter.kind,
        about=letter.about[:100],
        user_id=letter.user_id,
        to=letter.to,
        subject=rendered.subject if rendered else "",
        body_text=rendered.text if rendered else "",
        body_html=rendered.html if rendered else "",
        headers=headers,
        render_with=letter.render_with,
        params=letter.params,
        secret=letter.secret,
        priority=Outgoing.Priority.TRANSACTIONAL if letter.urgent else Outgoing.Priority.BULK,
    )


def _send_on_commit(waiting: Sequence[tuple[int, int]]) -> None:
    for priority, task in TASKS.items():
        ids = [pk for pk, row_priority in waiting if row_priority == priority]
        for start in range(0, len(ids), BATCH):
            dispatch.send_on_commit(task, ids[start : start + BATCH])


def lock_timeout() -> None:
    """Inside a transaction on PostgreSQL: a lock not granted within `LOCK_TIMEOUT_MS` fails the
    statement (and the task retries) rather than queueing behind, and in front of, a request."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # set_config(..., true) is SET LOCAL with a bound value: it ends with the transaction.
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{settings.LOCK_TIMEOUT_MS}ms"])


# --- sending ------------------------------------------------------------------------------------


def deliver(*, ids: Sequence[int], now: datetime | None = None) -> int:
    """Send these rows if they are due and no one else is sending them. Returns how many went."""
    claimed = _claim(ids=ids, now=now or timezone.now())
    if not claimed:
        return 0
    sent = 0
    mailer: BaseEmailBackend = get_connection()
    try:
        for row in claimed:
            try:
                message = _message(row)
                if message is None:
                    _finish(row, status=Outgoing.Status.CANCELLED)
                    continue
                mailer.send_messages([message])
            except Exception as error:  # noqa: BLE001 - any failure is this one message's
                logger.warning("Mail %s (%s) to row %s failed: %r", row.pk, row.kind, row.key, error)
                _failed(row, error)
                mailer = _reopen(mailer)  # a dropped connection must not fail the rest
                continue
            _finish(row, status=Outgoing.Status.SENT)
            sent += 1
    finally:
        _close(mailer)
    return sent


def _claim(*, ids: Sequence[int], now: datetime) -> list[Outgoing]:
    """Take the due rows among `ids` for this worker: a short transaction that locks only these
    outbox rows (skipping any another worker holds) and marks them claimed."""
    expired = now - timedelta(seconds=settings.MAIL_CLAIM_SECONDS)
    with transaction.atomic():
        lock_timeout()
        rows = list(
            Outgoing.objects.select_for_update(skip_locked=True)
            .filter(pk__in=list(ids))
            .filter(
                Q(status=Outgoing.Status.PENDING, next_attempt_at__lte=now)
                | Q(status=Outgoing.Status.SENDING, claimed_at__lt=expired)
            )
            .order_by("priority", "pk")
        )
        if rows:
            Outgoing.objects.filter(pk__in=[row.pk for row in rows]).update(
                status=Outgoing.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
            )
    for row in rows:
        row.status, row.claimed_at, row.attempts = Outgoing.Status.SENDING, now, row.attempts + 1
    return rows


def _message(row: Outgoing) -> EmailMultiAlternatives | None:
    if row.render_with:
        renderer: Callable[..., Rendered | None] = import_string(row.render_with)
        rendered = renderer(**row.params)
        if rendered is None:
            return None
    else:
        rendered = Rendered(subject=row.subject, text=row.body_text, html=row.body_html)
    message = EmailMultiAlternatives(
        rendered.subject, rendered.text, settings.DEFAULT_FROM_EMAIL, [row.to], headers=row.headers
    )
    if rendered.html:
        message.attach_alternative(rendered.html, "text/html")
    return message


def _mine(row: Outgoing) -> Any:
    # Only while this worker's claim stands: a claim that expired and was taken is not ours.
    return Outgoing.objects.filter(pk=row.pk, status=Outgoing.Status.SENDING, claimed_at=row.claimed_at)


def _finish(row: Outgoing, *, status: str) -> None:
    changes: dict[str, Any] = {"status": status, "sent_at": timezone.now(), "last_error": ""}
    if row.secret:
        changes.update(body_text="", body_html="")  # the link it carried is no one's business now
    _mine(row).update(**changes)


def _failed(row: Outgoing, error: Exception) -> None:
    error_text = f"{type(error).__name__}: {error}"[:1000]
    if row.attempts >= settings.MAIL_MAX_ATTEMPTS:
        _mine(row).update(status=Outgoing.Status.FAILED, last_error=error_text)
        logger.error("Mail %s to %s failed %s times; staff can retry it", row.pk, row.to, row.attempts)
        return
    delay = min(3600, settings.MAIL_RETRY_BASE_SECONDS * 2 ** (row.attempts - 1))
    _mine(row).update(
        status=Outgoing.Status.PENDING,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        last_error=error_text,
    )
    dispatch.send(TASKS[Outgoing.Priority(row.priority)], [row.pk], countdown=delay)


def _close(mailer: BaseEmailBackend) -> None:
    # Closing a connection the relay already dropped can raise; there is nothing left to close.
    with contextlib.suppress(Exception):
        mailer.close()


def _reopen(mailer: BaseEmailBackend) -> BaseEmailBackend:
    _close(mailer)
    fresh: BaseEmailBackend = get_connection()
    return fresh


# --- reconciling and staff ----------------------------------------------------------------------


def reconcile(*, now: datetime | None = None, older_than: timedelta | None = None) -> int:
    """Beat: hand to a task again every row that should have gone by now (its task was lost with
    the broker, or its worker died holding the claim). Returns how many rows were handed on."""
    now = now or timezone.now()
    if older_than is None:
        older_than = timedelta(seconds=settings.RECONCILE_AFTER_SECONDS)
    expired = now - timedelta(seconds=settings.MAIL_CLAIM_SECONDS)
    owed = list(
        Outgoing.objects.filter(
            Q(status=Outgoing.Status.PENDING, next_attempt_at__lt=now - older_than)
            | Q(status=Outgoing.Status.SENDING, claimed_at__lt=expired)
        )
        .order_by("priority", "pk")
        .values_list("pk", "priority")[:10_000]
    )
    for priority, task in TASKS.items():
        ids = [pk for pk, row_priority in owed if row_priority == priority]
        for start in range(0, len(ids), BATCH):
            dispatch.send(task, ids[start : start + BATCH])
    return len(owed)


@transaction.atomic
def retry_failed(*, actor: User) -> int:
    """Staff: send every failed e-mail again (after fixing the relay, say)."""
    if not is_academy_staff(actor):
        raise NotAllowed("Only academy staff can retry e-mails.")
    failed = Outgoing.objects.filter(status=Outgoing.Status.FAILED)
    waiting = list(failed.order_by("pk").values_list("pk", "priority"))
    failed.update(status=Outgoing.Status.PENDING, attempts=0, next_attempt_at=timezone.now())
    _send_on_commit(waiting)
    return len(waiting)
