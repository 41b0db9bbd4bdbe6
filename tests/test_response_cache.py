"""Whole answers cached for anonymous readers (pages and API lists), keyed by URL, language,
representation and the data generation: a change shows on the very next request."""

from http import HTTPStatus

import pytest
from django.test import Client
from django.utils.http import parse_http_date

from registry import cache as response_cache
from registry import services
from registry.models import City, Publication

from .factories import CityFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def almaty(db):
    return PartnershipFactory(partner__slug="almaty", partner__name_en="Almaty", partner__country="KZ").partner


def test_a_cached_page_costs_no_query_and_changes_on_the_next_request_after_an_edit(
    client, almaty, django_assert_num_queries
):
    assert "Almaty" in client.get("/cities/almaty/").text
    with django_assert_num_queries(0):
        assert "Almaty" in client.get("/cities/almaty/").text  # from the cache
    services.save_record(instance=City.objects.get(slug="almaty"), data={"name_en": "Almaty City"})
    assert "Almaty City" in client.get("/cities/almaty/").text
    assert "Almaty City" in client.get("/cities/").text


def test_a_cached_api_list_changes_on_the_next_request_after_an_edit(api_client, almaty, django_assert_num_queries):
    first = api_client.get("/api/v1/cities/?country=kz")
    with django_assert_num_queries(0):
        again = api_client.get("/api/v1/cities/?country=kz")
    assert again.content == first.content and again["ETag"] == first["ETag"]
    services.save_record(instance=City.objects.get(slug="almaty"), data={"name_en": "Almaty City"})
    changed = api_client.get("/api/v1/cities/?country=kz")
    assert [city["name_en"] for city in changed.json()["results"]] == ["Almaty City"]
    assert changed["ETag"] != first["ETag"]


def test_cached_answers_are_kept_apart_by_language_and_representation(client, api_client, almaty):
    english, korean = client.get("/cities/"), client.get("/ko/cities/")
    assert english.text != korean.text and client.get("/ko/cities/").text == korean.text
    json_answer = api_client.get("/api/v1/cities/", HTTP_ACCEPT="application/json")
    indented = api_client.get("/api/v1/cities/", HTTP_ACCEPT="application/json; indent=2")
    assert json_answer.content != indented.content
    assert api_client.get("/api/v1/cities/", HTTP_ACCEPT="application/json").content == json_answer.content


def test_staff_are_never_served_an_anonymous_answer(staff_client, almaty):
    anonymous = Client()
    PartnershipFactory(partner__slug="draftville", partner__name_en="Draftville", publication=Publication.DRAFT)
    assert "Draftville" not in anonymous.get("/cities/").text
    assert "Draftville" in staff_client.get("/cities/").text  # the same URL, not the cached answer
    assert "Draftville" not in anonymous.get("/cities/").text
    assert anonymous.get("/cities/draftville/").status_code == HTTPStatus.NOT_FOUND


def test_a_cached_api_answer_still_counts_against_the_anonymous_rate(
    api_client, almaty, settings, django_assert_num_queries
):
    settings.REGISTRY_API_ANON_RATE = "3/minute"
    assert api_client.get("/api/v1/cities/").status_code == HTTPStatus.OK
    with django_assert_num_queries(0):  # served from the cache, counted all the same
        statuses = [api_client.get("/api/v1/cities/").status_code for _ in range(2)]
    refused = api_client.get("/api/v1/cities/")
    assert statuses == [HTTPStatus.OK, HTTPStatus.OK]
    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert refused.json()["code"] == "throttled" and int(refused["Retry-After"]) > 0


def test_a_cached_api_answer_answers_a_conditional_request(api_client, almaty, django_assert_num_queries):
    first = api_client.get("/api/v1/cities/almaty/")
    with django_assert_num_queries(0):
        unchanged = api_client.get("/api/v1/cities/almaty/", HTTP_IF_NONE_MATCH=first["ETag"])
        stale = api_client.get("/api/v1/cities/almaty/", HTTP_IF_NONE_MATCH='"v1.g0.json"')
    assert unchanged.status_code == HTTPStatus.NOT_MODIFIED and unchanged["ETag"] == first["ETag"]
    assert stale.status_code == HTTPStatus.OK and stale.content == first.content


