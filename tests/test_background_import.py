"""Large spreadsheets are checked and imported by the task worker, with progress and result on
an admin page that reloads itself; the manager confirms in between."""

import datetime
from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

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
        {"row": 18, "column": "latitude", "messages": ["Ensure this value is less than or equal to 90."]}
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
    assert seen == [0, 500, 800]
    job.refresh_from_db()
    assert job.rows_done == 800


def stale_job(user, status, minutes_ago, rows=30):
    """A job of ``rows`` city rows in ``status`` whose worker last reported ``minutes_ago``."""
    job = ImportJob.objects.create(
        user=user,
        model_name="city",
        file_name="c.csv",
        file_format="csv",
        data=city_rows(rows).csv.encode(),
        rows_total=rows,
        status=status,
    )
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - datetime.timedelta(minutes=minutes_ago))
    job.refresh_from_db()
    return job


def test_a_running_job_without_news_for_longer_than_the_setting_is_stalled(manager, settings):
    settings.REGISTRY_IMPORT_STALL_MINUTES = 15
    stalled = [
        stale_job(manager, "checking", 16),
        stale_job(manager, "importing", 60),
        stale_job(manager, "queued", 16),  # the worker is not running
    ]
    not_stalled = [
        stale_job(manager, "checking", 14),  # within the setting
        stale_job(manager, "valid", 60),  # the step is done
        stale_job(manager, "failed", 60),
    ]
    assert set(ImportJob.objects.stalled()) == set(stalled)
    assert [job.stalled for job in stalled + not_stalled] == [True] * 3 + [False] * 3
    settings.REGISTRY_IMPORT_STALL_MINUTES = 20
    assert set(ImportJob.objects.stalled()) == {stalled[1]}
    assert [job.stalled for job in stalled] == [False, True, False]


def test_a_stalled_job_says_so_stops_reloading_and_a_manager_ends_it_as_failed(client, manager, settings):
    settings.REGISTRY_IMPORT_STALL_MINUTES = 15
    job = stale_job(manager, "checking", 16)
    url = reverse("admin:registry_city_import_job", args=[job.pk])
    page = client.get(url)
    assert "The task worker has not reported on this job for more than 15 minutes" in page.text
    assert "manage.py db_worker" in page.text and 'name="end"' in page.text
    assert 'http-equiv="refresh"' not in page.text
    response = client.post(url, {"end": "1"}, follow=True)
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at is not None
    assert job.errors == [
        {
            "row": None,
            "column": "",
            "messages": [
                "The task worker stopped working on this file (no news from it for more than 15 minutes) and "
                "the job was ended. Check the file again: its preview shows rows already in the registry as unchanged."
            ],
        }
    ]
    assert "The job was ended." in response.text and "The task worker stopped working" in response.text
    assert 'name="end"' not in response.text


@pytest.mark.parametrize(("status", "shown"), [("imported", True), ("invalid", True), ("checking", False)])
def test_a_finished_job_links_to_the_list_and_to_another_import(client, manager, status, shown):
    """The page of a finished import was a dead end (new-user probe): it now links to the list of
    what was imported and to the import page; a running job's page does not, nor a checked file's
    (it waits for "Confirm import")."""
    job = stale_job(manager, status, 1)
    page = client.get(reverse("admin:registry_city_import_job", args=[job.pk])).text
    assert ('class="import-next"' in page) is shown
    if shown:
        links = page.split('class="import-next"')[1].split("</p>")[0]
        for url in (reverse("admin:registry_city_changelist"), reverse("admin:registry_city_import")):
            assert f'href="{url}"' in links
        assert "All cities" in links and "Import another file" in links


def test_a_job_the_worker_reported_on_lately_is_not_ended(client, manager, settings):
    settings.REGISTRY_IMPORT_STALL_MINUTES = 15
    running, done = stale_job(manager, "importing", 14), stale_job(manager, "imported", 60)
    for job in (running, done):
        status = job.status
        url = reverse("admin:registry_city_import_job", args=[job.pk])
        for button in ("end", "check_again"):
            response = client.post(url, {button: "1"}, follow=True)
            assert "This job was not ended" in response.text
            job.refresh_from_db()
            assert (job.status, job.errors) == (status, [])
    assert ImportJob.objects.count() == 2
    page = client.get(reverse("admin:registry_city_import_job", args=[running.pk]))
    assert '<meta http-equiv="refresh" content="2">' in page.text and 'name="end"' not in page.text


