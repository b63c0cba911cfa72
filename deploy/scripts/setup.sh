#!/usr/bin/env bash
# Installs what VMS needs on this machine: Debian packages (as root, with apt),
# then .venv with the pinned Python dependencies. Safe to run again: it only
# does what is missing or changed.
set -euo pipefail
cd "$(dirname "$0")/../.."

APT_PACKAGES=(
  ffmpeg                                   # HLS muxing, probing, the demo video
  gstreamer1.0-rtsp gir1.2-gst-rtsp-server-1.0 gstreamer1.0-tools
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav  # RTSP relay and simulated cameras
  libgirepository1.0-dev libcairo2-dev pkg-config  # to build PyGObject in the venv
  fonts-dejavu-core                        # plates in the demo video
  haproxy                                  # the entry point, checked and run by tests
  chromium chromium-driver                 # browser tests
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "missing Debian packages: ${missing[*]} — install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || { echo "==> creating .venv"; "$PYTHON" -m venv .venv; }

stamp=.venv/.requirements.sha256
wanted=$(cat requirements/*.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "==> installing Python dependencies (the AI stack is large: a few minutes the first time)"
  .venv/bin/pip install -q --disable-pip-version-check \
    -r requirements/base.txt -r requirements/media.txt -r requirements/test.txt -r requirements/ai.txt
  .venv/bin/pip install -q --disable-pip-version-check --no-deps -r requirements/ai-nodeps.txt
  echo "$wanted" > "$stamp"
fi
