"""Wikidata: files the tests make (no network) read as proposals, accepted row by row with a
source; QuickStatements out and back in (issue 15)."""

import datetime
import io
import json
from http import HTTPStatus

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from registry import services, wikidata
from registry.models import Partnership, Source, WikidataProposal

from .factories import CityFactory, PartnershipFactory

pytestmark = pytest.mark.django_db
D = datetime.date
RETRIEVED = D(2026, 11, 30)
Kind = WikidataProposal.Kind


def time(value, precision=11):
    return {"datavalue": {"value": {"time": value, "precision": precision}, "type": "time"}}


def twin(qid, start=None, end=None):
    statement = {"mainsnak": {"datavalue": {"value": {"id": qid}}}, "rank": "normal", "qualifiers": {}}
    if start:
        statement["qualifiers"]["P580"] = [time(*start)]
    if end:
        statement["qualifiers"]["P582"] = [time(*end)]
    return statement


def entity_data(*statements, qid="Q100", revision=123456):
    return json.dumps(
        {
            "entities": {
                qid: {
                    "id": qid,
                    "lastrevid": revision,
                    "labels": {"en": {"language": "en", "value": "Home"}},
                    "claims": {"P190": list(statements)},
                }
            }
        }
    )


@pytest.fixture
def registry(home):
    home.wikidata_id = "Q100"
    home.save()
    cities = {
        "new": CityFactory(slug="new", name_en="Newtown", wikidata_id="Q200", country="FR"),
        "different": CityFactory(slug="different", name_en="Diffville", wikidata_id="Q300", country="US"),
        "missing": CityFactory(slug="missing", name_en="Missing", wikidata_id="Q400", country="DE"),
        "same": CityFactory(slug="same", name_en="Sameburg", wikidata_id="Q500", country="DE"),
    }
    PartnershipFactory(city=home, partner=cities["different"], established_on=D(1990, 5, 1))
    PartnershipFactory(city=home, partner=cities["missing"], established_on=D(1995, 1, 1))
    PartnershipFactory(
        city=cities["same"], partner=home, established_on=D(1966, 1, 1), established_precision="year"
    )  # stated on the other side: still the same relation
    return cities


@pytest.fixture
def three_proposals(registry):
    content = entity_data(
        twin("Q200", start=("+2001-06-15T00:00:00Z", 11)),
        twin("Q300", start=("+1991-00-00T00:00:00Z", 9)),
        twin("Q500", start=("+1966-06-30T00:00:00Z", 11)),  # the same at the registry's year precision
    )
    return wikidata.import_file(content, retrieved_on=RETRIEVED)


def kinds(proposals):
    return sorted((p.kind, p.partner.slug if p.partner else p.partner_qid) for p in proposals)


def test_one_new_one_different_one_missing_give_three_proposals(three_proposals):
    assert kinds(three_proposals) == [("different", "different"), ("new", "new"), ("only_here", "missing")]
    assert WikidataProposal.objects.count() == 3
    new = WikidataProposal.objects.get(kind=Kind.NEW)
    assert (new.established_on, new.established_precision) == (D(2001, 6, 15), "day")
    assert new.source_url == "https://www.wikidata.org/w/index.php?title=Q100&oldid=123456"
    different = WikidataProposal.objects.get(kind=Kind.DIFFERENT)
    assert (different.established_on, different.established_precision) == (D(1991, 1, 1), "year")


def test_a_partner_not_in_the_registry_is_only_there(registry):
    proposals = wikidata.import_file(entity_data(twin("Q999")), retrieved_on=RETRIEVED)
    assert ("only_there", "Q999") in kinds(proposals)
    with pytest.raises(ValidationError) as error:
        services.accept_wikidata_proposal(proposal=WikidataProposal.objects.get(kind=Kind.ONLY_THERE), user=None)
    assert "partner" in error.value.message_dict


