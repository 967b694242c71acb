"""Static checks of compose/ (no Docker, no network). See README.md beside this file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "compose" / "compose.yaml"
DOCKERFILE = ROOT / "compose" / "Dockerfile"
SCHEMA_FILE = Path(__file__).resolve().parent / "compose-spec.json"
CONFIG_DOC = ROOT / "docs" / "configuration.md"
PACKAGE_SWIFT = ROOT / "Package.swift"

SCALABLE = ("tickets", "customers", "returns", "loyalty")
APP_SERVICES = ("gateway",) + SCALABLE

_VAR = re.compile(r"\$(?:\$|\{(?P<braced>[^}]*)\}|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))")


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose-style variable interpolation: $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, $$."""

    def repl(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        expr = m.group("braced") if m.group("braced") is not None else m.group("plain")
        for op in (":-", "-", ":?", "?"):
            if op in expr:
                name, arg = expr.split(op, 1)
                val = env.get(name)
                if op == ":-":
                    return val if val else arg
                if op == "-":
                    return val if val is not None else arg
                if not val and (op == ":?" or val is None):
                    raise ValueError(f"required variable {name} is missing: {arg}")
                return val or ""
        return env.get(expr, "")

    return _VAR.sub(repl, value)


def interpolate_tree(node, env: dict[str, str]):
    if isinstance(node, dict):
        return {k: interpolate_tree(v, env) for k, v in node.items()}
    if isinstance(node, list):
        return [interpolate_tree(v, env) for v in node]
    if isinstance(node, str) and "$" in node:
        out = interpolate(node, env)
        # Compose casts interpolated values to the schema's type; numbers are the only case here.
        return int(out) if re.fullmatch(r"-?\d+", out) else out
    return node


@pytest.fixture(scope="module")
def raw() -> dict:
    with COMPOSE_FILE.open() as f:
        return yaml.safe_load(f)


@pytest.fixture(scope="module")
def config(raw: dict) -> dict:
    return interpolate_tree(raw, {})


def test_schema_is_vendored_compose_spec():
    schema = json.loads(SCHEMA_FILE.read_text())
    assert schema.get("id") == "compose_spec.json"
    assert "service" in schema["definitions"]


def test_compose_file_validates_against_compose_spec(config: dict):
    schema = json.loads(SCHEMA_FILE.read_text())
    # The schema names draft 2019-09 with a trailing "#", which validator_for() does not recognise.
    validator_cls = getattr(jsonschema, "Draft201909Validator", jsonschema.Draft7Validator)
    validator = validator_cls(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


def test_expected_services(config: dict):
    assert set(config["services"]) == {"postgres", "broker", *APP_SERVICES}


def test_every_service_has_a_healthcheck(config: dict):
    for name, service in config["services"].items():
        hc = service.get("healthcheck")
        assert hc and hc.get("test") and not hc.get("disable"), f"service {name} has no healthcheck"


def test_healthchecks_probe_the_right_endpoints(config: dict):
    services = config["services"]
    assert "http://localhost:8080/healthz" in services["gateway"]["healthcheck"]["test"]
    for name in ("broker", *SCALABLE):
        assert "http://localhost:9100/healthz" in services[name]["healthcheck"]["test"], name
        assert services[name]["environment"]["CONCIERGE_METRICS_PORT"] == 9100, name
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])


def test_scalable_services_have_replicas(config: dict, raw: dict):
    for name in SCALABLE:
        replicas = config["services"][name].get("deploy", {}).get("replicas")
        assert isinstance(replicas, int) and replicas >= 1, f"{name} needs deploy.replicas"
        # The count is overridable from the environment, e.g. TICKETS_REPLICAS=4.
        assert f"{name.upper()}_REPLICAS" in str(raw["services"][name]["deploy"]["replicas"])
        assert "container_name" not in config["services"][name], f"{name} cannot scale with a container_name"


def test_app_services_wait_for_postgres_and_broker(config: dict):
    for name in APP_SERVICES:
        deps = config["services"][name].get("depends_on")
        assert isinstance(deps, dict), f"{name}: depends_on must use conditions"
        assert deps.get("postgres", {}).get("condition") == "service_healthy", name
        assert deps.get("broker", {}).get("condition") == "service_started", name


def test_only_gateway_publishes_ports(config: dict):
    for name, service in config["services"].items():
        if name != "gateway":
            assert "ports" not in service, f"{name} must not publish host ports"
    assert any(str(p).endswith(":8080") for p in config["services"]["gateway"]["ports"])


def _compose_concierge_vars(config: dict) -> set[str]:
    names: set[str] = set()
    for service in config["services"].values():
        env = service.get("environment") or {}
        keys = env.keys() if isinstance(env, dict) else (e.split("=", 1)[0] for e in env)
        names.update(k for k in keys if k.startswith("CONCIERGE_"))
    return names


def test_compose_sets_concierge_variables(config: dict):
    assert {"CONCIERGE_DATABASE_URL", "CONCIERGE_BROKER_ENDPOINT", "CONCIERGE_BROKER_BIND"} <= _compose_concierge_vars(
        config
    )


def test_concierge_variables_are_documented(config: dict):
    doc = CONFIG_DOC.read_text()
    missing = sorted(v for v in _compose_concierge_vars(config) if f"`{v}`" not in doc)
    assert not missing, f"not in docs/configuration.md: {missing}"


def test_concierge_variables_are_read_by_the_code(config: dict):
    sources = "\n".join(
        p.read_text(errors="replace") for d in ("Shared", "Services") for p in (ROOT / d).rglob("*.swift")
    )
    missing = sorted(v for v in _compose_concierge_vars(config) if f'"{v}"' not in sources)
    assert not missing, f'set in compose.yaml but no Swift file under Shared/ or Services/ reads "NAME": {missing}'


def _executable_products() -> list[str]:
    names = re.findall(r'\.executable\(\s*name:\s*"([^"]+)"', PACKAGE_SWIFT.read_text())
    assert names, "no executable products found in Package.swift"
    return names


def test_dockerfile_copies_every_executable_product():
    dockerfile = DOCKERFILE.read_text()
    # The builder stage copies a fixed list of executables into /staging.
    m = re.search(r"for exe in ([^;]+);", dockerfile)
    assert m, "Dockerfile must copy the executables with `for exe in ...; do`"
    copied = set(m.group(1).split())
    missing = sorted(set(_executable_products()) - copied)
    assert not missing, f"Dockerfile does not copy executable products: {missing}"
    assert "*.resources" in dockerfile, "Dockerfile must copy SwiftPM resource bundles"


def test_compose_commands_are_executable_products(config: dict):
    products = set(_executable_products())
    for name, service in config["services"].items():
        if name == "postgres":
            continue
        assert service["command"][0] in products, f"{name}: unknown executable {service['command'][0]}"
