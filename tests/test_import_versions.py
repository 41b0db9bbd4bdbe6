"""An import writes over no change it did not show: a confirmation refuses a row whose record
changed, was deleted or was added after its preview (``rows_read``, :meth:`RegistryResource.recheck`),
and a file exported before someone else's change refuses the rows that would undo it (its
``version`` column, :func:`registry.resource_rows.stale_version`)."""

import datetime

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from registry import services
from registry.models import City, Partnership
from registry.resources import CityResource, PartnershipResource

from .factories import CityFactory, PartnershipFactory
from .test_import_export import HEADERS, _manager

pytestmark = pytest.mark.django_db


# A confirmation writes what its preview showed, or nothing: it re-read the file and compared with
# the records as they were then, so an edit made between the preview and "Confirm import" was undone
# without a word (a row the preview showed unchanged became a change back), a record deleted
# meanwhile was created again, and one added meanwhile was overwritten although the preview said "new".


def _preview(client, rows):
    url = reverse("admin:registry_city_import")
    csv_index = next(v for v, label in client.get(url).context["form"].fields["format"].choices if label == "csv")
    upload = SimpleUploadedFile("cities.csv", rows.csv.encode(), content_type="text/csv")
    return client.post(url, {"import_file": upload, "format": csv_index, "resource": 0}).context["confirm_form"]


def _confirm_messages(client, confirm):
    response = client.post(reverse("admin:registry_city_process_import"), confirm.initial, follow=True)
    return [str(message) for message in response.context["messages"]]


def test_a_record_edited_after_the_preview_is_not_undone_by_the_confirmation(client):
    client.force_login(_manager())
    city = CityFactory(slug="edited", name_en="Old Name", country="JP", latitude="10.0", longitude="135.0")
    rows = tablib.Dataset(
        ["edited", "Old Name", "", "", "JP", "city", "10.0", "135.0", "high"],
        ["added-city", "Added City", "", "", "JP", "city", "11.0", "135.0", "high"],
        headers=HEADERS,
    )
    confirm = _preview(client, rows)  # the first row unchanged, the second new
    services.save_record(instance=city, data={"name_en": "New Name"}, reason="Renamed meanwhile")
    assert _confirm_messages(client, confirm) == [
        "Nothing was imported.",
        "Row 2: This record was changed by someone else after the preview: nothing was imported. Import the file "
        "again to see its preview.",
    ]
    city.refresh_from_db()
    assert city.name_en == "New Name"
    assert not City.objects.filter(slug="added-city").exists()


def test_a_record_deleted_or_added_after_the_preview_refuses_the_confirmation(client):
    client.force_login(_manager())
    gone = CityFactory(slug="gone", name_en="Gone", country="JP", latitude="10.0", longitude="135.0")
    rows = tablib.Dataset(
        ["gone", "Gone Renamed", "", "", "JP", "city", "10.0", "135.0", "high"],
        ["arrived", "Arrived", "", "", "JP", "city", "11.0", "135.0", "high"],
        headers=HEADERS,
    )
    confirm = _preview(client, rows)
    services.delete_record(instance=gone)
    CityFactory(slug="arrived", name_en="Arrived Elsewhere", country="JP", latitude="12.0", longitude="135.0")
    assert _confirm_messages(client, confirm) == [
        "Nothing was imported.",
        "Row 2: The record this row changes was deleted by someone else after the preview: nothing was imported. "
        "Import the file again to see its preview.",
        "Row 3: A record with this row's key was added by someone else after the preview, which showed the row as "
        "new: nothing was imported. Import the file again to see its preview.",
    ]
    assert not City.objects.filter(slug="gone").exists()
    assert City.objects.get(slug="arrived").name_en == "Arrived Elsewhere"


def test_a_confirmation_of_an_unchanged_preview_imports_and_removes_what_the_preview_kept(client):
    from registry.admin_imports import PreviewedFileStorage

    client.force_login(_manager())
    CityFactory(slug="kept", name_en="Kept", country="JP", latitude="10.0", longitude="135.0")
    rows = tablib.Dataset(["kept", "Kept Renamed", "", "", "JP", "city", "10.0", "135.0", "high"], headers=HEADERS)
    confirm = _preview(client, rows)
    storage = PreviewedFileStorage(name=confirm.initial["import_file_name"])
    csv_index = int(confirm.initial["format"])
    assert storage.preview() == {"rows_read": {"1": [City.objects.get(slug="kept").pk, 1]}, "format": csv_index}
    assert _confirm_messages(client, confirm) == ["Import finished: 0 new, 1 updated, 0 deleted and 0 skipped cities."]
    assert City.objects.get(slug="kept").name_en == "Kept Renamed"
    assert not storage.preview_path().exists()


