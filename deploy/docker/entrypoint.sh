#!/usr/bin/env bash
# The one entrypoint of the VMS images: `docker run IMAGE <role>` or any other command.
#
#   init       migrate, refresh the static volume, create the first admin — the compose one-shot
#              service every other app service waits for (service_completed_successfully)
#   web        uvicorn (ASGI: HTTP + WebSocket), behind the entry point
#   worker     Celery, io queues: provision, persist, default
#   worker-probe     Celery, queue probe: the picture probe (ffmpeg), apart so it never delays a persist
#   worker-webhooks  Celery, queue events: webhook deliveries, apart for the same reason
#   worker-ai  Celery, frames (threads) and detect (prefork, models loaded once per process):
#              two worker processes in one container, so one container = one unit of AI capacity
#              (`docker compose up --scale worker-ai=N`); it stops when either stops
#   beat       Celery beat, django-celery-beat's database scheduler
#   flower     Flower under /flower (auth is the entry point's)
#   health     what the compose health checks run: `health <role>`
set -euo pipefail
cd /app

role=${1:-web}
shift || true

case "$role" in
  init)
    python manage.py migrate --no-input
    # The image holds the static files collected at build; copy them into the shared volume
    # afresh on every start, so an upgrade never serves the previous release's files.
    if [ -n "${STATIC_VOLUME:-}" ]; then
      STATIC_ROOT="$STATIC_VOLUME" python manage.py collectstatic --no-input --clear -v 0
    fi
    python manage.py ensure_admin
    ;;

  web)
    exec uvicorn vms.asgi:application --host 0.0.0.0 --port "${WEB_PORT:-8000}" \
      --proxy-headers --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-*}" \
      --no-server-header --timeout-graceful-shutdown 20 --log-level "$(echo "${LOG_LEVEL:-INFO}" | tr A-Z a-z)" "$@"
    ;;

  worker)
    exec celery -A vms worker -n "io@%h" -Q provision,persist,default \
      --pool threads --concurrency "${WORKER_CONCURRENCY:-8}" --loglevel "${LOG_LEVEL:-INFO}" "$@"
    ;;

  worker-probe)
    exec celery -A vms worker -n "probe@%h" -Q probe \
      --pool threads --concurrency "${PROBE_CONCURRENCY:-4}" --loglevel "${LOG_LEVEL:-INFO}" "$@"
    ;;

  worker-webhooks)
    exec celery -A vms worker -n "webhooks@%h" -Q events \
      --pool threads --concurrency "${WEBHOOKS_CONCURRENCY:-4}" --loglevel "${LOG_LEVEL:-INFO}" "$@"
    ;;

  worker-ai)
    celery -A vms worker -n "frames@%h" -Q frames --pool threads \
      --concurrency "${FRAMES_CONCURRENCY:-8}" --loglevel "${LOG_LEVEL:-INFO}" &
    frames=$!
    PIPELINE_PRELOAD_MODELS=1 celery -A vms worker -n "ai@%h" -Q detect --pool prefork \
      --concurrency "${AI_CONCURRENCY:-2}" --prefetch-multiplier 1 -O fair --loglevel "${LOG_LEVEL:-INFO}" &
    detect=$!
    trap 'kill -TERM "$frames" "$detect" 2>/dev/null; wait' TERM INT
    # Whichever stops first takes the container down with it; compose restarts it.
    set +e
    wait -n "$frames" "$detect"
    status=$?
    kill -TERM "$frames" "$detect" 2>/dev/null
    wait
    exit "$status"
    ;;

  beat)
    exec celery -A vms beat --max-interval 1 --loglevel "${LOG_LEVEL:-INFO}" "$@"
    ;;

  flower)
    exec celery -A vms flower --address=0.0.0.0 --port=5555 --url_prefix=flower \
      ${FLOWER_BROKER_API:+--broker_api="$FLOWER_BROKER_API"} "$@"
    ;;

  health)
    what=${1:-web}
    case "$what" in
      web)    exec python -c "import sys,urllib.request as u; sys.exit(u.urlopen('http://127.0.0.1:${WEB_PORT:-8000}/health', timeout=3).status != 200)" ;;
      flower) exec python -c "import sys,urllib.request as u; sys.exit(u.urlopen('http://127.0.0.1:5555/flower/healthcheck', timeout=3).status != 200)" ;;
      # A worker answers a ping through the broker (proves both the process and its broker link).
      worker)    exec celery -A vms inspect ping --timeout 10 -d "io@$HOSTNAME" ;;
      worker-probe)    exec celery -A vms inspect ping --timeout 10 -d "probe@$HOSTNAME" ;;
      worker-webhooks) exec celery -A vms inspect ping --timeout 10 -d "webhooks@$HOSTNAME" ;;
      worker-ai) exec celery -A vms inspect ping --timeout 10 -d "frames@$HOSTNAME,ai@$HOSTNAME" ;;
      # Beat has no port and answers no ping: healthy while its process is the container's main one.
      beat) exec python -c "
import sys
sys.exit(0 if b'beat' in open('/proc/1/cmdline', 'rb').read() else 1)" ;;
      *) echo "health: unknown role $what" >&2; exit 2 ;;
    esac
    ;;

  *)
    exec "$role" "$@"
    ;;
esac
