"""REST API for the dashboard (DRF): /api/dashboard/ — the console home's figures as JSON."""

from rest_framework import viewsets
from rest_framework.response import Response

from apps.dashboard.selectors import dashboard_figures, dashboard_public


class DashboardViewSet(viewsets.ViewSet):
    """Cameras by state, detections today and in the last hour (per camera), detections per hour over the
    last 24 h, top plates today, and pipeline health per AI camera."""

    def list(self, request):
        return Response(dashboard_public(dashboard_figures()))
