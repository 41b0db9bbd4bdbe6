"""The staff admin's site: the registry's models first on the index and in the navigation,
then Django's own (users and groups, tokens, login lockouts, background tasks).

Installed as the default admin site by :class:`registry.apps.RegistryAdminConfig` (in
``INSTALLED_APPS`` in place of ``django.contrib.admin``), as Django's documentation describes
for overriding the default admin site; every ``admin.register`` uses it unchanged.
"""

from django.contrib import admin


class RegistryAdminSite(admin.AdminSite):
    """The default admin site with the ``registry`` app listed first."""

    def get_app_list(self, request, app_label=None):
        """Django's app list with the registry first, the others in their usual order."""
        apps = super().get_app_list(request, app_label)
        return sorted(apps, key=lambda app: app["app_label"] != "registry")
