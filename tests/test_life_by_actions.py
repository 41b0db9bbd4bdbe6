"""A published partnership's life (status, end, dates) moves only by the actions, or as a correction
with a reason; no date of it is after today, on every path (create, update, import, actions)."""

import datetime
from http import HTTPStatus

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.utils import timezone

from registry import services
from registry.models import Partnership
from registry.resources import PartnershipResource

from .conftest import token_client
from .factories import CityFactory, PartnershipFactory, SourceFactory

D = datetime.date


def tomorrow() -> datetime.date:
    """The server's tomorrow, read when the test runs (a module constant goes stale when a run
    crosses midnight, as CI's did)."""
    return timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture
def friendship(home):
    return PartnershipFactory(
        city=home, partner=CityFactory(country="MN"), kind=Partnership.Kind.FRIENDSHIP, established_on=D(2016, 5, 1)
    )


def use_action(field: str, action: str) -> dict:
    return {
        "message": f"A published partnership's {field} is not edited directly: use the action “{action}”, "
        "or give a reason for the correction.",
        "code": "partnership_use_action",
    }


def test_api_patch_ending_a_published_partnership_is_refused_naming_end(friendship, superuser):
    versions = friendship.history.count()
    response = token_client(superuser).patch(
        f"/api/v1/partnerships/{friendship.pk}/", {"status": "ended", "ended_on": "2020-01-01"}, format="json"
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"] == {
        "status": [use_action("status", "End")],
        "ended_on": [use_action("ended on", "End")],
    }
    friendship.refresh_from_db()
    assert (friendship.status, friendship.ended_on, friendship.history.count()) == ("active", None, versions)


