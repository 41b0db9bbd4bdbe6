"""Large spreadsheets are checked and imported by the task worker, with progress and result on
an admin page that reloads itself; the manager confirms in between."""

from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from registry.models import City, ImportJob

from .test_import_export import _manager, city_rows

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def manager(client, settings):
    settings.REGISTRY_IMPORT_BACKGROUND_ROWS = 10
    user = _manager()
    client.force_login(user)
    return user


def upload(client, rows):
    url = reverse("admin:registry_city_import")
    csv_index = next(v for v, label in client.get(url).context["form"].fields["format"].choices if label == "csv")
    data = SimpleUploadedFile("cities.csv", rows.csv.encode(), content_type="text/csv")
    return client.post(url, {"import_file": data, "format": csv_index, "resource": 0})


def test_a_large_file_is_checked_in_the_background_then_imported_once_confirmed(
    client, manager, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, city_rows(30))
    job = ImportJob.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("admin:registry_city_import_job", args=[job.pk])
    assert (job.status, job.rows_done, job.rows_total, job.totals) == ("valid", 30, 30, {"new": 30})
    assert not City.objects.filter(slug__startswith="import-").exists()
    page = client.get(response.url)
    assert "30 of 30 rows" in page.text and "Confirm import" in page.text
    assert 'http-equiv="refresh"' not in page.text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url)
    job.refresh_from_db()
    assert (job.status, job.totals) == ("imported", {"new": 30})
    assert City.objects.filter(slug__startswith="import-").count() == 30
    assert set(City.history.filter(slug__startswith="import-").values_list("history_user", flat=True)) == {manager.pk}


def test_a_large_file_with_errors_lists_them_by_row_and_column_and_imports_nothing(
    client, manager, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, city_rows(30, bad_row=16))
    job = ImportJob.objects.get()
    assert job.status == "invalid"
    assert job.errors == [
        {"row": 17, "column": "latitude", "messages": ["Ensure this value is less than or equal to 90."]}
    ]
    page = client.get(response.url)
    assert "Ensure this value is less than or equal to 90." in page.text and "Confirm import" not in page.text
    assert client.post(response.url).status_code == HTTPStatus.OK  # nothing to confirm
    assert not City.objects.filter(slug__startswith="import-").exists()


def test_a_small_file_is_still_previewed_in_the_request(client, manager, settings):
    response = upload(client, city_rows(5))
    assert response.status_code == HTTPStatus.OK and response.context["confirm_form"] is not None
    assert not ImportJob.objects.exists()


def test_the_database_worker_runs_the_check_while_the_page_reloads_itself(
    client, manager, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from django_tasks_db.management.commands import db_worker

    # The worker closes connections not in autocommit, as Django does between requests; this
    # test's transaction must stay open (Django's test client skips the same for requests).
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    settings.TASKS = DATABASE
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, city_rows(800))
    job = ImportJob.objects.get()
    assert job.status == "queued"
    page = client.get(response.url)
    assert '<meta http-equiv="refresh" content="2">' in page.text and "0 of 800 rows" in page.text
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.totals) == ("valid", 800, {"new": 800})
    assert "Confirm import" in client.get(response.url).text


def test_progress_is_written_as_rows_are_read(manager, settings, monkeypatch):
    """The worker writes rows done every 500 rows, then the total at the end."""
    from registry import imports

    seen = []
    update = ImportJob.objects.filter

    def recording_filter(*args, **kwargs):
        queryset = update(*args, **kwargs)
        original = queryset.update

        def record(**values):
            if "rows_done" in values:
                seen.append(values["rows_done"])
            return original(**values)

        queryset.update = record
        return queryset

    job = ImportJob.objects.create(
        user=manager,
        model_name="city",
        file_name="c.csv",
        file_format="csv",
        data=city_rows(800).csv.encode(),
        rows_total=800,
    )
    monkeypatch.setattr(ImportJob.objects, "filter", recording_filter)
    assert imports.run_import.call(job.pk) == "valid"
    assert seen == [0, 500]
    job.refresh_from_db()
    assert job.rows_done == 800