def test_accepting_a_new_relation_writes_it_citing_wikidata(three_proposals, home, registry):
    proposal = WikidataProposal.objects.get(kind=Kind.NEW)
    partnership = services.accept_wikidata_proposal(proposal=proposal, user=None, kind="friendship")
    partnership.refresh_from_db()
    assert (partnership.city, partnership.partner, partnership.established_on) == (
        home,
        registry["new"],
        D(2001, 6, 15),
    )
    # P190 does not say which kind: the manager's choice; a draft of low confidence for review.
    assert (partnership.kind, partnership.publication, partnership.confidence) == ("friendship", "draft", "low")
    (source,) = partnership.sources.all()
    assert source.url == "https://www.wikidata.org/w/index.php?title=Q100&oldid=123456"
    assert "retrieved 2026-11-30" in source.title
    proposal.refresh_from_db()
    assert (proposal.status, proposal.partnership) == ("accepted", partnership)
    with pytest.raises(ValidationError):
        services.accept_wikidata_proposal(proposal=proposal, user=None, kind="friendship")


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        ("https://www.wikidata.org/w/index.php?title=Q100&oldid=123456", "wikidata-q100-r123456-20261130"),
        # A reference (S854) may give any URL: its last segment made a slug no record may have, and
        # the proposal could not be accepted (adversarial probe).
        ("https://example.org/Twin%20Cities.html", "wikidata-reference-example-org-20261130"),
        # As long as a proposal's URL may be: the title it made was over a source's 500 characters.
        ("https://example.org/" + "a" * 470, "wikidata-reference-example-org-20261130"),
    ],
)
def test_the_wikidata_source_s_slug_is_made_by_the_slug_s_rule(three_proposals, home, registry, url, slug):
    proposal = WikidataProposal.objects.get(kind=Kind.NEW)
    proposal.source_url = url
    proposal.save()
    partnership = services.accept_wikidata_proposal(proposal=proposal, user=None, kind="friendship")
    (source,) = partnership.sources.all()
    assert (source.slug, source.url) == (slug, url)
    assert len(source.title) <= Source._meta.get_field("title").max_length
    assert ("Cities.html" in source.title) == ("Cities" in url) and "%20" not in source.title


def test_a_new_relation_is_not_accepted_without_a_kind(three_proposals, registry):
    proposal = WikidataProposal.objects.get(kind=Kind.NEW)
    with pytest.raises(ValidationError) as refused:
        services.accept_wikidata_proposal(proposal=proposal, user=None)
    assert refused.value.error_dict["kind"][0].code == "wikidata_kind_required"
    assert not Partnership.objects.filter(partner=registry["new"]).exists()
    proposal.refresh_from_db()
    assert proposal.status == "open"


def test_a_new_relation_wikidata_ends_is_ended_through_the_end_action(registry, home):
    content = entity_data(twin("Q200", start=("+2001-06-15T00:00:00Z", 11), end=("+2010-00-00T00:00:00Z", 9)))
    (proposal,) = [p for p in wikidata.import_file(content, retrieved_on=RETRIEVED) if p.kind == Kind.NEW]
    partnership = services.accept_wikidata_proposal(proposal=proposal, user=None, kind="sister")
    partnership.refresh_from_db()
    assert (partnership.status, partnership.ended_on, partnership.ended_precision) == ("ended", D(2010, 1, 1), "year")
    (stage,) = partnership.stages.all()
    assert (stage.kind, stage.on, stage.precision) == ("ended", D(2010, 1, 1), "year")
    assert [s.publisher for s in stage.sources.all()] == ["Wikidata"]


def test_accepting_a_difference_keeps_the_registrys_dates_and_adds_claims(three_proposals, registry):
    partnership = Partnership.objects.get(partner=registry["different"])
    before = partnership.history.count()
    proposal = WikidataProposal.objects.get(kind=Kind.DIFFERENT)
    services.accept_wikidata_proposal(proposal=proposal, user=None)
    partnership.refresh_from_db()
    assert (partnership.established_on, partnership.established_precision) == (D(1990, 5, 1), "day")
    assert list(partnership.sources.all()) == []  # the partnership's own sources are untouched too
    assert partnership.history.count() == before
    claims = [(c.value, c.preferred, [s.publisher for s in c.sources.all()]) for c in partnership.claims.all()]
    assert claims == [("1990-05-01", True, []), ("1991-01-01", False, ["Wikidata"])]
    wikidatas = partnership.claims.get(value="1991-01-01")
    assert (wikidatas.note_en, wikidatas.note_ko) == ("Known to the year only: 1991.", "연도만 알려져 있음: 1991년.")


