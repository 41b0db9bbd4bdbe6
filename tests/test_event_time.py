"""An event's time of day and IANA time zone: validation, admin, API, event page, iCalendar."""

import datetime
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from icalendar import Calendar

from registry.models import DatePrecision, Event

from .conftest import token_client
from .factories import EventFactory

pytestmark = pytest.mark.django_db
D = datetime.date
T = datetime.time


def errors_of(event):
    with pytest.raises(ValidationError) as caught:
        event.full_clean()
    return caught.value.message_dict


def test_a_time_needs_a_date_known_to_the_day():
    event = EventFactory.build(start_precision=DatePrecision.MONTH, start_time=T(16), time_zone="Asia/Almaty")
    event.city.save()
    assert errors_of(event)["start_time"] == ["A start time needs a date known to the day."]


@pytest.mark.parametrize(("start_time", "zone"), [(T(16), ""), (None, "Asia/Almaty")])
def test_a_time_and_its_zone_come_together(start_time, zone):
    event = EventFactory.build(start_time=start_time, time_zone=zone)
    event.city.save()
    assert errors_of(event)["time_zone"] == ["A start time and its time zone are given together."]


@pytest.mark.parametrize("zone", ["Asia/Almati", "+06:00", "../../etc/passwd", "asia/almaty", "localtime", "Factory"])
def test_the_zone_must_be_an_iana_name(zone):
    event = EventFactory.build(start_time=T(16), time_zone=zone)
    event.city.save()
    assert errors_of(event)["time_zone"] == [f"“{zone}” is not an IANA time zone name (such as Asia/Almaty or UTC)."]


def test_date_only_events_stay_valid_and_the_shipped_signing_has_no_time(shipped_data):
    # The press release of 2022-09-21 gives no time of day for the Almaty signing ceremony.
    signing = Event.objects.get(slug="busan-almaty-signing-ceremony-2022")
    signing.full_clean()
    assert (signing.start_time, signing.time_zone, signing.starts_at) == (None, "", None)


def test_starts_at_is_aware_in_the_events_zone():
    event = EventFactory(start_on=D(2023, 5, 2), start_time=T(16, 30), time_zone="Asia/Seoul")
    assert event.starts_at.isoformat() == "2023-05-02T16:30:00+09:00"
    assert event.utc_offset == "UTC+09:00"
    assert EventFactory(start_time=T(9), time_zone="America/New_York").utc_offset == "UTC−05:00"


def test_event_page_shows_the_time_in_the_events_zone(client):
    EventFactory(slug="visit", start_on=D(2023, 5, 2), start_time=T(16, 30), time_zone="Asia/Seoul")
    EventFactory(slug="no-time")
    page = client.get("/events/visit/").content.decode()
    assert '<time datetime="2023-05-02T16:30:00+09:00">16:30</time>' in page
    assert "(Asia/Seoul, UTC+09:00)" in page
    assert "<time" not in client.get("/events/no-time/").content.decode()


def test_calendar_gives_dtstart_with_tzid_and_its_vtimezone(client):
    EventFactory(title_en="Zoned", start_on=D(2023, 5, 2), start_time=T(16, 30), time_zone="Asia/Almaty")
    EventFactory(title_en="In UTC", start_on=D(2023, 5, 3), start_time=T(7), time_zone="UTC")
    EventFactory(title_en="All day", start_on=D(2023, 5, 4))
    body = client.get("/events/calendar.ics").getvalue().decode()
    assert "DTSTART;TZID=Asia/Almaty:20230502T163000\r\n" in body
    assert "DTSTART:20230503T070000Z\r\n" in body
    assert "DTSTART;VALUE=DATE:20230504\r\n" in body
    calendar = Calendar.from_ical(body)
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Asia/Almaty"]
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert "DTEND" not in events["Zoned"]  # no end time is known
    assert events["All day"].decoded("DTEND") == D(2023, 5, 5)


def test_calendar_names_no_zone_of_a_draft(client):
    EventFactory(publication="draft", start_time=T(9), time_zone="Europe/Paris")
    body = client.get("/events/calendar.ics").getvalue().decode()
    assert "Europe/Paris" not in body


def test_api_reads_and_writes_time_and_zone_and_names_the_field_of_a_bad_zone(superuser):
    EventFactory(slug="visit", start_on=D(2023, 5, 2))
    client = token_client(superuser)
    response = client.patch("/api/v1/events/visit/", {"start_time": "16:00", "time_zone": "Asia/Almaty"}, format="json")
    assert response.status_code == HTTPStatus.OK, response.content
    assert (response.json()["start_time"], response.json()["time_zone"]) == ("16:00:00", "Asia/Almaty")
    response = client.patch("/api/v1/events/visit/", {"time_zone": "Mars/Olympus"}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "time_zone" in response.content.decode()
    assert Event.objects.get(slug="visit").time_zone == "Asia/Almaty"


def test_api_schema_describes_the_fields(api_client):
    schema = api_client.get("/api/v1/schema/?format=json").json()
    properties = schema["components"]["schemas"]["Event"]["properties"]
    assert "IANA time zone name" in properties["time_zone"]["description"]
    assert "HH:MM" in properties["start_time"]["description"]


def test_admin_form_has_the_fields(staff_client):
    event = EventFactory()
    page = staff_client.get(f"/admin/registry/event/{event.pk}/change/").content.decode()
    assert 'name="start_time"' in page and 'name="time_zone"' in page


@pytest.mark.parametrize(
    "given", ["10:00+09:00", "10:00Z", "10:00:00-05:00", "10:00+09:00:00", "10:00:00.123+09:00:00.5", "10:00-00:00:01"]
)
def test_api_refuses_a_time_with_a_utc_offset_naming_the_field(superuser, given):
    """Found by the adversarial probe: ``"10:00+09:00"`` was stored as 10:00 in the event's zone,
    the offset dropped without a word."""
    EventFactory(slug="visit", start_on=D(2023, 5, 2))
    client = token_client(superuser)
    response = client.patch("/api/v1/events/visit/", {"start_time": given, "time_zone": "Asia/Almaty"}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"] == {
        "start_time": [
            {
                "message": f"“{given}” gives a UTC offset: give the time as the clock shows it where the event is, "
                "without one (its zone is time_zone).",
                "code": "offset",
            }
        ]
    }
    assert Event.objects.get(slug="visit").start_time is None
