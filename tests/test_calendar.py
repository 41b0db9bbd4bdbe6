"""``/events/calendar.ics`` and ``/api/v1/events/?format=ics``: events and partnership anniversaries,
valid iCalendar (RFC 5545), one builder (registry.exports) with UIDs independent of host and language."""

import datetime
from http import HTTPStatus

import pytest
from icalendar import Calendar

from registry.models import Event, Partnership, Publication

from .factories import EventFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def feed(client, url="/events/calendar.ics"):
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.getvalue())


def events_by_summary(calendar):
    return {str(component["SUMMARY"]): component for component in calendar.walk("VEVENT")}


def test_calendar_parses_and_holds_the_almaty_signing(client, shipped_data):
    calendar = feed(client)
    assert str(calendar["VERSION"]) == "2.0" and "PRODID" in calendar
    signing = events_by_summary(calendar)["Signing ceremony of the Busan–Almaty friendly cooperation city agreement"]
    assert signing.decoded("DTSTART") == datetime.date(2022, 9, 14)
    assert signing.decoded("DTEND") == datetime.date(2022, 9, 15)
    assert "Almaty" in str(signing["LOCATION"])
    assert str(signing["URL"]) == "http://testserver/events/busan-almaty-signing-ceremony-2022/"


def test_every_component_has_the_properties_rfc_5545_requires(client, shipped_data):
    calendar = feed(client)
    uids = []
    for component in calendar.walk("VEVENT"):
        for name in ("UID", "DTSTAMP", "DTSTART", "SUMMARY"):
            assert name in component, (name, component)
        uids.append(str(component["UID"]))
    assert len(uids) == len(set(uids))
    assert b"\r\n" in client.get("/events/calendar.ics").getvalue()  # CRLF line endings


def test_month_only_event_spans_its_month(client, shipped_data):
    consultations = events_by_summary(feed(client))["Export consultations of the Busan trade delegation in Almaty"]
    assert consultations.decoded("DTSTART") == datetime.date(2022, 9, 1)
    assert consultations.decoded("DTEND") == datetime.date(2022, 10, 1)


def test_anniversaries_recur_yearly_for_partnerships_known_to_the_day(client, shipped_data):
    summaries = events_by_summary(feed(client))
    almaty = summaries["Anniversary: Busan and Almaty, friendship city since 2022"]
    assert almaty.decoded("DTSTART") == datetime.date(2022, 9, 14)
    assert almaty["RRULE"]["FREQ"] == ["YEARLY"]
    year_only = PartnershipFactory(
        partner__name_en="Yearton", established_on=datetime.date(1990, 1, 1), established_precision="year"
    )
    assert year_only.pk
    assert not any("Yearton" in summary for summary in events_by_summary(feed(client)))


def test_calendar_leaves_out_drafts_and_ended_partnerships(client, db):
    EventFactory(title_en="Draft visit", publication=Publication.DRAFT)
    PartnershipFactory(partner__name_en="Endedville", status="ended", ended_on=datetime.date(2010, 1, 1))
    summaries = events_by_summary(feed(client))
    assert not any("Draft visit" in s or "Endedville" in s for s in summaries)


def test_calendar_in_korean(client, shipped_data):
    summaries = events_by_summary(feed(client, "/ko/events/calendar.ics"))
    assert any("알마티" in summary for summary in summaries)
    anniversary = summaries["한–카자흐스탄 수교 30주년"]
    assert str(anniversary["DESCRIPTION"]).startswith("연도만 알려진 날짜: 2022년.")
    assert str(anniversary["URL"]).startswith("http://testserver/ko/events/")


def uids(calendar) -> set[str]:
    return {str(component["UID"]) for component in calendar.walk("VEVENT")}


def test_uids_are_the_same_whatever_the_host_the_language_and_the_feed(client, api_client, shipped_data, settings):
    settings.ALLOWED_HOSTS = ["registry.example.org", "mirror.example.net", "testserver"]
    one = uids(Calendar.from_ical(client.get("/events/calendar.ics", HTTP_HOST="registry.example.org").getvalue()))
    other = uids(Calendar.from_ical(client.get("/events/calendar.ics", HTTP_HOST="mirror.example.net").getvalue()))
    korean = uids(Calendar.from_ical(client.get("/ko/events/calendar.ics", HTTP_HOST="mirror.example.net").getvalue()))
    assert one == other == korean
    assert "event-busan-almaty-signing-ceremony-2022@city-diplomacy-registry" in one
    almaty = Partnership.objects.get(partner__slug="almaty")
    assert f"partnership-{almaty.pk}-anniversary@city-diplomacy-registry" in one
    api = api_client.get("/api/v1/events/?format=ics", HTTP_HOST="mirror.example.net")
    assert uids(Calendar.from_ical(api.getvalue())) == {uid for uid in one if uid.startswith("event-")}
    settings.REGISTRY_ICAL_UID_DOMAIN = "registry.example.org"
    assert "event-busan-almaty-signing-ceremony-2022@registry.example.org" in uids(feed(client))


def test_an_event_is_the_same_vevent_in_the_page_feed_and_the_api_feed(client, api_client, shipped_data):
    page = {str(c["UID"]): c.to_ical() for c in feed(client).walk("VEVENT")}
    api = Calendar.from_ical(api_client.get("/api/v1/events/?format=ics").getvalue())
    components = api.walk("VEVENT")
    assert len(components) == Event.objects.count()
    for component in components:
        assert component.to_ical() == page[str(component["UID"])]


def test_year_only_event_spans_its_year_and_says_so(client, shipped_data):
    anniversary = events_by_summary(feed(client))[
        "30th anniversary of diplomatic relations between Korea and Kazakhstan"
    ]
    assert anniversary.decoded("DTSTART") == datetime.date(2022, 1, 1)
    assert anniversary.decoded("DTEND") == datetime.date(2023, 1, 1)
    assert str(anniversary["DESCRIPTION"]).startswith("Date known only to the year: 2022.")


def test_an_event_ending_after_the_last_representable_day_is_clamped(client, db):
    EventFactory(title_en="Far", start_on=datetime.date(9999, 12, 1), start_precision="month")
    far = events_by_summary(feed(client))["Far"]
    assert far.decoded("DTEND") == datetime.date.max


def test_a_time_zone_s_rules_reach_the_events_that_use_it(client, db):
    """icalendar's VTIMEZONE stops at 2038 by default: a calendar program following it would put
    a summer event of 2045 in New York at EST (-05:00) instead of EDT (-04:00)."""
    EventFactory(
        title_en="Summit 2045",
        start_on=datetime.date(2045, 7, 1),
        start_time=datetime.time(10, 0),
        time_zone="America/New_York",
    )
    [zone] = feed(client).walk("VTIMEZONE")
    summer_starts = {
        moment.dt.year
        for rule in zone.walk("DAYLIGHT")
        for dates in [rule["DTSTART"], *(rule.get("RDATE") if isinstance(rule.get("RDATE"), list) else [rule["RDATE"]])]
        for moment in getattr(dates, "dts", [dates])
    }
    assert 2045 in summer_starts  # the daylight-saving start of that year (2045-03-12 in tzdata)
