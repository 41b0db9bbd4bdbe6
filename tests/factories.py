"""factory_boy factories for registry models."""

import datetime

import factory
from django.contrib.auth import get_user_model

from registry import models


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Source

    slug = factory.Sequence(lambda n: f"source-{n}")
    title = factory.Sequence(lambda n: f"Source {n}")
    url = factory.Sequence(lambda n: f"https://example.org/source/{n}")


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.City

    slug = factory.Sequence(lambda n: f"city-{n}")
    name_en = factory.Sequence(lambda n: f"City {n}")
    country = "JP"
    latitude = "35.00000"
    longitude = "135.00000"


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Partnership

    publication = models.Publication.PUBLISHED
    city = factory.SubFactory(CityFactory, slug=factory.Sequence(lambda n: f"home-{n}"), country="KR")
    partner = factory.SubFactory(CityFactory)
    kind = models.Partnership.Kind.SISTER
    established_on = datetime.date(2000, 1, 1)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organization

    slug = factory.Sequence(lambda n: f"org-{n}")
    name_en = factory.Sequence(lambda n: f"Organization {n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Person

    slug = factory.Sequence(lambda n: f"person-{n}")
    name_en = factory.Sequence(lambda n: f"Person {n}")


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Agreement

    publication = models.Publication.PUBLISHED
    slug = factory.Sequence(lambda n: f"agreement-{n}")
    title_en = factory.Sequence(lambda n: f"Agreement {n}")
    kind = models.Agreement.Kind.MOU
    signed_on = datetime.date(2010, 5, 1)
    place = factory.SubFactory(CityFactory)


class DelegationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Delegation

    publication = models.Publication.PUBLISHED
    slug = factory.Sequence(lambda n: f"delegation-{n}")
    name_en = factory.Sequence(lambda n: f"Delegation {n}")
    kind = models.Delegation.Kind.OFFICIAL
    organizer = factory.SubFactory(OrganizationFactory)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Event

    publication = models.Publication.PUBLISHED
    slug = factory.Sequence(lambda n: f"event-{n}")
    title_en = factory.Sequence(lambda n: f"Event {n}")
    kind = models.Event.Kind.OFFICIAL_VISIT
    start_on = datetime.date(2015, 3, 1)
    city = factory.SubFactory(CityFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("not-a-real-password-123")
