"""Generate a reproducible synthetic network for benchmarks and load tests.

    python manage.py generate_network --cities 20000 --partnerships 100000 --events 200000 --seed 1

Many home cities (Korean municipalities) each with their own partners; every kind and
status; exact, month-only and year-only dates; names in Latin, Cyrillic, Han, Hangul and
Arabic scripts with former names; agreements with signatories, events with
participants, delegations with itineraries and outcomes. Rows are bulk-inserted in
batches (no change history: the data is synthetic); a suspended partnership has the
``suspended`` stage the Suspend action records, which the counting rule reads
(:meth:`PartnershipQuerySet.in_force_on`). Synthetic rows have slugs starting
with ``syn-``; the command refuses to run on a database holding other registry rows
unless ``--force`` is given, and ``--replace`` first deletes earlier synthetic rows.
"""

from __future__ import annotations

import datetime
import random
import time
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from tqdm import tqdm

from registry import services
from registry.cache import record_change
from registry.models import (
    Agreement,
    City,
    CityName,
    Delegation,
    Event,
    EventParticipant,
    ItineraryStop,
    Outcome,
    Partnership,
    PartnershipStage,
    Signatory,
)
from registry.regions import all_regions, countries_in
from registry.subdivisions import subdivisions_of

BATCH = 5000
PREFIX = "syn-"
SYLLABLES = {
    "latin": ["ka", "lo", "ma", "ri", "san", "to", "vel", "na", "bur", "go", "sta", "mon", "tre", "al", "dor"],
    "cyrillic": ["ка", "ло", "ма", "ри", "сан", "то", "вел", "на", "бур", "го", "ста", "мон"],
    "han": ["山", "川", "京", "州", "安", "平", "海", "南", "北", "东", "西", "阳"],
    "hangul": ["부", "산", "대", "구", "광", "주", "인", "천", "울", "수", "원", "포"],
    "arabic": ["بن", "در", "عب", "اس", "مر", "كش", "دي", "نة"],
}
SCRIPT_OF_REGION = {"eastern-asia": "han", "eastern-europe": "cyrillic", "western-asia": "arabic"}


def _word(rng: random.Random, script: str, parts: int) -> str:
    word = "".join(rng.choice(SYLLABLES[script]) for _ in range(parts))
    return word.capitalize() if script == "latin" else word


def _date(rng: random.Random, start_year: int = 1955, end_year: int = 2025) -> tuple[datetime.date, str]:
    year = rng.randint(start_year, end_year)
    roll = rng.random()
    if roll < 0.2:
        return datetime.date(year, 1, 1), "year"
    if roll < 0.3:
        return datetime.date(year, rng.randint(1, 12), 1), "month"
    return datetime.date(year, rng.randint(1, 12), rng.randint(1, 28)), "day"


