"""Export a version of a compact as its plain-text outline (docs/compact-format.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from compact.interchange import serialise
from compact.models import Compact


class Command(BaseCommand):
    help = "Write a version of a compact as a plain-text outline that import_compact reads back."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # "--version N" names the compact's version here, not Django's: let ours replace it.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument(
            "--version",
            type=int,
            dest="number",
            help="Version number (default: the published one, else the latest).",
        )
        parser.add_argument("-o", "--output", help="Write to this file instead of standard output.")

    def handle(self, *args, slug, number=None, output=None, **options):
        compact = Compact.objects.filter(slug=slug).first()
        if compact is None:
            raise CommandError(f"No compact has the slug “{slug}”.")
        versions = compact.versions.all()
        if number is not None:
            version = versions.filter(number=number).first()
        else:
            version = versions.published().first() or versions.order_by("-number").first()
        if version is None:
            raise CommandError(f"“{compact.title}” has no version {number or ''}.".replace(" .", "."))
        text = serialise(version)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote version {version.number} of “{compact.title}” to {output}.")
        else:
            self.stdout.write(text, ending="")
