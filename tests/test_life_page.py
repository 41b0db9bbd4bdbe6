"""The life of a relation on the public pages starts with its signature, whether or not a
``signed`` stage was stored (found by the fresh-clone user test: an action made the signing vanish)."""

import datetime
import re

from registry import services
from registry.models import Partnership, PartnershipStage


def _life(html: str) -> list[str]:
    """The stage names of the first "timeline-stages" list, in order."""
    items = html.split('<ol class="timeline-stages">', 1)[1].split("</ol>", 1)[0]
    return re.findall(r"<strong>([^<]+)</strong>", items)


def test_the_signature_stays_first_after_an_action(client, shipped_data):
    osaka = Partnership.objects.get(partner__slug="osaka")
    assert not osaka.stages.filter(kind=PartnershipStage.Kind.SIGNED).exists()
    before = client.get(f"/partnerships/{osaka.pk}/").content.decode()
    assert _life(before) == ["signed"]
    services.suspend_partnership(partnership=osaka, on=datetime.date(2020, 3, 1), reason="Pandemic")
    services.resume_partnership(partnership=osaka, on=datetime.date(2022, 5, 1), reason="Exchanges again")
    after = client.get(f"/partnerships/{osaka.pk}/").content.decode()
    assert _life(after) == ["signed", "suspended", "resumed"]
    signed_on = osaka.established_on.strftime("%Y-%m-%d")
    assert f'<time datetime="{signed_on}">' in after.split('<ol class="timeline-stages">', 1)[1]


def test_a_stored_signed_stage_is_not_shown_twice(shipped_data):
    upgraded = Partnership.objects.filter(stages__kind=PartnershipStage.Kind.SIGNED).first()
    assert upgraded is not None
    kinds = [stage.kind for stage in upgraded.life()]
    assert kinds.count(PartnershipStage.Kind.SIGNED) == 1
    assert all(stage.pk for stage in upgraded.life())


def test_a_relation_never_signed_has_no_signature_in_its_life(shipped_data):
    proposed = Partnership.objects.get(established_on__isnull=True, partner__slug="hokkaido")
    assert [stage.kind for stage in proposed.life()] == list(proposed.stages.values_list("kind", flat=True))
