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

    #: The columns a citation shows: a page's list of sources and its inline ``[Title; Title]``,
    #: the API's source summary (``SourceSummarySerializer``).
    CITED_FIELDS = ("slug", "title", "publisher", "url", "published_on")

    def cited(self) -> SourceQuerySet:
        """Sources as the records citing them show them: only :attr:`CITED_FIELDS` (and the key),
        for the prefetches of the pages and the API; the other columns, two timestamps among
        them that SQLite gives as text to parse, were a tenth of a cold ``/api/v1/cities/``. A
        template or serializer that reads another column costs a query per source (the query
        counts' tests)."""
        return self.only(*self.CITED_FIELDS)

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


def cited_sources(lookup: str = "sources") -> models.Prefetch:
    """The prefetch of a record's sources (or its stages' or claims': ``lookup``, e.g.
    ``"claims__sources"``) as the pages and the API show them: :meth:`SourceQuerySet.cited`, in
    the model's order (title, then slug)."""
    return models.Prefetch(lookup, queryset=Source.objects.cited())