@pytest.mark.parametrize(
    ("stored", "new", "action"), [("active", "suspended", "Suspend"), ("suspended", "active", "Resume")]
)
def test_api_patch_of_the_status_names_the_action_for_the_new_status(friendship, superuser, stored, new, action):
    Partnership.objects.filter(pk=friendship.pk).update(status=stored)
    response = token_client(superuser).patch(f"/api/v1/partnerships/{friendship.pk}/", {"status": new}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"] == {"status": [use_action("status", action)]}


def test_reactivating_an_ended_partnership_is_only_a_correction(friendship, superuser):
    services.end_partnership(partnership=friendship, ended_on=D(2020, 1, 1), reason="Closed")
    api = token_client(superuser)
    url = f"/api/v1/partnerships/{friendship.pk}/"
    response = api.patch(url, {"status": "active", "ended_on": None}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"] == {
        "status": [
            {
                "message": "A published partnership's status is changed only as a correction, with a reason.",
                "code": "partnership_use_action",
            }
        ],
        "ended_on": [
            {
                "message": "A published partnership's ended on is changed only as a correction, with a reason.",
                "code": "partnership_use_action",
            }
        ],
    }
    friendship.refresh_from_db()
    assert (friendship.status, friendship.ended_on) == ("ended", D(2020, 1, 1))
    response = api.patch(
        url, {"status": "active", "ended_on": None}, format="json", HTTP_X_CHANGE_REASON="Ended by mistake"
    )
    assert response.status_code == HTTPStatus.OK, response.content
    friendship.refresh_from_db()
    assert (friendship.status, friendship.ended_on) == ("active", None)
    latest = friendship.history.first()
    assert latest.history_change_reason == "Ended by mistake"
    assert (latest.prev_record.status, latest.status) == ("ended", "active")


def test_the_established_date_is_changed_only_as_a_correction(friendship):
    with pytest.raises(ValidationError) as error:
        services.save_record(instance=friendship, data={"established_on": D(2016, 5, 2)})
    assert error.value.message_dict == {
        "established_on": ["A published partnership's established on is changed only as a correction, with a reason."]
    }


def test_a_draft_partnership_may_still_change_its_status_and_end_directly(friendship):
    friendship.publication = "draft"
    friendship.save()
    services.save_record(instance=friendship, data={"status": "ended", "ended_on": D(2020, 1, 1)})
    friendship.refresh_from_db()
    assert (friendship.status, friendship.ended_on) == ("ended", D(2020, 1, 1))


def test_the_actions_still_move_a_published_partnership_and_a_direct_edit_after_them_is_checked(friendship):
    services.suspend_partnership(partnership=friendship, on=D(2020, 1, 1), reason="Dispute")
    services.resume_partnership(partnership=friendship, on=D(2021, 1, 1), reason="Settled")
    services.end_partnership(partnership=friendship, ended_on=D(2022, 1, 1), reason="Closed")
    reasons = list(friendship.history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert reasons[1:] == ["Suspended: Dispute", "Resumed: Settled", "Ended: Closed"]  # after the creation
    with pytest.raises(ValidationError) as error:  # the action's permission does not stay on the instance
        services.save_record(instance=friendship, data={"ended_on": D(2022, 2, 1)})
    assert list(error.value.message_dict) == ["ended_on"]


def test_an_import_update_of_a_published_partnership_status_is_refused(friendship):
    dataset = tablib.Dataset(headers=["city", "partner", "kind", "established_on", "status", "ended_on"])
    dataset.append([friendship.city.slug, friendship.partner.slug, "friendship", "2016-05-01", "ended", "2020-01-01"])
    result = PartnershipResource().import_data(dataset, dry_run=True)
    (row,) = result.invalid_rows
    assert row.field_specific_errors["status"] == [
        "A published partnership's status is not edited directly: use the action “End”, "
        "or give a reason for the correction."
    ]
    friendship.refresh_from_db()
    assert friendship.status == "active"


# --------------------------------------------------------------------------- no date after today


def test_creating_a_partnership_established_tomorrow_is_refused(home, superuser):
    with pytest.raises(ValidationError) as error:
        services.create_partnership(city=home, partner=CityFactory(), kind="sister", established_on=tomorrow())
    assert [e.code for e in error.value.error_dict["established_on"]] == ["date_in_future"]
    assert not Partnership.objects.exists()
    partner = CityFactory(slug="tomorrow-city")
    response = token_client(superuser).post(
        "/api/v1/partnerships/",
        {
            "city": home.slug,
            "partner": partner.slug,
            "kind": "sister",
            "established_on": tomorrow().isoformat(),
            "fields": [],
            "sources": [],
        },
        format="json",
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"]["established_on"] == [
        {"message": "This date is in the future: record it once it has happened.", "code": "date_in_future"}
    ]


def test_an_import_row_established_tomorrow_is_an_error(home):
    dataset = tablib.Dataset(headers=["city", "partner", "kind", "established_on", "publication"])
    dataset.append([home.slug, CityFactory(slug="soon").slug, "sister", tomorrow().isoformat(), "draft"])
    result = PartnershipResource().import_data(dataset, dry_run=True)
    (row,) = result.invalid_rows
    assert row.field_specific_errors["established_on"] == [
        "This date is in the future: record it once it has happened."
    ]


def test_today_is_not_in_the_future(home):
    today = timezone.localdate()
    partnership = services.create_partnership(city=home, partner=CityFactory(), kind="sister", established_on=today)
    assert partnership.established_on == today


def test_an_action_dated_tomorrow_is_refused_with_the_same_code(friendship):
    with pytest.raises(ValidationError) as error:
        services.end_partnership(partnership=friendship, ended_on=tomorrow(), reason="Planned")
    assert [e.code for e in error.value.error_dict["ended_on"]] == ["date_in_future"]


# --------------------------------------------------------------------------- upgrade


def test_an_upgrade_without_a_source_cites_the_predecessors_sources(friendship):
    listed, article = SourceFactory(), SourceFactory()
    friendship.sources.set([listed])
    sister = services.upgrade_partnership(partnership=friendship, on=D(2020, 3, 1), reason="Council approved")
    assert list(sister.sources.all()) == [listed]
    assert list(sister.stages.get().sources.all()) == []  # the stage cites what the action gave
    other = PartnershipFactory(city=friendship.city, partner=CityFactory(), kind="friendship")
    other.sources.set([listed])
    successor = services.upgrade_partnership(
        partnership=other, on=D(2021, 1, 1), reason="Up", sources=[article, listed]
    )
    assert sorted(s.pk for s in successor.sources.all()) == sorted([listed.pk, article.pk])
