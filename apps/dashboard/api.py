"""REST API for the dashboard (DRF): /api/dashboard/ — the console home's figures as JSON."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.response import Response

from apps.dashboard.selectors import dashboard_figures, dashboard_public


class DashboardViewSet(viewsets.ViewSet):
    """Cameras by state, detections today and in the last hour (per camera), detections per hour over the
    last 24 h, top plates today, and pipeline health per AI camera."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def list(self, request):
        return Response(dashboard_public(dashboard_figures()))
