"""Import a whole compact from its plain-text outline (docs/compact-format.md)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from compact.interchange import ImportRefused, import_compact
from compact.models import Compact


class Command(BaseCommand):
    help = (
        "Import a compact from a .md or .txt outline: a new compact (version 1, a draft), or with "
        "--compact the next draft of an existing one. Nothing is saved if the file has any problem."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The outline, UTF-8 text.")
        parser.add_argument("--compact", metavar="SLUG", help="Import as the next draft of this compact.")
        parser.add_argument("--by", metavar="EMAIL", help="The staff member recorded as importing it.")

    def handle(self, *args, file, compact=None, by=None, **options):
        try:
            text = Path(file).read_bytes().decode("utf-8")
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{file} is not UTF-8 text; save it as UTF-8 and try again.") from error
        target = None
        if compact:
            target = Compact.objects.filter(slug=compact).first()
            if target is None:
                raise CommandError(f"No compact has the slug “{compact}”.")
        actor = None
        if by:
            actor = get_user_model().objects.filter(email__iexact=by).first()
            if actor is None:
                raise CommandError(f"No account has the address {by}.")
        try:
            version = import_compact(actor=actor, text=text, compact=target)
        except ImportRefused as refused:
            lines = "\n".join(f"  {problem}" for problem in refused.problems)
            raise CommandError(f"{refused.message} Nothing was saved.\n{lines}") from refused
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported “{version.compact.title}” ({version.compact.slug}) as version {version.number}, "
                f"a draft with {version.commitments.count()} commitments."
            )
        )
