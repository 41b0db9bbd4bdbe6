"""The shipped fixtures: they load, twice without change, cite sources, and hold the article's facts."""

import datetime
import io
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command

from registry.models import (
    Agreement,
    City,
    Delegation,
    Event,
    Organization,
    Outcome,
    Partnership,
    Person,
    Source,
)
from registry.network import first_partners, network_summary

from .conftest import SHIPPED_FIXTURES

pytestmark = pytest.mark.django_db
SHARED_CSV = Path(settings.BASE_DIR).parent / "shared" / "data" / "busan_partners.csv"


def snapshot():
    """Every registry row, serialized, as a comparable string."""
    models = [m for m in apps.get_app_config("registry").get_models() if not m.__name__.startswith("Historical")]
    rows = []
    for model in models:
        rows += json.loads(serializers.serialize("json", model.objects.order_by("pk")))
    return json.dumps(rows, sort_keys=True)


def test_fixtures_load_in_any_order_and_twice_without_change():
    call_command("loaddata", *reversed(SHIPPED_FIXTURES), verbosity=0)
    first = snapshot()
    call_command("loaddata", *SHIPPED_FIXTURES, verbosity=0)
    assert snapshot() == first
    assert City.objects.count() > 38


def test_network_on_the_article_date(shipped_data):
    busan = City.objects.get(slug="busan")
    on_day = network_summary(busan, datetime.date(2022, 9, 21))
    assert (on_day.partner_cities, on_day.countries) == (38, 28)
    before = network_summary(busan, datetime.date(2022, 9, 13))
    assert (before.partner_cities, before.countries) == (37, 27)
    assert first_partners(busan)["central-asia"].partner.slug == "almaty"


def test_every_fixture_row_cites_a_source(shipped_data):
    for model in (City, Partnership, Agreement, Event, Delegation, Organization, Person):
        uncited = model.objects.filter(sources__isnull=True)
        assert not uncited.exists(), f"{model.__name__}: {list(uncited)}"


def test_rows_from_the_article_cite_it(shipped_data):
    article = Source.objects.get(slug="busan-almaty-2022-09-21")
    for model in (Agreement, Event, Delegation, Organization, Person):
        assert set(model.objects.all()) == set(model.objects.filter(sources=article)), model


def test_partner_rows_keep_confidence_and_source_conflicts(shipped_data):
    medium = set(Partnership.objects.filter(confidence="medium").values_list("partner__slug", flat=True))
    assert {"los-angeles", "surabaya", "chongqing", "bangkok"} <= medium
    la = Partnership.objects.get(partner__slug="los-angeles")
    assert "1967-12-18" in la.notes or "1967" in la.notes
    assert "1971" in la.notes
    assert la.established_on == datetime.date(1967, 12, 18)
    assert "Nov 1994" in Partnership.objects.get(partner__slug="surabaya").notes


def test_almaty_agreement_with_fields_and_signatories(shipped_data):
    agreement = Agreement.objects.get(kind="friendship_city", partnership__partner__slug="almaty")
    assert agreement.signed_on == datetime.date(2022, 9, 14)
    assert agreement.venue == "Almaty City Hall"
    assert set(agreement.fields.values_list("slug", flat=True)) == {
        "economy",
        "culture",
        "tourism",
        "film",
        "digital-industry",
        "medical-care",
    }
    signatories = list(agreement.signatories.select_related("person"))
    assert signatories[0].person.name_en == "Lee Seong-kwon"
    assert (signatories[1].person, signatories[1].role) == (None, "Deputy Mayor of Almaty")


def test_ceremony_participants_and_announcement(shipped_data):
    ceremony = Event.objects.get(kind="signing_ceremony")
    assert (ceremony.start_on, ceremony.city.slug) == (datetime.date(2022, 9, 14), "almaty")
    people = {p.person.name_en for p in ceremony.participants.all() if p.person}
    roles = {p.role for p in ceremony.participants.all() if not p.person}
    assert people == {"Lee Seong-kwon", "Ahn Seong-min"}
    assert {"Deputy Mayor of Almaty", "Business people from Busan"} <= roles
    assert Event.objects.get(kind="announcement").start_on == datetime.date(2022, 9, 21)
    anniversary = Event.objects.get(kind="anniversary")
    assert anniversary.start_precision == "year" and "1992" in anniversary.summary_en


def test_campaign_itinerary_and_trade_delegation_outcomes(shipped_data):
    campaign = Delegation.objects.get(kind="citizens")
    stops = list(campaign.itinerary.values_list("city__name_en", flat=True))
    assert stops == ["Almaty", "Bishkek", "Tashkent", "Brussels", "Paris"]
    assert "Expo 2030" in campaign.purpose_en
    trade = Delegation.objects.get(kind="trade")
    assert trade.travelled_with == campaign
    consultation = trade.outcomes.get(kind="export_consultation")
    assert (consultation.amount, consultation.currency, consultation.amount_qualifier) == (3850000, "USD", "more_than")
    assert (consultation.count, consultation.count_unit) == (65, "local buyers")
    business = Outcome.objects.get(kind="agreement").agreement
    assert business.kind == "business"
    assert list(business.parties.values_list("name_en", flat=True)) == ["Almaty City Corporate Investment Bureau"]


def test_almaty_names_and_home_city_alias(shipped_data):
    almaty = City.objects.get(slug="almaty")
    assert (almaty.name_native, almaty.name_ko, almaty.country.code) == ("Алматы", "알마티", "KZ")
    assert {(n.name, n.used_from, n.used_until) for n in almaty.names.all()} == {
        ("Verny", 1855, 1921),
        ("Alma-Ata", 1921, 1993),
    }
    assert almaty.subregion.slug == "central-asia"
    assert City.objects.search("Pusan").get().slug == "busan"


