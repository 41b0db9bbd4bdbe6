"""Who may use the API, set once in ``settings.REST_FRAMEWORK``: which tokens authenticate
(:class:`ExpiringTokenAuthentication`) and who may write (:class:`StaffModelPermissions`); and an
office's limit to its home cities (:class:`OfficePermission`, which asks
:func:`registry.models.may_change`, the rule's one home that the admin calls too; a refusal is a 403)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions
from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissionsOrAnonReadOnly

from ..models import may_change
from ..models.offices import refusal


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, valid for ``settings.REGISTRY_API_TOKEN_DAYS`` days
    (environment ``API_TOKEN_DAYS``, default 90) from the token's ``created`` time; an older
    token is refused with 401 ``token_expired`` (staff issue a new one in the admin)."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token.created < timezone.now() - datetime.timedelta(days=settings.REGISTRY_API_TOKEN_DAYS):
            raise exceptions.AuthenticationFailed(_("The token has expired; ask for a new one."), "token_expired")
        return user, token


class StaffModelPermissions(DjangoModelPermissionsOrAnonReadOnly):
    """Reading is open (what each reader sees is the querysets' ``visible_to``); writing needs
    an active user with staff status *and* the Django model permission (``add``/``change``/
    ``delete``), as the admin does: unticking "staff status" takes away API writes too, even for
    a member of the editors group or a holder of a token."""

    message = _("Writing needs staff status and the permission for this kind of record.")

    def has_permission(self, request, view):
        if request.method not in SAFE_METHODS:
            user = request.user
            if not (user and user.is_authenticated and user.is_active and user.is_staff):
                return False  # anonymous: 401; signed in without staff status: 403 (``message``)
        return super().has_permission(request, view)

    def _queryset(self, view):
        """The queryset whose model names the permissions: the view's ``queryset`` attribute where
        it has one. DRF builds ``get_queryset()`` for this alone, which for partnerships (their
        last activity's subqueries) cost 8 ms of every answer, a cached one included."""
        queryset = getattr(view, "queryset", None)
        return queryset if queryset is not None else super()._queryset(view)


class OfficePermission(permissions.BasePermission):
    """Writes to a record allowed only to accounts whose offices include its cities."""

    message = _("Your account works for an office: it changes only its cities' partnerships and their records.")

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS or may_change(request.user, obj):
            return True
        self.message = refusal(request.user)  # names the office's cities (DRF reads it after a refusal)
        return False
