from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_academy_staff_group(sender, **kwargs):
    """The "Academy staff" group carries the permission; staff are made by joining it."""
    # here, not at the top: Django imports apps.py before the app registry is ready, when no models can load.
    from django.contrib.auth.models import Group, Permission

    from accounts.roles import ACADEMY_STAFF_GROUP

    permission = Permission.objects.filter(
        content_type__app_label="compact", codename="manage_compacts"
    ).first()
    if permission is None:
        return
    group, _ = Group.objects.get_or_create(name=ACADEMY_STAFF_GROUP)
    group.permissions.add(permission)


class CompactConfig(AppConfig):
    name = "compact"
    verbose_name = "Compacts"

    def ready(self):
        post_migrate.connect(ensure_academy_staff_group, sender=self)
        from . import receivers

        receivers.connect()
