"""The admin history page of every registry model shows labels, never raw values or "None"."""

import datetime
import html
import re

import pytest

from registry.models import Event, Partnership

from .factories import CityFactory, EventFactory, PartnershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def changes(page: str) -> list[str]:
    """The "Changes" items of a history page, as plain text."""
    items = re.findall(r"<li><strong>(.*?)</strong>(.*?)</li>", page, re.S)
    return [html.unescape(re.sub(r"\s+", " ", f"{field}{rest}")).replace("\xa0", " ").strip() for field, rest in items]


def test_partnership_history_shows_choice_labels_names_and_user_names(staff_client):
    editor = UserFactory(username="jkim", first_name="Ji-woo", last_name="Kim")
    almaty = CityFactory(name_en="Almaty", slug="almaty")
    astana = CityFactory(name_en="Astana", slug="astana")
    partnership = PartnershipFactory(partner=almaty, kind=Partnership.Kind.FRIENDSHIP)
    partnership.kind = Partnership.Kind.SISTER
    partnership.partner = astana
    partnership._history_user = editor
    partnership._change_reason = "Upgraded"
    partnership.save()
    page = staff_client.get(f"/admin/registry/partnership/{partnership.pk}/history/").content.decode()
    assert "Kind: friendship city → sister city" in changes(page)
    assert "Partner city: Almaty → Astana" in changes(page)
    assert "Ji-woo Kim" in page
    assert "None" not in page
    assert "friendship →" not in html.unescape(page).replace("\xa0", " ")


def test_event_history_shows_dash_for_empty_values_and_labels_for_precision(staff_client):
    event = EventFactory(kind=Event.Kind.OFFICIAL_VISIT)
    event.kind = Event.Kind.SIGNING_CEREMONY
    event.start_on = datetime.date(2016, 1, 1)
    event.start_precision = "year"
    event.city = None
    event.save()
    page = staff_client.get(f"/admin/registry/event/{event.pk}/history/").content.decode()
    found = changes(page)
    assert "Kind: official visit → signing ceremony" in found
    assert "Precision of the date: day → year" in found
    assert "Start: 2015-03-01 → 2016" in found  # each side to its version's precision (helper-92)
    assert any(item.startswith("City: ") and item.endswith(" → —") for item in found), found
    assert "None" not in page


def test_a_partnerships_end_to_the_month_is_shown_to_the_month(staff_client):
    """helper-92: "Ended on: — → 2025-06-01" beside "Precision of the end date: day → month"."""
    partnership = PartnershipFactory(established_on=datetime.date(2000, 1, 1))
    partnership.status, partnership.ended_on, partnership.ended_precision = "ended", datetime.date(2025, 6, 1), "month"
    partnership.save()
    page = staff_client.get(f"/admin/registry/partnership/{partnership.pk}/history/").content.decode()
    found = changes(page)
    ended = [item for item in found if item.startswith(("Ended on", "End"))]
    assert any(item.endswith(": — → 2025-06") for item in ended), found
    assert not any("2025-06-01" in item for item in found), found


def test_a_related_record_deleted_since_is_named_from_its_history(staff_client):
    event = EventFactory(city=CityFactory(name_en="Old Town", slug="old-town"))
    old_town = event.city
    event.city = CityFactory(name_en="New Town", slug="new-town")
    event.save()
    old_town.delete()
    page = staff_client.get(f"/admin/registry/event/{event.pk}/history/").content.decode()
    assert "City: Old Town (deleted) → New Town" in changes(page)


def test_the_author_links_to_their_account_only_for_who_may_open_it(client, manager, superuser):
    """Found by a new user: the name linked to the account's admin page, a 403 for editors and
    managers."""
    author = UserFactory(username="jkim", first_name="Ji-woo", last_name="Kim")
    partnership = PartnershipFactory()
    partnership._history_user = author
    partnership.save()
    url = f"/admin/registry/partnership/{partnership.pk}/history/"
    account = f'href="/admin/auth/user/{author.pk}/change/"'
    client.force_login(manager)
    page = client.get(url).content.decode()
    assert "Ji-woo Kim" in page and account not in page
    client.force_login(superuser)
    assert account in client.get(url).content.decode()
