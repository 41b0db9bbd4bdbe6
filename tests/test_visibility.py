"""Who sees what: one rule per model (``visible_to``), on every public surface.

A draft-only city, person, organization and source (referenced by nothing but drafts) must be
absent from every public page, API list and detail, filter choice, export, feed, sitemap, search
and count, and visible to staff holding the view permission. Staff notes are never public.
"""

import csv
import datetime
import io
import json
from http import HTTPStatus

import pytest

from registry.models import (
    Agreement,
    City,
    Organization,
    Partnership,
    Person,
    Publication,
    Signatory,
    Source,
    referenced_by_public,
)
from registry.models.compiled import CompiledOnce

from .conftest import token_client
from .factories import (
    AgreementFactory,
    CityFactory,
    OrganizationFactory,
    PartnershipFactory,
    PersonFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

DRAFT_NAMES = ("Draftville", "Drafty Signer", "Draft Bureau", "A draft-only source")


@pytest.fixture
def network(home):
    """A published partner (Almaty) and, only through drafts, a prospective partner (Draftville, in
    Iceland, where no other city is), its signatory, a party and a source."""
    almaty = CityFactory(slug="almaty", name_en="Almaty", country="KZ")
    PartnershipFactory(city=home, partner=almaty, established_on=datetime.date(2022, 9, 14))
    draftville = CityFactory(slug="draftville", name_en="Draftville", country="IS", latitude="64.1", longitude="-21.9")
    partnership = PartnershipFactory(
        city=home,
        partner=draftville,
        established_on=datetime.date(2021, 1, 1),
        publication=Publication.DRAFT,
        notes="Research note: DATE CONFLICT between two sources.",
    )
    source = Source.objects.create(slug="draft-only-source", title="A draft-only source", url="https://example.org/d")
    partnership.sources.add(source)
    person = PersonFactory(slug="drafty-signer", name_en="Drafty Signer")
    organization = OrganizationFactory(slug="draft-bureau", name_en="Draft Bureau", country="IS")
    agreement = AgreementFactory(
        slug="draft-agreement",
        title_en="Draft agreement",
        partnership=partnership,
        place=draftville,
        publication=Publication.DRAFT,
    )
    agreement.parties.add(organization)
    Signatory.objects.create(agreement=agreement, person=person, organization=organization, order=1)
    return {"draftville": draftville, "partnership": partnership, "person": person, "organization": organization}


def text_of(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode("utf-8-sig")  # CSV starts with a byte-order mark


def test_the_draft_only_records_are_public_for_nobody_but_exist(network):
    for model, slug in ((City, "draftville"), (Person, "drafty-signer"), (Organization, "draft-bureau")):
        assert model.objects.filter(slug=slug).exists()
        assert not model.objects.public().filter(slug=slug).exists()
    assert not Source.objects.public().filter(slug="draft-only-source").exists()
    assert City.objects.public().filter(slug="almaty").exists()


PUBLIC_PAGES = [
    "/",
    "/cities/",
    "/cities/?q=draftville",
    "/cities/?format=csv",
    "/countries/",
    "/countries/?format=csv",
    "/agreements/",
    "/agreements/?format=csv",
    "/events/calendar.ics",
    "/sitemap.xml",
    "/sitemap-cities.xml",
    "/sitemap-countries.xml",
    "/sitemap-partnerships.xml",
    "/sitemap-agreements.xml",
    "/sitemap-events.xml",
    "/ko/cities/",
]
API_LISTS = [
    "/api/v1/cities/",
    "/api/v1/cities/?q=draftville",
    "/api/v1/cities/?format=csv",
    "/api/v1/cities/?format=geojson",
    "/api/v1/partnerships/",
    "/api/v1/partnerships/?format=geojson",
    "/api/v1/agreements/",
    "/api/v1/people/",
    "/api/v1/people/?format=csv",
    "/api/v1/organizations/",
    "/api/v1/sources/",
    "/api/v1/sources/?format=csv",
    "/api/v1/network/?as_of=2022-12-31",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES + API_LISTS)
def test_no_public_surface_names_a_draft_only_record(network, client, path):
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK
    body = text_of(response)
    for name in DRAFT_NAMES:
        assert name not in body
    assert "/cities/draftville/" not in body
    assert "DATE CONFLICT" not in body  # staff notes are never public


DETAILS = [
    "/cities/draftville/",
    "/countries/is/",
    "/agreements/draft-agreement/",
    "/api/v1/cities/draftville/",
    "/api/v1/people/drafty-signer/",
    "/api/v1/organizations/draft-bureau/",
    "/api/v1/sources/draft-only-source/",
    "/api/v1/agreements/draft-agreement/",
]


@pytest.mark.parametrize("path", DETAILS)
def test_draft_only_details_are_not_found_for_the_public_and_found_for_staff(network, client, viewer, path):
    assert client.get(path).status_code == HTTPStatus.NOT_FOUND
    client.force_login(viewer)
    assert client.get(path).status_code == HTTPStatus.OK


def test_staff_without_the_view_permission_see_what_the_public_sees(network, client):
    from .factories import UserFactory

    client.force_login(UserFactory(is_staff=True))
    assert client.get("/api/v1/cities/draftville/").status_code == HTTPStatus.NOT_FOUND


def test_the_network_counts_only_what_the_public_sees_even_for_staff(network, viewer):
    client = token_client(viewer)
    data = client.get("/api/v1/network/?as_of=2022-12-31").json()
    assert (data["partner_cities"], data["countries"]) == (1, 1)


def test_the_country_menu_offers_no_country_known_only_from_drafts(network, client):
    body = client.get("/cities/").content.decode()
    assert 'value="kz"' in body
    assert 'value="is"' not in body


def test_staff_see_the_draft_only_records_in_lists_and_exports(network, viewer):
    client = token_client(viewer)
    slugs = [row["slug"] for row in client.get("/api/v1/cities/?page_size=200").json()["results"]]
    assert "draftville" in slugs
    people = client.get("/api/v1/people/?format=csv").getvalue().decode()
    assert "Drafty Signer" in people


def test_staff_notes_are_read_by_staff_only(network, client, viewer):
    path = f"/api/v1/partnerships/{network['partnership'].pk}/"
    almaty_path = f"/api/v1/partnerships/{Partnership.objects.get(partner__slug='almaty').pk}/"
    public = client.get(almaty_path).json()
    assert "notes" not in public
    assert public["remarks_en"] == ""
    staff = token_client(viewer).get(path).json()
    assert staff["notes"] == "Research note: DATE CONFLICT between two sources."


def test_a_published_record_hides_its_reference_to_a_draft(network, client):
    """A published agreement that belongs to a draft partnership shows no partnership."""
    agreement = Agreement.objects.get(slug="draft-agreement")
    Agreement.objects.filter(pk=agreement.pk).update(publication=Publication.PUBLISHED)
    data = client.get("/api/v1/agreements/draft-agreement/").json()
    assert data["partnership"] is None
    page = client.get("/agreements/draft-agreement/").content.decode()
    assert "Draftville" in page  # the place of signing is public now: a published agreement names it
    assert f"/partnerships/{network['partnership'].pk}/" not in page


def test_the_geojson_of_cities_is_what_the_reader_may_see(network, client):
    features = json.loads(client.get("/api/v1/cities/?format=geojson").getvalue())["features"]
    assert [feature["properties"]["slug"] for feature in features] == ["almaty", "home"]


def test_page_csv_of_cities_is_what_the_reader_may_see(network, client):
    rows = list(csv.DictReader(io.StringIO(text_of(client.get("/cities/?format=csv&show=all")))))
    assert sorted(row["slug"] for row in rows) == ["almaty", "home"]


def test_a_city_page_shows_its_public_remarks_and_never_its_staff_notes(network, client):
    City.objects.filter(slug="almaty").update(
        remarks_en="Sister-city office opened in 2023.", remarks_ko="2023년 자매도시 사무소 개설.", notes="Unverified."
    )
    page = client.get("/cities/almaty/").content.decode()
    assert "Sister-city office opened in 2023." in page
    assert "Unverified." not in page
    assert "2023년 자매도시 사무소 개설." in client.get("/ko/cities/almaty/").content.decode()


def test_a_filter_by_a_draft_partnership_reveals_nothing(network, client, viewer):
    Agreement.objects.filter(slug="draft-agreement").update(publication=Publication.PUBLISHED)
    draft_id = network["partnership"].pk
    assert client.get(f"/api/v1/agreements/?partnership={draft_id}").json()["count"] == 0
    assert client.get(f"/agreements/?partnership={draft_id}").context["paginator"].count == 0
    assert token_client(viewer).get(f"/api/v1/agreements/?partnership={draft_id}").json()["count"] == 1


def test_a_source_follows_a_changed_home_city_though_public_conditions_are_built_once(settings):
    """``referenced_by_public`` builds each condition once per process; the source's holds the
    city's, which names the home city, so changing the setting must rebuild it."""
    assert referenced_by_public(("City", "sources")) is referenced_by_public(("City", "sources"))
    source = SourceFactory(slug="lonely-source")
    CityFactory(slug="lonely").sources.add(source)
    assert not Source.objects.public().filter(slug="lonely-source").exists()
    settings.REGISTRY_HOME_CITY = "lonely"
    assert Source.objects.public().filter(slug="lonely-source").exists()
    settings.REGISTRY_HOME_CITY = "elsewhere"
    assert not Source.objects.public().filter(slug="lonely-source").exists()


def plain(model):
    """The rows of ``model`` that its public condition selects when Django resolves and compiles
    it in full (the ``Q`` that :class:`~registry.models.compiled.CompiledOnce` builds), as pks."""
    nodes, compiled_once = [model.objects.public().query.where], []
    while nodes:
        node = nodes.pop()
        nodes.extend(getattr(node, "children", []))
        nodes.extend(part for part in (getattr(node, "lhs", None),) if part is not None)
        if isinstance(node, CompiledOnce):
            compiled_once.append(node)
    assert compiled_once, f"{model.__name__}'s public condition is not compiled once"
    return set(model.objects.filter(compiled_once[0].build()).values_list("pk", flat=True))


@pytest.mark.parametrize("model", [City, Source, Organization, Person])
def test_a_public_condition_compiled_once_selects_what_django_compiles_at_the_top_and_nested(network, model):
    """The conditions of ``referenced_by_public`` are compiled once per database at the top of a
    query and reused; inside a subquery (renamed tables) they are compiled there. Either way the
    rows are those of the condition compiled by Django: the draft-only record is out, on the top
    of a query, counted, in a subquery of another query and with a second, different query of
    the same model reusing the compiled SQL."""
    referenced = plain(model)
    draft_only = model.objects.get(slug__in=["draftville", "draft-only-source", "drafty-signer", "draft-bureau"])
    assert draft_only.pk not in referenced
    for _ in range(2):  # compiled, then reused
        top = set(model.objects.public().values_list("pk", flat=True))
        assert top == referenced  # the home city (public by the setting) is a published partner too
        assert model.objects.public().count() == len(top)
        assert set(model.objects.public().order_by("-pk").values_list("pk", flat=True)[:50]) == top
        nested = model.objects.filter(pk__in=model.objects.public().values("pk"))
        assert set(nested.values_list("pk", flat=True)) == top
    if model is City:
        partners = Partnership.objects.filter(partner__in=City.objects.public()).values_list("partner__slug", flat=True)
        assert set(partners) == {"almaty"}


def test_a_public_condition_is_compiled_once_at_the_top_of_queries(network, monkeypatch):
    """The second query that filters on a public condition at its top compiles none of its
    subqueries: compiling the 27 of a source's took 12.6 of the 23 ms of a list of sources
    (issue 12). Inside a subquery, where Django renames the tables, it is compiled there."""
    from django.db.models import Exists

    Source.objects.public().count()  # compiled here (and the city's, nested in it)
    compiled = []
    original = Exists.as_sql
    monkeypatch.setattr(
        Exists, "as_sql", lambda self, *args, **kwargs: compiled.append(self) or original(self, *args, **kwargs)
    )
    assert Source.objects.public().filter(title__icontains="source").count() == 0
    assert list(Source.objects.public().order_by("slug").values_list("slug", flat=True)) == []
    assert compiled == []
    assert not City.objects.filter(sources__in=Source.objects.public()).exists()  # nested: compiled where it is
    assert compiled


def _nested_public_queries():
    """Queries with a public condition inside a subquery, where Django renames its tables: two
    in one query (each under names of its own), one in a subquery of a subquery, a source's
    (27 subqueries) under another model, and the visible countries' ``EXISTS`` per country."""
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import Exists, OuterRef

    reader = AnonymousUser()
    shown = Exists(City.objects.visible_to(reader).filter(country=OuterRef("country")))
    return {
        "in a subquery": City.objects.filter(pk__in=City.objects.public().values("pk")),
        "two in one query": Partnership.objects.with_visibility(reader, "city", "partner"),
        "a subquery of a subquery": Partnership.objects.filter(
            partner__in=City.objects.filter(pk__in=City.objects.public().values("pk"))
        ),
        "a source's under a city": City.objects.filter(sources__in=Source.objects.public()),
        "an exists per country": City.objects.order_by().annotate(shown=shown).values_list("country", "shown"),
        "a city's under a source's": Source.objects.filter(city_records__in=City.objects.public()).filter(
            pk__in=Source.objects.public().values("pk")
        ),
    }


def test_a_public_condition_in_a_subquery_is_compiled_once_per_naming_to_djangos_own_sql():
    """Inside a subquery a public condition's SQL depends on the names Django gave its tables
    (``U0``, ``V0``, …): it is reused only for a condition resolved under the same names
    (:func:`registry.models.compiled.aliases_of`), so every query compiles, warm, to exactly the
    SQL Django compiles for it afresh, whatever was compiled before it. A query naming two
    under different names gets each its own."""
    from django.db import connection

    from registry.models import compiled

    def sql(queryset):
        text, params = queryset.query.get_compiler(connection=connection).as_sql()
        return text, tuple(params)

    fresh = {}
    for name, queryset in _nested_public_queries().items():
        compiled.forget()
        fresh[name] = sql(queryset)
    compiled.forget()
    for _ in range(2):  # compiled, then reused, each after all the others
        for name, queryset in _nested_public_queries().items():
            assert sql(queryset) == fresh[name], name
    assert sum(len(slot) > 3 for slot in compiled._compiled) >= 6  # nested ones kept, each naming its own
