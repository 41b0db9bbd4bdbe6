"""Backup and restore of the whole registry with export_registry / import_registry."""

import io
import json
import zipfile

import pytest
from django.apps import apps
from django.core import serializers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import ProtectedError

from registry.management.commands.export_registry import FullPrecisionEncoder, history_tables, snapshot_models
from registry.models import (
    Agreement,
    City,
)

from .factories import AgreementFactory, CityFactory, SourceFactory, UserFactory
from .snapshots import exported_changed

pytestmark = pytest.mark.django_db


def natural_rows():
    """Every registry row by natural keys (no ids), sorted, for comparison; datetimes to the
    microsecond (Django's JSON keeps milliseconds, which hid a restore that lost the rest)."""
    rows = []
    for label in snapshot_models():
        model = apps.get_model(label)
        data = serializers.serialize(
            "json",
            model.objects.all(),
            use_natural_foreign_keys=True,
            use_natural_primary_keys=True,
            cls=FullPrecisionEncoder,
        )
        for row in json.loads(data):
            row.pop("pk", None)
            rows.append(json.dumps(row, sort_keys=True))
    return sorted(rows)


def empty_registry():
    """Delete every registry row and its change history. Self-references are cleared first;
    then each model is deleted once nothing protects its rows any more."""
    remaining = [apps.get_model(label) for label in snapshot_models()]
    for model in remaining:
        for field in model._meta.fields:
            if field.is_relation and field.related_model is model and field.null:
                model.objects.update(**{field.name: None})
    for _ in range(len(remaining)):
        for model in list(remaining):
            try:
                with transaction.atomic():
                    model.objects.all().delete()
                remaining.remove(model)
            except ProtectedError:
                continue
    assert not remaining, remaining
    for label in history_tables():
        apps.get_model(label).objects.all().delete()


def history_rows():
    """Every change-history row (model label, ids, fields, user name), sorted, for comparison."""
    rows = []
    for label in history_tables():
        for row in apps.get_model(label).objects.values():
            if "history_user_id" in row:  # many-to-many history has none
                row["history_user_id"] = None if row["history_user_id"] is None else "set"
            rows.append(json.dumps({"model": label, **row}, sort_keys=True, default=str))
    return sorted(rows)


def test_snapshot_round_trips_every_row(shipped_data, tmp_path):
    before = natural_rows()
    path = tmp_path / "registry.zip"
    call_command("export_registry", str(path), stdout=io.StringIO())
    empty_registry()
    assert natural_rows() == []
    call_command("import_registry", str(path), stdout=io.StringIO())
    assert natural_rows() == before
    assert len(before) > 250


