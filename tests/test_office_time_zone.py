"""The office's time zone (``REGISTRY_TIME_ZONE``, Django's ``TIME_ZONE``): times are stored in
UTC and shown in it, with its name, and "today" is its date (last note's left-alone item 11)."""

import datetime
import os
import subprocess
import sys

from django.utils import timezone

from registry import dates
from registry.network import network_summary

from .factories import PartnershipFactory

NINE_UTC = datetime.datetime(2026, 12, 5, 9, 0, tzinfo=datetime.UTC)


def test_a_time_is_shown_in_the_offices_zone_with_its_name(settings):
    assert dates.time_label(NINE_UTC) == "2026-12-05 09:00 UTC"
    settings.TIME_ZONE = "Asia/Seoul"
    assert dates.time_label(NINE_UTC) == "2026-12-05 18:00 KST"


def test_the_stale_edit_message_gives_the_offices_time(settings):
    from registry.concurrency import VersionConflict

    settings.TIME_ZONE = "Asia/Seoul"
    conflict = VersionConflict(expected=1, current=2, changed_by=("kim",), changed_at=NINE_UTC)
    assert "(2026-12-05 18:00 KST)" in conflict.explain("")


def test_today_is_the_offices_date(home, settings, monkeypatch):
    """At 20:30 UTC it is already the next day in Busan: a relation established that day is in
    force in Busan's "today" and not yet in UTC's."""
    PartnershipFactory(city=home, partner__country="JP", established_on=datetime.date(2026, 12, 6))
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2026, 12, 5, 20, 30, tzinfo=datetime.UTC))
    assert network_summary(home, timezone.localdate()).partner_cities == 0
    settings.TIME_ZONE = "Asia/Seoul"
    assert timezone.localdate() == datetime.date(2026, 12, 6)
    assert network_summary(home, timezone.localdate()).partner_cities == 1


def test_an_unknown_time_zone_is_refused_at_start_naming_the_variable(settings):
    env = {**os.environ, "REGISTRY_TIME_ZONE": "Asia/Busan"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "REGISTRY_TIME_ZONE must be an IANA time zone name such as Asia/Seoul or UTC, not 'Asia/Busan'." in (
        result.stderr
    )


def test_the_deleted_records_page_gives_the_offices_time(staff_client, settings, monkeypatch):
    """It printed the time in the office's zone followed by "UTC"."""
    from registry.models import City

    from .factories import CityFactory

    settings.TIME_ZONE = "Asia/Seoul"
    monkeypatch.setattr(timezone, "now", lambda: NINE_UTC)
    CityFactory(slug="gone", name_en="Gone").delete()
    assert City.history.filter(history_type="-").exists()
    page = staff_client.get("/admin/registry/city/deleted/").text
    assert "2026-12-05 18:00 KST" in page and "UTC" not in page


def test_the_admins_dates_and_times_name_the_offices_zone(staff_client, settings, monkeypatch):
    """The history pages and every admin date and time gave the hour with no zone (Django's
    formats): the project's (diplomacy/formats/) add its abbreviation, in English and Korean."""
    from .factories import CityFactory

    settings.TIME_ZONE = "Asia/Seoul"
    monkeypatch.setattr(timezone, "now", lambda: NINE_UTC)
    city = CityFactory(slug="jeju", name_en="Jeju")
    url = f"/admin/registry/city/{city.pk}/history/"
    assert "Dec. 5, 2026, 6 p.m. KST" in staff_client.get(url).text
    assert "2026년 12월 5일 오후 6:00 KST" in staff_client.get(url, HTTP_ACCEPT_LANGUAGE="ko").text
