"""Sources: what every fact rests on, and the base of records that cite them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..dates import validate_in_range
from .base import (
    ReferencedByManyMixin,
    RemarksModel,
    SluggedModel,
    SluggedQuerySet,
    referenced_by_public,
    staff_notes_field,
    unique,
)
from .search import WordSearchMixin
from .slugs import slug_rule

# --------------------------------------------------------------------------- sources


class SourceQuerySet(WordSearchMixin, SluggedQuerySet):
    """A source is public when a public record cites it: a published partnership, agreement,
    event or delegation, or a public city, organization or person."""

    search_fields = ("title", "publisher", "url")

    def public(self) -> SourceQuerySet:
        """Sources anyone may see (see the class docstring)."""
        return self.filter(
            referenced_by_public(
                ("Partnership", "sources"),
                ("Agreement", "sources"),
                ("Event", "sources"),
                ("Delegation", "sources"),
                ("City", "sources"),
                ("Organization", "sources"),
                ("Person", "sources"),
            )
        )


class Source(RemarksModel, ReferencedByManyMixin, SluggedModel):
    """What a fact rests on: a publication, web page or dataset."""

    title = models.CharField(_("title"), max_length=500)
    publisher = models.CharField(_("publisher"), max_length=300, blank=True)
    url = models.URLField(_("URL"), max_length=1000, blank=True, help_text=_("Where it was published."))
    published_on = models.DateField(_("published on"), null=True, blank=True, validators=[validate_in_range])
    language = models.CharField(
        _("language"),
        max_length=16,
        blank=True,
        help_text=_("BCP 47 language tag of the source, e.g. “en”, “ko”, “ru”."),
    )
    notes = staff_notes_field()

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["title", "slug"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            slug_rule("source"),
            unique(
                "source_url_unique",
                fields=["url"],
                condition=~Q(url=""),
                message=_("Another source already has this URL."),
                field="url",
            ),
        ]

    def __str__(self):
        return self.title


class SourcedModel(SluggedModel):
    """Abstract base for records that cite sources."""

    sources = models.ManyToManyField(
        Source,
        blank=True,
        related_name="%(class)s_records",
        verbose_name=_("sources"),
        help_text=_("Every fact needs at least one source."),
    )

    class Meta:
        abstract = True
