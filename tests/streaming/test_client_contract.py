"""Contract tests: the client and the stand-in both held to MediaMTX's OpenAPI file.

Every request `MediaServerClient` sends and every response the stand-in gives
passes through a transport adapter that validates it against the spec, so a
client that drifts from MediaMTX's API, or a stand-in that answers what
MediaMTX wouldn't, fails here.
"""

import copy

import pytest
import requests
import yaml
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from requests.adapters import HTTPAdapter

from apps.streaming.client import MediaServerClient, MediaServerUnreachable, PathAlreadyExists, PathNotFound
from tests import processes
from tests.processes import free_port

from .conftest import OPENAPI_SPEC, unique_path_name


class ValidatingAdapter(HTTPAdapter):
    """Sends each request only if it matches the spec, and checks each response against it."""

    def __init__(self, openapi, check_requests=True):
        super().__init__()
        self.openapi = openapi
        self.check_requests = check_requests
        self.exchanges = []

    def send(self, request, **kwargs):
        if self.check_requests:
            self.openapi.validate_request(RequestsOpenAPIRequest(request))
        response = super().send(request, **kwargs)
        self.openapi.validate_response(RequestsOpenAPIRequest(request), RequestsOpenAPIResponse(response))
        self.exchanges.append((request.method, request.path_url, response.status_code))
        return response


@pytest.fixture(scope="module")
def spec():
    return yaml.safe_load(OPENAPI_SPEC.read_text())


def validatable(spec):
    """The spec with two constructs openapi-core can't check as meant, rewritten to what they mean.

    - `nullable` + `allOf: [$ref]` becomes the referenced schema, nullable:
      openapi-core checks null against the `allOf` part and refuses it (e.g.
      Path.source, which MediaMTX sends as null when nothing pulls).
    - `PathTrackCodecProps` is a `oneOf` without a discriminator whose H.264
      and H.265 members are the same shape, so any H.264 props match two and
      fail; it becomes `anyOf`.
    """
    spec = copy.deepcopy(spec)
    schemas = spec["components"]["schemas"]
    schemas["PathTrackCodecProps"] = {"anyOf": schemas["PathTrackCodecProps"]["oneOf"]}

    def rewrite(node):
        if isinstance(node, dict):
            all_of = node.get("allOf")
            if node.get("nullable") and isinstance(all_of, list) and len(all_of) == 1 and "$ref" in all_of[0]:
                target = schemas[all_of[0]["$ref"].rsplit("/", 1)[1]]
                merged = {**target, **{key: value for key, value in node.items() if key != "allOf"}}
                if "enum" in merged:
                    merged["enum"] = [*merged["enum"], None]
                return rewrite(merged)
            return {key: rewrite(value) for key, value in node.items()}
        if isinstance(node, list):
            return [rewrite(item) for item in node]
        return node

    return rewrite(spec)


def openapi_for(spec, base_url):
    # The spec's server is localhost:9997; the stand-in under test runs on a free port.
    return OpenAPI.from_dict({**validatable(spec), "servers": [{"url": base_url}]})


@pytest.fixture
def openapi(spec, each_media_server):
    return openapi_for(spec, each_media_server.api_url)


@pytest.fixture
def adapter(openapi):
    return ValidatingAdapter(openapi)


@pytest.fixture
def client(each_media_server, adapter):
    client = each_media_server.client()
    client.session.mount("http://", adapter)
    return client


@pytest.fixture
def raw(openapi):
    """A plain session for requests the client never makes (bad ones too): only the responses are checked."""
    session = requests.Session()
    session.mount("http://", ValidatingAdapter(openapi, check_requests=False))
    return session


SOURCE = "rtsp://127.0.0.1:1/never-read"


