"""Edges of the admin: the libraries' messages in Korean (registry/library_messages.py; found by the fresh-clone
user test, where the history pages spoke English and a view-only list's title had a stray "1"), and filter values
no date can hold (found by the adversarial probe)."""

from django.db import connection
from django.utils import translation

from .factories import PartnershipFactory


def test_the_history_page_speaks_korean(staff_client):
    partnership = PartnershipFactory()
    partnership._change_reason = "Correction"
    partnership.save()
    page = staff_client.get(
        f"/admin/registry/partnership/{partnership.pk}/history/", HTTP_ACCEPT_LANGUAGE="ko"
    ).content.decode()
    assert "변경 이력" in page
    assert "Change history" not in page
    assert "Changed" not in page and "Created" not in page


def test_a_view_only_list_title_has_no_stray_digit():
    with translation.override("ko"):
        assert translation.gettext("Select %s to view") % "위키데이터 제안" == "볼 위키데이터 제안 선택"
        assert translation.gettext("Created") == "생성"


def test_a_duplicate_or_an_unknown_slug_reads_as_korean_without_a_particle_that_fits_no_word(db):
    """helper-84: Django's Korean said "도시의 슬러그은/는 이미 존재합니다." and ours
    "슬러그이(가) … 도시이(가) 없습니다.": both now put no particle after a field or model name, and
    the reference to no record none after the value given, whatever sound it ends in (it read
    "슬러그 값이 “nowhere”인 …"; helper-98): "슬러그 값 “nowhere”에 해당하는 도시 기록이 없습니다."."""
    import tablib
    from django.core.exceptions import ValidationError

    from registry.models import City
    from registry.resources import PartnershipResource

    from .factories import CityFactory

    CityFactory(slug="busan")
    with translation.override("ko"):
        try:
            City(slug="busan", name_en="Again", country="KR").validate_unique()
        except ValidationError as error:
            unique = error.message_dict["slug"]
        headers = ["city", "partner", "kind", "established_on", "established_precision", "status", "confidence"]
        rows = tablib.Dataset(["busan", "nowhere", "sister", "2000", "year", "active", "high"], headers=headers)
        [row] = PartnershipResource().import_data(rows, dry_run=True, raise_errors=False).invalid_rows
    assert unique == ["같은 슬러그 값을 가진 도시 기록이 이미 있습니다."]
    missing = ["슬러그 값 “nowhere”에 해당하는 도시 기록이 없습니다."]
    assert [str(m) for m in row.field_specific_errors["partner"]] == missing


def test_a_year_no_date_can_hold_is_an_invalid_filter_not_a_server_error(staff_client):
    """Found by the adversarial probe: ``?published_on__year=`` beyond a machine integer was a 500."""
    for url in (
        "/admin/registry/source/?published_on__year=99999999999999999999",
        "/admin/registry/partnership/?established_on__year=99999999999999999999",
        # year 0: a ValueError where the field is no date hierarchy (a 500, adversarial probe)
        "/admin/registry/wikidataproposal/?established_on__year=0",
        "/admin/registry/officeassignment/?created_at__year=0",
        "/admin/registry/partnership/?created_at__year=99999",
    ):
        response = staff_client.get(url)
        assert response.status_code == 302
        assert response["Location"].endswith("?e=1")
    # An id past 64 bits: an invalid lookup on SQLite (OverflowError, a 500 before), no row on PostgreSQL.
    for url in (
        "/admin/registry/wikidataproposal/?partner=99999999999999999999",
        "/admin/registry/officeassignment/?user=99999999999999999999",
    ):
        response = staff_client.get(url)
        assert response.status_code == (302 if connection.vendor == "sqlite" else 200), url
    # A month no date has matches nothing (the lookup compares numbers on both databases).
    assert staff_client.get("/admin/registry/event/?start_on__month=99999999999999999999").status_code == 200


