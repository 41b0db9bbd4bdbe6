"""Claims: the values that sources give for one fact of a partnership, an agreement or an event."""

from __future__ import annotations

import datetime

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..dates import partial_date
from ..text import localized
from .base import TEXT_MAX, RegistryModel, rule, unique
from .partnerships import Partnership
from .sources import Source

# The records a claim can be about (the claim's foreign keys), one of them per claim.
CLAIM_TARGETS = ("partnership", "agreement", "event")


class ClaimManager(models.Manager):
    def get_by_natural_key(self, target, *key):
        """``("partnership", city, partner, kind, established_on, fact, value)``, or
        ``("agreement" | "event", slug, fact, value)``: see :meth:`Claim.natural_key`."""
        from django.apps import apps

        *target_key, fact, value = key
        model = apps.get_model("registry", target)
        return self.get(**{target: model._default_manager.get_by_natural_key(*target_key)}, fact=fact, value=value)


class Claim(RegistryModel):
    """A value that sources claim for one fact of a partnership, an agreement or an event, with
    those sources: the citation of that fact.

    One claim for a fact names the sources that support it (the established date and its
    sources). Where sources disagree (Los Angeles: 1967-12-18 in Busan's list, 1971-04-05 on Los
    Angeles' page; the Almaty signing: Almaty City Hall, Caspian University or the temporary city
    hall), each claimed value is a row and one is ``preferred`` (the value the record holds);
    public pages say “sources differ” and list them all, the API lists them as ``claims``.
    Exactly one of ``partnership``, ``agreement`` and ``event`` is set (a database rule).
    """

    class Fact(models.TextChoices):
        ESTABLISHED_ON = "established_on", _("established on")
        KIND = "kind", _("kind")
        COUNTERPART = "counterpart", _("counterpart")
        SIGNED_ON = "signed_on", _("signed on")
        START_ON = "start_on", _("start date")
        VENUE = "venue", _("venue")

    # What each kind of record can have claims about: target field → facts.
    TARGET_FACTS = {
        "partnership": {Fact.ESTABLISHED_ON, Fact.KIND, Fact.COUNTERPART},
        "agreement": {Fact.SIGNED_ON, Fact.KIND, Fact.VENUE, Fact.COUNTERPART},
        "event": {Fact.START_ON, Fact.KIND, Fact.VENUE},
    }

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name=_("partnership"),
    )
    agreement = models.ForeignKey(
        "registry.Agreement",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name=_("agreement"),
    )
    event = models.ForeignKey(
        "registry.Event",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name=_("event"),
    )
    fact = models.CharField(_("fact"), max_length=20, choices=Fact.choices)
    value = models.CharField(
        _("claimed value"), max_length=200, help_text=_("As the source gives it; a date as YYYY-MM-DD.")
    )
    preferred = models.BooleanField(_("preferred"), default=False, help_text=_("The value the record holds."))
    note_en = models.TextField(_("note (English)"), max_length=TEXT_MAX, blank=True)
    note_ko = models.TextField(_("note (Korean)"), max_length=TEXT_MAX, blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="claims", verbose_name=_("sources"))

    objects = ClaimManager()

    class Meta:
        ordering = ["fact", "-preferred", "value", "id"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        constraints = [
            rule(
                "claim_exactly_one_target",
                Q(partnership__isnull=False, agreement__isnull=True, event__isnull=True)
                | Q(partnership__isnull=True, agreement__isnull=False, event__isnull=True)
                | Q(partnership__isnull=True, agreement__isnull=True, event__isnull=False),
                _("A claim is about exactly one partnership, agreement or event."),
                "fact",
            ),
            *(
                constraint
                for target in CLAIM_TARGETS
                for constraint in (
                    unique(
                        f"claim_one_value_per_{target}_fact",
                        target,
                        "fact",
                        "value",
                        message=_("This value of this fact is already claimed; add the source to it."),
                        field="value",
                    ),
                    unique(
                        f"claim_one_preferred_per_{target}_fact",
                        target,
                        "fact",
                        condition=Q(preferred=True),
                        message=_("Only one claimed value of a fact can be preferred."),
                        field="preferred",
                    ),
                )
            ),
        ]

    def __str__(self):
        return f"{self.get_fact_display()}: {self.value}"

    @property
    def target_name(self) -> str | None:
        """``"partnership"``, ``"agreement"`` or ``"event"``: the field that is set (``None`` if none)."""
        return next((name for name in CLAIM_TARGETS if getattr(self, f"{name}_id") is not None), None)

    def natural_key(self):
        """The target's model name and natural key, then the fact and the value, e.g.
        ``("event", "busan-almaty-signing-ceremony-2022", "venue", "Almaty City Hall")``."""
        target = self.target_name
        key = getattr(self, target).natural_key()
        return (target, *key, self.fact, self.value)

    natural_key.dependencies = ["registry.partnership", "registry.agreement", "registry.event", "registry.source"]

    def clean(self):
        """Refuse a fact that its record does not have (``ValidationError`` on ``fact``, code
        ``claim_fact_of_target``), e.g. a venue of a partnership; and a value that is not of the
        fact's form (on ``value``, code ``claim_value_form``): a date as ``YYYY-MM-DD``, a kind as
        one of the record's kinds (``sister``, ``friendship``, ...)."""
        target = self.target_name
        if target and self.fact and self.fact not in self.TARGET_FACTS[target]:
            raise ValidationError(
                {
                    "fact": ValidationError(
                        _("A claim about %(target)s cannot be about its %(fact)s."),
                        code="claim_fact_of_target",
                        params={"target": target, "fact": self.get_fact_display()},
                    )
                }
            )
        field = self.fact_field
        if field is None or not self.value:
            return
        if isinstance(field, models.DateField) and self.claimed_date is None:
            message = _("Give the claimed date as YYYY-MM-DD.")
        elif field.choices and self.value not in dict(field.flatchoices):
            message = _("Give one of: %(choices)s.") % {"choices": ", ".join(dict(field.flatchoices))}
        else:
            return
        raise ValidationError({"value": ValidationError(message, code="claim_value_form")})

    @property
    def fact_field(self) -> models.Field | None:
        """The field of the target record that holds the fact (``None`` for a fact no field holds,
        e.g. the counterpart, or without a target)."""
        target = self.target_name
        if target is None:
            return None
        try:
            return self._meta.get_field(target).related_model._meta.get_field(self.fact)
        except FieldDoesNotExist:
            return None

    @property
    def claimed_date(self) -> datetime.date | None:
        """The value as a date, for a date fact given as ``YYYY-MM-DD`` (else ``None``)."""
        if not isinstance(self.fact_field, models.DateField):
            return None
        try:
            return datetime.date.fromisoformat(self.value)
        except ValueError:
            return None

    @property
    def value_display(self) -> str:
        """The value for readers: a date in words (“18 December 1967”), a kind by its label
        (“sister city”), anything else as given."""
        field = self.fact_field
        if self.claimed_date is not None:
            return partial_date(self.claimed_date)
        if field is not None and field.choices:
            return str(dict(field.flatchoices).get(self.value, self.value))
        return self.value

    @property
    def note(self) -> str:
        """Note in the active language."""
        return localized(self, "note")
