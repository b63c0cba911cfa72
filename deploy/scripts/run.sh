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
# Held until the end, so a generated password is not lost in the output above it.
admin_login=$(.venv/bin/python manage.py ensure_admin)
.venv/bin/python manage.py seed_demo
# The media server asks the app about every request (--auth-url in deploy/Procfile): the app's
# API credential and the readers' are made up for this run when .env or the shell gives none.
token() { .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(18))'; }
export MEDIAMTX_API_USER="${MEDIAMTX_API_USER:-vms-api}"
export MEDIAMTX_API_PASSWORD="${MEDIAMTX_API_PASSWORD:-$(token)}"
export MEDIA_READER_PASSWORD="${MEDIA_READER_PASSWORD:-$(token)}"
echo "$admin_login"
echo "==> starting VMS: console at http://127.0.0.1:8000/  Flower at http://127.0.0.1:5555/  (Ctrl-C stops everything)"
exec .venv/bin/honcho -f deploy/Procfile start
