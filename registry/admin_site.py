"""The staff admin's site: the registry's models first on the index and in the navigation,
then Django's own (users and groups, tokens, login lockouts, background tasks).

Installed as the default admin site by :class:`registry.apps.RegistryAdminConfig` (in
``INSTALLED_APPS`` in place of ``django.contrib.admin``), as Django's documentation describes
for overriding the default admin site; every ``admin.register`` uses it unchanged.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

# Apps and models whose own names say little to the office's staff and come untranslated
# (django-axes, django-tasks-db): the names the index and the navigation show instead.
APP_NAMES = {"axes": _("Login lockouts"), "django_tasks_database": _("Background tasks")}
MODEL_NAMES = {
    ("axes", "AccessAttempt"): _("Access attempts"),
    ("axes", "AccessLog"): _("Sign-ins"),
    ("axes", "AccessFailureLog"): _("Failed sign-ins"),
    ("django_tasks_database", "DBTaskResult"): _("Task results"),
}


class RegistryAdminSite(admin.AdminSite):
    """The default admin site with the ``registry`` app listed first."""

    def get_app_list(self, request, app_label=None):
        """Django's app list with the registry first, the others in their usual order, and the
        names of :data:`APP_NAMES` and :data:`MODEL_NAMES` in the staff member's language."""
        apps = super().get_app_list(request, app_label)
        for app in apps:
            app["name"] = APP_NAMES.get(app["app_label"], app["name"])
            for model in app["models"]:
                model["name"] = MODEL_NAMES.get((app["app_label"], model["object_name"]), model["name"])
        return sorted(apps, key=lambda app: app["app_label"] != "registry")
