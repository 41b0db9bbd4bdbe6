"""Two actions on one relation at once run one after the other: each action re-reads its
partnership under a row lock before it checks its rules (services.partnerships._action). Found by
the adversarial probe: Upgrade and End sent at once both succeeded on PostgreSQL, as did Renew and
End (leaving an active relation with an "ended" stage)."""

import datetime
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

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
    services.end_partnership(partnership=friendship, on=D(2020, 1, 1), reason="Ended by the first request")
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


def _waiting_for_a_lock() -> bool:
    """Whether another session of this database waits for a lock (PostgreSQL's activity view)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite lets one writer in at a time")
@pytest.mark.django_db(transaction=True)
def test_two_writers_of_overlapping_periods_of_one_pair_check_one_after_the_other():
    """The overlap rule reads the pair's stored periods: a second writer that checked before the
    first had written would store an overlapping period too (the adversarial probe: six ended
    partnerships of one pair posted at once, all 201 on PostgreSQL). It now waits for the first's
    transaction (Partnership.lock_cities) and is refused."""
    ulaanbaatar, almaty = CityFactory(country="MN"), CityFactory(country="KZ")
    ended = {"city": ulaanbaatar, "partner": almaty, "status": Partnership.Status.ENDED}
    checked = threading.Event()
    second: dict = {}

    def write_the_second():
        try:
            checked.wait(30)
            services.create_partnership(
                **ended, kind=Partnership.Kind.SISTER, established_on=D(2005, 1, 1), ended_on=D(2015, 1, 1)
            )
            second["stored"] = True
        except ValidationError as error:
            second["refused"] = error.message_dict
        finally:
            connection.close()

    thread = threading.Thread(target=write_the_second)
    thread.start()
    with transaction.atomic():
        first = Partnership(
            **ended, kind=Partnership.Kind.FRIENDSHIP, established_on=D(2000, 1, 1), ended_on=D(2010, 1, 1)
        )
        first.full_clean()  # checked, not written yet
        checked.set()
        for _ in range(600):  # until the second writer waits for this transaction, or is done
            if not thread.is_alive() or _waiting_for_a_lock():
                break
            time.sleep(0.05)
        first.save()
    thread.join(30)
    assert second == {
        "refused": {"established_on": ["These two cities already have a partnership in force in this period."]}
    }
    assert Partnership.objects.filter(city=ulaanbaatar).count() == 1
