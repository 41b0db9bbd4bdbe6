"""Spreadsheet import and export: validated, all-or-nothing, idempotent, formula-safe."""

import datetime
import re
from decimal import Decimal
from http import HTTPStatus

import pytest
import tablib
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from registry import services
from registry.cache import LOADED_PUBLICATION
from registry.import_widgets import FiniteDecimalWidget
from registry.models import Agreement, City, CityName, CooperationField, Partnership
from registry.resource_writes import _sent_as_given, insert_rows
from registry.resources import AgreementResource, CityResource, PartnershipResource

from .factories import (
    AgreementFactory,
    CityFactory,
    OrganizationFactory,
    PartnershipFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
HEADERS = ["slug", "name_en", "name_ko", "name_native", "country", "admin_level", "latitude", "longitude", "confidence"]


def city_rows(n=50, bad_row=None):
    rows = []
    for i in range(n):
        latitude = "123.0" if i == bad_row else f"{10 + i / 10:.4f}"
        rows.append([f"import-{i}", f"Import City {i}", "", "", "JP", "city", latitude, "135.0", "high"])
    return tablib.Dataset(*rows, headers=HEADERS)


def test_one_bad_row_among_fifty_imports_nothing_and_names_the_row_and_field():
    result = CityResource().import_data(city_rows(bad_row=16), dry_run=False, raise_errors=False)
    assert result.has_validation_errors()
    invalid = result.invalid_rows
    assert [row.number for row in invalid] == [17]
    assert "latitude" in invalid[0].field_specific_errors
    assert not City.objects.filter(slug__startswith="import-").exists()


def test_fixed_file_imports_all_fifty_and_again_changes_nothing():
    result = CityResource().import_data(city_rows(), dry_run=False, raise_errors=True)
    assert result.totals["new"] == 50
    assert City.objects.filter(slug__startswith="import-").count() == 50
    history_before = City.history.count()
    again = CityResource().import_data(city_rows(), dry_run=False, raise_errors=True)
    assert again.totals["skip"] == 50 and again.totals["update"] == 0
    assert City.history.count() == history_before


def test_likely_duplicate_is_flagged_in_the_preview():
    almaty = CityFactory(slug="almaty", name_en="Almaty", country="KZ")
    CityName.objects.create(city=almaty, name="Alma-Ata", used_from=1921, used_until=1993)
    CityFactory(slug="alma-ata-jp", name_en="Alma Ata", country="JP")  # another country: not a duplicate
    rows = tablib.Dataset(["alma-ata", "ALMA ATA", "", "", "KZ", "city", "43.2", "76.9", "high"], headers=HEADERS)
    resource = CityResource()
    result = resource.import_data(rows, dry_run=True, raise_errors=True)
    hint = result.rows[0].diff[result.diff_headers.index("possible_duplicate")]
    assert "almaty" in hint and "alma-ata-jp" not in hint
    assert not City.objects.filter(slug="alma-ata").exists()
    # Only the file's countries' cities are read to find duplicates (a registry may hold 100,000).
    assert {country for country, name in resource._names} == {"KZ"}


def test_export_of_a_filtered_list_reimports_without_change(shipped_data):
    queryset = Partnership.objects.filter(partner__country="CN")
    dataset = PartnershipResource().export(queryset=queryset)
    assert len(dataset) == 6
    result = PartnershipResource().import_data(dataset, dry_run=False, raise_errors=True)
    assert result.totals["skip"] == 6
    assert result.totals["new"] == result.totals["update"] == 0


def test_formulae_are_neutralised_on_export_and_round_trip():
    CityFactory(slug="formula", notes='=HYPERLINK("http://evil.example","x")', name_en="@SUM(1)", longitude="-118.25")
    dataset = CityResource().export(queryset=City.objects.filter(slug="formula"))
    row = dataset.dict[0]
    assert row["notes"] == '\'=HYPERLINK("http://evil.example","x")'
    assert row["name_en"] == "'@SUM(1)"
    assert row["longitude"] == "-118.25000"
    result = CityResource().import_data(dataset, dry_run=False, raise_errors=True)
    assert result.totals["skip"] == 1
    assert City.objects.get(slug="formula").name_en == "@SUM(1)"


def _manager():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Registry managers"))
    return user


def test_only_managers_may_import(client):
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Registry editors"))
    client.force_login(editor)
    assert client.get(reverse("admin:registry_city_import")).status_code == HTTPStatus.FORBIDDEN
    client.force_login(_manager())
    assert client.get(reverse("admin:registry_city_import")).status_code == HTTPStatus.OK


def test_admin_preview_lists_errors_and_writes_nothing(client):
    client.force_login(_manager())
    upload = SimpleUploadedFile("cities.csv", city_rows(bad_row=3).csv.encode(), content_type="text/csv")
    page = client.get(reverse("admin:registry_city_import"))
    csv_index = next(value for value, label in page.context["form"].fields["format"].choices if label == "csv")
    response = client.post(
        reverse("admin:registry_city_import"),
        {"import_file": upload, "format": csv_index, "resource": 0},
    )
    assert response.status_code == HTTPStatus.OK
    assert "Latitude must be between" in response.text or "Ensure this value is less than" in response.text
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert not City.objects.filter(slug__startswith="import-").exists()


PARTNERSHIP_HEADERS = ["city", "partner", "kind", "established_on", "established_precision", "status", "confidence"]


def test_a_cell_that_is_not_a_number_is_an_error_of_its_column():
    rows = tablib.Dataset(["bad-number", "Bad", "", "", "JP", "city", "north", "135.0", "high"], headers=HEADERS)
    result = CityResource().import_data(rows, dry_run=True, raise_errors=False)
    assert not result.has_errors()
    [row] = result.invalid_rows
    assert [str(message) for message in row.field_specific_errors["latitude"]] == ["“north” is not a number."]


@pytest.mark.parametrize("cell", ["NaN", "Infinity", "-inf", "sNaN"])
def test_a_number_cell_that_is_not_finite_is_an_error_of_its_column(cell):
    rows = tablib.Dataset(["nan-city", "NaN City", "", "", "JP", "city", cell, "135.0", "high"], headers=HEADERS)
    result = CityResource().import_data(rows, dry_run=True, raise_errors=False)
    assert not result.has_errors()
    [row] = result.invalid_rows
    assert [str(message) for message in row.field_specific_errors["latitude"]] == [f"“{cell}” is not a number."]


@pytest.mark.parametrize(
    ("cell", "number"), [("30.1", "30.1"), ("-0.5", "-0.5"), ("+12", "12"), ("1.234", "1.234"), (" 7.25 ", "7.25")]
)
def test_a_plain_number_cell_is_read_as_written_in_the_sites_languages(cell, number):
    for language in ("en", "ko"):
        with translation.override(language):
            assert FiniteDecimalWidget().clean(cell) == Decimal(number)


def test_a_number_cell_follows_the_active_languages_separators_when_a_site_language_writes_a_comma(settings):
    """The plain-number reading (no separators asked) holds only while every language of the site
    writes decimals after a point; with German among them, Django's reading applies: "1.234" is a
    thousand two hundred and thirty-four in German with thousand separators on."""
    settings.LANGUAGES = [("en", "English"), ("de", "German")]
    settings.USE_THOUSAND_SEPARATOR = True
    with translation.override("de"):
        assert FiniteDecimalWidget().clean("1.234") == Decimal("1234")
        assert FiniteDecimalWidget().clean("30,5") == Decimal("30.5")
    with translation.override("en"):
        assert FiniteDecimalWidget().clean("1.234") == Decimal("1.234")


@pytest.mark.parametrize(("cell", "message"), [("1.9", "is not a whole number"), ("NaN", "is not a number")])
def test_an_integer_cell_with_a_fraction_is_an_error_not_cut(cell, message):
    rows = tablib.Dataset(
        ["whole-city", "Whole City", "", "", "JP", "city", "35.0", "135.0", "high", cell],
        headers=[*HEADERS, "population"],
    )
    result = CityResource().import_data(rows, dry_run=True, raise_errors=False)
    assert not result.has_errors()
    [row] = result.invalid_rows
    assert [str(text) for text in row.field_specific_errors["population"]] == [f"“{cell}” {message}."]
    assert (
        CityResource()
        .import_data(
            tablib.Dataset(
                ["whole-city", "Whole City", "", "", "JP", "city", "35.0", "135.0", "high", "1200"],
                headers=[*HEADERS, "population"],
            ),
            dry_run=False,
            raise_errors=True,
        )
        .totals["new"]
        == 1
    )
    assert City.objects.get(slug="whole-city").population == 1200


def test_an_unknown_city_slug_is_an_error_of_its_column():
    CityFactory(slug="seoul")
    rows = tablib.Dataset(
        ["seoul", "atlantis", "sister", "2000-01-01", "day", "active", "high"], headers=PARTNERSHIP_HEADERS
    )
    result = PartnershipResource().import_data(rows, dry_run=True, raise_errors=False)
    assert not result.has_errors()
    [row] = result.invalid_rows
    assert [str(message) for message in row.field_specific_errors["partner"]] == ["No city has the slug “atlantis”."]
    assert not Partnership.objects.exists()


def test_a_partnership_file_reads_the_cities_of_both_its_columns_in_one_query(django_assert_max_num_queries):
    """``city`` and ``partner`` name the same model: the cities both columns name are read
    together, once each (a file's check read each city once per column, two queries and two
    instances of each city, which cost a tenth of a partnership file's check)."""
    for slug in ("seoul", "busan", "fukuoka"):
        CityFactory(slug=slug)
    rows = tablib.Dataset(
        ["seoul", "busan", "sister", "2000-01-01", "day", "active", "high"],
        ["busan", "fukuoka", "sister", "2001-01-01", "day", "active", "high"],
        headers=PARTNERSHIP_HEADERS,
    )
    with django_assert_max_num_queries(20) as captured:
        result = PartnershipResource().import_data(rows, dry_run=False, raise_errors=True)
    assert result.totals["new"] == 2
    city_reads = [q["sql"] for q in captured.captured_queries if '"registry_city"."slug" IN' in q["sql"]]
    assert len(city_reads) == 1, city_reads
    first, second = Partnership.objects.order_by("established_on")
    assert (first.city.slug, first.partner.slug, second.city.slug, second.partner.slug) == (
        "seoul",
        "busan",
        "busan",
        "fukuoka",
    )


def test_a_changed_partnership_file_reads_its_stored_rows_without_their_cities_again(django_assert_max_num_queries):
    """The stored partnerships a file changes are read without joining their cities, which the
    file's slugs already read: each stored row's city and partner are the very records the cells
    name (a join built a second copy of both, 0.65 s of a 3.5 s check of 5,000 changed rows)."""
    seoul, busan = CityFactory(slug="seoul"), CityFactory(slug="busan")
    PartnershipFactory(city=seoul, partner=busan, kind="sister", established_on=datetime.date(2000, 1, 1))
    rows = tablib.Dataset(
        ["seoul", "busan", "sister", "2000-01-01", "day", "active", "low"], headers=PARTNERSHIP_HEADERS
    )
    resource = PartnershipResource()
    with django_assert_max_num_queries(20) as captured:
        result = resource.import_data(rows, dry_run=True, raise_errors=True, preview=False)
    assert result.totals["update"] == 1
    partnership_reads = [q["sql"] for q in captured.captured_queries if 'FROM "registry_partnership"' in q["sql"]]
    assert partnership_reads and not any('JOIN "registry_city"' in sql for sql in partnership_reads), partnership_reads
    stored = result.rows[0].instance.stored_copy
    named = resource.fields["city"].widget.loaded
    assert stored.city is named["seoul"] and stored.partner is named["busan"]


@pytest.mark.parametrize("empty", ["city", "partner"])
def test_an_empty_city_cell_is_an_error_of_its_column(empty):
    """A partnership row without one of its cities is refused under that column in the preview, as
    an empty cell (it was shown as New, and the import then failed on the database's NOT NULL, quoting the
    whole row; adversarial probe). Nothing is written."""
    CityFactory(slug="seoul")
    CityFactory(slug="busan")
    cells = {"city": "seoul", "partner": "busan", empty: ""}
    rows = tablib.Dataset(
        [cells["city"], cells["partner"], "sister", "2000-01-01", "day", "active", "high"], headers=PARTNERSHIP_HEADERS
    )
    for dry_run in (True, False):
        result = PartnershipResource().import_data(rows, dry_run=dry_run, raise_errors=False)
        assert not result.has_errors()
        [row] = result.invalid_rows
        # as every other empty cell ("null" is no spreadsheet's word: "null 값" in Korean)
        assert [str(message) for message in row.field_specific_errors[empty]] == ["This field cannot be blank."]
        assert [error.code for error in row.error.error_dict[empty]] == ["blank"]
    assert not Partnership.objects.exists()


def test_a_lone_surrogate_is_an_error_of_its_cell():
    """Text with half of a UTF-16 pair (only a program can write one) is refused under its column:
    in a note it passed the check, and in a slug the database's codec error was the file's only
    error (adversarial probe)."""
    CityFactory(slug="seoul")
    CityFactory(slug="busan")
    rows = tablib.Dataset(
        ["seoul", "busan", "sister", "2000-01-01", "day", "active", "high", "x\ud800y"],
        ["seoul", "bu\udfffsan", "friendship", "2001-01-01", "day", "active", "high", ""],
        headers=[*PARTNERSHIP_HEADERS, "notes"],
    )
    result = PartnershipResource().import_data(rows, dry_run=True, raise_errors=False)
    assert not result.has_errors()
    first, second = result.invalid_rows
    assert [error.code for error in first.error.error_dict["notes"]] == ["lone_surrogate"]
    assert list(second.field_specific_errors) == ["partner"]
    assert "No city has the slug" in str(second.field_specific_errors["partner"][0])


def test_a_long_text_over_its_limit_is_an_error_of_its_cell_and_nothing_is_written():
    """A note of ``TEXT_MAX`` + 1 characters is refused under its column with the length, as the
    admin's form and the API refuse it; an import stored notes of 100,000 characters, which no
    form could then save again (adversarial probe). ``TEXT_MAX`` itself is kept."""
    from registry.models import TEXT_MAX

    rows = tablib.Dataset(
        ["long-notes", "Long", "", "", "KZ", "city", "43.1", "76.1", "high", "B" * (TEXT_MAX + 1)],
        ["just-fits", "Fits", "", "", "KZ", "city", "43.2", "76.2", "high", "B" * TEXT_MAX],
        headers=[*HEADERS, "notes"],
    )
    result = CityResource().import_data(rows, dry_run=False, raise_errors=False)
    [invalid] = result.invalid_rows
    assert invalid.number == 1 and [error.code for error in invalid.error.error_dict["notes"]] == ["max_length"]
    assert f"at most {TEXT_MAX} characters (it has {TEXT_MAX + 1})" in str(invalid.error.error_dict["notes"][0])
    assert not City.objects.filter(slug__in=["long-notes", "just-fits"]).exists()  # all or nothing
    rows = tablib.Dataset(rows[1], headers=rows.headers)
    assert not CityResource().import_data(rows, dry_run=False, raise_errors=False).has_validation_errors()
    assert len(City.objects.get(slug="just-fits").notes) == TEXT_MAX


def test_a_long_text_stored_before_the_limit_is_kept_until_it_is_changed():
    """Notes over the limit that an import stored before it was checked made every later write to
    the record fail under ``notes``, a field the write did not touch (helper-90): they are kept
    while unchanged; a change to another over-long text is refused."""
    from django.core.exceptions import ValidationError

    from registry.models import TEXT_MAX

    city = CityFactory(slug="long-notes")
    City.objects.filter(pk=city.pk).update(notes="n" * (TEXT_MAX + 5))
    services.save_record(instance=City.objects.get(pk=city.pk), data={"population": 5})
    assert City.objects.get(pk=city.pk).population == 5
    with pytest.raises(ValidationError) as refused:
        services.save_record(instance=City.objects.get(pk=city.pk), data={"notes": "m" * (TEXT_MAX + 1)})
    assert [error.code for error in refused.value.error_dict["notes"]] == ["max_length"]
    assert len(City.objects.get(pk=city.pk).notes) == TEXT_MAX + 5


def test_a_city_slug_with_capitals_is_an_error_of_its_column():
    """``Import-1`` beside ``import-1`` would be a second address for one city (adversarial probe)."""
    rows = city_rows(3)
    rows[1] = ("Import-0", *rows[1][1:])
    result = CityResource().import_data(rows, dry_run=True, raise_errors=False)
    [row] = result.invalid_rows
    assert [error.code for error in row.error.error_dict["slug"]] == ["slug_lower_case"]


def test_a_files_look_ups_send_one_array_not_a_parameter_per_value():
    """A check of 600 partnerships (more than one chunk of 500) asks each look-up once, its values
    as one array (:func:`registry.models.constraints.values_in`: PostgreSQL's array, SQLite's JSON
    array): a 5,000-row file sent some 30,000 parameters, which PostgreSQL's driver rewrote and
    Django compiled one by one. The rows are checked as before: 600 new, and the row naming no
    city refused. Run on SQLite and PostgreSQL."""
    City.objects.bulk_create(
        City(slug=f"arr-{i}", name_en=f"Arr {i}", country="JP", latitude=1, longitude=1) for i in range(601)
    )
    rows = tablib.Dataset(
        *([f"arr-{i}", f"arr-{i + 1}", "sister", "2000-01-01", "day", "active", "high"] for i in range(600)),
        ["arr-0", "arr-nowhere", "sister", "2000-01-01", "day", "active", "high"],
        headers=PARTNERSHIP_HEADERS,
    )
    sent = []

    def record(execute, sql, params, many, context):
        sent.append((len(params or ()), sql))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        result = PartnershipResource().import_data(rows, dry_run=True, raise_errors=False)
    assert result.totals["new"] == 600 and [row.number for row in result.invalid_rows] == [601]
    # On SQLite the rules' check sends the rows themselves (a WITH … of their values; on PostgreSQL
    # arrays of them); every look-up sends one parameter.
    look_ups = [count for count, sql in sent if connection.vendor == "postgresql" or not sql.startswith("WITH")]
    assert max(look_ups) < 20, sorted(look_ups)[-5:]


def test_a_malformed_date_is_an_error_of_its_column():
    CityFactory(slug="seoul")
    CityFactory(slug="busan")
    rows = tablib.Dataset(["seoul", "busan", "sister", "1 May", "day", "active", "high"], headers=PARTNERSHIP_HEADERS)
    result = PartnershipResource().import_data(rows, dry_run=True, raise_errors=False)
    [row] = result.invalid_rows
    assert "is not a date in the form YYYY-MM-DD" in str(row.field_specific_errors["established_on"])


def test_a_date_written_to_its_precision_is_read_as_the_api_reads_it():
    """``2023-06`` with precision ``month`` (and ``1966`` with ``year``) is imported as the API takes
    it, the first day of the month or year (it was refused as "not a date in the form YYYY-MM-DD";
    found by a new user); a cell coarser than its precision column is an error of its column."""
    CityFactory(slug="seoul")
    CityFactory(slug="busan")
    CityFactory(slug="fukuoka")
    rows = tablib.Dataset(
        ["seoul", "busan", "sister", "2023-06", "month", "active", "high"],
        ["seoul", "fukuoka", "friendship", "1966", "year", "active", "high"],
        headers=PARTNERSHIP_HEADERS,
    )
    result = PartnershipResource().import_data(rows, dry_run=False, raise_errors=False)
    assert not result.has_validation_errors(), [row.error_dict for row in result.invalid_rows]
    stored = dict(Partnership.objects.values_list("partner__slug", "established_on"))
    assert stored == {"busan": datetime.date(2023, 6, 1), "fukuoka": datetime.date(1966, 1, 1)}
    precisions = set(Partnership.objects.values_list("established_precision", flat=True))
    assert precisions == {"month", "year"}

    CityFactory(slug="osaka")
    rows = tablib.Dataset(["seoul", "osaka", "sister", "2023-06", "day", "active", "high"], headers=PARTNERSHIP_HEADERS)
    result = PartnershipResource().import_data(rows, dry_run=True, raise_errors=False)
    [row] = result.invalid_rows
    assert [str(message) for message in row.field_specific_errors["established_on"]] == [
        "“2023-06” gives the month only, but “established_precision” says day: give the "
        "full date, or write month in “established_precision”."
    ]


def test_a_year_in_a_number_cell_of_a_spreadsheet_is_read_as_the_year():
    """A year typed in Excel is a number cell (1966, read as ``int``): with precision ``year`` it is
    1 January of it, as the text ``1966`` is; it was "“1966” is not a date in the form YYYY-MM-DD,
    YYYY-MM or YYYY" (adversarial probe)."""
    CityFactory(slug="seoul")
    CityFactory(slug="fukuoka")
    written = tablib.Dataset(
        ["seoul", "fukuoka", "friendship", 1966, "year", "active", "high"], headers=PARTNERSHIP_HEADERS
    )
    rows = tablib.Dataset().load(written.export("xlsx"), format="xlsx")
    assert isinstance(rows[0][3], int)
    result = PartnershipResource().import_data(rows, dry_run=False, raise_errors=False)
    assert not result.has_validation_errors(), [row.error_dict for row in result.invalid_rows]
    assert Partnership.objects.get().established_on == datetime.date(1966, 1, 1)


def test_a_file_without_the_slug_column_is_a_form_error_without_traceback(client):
    client.force_login(_manager())
    upload = SimpleUploadedFile("cities.csv", b"name_en,country\nNowhere,JP\n", content_type="text/csv")
    page = client.get(reverse("admin:registry_city_import"))
    csv_index = next(value for value, label in page.context["form"].fields["format"].choices if label == "csv")
    response = client.post(reverse("admin:registry_city_import"), {"import_file": upload, "format": csv_index})
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["import_file"] == [
        "The file has no column “slug”; every row needs it to be matched with the registry."
    ]
    assert "Traceback" not in response.text and ".py" not in response.text
    assert response.context["result"] is None
    assert not City.objects.filter(name_en="Nowhere").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"slug,name_en,name_en,country\nimp-dup,First,Second,JP\n",
            "The file names the column “name_en” more than once: keep one.",
        ),
        (
            b"slug,name_en,country\nimp-fine,Fine,JP\nimp-nul,Nul\x00Name,JP\n",
            "Row 3, column “name_en”: the cell holds a NUL character (U+0000); remove it.",
        ),
    ],
)
def test_a_column_named_twice_or_a_nul_in_a_cell_is_a_form_error(client, content, message):
    """Found by the adversarial probe: a column named twice kept its last cell silently, and a NUL
    passed the preview and was a 500 on PostgreSQL when confirmed (SQLite stored it)."""
    client.force_login(_manager())
    upload = SimpleUploadedFile("cities.csv", content, content_type="text/csv")
    page = client.get(reverse("admin:registry_city_import"))
    csv_index = next(value for value, label in page.context["form"].fields["format"].choices if label == "csv")
    response = client.post(reverse("admin:registry_city_import"), {"import_file": upload, "format": csv_index})
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["import_file"] == [message]
    assert not City.objects.filter(slug__startswith="imp-").exists()


