"""Staff preferences and the reminders sent to them (:mod:`registry.reminders` decides and sends)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

MANAGERS_GROUP = "Registry managers"

# The longest lead time of a reminder (``settings.REGISTRY_REMINDER_DAYS``, checked at start-up by
# :func:`registry.reminders.check_reminder_days`): ten years, well within PostgreSQL's smallint.
LEAD_DAYS_MAX = 3650


class StaffProfile(models.Model):
    """A member of staff's preferences: the language of the e-mails the registry sends them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registry_profile", verbose_name=_("user")
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("Language of the reminders e-mailed to this person (English or Korean)."),
    )

    class Meta:
        ordering = ["user__username", "id"]
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self):
        return str(self.user)


class SentReminder(models.Model):
    """One reminder e-mailed to one member of staff: what it was about (``subject``, e.g.
    ``agreement-12``), which date it announced (``due_on``) and how long before it
    (``lead_days``). The unique constraint is what makes each reminder go out once."""

    class Kind(models.TextChoices):
        EXPIRY = "expiry", _("expiry")
        NOTICE = "notice", _("notice deadline")
        ANNIVERSARY = "anniversary", _("anniversary")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    subject = models.CharField(
        _("subject"), max_length=100, help_text=_("What it concerns, e.g. “agreement-12” or “relations-KZ”.")
    )
    due_on = models.DateField(_("due on"), help_text=_("The date the reminder announces."))
    lead_days = models.PositiveSmallIntegerField(
        _("lead time (days)"), validators=[MinValueValidator(0), MaxValueValidator(LEAD_DAYS_MAX)]
    )
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "id"]
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "subject", "due_on", "lead_days"], name="reminder_sent_once"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.subject} ({self.due_on}, {self.lead_days})"
