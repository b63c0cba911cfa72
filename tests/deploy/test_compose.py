"""compose.yaml, the Dockerfiles and deploy/env.example hold together (there is no Docker engine here)."""

import ipaddress
import json
import os
import re

import jsonschema
import pytest
import yaml

from tests.deploy.conftest import REFERENCE, REPO

COMPOSE = REPO / "compose.yaml"
ENV_EXAMPLE = REPO / "deploy" / "env.example"
ENTRY_POINT = "haproxy"


@pytest.fixture(scope="module")
def compose_text():
    return COMPOSE.read_text()


@pytest.fixture(scope="module")
def compose(compose_text):
    # PyYAML resolves the `<<` merge keys as compose does.
    return yaml.safe_load(compose_text)


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


def documented_variables():
    names = set()
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=", line)
        if match:
            names.add(match.group(1))
    return names


def referenced_variables(text):
    # ${NAME}, ${NAME:-default}, ${NAME:?message}; $$NAME is an escape for the container's shell.
    return set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", text))


def one_shot(name, services):
    """A service that runs to completion and that others wait for with service_completed_successfully."""
    waited = any(
        isinstance(s.get("depends_on"), dict)
        and s["depends_on"].get(name, {}).get("condition") == "service_completed_successfully"
        for s in services.values()
    )
    return waited and str(services[name].get("restart", "no")) == "no"


