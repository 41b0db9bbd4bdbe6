"""The project's URLs plus Django's floor for the benchmark: a minimal view rendering the base template."""

from django.shortcuts import render
from django.urls import path

from diplomacy.urls import urlpatterns as project_urlpatterns


def floor(request):
    """No query, no context: what any page costs at least."""
    return render(request, "base.html")


urlpatterns = [path("__floor__/", floor), *project_urlpatterns]