def test_an_accepted_difference_shows_sources_differ_on_the_page_and_in_the_api(
    three_proposals, registry, client, api_client
):
    proposal = WikidataProposal.objects.get(kind=Kind.DIFFERENT)
    services.accept_wikidata_proposal(proposal=proposal, user=None)
    partnership = proposal.partnership
    page = client.get(partnership.get_absolute_url()).content.decode()
    assert "Sources differ:" in page
    assert '<time datetime="1990-05-01">1 May 1990</time>' in page
    assert '<time datetime="1991-01-01">' in page and "Known to the year only: 1991." in page
    claims = api_client.get(f"/api/v1/partnerships/{partnership.pk}/").json()["claims"]
    assert [(c["fact"], c["value"], c["preferred"]) for c in claims] == [
        ("established_on", "1990-05-01", True),
        ("established_on", "1991-01-01", False),
    ]
    assert claims[1]["sources"][0]["url"] == proposal.source_url


def test_taking_a_difference_as_a_correction_changes_the_date_with_the_reason_in_the_history(three_proposals, registry):
    proposal = WikidataProposal.objects.get(kind=Kind.DIFFERENT)
    services.accept_wikidata_proposal(proposal=proposal, user=None)
    services.correct_from_wikidata(proposal=proposal, user=None, reason="The council minutes say 1991")
    partnership = Partnership.objects.get(partner=registry["different"])
    assert (partnership.established_on, partnership.established_precision) == (D(1991, 1, 1), "year")
    reason = partnership.history.first().history_change_reason
    assert reason == f"The council minutes say 1991 (Wikidata: {proposal.source_url}, retrieved 2026-11-30)"
    assert [s.publisher for s in partnership.sources.all()] == ["Wikidata"]
    assert list(partnership.claims.values_list("value", "preferred")) == [("1991-01-01", True), ("1990-05-01", False)]
    assert not partnership.stages.exists()  # a correction, not a stage of the relation's life
    proposal.refresh_from_db()
    assert proposal.status == "corrected"
    with pytest.raises(ValidationError) as again:
        services.correct_from_wikidata(proposal=proposal, user=None, reason="again")
    assert "status" in again.value.message_dict


def test_a_correction_needs_a_reason_and_a_difference(three_proposals, registry):
    proposal = WikidataProposal.objects.get(kind=Kind.DIFFERENT)
    with pytest.raises(ValidationError) as refused:
        services.correct_from_wikidata(proposal=proposal, user=None, reason="  ")
    assert "reason" in refused.value.message_dict
    new = WikidataProposal.objects.get(kind=Kind.NEW)
    with pytest.raises(ValidationError) as refused:
        services.correct_from_wikidata(proposal=new, user=None, reason="Wikidata is right")
    assert "kind" in refused.value.message_dict
    partnership = Partnership.objects.get(partner=registry["different"])
    assert partnership.established_on == D(1990, 5, 1)
    assert not partnership.claims.exists()  # nothing half-written


def test_a_wikidata_end_is_taken_only_through_the_end_action(registry, home):
    content = entity_data(twin("Q300", start=("+1990-05-01T00:00:00Z", 11), end=("+2015-03-00T00:00:00Z", 10)))
    (proposal,) = [p for p in wikidata.import_file(content, retrieved_on=RETRIEVED) if p.kind == Kind.DIFFERENT]
    services.accept_wikidata_proposal(proposal=proposal, user=None)
    partnership = Partnership.objects.get(partner=registry["different"])
    assert (partnership.status, partnership.ended_on) == ("active", None)  # accepting ends nothing
    services.correct_from_wikidata(proposal=proposal, user=None, reason="Ended by the 2015 council", reason_ko="종료")
    partnership.refresh_from_db()
    assert (partnership.status, partnership.ended_on, partnership.ended_precision) == ("ended", D(2015, 3, 1), "month")
    assert partnership.status_reason == "Ended by the 2015 council"
    (stage,) = partnership.stages.all()
    assert (stage.kind, stage.on, stage.note_en, stage.note_ko) == (
        "ended",
        D(2015, 3, 1),
        "Ended by the 2015 council",
        "종료",
    )
    assert [s.url for s in stage.sources.all()] == [proposal.source_url]


