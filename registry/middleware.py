"""Middleware of the registry."""

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import TooManyFieldsSent
from django.db import OperationalError
from django.http import HttpResponse, HttpResponseBadRequest
from django.middleware.gzip import GZipMiddleware
from django.utils import translation
from django.utils.translation import gettext

from .filter_parameters import LANGUAGE_PARAMETER, repeated_parameter
from .text import UNSTORABLE

# Paths with no language prefix whose language is the reader's (cookie or Accept-Language).
HEADER_LANGUAGE_PATHS = ("/admin/", "/api/")


class HeaderLanguageMiddleware:
    """Let the admin and the API follow the reader's language.

    With ``i18n_patterns(prefix_default_language=False)`` Django treats every path without a
    language prefix as English. The admin and the API (``HEADER_LANGUAGE_PATHS``) have no
    prefix, so here they take the language from the language cookie or the ``Accept-Language``
    header instead: Korean when asked for, English otherwise. ``LocaleMiddleware`` then sets
    ``Content-Language`` and ``Vary: Accept-Language`` on the answer.

    In the API, ``?lang=`` (:data:`registry.filter_parameters.LANGUAGE_PARAMETER`: ``en``, ``ko`` or a variant such as
    ``ko-KR``) outranks both, so that a link keeps its language whoever follows it: a page's
    download that the page sends on to the API (``/ko/events/?format=ics``) stays in the page's
    language. A language the site does not have is a 400 naming the parameter.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(HEADER_LANGUAGE_PATHS):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
            if request.path_info.startswith("/api/") and (refused := self.ask_language(request)):
                return refused
        return self.get_response(request)

    @staticmethod
    def ask_language(request) -> HttpResponse | None:
        """Activate the language ``?lang=`` names; a 400 (problem+json on the parameter, code
        ``invalid_choice``) when the site has none such, or ``repeated_parameter`` when it is
        given twice; ``None`` when it is not given (or the query cannot be read:
        :class:`RequestSizeLimitMiddleware` answers that)."""
        try:
            given = request.GET.getlist(LANGUAGE_PARAMETER)
        except TooManyFieldsSent:
            return None
        if not given:
            return None
        from .api.exceptions import problem_response

        if len(given) > 1:  # as every list refuses it, on every endpoint (helper-86: the last won on a record)
            error = repeated_parameter(LANGUAGE_PARAMETER, len(given))
            message = error.message % error.params
            errors = {LANGUAGE_PARAMETER: [{"message": message, "code": error.code}]}
            return problem_response(request, 400, message, error.code, errors=errors)
        asked = given[0]
        try:
            language = translation.get_supported_language_variant(asked)
        except LookupError:
            message = gettext("“%(value)s” is not a language of this site; %(parameter)s takes %(languages)s.") % {
                "value": asked[:50],
                "parameter": LANGUAGE_PARAMETER,
                "languages": ", ".join(code for code, _ in settings.LANGUAGES),
            }
            errors = {LANGUAGE_PARAMETER: [{"message": message, "code": "invalid_choice"}]}
            return problem_response(request, 400, message, "invalid_choice", errors=errors)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return None


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is larger than ``settings.MAX_REQUEST_BODY_BYTES``
    with 413 before anything reads it, and one whose query has more parameters than
    ``settings.DATA_UPLOAD_MAX_NUMBER_FIELDS`` (1,000) with 400, code ``too_many_parameters``.
    (Django itself caps form and JSON data at ``DATA_UPLOAD_MAX_MEMORY_SIZE``, not file
    uploads.) Goes after the language middleware (the
    message is in the reader's language) and before ``CsrfViewMiddleware`` (which reads forms)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BODY_BYTES:
            limit = settings.MAX_REQUEST_BODY_BYTES // 1024 // 1024
            message = gettext("Request body too large: the limit is %(limit)s MB.") % {"limit": limit}
            return self.refuse(request, 413, message, "request_too_large")
        try:
            request.GET  # noqa: B018 - read here, where its refusal is answered
        except TooManyFieldsSent:
            # Django raises it on first reading; its 400 was an HTML page in the API, and with
            # DEBUG on a 500, the debug page reading request.GET again (adversarial probe).
            limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
            message = gettext("The query has more than %(limit)s parameters.") % {"limit": intcomma(limit)}
            return self.refuse(request, 400, message, "too_many_parameters")
        return self.get_response(request)

    @staticmethod
    def refuse(request, status: int, message: str, code: str) -> HttpResponse:
        """``message`` with ``status``: problem+json (code ``code``) in the API, plain text elsewhere."""
        if request.path.startswith("/api/"):
            from .api.exceptions import problem_response

            return problem_response(request, status, message, code)
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class PublicGZipMiddleware(GZipMiddleware):
    """Gzip-compress responses (Django's ``GZipMiddleware``, which also pads each response with
    random bytes), except those that could leak a secret through their compressed length
    (BREACH): a response that carries a CSRF token (the request called ``get_token()``, as a
    POST form does), any response to a signed-in user, and the admin. Public pages and the
    API's anonymous answers carry no secret and are compressed."""

    def process_response(self, request, response):
        if (
            request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            or request.path_info.startswith("/admin/")
            or getattr(getattr(request, "user", None), "is_authenticated", False)
        ):
            return response
        return super().process_response(request, response)


