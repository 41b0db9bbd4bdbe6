# City Diplomacy Registry. `make run` serves the site; `make test` checks everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/diplomacy
PYTEST_ARGS ?= -n 2
export DJANGO_SETTINGS_MODULE := diplomacy.settings
# Python keeps compiled modules in __pycache__ (git ignores them) even where the environment sets
# PYTHONDONTWRITEBYTECODE: without them every manage.py command compiles some 1,000 modules again
# (3-4 s of CPU each), which makes `make run` much slower on a fresh clone.
unexport PYTHONDONTWRITEBYTECODE

# uv installs the dependencies of pyproject.toml exactly as uv.lock pins them, from PyPI (uv reads
# neither pip's configuration nor its indexes). The uv pinned here is bootstrapped with pip into
# .tools/: with $(PYTHON)'s own pip when it has one (seconds), else with the pip of a small virtualenv.
# uv makes .venv with $(PYTHON) and never downloads a Python of its own.
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
UV_EXPORT := $(UV) export --frozen --quiet --format requirements-txt --no-hashes --no-header --no-annotate

.PHONY: audit bench install requirements run serve test lint check migrations-check pytest-sqlite pytest-postgres messages browser fixtures clean

$(TOOLS)/.uv-$(UV_VERSION):
	rm -rf $(TOOLS)
	PIP_ROOT_USER_ACTION=ignore $(PYTHON) -m pip install --quiet --disable-pip-version-check --target $(TOOLS) uv==$(UV_VERSION) \
	  || { rm -rf $(TOOLS) && $(PYTHON) -m venv $(TOOLS) \
	       && $(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION); }
	touch $@

# Both dependency groups (runtime and dev), exactly as locked: anything else in .venv is removed.
$(VENV)/.synced: uv.lock pyproject.toml | $(TOOLS)/.uv-$(UV_VERSION)
	$(UV) sync --locked --quiet --python $(PYTHON)
	touch $@

install: $(VENV)/.synced

# requirements.txt is exported from uv.lock (the runtime, then what development and tests add);
# `make requirements` writes it and `make lint` fails when it differs. To change a dependency,
# edit pyproject.toml, then run `.tools/bin/uv lock` and `make requirements`.
define export_requirements
runtime="$$($(UV_EXPORT) --no-dev)" && \
printf '%s\n' "# Exported from uv.lock by 'make requirements': edit pyproject.toml, not this file." "" \
  "# Runtime" "$$runtime" "" "# Development and tests" && \
$(UV_EXPORT) --only-dev | grep -v -E "^($$(printf '%s\n' "$$runtime" | sed 's/[=; ].*//' | paste -sd '|'))[=; ]"
endef

requirements: | $(TOOLS)/.uv-$(UV_VERSION)
	@{ $(export_requirements); } > requirements.txt

# Compile the translation catalogues (gettext's msgfmt; installed from Debian if missing).
messages: install
	@command -v msgfmt >/dev/null || (apt-get update -qq && apt-get install -y -qq gettext >/dev/null)
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=$(TOOLS) -v0

# The browser tests drive Debian's Chromium (never a downloaded browser); Korean text needs CJK fonts.
browser:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null)

# The catalogues and the static files need no database: they are made beside migrate (2nd core).
run: install
	set -e; \
	$(MAKE) --no-print-directory messages & messages=$$!; \
	$(BIN)/python manage.py collectstatic --no-input -v0 & static=$$!; \
	$(BIN)/python manage.py migrate --no-input; \
	$(BIN)/python manage.py load_shipped_data; \
	wait $$messages; wait $$static
	@echo ""
	@echo "To sign in to /admin/, create a staff account:  $(BIN)/python manage.py createsuperuser"
	@echo "Serving on http://127.0.0.1:$(PORT)/ (admin: http://127.0.0.1:$(PORT)/admin/), with the task worker"
	@# The task worker beside the site (large imports, reminders): stopped with it, after its task.
	$(BIN)/python manage.py db_worker --queue-name '*' --no-reload -v0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Production mode: gunicorn, DEBUG off, hashed static files served by WhiteNoise, JSON logs.
# Uses DATABASE_URL (PostgreSQL in production) and REDIS_URL for the shared cache when set.
# Workers, threads, connections per worker and the timeout: gunicorn.conf.py (WORKERS, THREADS,
# WORKER_CONNECTIONS, GUNICORN_TIMEOUT from the environment or make's command line).
export WORKERS THREADS WORKER_CONNECTIONS GUNICORN_TIMEOUT
serve: messages
	@test -n "$$SECRET_KEY" || test -f .secret_key || (umask 077; $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(64))" > .secret_key)
	export DEBUG=false LOG_FORMAT=json SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-false} SECRET_KEY="$${SECRET_KEY:-$$(cat .secret_key)}"; \
	$(BIN)/python manage.py migrate --no-input -v0 && \
	$(BIN)/python manage.py collectstatic --no-input -v0 && \
	{ $(BIN)/python manage.py db_worker --queue-name '*' --no-reload -v0 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; } && \
	$(BIN)/gunicorn diplomacy.wsgi --config gunicorn.conf.py --bind 127.0.0.1:$(PORT) \
	  --access-logfile - --access-logformat '{"time":"%(t)s","method":"%(m)s","path":"%(U)s","status":%(s)s,"bytes":%(B)s,"ms":%(M)s}'

# uv.lock and requirements.txt in step with pyproject.toml; ruff; templates indented as djhtml does
# (djangoproject.com runs it too), with no line over 120 characters.
lint: install
	$(UV) lock --check --quiet
	@{ $(export_requirements); } | diff -u requirements.txt - \
	  || { echo "requirements.txt is not what uv.lock exports: run 'make requirements'"; exit 1; }
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djhtml --check --tabwidth 2 templates
	@! LC_ALL=C.UTF-8 grep -rnE --include='*.html' '^.{121,}' templates \
	  || { echo "These template lines are over 120 characters: break them at tags or between attributes."; exit 1; }

check: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

pytest-sqlite: messages browser
	env -u DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

pytest-postgres: messages browser
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest $(PYTEST_ARGS)

test: lint check migrations-check pytest-sqlite pytest-postgres

# Benchmarks (minutes): SQLite and PostgreSQL at 38 and 100,000 partnerships, plus a load run.
bench: messages
	$(BIN)/python bench/run.py

# Lighthouse and pa11y (from npm, pinned in audit/run.sh) on the main pages with Debian's Chromium.
audit: messages browser
	sh audit/run.sh

# Rebuild fixtures/*.json from ../shared/data/busan_partners.csv and registry/management/commands/_fixture_facts.py.
fixtures: install
	$(BIN)/python manage.py build_fixtures

clean:
	rm -rf $(VENV) $(TOOLS) staticfiles db.sqlite3