def test_restore_refuses_a_registry_that_is_not_empty(shipped_data, tmp_path):
    path = tmp_path / "registry.zip"
    call_command("export_registry", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="not empty"):
        call_command("import_registry", str(path), stdout=io.StringIO())


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_archive_restores_the_change_history_and_the_documents(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    editor = UserFactory(username="editor-kim")
    city = CityFactory(slug="backup-city", name_en="Before")
    city.name_en = "After"
    city._history_user = editor
    city.save()
    agreement = AgreementFactory(slug="backup-pact", document=SimpleUploadedFile("pact.pdf", PDF))
    document = agreement.document.name
    history_before, rows_before = history_rows(), natural_rows()
    assert City.history.filter(slug="backup-city").count() == 2

    path = tmp_path / "backup.zip"
    call_command("export_registry", str(path), stdout=io.StringIO())
    empty_registry()
    (tmp_path / "media" / document).unlink()
    call_command("import_registry", str(path), stdout=io.StringIO())

    assert natural_rows() == rows_before
    assert history_rows() == history_before
    names = list(City.history.filter(slug="backup-city").order_by("history_date").values_list("name_en", flat=True))
    assert names == ["Before", "After"]
    assert City.history.filter(slug="backup-city", history_user=editor).count() == 1
    restored = Agreement.objects.get(slug="backup-pact")
    assert restored.document.name == document
    assert restored.document.read() == PDF
    CityFactory(slug="after-restore")  # the history tables' sequences continue after the restored ids
    assert City.history.filter(slug="after-restore").count() == 1


def test_an_older_json_snapshot_is_still_restored_with_a_first_history_entry(tmp_path):
    """Every row gets exactly one first entry, a city with sources too (loaddata's setting of
    its sources was recorded as a change, which made populate_history skip every city)."""
    CityFactory(slug="old-format")
    CityFactory(slug="with-sources").sources.add(SourceFactory())
    path = tmp_path / "registry.json"
    call_command("dumpdata", *snapshot_models(), natural_foreign=True, natural_primary=True, output=str(path))
    empty_registry()
    call_command("import_registry", str(path), stdout=io.StringIO())
    entries = City.history.filter(slug__in=["old-format", "with-sources"]).values_list("slug", "history_type")
    assert sorted(entries) == [("old-format", "+"), ("with-sources", "+")]


def test_an_archive_restores_exactly_its_history_rows(tmp_path):
    """No history row besides the archive's: loaddata's setting of a city's sources wrote one
    dated at the restore, which the archive's row of the same id happened to overwrite."""
    CityFactory(slug="first").delete()  # the archive's history ids then do not start at 1
    CityFactory(slug="cited").sources.add(SourceFactory())
    before = history_rows()
    path = tmp_path / "backup.zip"
    call_command("export_registry", str(path), stdout=io.StringIO())
    empty_registry()
    call_command("import_registry", str(path), stdout=io.StringIO())
    assert history_rows() == before


@pytest.mark.parametrize(
    "members",
    [
        {"history.json": "[]"},  # no registry.json
        {"registry.json": "[]", "history.json": "{not json"},
        {"registry.json": "[]", "history.json": '[{"model": "auth.user", "pk": 1, "fields": {}}]'},
        {"registry.json": "[]", "history.json": "[]", "media/../../escape.pdf": "x"},
        None,  # not a ZIP archive although named .zip
    ],
)
def test_a_malformed_archive_is_a_clean_error_and_restores_nothing(settings, tmp_path, members):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "backup.zip"
    if members is None:
        path.write_bytes(b"PK\x03\x04 damaged")
    else:
        with zipfile.ZipFile(path, "w") as archive:
            for name, content in members.items():
                archive.writestr(name, content)
    with pytest.raises(CommandError, match="is not a snapshot from export_registry, nothing was restored"):
        call_command("import_registry", str(path), stdout=io.StringIO())
    assert not City.objects.exists()
    assert not (tmp_path / "escape.pdf").exists()


class Terminal(io.StringIO):
    """Standard error as a terminal, where the commands draw their progress bars."""

    def isatty(self):
        return True


def test_export_shows_its_progress_on_a_terminal_and_nothing_elsewhere(tmp_path, shipped_data):
    terminal, pipe = Terminal(), io.StringIO()
    call_command("export_registry", tmp_path / "a.zip", stdout=io.StringIO(), stderr=terminal)
    call_command("export_registry", tmp_path / "b.zip", stdout=io.StringIO(), stderr=pipe)
    assert "history: 100%" in terminal.getvalue() and " tables" in terminal.getvalue()
    assert "history" not in pipe.getvalue()


def exported_with(tmp_path, chosen, **fields):
    """The path of an ``export_registry`` archive of the registry as it is, whose first row of
    ``registry.json`` that ``chosen(row)`` picks has ``fields`` changed (a snapshot tampered with
    or written by another version)."""
    return exported_changed(tmp_path, lambda rows: next(row for row in rows if chosen(row))["fields"].update(fields))


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("Kept City", r"registry\.City\(pk=\d+\) breaks the rule city_slug_form: A slug is made of small ASCII"),
        ("twin", r"the database refused registry\.City\(pk=\d+\): .*(UNIQUE|unique).*slug"),
    ],
)
def test_a_row_the_database_refuses_is_named_with_its_rule_and_nothing_is_restored(tmp_path, slug, message):
    """A snapshot's row that breaks a table's rule (a bad slug written before the rule existed, a
    duplicate) is named, with the rule's own message when it is one of the registry's; it said
    the file was "not a snapshot from export_registry", with loaddata's temporary path."""
    CityFactory(slug="kept")
    CityFactory(slug="twin")
    tampered = exported_with(tmp_path, lambda row: row["fields"].get("slug") == "kept", slug=slug)
    empty_registry()
    with pytest.raises(CommandError, match=f"^Nothing was restored from {tampered}: {message}") as refused:
        call_command("import_registry", str(tampered), stdout=io.StringIO())
    assert "not a snapshot" not in str(refused.value) and "/tmp" not in str(refused.value).split(":", 1)[1]
    assert not City.objects.exists()


