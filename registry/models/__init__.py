"""Domain model of the City Diplomacy Registry, one module per aggregate.

Terms follow the field: a *partnership* joins two cities as *sister cities* or
*friendship cities*; it rests on *agreements* (sister city agreement, memorandum of
understanding, ...) signed by *signatories*; *delegations* travel an *itinerary* and
report *outcomes*; *events* record ceremonies, visits and anniversaries. Every fact
cites its *sources*.

========================  ==================================================================
``base``                  abstract bases, ``rule()``/``unique()`` constraints, dates and their
                          precision, publication (draft/published), confidence
``search``                :class:`WordSearchMixin` (word search, every script, both databases)
``choices``               ``get_<field>_display()``: labels translated once per field and language
``slugs``                 ``slug__slug_form``: the table's ``CHECK`` of a slug's form (``slug_rule()``)
``sources``               :class:`Source` and the abstract :class:`SourcedModel`
``cities``                :class:`City`, :class:`CityName` (former names, aliases), ``home_city()``
``people``                :class:`Organization`, :class:`Person`, the participant shape
``partnerships``          :class:`Partnership`, :class:`PartnershipStage`,
                          :class:`CooperationField`
``agreements``            :class:`Agreement`, :class:`Signatory`
``delegations``           :class:`Delegation`, members, :class:`ItineraryStop`, :class:`Outcome`
``events``                :class:`Event`, :class:`EventParticipant`
``claims``                :class:`Claim` (a value sources give for a fact of a record)
``offices``               :class:`OfficeAssignment` (staff limited to home cities), ``may_change()``
``wikidata``              :class:`WikidataProposal` (a Wikidata file compared with the registry)
``imports``               :class:`ImportJob` (a spreadsheet imported in the background)
========================  ==================================================================
"""

from .agreements import DOCUMENT_MAX_BYTES, Agreement, AgreementQuerySet, Signatory, SignatoryManager, validate_pdf
from .base import (
    CONSTRAINT_FIELDS,
    HISTORY,
    TEXT_MAX,
    Confidence,
    CountryQuerySetMixin,
    DatePrecision,
    Publication,
    PublishableMixin,
    PublishableQuerySet,
    ReferencedByManyMixin,
    RegistryModel,
    RegistryQuerySet,
    SluggedModel,
    SluggedQuerySet,
    publication_field,
    referenced_by_public,
    rule,
    same_period,
    truncate_to_precision,
    unique,
)
from .cities import City, CityName, CityNameManager, CityQuerySet, home_city
from .claims import Claim
from .delegations import (
    Delegation,
    DelegationMember,
    DelegationMemberManager,
    DelegationQuerySet,
    ItineraryStop,
    Outcome,
    validate_currency,
)
from .events import Event, EventParticipant, EventParticipantManager, EventQuerySet
from .imports import ImportJob, ImportJobQuerySet
from .offices import OfficeAssignment, may_change, office_city_ids
from .partnership_queries import PartnershipManager, PartnershipQuerySet, home_is_partner, other_side
from .partnerships import (
    CooperationField,
    CooperationFieldQuerySet,
    Partnership,
    PartnershipStage,
)
from .people import OrderedChildManager, Organization, ParticipantFields, Person
from .reminders import MANAGERS_GROUP, SentReminder, StaffProfile
from .search import WordSearchMixin
from .sources import Source, SourcedModel, cited_sources
from .wikidata import WikidataProposal

__all__ = [
    "ImportJob",
    "ImportJobQuerySet",
    "WikidataProposal",
    "OfficeAssignment",
    "may_change",
    "office_city_ids",
    "CONSTRAINT_FIELDS",
    "DOCUMENT_MAX_BYTES",
    "HISTORY",
    "TEXT_MAX",
    "Agreement",
    "AgreementQuerySet",
    "City",
    "Claim",
    "CityName",
    "CityNameManager",
    "CityQuerySet",
    "Confidence",
    "CooperationField",
    "CooperationFieldQuerySet",
    "CountryQuerySetMixin",
    "DatePrecision",
    "Delegation",
    "DelegationMember",
    "DelegationMemberManager",
    "DelegationQuerySet",
    "Event",
    "EventParticipant",
    "EventParticipantManager",
    "EventQuerySet",
    "ItineraryStop",
    "MANAGERS_GROUP",
    "OrderedChildManager",
    "Organization",
    "Outcome",
    "ParticipantFields",
    "Partnership",
    "PartnershipManager",
    "PartnershipQuerySet",
    "PartnershipStage",
    "Person",
    "Publication",
    "PublishableMixin",
    "PublishableQuerySet",
    "ReferencedByManyMixin",
    "RegistryModel",
    "RegistryQuerySet",
    "SentReminder",
    "Signatory",
    "SignatoryManager",
    "SluggedModel",
    "SluggedQuerySet",
    "Source",
    "SourcedModel",
    "StaffProfile",
    "WordSearchMixin",
    "cited_sources",
    "home_city",
    "home_is_partner",
    "other_side",
    "publication_field",
    "referenced_by_public",
    "rule",
    "same_period",
    "truncate_to_precision",
    "unique",
    "validate_currency",
    "validate_pdf",
]
