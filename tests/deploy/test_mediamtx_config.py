"""deploy/mediamtx/mediamtx.yml speaks MediaMTX 1.20.1's configuration (the reference file's keys)."""

import yaml

from tests.deploy.conftest import REFERENCE, REPO

CONFIG = REPO / "deploy" / "mediamtx" / "mediamtx.yml"


def load(path):
    return yaml.safe_load(path.read_text())


def merge_records(items):
    """One mapping with every key any of the records has; lists of records are merged likewise."""
    union = {}
    for item in items:
        for key, value in item.items():
            if isinstance(value, list) and isinstance(union.get(key), list):
                union[key] = union[key] + value
            else:
                union.setdefault(key, value)
    return union


def unknown_keys(ours, reference, where=""):
    """Keys of `ours` that the reference does not have, recursively through mappings and lists of mappings."""
    missing = []
    for key, value in ours.items():
        here = f"{where}.{key}" if where else key
        if key not in reference:
            missing.append(here)
            continue
        ref = reference[key]
        if isinstance(value, dict) and isinstance(ref, dict) and key != "paths":
            missing += unknown_keys(value, ref, here)
        elif isinstance(value, list) and isinstance(ref, list) and ref and all(isinstance(i, dict) for i in ref):
            # A list of records (authInternalUsers): each of ours may use any key some reference item has.
            union = merge_records(ref)
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    missing += unknown_keys(item, union, f"{here}[{index}]")
    return missing


def test_every_key_exists_in_the_reference():
    assert unknown_keys(load(CONFIG), load(REFERENCE / "mediamtx" / "mediamtx.yml")) == []


def test_the_key_check_can_fail():
    reference = load(REFERENCE / "mediamtx" / "mediamtx.yml")
    ours = load(CONFIG)
    ours["hlsLowLatencyMode"] = True
    ours["pathDefaults"]["sourceOnDemandx"] = True
    ours["authInternalUsers"] = [{"user": "x", "password": "x"}]
    assert set(unknown_keys(ours, reference)) == {
        "hlsLowLatencyMode", "pathDefaults.sourceOnDemandx", "authInternalUsers[0].password"
    }


def test_every_request_is_asked_of_the_app_and_nobody_reads_without_it():
    config = load(CONFIG)
    assert config["api"] is True and config["metrics"] is True
    assert config["authMethod"] == "http"
    assert config["authHTTPAddress"] == "http://web:8000/internal/media-auth"
    # MediaMTX's default leaves the API, metrics and pprof unchecked: nothing is left unchecked here.
    assert config["authHTTPExclude"] == []
    assert config["authInternalUsers"] == [] and "user: any" not in CONFIG.read_text()
    assert not config.get("paths"), "static paths: every path comes from the API"
    defaults = config["pathDefaults"]
    assert defaults["sourceOnDemand"] is True
    assert defaults["recordPath"].startswith("/recordings/")


def test_outputs_are_where_the_app_and_the_entry_point_expect_them():
    config = load(CONFIG)
    assert config["apiAddress"] == ":9997" and config["metricsAddress"] == ":9998"
    assert config["rtspAddress"] == ":8554" and config["hlsAddress"] == ":8888" and config["webrtcAddress"] == ":8889"
    assert config["hlsVariant"] in {"fmp4", "lowLatency", "mpegts"}
    compose = yaml.safe_load((REPO / "compose.yaml").read_text())
    mounts = compose["services"]["mediamtx"]["volumes"]
    assert "./deploy/mediamtx/mediamtx.yml:/mediamtx.yml:ro" in mounts and "recordings:/recordings" in mounts


def test_make_run_asks_the_app_and_the_tests_without_one_read_from_this_machine_only():
    from apps.devtools.mediamtx import local_config

    asking = local_config(auth_address="http://127.0.0.1:8000/internal/media-auth")
    assert asking["authMethod"] == "http" and asking["authHTTPExclude"] == [] and asking["authInternalUsers"] == []
    assert asking["authHTTPAddress"] == "http://127.0.0.1:8000/internal/media-auth"
    alone = local_config(host="127.0.0.1")
    assert alone["authMethod"] == "internal"
    assert all(user["ips"] == ["127.0.0.1"] for user in alone["authInternalUsers"] if user["user"] == "any")
    assert "--auth-url http://127.0.0.1:8000/internal/media-auth" in (REPO / "deploy" / "Procfile").read_text()
