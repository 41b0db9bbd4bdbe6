"""What changed when: the data *generation* and the last-changed time, and caching keyed by them.

:func:`record_change` is the one receiver of every registry save, delete and many-to-many
change (connected in :meth:`registry.apps.RegistryConfig.ready`). It raises the
*generation* that cached aggregates (the network summary) are keyed by, and the time of the
last change that gives ``Last-Modified``; so a change is visible on the next request on every
app server sharing the cache (Redis where ``REDIS_URL`` is set). Bulk writes that bypass
signals (``QuerySet.update``, ``bulk_create``) call :func:`record_change` themselves.

Anonymous readers see published rows only, so their validators (``ETag``, ``Last-Modified``)
and cached answers follow a *public* generation and time (:func:`generation_for`,
:func:`changed_at_for`), which a change moves only when the row was published before or after
it (:func:`publicly_visible_change`): a draft created, edited or deleted as a draft reveals
nothing to them. Staff answers follow the full generation.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe

from .filter_parameters import untracked

T = TypeVar("T")
GENERATION_KEY = "registry:generation"
CHANGED_AT_KEY = "registry:changed-at"
PUBLIC_GENERATION_KEY = "registry:public-generation"
PUBLIC_CHANGED_AT_KEY = "registry:public-changed-at"
PUBLISHED = "published"  # registry.models.base.Publication.PUBLISHED (not imported: models import this module)
LOADED_PUBLICATION = "_publication_loaded"  # the instance attribute remember_publication sets
TIMEOUT = 60 * 60  # seconds; a change invalidates sooner


def first_generation() -> int:
    """The value a missing generation starts at: the time in nanoseconds since the epoch, so a
    generation the cache lost (evicted, flushed, a new cache server) never goes back to a number
    it had before, which would make the answers cached at that number current again. A change
    adds 1, so later values stay ahead of any earlier start unless a second sees 10⁹ changes."""
    return time.time_ns()


def generation(key: str = GENERATION_KEY) -> int:
    """The current generation (an integer that only grows: see :func:`first_generation`);
    ``key`` :data:`PUBLIC_GENERATION_KEY` for the public one."""
    value = cache.get(key)
    if value is None:
        start = first_generation()
        cache.add(key, start, timeout=None)
        value = cache.get(key, start)
    return value


def generation_key_for(request) -> str:
    """The cache key of the generation ``request``'s answer depends on: the public one for an
    anonymous read (:func:`anonymous_read`), else the full one."""
    return PUBLIC_GENERATION_KEY if anonymous_read(request) else GENERATION_KEY


def generation_for(request) -> int:
    """The generation ``request``'s answer depends on (:func:`generation_key_for`)."""
    return generation(generation_key_for(request))


def changed_at_for(request) -> datetime.datetime:
    """:func:`changed_at` of what ``request``'s reader sees: the public time for an anonymous read."""
    return changed_at(PUBLIC_CHANGED_AT_KEY if anonymous_read(request) else CHANGED_AT_KEY)


def modified_at_for(request) -> datetime.datetime:
    """``Last-Modified`` of an answer to ``request``: the latest of :func:`changed_at_for`, the start
    of today (``timezone.localdate()``, in the current time zone: what is in force and the default
    date of the figures change at midnight without any change to the data) and
    :func:`release_since` (a deploy changes templates, translations and serializers without any
    change to the data; a client that sends ``If-Modified-Since`` alone gets the new answer)."""
    midnight = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))
    return max(changed_at_for(request), midnight, release_since())


def last_modified_for(request) -> int | None:
    """``Last-Modified`` of an answer made now to ``request``, in whole seconds since the epoch (an
    HTTP date's precision): :func:`modified_at_for`, or ``None`` (send none) while the clock is still
    in that second. An HTTP date drops the fraction, so a second change in the same second carried
    the same ``Last-Modified``, and a client revalidating with ``If-Modified-Since`` alone got a 304
    for the answer before it (adversarial probe). Sent only from the next second on, when any
    later change falls in a later second (RFC 9110, 8.8.2.2: such a time is a strong validator).
    The ``ETag`` (``If-None-Match``) is sent always."""
    modified = int(modified_at_for(request).timestamp())
    return modified if int(timezone.now().timestamp()) > modified else None