def test_every_client_call_matches_the_spec(client, adapter):
    name = unique_path_name()
    assert client.info()["version"]

    assert client.path_add(name, {"source": SOURCE, "sourceOnDemand": True}) == {"status": "ok"}
    with pytest.raises(PathAlreadyExists):
        client.path_add(name, {"source": SOURCE, "sourceOnDemand": True})
    assert client.path_config(name)["source"] == SOURCE
    assert name in [conf["name"] for conf in client.path_configs()]

    client.path_patch(name, {"sourceOnDemandCloseAfter": "5s"})
    conf = client.path_config(name)
    assert (conf["sourceOnDemand"], conf["sourceOnDemandCloseAfter"]) == (True, "5s")

    # replace sets every value: what the body leaves out goes back to its default.
    client.path_replace(name, {"source": SOURCE, "sourceOnDemand": True})
    assert client.path_config(name)["sourceOnDemandCloseAfter"] == "10s"

    state = client.path_state(name)
    assert (state["name"], state["confName"], state["ready"], state["readers"]) == (name, name, False, [])
    assert name in [path["name"] for path in client.paths()]

    client.path_delete(name)
    for call in (client.path_delete, client.path_config, client.path_state):
        with pytest.raises(PathNotFound):
            call(name)
    with pytest.raises(PathNotFound):
        client.path_patch(name, {"sourceOnDemand": False})

    # Every kind of call went through the validating adapter.
    assert {(method, status) for method, _, status in adapter.exchanges} >= {
        ("GET", 200), ("POST", 200), ("POST", 400), ("PATCH", 200), ("PATCH", 404), ("DELETE", 200),
        ("DELETE", 404), ("GET", 404),
    }


def test_replace_creates_a_missing_path(client):
    name = unique_path_name()
    client.path_replace(name, {"source": SOURCE, "sourceOnDemand": True})
    try:
        assert client.path_config(name)["source"] == SOURCE
    finally:
        client.path_delete(name)


def test_lists_are_paged_like_mediamtx(client, raw, each_media_server):
    names = [unique_path_name("paged") for _ in range(5)]
    for name in names:
        client.path_add(name, {"source": SOURCE, "sourceOnDemand": True})
    try:
        for listing in ("/v3/config/paths/list", "/v3/paths/list"):
            def first_page():
                body = raw.get(f"{each_media_server.api_url}{listing}", params={"page": 0, "itemsPerPage": 2}).json()
                return body if body["itemCount"] >= 5 else None

            # MediaMTX applies an added path in its path manager a moment after answering (seen once
            # in a full run: 4 of the 5 listed).
            body = processes.wait_for(first_page, timeout=5, interval=0.1, what=f"the 5 paths in {listing}")
            total = body["itemCount"]
            assert total >= 5 and body["pageCount"] == (total + 1) // 2 and len(body["items"]) == 2
            beyond = raw.get(f"{each_media_server.api_url}{listing}", params={"page": body["pageCount"], "itemsPerPage": 2})
            assert beyond.json()["items"] == []
        # The client follows the pages (100 a page) and sees every path once.
        listed = [conf["name"] for conf in client.path_configs()]
        assert len(listed) == len(set(listed)) and set(names) <= set(listed)
        response = raw.get(f"{each_media_server.api_url}/v3/paths/list", params={"itemsPerPage": 0})
        assert response.status_code == 400 and response.json()["status"] == "error"
    finally:
        for name in names:
            client.path_delete(name)


