"""The admin index's work queue: for each kind of pending work, how many records and the admin
list that shows exactly them.

Each count is made by the same queryset method that the linked admin list's filter applies
(``publication``, ``sources__isnull``, ``confidence__in``, :meth:`CityQuerySet.possible_duplicate_ids`
through the city admin's "possible duplicate" filter, :meth:`AgreementQuerySet.expiring_between`,
:meth:`PartnershipQuerySet.with_last_activity`), so a count and its list agree. A fixed number of
queries whatever the data size (one per line, plus two for the anniversaries).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from . import anniversaries
from .models import Agreement, City, Delegation, Event, Partnership, Publication


@dataclass(frozen=True)
class Line:
    """One line of the queue: what, how many, where to see them."""

    label: str
    count: int
    url: str


def admin_list(model, **params) -> str:
    """The admin changelist of ``model`` with ``params`` as its filters."""
    url = reverse(f"admin:registry_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def lines(user, today: datetime.date) -> list[Line]:
    """The work queue for ``user`` on ``today``. Expiries look as far ahead as the longest
    reminder lead time (``REGISTRY_REMINDER_DAYS``); anniversaries 24 months, as their page."""
    horizon = today + datetime.timedelta(days=max(settings.REGISTRY_REMINDER_DAYS))
    queue = []
    for model in (Partnership, Agreement, Event, Delegation):
        queue.append(
            Line(
                _("Drafts waiting for review: %(records)s") % {"records": model._meta.verbose_name_plural},
                model.objects.filter(publication=Publication.DRAFT).count(),
                admin_list(model, publication__exact=Publication.DRAFT),
            )
        )
    for model in (Partnership, Agreement):
        queue.append(
            Line(
                _("Without a source: %(records)s") % {"records": model._meta.verbose_name_plural},
                model.objects.filter(sources__isnull=True).count(),
                admin_list(model, sources__isnull="True"),
            )
        )
    queue.append(
        Line(
            _("Partnerships of medium or low confidence"),
            Partnership.objects.filter(confidence__in=["medium", "low"]).count(),
            admin_list(Partnership, confidence__in="medium,low"),
        )
    )
    queue.append(
        Line(
            _("Possible duplicate cities"),
            len(City.objects.possible_duplicate_ids()),
            admin_list(City, possible_duplicate="1"),
        )
    )
    queue.append(
        Line(
            _("Agreements expiring by %(date)s") % {"date": horizon.isoformat()},
            Agreement.objects.expiring_between(today, horizon).count(),
            admin_list(
                Agreement,
                status__exact=Agreement.Status.IN_FORCE,
                automatic_renewal__exact="0",
                expires_on__gte=today.isoformat(),
                expires_on__lte=horizon.isoformat(),
            ),
        )
    )
    queue.append(
        Line(
            _("Round anniversaries in the next 24 months"),
            len(anniversaries.upcoming(user=user, start=today, partnerships=False)),
            reverse("registry:anniversary-list"),
        )
    )
    queue.append(
        Line(
            _("Dormant relations (no activity for %(years)s years)") % {"years": settings.REGISTRY_DORMANT_YEARS},
            Partnership.objects.with_last_activity(user, on=today).filter(dormant=True).count(),
            admin_list(Partnership, dormant="1"),
        )
    )
    return queue