def changed_at(key: str = CHANGED_AT_KEY) -> datetime.datetime:
    """When any registry row last changed, as far as this cache knows (at least since it started).

    Gives ``Last-Modified``: a deletion or a change to a nested record moves it too, so a
    conditional request never gets a stale 304.
    """
    value = cache.get(key)
    if value is None:
        value = timezone.now()
        cache.add(key, value, timeout=None)
    return value


def remember_publication(instance, **kwargs) -> None:
    """``post_init`` receiver of the models with a ``publication``: remember the state the
    instance was loaded (or built) with, so :func:`publicly_visible_change` knows the state
    before a save. Never reads a deferred field (no query)."""
    if "publication" in instance.__dict__:
        instance.__dict__[LOADED_PUBLICATION] = instance.__dict__["publication"]


def publicly_visible_change(instance=None, created: bool = False, raw: bool = False, deleted: bool = False) -> bool:
    """Whether a change of ``instance`` (a saved, created or ``deleted`` model instance; ``None``
    for a bulk write) can change what an anonymous reader sees: ``False`` only for a row with
    a ``publication`` that was a draft before the change and is one after it; ``True`` when in
    doubt (no instance, a fixture's ``raw`` save, a state never loaded, a row without ``publication``)."""
    if instance is None or raw or "publication" not in instance.__dict__:
        return True
    after = None if deleted else instance.__dict__["publication"]
    if created:
        before = None
    elif LOADED_PUBLICATION in instance.__dict__:
        before = instance.__dict__[LOADED_PUBLICATION]
    else:
        return True
    return PUBLISHED in (before, after)


def bump(generation_key: str, changed_at_key: str, now: datetime.datetime) -> None:
    """Raise the generation under ``generation_key`` (a lost one starts anew at
    :func:`first_generation`) and set the time under ``changed_at_key`` to ``now``."""
    try:
        cache.incr(generation_key)
    except ValueError:
        cache.set(generation_key, first_generation(), timeout=None)
    cache.set(changed_at_key, now, timeout=None)


def record_change(instance=None, created: bool = False, raw: bool = False, signal=None, **kwargs) -> None:
    """Something in the registry changed: raise the generation (every cached aggregate is
    stale) and move the last-changed time; the public ones too when the change can be seen by
    an anonymous reader (:func:`publicly_visible_change`). The one signal receiver for saves,
    deletes and many-to-many changes of registry models; bulk writes call it directly (no
    ``instance``: both move). Within :func:`one_change` it only notes the change.

    Inside a transaction they move again when it commits: a request that read the data between
    the change and the commit saw the old rows and may have cached them at the new generation.
    One callback per generation and transaction, however many rows it writes (a save and its
    history row, each inline of an admin form)."""
    deleted = signal is post_delete
    public = publicly_visible_change(instance, created=created, raw=raw, deleted=deleted)
    if getattr(_batch, "depth", 0):
        _batch.changed = True
        _batch.public = getattr(_batch, "public", False) or public
    else:
        _move(public)
    if instance is not None and not deleted and "publication" in instance.__dict__:
        instance.__dict__[LOADED_PUBLICATION] = instance.__dict__["publication"]  # the state for its next save


def _move(public: bool) -> None:
    """Raise the full generation, and the public one too when ``public``, with their times
    (:func:`record_change`), now and again when the enclosing transaction commits."""
    now = timezone.now()
    keys = [GENERATION_KEY, PUBLIC_GENERATION_KEY] if public else [GENERATION_KEY]
    for key in keys:
        bump(key, CHANGED_AT_KEYS[key], now)
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        # A registered callback is dropped only when a savepoint it was registered under rolls
        # back; one still open encloses this change too, which is then undone with it.
        registered = {callback for _, callback, _ in connection.run_on_commit}
        for key in keys:
            if AFTER_COMMIT[key] not in registered:
                transaction.on_commit(AFTER_COMMIT[key])


def bump_generation_after_commit() -> None:
    """``on_commit`` callback of :func:`record_change`: the full generation and time move again."""
    bump(GENERATION_KEY, CHANGED_AT_KEY, timezone.now())


def bump_public_generation_after_commit() -> None:
    """``on_commit`` callback of :func:`record_change`: the public generation and time move again."""
    bump(PUBLIC_GENERATION_KEY, PUBLIC_CHANGED_AT_KEY, timezone.now())


