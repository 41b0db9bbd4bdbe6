"""Messages of the libraries the admin shows, in Korean (registry/library_messages.py): found by the
fresh-clone user test, where the history pages spoke English and a view-only list's title had a stray "1"."""

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
