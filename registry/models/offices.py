"""Offices: staff accounts limited to one or more home cities.

A staff account with no :class:`OfficeAssignment` is a national editor: its Django model
permissions alone decide what it may change. An account assigned to cities (an office, such as
Busan's international relations office) still sees everything, but changes only the
partnerships of its cities (either side) and their records: agreements and events of those
partnerships, or, outside a partnership, signed or held in one of its cities.
:func:`may_change` is the one home of that rule; the admin and the API both call it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .cities import City


class OfficeAssignment(models.Model):
    """One staff account limited to one home city (an account may hold several)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="office_assignments",
        verbose_name=_("staff account"),
    )
    city = models.ForeignKey(
        City,
        on_delete=models.CASCADE,
        related_name="office_assignments",
        verbose_name=_("home city"),
        help_text=_("The account changes only this city's partnerships and their records."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["user", "city", "id"]
        verbose_name = _("office assignment")
        verbose_name_plural = _("office assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "city"],
                name="officeassignment_unique_per_user",
                violation_error_message=_("This account is already assigned to this city."),
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.city}"


def office_city_ids(user) -> frozenset[int] | None:
    """The ids of the home cities ``user`` is limited to, or ``None`` when the account is not
    limited (a national editor, a superuser, or anonymous). One query per request object:
    the answer is kept on ``user``."""
    if not getattr(user, "is_authenticated", False) or user.is_superuser:
        return None
    if not hasattr(user, "_office_city_ids"):
        ids = frozenset(OfficeAssignment.objects.filter(user=user).values_list("city_id", flat=True))
        user._office_city_ids = ids or None
    return user._office_city_ids


def cities_of(record) -> set[int] | None:
    """The ids of the cities whose office may change ``record`` (saved or not): both sides of a
    partnership; a partnership's record's partnership, else its place (agreement) or city
    (event). ``None`` for records no office owns (sources, people, cities, ...)."""
    from .agreements import Agreement
    from .events import Event
    from .partnerships import Partnership

    if isinstance(record, Partnership):
        return {record.city_id, record.partner_id}
    if isinstance(record, Agreement | Event):
        if record.partnership_id:
            return {record.partnership.city_id, record.partnership.partner_id}
        place = record.place_id if isinstance(record, Agreement) else record.city_id
        return {place} if place else set()
    return None


def may_change(user, record) -> bool:
    """Whether ``user``'s offices allow it to change (or add, or delete) ``record``: always for
    an account not limited to cities; for a limited one, when ``record`` belongs to one of its
    cities (:func:`cities_of`) or no office owns it. Model permissions are checked apart
    (Django's ``has_perm``); this adds the office's limit."""
    offices = office_city_ids(user)
    if offices is None:
        return True
    cities = cities_of(record)
    return cities is None or bool(cities & offices)