class ApiTrailingSlashMiddleware:
    """Answer a request under ``/api/`` whose path lacks the trailing slash of an endpoint
    (``POST /api/v1/partnerships``) with a problem+json 404 naming the URL with it
    (:func:`registry.api.exceptions.missing_slash`), whatever the method: never
    ``CommonMiddleware``'s redirect (``APPEND_SLASH``: a write would lose its method and body)
    nor ``CsrfViewMiddleware``'s HTML page. Goes before both, after the language middleware
    (the message is in the reader's language)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .api.exceptions import missing_slash

        return missing_slash(request) or self.get_response(request)


class UnstorableTextMiddleware:
    """Answer a request whose path or query holds a character no record can contain (NUL, a
    lone surrogate; see ``UNSTORABLE``) before any view looks it up: such a path names
    nothing (404), such a parameter is refused (400 naming the parameter). One place for every
    route, page, admin and API alike, so that PostgreSQL (which refuses NUL in text) answers as
    SQLite does instead of 500. JSON bodies are checked by ``registry.api.parsers``. Goes before
    anything that looks a path up in the database, after the language middleware (its messages
    are in the reader's language)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .api.exceptions import is_api, not_found, problem_response

        if UNSTORABLE.search(request.path):
            return not_found(request)
        for key, values in request.GET.lists():
            if any(UNSTORABLE.search(text) for text in (key, *values)):
                message = gettext("NUL characters and lone surrogates are not allowed.")
                if is_api(request):
                    from rest_framework.exceptions import ValidationError

                    errors = {key: [{"message": message, "code": "null_characters_not_allowed"}]}
                    detail = str(ValidationError.default_detail)
                    return problem_response(request, 400, detail, "null_characters_not_allowed", errors=errors)
                return HttpResponseBadRequest(f"{key}: {message}", content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class DatabaseBusyMiddleware:
    """Answer 503 with ``Retry-After`` when SQLite stays locked by another writer longer than its
    ``timeout`` (20 s; a confirmed import of tens of thousands of rows writes in one transaction,
    all or nothing): problem+json code ``database_busy`` in the API, plain text elsewhere. It
    was a 500 (a staff login during a 50,000-row import; adversarial probe). Nothing was written:
    the request's transaction never began. PostgreSQL locks rows, not the database, and is not
    concerned."""

    #: Seconds a client is asked to wait before trying again.
    RETRY_AFTER = 10

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not (isinstance(exception, OperationalError) and "database is locked" in str(exception)):
            return None
        message = gettext("The registry is busy writing a large change, such as an import: try again in a few seconds.")
        response = RequestSizeLimitMiddleware.refuse(request, 503, message, "database_busy")
        response["Retry-After"] = str(self.RETRY_AFTER)
        return response