@pytest.mark.parametrize(
    "body, error",
    [
        (b"{not json", "invalid character 'n'"),
        (b'{"source": "rtsp://127.0.0.1:1/x", "noSuchField": 1}', 'unknown field "noSuchField"'),
        (b'{"sourceOnDemand": "yes"}', "cannot unmarshal string into Go value of type bool"),
        (b'{"source": "ftp://nowhere"}', "invalid source"),
        (b'{"sourceOnDemand": true}', "'sourceOnDemand' is useless when source is 'publisher'"),
        (b'{"sourceOnDemandCloseAfter": "soon"}', "invalid duration"),
    ],
)
def test_bad_bodies_are_refused_with_mediamtx_errors(raw, each_media_server, body, error):
    name = unique_path_name()
    response = raw.post(
        f"{each_media_server.api_url}/v3/config/paths/add/{name}", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["status"] == "error" and error in response.json()["error"]
    assert raw.get(f"{each_media_server.api_url}/v3/config/paths/get/{name}").status_code == 404


def test_error_statuses_reach_the_client_as_typed_errors(client):
    name = unique_path_name()
    with pytest.raises(PathNotFound) as missing:
        client.path_config(name)
    assert missing.value.status == 404 and str(missing.value) == "path configuration not found"
    client.path_add(name, {"source": SOURCE, "sourceOnDemand": True})
    try:
        with pytest.raises(PathAlreadyExists) as exists:
            client.path_add(name, {"source": SOURCE})
        assert exists.value.status == 400
    finally:
        client.path_delete(name)


def test_a_path_config_has_mediamtx_defaults_filled_in(client, spec, each_media_server):
    from .conftest import MEDIAMTX_DEFAULT_CONFIG

    # MediaMTX's defaults, where the server's own configuration does not set its own for every path.
    path_defaults = yaml.safe_load(MEDIAMTX_DEFAULT_CONFIG.read_text())["pathDefaults"]
    path_defaults = {k: v for k, v in path_defaults.items() if k not in each_media_server.configured_path_defaults}
    name = unique_path_name()
    client.path_add(name, {"source": SOURCE, "sourceOnDemand": True})
    try:
        conf = client.path_config(name)
    finally:
        client.path_delete(name)
    assert conf["name"] == name
    for key, default in path_defaults.items():
        if key in ("source", "sourceOnDemand"):
            continue
        assert conf[key] == ("" if default is None else default), key
    current_fields = {
        key for key, schema in spec["components"]["schemas"]["PathConf"]["properties"].items()
        if not schema.get("deprecated")
    }
    assert set(conf) == current_fields


def test_runtime_state_has_the_path_shape(client, spec):
    name = unique_path_name()
    client.path_add(name, {"source": SOURCE, "sourceOnDemand": True})
    try:
        state = client.path_state(name)
    finally:
        client.path_delete(name)
    assert set(spec["components"]["schemas"]["Path"]["properties"]) == set(state)
    # Not pulled (on demand, no reader): the configured source is named, nothing is ready.
    assert state["source"] == {"type": "rtspSource", "id": ""} and state["tracks"] == [] and state["readyTime"] is None


def test_unreachable_server_is_a_typed_error():
    client = MediaServerClient(f"http://127.0.0.1:{free_port()}", timeout=1)
    with pytest.raises(MediaServerUnreachable):
        client.info()


@pytest.fixture(scope="module")
def guarded_server():
    from .conftest import StandInMediaServer

    server = StandInMediaServer(name="mediaserver-auth", api_user="vms", api_password="s3cret")
    yield server
    server.stop()


def test_credentials_are_required_when_configured(guarded_server, spec):
    # 401 is not in the spec (MediaMTX answers it from a middleware): plain requests here.
    response = requests.get(f"{guarded_server.api_url}/v3/config/paths/list", timeout=5)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert response.json()["status"] == "error"
    assert requests.get(f"{guarded_server.api_url}/v3/info", auth=("vms", "wrong"), timeout=5).status_code == 401

    client = guarded_server.client()
    client.session.mount("http://", ValidatingAdapter(openapi_for(spec, guarded_server.api_url)))
    assert client.path_configs() == []
    client.path_add("cam_1", {"source": SOURCE, "sourceOnDemand": True})
    assert [path["name"] for path in client.paths()] == ["cam_1"]


def test_the_playback_server_asks_the_same_credentials(guarded_server):
    url = f"{guarded_server.playback_url}/list"
    refused = requests.get(url, params={"path": "cam_9"}, timeout=5)
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == 'Basic realm="mediamtx"'
    assert refused.json() == {"status": "error", "error": "authentication error"}
    # With them, the question gets through to the answer about the path itself.
    answered = requests.get(url, params={"path": "cam_9"}, auth=("vms", "s3cret"), timeout=5)
    assert answered.status_code == 400 and answered.json()["error"] == "path 'cam_9' is not configured"
