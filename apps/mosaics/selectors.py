from django.db.models import Prefetch, Q

from apps.accounts.policy import can
from apps.mosaics.models import Mosaic, MosaicCamera


def _with_cameras(mosaics):
    # A deleted (archived) camera leaves the mosaics it was in.
    slots = MosaicCamera.objects.select_related("camera").filter(camera__archived_at__isnull=True).order_by("position")
    return mosaics.select_related("owner").prefetch_related(Prefetch("slots", queryset=slots))


def mosaic_list_for(user):
    """The mosaics a user sees in lists: their own and the shared ones."""
    if user is None or not user.is_authenticated:
        return Mosaic.objects.none()
    return _with_cameras(Mosaic.objects.filter(Q(owner=user) | Q(shared=True)).order_by("name", "id"))


def mosaic_visible_to(user):
    """The mosaics a user may open: as `mosaic_list_for`, and every mosaic for admins (who may change any)."""
    if can(user, "mosaic.view_all"):
        return _with_cameras(Mosaic.objects.order_by("name", "id"))
    return mosaic_list_for(user)
