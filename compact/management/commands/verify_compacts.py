"""Recompute the content hash of every frozen version and compare it with the stored one.

Signatures, receipts and PDFs quote the stored hash; if the text under it had changed (by a
restore from a bad backup, say, or a hand edit with the triggers disabled) they would no longer
mean what they say. Exit status 1 on any mismatch, so a scheduled check can alert.
"""

from django.core.management.base import BaseCommand, CommandError

from compact.models import Version


class Command(BaseCommand):
    help = "Check that every ratified, published, superseded or consulted version's text matches its hash."

    def handle(self, *args, **options):
        versions = Version.objects.filter(status__in=Version.LOCKED).select_related("compact").order_by("id")
        checked, mismatched = 0, []
        for version in versions.iterator(chunk_size=200):
            checked += 1
            computed = version.compute_content_hash()
            if computed != version.content_hash:
                mismatched.append(version)
                self.stderr.write(
                    f"MISMATCH {version.compact.slug} version {version.number} ({version.status}): "
                    f"stored {version.content_hash}, text hashes to {computed}"
                )
        if mismatched:
            raise CommandError(
                f"{len(mismatched)} of {checked} frozen versions do not match their content hash.",
                returncode=1,
            )
        self.stdout.write(f"All {checked} frozen versions match their content hash.")