CHANGED_AT_KEYS = {GENERATION_KEY: CHANGED_AT_KEY, PUBLIC_GENERATION_KEY: PUBLIC_CHANGED_AT_KEY}
AFTER_COMMIT = {
    GENERATION_KEY: bump_generation_after_commit,
    PUBLIC_GENERATION_KEY: bump_public_generation_after_commit,
}
_batch = threading.local()


@contextlib.contextmanager
def one_change(public: bool | None = None):
    """Within the block, the signals of every row written only note that something changed,
    and whether an anonymous reader could see it (:func:`publicly_visible_change`); at its end
    the generations move once: the public one only if one of the changes was public (deleting
    drafts moves no anonymous validator). ``public`` (of the outermost block) says it instead,
    for a writer that knows more than each row's signal: deleting only rows no anonymous reader
    sees (:func:`registry.services.delete_records`) deletes their children too, rows without a
    ``publication`` of their own, whose signals cannot tell (helper-105).
    For commands that write many rows through ``save()`` (``loaddata`` in a restore): each
    :func:`record_change` costs 1–4 cache round trips, 1–2 ms with Redis, so restoring
    100,000 rows one signal at a time would spend minutes on the cache. Nests; per thread."""
    if not getattr(_batch, "depth", 0):
        _batch.said = public
    _batch.depth = getattr(_batch, "depth", 0) + 1
    try:
        yield
    finally:
        _batch.depth -= 1
        if not _batch.depth and getattr(_batch, "changed", False):
            noted, _batch.changed, _batch.public = _batch.public, False, False
            _move(noted if _batch.said is None else _batch.said)


def cached(key: str, compute: Callable[[], T], timeout: int = TIMEOUT, *, generation_key: str = GENERATION_KEY) -> T:
    """``compute()`` once per generation for ``key``: the full generation (every change), or with
    ``generation_key`` :data:`PUBLIC_GENERATION_KEY` the public one (what only staff see, such as a
    draft, changes nothing), for what only anonymous readers are given."""
    scope = "registry" if generation_key == GENERATION_KEY else "registry:public"
    full_key = f"{scope}:{generation(generation_key)}:{key}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, timeout)
    return value


# Cache backends whose ``incr`` and ``add`` are atomic across every process that shares them
# (Redis); the anonymous rates, the generations and the single render count on both.
ATOMIC_SHARED_BACKENDS = ("django_redis.cache.RedisCache", "django.core.cache.backends.redis.RedisCache")


