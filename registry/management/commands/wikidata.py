"""``manage.py wikidata import FILE`` and ``manage.py wikidata export``: Wikidata twinning
statements (P190) in and out, through :mod:`registry.wikidata`. No network: the file is one
you downloaded (``Special:EntityData/<QID>.json``, a SPARQL result in JSON, QuickStatements)."""

import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ... import wikidata
from ...models import City, WikidataProposal, home_city


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--retrieved: “{value}” is not a date YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "import FILE --retrieved YYYY-MM-DD: compare a Wikidata file with the registry and store "
        "the proposals (new, different, only here, only there) for a manager to accept in the admin. "
        "export [--city SLUG] [--base-url URL]: the city's partnerships as QuickStatements on stdout."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        importing = sub.add_parser("import", help="Read a Wikidata file into proposals.")
        importing.add_argument("file", type=Path)
        importing.add_argument(
            "--retrieved", type=iso_date, required=True, help="Date the file was retrieved from Wikidata."
        )
        exporting = sub.add_parser("export", help="Write QuickStatements of a city's partnerships.")
        exporting.add_argument("--city", help="City slug; default the home city.")
        exporting.add_argument(
            "--base-url",
            default=getattr(settings, "REGISTRY_SITE_URL", "http://127.0.0.1:8000"),
            help="The registry's address, for each statement's reference URL (S854).",
        )

    def handle(self, *args, action, **options):
        if action == "import":
            try:
                content = options["file"].read_text(encoding="utf-8")
            except OSError as error:
                raise CommandError(f"file: {error}") from None
            try:
                proposals = wikidata.import_file(content, retrieved_on=options["retrieved"])
            except wikidata.WikidataFileError as error:
                raise CommandError(f"file: {error}") from None
            for kind in WikidataProposal.Kind:
                n = sum(1 for p in proposals if p.kind == kind)
                self.stdout.write(f"{kind.label}: {n}")
            return
        city = City.objects.filter(slug=options["city"]).first() if options["city"] else home_city()
        if city is None:
            raise CommandError(f"--city: no city with the slug “{options['city'] or settings.REGISTRY_HOME_CITY}”.")
        text, skipped = wikidata.quickstatements(city, base_url=options["base_url"])
        self.stdout.write(text, ending="")
        if skipped:
            self.stderr.write(f"{len(skipped)} partnership(s) left out: a city without a Wikidata ID.")
