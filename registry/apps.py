from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


def _through_row_str(row) -> str:
    """A many-to-many link row as staff read it: “Busan – Busan press release of 2022-09-21”
    (the two records' own ``str``; one query each when they are not loaded yet)."""
    names = [field.name for field in row._meta.fields if field.is_relation]
    return " – ".join(str(getattr(row, name)) for name in names)


def name_through_rows(through) -> None:
    """Give a Django-made many-to-many link model (``City_sources``) a readable ``str`` and
    names for the admin's delete confirmation: “city – source” instead of “City_sources object
    (244)” and “city-source relationship”. Models with a declared ``through`` are left alone."""
    if not through._meta.auto_created:
        return
    source, target = (field.related_model._meta for field in through._meta.fields if field.is_relation)
    through.__str__ = _through_row_str
    through._meta.verbose_name = format_lazy("{} – {}", source.verbose_name, target.verbose_name)
    through._meta.verbose_name_plural = format_lazy("{} – {}", source.verbose_name, target.verbose_name_plural)


# Choice fields with at most this many values name them in their error; longer lists (countries,
# currencies, time zones) keep their own message.
LISTED_CHOICES = 20


#: The refusal of a country that is no ISO 3166-1 code (imports and every ``full_clean``).
COUNTRY_CODE_INVALID = _(
    "“%(value)s” is not an ISO 3166-1 country code: write one such as KZ (alpha-2), KAZ (alpha-3) or 398 (numeric)."
)


def listed_choices(choices) -> str | None:
    """The values of ``choices`` (Django's ``(value, label)`` pairs) as an error names them,
    ``"sister, friendship"``, or ``None`` for a list longer than :data:`LISTED_CHOICES`. Read by
    the models' fields (:func:`list_choices_in_errors`), the lists' filters
    (:meth:`registry.filters.RegistryFilterSet.get_form_class`) and the API's fields
    (:meth:`registry.api.serializers.RegistrySerializer.build_field`)."""
    values = [str(value) for value, _label in choices if value not in ("", None)]
    if not values or len(values) > LISTED_CHOICES:
        return None
    return ", ".join(values)


def list_choices_in_errors(model) -> None:
    """Make the "not a valid choice" error of each of ``model``'s choice fields name the values
    it takes: “friend” is not one of: sister, friendship, … (Django's says only “Value 'friend' is
    not a valid choice.”). Read by the admin, imports and every ``full_clean``. A country
    (django-countries' ``CountryField``, 249 values) says which codes it takes instead: “XX” is
    not an ISO 3166-1 country code (Django's “Value 'XX' is not a valid choice.” left an
    importer guessing; adversarial probe)."""
    from django_countries.fields import CountryField

    for field in model._meta.concrete_fields:
        if isinstance(field, CountryField):
            field.error_messages = {**field.error_messages, "invalid_choice": COUNTRY_CODE_INVALID}
            continue
        choices = field.choices
        if not isinstance(choices, (list, tuple)) or not (values := listed_choices(field.flatchoices)):
            continue
        field.error_messages = {
            **field.error_messages,
            "invalid_choice": format_lazy(_("“%(value)s” is not one of: {values}."), values=values),
        }


class RegistryConfig(AppConfig):
    """The registry app: partner cities, partnerships, agreements, events, delegations."""

    name = "registry"
    verbose_name = _("City diplomacy registry")

    def ready(self):
        """Connect the one change receiver (:func:`registry.cache.record_change`) to every save,
        delete and many-to-many change of a registry model (their change history included), with
        :func:`registry.cache.remember_publication` on each model with a ``publication`` (so a
        draft's change leaves the public generation alone), name the many-to-many link rows
        (:func:`name_through_rows`), register the deployment check of the shared cache
        (:func:`registry.cache.check_shared_cache`), the check of the reminders' lead times
        (:func:`registry.reminders.check_reminder_days`), SQLite's functions
        (:func:`registry.models.search.register_sqlite_functions`) and, for the development
        server, :func:`registry.cache.forget_release` to each file it sees change."""
        from django.core import checks
        from django.db.backends.signals import connection_created
        from django.db.models.signals import m2m_changed, post_delete, post_init, post_save
        from django.utils.autoreload import file_changed

        from .cache import check_shared_cache, forget_release, record_change, remember_publication
        from .models.search import register_sqlite_functions
        from .reminders import check_reminder_days

        checks.register(check_shared_cache, checks.Tags.caches, deploy=True)
        checks.register(check_reminder_days)
        connection_created.connect(register_sqlite_functions, dispatch_uid="registry-sqlite-functions")
        file_changed.connect(forget_release, dispatch_uid="registry-forget-release")

        for model in self.get_models():
            list_choices_in_errors(model)
            post_save.connect(record_change, sender=model, dispatch_uid=f"registry-change-save-{model.__name__}")
            post_delete.connect(record_change, sender=model, dispatch_uid=f"registry-change-delete-{model.__name__}")
            if any(field.name == "publication" for field in model._meta.concrete_fields):
                post_init.connect(remember_publication, sender=model, dispatch_uid=f"registry-pub-{model.__name__}")
        for model in self.get_models():
            for field in model._meta.many_to_many:
                through = field.remote_field.through
                name_through_rows(through)
                m2m_changed.connect(
                    record_change, sender=through, dispatch_uid=f"registry-change-m2m-{through.__name__}"
                )


class RegistryAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with :class:`registry.admin_site.RegistryAdminSite` as its site
    (named in ``INSTALLED_APPS``; not this module's default config)."""

    default = False
    default_site = "registry.admin_site.RegistryAdminSite"