def test_a_snapshot_naming_accounts_this_database_lacks_is_restored(tmp_path):
    """helper-86: a registry that had ever run a background import could not be restored into
    another database: the import's row named its account, which no snapshot holds ("User
    matching query does not exist"). Imports in progress and offices are an account's rows, left
    out like its profile; who accepted a Wikidata proposal is kept where the account exists."""
    import datetime

    from registry.models import ImportJob, OfficeAssignment, WikidataProposal

    gone, kept = UserFactory(username="gone"), UserFactory(username="kept")
    city = CityFactory(slug="office-city")
    ImportJob.objects.create(user=gone, model_name="city", file_name="c.csv", file_format="csv", data=b"slug\n")
    OfficeAssignment.objects.create(user=gone, city=city)
    proposals = {
        name: WikidataProposal.objects.create(
            kind="new",
            city=city,
            partner=CityFactory(),
            source_url=f"https://www.wikidata.org/wiki/Q{number}",
            retrieved_on=datetime.date(2026, 11, 30),
            decided_by=user,
        )
        for number, (name, user) in enumerate((("gone", gone), ("kept", kept)), start=1)
    }
    path = tmp_path / "backup.zip"
    call_command("export_registry", str(path), stdout=io.StringIO())
    empty_registry()
    ImportJob.objects.all().delete()
    OfficeAssignment.objects.all().delete()
    gone.delete()
    call_command("import_registry", str(path), stdout=io.StringIO())
    assert City.objects.filter(slug="office-city").exists()
    assert not ImportJob.objects.exists() and not OfficeAssignment.objects.exists()
    decided = dict(WikidataProposal.objects.values_list("source_url", "decided_by__username"))
    assert decided == {proposals["gone"].source_url: None, proposals["kept"].source_url: "kept"}


def test_a_reference_to_a_record_the_snapshot_lacks_is_named_as_such(tmp_path):
    """helper-86: it read "NOT NULL constraint failed" (PostgreSQL: and the whole row copied)."""
    from .factories import PartnershipFactory

    PartnershipFactory(partner__slug="kaohsiung", notes="A long note " * 20)
    tampered = exported_with(tmp_path, lambda row: row["model"] == "registry.partnership", partner=["nowhere"])
    empty_registry()
    with pytest.raises(CommandError, match=r"refused registry\.Partnership\(pk=\d+\): .*partner_id") as refused:
        call_command("import_registry", str(tampered), stdout=io.StringIO())
    assert str(refused.value).endswith("(a reference names a record that is not in the snapshot)")
    assert "A long note" not in str(refused.value) and not City.objects.exists()


def test_a_row_breaking_a_rule_the_database_does_not_hold_is_named_and_nothing_is_restored(tmp_path):
    """helper-89: a snapshot edited by hand (a city's country ``ZZ``) was restored as it was, since
    loaddata checks only the database's rules; the restored rows are now checked as an import
    checks a file's (``full_clean_many``), and the row is named with its field and rule."""
    from registry.models import Partnership

    from .factories import PartnershipFactory

    CityFactory(slug="kept")
    PartnershipFactory()
    tampered = exported_with(tmp_path, lambda row: row["fields"].get("slug") == "kept", country="ZZ")
    empty_registry()
    with pytest.raises(CommandError) as refused:
        call_command("import_registry", str(tampered), stdout=io.StringIO())
    message = str(refused.value)
    assert message.startswith(f"Nothing was restored from {tampered}: 1 row breaks a rule of the registry:\n")
    assert "\nregistry.City(pk=" in message and "): country: " in message and "ZZ" in message
    assert not City.objects.exists() and not Partnership.objects.exists()


