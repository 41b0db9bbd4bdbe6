"""The filter backend of every API list (the FilterSets of :mod:`registry.filters`), set once in
``settings.REST_FRAMEWORK``."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, serializers

from ..filter_parameters import api_parameters


class RegistryFilterBackend(DjangoFilterBackend):
    """The FilterSets of :mod:`registry.filters`, on lists; invalid values and unknown parameters
    answer 400 naming the parameter and the rule (the form error's code, e.g. ``invalid_choice``,
    ``unknown_parameter``). A record (detail, update, delete) is found by its key among those the
    user may see, whatever the query string: DRF would otherwise filter it with the list's
    parameters."""

    def get_filterset_kwargs(self, request, queryset, view):
        """The FilterSet's arguments, with the parameters the API reads itself (``format``,
        ``lang``: :func:`registry.filter_parameters.api_parameters`; the paginator's ``page`` and
        ``page_size``) as its ``other_params``."""
        paginator = getattr(view, "paginator", None)
        other_params = [
            *api_parameters(),
            getattr(paginator, "page_query_param", None),
            getattr(paginator, "page_size_query_param", None),
        ]
        return {
            **super().get_filterset_kwargs(request, queryset, view),
            "other_params": [name for name in other_params if name],
        }

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", "list") != "list":
            return queryset
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
