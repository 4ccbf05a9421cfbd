"""Reflections: how a compact is being kept, told by the people who signed it, without blame."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Reflection(models.Model):
    class Kind(models.TextChoices):
        CELEBRATE = "celebrate", "Something to celebrate"
        CONCERN = "concern", "A concern to discuss"

    class Visibility(models.TextChoices):
        NAMED = "named", "Shown with my name"
        STAFF_ONLY = "staff", "Shown only to academy staff"

    compact = models.ForeignKey("compact.Compact", on_delete=models.CASCADE, related_name="reflections")
    version = models.ForeignKey("compact.Version", on_delete=models.PROTECT, related_name="+")
    # The commitment reflected on, by its stable key; empty for the compact as a whole.
    commitment_key = models.UUIDField(null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField(max_length=3000)
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.NAMED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["compact", "commitment_key"], name="reflection_compact_key")]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.compact}"


class ReflectionSession(models.Model):
    """A meeting where signatories and staff talked about reflections, and what came of it."""

    compact = models.ForeignKey(
        "compact.Compact", on_delete=models.CASCADE, related_name="reflection_sessions"
    )
    held_on = models.DateField()
    title = models.CharField(max_length=200)
    outcomes = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(outcomes=""), name="session_has_outcomes")]

    def __str__(self):
        return self.title