def korean_twins(model) -> list[tuple[str, str]]:
    """The (English, Korean) text columns of ``model``: every ``X_ko`` beside an ``X_en`` or an ``X``
    (``role``/``role_ko``, ``venue``/``venue_ko``, ``count_unit``/``count_unit_ko``, ...)."""
    names = {field.name for field in model._meta.concrete_fields}
    pairs = []
    for korean in sorted(name for name in names if name.endswith("_ko")):
        base = korean.removesuffix("_ko")
        for english in (f"{base}_en", base):
            if english in names:
                pairs.append((english, korean))
                break
    return pairs


def test_every_shipped_text_with_an_english_value_has_its_korean(shipped_data):
    models = [m for m in apps.get_app_config("registry").get_models() if not m.__name__.startswith("Historical")]
    assert any(korean_twins(model) for model in models)
    missing = []
    for model in models:
        for english, korean in korean_twins(model):
            for row in model.objects.exclude(**{english: ""}).filter(**{korean: ""}).values(english):
                missing.append(f"{model.__name__}.{korean}: {row[english]}")
    assert not missing, "\n".join(missing)


def test_no_fixture_stores_the_network_totals():
    for name in SHIPPED_FIXTURES:
        text = (Path(settings.BASE_DIR) / "fixtures" / f"{name}.json").read_text(encoding="utf-8")
        assert "38 cities" not in text and "28 countries" not in text and "28개국" not in text


@pytest.mark.skipif(not SHARED_CSV.exists(), reason="../shared/data is not beside the project")
def test_committed_fixtures_are_what_build_fixtures_makes(tmp_path):
    call_command("build_fixtures", csv=SHARED_CSV, out=tmp_path, stdout=io.StringIO())
    for name in SHIPPED_FIXTURES:
        committed = (Path(settings.BASE_DIR) / "fixtures" / f"{name}.json").read_text(encoding="utf-8")
        assert (tmp_path / f"{name}.json").read_text(encoding="utf-8") == committed, name


def test_load_shipped_data_never_overwrites_existing_rows():
    out = io.StringIO()
    call_command("load_shipped_data", stdout=out)
    assert "Loaded the shipped data" in out.getvalue()
    tijuana = Partnership.objects.get(partner__slug="tijuana")
    tijuana.notes = "Edited by staff"
    tijuana.save()
    out = io.StringIO()
    call_command("load_shipped_data", stdout=out)
    assert "not reloaded" in out.getvalue()
    tijuana.refresh_from_db()
    assert tijuana.notes == "Edited by staff"
    assert Partnership.history.filter(partner__slug="tijuana").count() == 2


def test_load_shipped_data_records_one_created_entry_per_row_holding_its_sources():
    """loaddata's setting of sources was recorded as changes: rows began with one or two
    "changed" entries, and populate_history's own entries would have lost the sources."""
    from registry.management.commands.import_registry import tracked_models
    from registry.services.records import historic_relations

    call_command("load_shipped_data", stdout=io.StringIO())
    for label in tracked_models():
        model = apps.get_model(label)
        entries = sorted(model.history.values_list("id", "history_type"))
        assert entries == [(pk, "+") for pk in model.objects.order_by("pk").values_list("pk", flat=True)], label
    almaty = Partnership.objects.get(partner__slug="almaty")
    sources = sorted(almaty.sources.values_list("pk", flat=True))
    assert sources and historic_relations(almaty.history.get())["sources"] == sources


def test_the_shipped_rows_written_back_are_the_rows_the_load_gives(clock):
    """The tests' shipped data after the first test of a process is written from the rows the first
    load added (:mod:`tests.shipped_rows`): the database gets the same rows as ``loaddata`` and
    ``populate_history`` give it, table by table, history dated at the test's present (on
    PostgreSQL, whose sequences a rollback does not take back, the keys aside)."""
    from django.db import transaction

    from .shipped_rows import _KEPT, _all_rows, load_shipped

    def rows_of(tables) -> dict[str, list[tuple]]:
        """Each table's rows and, on a database whose sequences a rollback does not take back
        (PostgreSQL: a fixture row without a key, as a cooperation field, and every history record
        get the sequence's next ones), less every whole number (keys, and the keys other rows hold)."""
        found = _all_rows()
        keyless = connection_vendor() == "postgresql"
        kept = {}
        for table in tables:
            columns, rows = found[table.name]
            kept[table.name] = sorted(
                (tuple(value for i, value in enumerate(row) if not (keyless and type(value) is int)) for row in rows),
                key=repr,
            )
        return kept

    class Undo(Exception):
        pass

    clock.stop()  # one present time for the load and the written rows
    with pytest.raises(Undo), transaction.atomic():
        load_shipped(SHIPPED_FIXTURES)  # the first load of this process, or a written copy of it
        raise Undo
    shipped = _KEPT[connection_vendor()]
    assert shipped is not None and len(shipped.tables) >= 10
    with pytest.raises(Undo), transaction.atomic():
        call_command("loaddata", *SHIPPED_FIXTURES, verbosity=0)
        call_command("populate_history", auto=True, stdout=io.StringIO())
        loaded = rows_of(shipped.tables)
        raise Undo
    with pytest.raises(Undo), transaction.atomic():
        assert shipped.free()
        shipped.write()
        written = rows_of(shipped.tables)
        assert not shipped.free()  # the keys are taken now
        assert {city.history.latest().history_date for city in City.objects.all()} == {clock.now()}
        raise Undo
    assert written == loaded
    assert sum(len(rows) for rows in written.values()) > 500


def connection_vendor() -> str:
    from django.db import connection

    return connection.vendor
