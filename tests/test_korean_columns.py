"""Public free text in English and Korean: roles, venues, units of counts and the reason for a
partnership's status have a Korean column that Korean pages show, with the English one (marked
``lang="en"``) where it is empty."""

import csv
import datetime
import io
from http import HTTPStatus

import pytest
from django.urls import reverse

from registry.models import DelegationMember, EventParticipant, Outcome, Signatory
from registry.text import localized

from .factories import AgreementFactory, CityFactory, DelegationFactory, EventFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def _text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


def test_localized_falls_back_to_the_english_column_named_without_suffix():
    signatory = Signatory(role="Deputy Mayor of Almaty", role_ko="알마티 부시장")
    assert localized(signatory, "role", "ko") == "알마티 부시장"
    assert localized(signatory, "role", "en") == "Deputy Mayor of Almaty"
    signatory.role_ko = ""
    assert localized(signatory, "role", "ko") == "Deputy Mayor of Almaty"
    assert signatory.role_language == "en"


def test_agreement_page_shows_korean_role_and_venue_and_marks_the_english_fallback(client):
    agreement = AgreementFactory(venue="Almaty City Hall", venue_ko="알마티 시청")
    Signatory.objects.create(agreement=agreement, order=1, role="Deputy Mayor of Busan", role_ko="부산 부시장")
    Signatory.objects.create(agreement=agreement, order=2, role="Deputy Mayor of Almaty")

    korean = _text(client, f"/ko/agreements/{agreement.slug}/")
    assert '<span lang="ko">알마티 시청</span>,' in korean
    assert '<span lang="ko">부산 부시장</span>' in korean
    assert '<span lang="en">Deputy Mayor of Almaty</span>' in korean

    english = _text(client, f"/agreements/{agreement.slug}/")
    assert '<span lang="en">Almaty City Hall</span>,' in english
    assert '<span lang="en">Deputy Mayor of Busan</span>' in english
    assert "부산 부시장" not in english


def test_event_page_shows_korean_venue_and_participant_role(client):
    event = EventFactory(venue="Almaty City Hall", venue_ko="")
    EventParticipant.objects.create(event=event, order=1, role="Other officials", role_ko="기타 관계자")

    korean = _text(client, f"/ko/events/{event.slug}/")
    assert '<span lang="en">Almaty City Hall</span>,' in korean
    assert '<span lang="ko">기타 관계자</span>' in korean


def test_delegation_page_shows_korean_member_role_and_unit_of_the_count(client):
    delegation = DelegationFactory()
    DelegationMember.objects.create(delegation=delegation, order=1, role="Busan businesses", role_ko="부산 기업")
    Outcome.objects.create(
        delegation=delegation,
        order=1,
        kind=Outcome.Kind.OTHER,
        description_en="Export consultations.",
        count=65,
        count_unit="local buyers",
        count_unit_ko="현지 바이어",
    )
    Outcome.objects.create(
        delegation=delegation, order=2, kind=Outcome.Kind.OTHER, description_en="Visits.", count=3, count_unit="firms"
    )

    korean = _text(client, f"/ko/delegations/{delegation.slug}/")
    assert '<span lang="ko">부산 기업</span>' in korean
    # Korean puts the count after its unit: 현지 바이어 65 (it read "65 현지 바이어"; new-user probe).
    assert '<span lang="ko">현지 바이어</span> 65' in korean
    assert '<span lang="en">firms</span> 3' in korean
    english = _text(client, f"/delegations/{delegation.slug}/")
    assert '65 <span lang="en">local buyers</span>' in english


def test_api_reads_both_columns_under_stable_names(client):
    agreement = AgreementFactory(venue="Almaty City Hall", venue_ko="알마티 시청")
    Signatory.objects.create(agreement=agreement, order=1, role="Deputy Mayor of Busan", role_ko="부산 부시장")

    body = client.get(f"/api/v1/agreements/{agreement.slug}/").json()
    assert (body["venue"], body["venue_ko"]) == ("Almaty City Hall", "알마티 시청")
    assert body["signatories"][0]["role"] == "Deputy Mayor of Busan"
    assert body["signatories"][0]["role_ko"] == "부산 부시장"


