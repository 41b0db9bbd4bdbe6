"""Reminders e-mailed to the registry's managers: agreement expiries, notice deadlines and
round anniversaries, ``settings.REGISTRY_REMINDER_DAYS`` days ahead (e.g. 180, 90 and 30), each
once, in the recipient's language.

The daily job is :data:`send_reminders_task` (Django's tasks API through ``django-tasks``,
stored by ``django-tasks-db``); ``manage.py send_reminders`` enqueues it and the worker
(``manage.py db_worker``) runs it. Who gets them: active members of the "Registry managers" group
with an e-mail address; their language is their :class:`~registry.models.StaffProfile`'s
(English without one). What was sent is recorded in :class:`~registry.models.SentReminder`,
whose unique constraint makes each reminder go out once even when two runs overlap.

Which lead time applies: for a date ``d`` days away, the smallest lead time of at least ``d``
(with 180/90/30, a date 45 days away gets its 90-day reminder); a lead time already passed when
the date was recorded is not sent late, and each (date, lead time) goes out once.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import checks
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from . import anniversaries, dates
from .models import MANAGERS_GROUP, Agreement, SentReminder
from .models.reminders import LEAD_DAYS_MAX

logger = logging.getLogger(__name__)


def check_reminder_days(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """System check (id ``registry.E001``; ``manage.py check``, ``migrate`` and the servers run
    it): an error unless ``settings.REGISTRY_REMINDER_DAYS`` names at least one lead time and
    each is 0 to :data:`~registry.models.reminders.LEAD_DAYS_MAX` days. A lead time past 32,767
    days made the daily job fail on PostgreSQL only (``lead_days`` is a smallint there), and an
    empty list made it fail on both."""
    days = settings.REGISTRY_REMINDER_DAYS
    if days and all(0 <= lead <= LEAD_DAYS_MAX for lead in days):
        return []
    return [
        checks.Error(
            f"REGISTRY_REMINDER_DAYS is {','.join(map(str, days)) or 'empty'}.",
            hint=f"Name one or more lead times of 0 to {LEAD_DAYS_MAX} days, e.g. 180,90,30.",
            id="registry.E001",
        )
    ]


@dataclass(frozen=True)
class Due:
    """Something a reminder announces: ``kind`` (:class:`SentReminder.Kind`), a stable
    ``subject`` key, the date ``due_on`` at ``precision`` and the record it concerns."""

    kind: str
    subject: str
    due_on: datetime.date
    precision: str
    agreement: Agreement | None = None
    anniversary: anniversaries.Anniversary | None = None

    def lead_days(self, today: datetime.date) -> int | None:
        """The lead time this reminder goes out at on ``today`` (see the module), or ``None``
        when the date has passed or is further away than every lead time."""
        days_left = (self.due_on - today).days
        fitting = [lead for lead in settings.REGISTRY_REMINDER_DAYS if lead >= days_left]
        return min(fitting) if days_left >= 0 and fitting else None

    def message(self, today: datetime.date) -> tuple[str, str]:
        """``(subject, body)`` of the e-mail in the active language."""
        when = dates.partial_date(self.due_on, self.precision)
        days = (self.due_on - today).days
        if self.anniversary is not None:
            title = self.anniversary.title
            subject = _("Anniversary coming: %(title)s") % {"title": title}
            body = _("%(title)s: %(date)s, in %(days)s days.") % {"title": title, "date": when, "days": days}
        else:
            title = self.agreement.title
            link = urljoin(
                settings.REGISTRY_SITE_URL, reverse("admin:registry_agreement_change", args=[self.agreement.pk])
            )
            if self.kind == SentReminder.Kind.EXPIRY:
                subject = _("Agreement expiring: %(title)s") % {"title": title}
                body = _("“%(title)s” expires on %(date)s, in %(days)s days.")
            else:
                subject = _("Notice deadline: %(title)s") % {"title": title}
                body = _("The last day to give notice for “%(title)s” is %(date)s, in %(days)s days.")
            body = body % {"title": title, "date": when, "days": days} + "\n\n" + link
        return subject, body


def agreements_due(today: datetime.date) -> list[Due]:
    """Expiries (of agreements that do not renew themselves) and notice deadlines of agreements
    in force within the longest lead time from ``today``. Drafts count: managers see them."""
    horizon = today + datetime.timedelta(days=max(settings.REGISTRY_REMINDER_DAYS))
    found = []
    for agreement in Agreement.objects.with_term_dates().order_by("pk"):
        if not agreement.automatic_renewal and today <= agreement.expires_on <= horizon:
            found.append(
                Due(SentReminder.Kind.EXPIRY, f"agreement-{agreement.pk}", agreement.expires_on, "day", agreement)
            )
        deadline = agreement.notice_deadline(today)
        if deadline is not None and today <= deadline <= horizon:
            found.append(Due(SentReminder.Kind.NOTICE, f"agreement-{agreement.pk}", deadline, "day", agreement))
    return found


def anniversaries_due(today: datetime.date, user) -> list[Due]:
    """Round anniversaries ``user`` may see within the longest lead time from ``today``."""
    horizon = today + datetime.timedelta(days=max(settings.REGISTRY_REMINDER_DAYS))
    return [
        Due(SentReminder.Kind.ANNIVERSARY, f"{item.subject}-{item.years}", item.on, item.precision, anniversary=item)
        for item in anniversaries.upcoming(user=user, start=today, end=horizon)
    ]


def recipients():
    """Active members of the managers group with an e-mail address, with their profile."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=MANAGERS_GROUP)
        .exclude(email="")
        .select_related("registry_profile")
        .distinct()
        .order_by("pk")
    )


def send_due_reminders(today: datetime.date) -> int:
    """Send every reminder due on ``today`` that was not sent before; return how many were sent.

    Each one is recorded and sent inside one transaction: if sending fails the record is rolled
    back and the next run tries again; if another run recorded it first, it is skipped.
    """
    sent = 0
    agreements = agreements_due(today)
    for user in recipients():
        profile = getattr(user, "registry_profile", None)
        language = profile.language if profile else "en"
        for due in [*agreements, *anniversaries_due(today, user)]:
            lead = due.lead_days(today)
            if lead is None:
                continue
            key = {"recipient": user, "kind": due.kind, "subject": due.subject, "due_on": due.due_on, "lead_days": lead}
            if SentReminder.objects.filter(**key).exists():
                continue
            try:
                with transaction.atomic():
                    SentReminder.objects.create(**key)
                    with translation.override(language):
                        subject, body = due.message(today)
                    send_mail(subject, body, None, [user.email])
            except IntegrityError:
                continue
            sent += 1
    logger.info("Sent %s reminder(s) for %s.", sent, today)
    return sent


@task()
def send_reminders_task(day: str | None = None) -> int:
    """The daily job: :func:`send_due_reminders` for ``day`` (ISO date; today when ``None``)."""
    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    return send_due_reminders(today)
