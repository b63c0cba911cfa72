"""REST API for watch lists and alerts (DRF): /api/watchlists/, /api/alerts/. Viewers read; operators write
and acknowledge. A list's webhook URL is shown to operators and admins only; its signing secret to nobody
but in the answer that made it (`webhook_secret` in the create answer and in `rotate-secret`'s)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.accounts.permissions import allowed
from apps.accounts.policy import can
from apps.watchlists import selectors, services
from apps.watchlists.forms import AlertFilterForm
from apps.watchlists.models import WatchList, WatchListKind
from apps.watchlists.presenters import alert_public


class EntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    pattern = serializers.CharField(max_length=50, help_text="A–Z, 0–9, * (any characters), ? (one character)")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class DeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    alert = serializers.IntegerField(source="alert_id")
    attempt = serializers.IntegerField()
    status = serializers.CharField()
    due_at = serializers.DateTimeField()
    at = serializers.DateTimeField(allow_null=True)
    status_code = serializers.IntegerField(allow_null=True)
    error = serializers.CharField()


class WatchListSerializer(serializers.ModelSerializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=WatchListKind.choices, default=WatchListKind.ALERT)
    webhook_url = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    entries = EntrySerializer(many=True, required=False)
    last_webhook_error = serializers.SerializerMethodField()

    class Meta:
        model = WatchList
        fields = [
            "id", "name", "kind", "description", "enabled", "match_mode", "suppress_alerts", "webhook_url", "entries",
            "last_webhook_error", "created_at", "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators = []  # names are the service's rule, with its own message

    def get_last_webhook_error(self, watchlist) -> dict | None:
        failed = watchlist.last_failed_delivery()
        return DeliverySerializer(failed).data if failed else None

    def to_representation(self, watchlist):
        data = super().to_representation(watchlist)
        data["entries"] = [{"id": e.id, "pattern": e.pattern, "note": e.note} for e in watchlist.entries.all()]
        if not can(self.context["request"].user, "webhook.view"):
            del data["webhook_url"]  # often a bearer secret of the receiver's
        if getattr(watchlist, "new_webhook_secret", None):
            data["webhook_secret"] = watchlist.new_webhook_secret  # only in the answer that made it
        return data

    def create(self, validated):
        return services.watchlist_create(actor=self.context["request"].user, **validated)

    def update(self, watchlist, validated):
        return services.watchlist_update(actor=self.context["request"].user, watchlist=watchlist, **validated)


class WatchListViewSet(viewsets.ModelViewSet):
    serializer_class = WatchListSerializer
    permission_classes = [allowed("watchlist.view", "watchlist.change")]
    queryset = WatchList.objects.none()

    def get_queryset(self):
        return selectors.watchlist_with_entries()

    def perform_destroy(self, watchlist):
        services.watchlist_delete(actor=self.request.user, watchlist=watchlist)

    @extend_schema(request=None, responses={200: {"type": "object", "properties": {"webhook_secret": {"type": "string"}}}})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        """A new signing secret for the list's webhooks, shown in this answer only; the old one stops signing."""
        secret = services.watchlist_rotate_secret(actor=request.user, watchlist=self.get_object())
        return Response({"webhook_secret": secret})

    @extend_schema(responses=DeliverySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def deliveries(self, request, pk=None):
        """The webhook delivery attempts of this list, newest first (at most 100)."""
        watchlist = self.get_object()
        return Response(DeliverySerializer(watchlist.deliveries.all()[:100], many=True).data)


class AlertSerializer(serializers.Serializer):
    """`alert_public`: the same object as the console push and the `system.notification` event."""

    id = serializers.IntegerField(read_only=True)
    watchlist_id = serializers.IntegerField(read_only=True)
    watchlist_name = serializers.CharField(read_only=True)
    pattern = serializers.CharField(read_only=True)
    note = serializers.CharField(read_only=True, help_text="The entry's note when the alert was raised")
    plate_text = serializers.CharField(read_only=True)
    camera_id = serializers.IntegerField(read_only=True)
    camera_name = serializers.CharField(read_only=True)
    cameras = serializers.ListField(child=serializers.CharField(), read_only=True,
                                    help_text="Every camera that saw the plate in this passage, first first")
    sightings = serializers.IntegerField(read_only=True, help_text="Detections counted in this alert")
    created_at = serializers.DateTimeField(read_only=True)
    last_seen_at = serializers.DateTimeField(read_only=True)
    acknowledged_at = serializers.DateTimeField(read_only=True, allow_null=True)
    acknowledged_by = serializers.CharField(read_only=True, allow_null=True)
    detection = serializers.DictField(read_only=True)

    def to_representation(self, alert):
        return alert_public(alert)


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("state", str, enum=["open", "acknowledged", "all"], description="default: open"),
    OpenApiParameter("watchlist", int),
    OpenApiParameter("camera", int, description="seen by this camera (any sighting)"),
    OpenApiParameter("plate", str, description="part of the plate; confusables fold"),
    OpenApiParameter("since", str, description="raised from (site time, or with an offset)"),
    OpenApiParameter("until", str, description="raised until (site time, or with an offset)"),
]))
class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Alerts, newest first: the alerts page's filter (`?state=open` (default), `acknowledged` or `all`;
    `?watchlist=ID`, `?camera=ID`, `?plate=`, `?since=`, `?until=`)."""

    serializer_class = AlertSerializer
    permission_classes = [allowed("watchlist.view", "alert.acknowledge")]

    def get_queryset(self):
        if self.action != "list":
            return selectors.alert_list(state="all")
        params = self.request.query_params
        for name, what in (("watchlist", "A watch list id"), ("camera", "A camera id")):
            if params.get(name) not in (None, "") and not str(params[name]).isdigit():
                raise DjangoValidationError({name: f"{what} is a number."})
        form = AlertFilterForm(params)
        if not form.is_valid():
            raise DjangoValidationError({field: [str(m) for m in messages] for field, messages in form.errors.items()})
        return selectors.alert_list(**form.filters())

    @extend_schema(request=None, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        alert = services.alert_acknowledge(actor=request.user, alert=self.get_object())
        return Response(alert_public(alert))
