"""Changes that alter what `accounts.facts` knows of people drop it as they commit."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from . import facts
from .models import User


def _on_commit(callback) -> None:
    # After the commit, so a request cannot read the old rows after the facts were dropped.
    transaction.on_commit(callback)


@receiver(m2m_changed, sender=User.groups.through)
@receiver(m2m_changed, sender=User.user_permissions.through)
def person_roles_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if isinstance(instance, User):
        ids = [instance.pk]
    elif action == "post_clear":  # a group or permission lost all its people: whom is unknown
        _on_commit(facts.forget_everyone)
        return
    else:
        ids = list(pk_set or ())
    _on_commit(lambda: facts.forget(*ids))


@receiver(m2m_changed, sender=Group.permissions.through)
def group_permissions_changed(sender, action, **kwargs):
    if action.startswith("post_"):
        _on_commit(facts.forget_everyone)


@receiver(post_delete, sender=Group)
@receiver(post_delete, sender=Permission)
def group_or_permission_deleted(sender, **kwargs):
    _on_commit(facts.forget_everyone)


@receiver(post_save, sender=EmailAddress)
@receiver(post_delete, sender=EmailAddress)
def addresses_changed(sender, instance, **kwargs):
    user_id = instance.user_id
    _on_commit(lambda: facts.forget(user_id))
