"""The API's error answers: one handler (set in ``settings.REST_FRAMEWORK``) turns every
error into JSON naming the field or parameter and the rule, and the exceptions it adds."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

# --------------------------------------------------------------------------- policies


class RequestTooLarge(exceptions.APIException):
    """413: a JSON body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB)."""

    status_code = 413
    default_detail = "The request body is larger than the 2.5 MB a JSON request may have."
    default_code = "request_too_large"


def exception_handler(exc, context):
    """DRF's handler, plus: model validation errors → 400, integrity errors and deletes refused
    because other rows refer to the record → 409; every body ``{"detail", "code", "errors"?}``."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            {key: list(value) for key, value in exc.message_dict.items()}
            if hasattr(exc, "error_dict")
            else exc.messages
        )
    elif isinstance(exc, ProtectedError | RestrictedError):
        objects = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", None) or []
        names = sorted({f"{obj._meta.verbose_name}: {obj}" for obj in list(objects)[:10]})
        exc = Conflict(f"Other records refer to this one; change or delete them first ({'; '.join(names)}).", "in_use")
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, IntegrityError):
        exc = Conflict(f"The database refused the change: {exc}".strip(), "integrity_error")
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        details = exc.get_full_details()
        if not isinstance(details, dict):
            details = {"non_field_errors": details if isinstance(details, list) else [details]}
        errors = {key: value if isinstance(value, list) else [value] for key, value in details.items()}
        response.data = {"detail": "Invalid input.", "code": "invalid", "errors": errors}
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = {"detail": str(detail), "code": code if isinstance(code, str) else "error"}
    return response


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The change conflicts with other records."
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record changed since you read it (If-Match does not match its ETag)."
    default_code = "precondition_failed"