def test_sparql_results_are_read_too(registry):
    content = json.dumps(
        {
            "head": {"vars": ["city", "twin", "twinLabel", "twinCountry", "start", "startPrecision"]},
            "results": {
                "bindings": [
                    {
                        "city": {"type": "uri", "value": "http://www.wikidata.org/entity/Q100"},
                        "twin": {"type": "uri", "value": "http://www.wikidata.org/entity/Q777"},
                        "twinLabel": {"type": "literal", "value": "Newtown"},  # matched by name and country
                        "twinCountry": {"type": "literal", "value": "fr"},
                        "start": {"type": "literal", "value": "2001-06-15T00:00:00Z"},
                        "startPrecision": {"type": "literal", "value": "10"},
                    }
                ]
            },
        }
    )
    proposals = wikidata.import_file(content, retrieved_on=RETRIEVED)
    new = next(p for p in proposals if p.kind == Kind.NEW)
    assert (new.partner.slug, new.established_on, new.established_precision) == ("new", D(2001, 6, 1), "month")


def test_quickstatements_carry_times_at_their_precision_and_a_reference(registry, home):
    registry["missing"].partnerships_as_partner.update(status="ended", ended_on=D(2020, 3, 1), ended_precision="month")
    text, skipped = wikidata.quickstatements(home, base_url="https://registry.example/", retrieved_on=RETRIEVED)
    assert skipped == []
    assert text.splitlines() == [
        "Q100\tP190\tQ500\tP580\t+1966-00-00T00:00:00Z/9"
        '\tS854\t"https://registry.example/cities/same/"\tS813\t+2026-11-30T00:00:00Z/11',
        "Q100\tP190\tQ300\tP580\t+1990-05-01T00:00:00Z/11"
        '\tS854\t"https://registry.example/cities/different/"\tS813\t+2026-11-30T00:00:00Z/11',
        "Q100\tP190\tQ400\tP580\t+1995-01-01T00:00:00Z/11\tP582\t+2020-03-00T00:00:00Z/10"
        '\tS854\t"https://registry.example/cities/missing/"\tS813\t+2026-11-30T00:00:00Z/11',
    ]


def test_quickstatements_reimport_as_the_same_with_nothing_new(registry, home):
    CityFactory(slug="no-qid")  # a partner without a Wikidata ID is left out of the export
    PartnershipFactory(city=home, partner=CityFactory(slug="unlinked", country="IT"))
    text, skipped = wikidata.quickstatements(home, base_url="https://registry.example", retrieved_on=RETRIEVED)
    assert [p.partner.slug for p in skipped] == ["unlinked"]
    proposals = wikidata.import_file(text, retrieved_on=RETRIEVED)
    assert kinds(proposals) == [("only_here", "unlinked")]  # nothing new, nothing different


def test_command_imports_and_exports(tmp_path, registry, home):
    path = tmp_path / "Q100.json"
    path.write_text(entity_data(twin("Q200", start=("+2001-06-15T00:00:00Z", 11))), encoding="utf-8")
    out = io.StringIO()
    call_command("wikidata", "import", str(path), "--retrieved", "2026-11-30", stdout=out)
    assert "new: in Wikidata, not in the registry: 1" in out.getvalue()
    out = io.StringIO()
    call_command("wikidata", "export", "--base-url", "https://r.example", stdout=out, stderr=io.StringIO())
    assert out.getvalue().count("\tP190\t") == 3
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="Not valid JSON"):
        call_command("wikidata", "import", str(path), "--retrieved", "2026-11-30")


