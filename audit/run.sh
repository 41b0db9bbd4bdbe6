#!/bin/sh
# `make audit`: Lighthouse (mobile and desktop; every category) and pa11y (WCAG 2 AA with
# HTML_CodeSniffer) on /, /cities/, a city page and a partnership page, in Debian's Chromium
# (/usr/bin/chromium; no browser is downloaded), against `make serve`'s production settings
# on a throw-away SQLite database with the shipped data. Prints one line per page and form factor.
# Needs node and npm: the pinned lighthouse and pa11y are installed into ~/.cache/city-diplomacy-registry/audit.
set -eu
PORT=${AUDIT_PORT:-8099}
TOOLS=${AUDIT_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/city-diplomacy-registry/audit}
BIN=.venv/bin
if [ ! -x "$TOOLS/node_modules/.bin/lighthouse" ] || [ ! -x "$TOOLS/node_modules/.bin/pa11y" ]; then
  PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-audit --no-fund --silent --prefix "$TOOLS" lighthouse@12.8.2 pa11y@9.1.1
fi
WORK=$(mktemp -d)
export DATABASE_URL="sqlite:///$WORK/audit.sqlite3" DEBUG=false SECURE_SSL_REDIRECT=false \
  SECRET_KEY="audit-$(date +%s)-only-for-this-run" CHROME_PATH=/usr/bin/chromium
$BIN/python manage.py migrate --no-input -v0
$BIN/python manage.py load_shipped_data
$BIN/python manage.py collectstatic --no-input -v0
$BIN/gunicorn diplomacy.wsgi --workers 2 --bind "127.0.0.1:$PORT" --log-level warning &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT INT TERM
BASE="http://127.0.0.1:$PORT"
for _ in 1 2 3 4 5 6 7 8 9 10; do curl -fs -o /dev/null "$BASE/" && break; sleep 1; done
PARTNERSHIP=$(curl -fs "$BASE/cities/almaty/" | grep -o '/partnerships/[0-9]*/' | head -n 1)
printf '{"chromeLaunchConfig": {"executablePath": "/usr/bin/chromium", "args": ["--no-sandbox"]}}' > "$WORK/pa11y.json"
for path in / /cities/ /cities/almaty/ "$PARTNERSHIP"; do
  for form in mobile desktop; do
    preset=""
    [ "$form" = desktop ] && preset="--preset=desktop"
    "$TOOLS/node_modules/.bin/lighthouse" "$BASE$path" $preset --quiet --output=json --output-path="$WORK/lh.json" \
      --chrome-flags="--headless=new --no-sandbox"
    node -e 'const r = require(process.argv[1]);
      console.log(`lighthouse ${process.argv[3]} ${process.argv[2]}: ` +
        Object.values(r.categories).map(c => `${c.title} ${Math.round(c.score * 100)}`).join(", "));' \
      "$WORK/lh.json" "$path" "$form"
  done
  "$TOOLS/node_modules/.bin/pa11y" --standard WCAG2AA --runner htmlcs --config "$WORK/pa11y.json" \
    --reporter cli "$BASE$path" || true
done
