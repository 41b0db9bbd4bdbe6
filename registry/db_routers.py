"""Read replica routing: reads go to ``replica``, writes and reads after a write to ``default``.

Enabled when ``DATABASE_REPLICA_URL`` is set (see settings). Within a request, the first
write pins every later query to the primary, so a request reads its own writes; a request
with an unsafe method (POST, PUT, PATCH, DELETE) is pinned from the start, and
:class:`PrimaryPinningMiddleware` keeps the same browser on the primary for a few seconds
after it wrote (a cookie), so the page it is redirected to shows the change even if the
replica lags.
"""

from __future__ import annotations

import contextvars

from django.conf import settings

_pinned = contextvars.ContextVar("registry_pinned_to_primary", default=False)
PIN_COOKIE = "registry_primary"


def pin_to_primary() -> None:
    """Send every later query of this request (or thread) to the primary."""
    _pinned.set(True)


def unpin() -> None:
    _pinned.set(False)


def is_pinned() -> bool:
    return _pinned.get()


class ReplicaRouter:
    """Database router for a primary (``default``) and one read replica (``replica``)."""

    def db_for_read(self, model, **hints):
        return "default" if is_pinned() else "replica"

    def db_for_write(self, model, **hints):
        pin_to_primary()
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # both aliases hold the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class PrimaryPinningMiddleware:
    """Pin unsafe requests, and requests shortly after a write by the same browser, to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _pinned.set(request.method not in ("GET", "HEAD", "OPTIONS") or PIN_COOKIE in request.COOKIES)
        try:
            response = self.get_response(request)
            if is_pinned() and request.method not in ("GET", "HEAD", "OPTIONS"):
                response.set_cookie(
                    PIN_COOKIE,
                    "1",
                    max_age=settings.REPLICA_PIN_SECONDS,
                    httponly=True,
                    samesite="Lax",
                    secure=not settings.DEBUG,
                )
            return response
        finally:
            _pinned.reset(token)