def test_admin_manager_accepts_row_by_row(client, superuser, three_proposals, registry):
    client.force_login(superuser)
    url = reverse("admin:registry_wikidataproposal_changelist")
    page = client.get(url)
    assert page.status_code == HTTPStatus.OK
    new = WikidataProposal.objects.get(kind=Kind.NEW)
    page = client.post(url, {"action": "accept", ACTION_CHECKBOX_NAME: [new.pk]})
    assert page.status_code == HTTPStatus.OK  # P190 names no kind: the manager is asked for one
    assert "does not say which" in page.content.decode()
    assert not Partnership.objects.filter(partner=registry["new"]).exists()
    response = client.post(url, {"action": "accept", ACTION_CHECKBOX_NAME: [new.pk], "apply": "1", "kind": "sister"})
    assert response.status_code == HTTPStatus.FOUND
    assert Partnership.objects.get(partner=registry["new"]).kind == "sister"
    assert list(WikidataProposal.objects.filter(status="accepted").values_list("kind", flat=True)) == ["new"]


def test_admin_editor_cannot_accept(client, editor, three_proposals, registry):
    from django.contrib.auth.models import Permission

    editor.user_permissions.add(Permission.objects.get(codename="view_wikidataproposal"))
    client.force_login(editor)
    new = WikidataProposal.objects.get(kind=Kind.NEW)
    url = reverse("admin:registry_wikidataproposal_changelist")
    client.post(url, {"action": "accept", ACTION_CHECKBOX_NAME: [new.pk], "apply": "1", "kind": "sister"})
    assert not Partnership.objects.filter(partner=registry["new"]).exists()


def test_shipped_cities_carry_the_sourced_wikidata_ids(shipped_data, client, api_client):
    page = client.get("/cities/busan/").content.decode()
    assert 'href="https://www.wikidata.org/wiki/Q16520"' in page
    assert api_client.get("/api/v1/cities/busan/").json()["wikidata_id"] == "Q16520"
    # Sources in conflict (Bishkek: Q9361 vs Q816163) leave the city without an ID.
    assert api_client.get("/api/v1/cities/bishkek/").json()["wikidata_id"] == ""


def test_a_registry_manager_accepts_in_the_admin(client, three_proposals, registry):
    from django.contrib.auth.models import Group

    from .factories import UserFactory

    manager = UserFactory(username="group-manager", is_staff=True)
    manager.groups.add(Group.objects.get(name="Registry managers"))
    client.force_login(manager)
    url = reverse("admin:registry_wikidataproposal_changelist")
    assert client.get(url).status_code == HTTPStatus.OK
    new = WikidataProposal.objects.get(kind=Kind.NEW)
    client.post(url, {"action": "accept", ACTION_CHECKBOX_NAME: [new.pk], "apply": "1", "kind": "friendship"})
    assert Partnership.objects.filter(partner=registry["new"]).exists()


# --------------------------------------------------------------------------- upload in the admin


def registry_manager():
    from django.contrib.auth.models import Group

    from .factories import UserFactory

    user = UserFactory(username="upload-manager", is_staff=True)
    user.groups.add(Group.objects.get(name="Registry managers"))
    return user


def upload(client, content: bytes, name="Q100.json", retrieved="2026-11-30"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("admin:registry_wikidataproposal_upload")
    return client.post(url, {"file": SimpleUploadedFile(name, content), "retrieved_on": retrieved})


def test_a_manager_uploads_a_file_sees_the_proposals_and_accepts_one_row(client, registry, home):
    client.force_login(registry_manager())
    changelist = reverse("admin:registry_wikidataproposal_changelist")
    assert 'href="/admin/registry/wikidataproposal/upload/"' in client.get(changelist).content.decode()
    assert client.get(reverse("admin:registry_wikidataproposal_upload")).status_code == HTTPStatus.OK
    content = entity_data(
        twin("Q200", start=("+2001-06-15T00:00:00Z", 11)),
        twin("Q300", start=("+1991-00-00T00:00:00Z", 9)),
        twin("Q500", start=("+1966-06-30T00:00:00Z", 11)),
    ).encode()
    response = upload(client, content)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"{changelist}?status__exact=open"
    assert kinds(WikidataProposal.objects.all()) == [
        ("different", "different"),
        ("new", "new"),
        ("only_here", "missing"),
    ]  # the same three proposals as the command gives (test_one_new_one_different_one_missing_…)
    assert set(WikidataProposal.objects.values_list("retrieved_on", flat=True)) == {RETRIEVED}
    page = client.get(response["Location"]).content.decode()
    assert "Q100.json: 3 proposals" in page
    assert "Newtown" in page and "Diffville" in page
    new = WikidataProposal.objects.get(kind=Kind.NEW)
    client.post(changelist, {"action": "accept", ACTION_CHECKBOX_NAME: [new.pk], "apply": "1", "kind": "sister"})
    created = Partnership.objects.get(partner=registry["new"])
    assert [s.url for s in created.sources.all()] == [new.source_url]
    assert WikidataProposal.objects.filter(status="open").count() == 2  # the others wait their turn


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b'{"entities": ', "broken.json", "broken.json: Not valid JSON"),
        (b'{"rows": []}', "other.json", "other.json: JSON with neither"),
        ("Q100\tP190\tQ200".encode("utf-16"), "utf16.txt", "utf16.txt: not UTF-8 text."),
    ],
)
def test_a_bad_file_is_a_form_error_naming_the_file_and_the_rule(client, registry, content, name, message):
    client.force_login(registry_manager())
    response = upload(client, content, name=name)
    assert response.status_code == HTTPStatus.OK
    assert message in response.content.decode()
    assert not WikidataProposal.objects.exists()