# A spreadsheet exported on Monday and imported on Friday undid, without a word, every edit made in
# between to the records it changed (the preview showed them as changes among hundreds). Each
# export ends with the records' ``version``; a changed row whose version is not the stored one is
# refused under that column, as the API refuses a stale ETag.


def test_an_export_ends_with_each_records_version_and_imports_again_unchanged():
    city = CityFactory(slug="versioned", name_en="Versioned", country="JP", latitude="10.0", longitude="135.0")
    services.save_record(instance=city, data={"name_ko": "버전"}, reason="Second version")
    exported = CityResource().export(queryset=City.objects.filter(slug="versioned"))
    assert exported.headers[-1] == "version" and exported.dict[0]["version"] == "2"
    result = CityResource().import_data(tablib.Dataset().load(exported.csv, format="csv"), dry_run=False)
    assert (result.has_validation_errors(), result.totals["skip"]) == (False, 1)


def test_a_row_exported_before_someone_elses_change_is_refused_under_its_version(home):
    partnership = PartnershipFactory(city=home, kind="friendship", notes="")
    exported = PartnershipResource().export(queryset=Partnership.objects.filter(pk=partnership.pk))
    services.save_record(instance=partnership, data={"status_reason": "Checked by the office"}, reason="Edit")
    exported[0] = tuple(
        "From the file" if header == "notes" else cell
        for header, cell in zip(exported.headers, exported[0], strict=True)
    )
    result = PartnershipResource().import_data(tablib.Dataset().load(exported.csv, format="csv"), dry_run=False)
    (row,) = result.invalid_rows
    assert row.error_dict == {
        "version": [
            "The file was exported at version 1 of this record; it is at version 2 now: someone changed it since, "
            "and this row would undo that. Export the list again, or empty this cell to write the row over the "
            "change."
        ]
    }
    partnership.refresh_from_db()
    assert (partnership.notes, partnership.status_reason) == ("", "Checked by the office")
    # The manager who means to write over it empties the cell.
    version = exported.headers.index("version")
    exported[0] = tuple("" if index == version else cell for index, cell in enumerate(exported[0]))
    result = PartnershipResource().import_data(tablib.Dataset().load(exported.csv, format="csv"), dry_run=False)
    assert (result.has_validation_errors(), result.totals["update"]) == (False, 1)
    partnership.refresh_from_db()
    assert partnership.notes == "From the file"


def test_a_row_giving_a_version_of_a_record_no_longer_stored_is_refused():
    rows = tablib.Dataset(
        ["deleted-since", "Deleted Since", "", "", "JP", "city", "10.0", "135.0", "high", "3"],
        ["brand-new", "Brand New", "", "", "JP", "city", "11.0", "135.0", "high", ""],
        headers=[*HEADERS, "version"],
    )
    result = CityResource().import_data(rows, dry_run=True)
    assert [(row.number, row.error_dict) for row in result.invalid_rows] == [
        (
            1,
            {
                "version": [
                    "No stored record has this row's “slug”, but the row gives the version it was exported at: the "
                    "record was deleted since the file was exported, or one of these cells was changed in the file. An "
                    "import does not change them: give them as exported and change them in the admin (a partnership's "
                    "date or kind by its actions). Empty this cell only to add the row as a new record."
                ]
            },
        )
    ]


@pytest.mark.parametrize(
    ("cell", "message"), [("two", "“two” is not a number."), ("2.5", "“2.5” is not a whole number.")]
)
def test_a_version_cell_that_is_not_a_whole_number_is_an_error_of_its_column(cell, message):
    CityFactory(slug="numbered", name_en="Numbered", country="JP", latitude="10.0", longitude="135.0")
    rows = tablib.Dataset(
        ["numbered", "Renumbered", "", "", "JP", "city", "10.0", "135.0", "high", cell], headers=[*HEADERS, "version"]
    )
    (row,) = CityResource().import_data(rows, dry_run=True).invalid_rows
    assert row.error_dict == {"version": [message]}


def test_an_exported_city_whose_slug_starts_with_a_minus_imports_again_unchanged():
    """Found by the adversarial probe: the export guards ``-foo`` as ``'-foo`` (a formula), and the
    import looked the stored cities up by the guarded cell, so the row was refused as a duplicate."""
    CityFactory(slug="-foo", name_en="Minus", country="JP", latitude="10.0", longitude="135.0")
    exported = CityResource().export(queryset=City.objects.filter(slug="-foo"))
    assert exported.dict[0]["slug"] == "'-foo"
    result = CityResource().import_data(tablib.Dataset().load(exported.csv, format="csv"), dry_run=False)
    assert (result.has_validation_errors(), result.totals["skip"]) == (False, 1)


