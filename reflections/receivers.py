"""A reflection saved or deleted changes which commitments show a concern on round pages."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from accounts import facts
from compact.caching import bump

from .models import Reflection


def reflection_changed(sender, instance, **kwargs):
    compact_id, author_id = instance.compact_id, instance.author_id

    def after_commit():
        bump(compact_id)  # the concerns anyone (or staff) may read, kept with each round page
        if author_id is not None:
            facts.forget(author_id)  # the author's own concerns, remembered with their facts

    transaction.on_commit(after_commit)


def connect():
    for name, signal in (("saved", post_save), ("deleted", post_delete)):
        signal.connect(reflection_changed, sender=Reflection, dispatch_uid=f"reflections.reflection_{name}")