def test_the_network_figures_are_cached_whole_and_change_on_the_next_request(
    api_client, home, django_assert_num_queries
):
    PartnershipFactory(city=home, partner__slug="almaty", partner__country="KZ", established_on="2022-09-21")
    url = "/api/v1/network/?as_of=2030-01-01"
    first = api_client.get(url).json()
    with django_assert_num_queries(0):
        assert api_client.get(url).json() == first
    PartnershipFactory(city=home, partner__slug="tashkent", partner__country="UZ", established_on="2023-01-01")
    changed = api_client.get(url).json()
    assert changed["countries"] == first["countries"] + 1


@pytest.fixture
def redis_cache():
    """The production cache (django-redis, as ``REDIS_URL`` configures it) under a key prefix of
    this test's own, so parallel test workers sharing the server never meet.

    The setting is undone here, before the autouse ``_fresh_cache`` fixture's teardown runs
    ``cache.clear()``: on django-redis that is ``FLUSHDB``, which emptied the whole database under
    a test on another worker (its claim and generation vanished mid-test, so all its readers
    rendered the page). This fixture deletes only its own keys."""
    import uuid

    import redis
    from django.test import override_settings

    url = "redis://127.0.0.1:6379/9"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"test-{uuid.uuid4().hex}"
    backend = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url, "KEY_PREFIX": prefix}
    with override_settings(CACHES={"default": backend}):
        yield
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def test_on_redis_a_change_shows_on_the_next_request_and_cached_answers_are_counted(
    redis_cache, client, api_client, almaty, settings, django_assert_num_queries
):
    settings.REGISTRY_API_ANON_RATE = "2/minute"
    assert "Almaty" in client.get("/cities/almaty/").text
    assert api_client.get("/api/v1/cities/almaty/").json()["name_en"] == "Almaty"
    with django_assert_num_queries(0):
        assert "Almaty" in client.get("/cities/almaty/").text
        assert api_client.get("/api/v1/cities/almaty/").json()["name_en"] == "Almaty"
    assert api_client.get("/api/v1/cities/almaty/").status_code == HTTPStatus.TOO_MANY_REQUESTS
    services.save_record(instance=City.objects.get(slug="almaty"), data={"name_en": "Almaty City"})
    assert "Almaty City" in client.get("/cities/almaty/").text
    settings.REGISTRY_API_ANON_RATE = "100/minute"
    assert api_client.get("/api/v1/cities/almaty/").json()["name_en"] == "Almaty City"


def test_the_api_signs_in_only_in_ways_the_response_cache_tells_from_anonymous(settings):
    """``anonymous_read`` knows a signed-in reader by the session user or the ``Authorization``
    header; an API authentication class that signed in some other way would be served the
    anonymous reader's cached answer."""
    from rest_framework.authentication import SessionAuthentication, TokenAuthentication
    from rest_framework.settings import api_settings

    for authentication in api_settings.DEFAULT_AUTHENTICATION_CLASSES:
        assert issubclass(authentication, SessionAuthentication | TokenAuthentication), authentication


@pytest.mark.parametrize("backend", ["locmem", "redis"])
def test_the_anonymous_rate_counts_every_one_of_concurrent_requests(backend, request, settings):
    """One atomic increment per request: of 40 requests at once from one address, exactly the
    rate's 10 get through (a read-then-write count lets two at once through as one)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from registry.api.throttling import AnonReadThrottle

    if backend == "redis":
        request.getfixturevalue("redis_cache")
    settings.REGISTRY_API_ANON_RATE = "10/hour"
    anonymous = RequestFactory().get("/api/v1/cities/", REMOTE_ADDR="203.0.113.9")
    anonymous.user = AnonymousUser()
    with ThreadPoolExecutor(max_workers=8) as pool:
        allowed = list(pool.map(lambda _: AnonReadThrottle().allow_request(anonymous, None), range(40)))
    assert allowed.count(True) == 10
    throttle = AnonReadThrottle()
    assert not throttle.allow_request(anonymous, None) and 0 < throttle.wait() <= 3600


def concurrent_misses(view, requests: int = 8) -> list:
    """``requests`` anonymous requests for one page at once through the response cache's
    middleware in front of ``view``; their answers."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from registry.cache import AnonymousPageCacheMiddleware

    middleware = AnonymousPageCacheMiddleware(view)
    barrier = threading.Barrier(requests)

    def ask(_):
        page = RequestFactory().get("/cities/", HTTP_HOST="testserver")
        page.user, page.LANGUAGE_CODE = AnonymousUser(), "en"
        barrier.wait()
        return middleware(page)

    with ThreadPoolExecutor(max_workers=requests) as pool:
        return list(pool.map(ask, range(requests)))


