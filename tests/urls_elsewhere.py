"""A URLconf that mounts the pages under ``/elsewhere/`` (tests/test_paths.py)."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

urlpatterns = i18n_patterns(path("elsewhere/", include("registry.urls")), prefix_default_language=False)
