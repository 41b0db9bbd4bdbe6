"""The admin index's work queue: each count matches its linked list; constant query count."""

import datetime
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from registry import work_queue
from registry.models import City, Confidence, Partnership, Publication

from .factories import AgreementFactory, CityFactory

pytestmark = pytest.mark.django_db


def make_records(home, n: int) -> None:
    """``n`` partnerships of every kind of pending work (drafts, no source, low confidence,
    dormant, anniversaries), agreements expiring, and a duplicate city pair."""
    today = timezone.localdate()
    partners = City.objects.bulk_create(
        [City(slug=f"p{i}", name_en=f"Partner {i}", country="JP", search_text=f"partner {i}") for i in range(n)]
    )
    Partnership.objects.bulk_create(
        [
            Partnership(
                city=home,
                partner=partner,
                kind="sister",
                established_on=today.replace(year=today.year - 10 - i % 3),
                confidence=[Confidence.HIGH, Confidence.LOW, Confidence.MEDIUM][i % 3],
                publication=[Publication.DRAFT, Publication.PUBLISHED][i % 2],
            )
            for i, partner in enumerate(partners)
        ]
    )
    for days in (10, 100, 400):
        AgreementFactory(expires_on=today + datetime.timedelta(days=days), publication=Publication.DRAFT)
    CityFactory(slug="tashkent", name_en="Tashkent", country="UZ")
    CityFactory(slug="tashkent-2", name_en="TASHKENT", country="UZ")


def index_queries(staff_client) -> list[str]:
    staff_client.get("/admin/")  # warm the caches (network summary, session)
    with CaptureQueriesContext(connection) as queries:
        assert staff_client.get("/admin/").status_code == HTTPStatus.OK
    return [query["sql"] for query in queries]


def test_each_count_matches_its_list(home, staff_client, superuser):
    make_records(home, 12)
    page = staff_client.get("/admin/").content.decode()
    assert 'id="work-queue"' in page
    for line in work_queue.lines(superuser, timezone.localdate()):
        assert line.url in page.replace("&amp;", "&")
        answer = staff_client.get(line.url)
        assert answer.status_code == HTTPStatus.OK, line
        shown = answer.context["cl"].result_count if "cl" in answer.context else len(answer.context["anniversaries"])
        assert shown == line.count, line.label
    counts = {line.label: line.count for line in work_queue.lines(superuser, timezone.localdate())}
    assert counts["Drafts waiting for review: partnerships"] == 6
    assert counts["Drafts waiting for review: agreements"] == 3
    assert counts["Without a source: partnerships"] == 12
    assert counts["Partnerships of medium or low confidence"] == 8
    assert counts["Possible duplicate cities"] == 2
    assert counts["Dormant relations (no activity for 3 years)"] == 12
    assert sum(1 for label in counts if label.startswith("Agreements expiring")) == 1
    assert [count for label, count in counts.items() if label.startswith("Agreements expiring")] == [2]


def test_query_count_does_not_grow_with_the_data(home, staff_client):
    make_records(home, 10)
    small = index_queries(staff_client)
    make_records_more = 1000
    today = timezone.localdate()
    partners = City.objects.bulk_create(
        [City(slug=f"q{i}", name_en=f"Q {i}", country="CN", search_text=f"q {i}") for i in range(make_records_more)]
    )
    Partnership.objects.bulk_create(
        [
            Partnership(
                city=home, partner=partner, kind="friendship", established_on=today.replace(year=today.year - 20)
            )
            for partner in partners
        ]
    )
    large = index_queries(staff_client)
    assert len(large) == len(small), "\n".join(set(large) ^ set(small))


def test_registry_models_come_first_on_the_admin_index(staff_client):
    apps = staff_client.get("/admin/").context["app_list"]
    assert apps[0]["app_label"] == "registry"
    assert {app["app_label"] for app in apps[1:]} >= {"auth"}


def test_the_admin_index_names_the_login_lockouts_and_background_tasks_in_the_staff_language(staff_client):
    names = {app["app_label"]: (app["name"], [m["name"] for m in app["models"]]) for app in _app_list(staff_client)}
    assert names["axes"] == ("Login lockouts", ["Access attempts", "Failed sign-ins", "Sign-ins"])
    assert names["django_tasks_database"] == ("Background tasks", ["Task results"])
    korean = {app["app_label"]: app["name"] for app in _app_list(staff_client, HTTP_ACCEPT_LANGUAGE="ko")}
    assert (korean["axes"], korean["django_tasks_database"]) == ("로그인 잠금", "백그라운드 작업")


def _app_list(client, **headers):
    return client.get("/admin/", **headers).context["app_list"]