def test_import_writes_history_records_by_the_importing_user_in_bulk(django_assert_max_num_queries):
    """5 or 30 rows: the same queries (look-ups once per file, rules once per chunk, one
    bulk insert of the rows and one of their history records), each history row by the user."""
    user = _manager()
    with django_assert_max_num_queries(12) as few:
        CityResource().import_data(city_rows(5), dry_run=False, raise_errors=True, user=user)
    City.objects.filter(slug__startswith="import-").delete()
    user = type(user).objects.get(pk=user.pk)  # as a new request: the account's offices not yet read
    with django_assert_max_num_queries(12) as many:
        result = CityResource().import_data(city_rows(30), dry_run=False, raise_errors=True, user=user)
    assert result.totals["new"] == 30
    assert len(many.captured_queries) == len(few.captured_queries)
    created = City.history.filter(slug__startswith="import-", history_type="+")
    assert created.count() == 30 + 5
    assert set(created.values_list("history_user", flat=True)) == {user.pk}
    assert City.objects.get(slug="import-7").search_text  # derived fields are filled as save() fills them


def test_imported_rows_take_their_keys_from_the_tables_sequence_in_file_order():
    """The rows of an import are inserted in bulk (on PostgreSQL by ``COPY``, their keys taken from
    the table's sequence first: :func:`registry.resource_writes.insert_rows`): each record's key is
    its row's, in the file's order, and a record saved after the import gets a key of its own
    (a key written without the sequence would be given again and refused as a duplicate)."""
    result = CityResource().import_data(city_rows(3), dry_run=False, raise_errors=True)
    keys = [row.object_id for row in result.rows]
    assert [City.objects.get(pk=key).slug for key in keys] == ["import-0", "import-1", "import-2"]
    assert keys == sorted(keys)
    later = CityFactory(slug="after-the-import")
    assert later.pk > max(keys)
    assert City.objects.filter(slug__startswith="import-").count() == 3