@pytest.mark.parametrize("backend", ["locmem", "redis"])
def test_concurrent_misses_of_one_page_compute_it_once(backend, request):
    """A cold server (or the first requests after a change) asked for one page by many readers
    at once renders it once; the others are served the stored answer."""
    import threading
    import time

    from django.http import HttpResponse

    from registry.cache import record_change

    if backend == "redis":
        request.getfixturevalue("redis_cache")
    calls, lock = [], threading.Lock()

    def slow_view(page):
        with lock:
            calls.append(page)
        time.sleep(0.3)
        return HttpResponse(f"rendered {len(calls)}")

    answers = concurrent_misses(slow_view)
    assert len(calls) == 1
    assert {answer.content for answer in answers} == {b"rendered 1"}
    record_change()
    assert {answer.content for answer in concurrent_misses(slow_view)} == {b"rendered 2"}  # once per generation
    assert len(calls) == 2


def test_readers_waiting_on_an_answer_that_is_not_cached_compute_their_own():
    """A 404 is not stored: the readers that waited for it render it themselves."""
    from django.http import HttpResponseNotFound

    calls = []
    answers = concurrent_misses(lambda page: calls.append(page) or HttpResponseNotFound("missing"), requests=4)
    assert [answer.status_code for answer in answers] == [HTTPStatus.NOT_FOUND] * 4
    assert len(calls) == 4


def test_a_claim_left_by_a_dead_request_delays_readers_at_most_the_wait(settings, monkeypatch):
    """A claim whose holder never stored the answer (a worker killed mid-render) expires; until
    then a reader waits at most ``FILL_WAIT`` seconds and renders the page itself."""
    from django.core.cache import cache
    from django.http import HttpResponse
    from django.test import RequestFactory

    from registry import cache as response_cache

    monkeypatch.setattr(response_cache, "FILL_WAIT", 0.1)
    page = RequestFactory().get("/cities/", HTTP_HOST="testserver")
    page.LANGUAGE_CODE = "en"
    generation = response_cache.generation(response_cache.PUBLIC_GENERATION_KEY)
    key = f"{response_cache.PAGE_PREFIX}:{response_cache.request_digest(page)}"
    cache.add(f"{key}:filling:{generation}", 1, 30)
    answers = concurrent_misses(lambda page: HttpResponse("rendered anyway"), requests=2)
    assert {answer.content for answer in answers} == {b"rendered anyway"}


def test_a_lost_generation_never_makes_an_older_cached_answer_current_again(client, almaty):
    """The cache may lose the generation (evicted, flushed): it starts again above every number
    it had, so answers cached at an older one stay stale after later changes."""
    from django.core.cache import cache

    from registry import cache as response_cache

    assert "Almaty" in client.get("/cities/almaty/").text  # cached at the current generation
    before = response_cache.generation(response_cache.PUBLIC_GENERATION_KEY)
    cache.delete(response_cache.PUBLIC_GENERATION_KEY)
    assert response_cache.generation(response_cache.PUBLIC_GENERATION_KEY) > before
    cache.delete(response_cache.PUBLIC_GENERATION_KEY)
    for name in ("Almaty City", "Almaty Town", "Almaty"):  # changes after the loss, back to the cached text
        services.save_record(instance=City.objects.get(slug="almaty"), data={"name_en": name})
        assert response_cache.generation(response_cache.PUBLIC_GENERATION_KEY) > before
    services.save_record(instance=City.objects.get(slug="almaty"), data={"population": 2_000_123})
    assert "2,000,123" in client.get("/cities/almaty/").text


@pytest.mark.django_db(transaction=True)
def test_a_change_inside_a_transaction_moves_the_generation_again_when_it_commits(almaty):
    """A reader between the change and the commit sees the old rows and may cache them at the
    raised generation: the commit raises it once more (a real commit, not a captured callback)."""
    from django.db import transaction

    from registry import cache as response_cache

    with transaction.atomic():
        services.save_record(instance=City.objects.get(slug="almaty"), data={"name_en": "Almaty City"})
        during = response_cache.generation(response_cache.PUBLIC_GENERATION_KEY)
    assert response_cache.generation(response_cache.PUBLIC_GENERATION_KEY) > during