class Command(BaseCommand):
    help = "Generate a reproducible synthetic network (bulk inserts) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--cities", type=int, default=20_000)
        parser.add_argument("--partnerships", type=int, default=100_000)
        parser.add_argument("--events", type=int, default=200_000)
        parser.add_argument("--homes", type=int, default=0, help="Home cities (default: cities / 50).")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--force", action="store_true", help="Run even if the registry holds real rows.")
        parser.add_argument("--replace", action="store_true", help="Delete earlier synthetic rows first.")

    def handle(self, *args, cities, partnerships, events, homes, seed, force, replace, **options):
        self.verbosity = options.get("verbosity", 1)
        if cities < 2 or partnerships < 0 or events < 0:
            raise CommandError("--cities must be at least 2; counts cannot be negative.")
        real = City.objects.exclude(slug__startswith=PREFIX)
        if real.exists() and not force:
            raise CommandError(
                f"The registry holds {real.count()} real cities; refusing to add synthetic data. Use --force."
            )
        if City.objects.filter(slug__startswith=PREFIX).exists():
            if not replace:
                raise CommandError("Synthetic rows exist already; use --replace to regenerate them.")
            self.delete_synthetic()
        homes = homes or max(1, cities // 50)
        max_pairs = (cities - 1) * homes
        if partnerships > max_pairs:
            raise CommandError(f"At most {max_pairs} partnerships fit {cities} cities with {homes} home cities.")
        rng = random.Random(seed)
        started = time.perf_counter()
        with transaction.atomic():
            city_ids = self.make_cities(rng, cities, homes)
            partnership_ids = self.make_partnerships(rng, city_ids, homes, partnerships, seed=seed)
            self.make_documents(rng, city_ids, partnership_ids, events)
        # Refresh the planner's statistics after a bulk load (PostgreSQL's autovacuum would in
        # time; SQLite never does on its own): without them SQLite picks poor indexes. On
        # PostgreSQL also VACUUM, as autovacuum would, so that the visibility map lets index-only
        # scans skip the table (a country page's first partnerships and counts of its cities:
        # 30-110 ms before, 10-14 ms after). VACUUM cannot run inside a transaction (a test's);
        # there ANALYZE alone runs.
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
        record_change()
        self.stdout.write(
            f"Generated {cities} cities ({homes} home), {partnerships} partnerships, {events} events "
            f"in {time.perf_counter() - started:.1f} s (seed {seed})."
        )

    def delete_synthetic(self):
        """Delete every generated record (as every writer deletes: :func:`registry.services.delete_records`)."""
        synthetic = Q(slug__startswith=PREFIX)
        for model in (Event, Agreement, Delegation):
            services.delete_records(queryset=model.objects.filter(synthetic))
        services.delete_records(queryset=Partnership.objects.filter(partner__slug__startswith=PREFIX))
        services.delete_records(queryset=City.objects.filter(synthetic))

    def make_cities(self, rng, count, homes) -> list[int]:
        subregions = [(r.slug, sorted(countries_in(r))) for r in all_regions("subregion")]
        # Home municipalities take Korea's first-level subdivisions in turn (no draw from rng,
        # so a seed gives the same data as before they had one).
        korean_subdivisions = sorted(subdivisions_of("KR"))
        rows, names = [], []
        for n in self.progress(range(count), "cities"):
            if n < homes:
                country, subregion = "KR", "eastern-asia"
            else:
                subregion, codes = rng.choice(subregions)
                country = rng.choice(codes)
            script = "hangul" if country == "KR" else SCRIPT_OF_REGION.get(subregion, "latin")
            name_en = f"{_word(rng, 'latin', rng.randint(2, 3))} {n}"
            native = _word(rng, script, rng.randint(2, 3))
            name_ko = _word(rng, "hangul", rng.randint(2, 3))
            former = f"{_word(rng, 'latin', 2)}-{_word(rng, 'latin', 2)}" if rng.random() < 0.1 else ""
            city = City(
                slug=f"{PREFIX}{n}",
                name_en=name_en,
                name_ko=name_ko,
                name_native=native,
                country=country,
                admin_level="city" if n >= homes else "municipality",
                subdivision="" if n >= homes else korean_subdivisions[n % len(korean_subdivisions)],
                latitude=Decimal(f"{rng.uniform(-60, 70):.5f}"),
                longitude=Decimal(f"{rng.uniform(-179, 179):.5f}"),
                population=rng.randint(10_000, 20_000_000),
                population_year=rng.randint(2000, 2024),
            )
            city.search_text = city.build_search_text(names=[former] if former else [])
            rows.append(city)
            if former:
                names.append((n, former))
        City.objects.bulk_create(rows, batch_size=BATCH)
        ids = dict(City.objects.filter(slug__startswith=PREFIX).values_list("slug", "id"))
        ordered = [ids[f"{PREFIX}{n}"] for n in range(count)]
        CityName.objects.bulk_create(
            [
                CityName(city_id=ordered[n], name=name, kind="former", used_until=rng.randint(1950, 2000))
                for n, name in names
            ],
            batch_size=BATCH,
        )
        return ordered

    def progress(self, iterable, desc: str, total: int | None = None):
        """A tqdm progress bar over ``iterable`` (or one updated by hand for ``total`` steps) on
        the command's stderr, shown only on a terminal and with ``--verbosity`` above 0."""
        quiet = self.verbosity < 1 or not self.stderr.isatty()
        return tqdm(iterable, desc=desc, total=total, unit=" rows", file=self.stderr, disable=quiet, leave=False)

    def make_partnerships(self, rng, city_ids, homes, count, *, seed: int) -> list[int]:
        """``count`` partnerships between the first ``homes`` of ``city_ids`` and the others, each
        pair once: 10 % ended, 5 % suspended (each with the ``suspended`` stage the Suspend action
        records, :meth:`suspension_stages`), 3 % drafts. Returns the ids of the synthetic
        partnerships, in order."""
        rows, pairs = [], set()
        # The suspensions' dates come from their own generator: ``rng`` draws what it drew before
        # they had one, so a seed still gives the same partnerships, documents and events.
        suspension_rng = random.Random(f"{seed}:suspensions")
        suspended_on = {}
        today = timezone.localdate()
        others = city_ids[homes:] or city_ids
        bar = self.progress(None, "partnerships", total=count)
        while len(rows) < count:
            home = city_ids[rng.randrange(homes)]
            partner = rng.choice(others)
            if home == partner or (home, partner) in pairs:
                continue
            pairs.add((home, partner))
            established, precision = _date(rng)
            roll = rng.random()
            status, ended_on, reason = "active", None, ""
            if roll < 0.1:
                status = "ended"
                # Never after today: an end in the future is refused (``validate_not_in_future``), and
                # a restore of an exported synthetic registry refused 6,634 such partnerships.
                ended_on = max(established, min(established + datetime.timedelta(days=rng.randint(365, 9000)), today))
                reason = "Synthetic end"
            elif roll < 0.15:
                status, reason = "suspended", "Synthetic suspension"
                later = established + datetime.timedelta(days=suspension_rng.randint(30, 9000))
                suspended_on[home, partner] = max(established, min(later, today))
            rows.append(
                Partnership(
                    city_id=home,
                    partner_id=partner,
                    kind="sister" if rng.random() < 0.6 else "friendship",
                    established_on=established,
                    established_precision=precision,
                    status=status,
                    ended_on=ended_on,
                    status_reason=reason,
                    confidence=rng.choice(["high", "high", "high", "medium", "low"]),
                    publication="published" if rng.random() < 0.97 else "draft",
                )
            )
            bar.update()
        bar.close()
        Partnership.objects.bulk_create(rows, batch_size=BATCH)
        self.suspension_stages(suspended_on)
        return list(
            Partnership.objects.filter(partner__slug__startswith=PREFIX).order_by("id").values_list("id", flat=True)
        )

    def suspension_stages(self, suspended_on: dict[tuple[int, int], datetime.date]) -> None:
        """Bulk-insert for each synthetic suspended partnership (keyed in ``suspended_on`` by its
        ``(city_id, partner_id)``) the stage :func:`registry.services.suspend_partnership` records:
        ``suspended`` on its date (day precision), the partnership's ``status_reason`` as its note
        (``bulk_create`` runs no ``clean()``, so no ``recorded_by_action`` is needed). Without it
        the counting rule, which reads the stages, counted them in force. One query for the ids,
        then the inserts."""
        suspended = Partnership.objects.filter(
            partner__slug__startswith=PREFIX, status=Partnership.Status.SUSPENDED
        ).values_list("city_id", "partner_id", "id", "status_reason")
        stages = [
            PartnershipStage(
                partnership_id=pk,
                kind=PartnershipStage.Kind.SUSPENDED,
                on=suspended_on[city_id, partner_id],
                precision="day",
                note_en=reason,
            )
            for city_id, partner_id, pk, reason in suspended
        ]
        PartnershipStage.objects.bulk_create(stages, batch_size=BATCH)

    def make_documents(self, rng, city_ids, partnership_ids, event_count):
        agreements = []
        chosen = partnership_ids[: max(1, len(partnership_ids) // 5)]
        kinds = dict(Partnership.objects.filter(pk__in=chosen).values_list("pk", "kind"))
        for n, pid in enumerate(chosen):
            signed, precision = _date(rng)
            kind = rng.choice(["sister_city", "friendship_city", "mou", "business"])
            if kind in Agreement.PARTNERSHIP_KIND:  # the agreement that makes the partnership: of its kind
                kind = Agreement.kind_for_partnership(kinds[pid])
            agreements.append(
                Agreement(
                    slug=f"{PREFIX}agreement-{n}",
                    title_en=f"Synthetic agreement {n}",
                    kind=kind,
                    partnership_id=pid,
                    signed_on=signed,
                    signed_precision=precision,
                    place_id=rng.choice(city_ids),
                    publication="published",
                )
            )
        Agreement.objects.bulk_create(agreements, batch_size=BATCH)
        agreement_ids = list(Agreement.objects.filter(slug__startswith=PREFIX).values_list("id", flat=True))
        Signatory.objects.bulk_create(
            [Signatory(agreement_id=a, order=1, role="Mayor") for a in agreement_ids], batch_size=BATCH
        )

        delegations = [
            Delegation(
                slug=f"{PREFIX}delegation-{n}",
                name_en=f"Synthetic delegation {n}",
                kind=rng.choice(["official", "citizens", "trade", "cultural"]),
                start_on=datetime.date(2000 + n % 25, 1 + n % 12, 1),
                end_on=datetime.date(2000 + n % 25, 1 + n % 12, 20),
                publication="published",
            )
            for n in range(max(1, len(partnership_ids) // 100))
        ]
        Delegation.objects.bulk_create(delegations, batch_size=BATCH)
        delegation_ids = list(Delegation.objects.filter(slug__startswith=PREFIX).values_list("id", flat=True))
        stops, outcomes = [], []
        for d in delegation_ids:
            for order in range(1, rng.randint(2, 5) + 1):
                stops.append(ItineraryStop(delegation_id=d, order=order, city_id=rng.choice(city_ids)))
            outcomes.append(
                Outcome(
                    delegation_id=d,
                    order=1,
                    kind="export_consultation",
                    description_en="Synthetic export consultations",
                    amount=Decimal(rng.randint(10_000, 9_000_000)),
                    currency=rng.choice(["USD", "EUR", "KRW"]),
                    amount_qualifier=rng.choice(["exact", "more_than", "about"]),
                    count=rng.randint(1, 200),
                    count_unit="local buyers",
                )
            )
        ItineraryStop.objects.bulk_create(stops, batch_size=BATCH)
        Outcome.objects.bulk_create(outcomes, batch_size=BATCH)

        events = []
        kinds = [k for k in Event.Kind.values if k != "announcement"]
        for n in self.progress(range(event_count), "events"):
            start, precision = _date(rng, 1990, 2025)
            events.append(
                Event(
                    slug=f"{PREFIX}event-{n}",
                    title_en=f"Synthetic event {n}",
                    kind=rng.choice(kinds),
                    start_on=start,
                    start_precision=precision,
                    city_id=rng.choice(city_ids),
                    partnership_id=rng.choice(partnership_ids) if partnership_ids and rng.random() < 0.7 else None,
                    publication="published",
                )
            )
            if len(events) >= BATCH:
                Event.objects.bulk_create(events)
                events = []
        Event.objects.bulk_create(events)
        first_events = Event.objects.filter(slug__startswith=PREFIX).values_list("id", flat=True)[: event_count // 10]
        EventParticipant.objects.bulk_create(
            [EventParticipant(event_id=e, order=1, role="Delegation head") for e in first_events], batch_size=BATCH
        )
