from django.conf import settings
from django.db import models
from django.utils import timezone

from .kinds import Kind, Mode


class Preference(models.Model):
    """A person's choice for one kind. No row means the kind's default (kinds.DEFAULTS)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    mode = models.CharField(max_length=20, choices=Mode.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_user_per_kind")
        ]

    def __str__(self):
        return f"{self.kind}: {self.mode}"


class PendingNotification(models.Model):
    """One thing to tell one person, once. `key` names the event (e.g. "comment:12"), so the same
    event queued twice is one row; `sent_at` is stamped under a row lock when it goes out, so a
    task run twice sends nothing twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=200)
    immediate = models.BooleanField(default=False)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "key"], name="one_notification_per_event_per_user"
            )
        ]
        indexes = [models.Index(fields=["sent_at", "immediate"], name="notification_unsent_idx")]

    def __str__(self):
        return f"{self.kind} for user {self.user_id}: {self.subject}"


class DigestSent(models.Model):
    """At most one digest per person per day: the unique row is taken before the mail goes."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_digest_per_user_per_day")]

    def __str__(self):
        return f"Digest for user {self.user_id} on {self.day}"


class Follow(models.Model):
    """Someone follows a round, a theme or a commitment. `target` is "<what>:<id>" (see
    selectors.target_key) so this app needs none of consultation's or compact's models."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    target = models.CharField(max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "target"], name="one_follow_per_user_per_target")
        ]
        indexes = [models.Index(fields=["target"], name="follow_target_idx")]

    def __str__(self):
        return f"User {self.user_id} follows {self.target}"


class Outgoing(models.Model):
    """One e-mail to one person, written in the transaction of the event that causes it and sent
    later by `notifications.tasks.send_mail` (see notifications/outbox.py and docs/mail.md).

    `key` names the person and the event ("round-opened:12:user:5"), so the same e-mail can be
    written only once however often the event's task runs. The row is either rendered already
    (subject and bodies) or names a function that renders it when it is sent (`render_with`,
    for a link that must be minted then, such as a signature's confirmation)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "No longer needed"

    class Priority(models.IntegerChoices):
        # Someone is waiting for it (a link to confirm or reset): sent before everything else.
        TRANSACTIONAL = 0, "Transactional"
        BULK = 5, "Bulk"

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40)
    about = models.CharField(max_length=100, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=300, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    render_with = models.CharField(max_length=100, blank=True)
    params = models.JSONField(default=dict, blank=True)
    # Its bodies hold a secret (a password-reset or confirmation link): emptied once it is sent.
    secret = models.BooleanField(default=False)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.BULK)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["priority", "pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outgoing_due_idx")]

    def __str__(self):
        return f"{self.kind} to {self.to}: {self.get_status_display()}"
