"""The filter backend of every API list (the FilterSets of :mod:`registry.filters`), set once in
``settings.REST_FRAMEWORK``."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, serializers


class RegistryFilterBackend(DjangoFilterBackend):
    """The FilterSets of :mod:`registry.filters`; invalid values answer 400 naming the parameter
    and the rule (the form error's code)."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            errors = {
                name: [serializers.ErrorDetail(" ".join(e.messages), code=e.code or "invalid") for e in errs]
                for name, errs in filterset.form.errors.as_data().items()
            }
            raise exceptions.ValidationError(errors)
        return filterset.qs