def test_a_stalled_check_is_ended_and_the_file_checked_again_as_a_new_job(
    client, manager, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    job = stale_job(manager, "checking", 16)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:registry_city_import_job", args=[job.pk]), {"check_again": "1"})
    job.refresh_from_db()
    again = ImportJob.objects.exclude(pk=job.pk).get()
    assert job.status == "failed"
    assert response.url == reverse("admin:registry_city_import_job", args=[again.pk])
    assert (again.status, again.rows_done, again.totals, again.user) == ("valid", 30, {"new": 30}, manager)


ENDED = [{"row": None, "column": "", "messages": ["The task worker stopped working on this file."]}]


def test_a_late_worker_does_not_bring_an_ended_job_back(manager):
    from registry import imports

    job = stale_job(manager, "failed", 0)
    ImportJob.objects.filter(pk=job.pk).update(errors=ENDED)  # as a manager's "End this job" leaves it
    assert imports.run_import.call(job.pk) == "failed"
    job.refresh_from_db()
    assert (job.status, job.errors, job.rows_done, job.totals) == ("failed", ENDED, 0, {})


def test_an_import_ended_while_the_worker_was_validating_writes_nothing(manager, monkeypatch):
    """The worker was paused past the stall limit, a manager ended the job, then the worker went
    on: its write is refused inside the transaction and the job keeps the manager's error."""
    from registry import imports, resource_base

    job = stale_job(manager, "queued", 0)
    validate = resource_base.full_clean_many

    def paused_then_ended(records, **options):
        ImportJob.objects.filter(pk=job.pk).update(status="failed", errors=ENDED)
        return validate(records, **options)

    monkeypatch.setattr(resource_base, "full_clean_many", paused_then_ended)
    assert imports.run_import.call(job.pk, confirm=True) == "failed"
    job.refresh_from_db()
    assert (job.status, job.errors) == ("failed", ENDED)
    assert not City.objects.filter(slug__startswith="import-").exists()


def test_a_record_edited_after_the_check_is_not_undone_by_the_confirmed_import(
    client, manager, settings, django_capture_on_commit_callbacks
):
    """The worker's check keeps the records it read (``ImportJob.rows_read``); the import it runs
    once confirmed refuses a row whose record changed since, as a previewed file's does."""
    from registry import services

    settings.TASKS = IMMEDIATE
    rows = city_rows(30)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, rows)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:registry_city_import_job", args=[ImportJob.objects.get().pk]))
    assert City.objects.filter(slug__startswith="import-").count() == 30
    rows[4] = [*rows[4][:1], "Renamed in the file", *rows[4][2:]]
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, rows)
    job = ImportJob.objects.latest("pk")
    assert (job.status, job.totals) == ("valid", {"update": 1, "skip": 29})
    assert job.rows_read["5"] == [City.objects.get(slug="import-4").pk, 1]
    edited = City.objects.get(slug="import-7")  # the file leaves it unchanged
    services.save_record(instance=edited, data={"name_en": "Renamed meanwhile"}, reason="Meanwhile")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url)
    job.refresh_from_db()
    assert (job.status, job.errors) == (
        "invalid",
        [
            {
                "row": 9,
                "column": "",
                "messages": [
                    "This record was changed by someone else after the preview: nothing was imported. Import the "
                    "file again to see its preview."
                ],
            }
        ],
    )
    assert list(City.objects.filter(slug__in=["import-4", "import-7"]).order_by("slug").values_list("name_en")) == [
        ("Import City 4",),
        ("Renamed meanwhile",),
    ]