@pytest.mark.django_db(transaction=True)
def test_a_transaction_moves_each_generation_once_at_its_commit_however_many_rows_it_writes():
    """Each saved row (and its history row) raises the generations at once, but the commit
    raises each only once more: one callback per generation, not one per row."""
    from django.db import transaction

    from registry import cache as response_cache

    def callbacks():
        return [callback for _, callback, _ in transaction.get_connection().run_on_commit]

    with transaction.atomic():
        before = response_cache.generation()
        for n in range(5):
            CityFactory(slug=f"batch-{n}")
        assert response_cache.generation() >= before + 5
        assert callbacks().count(response_cache.bump_generation_after_commit) == 1
        assert callbacks().count(response_cache.bump_public_generation_after_commit) == 1
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():  # a savepoint rolled back drops its callback
            CityFactory(slug="undone")
            raise RuntimeError
        assert callbacks() == []
        CityFactory(slug="kept")
        assert callbacks().count(response_cache.bump_generation_after_commit) == 1
        during = response_cache.generation()
    assert response_cache.generation() > during


def test_one_change_moves_the_generations_once_for_many_rows():
    """Rows written within ``one_change`` (a restore's ``loaddata``) move the generations once,
    at the end, whatever their number; nothing moves for a block that wrote nothing."""
    from registry import cache as response_cache

    before = response_cache.generation(), response_cache.generation(response_cache.PUBLIC_GENERATION_KEY)
    with response_cache.one_change():
        with response_cache.one_change():  # nested: only the outer end counts
            for n in range(5):
                CityFactory(slug=f"quiet-{n}")
        assert (response_cache.generation(), response_cache.generation(response_cache.PUBLIC_GENERATION_KEY)) == before
    after = response_cache.generation(), response_cache.generation(response_cache.PUBLIC_GENERATION_KEY)
    assert after[0] > before[0] and after[1] > before[1]
    with response_cache.one_change():
        pass
    assert (response_cache.generation(), response_cache.generation(response_cache.PUBLIC_GENERATION_KEY)) == after


def test_cached_answers_are_kept_apart_by_scheme_and_by_day(client, home, almaty, monkeypatch):
    """Absolute links follow the scheme; "today" (the default date of the figures, what is in
    force) follows the day, so an answer cached yesterday is not served today."""
    import datetime

    from django.utils import timezone

    plain = client.get("/api/v1/cities/?page_size=1")
    secure = client.get("/api/v1/cities/?page_size=1", secure=True)
    assert plain.json()["next"].startswith("http://") and secure.json()["next"].startswith("https://")
    today = client.get("/api/v1/network/").json()["as_of"]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert today != tomorrow.isoformat()
    assert client.get("/api/v1/network/").json()["as_of"] == tomorrow.isoformat()


def test_a_record_downloaded_as_a_file_is_not_cached_and_counts_against_the_export_rate(client, almaty, settings):
    settings.REGISTRY_EXPORT_ANON_RATE = "2/minute"
    statuses = [client.get("/api/v1/cities/almaty/?format=csv").status_code for _ in range(3)]
    assert statuses == [HTTPStatus.OK, HTTPStatus.OK, HTTPStatus.TOO_MANY_REQUESTS]


def test_a_shared_links_analytics_parameters_are_one_cached_answer(client, almaty, django_assert_num_queries):
    """Found by the adversarial probe: each ``utm_*`` value was a render and a cache entry of its
    own. No page reads them or writes them into a link, so they are left out of the key; the other
    parameters still make answers of their own."""
    first = client.get("/cities/?utm_source=newsletter&utm_campaign=2026-12")
    with django_assert_num_queries(0):
        again = client.get("/cities/?utm_source=portal&fbclid=abc")
        plain = client.get("/cities/")
    assert again.content == first.content == plain.content
    assert "Almaty" in client.get("/cities/?country=KZ&utm_source=portal").text
    assert "Almaty" not in client.get("/cities/?country=JP&utm_source=portal").text