def test_a_retrieval_date_after_today_is_refused(client, registry):
    import datetime

    from django.utils import timezone

    client.force_login(registry_manager())
    tomorrow = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    response = upload(client, entity_data(twin("Q200")).encode(), retrieved=tomorrow)
    assert response.status_code == HTTPStatus.OK
    assert "This date is in the future" in response.content.decode()
    assert not WikidataProposal.objects.exists()


def test_a_file_over_the_limit_is_refused_before_it_is_read(client, registry, monkeypatch):
    monkeypatch.setattr(wikidata, "MAX_FILE_BYTES", 100)
    client.force_login(registry_manager())
    response = upload(client, entity_data(*[twin(f"Q{n}") for n in range(200, 220)]).encode(), name="big.json")
    assert response.status_code == HTTPStatus.OK
    assert "big.json: 1.9\xa0KB is larger than the limit of 100\xa0bytes." in response.content.decode()  # 1,976 bytes
    assert not WikidataProposal.objects.exists()


def test_an_editor_cannot_upload(client, editor, registry):
    client.force_login(editor)
    assert client.get(reverse("admin:registry_wikidataproposal_upload")).status_code == HTTPStatus.FORBIDDEN
    assert upload(client, entity_data(twin("Q200")).encode()).status_code == HTTPStatus.FORBIDDEN
    assert not WikidataProposal.objects.exists()


@pytest.mark.parametrize(
    "content",
    [
        '{"entities": {"Q1": "x"}}',
        '{"entities": {"Q1": {"claims": {"P190": "abc"}}}}',
        '{"results": {"bindings": ["x"]}}',
        '{"results": {"bindings": 5}}',
        "Q16520\tP190\tQ35493\tP580\t+2022-09-14T00:00:00Z/x",
        '{"entities": ' + "[" * 100_000 + "]" * 100_000 + "}",
        # Found by the adversarial probe: values longer than a proposal stores, a NUL (a server
        # error on PostgreSQL, stored over-long on SQLite), a date outside the registry's range.
        "Q16520\tP190\tQ" + "1" * 40,
        'Q16520\tP190\tQ35493\tS854\t"https://example.org/' + "a" * 600 + '"',
        json.dumps(
            {
                "entities": {
                    "Q1": {"labels": {"en": {"value": "Home"}}, "claims": {"P190": [twin("Q2")]}},
                    "Q2": {"labels": {"en": {"value": "x" * 400}}},
                }
            }
        ),  # fmt: skip
        "Q16520\tP190\tQ35493\tP580\t+0001-01-01T00:00:00Z/11",
        json.dumps(
            {
                "entities": {
                    "Q1": {"labels": {"en": {"value": "Home"}}, "claims": {"P190": [twin("Q2")]}},
                    "Q2": {"labels": {"en": {"value": "Nul\x00Name"}}},
                }
            }
        ),  # fmt: skip
    ],
)
def test_a_file_of_another_shape_is_a_clear_error_never_a_crash(content):
    """Well-formed JSON or lines of an unexpected shape are refused by the one parser (command and
    admin upload alike) with WikidataFileError, not an AttributeError/TypeError/RecursionError."""
    with pytest.raises(wikidata.WikidataFileError):
        wikidata.read_relations(content)


