"""The recorded segment files on disk (MediaMTX's `recordPath` layout), for pruning and the disk guard.

`RECORDINGS_ROOT/cam_{id}/YYYY-MM-DD_HH-MM-SS-ffffff.mp4`, named by the segment's start
(the media server's clock, UTC here). Each camera's newest segment is being written and
is never touched.
"""

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings

NAME_FORMAT = "%Y-%m-%d_%H-%M-%S-%f"


@dataclass(frozen=True)
class Segment:
    path: Path
    start: datetime
    end: datetime


def camera_segments(path_name):
    """A camera's finished segments, oldest first (the one being written is left out)."""
    folder = Path(settings.RECORDINGS_ROOT) / path_name
    files = []
    for file in folder.glob("*.mp4"):
        try:
            files.append((datetime.strptime(file.stem, NAME_FORMAT).replace(tzinfo=UTC), file))
        except ValueError:
            continue
    files.sort()
    return [Segment(file, start, next_start) for (start, file), (next_start, _) in zip(files, files[1:])]


def all_segments():
    """Every camera's finished segments, oldest first."""
    root = Path(settings.RECORDINGS_ROOT)
    folders = [folder.name for folder in root.iterdir() if folder.is_dir()] if root.is_dir() else []
    return sorted((s for name in folders for s in camera_segments(name)), key=lambda s: s.start)


def free_bytes():
    """Free space where recordings go; before the first camera records (MediaMTX makes the folder),
    the free space of the nearest folder above it that exists: the same disk."""
    folder = Path(settings.RECORDINGS_ROOT).resolve()
    while not folder.exists():
        folder = folder.parent
    return shutil.disk_usage(folder).free


def overlaps(segment, windows, margin=timedelta(0)):
    return any(segment.start < end + margin and segment.end > start - margin for start, end in windows)
