from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    """The registry app: partner cities, partnerships, agreements, events, delegations."""

    name = "registry"
    verbose_name = _("City diplomacy registry")

    def ready(self):
        """Invalidate cached aggregates whenever a registry row changes."""
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from .cache import bump

        for model in self.get_models():
            post_save.connect(bump, sender=model, dispatch_uid=f"registry-cache-save-{model.__name__}")
            post_delete.connect(bump, sender=model, dispatch_uid=f"registry-cache-delete-{model.__name__}")
        m2m_changed.connect(bump, dispatch_uid="registry-cache-m2m")
