"""Uploaded and generated files (detection snapshots, plate crops) under MEDIA_ROOT, for console users.

Not public like /static/: a snapshot shows who drove past, so only users holding a role see them.
The path is resolved and must stay inside MEDIA_ROOT (no `..`, no absolute paths, no symlinks out,
whatever the encoding); anything else is a 404 that says nothing about what exists.
"""

import mimetypes
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404

from apps.accounts.views import role_required


def resolve_media_path(relative):
    """The file under MEDIA_ROOT named by `relative`, or None when it leaves MEDIA_ROOT or is not a file."""
    if not relative or "\x00" in relative or "\\" in relative:
        return None
    root = Path(settings.MEDIA_ROOT).resolve()
    candidate = (root / relative.lstrip("/")).resolve()
    if not candidate.is_relative_to(root) or candidate == root:
        return None
    if any(part.startswith(".") for part in candidate.relative_to(root).parts):
        return None
    return candidate if candidate.is_file() else None


@role_required("camera.watch")
def media_file(request, path):
    found = resolve_media_path(path)
    if found is None:
        raise Http404("Not found.")
    content_type, _ = mimetypes.guess_type(found.name)
    content_type = content_type or "application/octet-stream"
    # Pictures are shown inline; anything else is downloaded, never rendered as a page of this origin.
    inline = content_type.startswith("image/") and content_type != "image/svg+xml"
    response = FileResponse(found.open("rb"), content_type=content_type, as_attachment=not inline)
    response["Cache-Control"] = "private, max-age=3600"
    return response
