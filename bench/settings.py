"""Settings of the load run (``make bench``): the project's, with Django's floor view mounted
(``bench/urls.py``) so that gunicorn serves the floor and the pages in the same way."""

from diplomacy.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