def test_the_export_page_names_each_column_in_the_readers_language_and_as_the_file_does(client):
    """Found by a new user: the columns were listed title-cased in English ("Established On",
    "Status Reason Ko"), on the Korean admin too."""
    client.force_login(_manager())
    english = client.get(reverse("admin:registry_partnership_export")).content.decode()
    assert "Established on (established_on)" in english and "Established On" not in english
    korean = client.get(reverse("admin:registry_partnership_export"), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "(established_on)" in korean and "Established on (established_on)" not in korean
    assert "(status_reason_ko)" in korean


@pytest.mark.parametrize("notes", ["'=' marks an uncertain figure", "''+1", "'-5 in the source", "=1+1", "'plain"])
def test_text_starting_with_apostrophes_before_a_formula_sign_imports_again_unchanged(notes):
    """Found by the adversarial probe: a note "'=' marks …" came back from an export as "=' marks …"
    (the import took its apostrophe for the export's formula guard)."""
    from registry.text import neutralise_formula, restore_formula

    assert restore_formula(neutralise_formula(notes)) == notes
    CityFactory(slug="quoted", name_en="Quoted", country="JP", latitude="10.0", longitude="135.0", notes=notes)
    exported = CityResource().export(queryset=City.objects.filter(slug="quoted"))
    result = CityResource().import_data(tablib.Dataset().load(exported.csv, format="csv"), dry_run=False)
    assert (result.has_validation_errors(), result.totals["skip"]) == (False, 1)
    assert City.objects.get(slug="quoted").notes == notes


@pytest.mark.parametrize("tampered", [{"format": "1"}, {"format": "9"}, {"resource": "5"}, {"format": "x"}])
def test_a_confirmation_naming_another_format_or_list_is_refused_without_a_500(client, tampered):
    """Found by the adversarial probe: a confirmation altered to name XLSX for a CSV preview, or a
    format or list number out of range, was a 500 (BadZipFile, IndexError)."""
    client.force_login(_manager())
    rows = tablib.Dataset(["tampered", "Tampered", "", "", "JP", "city", "10.0", "135.0", "high"], headers=HEADERS)
    confirm = _preview(client, rows)
    response = client.post(reverse("admin:registry_city_process_import"), {**confirm.initial, **tampered}, follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "This file is not waiting to be imported: it was imported already, or its preview is gone. Choose it again."
    ]
    assert not City.objects.filter(slug="tampered").exists()


def test_an_xlsx_export_names_its_sheet_after_the_records(client):
    """Found by a new user: the admin's XLSX sheet was named "Tablib Dataset"."""
    import io

    import openpyxl

    from registry.resources import PartnershipResource

    PartnershipFactory()
    data = PartnershipResource().export(queryset=Partnership.objects.all()).export("xlsx")
    assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames == ["partnerships"]


def test_a_column_of_the_resources_own_is_named_too(client):
    """``possible_duplicate`` is no model field: the export page listed it by its name alone, the
    only column without a meaning on the Korean page (new-user probe)."""
    client.force_login(_manager())
    english = client.get(reverse("admin:registry_city_export")).content.decode()
    assert "Possibly the same city as (possible_duplicate)" in english
    korean = client.get(reverse("admin:registry_city_export"), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "같은 도시일 수 있는 도시 (possible_duplicate)" in korean


def test_a_partnership_row_whose_key_cell_was_changed_names_the_key_columns():
    """helper-92: a manager corrected a partnership's date in an exported file; besides the date's
    own error, the ``version`` cell said only "deleted, or its key changed" and to empty the cell,
    which adds a second partnership. It names the key's columns and says where they change."""
    partnership = PartnershipFactory(established_on=datetime.date(2000, 1, 1))
    exported = PartnershipResource().export(queryset=Partnership.objects.filter(pk=partnership.pk))
    column = exported.headers.index("established_on")
    exported[0] = (*exported[0][:column], "2001-01-01", *exported[0][column + 1 :])
    result = PartnershipResource().import_data(exported, dry_run=True)
    [message] = result.invalid_rows[0].error_dict["version"]
    assert message.startswith(
        "No stored record has this row's “city” / “partner” / “kind” / “established_on”, but the row gives"
    )
    assert "change them in the admin" in message