def test_an_answer_cached_by_one_release_is_never_served_by_the_next(client, almaty, settings):
    """A deploy that changes a template or a translation changes no data, so the data generation
    stays; the release in the key (``REGISTRY_RELEASE``, else a hash of the code) makes the new
    code answer. Each release keeps its own entries, and export ``ETag``s follow it too."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.REGISTRY_RELEASE = "r1"
    client.get("/cities/almaty/")
    export_etag = client.get("/api/v1/cities/?format=csv")["ETag"]
    with CaptureQueriesContext(connection) as old_release:
        client.get("/cities/almaty/")
    settings.REGISTRY_RELEASE = "r2"
    with CaptureQueriesContext(connection) as new_release:
        assert "Almaty" in client.get("/cities/almaty/").text
    assert len(old_release) == 0 and len(new_release) > 0
    assert client.get("/api/v1/cities/?format=csv")["ETag"] != export_etag


def test_a_deploy_moves_last_modified_so_if_modified_since_alone_gets_the_new_answer(
    api_client, almaty, settings, clock, monkeypatch
):
    """A client that revalidates with ``If-Modified-Since`` alone (no ``If-None-Match``) got a 304
    for the last release's answer after a deploy, since no data changed: ``Last-Modified`` now
    counts from when the process took the new release (:func:`registry.cache.release_since`)."""
    from django.utils import timezone

    settings.REGISTRY_RELEASE = "r1"
    clock.tick()
    first = api_client.get("/api/v1/cities/almaty/")
    assert api_client.get("/api/v1/cities/almaty/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    clock.tick(5)
    settings.REGISTRY_RELEASE, deployed_at = "r2", timezone.now()  # a new process starts with r2
    monkeypatch.setattr(response_cache, "_release_taken_at", [deployed_at.timestamp()])
    after = api_client.get("/api/v1/cities/almaty/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert after.status_code == HTTPStatus.OK
    clock.tick()
    later = api_client.get("/api/v1/cities/almaty/")
    assert parse_http_date(later["Last-Modified"]) == int(deployed_at.timestamp())
    again = api_client.get("/api/v1/cities/almaty/", HTTP_IF_MODIFIED_SINCE=later["Last-Modified"])
    assert again.status_code == HTTPStatus.NOT_MODIFIED  # the same release, seen once
    clock.tick(5)  # a rollback: r1 again, in a new process; its time of a first deploy went back (helper-90)
    settings.REGISTRY_RELEASE, rolled_back_at = "r1", timezone.now()
    monkeypatch.setattr(response_cache, "_release_taken_at", [rolled_back_at.timestamp()])
    back = api_client.get("/api/v1/cities/almaty/", HTTP_IF_MODIFIED_SINCE=later["Last-Modified"])
    assert back.status_code == HTTPStatus.OK


def test_last_modified_is_sent_only_once_its_second_is_over(api_client, almaty, clock):
    """An HTTP date counts whole seconds: an answer read in the second of a change, then a second
    change in that same second, carried one ``Last-Modified``, and ``If-Modified-Since`` alone got
    a 304 for the first answer (adversarial probe). ``Last-Modified`` is now sent only from the
    next second on; the ``ETag`` always."""
    url = "/api/v1/cities/almaty/"
    clock.stop()  # early in a second, for the two changes and the read between them
    services.save_record(instance=City.objects.get(slug="almaty"), data={"population": 1})
    at_once = api_client.get(url)
    assert at_once["ETag"] and "Last-Modified" not in at_once
    services.save_record(instance=City.objects.get(slug="almaty"), data={"population": 2})
    clock.tick()
    later = api_client.get(url)
    assert later.json()["population"] == 2 and "Last-Modified" in later
    services.save_record(instance=City.objects.get(slug="almaty"), data={"population": 3})
    assert api_client.get(url, HTTP_IF_MODIFIED_SINCE=later["Last-Modified"]).status_code == HTTPStatus.OK
    download = api_client.get("/api/v1/cities/?format=csv")  # a streamed download: the same rule
    assert download.status_code == HTTPStatus.OK and download.streaming and "Last-Modified" not in download
    clock.tick()
    assert "Last-Modified" in api_client.get("/api/v1/cities/?format=csv")


def test_the_release_is_a_hash_of_the_code_computed_once_and_again_after_a_file_changes(tmp_path, settings):
    """Without ``REGISTRY_RELEASE``: a hash of the files of :data:`RELEASE_SOURCES` less compiled
    Python, computed once per process; the development server's ``file_changed`` (a template it
    reloads without a restart) makes it computed again."""
    from django.utils.autoreload import file_changed

    settings.REGISTRY_RELEASE, settings.BASE_DIR = "", tmp_path
    template, compiled = tmp_path / "templates" / "page.html", tmp_path / "registry" / "__pycache__" / "m.pyc"
    for path in (template, compiled, tmp_path / "requirements.txt"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("one")
    response_cache.forget_release()
    try:
        first = response_cache.release()
        template.write_text("two")
        assert response_cache.release() == first  # once per process
        file_changed.send(sender=None, file_path=template)
        second = response_cache.release()
        assert second != first
        compiled.write_text("two")
        (tmp_path / "elsewhere.txt").write_text("not a source")
        response_cache.forget_release()
        assert response_cache.release() == second
        (tmp_path / "requirements.txt").write_text("django==5.2.9")
        response_cache.forget_release()
        assert response_cache.release() != second
    finally:
        response_cache.forget_release()
