from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    """The registry app: partner cities, partnerships, agreements, events, delegations."""

    name = "registry"
    verbose_name = _("City diplomacy registry")

    def ready(self):
        """Connect the one change receiver (:func:`registry.cache.record_change`) to every save,
        delete and many-to-many change of a registry model (their change history included)."""
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from .cache import record_change

        for model in self.get_models():
            post_save.connect(record_change, sender=model, dispatch_uid=f"registry-change-save-{model.__name__}")
            post_delete.connect(record_change, sender=model, dispatch_uid=f"registry-change-delete-{model.__name__}")
        for model in self.get_models():
            for field in model._meta.many_to_many:
                through = field.remote_field.through
                m2m_changed.connect(
                    record_change, sender=through, dispatch_uid=f"registry-change-m2m-{through.__name__}"
                )


class RegistryAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with :class:`registry.admin_site.RegistryAdminSite` as its site
    (named in ``INSTALLED_APPS``; not this module's default config)."""

    default = False
    default_site = "registry.admin_site.RegistryAdminSite"