def test_the_korean_admin_lists_countries_in_korean_order(staff_client):
    """Found by a new user: the country menus ran 아프가니스탄, 알바니아, 알제리 (the English order):
    django-countries orders names with pyuca, and without it dropped every letter that is not ASCII."""
    import re

    page = staff_client.get("/admin/registry/city/add/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    menu = re.search(r'<select name="country".*?</select>', page, re.S).group(0)
    names = [name for name in re.findall(r'<option value="[A-Z]{2}"[^>]*>([^<]+)</option>', menu)]
    assert names[:3] == ["가나", "가봉", "가이아나"]
    assert names == sorted(names)  # Hangul syllables sort by code point in 가나다 order


def test_the_admins_message_after_a_save_reads_as_korean(client, superuser):
    """helper-87: Django's Korean put "가" after any record's name ("협정 "…협정"가 성공적으로
    추가되었습니다.")."""
    from .factories import CityFactory

    city = CityFactory(slug="shymkent", name_en="Shymkent", name_ko="심켄트")
    client.force_login(superuser)
    response = client.post(
        f"/admin/registry/city/{city.pk}/delete/", {"post": "yes"}, HTTP_ACCEPT_LANGUAGE="ko", follow=True
    )
    shown = [str(message) for message in response.context["messages"]]
    assert shown == [f"도시 “{city}”: 삭제했습니다."], shown
    with translation.override("ko"):
        added = translation.gettext("The {name} “{obj}” was added successfully.").format(name="협정", obj="A")
        changed = translation.gettext("The {name} “{obj}” was changed successfully.").format(name="협정", obj="A")
    assert (added, changed) == ("협정 “A”: 추가했습니다.", "협정 “A”: 변경했습니다.")


def test_deleting_in_the_admin_reads_as_korean(client, superuser):
    """helper-106: Django's Korean put "을/를" after any name ("선택된 도시 을/를 삭제합니다.", "1개의
    도시 을/를 성공적으로 삭제하였습니다.") or a particle that fits no name ending in a vowel
    ("별칭를"), and wrote "개체" into a record's name in the admin's log."""
    from .factories import CityFactory

    city = CityFactory(slug="zedville", name_en="Zedville", name_ko="제드빌")
    client.force_login(superuser)
    korean = {"HTTP_ACCEPT_LANGUAGE": "ko"}
    changelist = client.get("/admin/registry/city/", **korean).content.decode()
    assert "선택한 도시 삭제" in changelist and "을/를" not in changelist
    chosen = {"action": "delete_selected", "_selected_action": [city.pk]}
    confirmation = client.post("/admin/registry/city/", chosen, **korean).content.decode()
    assert "선택한 도시: 정말 삭제할까요?" in confirmation and "을/를" not in confirmation
    assert "<h1>여러 기록 삭제</h1>" in confirmation and "오브젝트" not in confirmation
    done = client.post("/admin/registry/city/", {**chosen, "post": "yes"}, follow=True, **korean)
    assert [str(message) for message in done.context["messages"]] == ["도시 1건: 삭제했습니다."]
    with translation.override("ko"):
        added = translation.gettext("Added {name} “{object}”.").format(name="별칭", object="부산")
    assert added == "별칭 “부산”: 추가했습니다."


def test_a_protected_citys_delete_page_names_the_delegation_of_each_stop(client, superuser):
    """helper-106: the delete page of a city that two delegations stop in listed "Itinerary stop:
    1. Almaty" twice, without saying whose stops they were."""
    from registry.models import ItineraryStop

    from .factories import CityFactory, DelegationFactory

    city = CityFactory(slug="stopville", name_en="Stopville", name_ko="스톱빌")
    for name in ("Spring Visit", "Autumn Visit"):
        ItineraryStop.objects.create(delegation=DelegationFactory(name_en=name), order=1, city=city)
    client.force_login(superuser)
    page = client.get(f"/admin/registry/city/{city.pk}/delete/").content.decode()
    assert "Spring Visit, stop 1: Stopville" in page and "Autumn Visit, stop 1: Stopville" in page
    korean = client.get(f"/admin/registry/city/{city.pk}/delete/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "Spring Visit, 1번째 경유지: 스톱빌" in korean
