"""``/events/calendar.ics``: events and partnership anniversaries, valid iCalendar (RFC 5545)."""

import datetime
from http import HTTPStatus

import pytest
from icalendar import Calendar

from registry.models import Publication

from .factories import EventFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def feed(client, url="/events/calendar.ics"):
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


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
    assert b"\r\n" in client.get("/events/calendar.ics").content  # CRLF line endings


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
