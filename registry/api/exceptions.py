"""The API's error answers: RFC 9457 problem details (``application/problem+json``).

Every error of ``/api/`` — DRF's (400, 401, 403, 404, 405, 409, 412, 429), Django's 404 and 500
(:func:`not_found`, :func:`server_error`) and the middleware's 413 and 400 — is one JSON object:
``type`` (``about:blank``: the status says what happened), ``title`` (the status phrase),
``status``, ``detail`` (in words), ``instance`` (the request's path), and the extension members
``code`` (the rule: ``not_found``, ``throttled``, a constraint's name …) and, for invalid input,
``errors``: field or query parameter → ``[{"message", "code"}]``. The handler
(:func:`exception_handler`, set in ``settings.REST_FRAMEWORK``) never shows raw database text.

``title``, ``detail`` and the field messages are in the reader's language (``Accept-Language``
or the language cookie: English by default, Korean on ``ko``; see
``registry.middleware.HeaderLanguageMiddleware``), with ``Content-Language`` and ``Vary:
Accept-Language`` set (Django's ``LocaleMiddleware``); ``code`` stays the same in every
language, so clients test ``code``, never the text.
"""

from __future__ import annotations

from http import HTTPStatus

from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from rest_framework import exceptions, serializers, status
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from ..models.base import CONCURRENT_CHANGE, refused_rule

PROBLEM_JSON = "application/problem+json"

# The ``title`` of each error status the API gives: the status phrase (RFC 9457, 4.2.1: the
# title of ``about:blank`` is the phrase, the same for every occurrence except for its language).
TITLES = {
    400: _("Bad Request"),
    401: _("Unauthorized"),
    403: _("Forbidden"),
    404: _("Not Found"),
    405: _("Method Not Allowed"),
    406: _("Not Acceptable"),
    409: _("Conflict"),
    412: _("Precondition Failed"),
    413: _("Request Entity Too Large"),
    415: _("Unsupported Media Type"),
    429: _("Too Many Requests"),
    500: _("Internal Server Error"),
    503: _("Service Unavailable"),
}


