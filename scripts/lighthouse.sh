#!/bin/bash
# Lighthouse on the five pages of docs/checkers.md, mobile and desktop, against gunicorn under
# production settings on PostgreSQL (database lc_lh, recreated) and Redis (databases 9 and 10).
#
#   npm install --prefix /tmp/lh lighthouse@12      # once; not a dependency of the project
#   bash scripts/lighthouse.sh                       # prints one line per page and form
#
# Reports are written to /tmp/lh/<page>-<form>.json. Run it on a quiet machine: performance is
# measured under Lighthouse's simulated 4× CPU slowdown, so other work on the machine lowers it.
set -e
cd "$(dirname "$0")/.."
LH=${LIGHTHOUSE:-/tmp/lh/node_modules/.bin/lighthouse}
export DJANGO_ENV=production SECRET_KEY=lighthouse-only-secret-key-0123456789abcdef ALLOWED_HOSTS=127.0.0.1 \
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/lc_lh CELERY_BROKER_URL=redis://127.0.0.1:6379/9 \
  EMAIL_HOST=127.0.0.1 DEFAULT_FROM_EMAIL=compact@example.org SECURE_SSL_REDIRECT=0 \
  SITE_URL=http://127.0.0.1:8123 SECURE_HSTS_SECONDS=0
dropdb -h 127.0.0.1 -U postgres --if-exists lc_lh
createdb -h 127.0.0.1 -U postgres lc_lh
redis-cli -n 9 flushdb >/dev/null
redis-cli -n 10 flushdb >/dev/null
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py load_demo >/dev/null
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/python -m gunicorn config.wsgi -w 2 -b 127.0.0.1:8123 --log-level warning &
server=$!
trap 'kill $server' EXIT
sleep 4
set +e
# The round page is measured as a leader taking part sees it: a session made for one.
read -r SLUG ROUND SESSION NUMBER <<<"$(.venv/bin/python manage.py shell -c "
from django.test import Client
from consultation.models import Round
from consultation.selectors import eligible_leaders
round = Round.objects.filter(status='open').first()
leader = eligible_leaders(round).exclude(email__icontains='staff').first()
published = round.version.compact.versions.filter(status='published').first()
client = Client()
client.force_login(leader)
print(round.version.compact.slug, round.pk, client.cookies['sessionid'].value, published.number)
" 2>/dev/null | tail -1)"
base=http://127.0.0.1:8123
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
measure() { # page url form [session]
  local extra=() preset=()
  [ -n "$4" ] && extra=(--extra-headers "{\"Cookie\": \"sessionid=$4\"}")
  [ "$3" = desktop ] && preset=(--preset=desktop)
  for attempt in 1 2 3; do # headless Chromium sometimes records no trace (NO_NAVSTART): run again
    "$LH" "$2" "${preset[@]}" "${extra[@]}" --chrome-flags="--headless=new --no-sandbox" \
      --output=json --output-path="/tmp/lh/$1-$3.json" --quiet 2>/dev/null
    python3 -c "import json,sys; d=json.load(open('/tmp/lh/$1-$3.json')); sys.exit(d['categories']['performance']['score'] is None)" && break
  done
  python3 -c "
import json
d = json.load(open('/tmp/lh/$1-$3.json'))
scores = ' / '.join(str(round(100 * d['categories'][k]['score'])) for k in ('performance', 'accessibility', 'best-practices', 'seo'))
print('$1', '$3', scores, 'TBT', round(d['audits']['total-blocking-time']['numericValue']), 'ms, LCP', round(d['audits']['largest-contentful-paint']['numericValue']), 'ms, benchmark index', d['environment']['benchmarkIndex'])"
}
mkdir -p /tmp/lh
for form in mobile desktop; do
  measure home "$base/" $form
  measure compact "$base/compacts/$SLUG/" $form
  measure round "$base/rounds/$ROUND/" $form "$SESSION"
  measure signatories "$base/compacts/$SLUG/versions/$NUMBER/signatories/" $form
  measure verify "$base/verify/" $form
done
