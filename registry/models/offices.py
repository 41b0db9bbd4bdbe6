"""Offices: staff accounts limited to one or more home cities.

A staff account with no :class:`OfficeAssignment` is a national editor: its Django model
permissions alone decide what it may change. An account assigned to cities (an office, such as
Busan's international relations office) still sees everything, but changes (adds, deletes)
only what its cities own. The rule, record by record (:func:`may_change`, its one home; the
admin and the API both call it):

* a **partnership** is its cities' (either side);
* an **agreement** or **event** is its partnership's, or, outside a partnership, the city where it
  was signed or held (none: no office may change it);
* a **delegation** is its home city's: the city of its organizer (with no organizer's city, it is
  nobody's and the model permissions decide);
* a child row (former name, signatory, participant, member, itinerary stop, outcome) is its
  parent's;
* a **city** may be changed by an office when it is one of the office's home cities, or when it
  is no office's home city and every partnership naming it (either side) is the office's: a
  partner city referenced only by its own partnerships, or a city not yet in any;
* a **shared reference record** (source, person, organization, cooperation field) may be changed
  when no record that refers to it (partnership, agreement, event, delegation, city, or a child
  row of one) is a record the office may not change.

:func:`owned_by` gives the same rule as a database condition, for the references of shared
records; ``tests/test_offices.py`` checks that the two agree.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

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


def refusal(user) -> str:
    """The sentence that tells an account limited to offices why a change was refused, naming
    its home cities ("… the office of Fukuoka …"); the admin, the guided entry and the API's
    403 all say it. One query."""
    names = sorted(str(city) for city in City.objects.filter(pk__in=office_city_ids(user) or ()))
    return ngettext(
        "Your account works for the office of %(cities)s: it changes only the partnerships of "
        "that city and the records that belong to them.",
        "Your account works for the office of %(cities)s: it changes only the partnerships of "
        "those cities and the records that belong to them.",
        len(names),
    ) % {"cities": ", ".join(names)}


def cities_of(record) -> set[int] | None:
    """The ids of the cities whose office may change ``record`` (saved or not): both sides of a
    partnership; a partnership's record's partnership, else its place (agreement) or city
    (event); a delegation's organizer's city. ``None`` for records no office owns this way
    (cities, shared reference records, child rows: see :func:`may_change`), and for a
    delegation with no organizer's city."""
    from .agreements import Agreement
    from .delegations import Delegation
    from .events import Event
    from .partnerships import Partnership

    if isinstance(record, Partnership):
        return {record.city_id, record.partner_id}
    if isinstance(record, Agreement | Event):
        if record.partnership_id:
            return {record.partnership.city_id, record.partnership.partner_id}
        place = record.place_id if isinstance(record, Agreement) else record.city_id
        return {place} if place else set()
    if isinstance(record, Delegation):
        city = record.organizer.city_id if record.organizer_id else None
        return {city} if city else None
    return None


def _parent(record):
    """The record a child row belongs to (its former name's city, its signatory's agreement,
    ...), or ``None`` for a record that is not a child row."""
    from .agreements import Signatory
    from .cities import CityName
    from .delegations import DelegationMember, ItineraryStop, Outcome
    from .events import EventParticipant

    for model, field in (
        (CityName, "city"),
        (Signatory, "agreement"),
        (EventParticipant, "event"),
        (DelegationMember, "delegation"),
        (ItineraryStop, "delegation"),
        (Outcome, "delegation"),
    ):
        if isinstance(record, model):
            return getattr(record, field) if getattr(record, f"{field}_id") else None
    return None


def owned_by(model, offices: frozenset[int]) -> Q | None:
    """The condition on ``model`` rows that the offices of the cities ``offices`` may change:
    :func:`may_change` as a database condition, for the owned kinds (partnership, agreement,
    event, delegation, city) and their child rows; ``None`` for the shared reference records."""
    from .agreements import Agreement, Signatory
    from .cities import City, CityName
    from .delegations import Delegation, DelegationMember, ItineraryStop, Outcome
    from .events import Event, EventParticipant
    from .partnerships import Partnership

    def partnership(prefix=""):
        return Q(**{f"{prefix}city__in": offices}) | Q(**{f"{prefix}partner__in": offices})

    children = {
        CityName: (City, "city__"),
        Signatory: (Agreement, "agreement__"),
        EventParticipant: (Event, "event__"),
        DelegationMember: (Delegation, "delegation__"),
        ItineraryStop: (Delegation, "delegation__"),
        Outcome: (Delegation, "delegation__"),
    }
    model, prefix = children.get(model, (model, ""))
    if model is Partnership:
        return partnership(prefix)
    if model is Agreement:
        return partnership(f"{prefix}partnership__") | Q(
            **{f"{prefix}partnership__isnull": True, f"{prefix}place__in": offices}
        )
    if model is Event:
        return partnership(f"{prefix}partnership__") | Q(
            **{f"{prefix}partnership__isnull": True, f"{prefix}city__in": offices}
        )
    if model is Delegation:
        return Q(**{f"{prefix}organizer__city__in": offices}) | Q(**{f"{prefix}organizer__city__isnull": True})
    if model is City:
        foreign = Partnership.objects.exclude(partnership())
        homes = OfficeAssignment.objects.values("city_id")
        return Q(**{f"{prefix}pk__in": offices}) | ~(
            Q(**{f"{prefix}pk__in": homes})
            | Q(**{f"{prefix}pk__in": foreign.values("city_id")})
            | Q(**{f"{prefix}pk__in": foreign.values("partner_id")})
        )
    return None


def _city_may_change(city, offices: frozenset[int]) -> bool:
    from .partnerships import Partnership

    if city.pk is None or city.pk in offices:
        return True
    if OfficeAssignment.objects.filter(city=city).exists():
        return False  # another office's home city
    return (
        not Partnership.objects.filter(Q(city=city) | Q(partner=city)).exclude(owned_by(Partnership, offices)).exists()
    )


def _shared_may_change(record, offices: frozenset[int]) -> bool:
    """No record the offices may not change refers to ``record`` (one query per kind of reference)."""
    if record.pk is None:
        return True
    for relation in record._meta.related_objects:
        condition = owned_by(relation.related_model, offices)
        if condition is None:
            continue  # a reference from another shared record (a person's organization)
        referring = relation.related_model._default_manager.filter(**{relation.field.name: record})
        if referring.exclude(condition).exists():
            return False
    return True


def may_change(user, record) -> bool:
    """Whether ``user``'s offices allow it to change (or add, or delete) ``record`` (the rule is
    in the module docstring): always for an account not limited to cities. Model permissions
    are checked apart (Django's ``has_perm``); this adds the office's limit. Queries: none for a
    national editor; for an office, none for a partnership, agreement or event, one or two for
    a city, one per kind of reference for a shared record."""
    from .cities import City

    offices = office_city_ids(user)
    if offices is None:
        return True
    parent = _parent(record)
    if parent is not None:
        return may_change(user, parent)
    if isinstance(record, City):
        return _city_may_change(record, offices)
    cities = cities_of(record)
    if cities is not None:
        return bool(cities & offices)
    if owned_by(type(record), offices) is not None:
        return True  # an owned kind that no city owns (a delegation with no organizer's city)
    return _shared_may_change(record, offices)