def test_the_restores_rule_check_asks_no_query_per_row():
    """The check of restored rows read what a model's ``clean()`` reads one row at a time (an
    agreement's partnership, an itinerary stop's delegation, a stage's stored row): 4,238 queries
    for a synthetic registry of 36,000 rows. The same registry at twice the size now asks as
    many queries (every size here stays within one chunk of values, 500 on SQLite)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from registry.management.commands.import_registry import check_model_rules
    from registry.models import Agreement, ItineraryStop, PartnershipStage

    counts = []
    for size in (200, 400):
        options = {"cities": size, "partnerships": size, "events": size // 10, "homes": 2, "seed": 1}
        call_command("generate_network", replace=True, stdout=io.StringIO(), **options)
        assert Agreement.objects.exists() and ItineraryStop.objects.exists() and PartnershipStage.objects.exists()
        with CaptureQueriesContext(connection) as queries:
            check_model_rules()
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_a_snapshot_holding_an_account_or_a_token_is_refused_and_no_account_is_made(tmp_path):
    """helper-100: a snapshot edited to hold a superuser and an API token was restored as loaddata
    saves any row, and the token then changed the registry through the API. A snapshot holds only
    the registry's records and their history; any other row is refused, naming its model."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from rest_framework.authtoken.models import Token

    CityFactory(slug="kept")

    def add_account(rows):
        rows.append(
            {
                "model": "auth.user",
                "pk": 4242,
                "fields": {"username": "evil", "password": make_password("evil-pass-1"), "is_superuser": True},
            }
        )
        rows.append(
            {"model": "authtoken.token", "pk": "0123456789abcdef0123456789abcdef01234567", "fields": {"user": 4242}}
        )

    tampered = exported_changed(tmp_path, add_account)
    empty_registry()
    with pytest.raises(CommandError, match=r"holds a row of “auth\.user”, which a snapshot never holds"):
        call_command("import_registry", str(tampered), stdout=io.StringIO())
    assert not get_user_model().objects.filter(username="evil").exists()
    assert not Token.objects.exists() and not City.objects.exists()


def test_a_record_given_twice_in_a_snapshot_is_refused_not_overwritten(tmp_path):
    """helper-100: a second row with a city's primary key replaced the city (loaddata saves by
    primary key), and its partnerships then pointed at the copy; the snapshot is refused, naming it."""
    CityFactory(slug="almaty", name_en="Almaty")

    def repeat(rows):
        city = next(row for row in rows if row["model"] == "registry.city")
        rows.append({**city, "fields": {**city["fields"], "slug": "almaty-x", "name_en": "Overwriter"}})

    tampered = exported_changed(tmp_path, repeat)
    empty_registry()
    with pytest.raises(CommandError, match=r"holds registry\.city\(pk=\d+\) twice"):
        call_command("import_registry", str(tampered), stdout=io.StringIO())
    assert not City.objects.exists()


def test_a_history_row_without_its_fields_or_a_number_past_the_databases_is_a_clean_error(tmp_path):
    """helper-100: a history row whose fields were a list ended in a traceback (AttributeError), and
    on SQLite a primary key of 10**20 too (OverflowError); both are named, nothing restored."""
    CityFactory(slug="kept")

    def list_fields(rows):
        rows[0]["fields"] = list(rows[0]["fields"])

    tampered = exported_changed(tmp_path, list_fields, "history.json")
    empty_registry()
    with pytest.raises(CommandError, match=r"history\.json holds a registry\.historicalcity row without its fields"):
        call_command("import_registry", str(tampered), stdout=io.StringIO())
    assert not City.objects.exists()

    CityFactory(slug="kept")

    def huge_key(rows):
        next(row for row in rows if row["model"] == "registry.city")["pk"] = 10**20

    tampered = exported_changed(tmp_path, huge_key)
    empty_registry()
    with pytest.raises(CommandError, match="nothing was restored"):
        call_command("import_registry", str(tampered), stdout=io.StringIO())
    assert not City.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name_ko", "\u1111\u116e\u1109\u1161\u11ab"),  # 부산 as separate jamo (decomposed Hangul)
        ("name_en", "  Almaty  "),
        ("remarks_en", "One line.\r\nAnother."),
    ],
)
def test_a_text_not_in_the_registrys_stored_form_is_named_and_nothing_is_restored(tmp_path, field, value):
    """helper-100: the restore's check composed each text in memory, found nothing wrong, and the
    text was restored as the snapshot gave it (decomposed Hangul, spaces around a name, "\\r\\n")."""
    CityFactory(slug="kept")
    tampered = exported_with(tmp_path, lambda row: row["fields"].get("slug") == "kept", **{field: value})
    empty_registry()
    with pytest.raises(CommandError) as refused:
        call_command("import_registry", str(tampered), stdout=io.StringIO())
    assert f"): {field}: Not written as the registry stores a text" in str(refused.value)
    assert not City.objects.exists()