def test_admin_edits_the_korean_columns(staff_client):
    agreement = AgreementFactory()
    event = EventFactory()
    delegation = DelegationFactory()
    pages = {
        reverse("admin:registry_agreement_change", args=[agreement.pk]): ('name="venue_ko"', "-0-role_ko"),
        reverse("admin:registry_event_change", args=[event.pk]): ('name="venue_ko"', "-0-role_ko"),
        reverse("admin:registry_delegation_change", args=[delegation.pk]): ("-0-count_unit_ko", "-0-role_ko"),
    }
    for url, needles in pages.items():
        text = staff_client.get(url).content.decode()
        for needle in needles:
            assert needle in text or needle.replace("-0-", "-__prefix__-") in text, (url, needle)


def test_search_finds_an_event_by_its_korean_venue():
    from registry.models import Event

    event = EventFactory(venue="Almaty City Hall", venue_ko="알마티 시청")
    EventFactory(venue="Busan City Hall")
    assert list(Event.objects.search("알마티 시청")) == [event]


def test_the_reason_for_a_status_is_shown_in_korean_with_the_english_fallback_marked(client, home):
    ended = PartnershipFactory(
        city=home,
        partner=CityFactory(slug="ended", name_en="Ended"),
        status="ended",
        ended_on=datetime.date(2012, 1, 1),
        status_reason="Exchanges stopped",
        status_reason_ko="교류 중단",
    )
    suspended = PartnershipFactory(
        city=home, partner=CityFactory(slug="paused", name_en="Paused"), status="suspended", status_reason="Dispute"
    )
    korean = _text(client, f"/ko/partnerships/{ended.pk}/")
    assert korean.count('<span lang="ko">교류 중단</span>') == 1  # the status (this record has no stages)
    assert "Exchanges stopped" not in korean
    paused = " ".join(_text(client, f"/ko/partnerships/{suspended.pk}/").split())
    assert '중단: <span lang="en">Dispute</span>' in paused
    assert '<span lang="en">Exchanges stopped</span>' in _text(client, f"/partnerships/{ended.pk}/")
    city_page = _text(client, "/ko/cities/home/")
    assert '<span lang="ko">교류 중단</span>' in city_page and '<span lang="en">Dispute</span>' in city_page


def test_an_action_keeps_the_korean_reason_beside_the_english_one(client, editor):
    partnership = PartnershipFactory(established_on=datetime.date(1992, 6, 30))
    client.force_login(editor)
    form = client.post(
        reverse("admin:registry_partnership_changelist"),
        {"action": "end_partnerships", "_selected_action": [partnership.pk]},
    ).content.decode()
    assert '<label for="id_reason_ko">Reason (Korean):</label>' in form
    done = client.post(
        reverse("admin:registry_partnership_changelist"),
        {
            "action": "end_partnerships",
            "_selected_action": [partnership.pk],
            "apply": "1",
            "on": "2022-03-01",
            "precision": "day",
            "reason": "Exchanges stopped",
            "reason_ko": "교류 중단",
        },
    )
    assert done.status_code == HTTPStatus.FOUND
    partnership.refresh_from_db()
    assert (partnership.status_reason, partnership.status_reason_ko) == ("Exchanges stopped", "교류 중단")
    assert [(s.note_en, s.note_ko) for s in partnership.stages.all()] == [("Exchanges stopped", "교류 중단")]
    # The status is the actions' to change; its Korean text stays editable in the form.
    change = client.get(reverse("admin:registry_partnership_change", args=[partnership.pk])).content.decode()
    assert 'name="status_reason_ko"' in change and 'name="status_reason"' not in change


def test_the_api_and_the_csv_carry_the_korean_reason(api_client):
    partnership = PartnershipFactory(status="suspended", status_reason="Dispute", status_reason_ko="분쟁")
    body = api_client.get(f"/api/v1/partnerships/{partnership.pk}/").json()
    assert (body["status_reason"], body["status_reason_ko"]) == ("Dispute", "분쟁")
    rows = list(
        csv.DictReader(io.StringIO(api_client.get("/api/v1/partnerships/?format=csv").getvalue().decode("utf-8-sig")))
    )
    assert [(row["status_reason"], row["status_reason_ko"]) for row in rows] == [("Dispute", "분쟁")]