def test_rows_inserted_in_bulk_across_batches_each_get_their_own_key(django_assert_num_queries):
    """:func:`registry.resource_writes.insert_rows` sends more rows than one statement of the
    database takes (SQLite: 999 parameters, ``bulk_batch_size``) in several ``INSERT … RETURNING``
    statements, the last one shorter; each record gets the key of its own row, in order, and
    nothing else is sent (PostgreSQL: one query for the keys, one ``COPY``)."""
    batch = max(1, connection.ops.bulk_batch_size([f for f in City._meta.concrete_fields if not f.primary_key], []))
    records = [
        City(slug=f"batched-{i}", name_en=f"Batched {i}", country="JP", population=i) for i in range(2 * batch + 1)
    ]
    for record in records:
        record.before_write()
    with django_assert_num_queries(2 if connection.vendor == "postgresql" else 3):
        insert_rows(City, records)
    stored = dict(City.objects.filter(slug__startswith="batched-").values_list("pk", "slug"))
    assert len(stored) == len(records)
    assert [stored[record.pk] for record in records] == [record.slug for record in records]
    assert [record.pk for record in records] == sorted(record.pk for record in records)
    assert all(not record._state.adding and record._state.db == "default" for record in records)
    assert City.objects.get(slug=f"batched-{batch}").population == batch


@pytest.mark.parametrize("remarks", ["a\\b\nc\\N", "\\N", "a\\.", "부산 \u200f☃", ""])
def test_rows_inserted_in_bulk_keep_every_value_as_given(remarks):
    """What :func:`registry.resource_writes.insert_rows` writes reads back as given, with the key,
    timestamps and derived fields its record holds: on PostgreSQL the rows go by ``COPY``, whose
    text format gives a backslash, ``\\N`` (its null) and ``\\.`` (its end of data) meanings of
    their own, so they are escaped."""
    record = City(
        slug="inserted",
        name_en="Inserted",
        country="KR",
        remarks_en=remarks,
        latitude=Decimal("35.1796"),
        longitude=Decimal("-129.0756"),
    )
    record.before_write()
    insert_rows(City, [record])
    stored = City.objects.get(slug="inserted")
    assert (stored.pk, stored.remarks_en, stored.latitude, stored.country.code) == (
        record.pk,
        remarks,
        Decimal("35.1796"),
        "KR",
    )
    assert (stored.created_at, stored.search_text) == (record.created_at, record.search_text)
    assert stored.search_text and stored.created_at is not None and stored.longitude == Decimal("-129.0756")


def test_only_plain_text_fields_skip_their_fields_preparation_in_bulk_inserts():
    """:func:`registry.resource_writes.insert_rows` sends a text cell as it is only for Django's own
    text fields, whose preparation returns a text unchanged; a field that converts its value
    (django-countries' code, a date, a decimal, a text field whose ``get_prep_value`` is its own)
    is prepared by its methods, and a value that is not a plain ``str`` (a lazy translation) too."""

    class Shouted(models.CharField):
        def get_prep_value(self, value):
            return super().get_prep_value(value).upper()

    fields = {field.name: _sent_as_given(field) for field in City._meta.concrete_fields}
    assert fields["name_en"] and fields["slug"] and fields["notes"]
    assert not any(fields[name] for name in ("country", "latitude", "created_at", "population"))
    assert not _sent_as_given(Shouted(max_length=10))

    record = City(slug="lazy", name_en=gettext_lazy("Busan"), country="KR")
    record.before_write()
    insert_rows(City, [record])
    assert City.objects.values_list("name_en", "country").get(slug="lazy") == ("Busan", "KR")


