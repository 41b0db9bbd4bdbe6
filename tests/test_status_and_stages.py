"""A partnership's status agrees with its stages (models.stages.status_disagreements): it is
suspended exactly when its latest suspension, resumption or end is a suspension. Found by a
tester: a copy of a suspension added by hand to a snapshot was restored, and Busan's network on
2022-09-21 counted 37 partner cities instead of 38 while the relation still read "active"."""

import datetime
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from registry import services
from registry.bulk_validation import full_clean_many
from registry.management.commands.import_registry import check_model_rules
from registry.models import City, Partnership, PartnershipStage
from registry.network import network_summary

from .factories import PartnershipFactory
from .snapshots import exported_changed
from .test_backup import empty_registry

pytestmark = pytest.mark.django_db

D = datetime.date
DAY = D(2022, 9, 21)


def busan(slug: str, kind: str | None = None) -> Partnership:
    partnerships = Partnership.objects.filter(city__slug="busan", partner__slug=slug)
    return partnerships.get(**({"kind": kind} if kind else {"ended_on__isnull": True}))


def partner_cities(day: datetime.date = DAY) -> int:
    return network_summary(City.objects.get(slug="busan"), day).partner_cities


def copy_as_suspension(rows: list) -> None:
    """Add a copy of Vladivostok's renewal as a suspension on 2020-01-01 (the tester's edit)."""
    renewal = next(
        row for row in rows if row["model"] == "registry.partnershipstage" and row["fields"]["kind"] == "renewed"
    )
    copy = json.loads(json.dumps(renewal))
    copy.pop("pk", None)
    copy["fields"].update(kind="suspended", on="2020-01-01")
    rows.append(copy)


def test_the_shipped_data_agrees_with_the_rule(shipped_data):
    check_model_rules()  # raises BrokenRules on a broken row
    partnerships = list(Partnership.objects.all())
    assert {p.status for p in partnerships} == {"active", "ended", "proposed"}
    assert full_clean_many(partnerships) == {}
    assert partner_cities() == 38


def test_a_restored_snapshot_with_a_copied_suspension_is_refused_naming_the_partnership(shipped_data, tmp_path):
    vladivostok = busan("vladivostok").pk
    tampered = exported_changed(tmp_path, copy_as_suspension)
    empty_registry()
    with pytest.raises(CommandError) as refused:
        call_command("import_registry", tampered, stdout=io.StringIO())
    message = str(refused.value)
    assert message.startswith(f"Nothing was restored from {tampered}: 1 row breaks a rule of the registry:\n")
    assert (
        f"\nregistry.Partnership(pk={vladivostok}): status: The status “active” disagrees with the partnership's "
        "stages: the latest suspension, resumption or end is “suspended” on 1 January 2020, so it is suspended."
    ) in message
    assert not Partnership.objects.exists() and not PartnershipStage.objects.exists()


def test_a_restored_snapshot_with_a_suspended_status_and_no_suspension_is_refused(shipped_data, tmp_path):
    def suspend_kaohsiung(rows):
        row = next(r for r in rows if r["model"] == "registry.partnership" and r["fields"]["partner"] == ["kaohsiung"])
        row["fields"]["status"] = "suspended"

    tampered = exported_changed(tmp_path, suspend_kaohsiung)
    empty_registry()
    with pytest.raises(CommandError, match=r"registry\.Partnership\(pk=\d+\): status: The status “suspended” "):
        call_command("import_registry", tampered, stdout=io.StringIO())
    assert not Partnership.objects.exists()


def test_the_rule_reports_its_code_on_status_for_any_writer(shipped_data):
    vladivostok = busan("vladivostok")
    renewal = vladivostok.stages.get(kind="renewed")
    PartnershipStage.objects.create(partnership=vladivostok, kind="suspended", on=D(2020, 1, 1))  # past the rules
    with pytest.raises(ValidationError) as refused:
        vladivostok.full_clean()
    assert [error.code for error in refused.value.error_dict["status"]] == ["status_disagrees_with_stages"]
    assert list(refused.value.error_dict) == ["status"]
    with pytest.raises(ValidationError) as refused:
        services.save_record(instance=vladivostok, data={}, reason="Checked")
    assert "status" in refused.value.error_dict
    with translation.override("ko"):
        assert "교류 관계의 단계와 맞지 않습니다" in refused.value.error_dict["status"][0].messages[0]
    assert renewal.pk  # the shipped stages are untouched


