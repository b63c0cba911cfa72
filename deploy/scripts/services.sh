#!/usr/bin/env bash
# Makes sure PostgreSQL, Redis and RabbitMQ answer on 127.0.0.1. Starts the
# ones that are installed but stopped (as root); otherwise says, in one line,
# which is missing and how to start it, and fails.
set -euo pipefail

up() { timeout 1 bash -c "echo > /dev/tcp/127.0.0.1/$1" 2>/dev/null; }

ensure() {
  local name=$1 port=$2 binary=$3 package=$4 start=$5
  up "$port" && return 0
  if [ "$(id -u)" = 0 ]; then
    if ! command -v "$binary" >/dev/null && command -v apt-get >/dev/null; then
      echo "==> installing $package"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
    fi
    if command -v "$binary" >/dev/null; then
      echo "==> starting $name"
      bash -c "$start" >/dev/null 2>&1 || true
      for _ in $(seq 1 60); do up "$port" && return 0; sleep 1; done
    fi
  fi
  echo "$name is not running on 127.0.0.1:$port — start it with: $start" >&2
  exit 1
}

ensure PostgreSQL 5432 pg_ctlcluster postgresql \
  'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | tail -1) main start'
ensure Redis 6379 redis-server redis-server \
  'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no'
ensure RabbitMQ 5672 rabbitmq-server rabbitmq-server 'rabbitmq-server -detached'