def check_shared_cache(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Deployment check (``manage.py check --deploy``, id ``registry.W001``): a warning when the
    default cache is not Redis (:data:`ATOMIC_SHARED_BACKENDS`). The file cache that production
    mode falls back to without ``REDIS_URL`` is shared by the workers, but it increments and adds
    by reading then writing: requests at the same moment can pass the anonymous rates, render an
    answer twice and, when two changes meet, leave a stale answer current until the next one."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in ATOMIC_SHARED_BACKENDS:
        return []
    return [
        checks.Warning(
            f"The default cache ({backend.rsplit('.', 1)[-1]}) does not count atomically across processes.",
            hint="Set REDIS_URL (e.g. redis://127.0.0.1:6379/0) so that every worker shares one Redis cache.",
            id="registry.W001",
        )
    ]


# --------------------------------------------------------------------------- whole responses

PAGE_PREFIX = "registry:page"
UNCACHED_PATHS = ("/admin/",)  # staff only
API_PATH = "/api/"  # answers served from the cache only after the API's throttles count them
# A miss is computed by one request at a time per answer: the others wait for its entry, polling
# every FILL_POLL seconds for at most FILL_WAIT seconds, then compute it themselves. FILL_LOCK_TIMEOUT
# (seconds) frees the claim of a request that died while computing.
FILL_WAIT = 5.0
FILL_POLL = 0.02
FILL_LOCK_TIMEOUT = 30
# What the answers are made from besides the data (relative to BASE_DIR): a change to any file
# under these gives a new release (:func:`release`), so no answer cached before a deploy is served after it.
RELEASE_SOURCES = ("diplomacy", "registry", "templates", "locale", "static", "requirements.txt")
_release: list[str] = []  # the computed release, once per process (reset by forget_release)
_release_taken_at = [time.time()]  # when this process took its release: its start, or forget_release


def code_digest(paths) -> str:
    """A hash (16 hex digits) of the names and contents of every file at or under ``paths``
    (``pathlib.Path`` objects; a missing one counts as empty), less compiled Python
    (``__pycache__``, ``.pyc``), which differs between machines for the same code."""
    digest = hashlib.sha256()
    for root in paths:
        files = [root] if root.is_file() else sorted(root.rglob("*")) if root.is_dir() else []
        for path in files:
            if path.is_file() and path.suffix != ".pyc" and "__pycache__" not in path.parts:
                digest.update(f"{path.relative_to(root.parent).as_posix()}\0".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def release() -> str:
    """The release that made an answer: ``settings.REGISTRY_RELEASE`` (from the environment, e.g.
    the deployed commit) or, when empty, :func:`code_digest` of :data:`RELEASE_SOURCES` (code,
    templates, translations, static files and pinned requirements), computed once per process
    (8.9 ms for 245 files, measured) and again after :func:`forget_release`. Part of :func:`request_digest`, so the
    whole answers cached by one release are never served by the next, though the data did not
    change: a deploy that changes a template or a translation shows at once."""
    configured = getattr(settings, "REGISTRY_RELEASE", "")
    if configured:
        return configured
    if not _release:
        _release.append(code_digest([settings.BASE_DIR / name for name in RELEASE_SOURCES]))
    return _release[0]


def release_since() -> datetime.datetime:
    """Since when this process answers with its :func:`release` (an aware ``datetime``, to the
    microsecond): its start, or, on the development server, when :func:`forget_release` last ran.
    Part of ``Last-Modified`` (:func:`modified_at_for`), so a deploy moves it. Each process keeps
    its own: a later one only costs a client a full answer instead of a 304, never a stale 304. A
    time shared through the cache for each release went back when a release came back (a rollback
    to the previous deploy gave a 304 for the newer release's answer; adversarial probe)."""
    return datetime.datetime.fromtimestamp(_release_taken_at[0], tz=datetime.UTC)


def forget_release(sender=None, file_path=None, **kwargs) -> None:
    """Compute :func:`release` again on its next call. Receiver of the development server's
    ``file_changed`` signal (connected in :meth:`registry.apps.RegistryConfig.ready`): a template
    or translation edited while it runs, which it reloads without a restart, shows on the next
    request instead of its cached page. Returns ``None`` so the reloader goes on as before."""
    _release.clear()
    _release_taken_at[0] = time.time()


def request_digest(request) -> str:
    """What an anonymous answer to ``request`` depends on besides the data, as 40 hex digits: a
    hash of the scheme and host (absolute links), the path with its query less the parameters of
    a shared link's analytics (:func:`registry.filter_parameters.untracked`: no page reads them
    nor writes them into a link, and each ``utm_*`` value was a render and an entry of its own), the
    language (``request.LANGUAGE_CODE``), the ``Accept`` header (the representation) and today's date
    (``timezone.localdate()``: "today" is the default of ``as_of`` and decides what is in force),
    and the :func:`release` of the code that answers."""
    parts = (
        release(),
        request.scheme,
        request.get_host(),
        f"{request.path}?{untracked(request.GET).urlencode()}",
        getattr(request, "LANGUAGE_CODE", ""),
        request.headers.get("Accept", ""),
        timezone.localdate().isoformat(),
    )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:40]


def anonymous_read(request) -> bool:
    """Whether ``request`` is a ``GET``/``HEAD`` by an anonymous reader (no session user, no
    ``Authorization`` header): the only requests whose answers are cached whole. These are the
    only two ways to sign in to the API (its token and session authentication, see
    ``REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]``; a test keeps the two in step)."""
    user = getattr(request, "user", None)
    return (
        request.method in ("GET", "HEAD")
        and not (user is not None and user.is_authenticated)
        and "Authorization" not in request.headers
    )


class AnonymousPageCacheMiddleware:
    """Public pages and API answers to anonymous readers are cached whole, keyed by
    :func:`request_digest` (URL, language, representation) and stored with the public data
    generation they were computed at: one cache round-trip reads both the entry and the current
    generation, and an entry of an older generation is recomputed, so a change shows on the very
    next request and an unchanged page costs that one read.

    Only ``200`` answers that are not streamed (list exports are not), not downloads (an
    ``attachment``: a record's export, which goes through the view and its export rate), set no
    cookie, did not use a CSRF token (so never the browsable API's HTML) and are not
    ``private``/``no-store``; never the admin. An API answer comes from the cache only after the
    API's anonymous throttles have counted the request
    (:func:`registry.api.throttling.reads_allowed`); past the rate, the view answers (429). A
    cached answer with an ``ETag`` or ``Last-Modified`` answers a matching conditional request
    with 304, as the view would. Goes after ``AuthenticationMiddleware`` (it reads
    ``request.user``) and ``LocaleMiddleware``.

    A missing or stale answer is computed once, not by every request that asks for it at the same
    moment (a cold server, or the first requests after a change): the first claims it with an
    atomic ``cache.add`` and the others wait for its entry (:meth:`wait_for_fill`, at most
    :data:`FILL_WAIT` seconds), then compute it themselves if it did not come (the answer was not
    cacheable, or the claim's holder died: the claim expires after :data:`FILL_LOCK_TIMEOUT`).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not anonymous_read(request) or request.path_info.startswith(UNCACHED_PATHS):
            return self.get_response(request)
        key, generation_key = f"{PAGE_PREFIX}:{request_digest(request)}", generation_key_for(request)
        found = cache.get_many([generation_key, key])
        current = found.get(generation_key) or generation(generation_key)
        entry = found.get(key)
        if entry is None or entry[0] != current:
            claim = f"{key}:filling:{current}"
            if cache.add(claim, 1, FILL_LOCK_TIMEOUT):
                try:
                    return self.fill(request, key, current)
                finally:
                    cache.delete(claim)
            entry = self.wait_for_fill(key, claim, current)
        if entry is not None and self.counted(request):
            return self.conditional(request, entry[1])
        return self.fill(request, key, current)

    def fill(self, request, key: str, current: int):
        """The view's answer to ``request``, stored under ``key`` with generation ``current`` when
        :meth:`cacheable`."""
        response = self.get_response(request)
        if self.cacheable(request, response):
            cache.set(key, (current, response), TIMEOUT)
        return response

    @staticmethod
    def wait_for_fill(key: str, claim: str, current: int):
        """The entry under ``key`` of generation ``current`` once another request has stored it;
        ``None`` when that request released its ``claim`` without storing one, or after
        :data:`FILL_WAIT` seconds."""
        deadline = time.monotonic() + FILL_WAIT
        while time.monotonic() < deadline:
            time.sleep(FILL_POLL)
            found = cache.get_many([key, claim])
            entry = found.get(key)
            if entry is not None and entry[0] == current:
                return entry
            if claim not in found:
                return None
        return None

    @staticmethod
    def counted(request) -> bool:
        """Whether a cached answer may be served: always for a page; for the API, when its
        throttles let the request through (and count it)."""
        if not request.path_info.startswith(API_PATH):
            return True
        from .api.throttling import reads_allowed  # the API's policy; imported late, models import this module

        return reads_allowed(request)

    @staticmethod
    def conditional(request, response):
        """``response``, or a 304 when the request's ``If-None-Match``/``If-Modified-Since``
        matches its ``ETag``/``Last-Modified`` (Django's :func:`get_conditional_response`). An API
        answer's ``Last-Modified`` is the one it would get now (:func:`last_modified_for`), not the
        one it was stored with: the entry is of the current generation, so the current time of the
        last change is the one it shows, but it may have been made in that change's second (sent
        without one) or by an earlier process of the same release (a rollback: the stored one went
        back; helper-90)."""
        if request.path_info.startswith(API_PATH) and "ETag" in response:
            if (since := last_modified_for(request)) is not None:
                response["Last-Modified"] = http_date(since)
            elif "Last-Modified" in response:
                del response["Last-Modified"]
        etag, last_modified = response.get("ETag"), response.get("Last-Modified")
        if not (etag or last_modified):
            return response
        timestamp = parse_http_date_safe(last_modified) if last_modified else None
        conditional = get_conditional_response(request, etag=etag, last_modified=timestamp, response=response)
        if conditional is not response:
            for header in ("ETag", "Last-Modified", "Vary"):
                if header in response:
                    conditional[header] = response[header]
        return conditional

    @staticmethod
    def cacheable(request, response) -> bool:
        """Whether ``response`` to ``request`` may be stored (see the class's docstring)."""
        cache_control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and not response.get("Content-Disposition", "").startswith("attachment")
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and "private" not in cache_control
            and "no-store" not in cache_control
        )