def test_every_public_text_column_has_its_korean_column():
    """Free text the public reads (not names in their own language, identifiers, codes, sources'
    titles as published or staff notes) has a ``_ko`` column beside it."""
    from django.apps import apps
    from django.db import models

    not_translated = {
        "Source": {"title", "publisher", "language", "notes"},
        "City": {
            *("name_native", "name_native_language", "coordinates_source", "wikidata_id", "notes", "search_text"),
            "subdivision",  # an ISO 3166-2 code
        },
        "CityName": {"name", "notes"},
        "Partnership": {"notes"},
        "PartnershipStage": {"reference"},
        "Claim": {"value"},
        "Organization": {"name_native", "notes"},
        "Person": {"name_native", "notes"},
        "Outcome": {"currency"},
        "Event": {"time_zone"},
        "SentReminder": {"subject"},
        "WikidataProposal": {"partner_qid", "partner_label"},
        "ImportJob": {"model_name", "file_name", "file_format"},  # staff's own uploads, never public
    }
    missing = {}
    for model in apps.get_app_config("registry").get_models():
        if model.__name__.startswith("Historical"):
            continue
        names = {field.name for field in model._meta.concrete_fields}
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField) or field.choices:
                continue
            if isinstance(field, models.SlugField | models.URLField | models.EmailField):
                continue
            base = field.name.removesuffix("_en").removesuffix("_ko")
            if f"{base}_ko" in names or field.name in not_translated.get(model.__name__, ()):
                continue
            missing.setdefault(model.__name__, []).append(field.name)
    assert missing == {}


def test_a_stage_note_without_korean_is_marked_english_on_korean_pages(client, home):
    from registry import services

    partnership = PartnershipFactory(city=home, partner=CityFactory(slug="paused", name_en="Paused"))
    services.suspend_partnership(partnership=partnership, on=datetime.date(2020, 1, 1), reason="Dispute")
    services.renew_partnership(
        partnership=partnership, on=datetime.date(2021, 1, 1), reason="Renewed", reason_ko="갱신"
    )
    korean = _text(client, f"/ko/partnerships/{partnership.pk}/")
    assert '— <span lang="en">Dispute</span>' in korean
    assert '— <span lang="ko">갱신</span>' in korean


def test_the_korean_pages_call_a_partnership_by_one_name():
    """Found by a new user: "Partnerships" was 결연 on the search page and the national roll-up,
    교류 관계 (the model's name) everywhere else."""
    from django.utils import translation

    from registry.models import Partnership

    with translation.override("ko"):
        assert translation.gettext("Partnerships") == str(Partnership._meta.verbose_name_plural) == "교류 관계"
        assert "결연" not in translation.gettext("This partnership has already ended.")


def test_the_message_after_an_import_is_korean_in_the_korean_admin():
    """Found by a new user: "Import finished: 0 new, 3 updated, 0 deleted and 40 skipped 교류 관계."
    (django-import-export's own Korean is fuzzy, so it was never used)."""
    from django.utils import translation

    with translation.override("ko"):
        message = translation.gettext("Import finished: {} new, {} updated, {} deleted and {} skipped {}.")
    assert (
        message.format(0, 3, 0, 40, "교류 관계")
        == "교류 관계 가져오기 완료: 새 기록 0건, 바뀐 기록 3건, 삭제 0건, 건너뜀 40건."
    )


def test_a_korean_partnership_page_joins_the_two_cities_without_a_particle_guess(client):
    """Found by a new user: the map's title and the page's description read "부산와(과) 알마티"."""
    partnership = PartnershipFactory(city__name_ko="부산", partner__name_ko="알마티")
    page = _text(client, f"/ko/partnerships/{partnership.pk}/")
    assert "와(과)" not in page and "부산·알마티" in page


def test_country_names_are_the_ones_korean_readers_use(client, db):
    """django-countries' Korean gave 몽골리아, 타이 and 터키 (beside the English "Türkiye"), and
    "케이맨 섬1" (new-user probe); the project's catalog names them (registry/library_messages.py)."""
    from django.utils import translation
    from django_countries.fields import Country

    from .factories import PartnershipFactory

    with translation.override("ko"):
        names = [Country(code).name for code in ("MN", "TH", "TR", "KY", "KR")]
        assert Country("SC").name == "세이셸"  # Seychelles was 시칠리, Sicily (new-user probe)
        assert Country("RE").name == "레위니옹"
    assert names == ["몽골", "태국", "튀르키예", "케이맨 제도", "대한민국"]
    with translation.override("en"):
        assert Country("TR").name == "Türkiye"
    PartnershipFactory(partner__slug="ulaanbaatar", partner__country="MN")
    assert "몽골" in client.get("/ko/countries/mn/").content.decode()
