"""Open, close and remind rounds that are due: the scheduler's job when there is no Celery beat."""

import time

from django.core.management.base import BaseCommand

from consultation import services


class Command(BaseCommand):
    help = "Open rounds whose opening time has come, close those past closing time, send 48-hour reminders."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="Keep running, checking every N seconds.")

    def handle(self, *args, every=0, **options):
        while True:
            done = services.advance_rounds()
            if any(done.values()) or not every:
                self.stdout.write(
                    f"Rounds opened: {done['opened']}, closed: {done['closed']}, reminded: {done['reminded']}, "
                    f"failed: {done['failed']} (the failure is shown on each round's staff page)"
                )
            if not every:
                return
            time.sleep(every)