def test_compose_validates_against_the_compose_spec(compose):
    schema = json.loads((REFERENCE / "compose" / "compose-spec.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(compose), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_the_spec_check_can_fail(compose):
    schema = json.loads((REFERENCE / "compose" / "compose-spec.json").read_text())
    broken = dict(compose, services=dict(compose["services"], web=dict(compose["services"]["web"], ports="80")))
    broken["services"]["web"]["healthcheck"] = {"interval": 5}
    assert list(jsonschema.Draft7Validator(schema).iter_errors(broken))


def test_it_has_the_whole_stack(services):
    expected = {"postgres", "redis", "rabbitmq", "mediamtx", "web", "worker", "worker-ai", "beat", "flower", "haproxy"}
    assert expected <= set(services)
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    assert services["rabbitmq"]["image"].startswith("rabbitmq:3") and "management" in services["rabbitmq"]["image"]
    mediamtx_dockerfile = (REPO / services["mediamtx"]["build"]["dockerfile"]).read_text()
    assert "FROM bluenviron/mediamtx:1.20.1 " in mediamtx_dockerfile


def test_only_the_entry_point_publishes_ports(services):
    publishing = {name for name, service in services.items() if service.get("ports")}
    assert publishing == {ENTRY_POINT}
    assert not any(service.get("network_mode") == "host" for service in services.values())


def test_every_long_running_service_has_a_health_check(services):
    for name, service in services.items():
        if one_shot(name, services):
            continue
        check = service.get("healthcheck")
        assert check and check.get("test") and not check.get("disable"), f"{name} has no health check"


def test_dependencies_wait_on_conditions(services):
    for name, service in services.items():
        depends = service.get("depends_on", {})
        assert isinstance(depends, dict), f"{name}: depends_on must name conditions"
        for other, rule in depends.items():
            assert other in services, f"{name} depends on unknown {other}"
            assert rule.get("condition") in {
                "service_healthy", "service_completed_successfully", "service_started"
            }, f"{name} → {other}"
            if rule["condition"] == "service_healthy":
                assert services[other].get("healthcheck"), f"{name} waits for {other}'s health, which has no check"
    # Migrations run once, before the app starts.
    init = [n for n in services if one_shot(n, services)]
    assert init, "no one-shot migrate/init service"
    for app in ("web", "worker", "worker-probe", "worker-webhooks", "worker-ai", "beat", "flower"):
        assert services[app]["depends_on"][init[0]]["condition"] == "service_completed_successfully"
    command = " ".join(services[init[0]]["command"])
    entrypoint = (REPO / "deploy" / "docker" / "entrypoint.sh").read_text()
    assert command == "init" and "migrate" in entrypoint and "ensure_admin" in entrypoint


def test_resource_limits(services):
    def limits(name):
        return services[name]["deploy"]["resources"]["limits"]

    assert float(limits("worker-ai")["cpus"]) == 2 and limits("worker-ai")["memory"] == "3G"
    assert float(limits("mediamtx")["cpus"]) == 2.5
    assert float(limits("web")["cpus"]) == 0.5 and limits("web")["memory"] == "1G"
    assert float(limits("worker")["cpus"]) == 1.5 and limits("worker")["memory"] == "1G"
    for name, service in services.items():
        assert service.get("deploy", {}).get("resources", {}).get("limits") or one_shot(name, services), name


def test_one_bridge_network_and_the_named_volumes(compose, services):
    assert set(compose["networks"]) == {"vms"} and compose["networks"]["vms"]["driver"] == "bridge"
    for name, service in services.items():
        assert list(service.get("networks")) == ["vms"], name
    declared = set(compose["volumes"])
    assert {"pgdata", "rabbitmq", "static", "media", "recordings"} <= declared
    used = set()
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith((".", "/")):
                assert (REPO / source).resolve().exists(), f"{name} mounts missing {source}"
            else:
                assert source in declared, f"{name} mounts undeclared volume {source}"
                used.add(source)
    assert used == declared, f"declared but unused: {declared - used}"


def test_the_ai_worker_scales(services):
    ai = services["worker-ai"]
    assert "container_name" not in ai and "hostname" not in ai
    assert ai["build"]["target"] == "ai" and services["web"]["build"]["target"] == "web"
    assert ai["command"] == ["worker-ai"]


def test_the_app_is_wired_to_the_services(services):
    env = services["web"]["environment"]
    assert env["MEDIAMTX_API_URL"] == "http://mediamtx:9997"
    assert env["MEDIAMTX_API_USER"].startswith("${MEDIAMTX_API_USER") and env["MEDIAMTX_API_PASSWORD"]
    assert env["MEDIA_HLS_BASE_URL"] == "/hls" and env["MEDIA_WEBRTC_BASE_URL"] == "/webrtc"
    assert env["MEDIA_RTSP_BASE_URL"] == "rtsp://mediamtx:8554"
    for url in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_CACHE_URL"):
        assert "@" in env[url], f"{url} carries no credentials"
    assert env["MEDIA_READER_PASSWORD"].startswith("${MEDIA_READER_PASSWORD:?")
    # MediaMTX holds no credential: it asks web about every request.
    mtx = services["mediamtx"]["environment"]
    assert not [name for name in mtx if name.startswith("MTX_AUTH")], mtx


def test_frames_have_a_bounded_redis_of_their_own_that_cannot_evict_sessions(services):
    env = services["web"]["environment"]
    assert "@redis-frames:6379/" in env["REDIS_AI_URL"]
    for url in ("REDIS_SESSIONS_URL", "REDIS_CACHE_URL", "REDIS_STREAMING_URL", "CHANNEL_LAYER_URL"):
        assert "@redis:6379/" in env[url], url
    frames = " ".join(services["redis-frames"]["command"])
    assert re.search(r"--maxmemory \d+mb", frames) and "--maxmemory-policy allkeys-lru" in frames
    sessions = " ".join(services["redis"]["command"])
    assert "--maxmemory-policy noeviction" in sessions
    for app in ("web", "worker", "worker-probe", "worker-webhooks", "worker-ai", "beat"):
        assert services[app]["depends_on"]["redis-frames"]["condition"] == "service_healthy", app


def test_every_variable_is_documented_in_env_example(compose_text):
    documented = documented_variables()
    missing = referenced_variables(compose_text) - documented
    assert not missing, f"compose.yaml uses variables deploy/env.example does not document: {sorted(missing)}"


def test_env_example_documents_every_setting_the_app_reads():
    settings_source = (REPO / "vms" / "settings.py").read_text()
    read = set(re.findall(r"\benv(?:_bool|_list|_int|_float)?\(\s*\"([A-Z][A-Z0-9_]*)\"", settings_source))
    assert "DATABASE_URL" in read and "API_RATE_LIMIT" in read
    missing = read - documented_variables()
    assert not missing, f"settings read variables deploy/env.example does not document: {sorted(missing)}"


def test_secrets_are_required_not_defaulted(compose_text):
    for secret in ("DJANGO_SECRET_KEY", "POSTGRES_PASSWORD", "RABBITMQ_PASSWORD", "REDIS_PASSWORD",
                   "MEDIAMTX_API_PASSWORD", "MEDIA_READER_PASSWORD", "FLOWER_PASSWORD", "STATS_PASSWORD"):
        assert re.search(r"\$\{" + secret + r":\?", compose_text), f"{secret} should be required (${{{secret}:?…}})"
        assert not re.search(r"\$\{" + secret + r":-", compose_text), f"{secret} has a default"


def test_files_the_builds_reference_exist(services):
    dockerfile = (REPO / "Dockerfile").read_text()
    stages = set(re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", dockerfile, re.M | re.I))
    assert {"web", "ai"} <= stages
    assert "python:3.11-slim-bookworm" in dockerfile and re.search(r"^USER\s+vms", dockerfile, re.M)
    assert "--no-deps -r /tmp/requirements/ai-nodeps.txt" in dockerfile
    assert "collectstatic" in dockerfile
    for name, service in services.items():
        build = service.get("build")
        if build:
            assert (REPO / build["context"]).is_dir(), name
            path = REPO / build.get("dockerfile", "Dockerfile")
            assert path.is_file(), f"{name}: {path} missing"
            if "target" in build:
                assert build["target"] in set(re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", path.read_text(), re.M | re.I))
            for source in re.findall(r"^COPY\s+(?!--from)(?:--\S+\s+)*(.+)\s+\S+$", path.read_text(), re.M):
                for item in source.split():
                    assert (REPO / build["context"] / item).exists(), f"{path.name}: COPY {item} missing"
    entrypoint = REPO / "deploy" / "docker" / "entrypoint.sh"
    assert os.access(entrypoint, os.X_OK)
    ignored = (REPO / ".dockerignore").read_text().split()
    assert ".env" in ignored and ".venv" in ignored


def test_entrypoint_roles_match_the_services(services):
    entrypoint = (REPO / "deploy" / "docker" / "entrypoint.sh").read_text()
    for name in ("web", "worker", "worker-probe", "worker-webhooks", "worker-ai", "beat", "flower", "init"):
        assert re.search(rf"^\s+{re.escape(name)}\)", entrypoint, re.M), f"entrypoint has no role {name}"
        assert name == "init" or services[name]["command"] == [name]
    assert "-Q provision,persist,default" in entrypoint
    assert "-Q probe" in entrypoint and "-Q events" in entrypoint
    assert "-Q frames" in entrypoint and "-Q detect" in entrypoint
    assert "--proxy-headers" in entrypoint and "--url_prefix=flower" in entrypoint


def test_web_trusts_forwarded_headers_from_the_entry_point_only(compose, services):
    """FORWARDED_ALLOW_IPS=* let any client that reaches web set X-Forwarded-For: its own lockout reset."""
    haproxy_ip = services["haproxy"]["networks"]["vms"]["ipv4_address"]
    assert services["web"]["environment"]["FORWARDED_ALLOW_IPS"] == haproxy_ip == "${HAPROXY_IP:-172.31.250.10}"
    subnet = compose["networks"]["vms"]["ipam"]["config"][0]["subnet"]
    assert ipaddress.ip_address("172.31.250.10") in ipaddress.ip_network(subnet.split(":-")[1].rstrip("}"))
    entrypoint = (REPO / "deploy" / "docker" / "entrypoint.sh").read_text()
    assert '--forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}"' in entrypoint and "*}" not in entrypoint
    # make run has nothing in front of web: it trusts no forwarded header at all.
    procfile = (REPO / "deploy" / "Procfile").read_text()
    assert "--no-proxy-headers" in next(line for line in procfile.splitlines() if line.startswith("web:"))
