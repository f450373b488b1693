"""Normalizers: the same view from every real-life response shape."""

from __future__ import annotations

import pytest

from drift.normalize import secrets, services, units, vpc_connectors


@pytest.mark.parametrize(
    ("a", "b"),
    [("4Gi", "4096Mi"), ("512Mi", 536870912), ("1G", "1000M"), ("2Gi", "2048Mi")],
)
def test_memory_spellings_are_equal(a, b):
    assert units.memory(a) == units.memory(b)


def test_memory_canonical_spelling():
    assert units.memory("4096Mi") == "4Gi"
    assert units.memory("1500Mi") == "1500Mi"
    assert units.memory("4Gi") != units.memory("4G")


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("600s", 600), (600, 600), ("10m", 600), ("1.5s", 1.5), ({"seconds": 30}, 30)],
)
def test_durations(value, seconds):
    assert units.duration_seconds(value) == seconds


@pytest.mark.parametrize(
    ("value", "cpu"), [("1000m", 1), ("4", 4), ("500m", 0.5), (2, 2), ("0.5", 0.5)]
)
def test_cpu_millicores(value, cpu):
    assert units.cpu(value) == cpu


def test_bad_units_raise_sentences():
    with pytest.raises(ValueError, match="memory"):
        units.memory("lots")
    with pytest.raises(ValueError, match="duration"):
        units.duration_seconds("soon")


def _service(**template):
    return {
        "name": "projects/p/locations/us-central1/services/api",
        "ingress": "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
        "template": template,
    }


def test_service_defaults_when_google_omits_fields():
    view = services.normalize(_service(containers=[{"image": "img"}]), {"p"})
    assert view["min_instances"] == 0
    assert view["max_instances"] == 100
    assert view["timeout"] == 300
    assert view["cpu"] == 1 and view["memory"] == "512Mi" and view["concurrency"] == 80
    assert view["ingress"] == "internal-and-cloud-load-balancing"
    assert view["vpc_connector"] is None and view["vpc_egress"] is None
    assert view["env"] == {}


def test_service_serving_container_is_the_one_with_a_port():
    raw = _service(
        containers=[
            {"name": "sidecar", "image": "proxy", "env": [{"name": "X", "value": "1"}]},
            {
                "name": "app",
                "image": "app",
                "ports": [{"containerPort": 8080}],
                "resources": {"limits": {"cpu": "4000m", "memory": "4096Mi"}},
                "env": [
                    {"name": "A", "value": "1"},
                    {
                        "name": "S",
                        "valueSource": {"secretKeyRef": {"secret": "projects/123/secrets/s"}},
                    },
                    {
                        "name": "T",
                        "valueSource": {
                            "secretKeyRef": {"secret": "projects/other/secrets/t", "version": "3"}
                        },
                    },
                ],
            },
        ],
        vpcAccess={"connector": "projects/p/locations/us-central1/connectors/c1"},
        timeout="600s",
        executionEnvironment="EXECUTION_ENVIRONMENT_GEN2",
    )
    view = services.normalize(raw, {"p", "123"})
    assert view["image"] == "app"
    assert view["cpu"] == 4 and view["memory"] == "4Gi"
    assert view["env"] == {
        "A": "1",
        "S": {"secret": "s", "version": "latest"},
        "T": {"secret": "projects/other/secrets/t", "version": "3"},
    }
    assert view["vpc_connector"] == "c1"
    assert view["vpc_egress"] == "private-ranges-only"  # unset egress is documented as this
    assert view["timeout"] == 600 and view["execution_environment"] == "gen2"


def test_service_level_scaling_is_the_fallback_for_min_instances():
    raw = _service(containers=[{"image": "i"}])
    raw["scaling"] = {"minInstanceCount": 2}
    assert services.normalize(raw, {"p"})["min_instances"] == 2


def test_secret_replication_and_versions():
    auto = {"name": "projects/1/secrets/a", "replication": {"automatic": {}}}
    assert secrets.normalize(auto, None) == {
        "replication": "automatic",
        "labels": {},
        "rotation_period": None,
        "_version_aliases": {},
    }
    user = {
        "name": "projects/1/secrets/b",
        "replication": {
            "userManaged": {"replicas": [{"location": "us-east1"}, {"location": "europe-west1"}]}
        },
        "rotation": {"rotationPeriod": "86400s"},
    }
    versions = [
        {"name": "projects/1/secrets/b/versions/1", "state": "DISABLED"},
        {"name": "projects/1/secrets/b/versions/2", "state": "ENABLED"},
    ]
    view = secrets.normalize(user, versions)
    assert view["replication"] == {"user_managed": ["europe-west1", "us-east1"]}
    assert view["enabled_versions"] == 1 and view["rotation_period"] == 86400
    assert secrets.project_number_of("projects/701982941522/secrets/x") == "701982941522"


def test_connector_full_network_path_is_short_name():
    view = vpc_connectors.normalize(
        {
            "name": "projects/p/locations/us-central1/connectors/c",
            "network": "projects/p/global/networks/staging-vpc",
            "ipCidrRange": "10.1.0.0/28",
            "minInstances": 2,
            "maxInstances": "10",
            "state": "READY",
        }
    )
    assert view["network"] == "staging-vpc" and view["max_instances"] == 10
    assert view["machine_type"] == "e2-micro"


def test_ready_traffic_and_probes():
    raw = _service(
        containers=[
            {
                "image": "i",
                "ports": [{"containerPort": 8080}],
                "startupProbe": {
                    "tcpSocket": {"port": 8080},
                    "timeoutSeconds": 240,
                    "periodSeconds": 240,
                    "failureThreshold": 1,
                },
                "livenessProbe": {
                    "httpGet": {"path": "/health", "port": 8080},
                    "periodSeconds": 10,
                },
            }
        ]
    )
    raw.update(
        {
            "terminalCondition": {"type": "Ready", "state": "CONDITION_SUCCEEDED"},
            "latestCreatedRevision": "projects/p/locations/r/services/api/revisions/api-2",
            "latestReadyRevision": "projects/p/locations/r/services/api/revisions/api-1",
            "traffic": [
                {
                    "type": "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION",
                    "revision": "api-1",
                    "percent": 90,
                },
                {"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "percent": 10, "tag": "canary"},
            ],
        }
    )
    view = services.normalize(raw, {"p"})
    assert view["ready"] is False  # the latest created revision never became ready
    assert view["traffic"] == {"api-1": 90, "latest": 10}
    assert view["startup_probe"] == {
        "type": "tcp",
        "port": 8080,
        "initial_delay": 0,
        "period": 240,
        "timeout": 240,
        "failure_threshold": 1,
    }
    assert view["liveness_probe"]["path"] == "/health"
    raw["latestCreatedRevision"] = raw["latestReadyRevision"]
    raw["traffic"] = [{"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "percent": 100}]
    view = services.normalize(raw, {"p"})
    assert view["ready"] is True and view["traffic"] == "latest"
    assert services.normalize(_service(containers=[{}]), {"p"})["traffic"] == "latest"
