from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    """The registry app: partner cities, partnerships, agreements, events, delegations."""

    name = "registry"
    verbose_name = _("City diplomacy registry")
