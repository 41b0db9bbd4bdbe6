"""manage.py generate_network: the synthetic network follows the registry's rules, so that the
benchmarks count what the site would count."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from registry.models import City, Partnership, PartnershipStage
from registry.network import network_summary

pytestmark = pytest.mark.django_db


def test_generated_suspended_partnerships_have_their_stage_and_are_not_counted_in_force():
    call_command("generate_network", cities=150, partnerships=200, events=0, homes=2, seed=1, stdout=io.StringIO())
    today = timezone.localdate()
    suspended = Partnership.objects.filter(status="suspended")
    stages = PartnershipStage.objects.filter(kind="suspended").select_related("partnership")
    assert suspended.count() == 4  # what seed 1 draws
    assert sorted(stage.partnership_id for stage in stages) == sorted(suspended.values_list("id", flat=True))
    for stage in stages:  # as the Suspend action records it
        assert stage.partnership.established_on <= stage.on <= today
        assert (stage.precision, stage.note_en) == ("day", stage.partnership.status_reason)
    assert not Partnership.objects.in_force_on(today).filter(status="suspended").exists()

    home = City.objects.get(slug="syn-0")
    published = Partnership.objects.filter(city=home, publication="published")
    assert published.filter(status="suspended").exists()
    not_suspended_in_force = published.exclude(status="suspended").filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=today), established_on__lte=today
    )
    assert network_summary(home, today).partner_cities == not_suspended_in_force.count()
