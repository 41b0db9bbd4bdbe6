"""Two actions on one relation at once run one after the other: each action re-reads its
partnership under a row lock before it checks its rules (services.partnerships._action). Found by
the adversarial probe: Upgrade and End sent at once both succeeded on PostgreSQL, as did Renew and
End (leaving an active relation with an "ended" stage)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from registry import services
from registry.models import Partnership, PartnershipStage

from .factories import CityFactory, PartnershipFactory

D = datetime.date


@pytest.fixture
def friendship(home):
    return PartnershipFactory(
        city=home, partner=CityFactory(country="MN"), kind=Partnership.Kind.FRIENDSHIP, established_on=D(2016, 5, 1)
    )


def test_an_action_given_a_stale_copy_sees_the_end_recorded_meanwhile(friendship):
    stale = Partnership.objects.get(pk=friendship.pk)  # read by the second request
    services.end_partnership(partnership=friendship, ended_on=D(2020, 1, 1), reason="Ended by the first request")
    assert stale.status == Partnership.Status.ACTIVE  # what the second request had read
    with pytest.raises(ValidationError) as refused:
        services.upgrade_partnership(partnership=stale, on=D(2020, 6, 1), reason="Upgrade by the second request")
    assert "status" in refused.value.error_dict
    assert not Partnership.objects.filter(predecessor=friendship).exists()
    with pytest.raises(ValidationError):
        services.suspend_partnership(partnership=stale, on=D(2021, 1, 1), reason="Suspend by a third request")
    friendship.refresh_from_db()
    assert friendship.status == Partnership.Status.ENDED
    assert list(friendship.stages.values_list("kind", flat=True)) == [PartnershipStage.Kind.ENDED]


def test_a_resume_given_a_copy_read_before_the_suspension_resumes_it(friendship):
    stale = Partnership.objects.get(pk=friendship.pk)  # read while active
    services.suspend_partnership(partnership=friendship, on=D(2020, 1, 1), reason="First request")
    services.resume_partnership(partnership=stale, on=D(2021, 1, 1), reason="Second request")
    stale.refresh_from_db()
    assert stale.status == Partnership.Status.ACTIVE
    assert list(stale.stages.order_by("on").values_list("kind", flat=True)) == ["suspended", "resumed"]
