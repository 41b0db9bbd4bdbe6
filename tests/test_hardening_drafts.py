"""No public answer reveals a draft (issue 13): the anonymous validators (``ETag``,
``Last-Modified``) and cached answers follow the public generation, which a draft created,
edited or deleted as a draft does not move; publishing (or unpublishing) moves it. Staff
answers keep the full generation. See ``registry.cache``."""

import pytest

from .conftest import token_client
from .factories import EventFactory

pytestmark = pytest.mark.django_db


def validators(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response["ETag"], response["Last-Modified"]


def test_a_draft_moves_no_anonymous_validator_until_it_is_published(api_client, superuser, settings, clock):
    public = EventFactory(slug="public-event")
    staff = token_client(superuser)
    clock.tick()  # Last-Modified is sent from the second after the change it names
    detail = f"/api/v1/events/{public.slug}/"
    anonymous = [validators(api_client, url) for url in ("/api/v1/events/", detail)]
    staff_etag = staff.get(detail)["ETag"]

    draft = EventFactory(slug="secret-event", publication="draft", city=public.city)  # a new city is public
    response = staff.patch("/api/v1/events/secret-event/", {"title_en": "Still secret"}, format="json")
    assert response.status_code == 200, response.content
    assert [validators(api_client, url) for url in ("/api/v1/events/", detail)] == anonymous
    assert staff.get(detail)["ETag"] != staff_etag  # staff see drafts: their generation moved

    response = staff.patch(f"/api/v1/events/{draft.slug}/", {"publication": "published"}, format="json")
    assert response.status_code == 200, response.content
    clock.tick()
    list_etag, _ = validators(api_client, "/api/v1/events/")
    assert list_etag != anonymous[0][0] and "secret-event" in api_client.get("/api/v1/events/").content.decode()
    assert validators(api_client, detail)[0] != anonymous[1][0]


def test_unpublishing_is_visible_on_the_next_anonymous_request(api_client, superuser):
    EventFactory(slug="going-away")
    assert "going-away" in api_client.get("/api/v1/events/").content.decode()
    response = token_client(superuser).patch("/api/v1/events/going-away/", {"publication": "draft"}, format="json")
    assert response.status_code == 200, response.content
    assert "going-away" not in api_client.get("/api/v1/events/").content.decode()


def test_deleting_a_draft_moves_no_anonymous_validator(api_client, superuser, clock):
    public = EventFactory(slug="public-event")
    EventFactory(slug="secret-event", publication="draft", city=public.city)
    clock.tick()
    before = validators(api_client, "/api/v1/events/public-event/")
    assert token_client(superuser).delete("/api/v1/events/secret-event/").status_code == 204
    assert validators(api_client, "/api/v1/events/public-event/") == before


def test_deleting_drafts_together_moves_no_anonymous_validator_and_a_public_one_does(api_client, clock):
    """Records deleted together (the admin's “Delete selected”: :func:`registry.services.delete_records`)
    move the generations once, the public one only if one of them was public: the participants
    deleted with draft events are not (they moved it, helper-105)."""
    from registry import services
    from registry.models import Event, EventParticipant

    public = EventFactory(slug="public-event")
    for n in range(3):
        secret = EventFactory(slug=f"secret-{n}", publication="draft", city=public.city)
        # A row of its own without a publication, deleted with it: its signal alone would say "public".
        EventParticipant.objects.create(event=secret, role="Mayor", order=1)
    clock.tick()
    before = validators(api_client, "/api/v1/events/public-event/")
    services.delete_records(queryset=Event.objects.filter(slug__startswith="secret-"))
    assert not Event.objects.filter(slug__startswith="secret-").exists()
    assert validators(api_client, "/api/v1/events/public-event/") == before
    EventFactory(slug="kept-draft", publication="draft", city=public.city)
    EventFactory(slug="seen-once", city=public.city)
    clock.tick()
    before = validators(api_client, "/api/v1/events/")
    services.delete_records(queryset=Event.objects.filter(slug__in=["kept-draft", "seen-once"]))
    clock.tick()
    assert validators(api_client, "/api/v1/events/")[0] != before[0]


def test_deleting_a_draft_with_rows_of_its_own_moves_no_anonymous_validator(api_client, superuser, clock):
    """A draft event deleted with its participants (rows without a publication of their own,
    deleted with it) moves no anonymous validator (helper-105: it did, by the API, the admin's
    delete and Delete selected)."""
    from registry.models import EventParticipant

    public = EventFactory(slug="public-event")
    secret = EventFactory(slug="secret-event", publication="draft", city=public.city)
    EventParticipant.objects.create(event=secret, role="Mayor", order=1)
    clock.tick()
    before = [validators(api_client, url) for url in ("/api/v1/events/", "/api/v1/events/public-event/")]
    assert token_client(superuser).delete("/api/v1/events/secret-event/").status_code == 204
    assert not EventParticipant.objects.filter(role="Mayor").exists()
    assert [validators(api_client, url) for url in ("/api/v1/events/", "/api/v1/events/public-event/")] == before
