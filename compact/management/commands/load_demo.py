"""Load a realistic demo: a compact, its people and (from other apps) rounds and signatories.

Idempotent: each app's demo loader creates only what is missing, so running it again keeps
what is there and duplicates nothing.
"""

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from notifications.services import muted

# Each app's demo module has load(context) -> None; later loaders see what earlier ones added.
DEMO_LOADERS = ["compact.demo", "consultation.demo", "signatories.demo", "reflections.demo"]


class Command(BaseCommand):
    help = "Load the demo compact, people, round and signatories (safe to run again)."

    def handle(self, *args, **options):
        context = {}
        # The demo e-mails nobody: its rounds stamp their notices as sent, and the replies,
        # proposals and reports it posts tell no one (muted until after the commit).
        with muted(), transaction.atomic():
            for module_name in DEMO_LOADERS:
                try:
                    module = import_module(module_name)
                except ModuleNotFoundError as error:
                    if error.name != module_name:
                        raise
                    continue
                module.load(context)
        self.stdout.write(self.style.SUCCESS("Demo data is loaded."))
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (password for all: {context['password']})")
        for email, description in context["logins"]:
            self.stdout.write(f"  {email:<32} {description}")