def test_every_action_leaves_the_status_agreeing_with_the_stages(shipped_data):
    reason = {"reason": "Checked", "reason_ko": "확인"}
    services.suspend_partnership(partnership=busan("kaohsiung"), on=D(2020, 3, 1), **reason)
    assert partner_cities(D(2020, 3, 2)) == partner_cities(D(2020, 2, 29)) - 1
    services.resume_partnership(partnership=busan("kaohsiung"), on=D(2021, 3, 1), **reason)
    services.suspend_partnership(partnership=busan("kaohsiung"), on=D(2021, 3, 1), **reason)  # the same day
    services.renew_partnership(partnership=busan("kaohsiung"), on=D(2021, 6, 1), **reason)
    services.end_partnership(partnership=busan("kaohsiung"), on=D(2022, 1, 3), **reason)
    services.suspend_partnership(partnership=busan("shenzhen"), on=D(2019, 5, 1), **reason)
    successor = services.upgrade_partnership(partnership=busan("shenzhen"), on=D(2021, 1, 4), **reason)
    services.sign_partnership(partnership=busan("hokkaido"), on=D(2021, 2, 1), **reason)
    services.renew_partnership(partnership=busan("vladivostok"), on=D(2022, 6, 30), **reason)
    assert (busan("kaohsiung", "sister").status, busan("shenzhen", "friendship").status) == ("ended", "ended")
    assert (successor.status, busan("hokkaido").status) == ("active", "active")
    check_model_rules()
    assert full_clean_many(list(Partnership.objects.all())) == {}


def test_a_correction_reopening_an_ended_relation_still_agrees(shipped_data):
    """An end made by mistake is corrected with a reason (test_life_by_actions): after an end the
    status is not "suspended", whatever the suspension before it."""
    services.suspend_partnership(partnership=busan("kaohsiung"), on=D(2020, 3, 1), reason="Frozen")
    ended = services.end_partnership(partnership=busan("kaohsiung"), on=D(2020, 4, 1), reason="Closed")
    ended.status, ended.ended_on = "active", None
    ended.correction_reason = "Ended by mistake"
    ended.full_clean()


def test_a_suspension_is_not_moved_to_another_partnership(shipped_data):
    """A stage an action recorded stays on its partnership: a suspension moved from one relation
    to another left the first "suspended" without one and the second "active" out of force."""
    stage = services.suspend_partnership(partnership=busan("kaohsiung"), on=D(2020, 3, 1), reason="Frozen").stages.get(
        kind="suspended"
    )
    stage.partnership = busan("los-angeles")
    with pytest.raises(ValidationError) as refused:
        stage.full_clean()
    assert [error.code for error in refused.value.error_dict["partnership"]] == ["stage_use_action"]


def test_a_stage_of_a_restored_deleted_partnership_comes_back_with_it(home):
    """The restore of a deleted partnership saves it before its stages (recorded_by_action): the
    rule does not refuse the steps between."""
    partnership = PartnershipFactory(city=home)
    services.suspend_partnership(partnership=partnership, on=D(2020, 3, 1), reason="Frozen")
    services.resume_partnership(partnership=partnership, on=D(2020, 5, 1), reason="Again")
    services.suspend_partnership(partnership=partnership, on=D(2020, 7, 1), reason="Frozen again")
    pk = partnership.pk
    services.delete_record(instance=Partnership.objects.get(pk=pk))
    restored = services.restore_deleted(model=Partnership, pk=pk)
    assert (restored.status, restored.stages.count()) == ("suspended", 3)
    restored.refresh_from_db()
    restored.full_clean()
