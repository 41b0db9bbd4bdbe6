"""The API's permission beyond Django's model permissions: an office's limit to its home cities.

:class:`OfficePermission` asks :func:`registry.models.may_change` (the rule's one home, which
the admin calls too) before any write to an existing record; :meth:`RegistryViewSet.perform_create`
asks it of a new record before its transaction commits. A refusal is a 403.
"""

from rest_framework import permissions

from ..models import may_change


class OfficePermission(permissions.BasePermission):
    """Writes to a record allowed only to accounts whose offices include its cities."""

    message = "Your account is limited to other cities' partnerships and their records (your office)."

    def has_object_permission(self, request, view, obj) -> bool:
        return request.method in permissions.SAFE_METHODS or may_change(request.user, obj)