def test_an_office_cannot_accept_a_proposal_about_another_citys_partnership(three_proposals, office):
    proposal = WikidataProposal.objects.get(kind=Kind.DIFFERENT)
    with pytest.raises(ValidationError) as refused:
        services.accept_wikidata_proposal(proposal=proposal, user=office)
    assert "the office of Office Home" in " ".join(refused.value.messages)
    proposal.refresh_from_db()
    assert proposal.status != "accepted"


def test_an_office_cannot_take_another_citys_difference_as_a_correction(three_proposals, office, registry):
    proposal = WikidataProposal.objects.get(kind=Kind.DIFFERENT)
    with pytest.raises(ValidationError) as refused:
        services.correct_from_wikidata(proposal=proposal, user=office, reason="Wikidata is right")
    assert "the office of Office Home" in " ".join(refused.value.messages)
    assert Partnership.objects.get(partner=registry["different"]).established_on == D(1990, 5, 1)


def test_an_office_limited_manager_can_neither_accept_nor_correct_in_the_admin(client, three_proposals, registry):
    from registry.models import OfficeAssignment

    manager = registry_manager()
    OfficeAssignment.objects.create(user=manager, city=CityFactory(slug="elsewhere", name_en="Elsewhere"))
    client.force_login(manager)
    url = reverse("admin:registry_wikidataproposal_changelist")
    different = WikidataProposal.objects.get(kind=Kind.DIFFERENT)
    response = client.post(url, {"action": "accept", ACTION_CHECKBOX_NAME: [different.pk]}, follow=True)
    assert "Not accepted" in response.content.decode() and "the office of Elsewhere" in response.content.decode()
    corrected = {"action": "take_as_correction", ACTION_CHECKBOX_NAME: [different.pk], "apply": "1", "reason": "x"}
    response = client.post(url, corrected, follow=True)
    assert "the office of Elsewhere" in response.content.decode()
    partnership = Partnership.objects.get(partner=registry["different"])
    assert (partnership.established_on, partnership.claims.exists()) == (D(1990, 5, 1), False)
    assert WikidataProposal.objects.get(pk=different.pk).status == "open"


def test_a_manager_accepts_a_difference_then_takes_it_as_a_correction_in_the_admin(client, three_proposals, registry):
    client.force_login(registry_manager())
    url = reverse("admin:registry_wikidataproposal_changelist")
    different = WikidataProposal.objects.get(kind=Kind.DIFFERENT)
    client.post(url, {"action": "accept", ACTION_CHECKBOX_NAME: [different.pk]})  # no kind asked: nothing new
    partnership = Partnership.objects.get(partner=registry["different"])
    assert (partnership.established_on, partnership.claims.count()) == (D(1990, 5, 1), 2)
    page = client.post(url, {"action": "take_as_correction", ACTION_CHECKBOX_NAME: [different.pk]})
    assert page.status_code == HTTPStatus.OK and 'name="reason"' in page.content.decode()
    response = client.post(
        url,
        {"action": "take_as_correction", ACTION_CHECKBOX_NAME: [different.pk], "apply": "1", "reason": "Minutes"},
    )
    assert response.status_code == HTTPStatus.FOUND
    partnership.refresh_from_db()
    assert partnership.established_on == D(1991, 1, 1)
    assert partnership.history.first().history_change_reason.startswith("Minutes (Wikidata: ")


def test_a_file_refused_is_refused_in_the_readers_language():
    """Found by a new user: the Korean admin's upload said "wd_bad.qs: Line 3 is not a QuickStatements
    P190 statement" in English."""
    from django.utils import translation

    from registry.wikidata import WikidataFileError, read_relations

    with translation.override("ko"), pytest.raises(WikidataFileError) as refused:
        read_relations("Q1\tP190\tQ2\nnot a statement\n")
    assert str(refused.value) == "2번째 줄은 QuickStatements P190 문이 아닙니다: 'not a statement'."