def test_the_worker_writes_a_korean_managers_errors_in_korean(
    client, manager, settings, django_capture_on_commit_callbacks
):
    """The worker has no request, so it wrote every job's errors in the site's default language:
    a manager working in Korean read an English list (and a small file's preview in Korean). The
    job keeps the manager's language, and the one of whoever confirms it."""
    from django.utils import translation

    from registry import imports

    settings.TASKS = DATABASE  # stored for the worker, not run in the request
    url = reverse("admin:registry_city_import")
    with django_capture_on_commit_callbacks(execute=True):
        csv_index = next(
            value
            for value, label in client.get(url, HTTP_ACCEPT_LANGUAGE="ko").context["form"].fields["format"].choices
            if label == "csv"
        )
        data = SimpleUploadedFile("cities.csv", city_rows(30, bad_row=16).csv.encode(), content_type="text/csv")
        client.post(url, {"import_file": data, "format": csv_index, "resource": 0}, HTTP_ACCEPT_LANGUAGE="ko")
    job = ImportJob.objects.get()
    assert job.language == "ko"
    with translation.override("en"):  # the worker's own language
        assert imports.run_import.call(job.pk) == "invalid"
    job.refresh_from_db()
    assert job.errors == [{"row": 18, "column": "latitude", "messages": ["90 이하의 값을 입력해 주세요."]}]
    page = client.get(reverse("admin:registry_city_import_job", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="ko").text
    assert "<li>새 기록: 29</li>" in page and "<li>오류 있음: 1</li>" in page  # the counts were "new: 29", "invalid: 1"
    english = ImportJob.objects.create(
        user=manager, model_name="city", file_name="c.csv", file_format="csv", data=b"", status="valid"
    )
    with translation.override("ko"):
        imports.confirm(english)
    english.refresh_from_db()
    assert (english.status, english.language) == ("queued", "ko")


def test_the_import_page_lists_the_latest_background_imports_with_links(client, manager, settings):
    """A job's page was reachable only by its address once the manager left it (new-user probe):
    the import page lists this model's latest jobs, by anyone, with links; not another model's."""
    job = ImportJob.objects.create(
        user=manager, model_name="city", file_name="cities-2026.csv", file_format="csv", data=b"", rows_total=30
    )
    ImportJob.objects.create(
        user=manager, model_name="partnership", file_name="partners.csv", file_format="csv", data=b"", rows_total=40
    )
    page = client.get(reverse("admin:registry_city_import")).text
    assert reverse("admin:registry_city_import_job", args=[job.pk]) in page and "cities-2026.csv" in page
    assert "partners.csv" not in page and "waiting for the worker" in page
    korean = client.get(reverse("admin:registry_city_import"), HTTP_ACCEPT_LANGUAGE="ko").text
    assert "백그라운드 가져오기" in korean


def test_the_job_page_groups_the_digits_of_its_counts_as_the_public_pages_do(client, manager):
    """helper-84: "3000 / 3000" and "3000행 중 3000행", where the public pages write 2,030,285."""
    job = stale_job(manager, "checking", 0, rows=3)
    ImportJob.objects.filter(pk=job.pk).update(rows_total=3000, rows_done=1500)
    client.force_login(manager)
    page = client.get(reverse("admin:registry_city_import_job", args=[job.pk]))
    assert "1,500 / 3,000" in page.text and "1,500 of 3,000 rows" in page.text


@pytest.mark.parametrize(
    ("status", "heading", "shown", "not_shown"),
    [
        ("invalid", "What the file asked for (nothing was written):", "Update: 14,998", "Updated"),
        ("valid", "What the file asks for (nothing written yet):", "Update: 14,998", "Updated"),
        ("imported", "Written:", "Updated: 14,998", "Update:"),
    ],
)
def test_the_job_page_says_whether_its_counts_were_written(client, manager, status, heading, shown, not_shown):
    """helper-91: a refused file's page read "Update: 14998" above "Nothing was imported", as if
    the rows had been updated. The counts of a file not imported are now what it asks for, under
    a heading that says nothing was written; an imported file's are what was written."""
    job = stale_job(manager, status, 0)
    totals = {"update": 14998, "invalid": 2} if status == "invalid" else {"update": 14998}
    ImportJob.objects.filter(pk=job.pk).update(totals=totals)
    client.force_login(manager)
    page = client.get(reverse("admin:registry_city_import_job", args=[job.pk])).text
    listed = page.split(f"<p>{heading}</p>")[1].split("</ul>")[0]
    assert shown in " ".join(listed.split()) and not_shown not in listed


def test_a_worker_killed_once_the_rows_are_written_leaves_the_job_imported(
    client, manager, settings, django_capture_on_commit_callbacks, monkeypatch
):
    """helper-95: a worker killed after its write committed but before it marked the job left it
    ``importing`` with its rows in the registry; ended as stalled, its page said "nothing was
    written". The job is now ``imported`` in the write's own transaction."""
    from registry import imports

    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, city_rows(30))
    job = ImportJob.objects.get()
    resource = imports.RESOURCES["city"]
    real = resource.import_data

    def killed_after_the_write(self, *args, **kwargs):
        result = real(self, *args, **kwargs)
        if not kwargs.get("dry_run"):
            raise SystemExit("the worker is killed")
        return result

    monkeypatch.setattr(resource, "import_data", killed_after_the_write)
    with django_capture_on_commit_callbacks(execute=True):  # the task backend keeps what the task raised
        client.post(response.url)
    job.refresh_from_db()
    assert City.objects.filter(slug__startswith="import-").count() == 30
    assert (job.status, job.totals) == ("imported", {"new": 30})
    assert not imports.end_stalled(job)
    page = client.get(response.url).text
    assert "<p>Written:</p>" in page and "nothing was written" not in page
