#!/usr/bin/env bash
# `make run`: install, prepare the database, then start every process in the
# foreground (honcho); one Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/../.."
deploy/scripts/setup.sh
deploy/scripts/services.sh
.venv/bin/python deploy/scripts/createdb.py
.venv/bin/python manage.py migrate --no-input -v 0
.venv/bin/python manage.py collectstatic --no-input -v 0
.venv/bin/python manage.py ensure_admin
.venv/bin/python manage.py seed_demo
echo "==> starting VMS: console at http://127.0.0.1:8000/  Flower at http://127.0.0.1:5555/  (Ctrl-C stops everything)"
exec .venv/bin/honcho -f deploy/Procfile start
