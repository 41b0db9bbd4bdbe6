"""The JSON API at ``/api/v1/`` (Django REST Framework): ``views`` (viewsets; their base in
``views_base``), ``serializers`` (with ``serializers_records`` and ``serializers_network``),
``renderers`` (CSV, GeoJSON, iCalendar), ``pagination``, ``throttling``, ``filter_backends``,
``schema`` (OpenAPI), ``exceptions`` (error answers) and ``urls``.

Nothing is imported here: Django REST Framework imports the policy modules while it defines
its own views, before the viewsets can be imported.
"""