def test_a_bulk_insert_prepares_each_distinct_value_once_and_stamps_one_time():
    """:func:`registry.resource_writes.insert_rows` prepares a value of a field whose preparation
    depends on the value alone (a country code, a reference, a date, an empty number) once per
    distinct value, yet each record stores its own: two countries, two partners and two dates
    among four records come back as written. The times stamped on insert (``created_at``,
    ``updated_at``) are one time for the whole call, set on the records as stored. Run on SQLite
    (``INSERT … RETURNING``) and PostgreSQL (``COPY``)."""
    cities = [
        City(slug=f"by-value-{n}", name_en=f"By Value {n}", country=code, population=people)
        for n, (code, people) in enumerate([("KR", None), ("JP", 5), ("KR", 5), ("JP", None)])
    ]
    for city in cities:
        city.before_write()
    insert_rows(City, cities)
    stored = City.objects.filter(slug__startswith="by-value-").order_by("slug")
    assert [(c.country.code, c.population) for c in stored] == [("KR", None), ("JP", 5), ("KR", 5), ("JP", None)]
    assert len({c.created_at for c in stored} | {c.updated_at for c in stored}) == 1
    assert {c.created_at for c in cities} == {stored[0].created_at}

    days = [datetime.date(1990, 1, 1), datetime.date(2001, 5, 4)]
    partnerships = [
        Partnership(city=cities[n % 2], partner=cities[2 + n // 2], kind="sister", established_on=days[n // 2])
        for n in range(4)
    ]
    for partnership in partnerships:
        partnership.before_write()
    insert_rows(Partnership, partnerships)
    assert sorted(
        Partnership.objects.filter(pk__in=[p.pk for p in partnerships]).values_list(
            "city__slug", "partner__slug", "established_on"
        )
    ) == [
        ("by-value-0", "by-value-2", days[0]),
        ("by-value-0", "by-value-3", days[1]),
        ("by-value-1", "by-value-2", days[0]),
        ("by-value-1", "by-value-3", days[1]),
    ]


def test_an_imports_new_records_are_what_the_model_makes_each_its_own():
    """A new row's record (:meth:`RegistryResource.init_instance`) holds what ``model()`` holds,
    each record its own values and state (a value set on one is not on the next); a model whose
    records a ``post_init`` receiver watches (a partnership's publication) is made by ``model()``,
    so that the receiver still sees each one."""
    resource = CityResource()
    resource.before_import(city_rows(1))
    first, second = resource.init_instance(), resource.init_instance()
    made = City()
    tracked = [field.attname for field in City._meta.concrete_fields]
    assert [getattr(first, name) for name in tracked] == [getattr(made, name) for name in tracked]
    first.name_en, first._state.adding = "Changed", False
    assert (second.name_en, second._state.adding, second._state.db) == ("", True, None)
    assert type(first) is City and first is not second and first._state is not second._state

    partnerships = PartnershipResource()
    partnerships.before_import(tablib.Dataset(headers=["city", "partner", "kind", "established_on"]))
    assert partnerships.blank is None
    assert LOADED_PUBLICATION in partnerships.init_instance().__dict__  # the receiver saw it


def test_a_record_saved_meanwhile_with_a_files_key_is_reported_in_words_and_nothing_is_written():
    """A city saved with one of the file's new slugs after the rows were checked (another import of
    the same file at once, on_write here: inside the write's transaction, before it writes) makes
    the database refuse the write: the import's one error says so in words, naming the field's
    rule as the API's 409 does, not the database's text ("duplicate key value violates unique
    constraint …", helper-102), and nothing of the file is written. Run on SQLite and PostgreSQL,
    whose refusals read differently."""

    def meanwhile():
        CityFactory(slug="import-1")

    result = CityResource().import_data(city_rows(3), dry_run=False, raise_errors=False, on_write=meanwhile)
    assert [str(error.error) for error in result.base_errors] == [
        "Nothing was imported: Another city already has this slug. Someone else saved a record while the file "
        "was being written. Import the file again to see its preview."
    ]
    assert not City.objects.filter(slug__startswith="import-").exists()
    assert not City.history.filter(slug__startswith="import-").exists()


def test_an_imports_history_records_hold_their_records_as_stored_by_its_user_and_file():
    """The database copies each imported record into its history record
    (:func:`registry.resource_writes.write_history`): every tracked column as stored (a decimal,
    a date, text with quotes and Hangul, an empty cell, a foreign key), one record each, by the
    importing user, with the file as its reason, at the time of the change (a changed record's
    ``updated_at``). Run on SQLite and PostgreSQL, whose parameters in a ``SELECT`` list need
    a type."""
    user = _manager()
    rows = city_rows(3)
    rows[1] = (*rows[1][:2], "임포트 \"시\" 'ㅅ'", *rows[1][3:])
    result = CityResource().import_data(rows, dry_run=False, raise_errors=True, user=user, file_name="c.csv")
    assert result.totals["new"] == 3
    tracked = [field.attname for field in City.history.model.tracked_fields]
    cities = City.objects.filter(slug__startswith="import-").order_by("pk")
    created = City.history.filter(slug__startswith="import-", history_type="+").order_by("id")
    assert list(created.values_list(*tracked)) == list(cities.values_list(*tracked))
    assert {(h.history_user, h.history_change_reason) for h in created} == {(user, "Imported from the file “c.csv”")}
    city = PartnershipFactory(city=cities[0]).city
    partnerships = PartnershipFactory.create_batch(2, city=city, established_on=datetime.date(2000, 1, 1))
    rows = tablib.Dataset(headers=[*PARTNERSHIP_HEADERS, "notes"])
    for p in partnerships:
        rows.append([city.slug, p.partner.slug, p.kind, "2000-01-01", "day", p.status, p.confidence, "Changed."])
    result = PartnershipResource().import_data(rows, dry_run=False, raise_errors=True, user=None)
    assert result.totals["update"] == 2
    tracked = [field.attname for field in Partnership.history.model.tracked_fields]
    for partnership in Partnership.objects.filter(pk__in=[p.pk for p in partnerships]):
        latest = partnership.history.get(history_type="~")
        assert [getattr(latest, name) for name in tracked] == [getattr(partnership, name) for name in tracked]
        assert (latest.history_date, latest.history_user, latest.history_change_reason) == (
            partnership.updated_at,
            None,
            None,
        )


def test_changing_200_cities_costs_the_queries_of_changing_20(django_assert_max_num_queries):
    """The bulk path for changed rows: stored rows read once per file, rules once per chunk, the
    former names that ``search_text`` folds in one query (it was one per city), one bulk insert
    of history records and one bulk update (each one statement per batch of rows the database's
    parameter limit allows: some 20-40 rows of a city on SQLite). A row-by-row path would grow."""
    user = _manager()

    def change(count: int, most: int) -> list:
        CityResource().import_data(city_rows(count), dry_run=False, raise_errors=True, user=user)
        for city in City.objects.filter(slug__startswith="import-"):
            CityName.objects.create(city=city, name=f"Former {city.slug}", used_until=1990)
        renamed = city_rows(count)
        for i in range(count):
            renamed[i] = (renamed[i][0], f"Renamed {i}", *renamed[i][2:])
        fresh = type(user).objects.get(pk=user.pk)
        with django_assert_max_num_queries(most) as captured:
            result = CityResource().import_data(renamed, dry_run=False, raise_errors=True, user=fresh)
        assert result.totals["update"] == count and not result.has_validation_errors()
        return captured.captured_queries

    few = change(20, 14)
    assert "former import 3" in City.objects.get(slug="import-3").search_text.splitlines()
    assert City.objects.get(slug="import-3").name_en == "Renamed 3"
    City.objects.filter(slug__startswith="import-").delete()
    many = change(200, 14 + 2 * 200 // 20)

    def reads(queries: list) -> list[str]:
        return [query["sql"] for query in queries if query["sql"].startswith("SELECT")]

    assert len(reads(many)) == len(reads(few))
    assert "former import 150" in City.objects.get(slug="import-150").search_text.splitlines()
    assert City.history.filter(slug="import-150", history_type="~").get().history_user == user


def test_a_changed_rows_history_record_keeps_its_sources_fields_and_parties(django_assert_max_num_queries):
    """The history record an import writes for a changed row holds the record's many-to-many
    links as stored (they are not in the file and do not change), as a ``save()``'s would: the
    history compared it with the last version as “sources: [...] → []”, and a revert to it
    would have dropped them. The links of 5 or 40 rows are read and written in one query each
    per field, and the stored rows the partnerships' rules compare with in one (it was one per
    row: :meth:`Partnership.before_clean_many`). Only the columns the file changed are written."""
    fields = [CooperationField.objects.create(name_en=name, slug=name.lower()) for name in ("Culture", "Trade")]

    def change(count: int, most: int) -> list:
        partnerships = []
        for _i in range(count):
            partnership = PartnershipFactory(notes="", established_on=datetime.date(2000, 1, 1))
            partnership.sources.set([SourceFactory(), SourceFactory()])
            partnership.fields.set(fields)
            partnerships.append(partnership)
        agreement = AgreementFactory(summary_en="Before.")
        agreement.parties.set([OrganizationFactory()])
        agreement.sources.set([SourceFactory()])
        rows = tablib.Dataset(headers=[*PARTNERSHIP_HEADERS, "publication", "notes"])
        for p in partnerships:
            rows.append(
                [
                    p.city.slug,
                    p.partner.slug,
                    p.kind,
                    "2000-01-01",
                    "day",
                    p.status,
                    p.confidence,
                    p.publication,
                    "Changed by the file.",
                ]
            )
        with django_assert_max_num_queries(most) as captured:
            result = PartnershipResource().import_data(rows, dry_run=False, raise_errors=False)
        assert result.totals["update"] == count, [row.error_dict for row in result.invalid_rows]
        for partnership in partnerships:
            latest, before = partnership.history.all()[:2]
            assert latest.history_type == "~" and latest.notes == "Changed by the file."
            assert {row.source_id for row in latest.sources.all()} == set(
                partnership.sources.values_list("pk", flat=True)
            )
            assert {row.cooperationfield_id for row in latest.fields.all()} == {field.pk for field in fields}
            assert [change.field for change in latest.diff_against(before).changes] == ["notes"]
        exported = AgreementResource().export(queryset=type(agreement).objects.filter(pk=agreement.pk))
        column = exported.headers.index("summary_en")
        exported[0] = (*exported[0][:column], "After.", *exported[0][column + 1 :])
        result = AgreementResource().import_data(exported, dry_run=False, raise_errors=False)
        assert result.totals["update"] == 1, [row.error_dict for row in result.invalid_rows]
        latest, before = agreement.history.all()[:2]
        assert [change.field for change in latest.diff_against(before).changes] == ["summary_en"]
        assert [row.organization_id for row in latest.parties.all()] == list(
            agreement.parties.values_list("pk", flat=True)
        )
        return [query["sql"] for query in captured.captured_queries]

    # 21: the status rule reads the stored partnerships' pause stages (models.stages.status_disagreements).
    few, many = change(5, 21), change(40, 21)
    assert len(few) == len(many)  # the stored rows and their links read once per file, not per row
    updates = [sql for sql in many if re.match(r"(\d+ times: )?UPDATE ", sql)]  # executemany: "40 times: …"
    assert len(updates) == 1  # one statement for the rows of a chunk, not one per row
    written = {column for sql in updates for column in re.findall(r'"(\w+)" = %s', sql.split(" WHERE ")[0])}
    assert written == {"notes", "version", "updated_at"}  # the columns the file changed (changed_columns)

    def history_of_links(queries: list) -> list[str]:
        return [sql.split(" (")[0] for sql in queries if sql.startswith('INSERT INTO "registry_historicalpartnership_')]

    assert (
        history_of_links(many)
        == history_of_links(few)
        == [
            'INSERT INTO "registry_historicalpartnership_fields"',
            'INSERT INTO "registry_historicalpartnership_sources"',
        ]
    )


def test_a_changed_row_is_written_with_each_columns_type_as_the_orm_writes_it():
    """The import's update (:func:`registry.resource_writes.update_columns`, one ``executemany``
    for the rows of a chunk instead of Django's ``bulk_update``) prepares each value by its field:
    a decimal, a date to its precision, a number, an emptied cell, text with quotes and Unicode; a
    column the file did not change is left as stored. Run on SQLite and PostgreSQL."""
    city = CityFactory(slug="import-typed", latitude="10.00000", longitude="20.00000", notes="Before.")
    other = CityFactory(slug="import-other", notes="Kept.")
    headers = ["slug", "name_en", "name_ko", "country", "latitude", "longitude", "notes"]
    rows = tablib.Dataset(headers=headers)
    rows.append([city.slug, city.name_en, "부산 \"항구\" 'ㅂ'", city.country, "-33.86514", "151.2099", ""])
    result = CityResource().import_data(rows, dry_run=False, raise_errors=False)
    assert result.totals["update"] == 1, [row.error_dict for row in result.invalid_rows]
    city.refresh_from_db()
    assert (city.name_ko, city.latitude, city.longitude, city.notes) == (
        "부산 \"항구\" 'ㅂ'",
        Decimal("-33.86514"),
        Decimal("151.20990"),
        "",
    )
    assert city.version == 2 and city.history.first().name_ko == city.name_ko
    agreement = AgreementFactory(signed_on=datetime.date(2000, 1, 1), summary_en="Kept.")
    exported = AgreementResource().export(queryset=Agreement.objects.filter(pk=agreement.pk))
    changed = dict(zip(exported.headers, exported[0], strict=True)) | {
        "signed_on": "2001-07",
        "signed_precision": "month",
        "entry_into_force_on": "2001-08-15",
        "notice_period_days": "90",
    }
    rows = tablib.Dataset([changed[header] for header in exported.headers], headers=exported.headers)
    result = AgreementResource().import_data(rows, dry_run=False, raise_errors=False)
    assert result.totals["update"] == 1, [row.error_dict for row in result.invalid_rows]
    agreement.refresh_from_db()
    assert (agreement.signed_on, agreement.signed_precision, agreement.entry_into_force_on) == (
        datetime.date(2001, 7, 1),
        "month",
        datetime.date(2001, 8, 15),
    )
    assert (agreement.notice_period_days, agreement.summary_en) == (90, "Kept.")
    other.refresh_from_db()
    assert (other.notes, other.version) == ("Kept.", 1)


def test_a_file_giving_a_stored_record_twice_alike_writes_its_change(django_assert_max_num_queries):
    """The second row got the instance the first had changed, as its “as read” copy, so only the
    columns that differed from it were written: none. The import said “1 updated” and the history
    showed a change never stored (adversarial probe of changed_columns)."""
    CityResource().import_data(city_rows(2), dry_run=False, raise_errors=True)
    rows = tablib.Dataset(headers=[*HEADERS, "notes"])
    for _ in range(2):
        rows.append([*city_rows(1)[0], "Checked twice."])
    result = CityResource().import_data(rows, dry_run=False, raise_errors=False)
    assert not result.has_validation_errors(), [row.error_dict for row in result.invalid_rows]
    city = City.objects.get(slug="import-0")
    assert city.notes == "Checked twice."
    assert city.history.first().notes == "Checked twice." and city.version == 2


def test_two_rows_with_the_same_slug_in_one_file_are_an_error_of_the_second_naming_the_first():
    """helper-84: the second said "City with this Slug already exists.", and the manager looked
    for it in the registry; it names the file's row (the spreadsheet's numbering) instead."""
    rows = city_rows(3)
    rows.append(["import-1", "Again", "", "", "JP", "city", "10.0", "135.0", "high"])
    result = CityResource().import_data(rows, dry_run=False, raise_errors=False)
    assert [(row.number, list(row.field_specific_errors)) for row in result.invalid_rows] == [(4, ["slug"])]
    [message] = result.invalid_rows[0].field_specific_errors["slug"]
    assert message == "Row 3 has the same slug; each city needs its own."
    assert not City.objects.filter(slug__startswith="import-").exists()


@pytest.mark.parametrize(
    ("second", "field", "message"),
    [
        (  # both open: the pair's one-open-partnership rule
            ["busan", "bishkek", "sister", "2021-05", "month", "active", "high"],
            "partner",
            "Row 2 and this row break this rule together: These two cities already have a partnership in force;",
        ),
        (  # the same partnership twice: its natural key, named by its fields (helper-86: "already recorded")
            ["busan", "bishkek", "friendship", "2020", "year", "active", "high"],
            "partner",
            "Row 2 has the same city / partner city / kind / established on; each partnership needs its own.",
        ),
        (  # ended, overlapping the first's period: the overlap rule
            ["busan", "bishkek", "sister", "2019", "year", "ended", "high", "2021"],
            "established_on",
            "Row 2 is a partnership of the same two cities in this period.",
        ),
    ],
)
def test_two_partnerships_of_one_file_that_clash_name_each_other(second, field, message):
    """helper-84: two rows of Busan–Bishkek said "These two cities already have a partnership in
    force", though the registry had none: the clash was with row 2 of the same file."""
    CityFactory(slug="busan")
    CityFactory(slug="bishkek")
    headers = [*PARTNERSHIP_HEADERS, "ended_on"]
    first = ["busan", "bishkek", "friendship", "2020", "year", "active", "high", ""]
    rows = tablib.Dataset(first, second + [""] * (len(headers) - len(second)), headers=headers)
    result = PartnershipResource().import_data(rows, dry_run=True, raise_errors=False)
    [row] = result.invalid_rows
    assert str(row.field_specific_errors[field][0]).startswith(message), row.error_dict


@pytest.mark.django_db(transaction=True)  # as the other transactional tests: no serialized rollback, whose
# reload of the content types clashes with those a previous flush re-created
def test_another_connection_writes_while_a_preview_runs(monkeypatch):
    """A preview validates outside any transaction: another connection's write (here, a new city
    saved from another thread while the preview checks its rows) neither waits nor fails."""
    import threading

    from django.db import connection

    from registry import resource_base

    validate = resource_base.full_clean_many
    written = []

    def write_elsewhere():
        try:
            City.objects.create(slug="written-meanwhile", name_en="Meanwhile", country="JP")
            written.append(True)
        finally:
            connection.close()

    def validate_while_another_connection_writes(records, **options):
        thread = threading.Thread(target=write_elsewhere)
        thread.start()
        thread.join(timeout=30)
        return validate(records, **options)

    monkeypatch.setattr(resource_base, "full_clean_many", validate_while_another_connection_writes)
    result = CityResource().import_data(city_rows(20), dry_run=True, raise_errors=True)
    assert result.totals["new"] == 20
    assert written == [True]
    assert City.objects.filter(slug="written-meanwhile").exists()
    assert not City.objects.filter(slug__startswith="import-").exists()


def test_preview_shows_each_error_under_its_row_and_column_without_hovering(client):
    """The bad fourth data row is the file's row 5, as a spreadsheet numbers it (the header is
    row 1; :func:`registry.import_widgets.file_row`): the preview said “Row 4”, while a formula's
    refusal named the spreadsheet's row (new-user probe)."""
    client.force_login(_manager())
    upload = SimpleUploadedFile("cities.csv", city_rows(n=5, bad_row=3).csv.encode(), content_type="text/csv")
    page = client.get(reverse("admin:registry_city_import"))
    csv_index = next(value for value, label in page.context["form"].fields["format"].choices if label == "csv")
    response = client.post(reverse("admin:registry_city_import"), {"import_file": upload, "format": csv_index})
    html = response.text
    assert "validation-error-container" not in html  # the library's hover-only box
    row = html.split('<th scope="row">5</th>', 1)[1].split("</tr>", 1)[0]
    cells = row.split("<td")
    latitude = cells[1 + HEADERS.index("latitude")]
    assert "123.0" in latitude and "import-error-cell" in latitude
    assert "Ensure this value is less than or equal to 90." in latitude
    assert "1 row has errors, shown under the cell they concern." in html
    # and as a list above the table, readable on a phone without scrolling the table sideways
    assert "Row 5, column “latitude”: Ensure this value is less than or equal to 90." in html


def test_the_preview_shows_a_changed_cell_as_old_and_new_and_an_unchanged_one_as_it_is():
    """Without the library's diff (``skip_diff``), a row's cells still say what changes."""
    CityFactory(slug="changing", name_en="Old Name", country="JP", latitude="10.0", longitude="135.0")
    rows = tablib.Dataset(["changing", "New Name", "", "", "JP", "city", "10.0", "135.0", "high"], headers=HEADERS)
    result = CityResource().import_data(rows, dry_run=True, raise_errors=True)
    [row] = result.valid_rows()
    assert row.import_type == "update"
    cells = dict(zip(result.diff_headers, row.diff, strict=True))
    assert cells["name_en"] == "<del>Old Name</del> <ins>New Name</ins>"
    assert cells["slug"] == "changing" and cells["country"] == "JP"
    assert City.objects.get(slug="changing").name_en == "Old Name"
    new = CityResource().import_data(city_rows(1), dry_run=True, raise_errors=True)
    assert dict(zip(new.diff_headers, new.valid_rows()[0].diff, strict=True))["slug"] == "<ins>import-0</ins>"


def test_a_value_that_is_not_a_choice_is_an_error_naming_the_choices():
    CityFactory(slug="seoul")
    CityFactory(slug="almaty")
    rows = tablib.Dataset(
        ["seoul", "almaty", "friend", "2000-01-01", "day", "active", "high"], headers=PARTNERSHIP_HEADERS
    )
    result = PartnershipResource().import_data(rows, dry_run=True, raise_errors=False)
    [row] = result.invalid_rows
    assert [str(message) for message in row.field_specific_errors["kind"]] == [
        "“friend” is not one of: sister, friendship."
    ]


def test_a_row_with_a_wrong_choice_shows_the_errors_of_its_other_fields_too():
    """One row with ten mistakes showed only its two wrong choices; the other eight came after the
    file was fixed and sent again (new-user probe). Each field is checked alone; a rule over
    several fields is not (its verdict on a row with a wrong cell misleads)."""
    headers = [*HEADERS[:8], "population", "population_year", "wikidata_id", "confidence"]
    row = ["Bad Slug!", "", "", "", "XX", "town", "200", "-500", "-5", "3000", "Q-bad", "very"]
    result = CityResource().import_data(tablib.Dataset(row, headers=headers), dry_run=True, raise_errors=False)
    [invalid] = result.invalid_rows
    assert sorted(invalid.error.error_dict) == sorted(
        ["slug", "name_en", "country", "admin_level", "latitude", "longitude", "population"]
        + ["population_year", "wikidata_id", "confidence"]
    )
    assert all(len(messages) == 1 for messages in invalid.error.error_dict.values())
    assert "“town” is not one of" in str(invalid.error.error_dict["admin_level"][0])


# An import's rows are validated outside any transaction (a preview writes nothing); what another
# writer changes between that and the write is checked again under locks (RegistryResource.recheck).
# Found by the adversarial probe: a suspension recorded while an import was being confirmed was
# overwritten, and an overlapping partnership posted meanwhile was stored beside the imported one.


def _another_writer_during_validation(monkeypatch, write):
    from registry import resource_base

    validate = resource_base.full_clean_many

    def validate_then_write_elsewhere(records, **options):
        errors = validate(records, **options)
        write()
        return errors

    monkeypatch.setattr(resource_base, "full_clean_many", validate_then_write_elsewhere)


def test_a_record_changed_while_an_import_runs_is_not_overwritten(monkeypatch, home):
    friendship = PartnershipFactory(city=home, kind="friendship", established_on=datetime.date(2016, 5, 1))
    dataset = tablib.Dataset(headers=["city", "partner", "kind", "established_on", "notes"])
    dataset.append([home.slug, friendship.partner.slug, "friendship", "2016-05-01", "From the file"])
    _another_writer_during_validation(
        monkeypatch,
        lambda: services.suspend_partnership(partnership=friendship, on=datetime.date(2024, 6, 1), reason="Frozen"),
    )
    result = PartnershipResource().import_data(dataset, dry_run=False)
    (row,) = result.invalid_rows
    assert row.error_dict == {
        "__all__": [
            "This record was changed by someone else after the file was read: nothing was imported. "
            "Import the file again."
        ]
    }
    friendship.refresh_from_db()
    assert (friendship.status, friendship.notes) == ("suspended", "")


def test_an_overlapping_partnership_stored_while_an_import_runs_refuses_the_import(monkeypatch, home):
    partner = CityFactory(slug="darkhan", country="MN")
    dataset = tablib.Dataset(headers=["city", "partner", "kind", "established_on", "status", "ended_on"])
    dataset.append([home.slug, "darkhan", "friendship", "2000-01-01", "ended", "2005-01-01"])
    dataset.append([home.slug, CityFactory(slug="erdenet", country="MN").slug, "sister", "2001-01-01", "active", ""])
    _another_writer_during_validation(
        monkeypatch,
        lambda: services.create_partnership(
            city=home,
            partner=partner,
            kind="sister",
            established_on=datetime.date(2001, 1, 1),
            status="ended",
            ended_on=datetime.date(2006, 1, 1),
        ),
    )
    result = PartnershipResource().import_data(dataset, dry_run=False)
    assert [(row.number, list(row.field_specific_errors)) for row in result.invalid_rows] == [(1, ["established_on"])]
    assert list(Partnership.objects.filter(city=home).values_list("partner__slug", "established_on")) == [
        ("darkhan", datetime.date(2001, 1, 1))
    ]


def test_the_admin_says_nothing_was_imported_when_a_row_changed_during_the_confirmation(client, monkeypatch):
    client.force_login(_manager())
    CityFactory(slug="changing", name_en="Old Name", country="JP", latitude="10.0", longitude="135.0")
    rows = tablib.Dataset(["changing", "New Name", "", "", "JP", "city", "10.0", "135.0", "high"], headers=HEADERS)
    url = reverse("admin:registry_city_import")
    csv_index = next(v for v, label in client.get(url).context["form"].fields["format"].choices if label == "csv")
    upload = SimpleUploadedFile("cities.csv", rows.csv.encode(), content_type="text/csv")
    confirm = client.post(url, {"import_file": upload, "format": csv_index, "resource": 0}).context["confirm_form"]
    city = City.objects.get(slug="changing")
    _another_writer_during_validation(
        monkeypatch, lambda: services.save_record(instance=city, data={"name_ko": "바뀜"}, reason="Meanwhile")
    )
    response = client.post(reverse("admin:registry_city_process_import"), confirm.initial, follow=True)
    assert [str(message) for message in response.context["messages"]] == [
        "Nothing was imported.",
        "Row 2: This record was changed by someone else after the preview: nothing was imported. Import the file "
        "again to see its preview.",
    ]
    city.refresh_from_db()
    assert (city.name_en, city.name_ko) == ("Old Name", "바뀜")


def test_a_column_the_list_does_not_import_refuses_the_file_naming_it_and_the_columns_it_takes(client):
    """Found by a new user: an agreement file's ``expires_on`` column was dropped without a word
    ("1 new"); a column the resource does not import now refuses the file before any row is read."""
    client.force_login(_manager())
    upload = SimpleUploadedFile(
        "cities.csv", b"slug,name_en,country,mayor,twinned_since\nimp-mayor,Mayor Town,JP,Tanaka,1990\n"
    )
    page = client.get(reverse("admin:registry_city_import"))
    csv_index = next(value for value, label in page.context["form"].fields["format"].choices if label == "csv")
    response = client.post(reverse("admin:registry_city_import"), {"import_file": upload, "format": csv_index})
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["import_file"] == [
        "The file has columns this list does not import: “mayor”, “twinned_since”. Nothing was read: rename or "
        "remove them. The columns it imports are “slug”, “name_en”, “name_ko”, “name_native”, “country”, "
        "“admin_level”, “latitude”, “longitude”, “population”, “population_year”, “wikidata_id”, “confidence”, "
        "“notes”, “possible_duplicate”, “version”."
    ]
    assert response.context["result"] is None
    assert not City.objects.filter(slug="imp-mayor").exists()


@pytest.mark.parametrize(
    "csv, refused",
    [
        (b"slug,name_en,country,\nimp-a,A Town,JP,\n", None),  # an empty column after the last, as Excel leaves
        (b"slug,name_en,country,,\nimp-a,A Town,JP,, \n", None),  # two, one with a space
        (b"slug,name_en,country,\nimp-a,A Town,JP,Tanaka\n", "column 4, without a name"),
    ],
)
def test_a_column_without_a_name_is_refused_only_when_it_holds_something(db, csv, refused):
    """A nameless column whose cells are all empty holds nothing to import and does not refuse
    the file; one with something in it is an unknown column, named by its position."""
    dataset = tablib.Dataset().load(csv.decode(), format="csv")
    result = CityResource().import_data(dataset, dry_run=True)
    errors = [str(error.error) for error in result.base_errors]
    if refused is None:
        assert errors == [] and result.totals["new"] == 1
    else:
        assert len(errors) == 1 and f"“{refused}”" in errors[0]


def test_a_large_file_with_an_unknown_column_fails_on_its_job_page(
    client, settings, django_capture_on_commit_callbacks
):
    from registry.models import ImportJob

    settings.REGISTRY_IMPORT_BACKGROUND_ROWS = 2
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client.force_login(_manager())
    rows = tablib.Dataset(
        *[[f"imp-{i}", "Town", "JP", "?"] for i in range(3)], headers=["slug", "name_en", "country", "x"]
    )
    page = client.get(reverse("admin:registry_city_import"))
    csv_index = next(value for value, label in page.context["form"].fields["format"].choices if label == "csv")
    upload = SimpleUploadedFile("cities.csv", rows.csv.encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:registry_city_import"), {"import_file": upload, "format": csv_index})
    job = ImportJob.objects.get()
    assert job.status == "failed"
    [error] = job.errors
    assert error["row"] is None
    assert error["messages"][0].startswith("The file has a column this list does not import: “x”. Nothing was read")
    assert "The file has a column this list does not import" in client.get(response.url).text
    assert not City.objects.filter(slug__startswith="imp-").exists()


AGREEMENT_HEADERS = ["slug", "title_en", "kind", "signed_on", "signed_precision", "entry_into_force_on", "expires_on"]


def test_an_agreement_file_imports_the_entry_into_force_and_expiry_and_checks_their_order():
    """The file of the new user's report: its ``entry_into_force_on`` and ``expires_on`` are stored;
    an expiry before the entry into force is an invalid row (the rule of ``Agreement.clean``)."""
    from registry.models import Agreement
    from registry.resources import AgreementResource

    rows = tablib.Dataset(
        ["imp-mou", "An MOU", "mou", "2023-06-15", "day", "2023-07-01", "2028-06-30"], headers=AGREEMENT_HEADERS
    )
    result = AgreementResource().import_data(rows, dry_run=False, raise_errors=False)
    assert not result.has_validation_errors(), [row.error_dict for row in result.invalid_rows]
    stored = Agreement.objects.get(slug="imp-mou")
    assert (stored.entry_into_force_on, stored.expires_on) == (datetime.date(2023, 7, 1), datetime.date(2028, 6, 30))

    rows = tablib.Dataset(
        ["imp-late", "Late", "mou", "2023-06-15", "day", "2023-07-01", "2023-06-30"], headers=AGREEMENT_HEADERS
    )
    result = AgreementResource().import_data(rows, dry_run=False, raise_errors=False)
    [row] = result.invalid_rows
    assert {name: [str(m) for m in messages] for name, messages in row.field_specific_errors.items()} == {
        "expires_on": [
            "The expiry (30 June 2023) is before the entry into force (1 July 2023): an agreement expires on or "
            "after the day it enters into force."
        ]
    }
    assert not Agreement.objects.filter(slug="imp-late").exists()


def test_an_exported_agreement_with_its_terms_imports_again_unchanged():
    from registry.models import Agreement
    from registry.resources import AgreementResource

    from .factories import AgreementFactory

    AgreementFactory(
        slug="termed",
        signed_on=datetime.date(2020, 3, 1),
        entry_into_force_on=datetime.date(2020, 4, 1),
        expires_on=datetime.date(2025, 3, 31),
        notice_period_days=90,
    )
    dataset = AgreementResource().export(queryset=Agreement.objects.filter(slug="termed"))
    row = dataset.dict[0]
    assert (row["entry_into_force_on"], row["expires_on"], row["notice_period_days"]) == (
        "2020-04-01",
        "2025-03-31",
        "90",
    )
    result = AgreementResource().import_data(dataset, dry_run=False, raise_errors=True)
    assert result.totals["skip"] == 1 and result.totals["update"] == result.totals["new"] == 0


def test_the_preview_shows_a_date_as_it_will_be_stored_at_its_precision():
    """Found by a new user: ``2023-06-15`` with precision ``month`` was previewed as written but
    stored as 2023-06-01; the preview now reads the row as validation leaves it, as it is stored."""
    CityFactory(slug="seoul")
    CityFactory(slug="busan")
    rows = tablib.Dataset(
        ["seoul", "busan", "sister", "2023-06-15", "month", "active", "high"], headers=PARTNERSHIP_HEADERS
    )
    resource = PartnershipResource()
    result = resource.import_data(rows, dry_run=True, raise_errors=True)
    [row] = result.rows
    cells = dict(zip(result.diff_headers, row.diff, strict=True))
    assert cells["established_on"] == "<ins>2023-06</ins>"  # at its precision, as every export writes it
    assert not Partnership.objects.exists()
    PartnershipResource().import_data(rows, dry_run=False, raise_errors=True)
    assert Partnership.objects.get().established_on == datetime.date(2023, 6, 1)


def test_a_cell_error_names_its_column_once_in_the_preview_and_on_the_job_page(
    client, settings, django_capture_on_commit_callbacks
):
    """Found by a new user: “Row 4, column “established_on”: Column “established_on”: “2023-13” is
    not a date…”; the message of a cell no longer names its column, which every place showing it
    names: the preview's summary and cell, the background job's Column."""
    from registry.models import ImportJob

    CityFactory(slug="seoul")
    CityFactory(slug="busan")
    client.force_login(_manager())
    rows = tablib.Dataset(
        ["seoul", "busan", "sister", "2023/13", "month", "active", "high"], headers=PARTNERSHIP_HEADERS
    )
    url = reverse("admin:registry_partnership_import")
    csv_index = next(
        value for value, label in client.get(url).context["form"].fields["format"].choices if label == "csv"
    )
    response = client.post(url, {"import_file": SimpleUploadedFile("p.csv", rows.csv.encode()), "format": csv_index})
    message = "“2023/13” is not a date in the form YYYY-MM-DD, YYYY-MM or YYYY."
    assert f"Row 2, column “established_on”: {message}" in response.text
    assert "Column “established_on”" not in response.text and "Column &ldquo;" not in response.text

    settings.REGISTRY_IMPORT_BACKGROUND_ROWS = 1
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    rows.append(["seoul", "busan", "friendship", "2020-01-01", "day", "active", "high"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"import_file": SimpleUploadedFile("p.csv", rows.csv.encode()), "format": csv_index})
    assert ImportJob.objects.get().errors == [{"row": 2, "column": "established_on", "messages": [message]}]


def test_a_day_only_date_column_says_it_takes_a_full_date():
    from registry.resources import AgreementResource

    rows = tablib.Dataset(["imp-mou", "An MOU", "mou", "2023-06-15", "day", "2023-07", ""], headers=AGREEMENT_HEADERS)
    [row] = AgreementResource().import_data(rows, dry_run=True, raise_errors=False).invalid_rows
    assert {name: [str(m) for m in messages] for name, messages in row.field_specific_errors.items()} == {
        "entry_into_force_on": ["“2023-07” is not a date in the form YYYY-MM-DD."]
    }


def test_a_finer_date_within_the_stored_month_is_an_unchanged_partnership_row():
    """``2023-06-15`` with ``month`` over a stored June 2023 is what is stored (2023-06-01), so the row
    is skipped, as ``2023-06-01`` is: no update, no history record. It was refused as a clash with
    the stored partnership itself (the start date is part of the row's key and was compared as
    written, before the model cut it to its precision)."""
    CityFactory(slug="seoul")
    CityFactory(slug="busan")
    headers = [*PARTNERSHIP_HEADERS, "ended_on", "ended_precision"]
    first = tablib.Dataset(
        ["seoul", "busan", "sister", "2023-06-01", "month", "ended", "high", "2024-02-01", "month"], headers=headers
    )
    PartnershipResource().import_data(first, dry_run=False, raise_errors=True)
    history = Partnership.history.count()
    finer = tablib.Dataset(
        ["seoul", "busan", "sister", "2023-06-15", "month", "ended", "high", "2024-02-20", "month"], headers=headers
    )
    for dry_run in (True, False):
        result = PartnershipResource().import_data(finer, dry_run=dry_run, raise_errors=False)
        assert not result.has_validation_errors(), [row.error_dict for row in result.invalid_rows]
        assert (result.totals["skip"], result.totals["update"], result.totals["new"]) == (1, 0, 0)
    assert Partnership.history.count() == history
    stored = Partnership.objects.get()
    assert (stored.established_on, stored.ended_on) == (datetime.date(2023, 6, 1), datetime.date(2024, 2, 1))


@pytest.mark.parametrize(("kind", "column"), [("agreement", "signed_on"), ("event", "start_on")])
@pytest.mark.parametrize("with_precision_column", [True, False])
def test_a_finer_date_within_the_stored_period_is_an_unchanged_row(kind, column, with_precision_column):
    """An agreement's signing date and an event's start, stored as June 2023: a file giving
    ``2023-06-15`` (with ``month``, or without the precision column, which keeps the stored one)
    is skipped, as it changes nothing once stored; it was counted as an update with a history record."""
    from registry.resources import AgreementResource, EventResource

    from .factories import AgreementFactory, EventFactory

    model_factory, resource_class = {
        "agreement": (AgreementFactory, AgreementResource),
        "event": (EventFactory, EventResource),
    }[kind]
    precision_column = column.replace("_on", "_precision")
    record = model_factory(**{column: datetime.date(2023, 6, 1), precision_column: "month"})
    model = type(record)
    dataset = resource_class().export(queryset=model.objects.filter(pk=record.pk))
    dataset[0] = tuple(
        "2023-06-15" if header == column else cell for header, cell in zip(dataset.headers, dataset[0], strict=True)
    )
    if not with_precision_column:
        del dataset[precision_column]
    history = model.history.count()
    result = resource_class().import_data(dataset, dry_run=False, raise_errors=False)
    assert not result.has_validation_errors(), [row.error_dict for row in result.invalid_rows]
    assert (result.totals["skip"], result.totals["update"], result.totals["new"]) == (1, 0, 0)
    assert model.history.count() == history
    assert getattr(model.objects.get(pk=record.pk), column) == datetime.date(2023, 6, 1)


@pytest.mark.parametrize("resource", [CityResource, PartnershipResource, AgreementResource])
def test_an_xlsx_export_with_date_cells_imports_again_unchanged(shipped_data, resource):
    """The admin's XLSX export writes dates as date cells, which read back as datetimes at
    midnight: every row is unchanged (partnerships were refused as clashing with themselves,
    agreements counted as updates). A partial date is written as text at its precision
    (:class:`~registry.import_widgets.PartialDateColumn`), a full date as a date cell."""
    if resource is AgreementResource:  # a full date (a date cell) besides the partial ones
        from .factories import AgreementFactory

        AgreementFactory(entry_into_force_on=datetime.date(2022, 10, 1))
    queryset = resource._meta.model.objects.all()
    xlsx = resource().export(queryset=queryset, force_native_type=True).export("xlsx")  # as the admin's
    dataset = tablib.Dataset().load(xlsx, format="xlsx")
    assert any(isinstance(value, datetime.datetime) for row in dataset for value in row) == (
        resource is AgreementResource
    )
    result = resource().import_data(dataset, dry_run=True, raise_errors=False)
    assert not result.has_validation_errors() and not result.has_errors()
    assert result.totals["skip"] == queryset.count() and result.totals["update"] == result.totals["new"] == 0


NO_PRECISION_HEADERS = ["city", "partner", "kind", "established_on", "status", "confidence"]


@pytest.mark.parametrize("written", ["1989", "1989-10", "1989-10-24"])
def test_without_the_precision_column_a_date_in_the_stored_period_is_the_stored_partnership(written):
    """A file without ``established_precision``: each start date names the partnership stored
    as 1989 (``year``), which it leaves unchanged (no update, no history record). ``1989`` was
    refused as coarser than "day", a column the file does not have, and ``1989-10-24`` was
    taken for a new partnership clashing with the stored one (adversarial probe)."""
    stored = PartnershipFactory(
        city=CityFactory(slug="busan"),
        partner=CityFactory(slug="fukuoka"),
        kind="friendship",
        established_on=datetime.date(1989, 1, 1),
        established_precision="year",
    )
    history = Partnership.history.count()
    rows = tablib.Dataset(["busan", "fukuoka", "friendship", written, "active", "high"], headers=NO_PRECISION_HEADERS)
    result = PartnershipResource().import_data(rows, dry_run=False, raise_errors=False)
    assert not result.has_validation_errors(), [row.error_dict for row in result.invalid_rows]
    assert (result.totals["skip"], result.totals["update"], result.totals["new"]) == (1, 0, 0)
    assert Partnership.history.count() == history
    stored.refresh_from_db()
    assert (stored.established_on, stored.established_precision) == (datetime.date(1989, 1, 1), "year")


def test_without_the_precision_column_a_stored_day_is_matched_by_its_year_and_kept():
    """The other way round: a partnership stored to the day (1989-10-24) and a file giving only
    ``1989`` is the same partnership, unchanged; a different day of that year is not."""
    PartnershipFactory(
        city=CityFactory(slug="busan"),
        partner=CityFactory(slug="fukuoka"),
        kind="friendship",
        established_on=datetime.date(1989, 10, 24),
    )
    same = tablib.Dataset(["busan", "fukuoka", "friendship", "1989", "active", "high"], headers=NO_PRECISION_HEADERS)
    result = PartnershipResource().import_data(same, dry_run=True, raise_errors=False)
    assert (result.totals["skip"], result.totals["invalid"]) == (1, 0)
    other = tablib.Dataset(
        ["busan", "fukuoka", "friendship", "1989-11-02", "active", "high"], headers=NO_PRECISION_HEADERS
    )
    result = PartnershipResource().import_data(other, dry_run=True, raise_errors=False)
    [row] = result.invalid_rows
    assert "partner" in row.error_dict  # a second partnership of the pair in force: the clash


def test_without_the_precision_column_a_new_date_has_the_precision_it_is_written_to():
    """A new partnership from a file without the precision column is stored as the API stores
    a date written so (``1966`` a year, ``2023-06`` a month, a full date a day); it was stored
    with ``day`` precision, claiming 1 January, or refused."""
    CityFactory(slug="busan")
    for slug in ("kaohsiung", "almaty", "osaka"):
        CityFactory(slug=slug)
    rows = tablib.Dataset(
        ["busan", "kaohsiung", "sister", "1966", "active", "high"],
        ["busan", "almaty", "friendship", "2023-06", "active", "high"],
        ["busan", "osaka", "friendship", "2008-12-11", "active", "high"],
        headers=NO_PRECISION_HEADERS,
    )
    result = PartnershipResource().import_data(rows, dry_run=False, raise_errors=False)
    assert not result.has_validation_errors(), [row.error_dict for row in result.invalid_rows]
    stored = {
        slug: (day, precision)
        for slug, day, precision in Partnership.objects.values_list(
            "partner__slug", "established_on", "established_precision"
        )
    }
    assert stored == {
        "kaohsiung": (datetime.date(1966, 1, 1), "year"),
        "almaty": (datetime.date(2023, 6, 1), "month"),
        "osaka": (datetime.date(2008, 12, 11), "day"),
    }


@pytest.mark.parametrize("precision", ["decade", "Year", " year "])
@pytest.mark.parametrize("written", ["1989", "1989-10-24"])
def test_a_precision_that_is_none_is_the_one_error_of_its_column(precision, written):
    """A precision cell that names no precision is refused under its column, and that is the
    row's only error: it also got a second, misleading one, a clash with the stored partnership,
    "changed only as a correction", or "says decade: give the full date" under the date."""
    PartnershipFactory(
        city=CityFactory(slug="busan"),
        partner=CityFactory(slug="fukuoka"),
        kind="friendship",
        established_on=datetime.date(1989, 1, 1),
        established_precision="year",
    )
    rows = tablib.Dataset(
        ["busan", "fukuoka", "friendship", written, precision, "active", "high"], headers=PARTNERSHIP_HEADERS
    )
    result = PartnershipResource().import_data(rows, dry_run=True, raise_errors=False)
    [row] = result.invalid_rows
    assert {field: [str(message) for message in messages] for field, messages in row.error_dict.items()} == {
        "established_precision": [f"“{precision}” is not one of: day, month, year."]
    }


@pytest.mark.parametrize("code", ["XX", " KZ", "Kazakhstan"])
def test_a_country_that_is_no_code_says_which_codes_it_takes(code):
    """Django's "Value 'XX' is not a valid choice." left an importer guessing (adversarial probe)."""
    row = ["nowhere", "Nowhere", "", "", code, "city", "43.2", "76.9", "high"]
    result = CityResource().import_data(tablib.Dataset(row, headers=HEADERS), dry_run=True, raise_errors=False)
    [invalid] = result.invalid_rows
    assert [str(message) for message in invalid.error_dict["country"]] == [
        f"“{code}” is not an ISO 3166-1 country code: write one such as KZ (alpha-2), KAZ (alpha-3) or 398 (numeric)."
    ]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_export_writes_a_partial_date_at_its_precision(file_format):
    """The admin's export of a partnership known to the year says ``1966``, as the API and the
    pages' exports do; it said ``1966-01-01`` (a date cell in XLSX), which reads as 1 January
    (a new user). No date is an empty cell; the file imports again unchanged."""
    PartnershipFactory(established_on=datetime.date(1966, 1, 1), established_precision="year")
    PartnershipFactory(established_on=datetime.date(2023, 6, 1), established_precision="month")
    PartnershipFactory(established_on=datetime.date(2008, 12, 11), established_precision="day")
    written = PartnershipResource().export(queryset=Partnership.objects.all(), force_native_type=file_format == "xlsx")
    dataset = tablib.Dataset().load(written.export(file_format), format=file_format)
    assert sorted(dataset["established_on"]) == ["1966", "2008-12-11", "2023-06"]
    assert set(dataset["ended_on"]) <= {"", None}
    assert set(dataset["ended_precision"]) <= {"", None}  # it said "day" for no end (new-user probe)
    result = PartnershipResource().import_data(dataset, dry_run=True, raise_errors=False)
    assert (result.totals["skip"], result.totals["invalid"], result.totals["update"]) == (3, 0, 0)


def test_a_precision_is_written_only_beside_its_date():
    """An agreement with no date of signing wrote ``signed_precision`` ``day`` in the admin's
    export and the preview (the model's default, naming nothing); one signed in 2005 says ``year``.
    The file imports again unchanged."""
    AgreementFactory(slug="undated", signed_on=None)
    AgreementFactory(slug="yearly", signed_on=datetime.date(2005, 1, 1), signed_precision="year")
    dataset = AgreementResource().export(queryset=Agreement.objects.order_by("slug"))
    assert list(zip(dataset["slug"], dataset["signed_on"], dataset["signed_precision"], strict=True)) == [
        ("undated", "", ""),
        ("yearly", "2005", "year"),
    ]
    result = AgreementResource().import_data(dataset, dry_run=True, raise_errors=False)
    assert (result.totals["skip"], result.totals["invalid"], result.totals["update"]) == (2, 0, 0)


def test_an_empty_precision_cell_reads_the_date_at_the_precision_it_is_written_to():
    """``2019`` with an empty ``established_precision`` is the year 2019, as the API reads it; it
    was refused as “gives the year only, but established_precision says day”, which the file
    never said (a new user)."""
    CityFactory(slug="busan")
    CityFactory(slug="taraz")
    rows = tablib.Dataset(["busan", "taraz", "friendship", "2019", "", "active", "high"], headers=PARTNERSHIP_HEADERS)
    result = PartnershipResource().import_data(rows, dry_run=False, raise_errors=False)
    assert not result.has_validation_errors(), [row.error_dict for row in result.invalid_rows]
    stored = Partnership.objects.get()
    assert (stored.established_on, stored.established_precision) == (datetime.date(2019, 1, 1), "year")


def test_a_year_naming_two_stored_partnerships_asks_which_under_its_column():
    """Two friendships of Busan and Bishkek began in 2012 (one ended): a row giving only ``2012``
    without the precision matched the first, the ended one, and was refused as a clash under
    ``partner`` (adversarial probe); it is now refused under ``established_on``, naming both."""
    busan, bishkek = CityFactory(slug="busan"), CityFactory(slug="bishkek")
    PartnershipFactory(
        city=busan,
        partner=bishkek,
        kind="friendship",
        established_on=datetime.date(2012, 1, 5),
        status="ended",
        ended_on=datetime.date(2012, 3, 1),
    )
    PartnershipFactory(city=busan, partner=bishkek, kind="friendship", established_on=datetime.date(2012, 6, 1))
    rows = tablib.Dataset(["busan", "bishkek", "friendship", "2012", "active", "high"], headers=NO_PRECISION_HEADERS)
    result = PartnershipResource().import_data(rows, dry_run=True, raise_errors=False)
    [invalid] = result.invalid_rows
    assert {field: [str(message) for message in messages] for field, messages in invalid.error_dict.items()} == {
        "established_on": [
            "“2012” names the start of 2 stored partnerships (2012-01-05, 2012-06-01): give the date to the day, "
            "or its precision, to say which."
        ]
    }
    exact = tablib.Dataset(
        ["busan", "bishkek", "friendship", "2012-06-01", "active", "high"], headers=NO_PRECISION_HEADERS
    )
    result = PartnershipResource().import_data(exact, dry_run=True, raise_errors=False)
    assert (result.totals["skip"], result.totals["invalid"]) == (1, 0)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (
            "2030-02-30",
            "“2030-02-30” is written as a date but names no day of the calendar: a month is 01 to 12, a day at "
            "most the month's last (28 to 31), a year 0001 or later.",
        ),
        ("2030/01/01", "“2030/01/01” is not a date in the form YYYY-MM-DD."),
    ],
)
def test_a_full_date_column_says_when_a_day_is_not_in_the_calendar(cell, message):
    """An agreement's entry into force ``2030-02-30`` was "not a date in the form YYYY-MM-DD",
    the form it is in (adversarial probe); spaces around a date are no part of it."""
    from .factories import AgreementFactory

    agreement = AgreementFactory()
    dataset = AgreementResource().export(queryset=type(agreement).objects.all())
    column = dataset.headers.index("entry_into_force_on")
    for value, expected in ((cell, message), (" 2030-01-01 ", None)):
        row = list(dataset[0])
        row[column] = value
        attempt = tablib.Dataset(row, headers=dataset.headers)
        result = AgreementResource().import_data(attempt, dry_run=True, raise_errors=False)
        if expected is None:
            assert not result.has_validation_errors(), [r.error_dict for r in result.invalid_rows]
        else:
            [invalid] = result.invalid_rows
            assert [str(m) for m in invalid.error_dict["entry_into_force_on"]] == [expected]


def test_the_admins_csv_export_is_marked_utf8_and_named_as_the_sites(shipped_data, staff_client):
    """The admin's CSV begins with the UTF-8 byte-order mark, as the pages' and the API's CSV do
    (Excel read the Korean names as another encoding without it; new-user probe), is named as the
    site's exports are, and imports again unchanged."""
    page = staff_client.get("/admin/registry/city/export/")
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, False, "")}
    formats = dict(form.fields["format"].choices)
    data["format"] = next(index for index, name in formats.items() if str(name).lower() == "csv")
    response = staff_client.post("/admin/registry/city/export/", data)
    assert response.status_code == HTTPStatus.OK, response.content[:300]
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    assert "부산".encode() in body
    filename = re.search(r'filename="([^"]+)"', response["Content-Disposition"])[1]
    assert re.fullmatch(r"cities_\d{4}-\d{2}-\d{2}\.csv", filename), filename
    dataset = tablib.Dataset().load(body.decode("utf-8-sig"), format="csv")
    assert dataset.headers[0] == "slug"  # not "\ufeffslug"
    result = CityResource().import_data(dataset, dry_run=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert {row.import_type for row in result.rows} == {"skip"}


def _previewed(client, rows) -> dict:
    """The confirmation data of the admin's preview of ``rows`` (a cities file)."""
    url = reverse("admin:registry_city_import")
    csv_index = next(v for v, label in client.get(url).context["form"].fields["format"].choices if label == "csv")
    upload = SimpleUploadedFile("cities.csv", rows.csv.encode(), content_type="text/csv")
    return dict(
        client.post(url, {"import_file": upload, "format": csv_index, "resource": 0}).context["confirm_form"].initial
    )


NOT_WAITING = (
    "This file is not waiting to be imported: it was imported already, or its preview is gone. Choose it again."
)


def test_a_confirmation_imports_only_a_file_this_session_previewed(client):
    """The library read the confirmation's file name in the system's temporary folder: a manager
    who sent ``../../tmp/<any file>`` imported it without a preview, and it was deleted
    (adversarial probe). Now previews wait in a folder of their own, under random names, and a
    confirmation takes a name this session previewed."""
    import tempfile
    from pathlib import Path

    manager = _manager()
    client.force_login(manager)
    victim = Path(tempfile.gettempdir()) / "registry-test-victim.csv"
    victim.write_text("slug,name_en,country\nvictim-city,Victim City,KZ\n")
    try:
        confirm = _previewed(
            client, tablib.Dataset(["mine", "Mine", "", "", "JP", "city", "", "", "high"], headers=HEADERS)
        )
        assert re.fullmatch(r"[0-9a-f]{32}", confirm["import_file_name"])
        process = reverse("admin:registry_city_process_import")
        for name in ("../../tmp/registry-test-victim.csv", "registry-test-victim.csv", "0" * 32):
            response = client.post(process, {**confirm, "import_file_name": name}, follow=True)
            assert [str(message) for message in response.context["messages"]] == [NOT_WAITING], name
        assert victim.exists() and not City.objects.filter(slug="victim-city").exists()
        # Another manager's session may not confirm this one's preview.
        other = Client()
        other.force_login(_manager())
        response = other.post(process, confirm, follow=True)
        assert [str(message) for message in response.context["messages"]] == [NOT_WAITING]
        # Its own confirmation imports it once; a second click says so, not a 500.
        response = client.post(process, confirm, follow=True)
        assert response.status_code == HTTPStatus.OK and City.objects.filter(slug="mine").exists()
        again = client.post(process, confirm, follow=True)
        assert [str(message) for message in again.context["messages"]] == [NOT_WAITING]
        assert City.objects.filter(slug="mine").count() == 1
    finally:
        victim.unlink(missing_ok=True)


def test_a_confirmation_whose_file_another_click_took_meanwhile_says_so(client, monkeypatch):
    """Two clicks on "Confirm import" at once both found the file waiting; the first imported and
    removed it, and the second's read was a 500 (adversarial probe)."""
    from registry.admin_imports import PreviewedFileStorage

    client.force_login(_manager())
    confirm = _previewed(
        client, tablib.Dataset(["late", "Late", "", "", "JP", "city", "", "", "high"], headers=HEADERS)
    )

    def taken(storage, *args, **kwargs):
        storage.remove()  # the other click's import removed it after this one's check
        raise FileNotFoundError(storage.get_full_path())

    monkeypatch.setattr(PreviewedFileStorage, "read", taken)
    response = client.post(reverse("admin:registry_city_process_import"), confirm, follow=True)
    assert response.status_code == HTTPStatus.OK
    assert [str(message) for message in response.context["messages"]] == [NOT_WAITING]


def test_a_write_the_database_refuses_is_not_reported_as_imported(client, monkeypatch):
    """Two managers confirmed the same file of new cities at once: the second's write failed
    (unique slugs) and its page still said "Import finished: 1500 new" (adversarial probe). The
    page says it once, in the import's words (:class:`registry.resource_writes.WrittenMeanwhile`):
    they were wrapped in "Nothing was imported: the database refused the write (Nothing was
    imported: … Import the file again to see its preview.). Import the file again." (helper-103)."""
    from django.db import IntegrityError

    client.force_login(_manager())
    confirm = _previewed(
        client, tablib.Dataset(["clash", "Clash", "", "", "JP", "city", "", "", "high"], headers=HEADERS)
    )

    def refused(self, created, updated):
        raise IntegrityError("UNIQUE constraint failed: registry_city.slug")

    monkeypatch.setattr(CityResource, "write", refused)
    response = client.post(reverse("admin:registry_city_process_import"), confirm, follow=True)
    messages = [str(message) for message in response.context["messages"]]
    assert messages == [
        "Nothing was imported: Another city already has this slug. Someone else saved a record while the file "
        "was being written. Import the file again to see its preview."
    ]
    assert "Import finished" not in response.text and not City.objects.filter(slug="clash").exists()


def test_a_name_added_while_an_import_renames_a_city_stays_in_its_search():
    """helper-91: the import read the cities' former names before its transaction, so an alias
    added in between (here inside the transaction, before the rows are locked: ``on_write``) was
    left out of the ``search_text`` the import wrote, and searching by it found nothing."""
    city = CityFactory(slug="import-renamed", name_en="Probe Five")
    exported = CityResource().export(queryset=City.objects.filter(pk=city.pk))
    column = exported.headers.index("name_en")
    exported[0] = (*exported[0][:column], "Renamed Probe Five", *exported[0][column + 1 :])

    def add_alias():
        CityName.objects.create(city=City.objects.get(pk=city.pk), name="Oldtownzzz", kind="alias")

    result = CityResource().import_data(exported, dry_run=False, raise_errors=False, on_write=add_alias)
    assert result.totals["update"] == 1, [row.error_dict for row in result.invalid_rows]
    city.refresh_from_db()
    assert city.name_en == "Renamed Probe Five"
    assert "oldtownzzz" in city.search_text and "renamed probe five" in city.search_text


def test_an_alias_added_through_an_older_copy_of_a_city_keeps_its_new_name_searchable():
    """A former name or alias rebuilt the city's ``search_text`` from the city instance it was
    given, which may be older than the row: the rename made since left the search."""
    city = CityFactory(slug="import-older-copy", name_en="Before Town")
    older = City.objects.get(pk=city.pk)
    city.name_en = "After Town"
    city.save()
    CityName.objects.create(city=older, name="Aliasville", kind="alias")
    city.refresh_from_db()
    assert "after town" in city.search_text and "aliasville" in city.search_text
    assert "before town" not in city.search_text


def test_a_text_is_stored_without_spaces_around_it_as_the_admin_and_the_api_store_it():
    """helper-91: an import stored ``name_native`` ``"  pad  "`` where the admin's form and the API
    store ``"pad"``, so the next save in the admin showed a change nobody asked for. A text is
    stored without the spaces or line breaks around it (``text.stored_text``), by every writer; a
    required text of spaces alone is empty."""
    city = CityFactory(slug="import-padded", name_native="pad")
    rows = tablib.Dataset(headers=["slug", "name_en", "name_native", "country", "notes"])
    rows.append([city.slug, f" {city.name_en}\u3000", "  pad  ", city.country, "\r\n  A note.\n\n"])
    result = CityResource().import_data(rows, dry_run=False, raise_errors=False)
    assert result.totals["update"] == 1, [row.error_dict for row in result.invalid_rows]
    city.refresh_from_db()
    assert (city.name_native, city.notes) == ("pad", "A note.")
    rows = tablib.Dataset(["import-blank", "   ", "", "JP", ""], headers=rows.headers)
    result = CityResource().import_data(rows, dry_run=True, raise_errors=False)
    assert result.invalid_rows[0].field_specific_errors["name_en"] == ["This field cannot be blank."]


def test_the_preview_writes_no_precision_beside_an_empty_date_as_the_export():
    """helper-92: the preview of a changed partnership not ended showed ``ended_precision`` “day”,
    where the file and the admin's export leave it empty (``registry.dates.precision_of``)."""
    partnership = PartnershipFactory(established_on=datetime.date(2000, 1, 1), notes="Before.")
    exported = PartnershipResource().export(queryset=Partnership.objects.filter(pk=partnership.pk))
    column = exported.headers.index("notes")
    exported[0] = (*exported[0][:column], "After.", *exported[0][column + 1 :])
    result = PartnershipResource().import_data(exported, dry_run=True)
    assert result.totals["update"] == 1, [row.error_dict for row in result.invalid_rows]
    cells = dict(zip(result.diff_headers, result.rows[0].diff, strict=True))
    assert cells["ended_on"] == cells["ended_precision"] == ""
    assert cells["established_precision"] == "day"
    assert cells["notes"] == "<del>Before.</del> <ins>After.</ins>"