def problem(status_code: int, detail: str, code: str, *, instance: str = "", errors: dict | None = None) -> dict:
    """The RFC 9457 body for ``status_code`` (int) with ``detail`` (str) and the rule ``code``
    (str); ``errors`` (field → list of ``{"message", "code"}``) only for invalid input. The
    ``title`` is the status phrase in the active language (:data:`TITLES`)."""
    body = {
        "type": "about:blank",
        "title": str(TITLES.get(status_code, HTTPStatus(status_code).phrase)),
        "status": status_code,
        "detail": detail,
        "instance": instance,
        "code": code,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def problem_response(request, status_code: int, detail: str, code: str, **kwargs) -> JsonResponse:
    """A Django response carrying :func:`problem` (for errors raised outside DRF's views), its
    text in UTF-8 as DRF's own responses write it (Django's ``JsonResponse`` escaped every
    non-ASCII character: a Korean message read ``"\\uc694\\uccad …"`` to anyone reading the body,
    new-user probe)."""
    body = problem(status_code, detail, code, instance=request.path, **kwargs)
    return JsonResponse(body, status=status_code, content_type=PROBLEM_JSON, json_dumps_params={"ensure_ascii": False})


def is_api(request) -> bool:
    return request.path.startswith("/api/")


# The name of the API's last route, which matches any other path under /api/v1/ (answered by
# :func:`not_found`, exempt from CSRF: it changes nothing).
UNMATCHED_ROUTE = "unmatched"


def not_found(request, exception=None, unmatched: str = ""):
    """404 for a path no route matches: problem+json under ``/api/``, else the site's page."""
    if is_api(request):
        return problem_response(request, 404, gettext("No such API endpoint; see /api/v1/."), "not_found")
    return defaults.page_not_found(request, exception)


def missing_slash(request) -> JsonResponse | None:
    """404 problem+json (code ``no_trailing_slash``) naming the URL with its trailing slash, for
    a path under ``/api/`` without it where the path with it is an endpoint (``POST
    /api/v1/partnerships``: ``/api/v1/partnerships/``), whatever the method; ``None`` for any
    other path. Every API URL ends with a slash, and a client is told so instead of Django's
    answers: a redirect (which drops a write's method and body; with ``DEBUG`` a
    ``RuntimeError`` for a POST) or, past the last route, the HTML CSRF page for a write.
    Called by :class:`registry.middleware.ApiTrailingSlashMiddleware`."""
    path = request.path_info
    if not is_api(request) or path.endswith("/"):
        return None
    try:
        match = resolve(path + "/", getattr(request, "urlconf", None))
    except Resolver404:
        return None
    if match.namespace != "api" or match.url_name == UNMATCHED_ROUTE:
        return None
    url = request.get_full_path(force_append_slash=True)
    detail = gettext("API URLs end with a slash: %(url)s") % {"url": url}
    return problem_response(request, 404, detail, "no_trailing_slash")


def server_error(request):
    """500 (``handler500``): problem+json under ``/api/``, else the site's page. Never a traceback."""
    if is_api(request):
        detail = gettext("The server failed to answer; the error was logged.")
        return problem_response(request, 500, detail, "server_error")
    return defaults.server_error(request)


# --------------------------------------------------------------------------- exceptions


class RequestTooLarge(exceptions.APIException):
    """413: a JSON body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB)."""

    status_code = 413
    default_detail = _("The request body is larger than the 2.5 MB a JSON request may have.")
    default_code = "request_too_large"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The change conflicts with other records.")
    default_code = "conflict"

    def __init__(self, detail=None, code=None, errors: dict | None = None):
        super().__init__(detail, code)
        self.errors = errors


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The record changed since you read it (If-Match does not match its ETag).")
    default_code = "precondition_failed"


# --------------------------------------------------------------------------- integrity errors


def integrity_conflict(error: IntegrityError, model) -> Conflict:
    """A 409 naming the field and the rule a concurrent write broke (a race past
    ``full_clean()``), without the database's text: the rule :func:`~registry.models.base.refused_rule`
    reads (its message on its field, ``non_field_errors`` for the record as a whole), else
    :data:`~registry.models.base.CONCURRENT_CHANGE`."""
    refused = refused_rule(error, model)
    if refused is None:
        return Conflict(str(CONCURRENT_CHANGE))
    field = refused.field or api_settings.NON_FIELD_ERRORS_KEY
    return Conflict(refused.message, refused.code, {field: [{"message": refused.message, "code": refused.code}]})


def validation_errors(exc: DjangoValidationError) -> exceptions.ValidationError:
    """A model ``ValidationError`` as DRF's, keeping each message's rule code (``invalid``
    only when the rule gave none); errors on no field go under ``non_field_errors``."""
    if not hasattr(exc, "error_dict"):
        return exceptions.ValidationError(
            {
                api_settings.NON_FIELD_ERRORS_KEY: [
                    exceptions.ErrorDetail(m, code=e.code or "invalid") for e in exc.error_list for m in e
                ]
            }
        )
    errors = {}
    for key, items in exc.error_dict.items():
        name = api_settings.NON_FIELD_ERRORS_KEY if key == NON_FIELD_ERRORS else key
        errors[name] = [exceptions.ErrorDetail(m, code=e.code or "invalid") for e in items for m in e]
    return exceptions.ValidationError(errors)


def exception_handler(exc, context):
    """DRF's handler, plus: model validation errors → 400, integrity errors and deletes refused
    because other rows refer to the record → 409; every body a :func:`problem`."""
    view = context.get("view")
    if isinstance(exc, DjangoValidationError):
        exc = validation_errors(exc)
    elif isinstance(exc, ProtectedError | RestrictedError):
        objects = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", None) or []
        names = sorted({f"{obj._meta.verbose_name}: {obj}" for obj in list(objects)[:10]})
        message = gettext("Other records refer to this one; change or delete them first (%(records)s).")
        message %= {"records": "; ".join(names)}
        errors = {api_settings.NON_FIELD_ERRORS_KEY: [{"message": message, "code": "in_use"}]}
        exc = Conflict(message, "in_use", errors)  # ``errors`` as every other 409 has them
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, IntegrityError):
        queryset = getattr(view, "queryset", None)
        exc = integrity_conflict(exc, getattr(queryset, "model", None) or getattr(view, "model", None))
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    request = context.get("request")
    instance = request.path if request is not None else ""
    if isinstance(exc, exceptions.ValidationError):
        details = exc.get_full_details()
        if not isinstance(details, dict):
            details = {api_settings.NON_FIELD_ERRORS_KEY: details if isinstance(details, list) else [details]}
        errors = {key: value if isinstance(value, list) else [value] for key, value in details.items()}
        codes = {item.get("code") for items in errors.values() for item in items if isinstance(item, dict)}
        code = codes.pop() if len(codes) == 1 else "invalid"
        detail = str(exceptions.ValidationError.default_detail)  # DRF's, translated
        response.data = problem(response.status_code, detail, code, instance=instance, errors=errors)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = problem(
            response.status_code,
            str(detail),
            code if isinstance(code, str) else "error",
            instance=instance,
            errors=getattr(exc, "errors", None),
        )
    response.content_type = PROBLEM_JSON
    return response


# --------------------------------------------------------------------------- the shape in the schema


class ErrorItemSerializer(serializers.Serializer):
    message = serializers.CharField()
    code = serializers.CharField(help_text="The rule: a validator or database constraint name.")


class ErrorSerializer(serializers.Serializer):
    """Every error answer, an RFC 9457 problem (``application/problem+json``): ``type``
    (``about:blank``), ``title`` (the HTTP status phrase), ``status``, ``detail`` in words,
    ``instance`` (the request path), and the extension members ``code`` (the rule) and, for
    invalid input, ``errors`` keyed by field or query parameter, each with the message and the
    rule's code."""

    type = serializers.CharField(help_text="A URI naming the problem type; `about:blank`: see `status`.")
    title = serializers.CharField(help_text="The HTTP status phrase, e.g. `Not Found`.")
    status = serializers.IntegerField(help_text="The HTTP status code.")
    detail = serializers.CharField()
    instance = serializers.CharField(help_text="The path of the request.")
    code = serializers.CharField(help_text="The rule: `not_found`, `throttled`, a constraint name …")
    errors = serializers.DictField(child=ErrorItemSerializer(many=True), required=False)
