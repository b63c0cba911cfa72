# syntax=docker/dockerfile:1
# VMS images. Targets:
#   web  — Django (uvicorn), the io worker, beat, flower and the one-shot init: base + media requirements
#   ai   — web plus the AI stack (requirements/ai.txt, then ai-nodeps.txt with --no-deps): worker-ai
# Pinned: the base image by tag (python:3.11-slim-bookworm; pin its digest with
# `--build-arg PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:…` where builds must be reproducible),
# Debian packages by the bookworm release, every Python package by requirements/*.txt (==).
# Runs as the unprivileged user `vms` (uid 10001). Static files are collected at build.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- shared base: Python, the venv on PATH -----------------------------------------------------
FROM ${PYTHON_IMAGE} AS python
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# --- build: compilers and headers, never in a runtime image ------------------------------------
FROM python AS build-web
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential pkg-config libgirepository1.0-dev libcairo2-dev \
 && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
COPY requirements/base.txt requirements/media.txt /tmp/requirements/
RUN pip install -r /tmp/requirements/base.txt -r /tmp/requirements/media.txt

FROM build-web AS build-ai
# CPU wheels of torch/torchvision (the CUDA ones add gigabytes a CPU box never uses).
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
COPY requirements/ai.txt requirements/ai-nodeps.txt /tmp/requirements/
RUN pip install --extra-index-url "${TORCH_INDEX_URL}" -r /tmp/requirements/ai.txt \
 && pip install --no-deps -r /tmp/requirements/ai-nodeps.txt

# --- runtime base: what the processes call at run time ------------------------------------------
FROM python AS runtime
# ffmpeg: the stream probe (online / offline / frozen) samples frames with it.
# libgirepository + libcairo: PyGObject (requirements/media.txt) imports against them.
# WITH_GSTREAMER=1 adds the GStreamer runtime so the stand-in media server and the simulated
# cameras (`manage.py mediaserver`, `fakecamera`) run from the image too; compose uses MediaMTX.
ARG WITH_GSTREAMER=0
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg libgirepository-1.0-1 libcairo2 gir1.2-glib-2.0 \
 && if [ "$WITH_GSTREAMER" = 1 ]; then \
      apt-get install -y --no-install-recommends gir1.2-gstreamer-1.0 gir1.2-gst-rtsp-server-1.0 \
        gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-libav; \
    fi \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --user-group --home-dir /app --no-create-home --shell /usr/sbin/nologin vms \
 && mkdir -p /app /data/media /recordings \
 && chown vms:vms /data/media /recordings
WORKDIR /app
ENV DJANGO_SETTINGS_MODULE=vms.settings \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/data/media

# --- web -----------------------------------------------------------------------------------------
FROM runtime AS web
COPY --from=build-web /opt/venv /opt/venv
COPY --chown=root:root . /app
# Collected at build: the image serves its own static files (WhiteNoise) with no volume needed.
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input -v 0 \
 && chmod 0755 /app/deploy/docker/entrypoint.sh
USER vms
EXPOSE 8000
ENTRYPOINT ["/app/deploy/docker/entrypoint.sh"]
CMD ["web"]

# --- ai --------------------------------------------------------------------------------------------
FROM runtime AS ai
COPY --from=build-ai /opt/venv /opt/venv
COPY --chown=root:root . /app
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input -v 0 \
 && chmod 0755 /app/deploy/docker/entrypoint.sh
# ultralytics writes its settings here; models are read from the installed packages (offline).
ENV YOLO_OFFLINE=1 YOLO_CONFIG_DIR=/tmp/ultralytics
USER vms
ENTRYPOINT ["/app/deploy/docker/entrypoint.sh"]
CMD ["worker-ai"]
