"""Import a whole compact from its plain-text outline (docs/compact-format.md)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_slug

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
        parser.add_argument(
            "--slug",
            metavar="NEW",
            help="Import as a new compact with this slug, even if its title is already in use.",
        )

    def handle(self, *args, file, compact=None, by=None, slug=None, **options):
        if slug:
            try:
                validate_slug(slug)
            except ValidationError as error:
                raise CommandError(
                    f"“{slug}” is not a slug: use letters, numbers, hyphens and underscores."
                ) from error
        if compact and slug:
            raise CommandError("Give --compact (a new draft of it) or --slug (a new compact), not both.")
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
            version = import_compact(actor=actor, text=text, compact=target, slug=slug)
        except ImportRefused as refused:
            lines = "\n".join(
                f"  {problem}" + (f" (see {problem.link})" if problem.link else "")
                for problem in refused.problems
            )
            if any(problem.link for problem in refused.problems):
                lines += (
                    "\n  Give --compact SLUG to add it as that compact's next draft, "
                    "or --slug NEW to make a new compact anyway."
                )
            raise CommandError(f"{refused.message} Nothing was saved.\n{lines}") from refused
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported “{version.compact.title}” ({version.compact.slug}) as version {version.number}, "
                f"a draft with {version.commitments.count()} commitments."
            )
        )
