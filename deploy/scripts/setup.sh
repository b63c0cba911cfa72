#!/usr/bin/env bash
# Installs what VMS needs on this machine: Debian packages (as root, with apt),
# then .venv with the pinned Python dependencies. Safe to run again: it only
# does what is missing or changed (a stamp per set in .venv).
#
#   deploy/scripts/setup.sh [run]   what `make run` needs: base, media and AI requirements;
#                                   ffmpeg, GStreamer and the headers PyGObject builds against
#   deploy/scripts/setup.sh test    all of that, plus requirements/test.txt (pytest, selenium, …),
#                                   HAProxy (the entry point's tests run it) and Chromium + its driver
set -euo pipefail
cd "$(dirname "$0")/../.."

target=${1:-run}
case "$target" in
  run|test) ;;
  *) echo "usage: $0 [run|test]" >&2; exit 2 ;;
esac

APT_PACKAGES=(
  ffmpeg                                   # HLS muxing, probing, the demo video
  gstreamer1.0-rtsp gir1.2-gst-rtsp-server-1.0 gstreamer1.0-tools
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav  # RTSP relay and simulated cameras
  libgirepository1.0-dev libcairo2-dev pkg-config  # to build PyGObject in the venv
  fonts-dejavu-core                        # plates in the demo video
)
if [ "$target" = test ]; then
  APT_PACKAGES+=(
    haproxy                                # the entry point, checked and run by tests
    chromium chromium-driver               # browser tests
  )
fi

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
# `python -m pip`, not .venv/bin/pip: the venv's own interpreter, even where the venv was copied or moved.
pip=(.venv/bin/python -m pip install -q --disable-pip-version-check)

RUN_REQUIREMENTS=(requirements/base.txt requirements/media.txt requirements/ai.txt)
NODEPS=requirements/ai-nodeps.txt
requirements=("${RUN_REQUIREMENTS[@]}")
if [ "$target" = test ]; then requirements+=(requirements/test.txt); fi

# One stamp per set. The test set's hash covers the run files too, so a change to either
# reinstalls the test set in one resolution; installing the test set also satisfies the run set.
hash_of() { cat "$@" "$NODEPS" | sha256sum | cut -d' ' -f1; }
stamp=.venv/.requirements-$target.sha256
wanted=$(hash_of "${requirements[@]}")
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "==> installing Python dependencies for '$target' (the AI stack is large: a few minutes the first time)"
  "${pip[@]}" $(printf -- '-r %s ' "${requirements[@]}")
  "${pip[@]}" --no-deps -r "$NODEPS"
  echo "$wanted" > "$stamp"
  if [ "$target" = test ]; then hash_of "${RUN_REQUIREMENTS[@]}" > .venv/.requirements-run.sha256; fi
fi
