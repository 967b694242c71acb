"""The gateway's HTTP contract: docs/openapi.yaml is a valid OpenAPI 3.1 document, and a live suite honours it.

(a) `test_document_is_valid_openapi` validates docs/openapi.yaml with openapi-spec-validator.
(b) `test_live_gateway_conforms` starts the real executables (broker, customers, tickets, returns, loyalty and
    gateway from $CONCIERGE_BIN_DIR, default .build/debug) against a fresh database on the server named by
    $CONCIERGE_TEST_DATABASE_URL, creates some data, then runs schemathesis against the gateway with the checks
    not_a_server_error, status_code_conformance, content_type_conformance and response_schema_conformance.
    Generated input must never get a 5xx answer.

Without CONCIERGE_TEST_DATABASE_URL the live test is skipped (scripts/test.sh always sets it).

To poke at a suite by hand:  python3 Tests/Contract/test_openapi.py serve   (prints URL and admin key, Ctrl-C stops)
Knobs: CONTRACT_MAX_EXAMPLES (default 20) examples per operation, CONTRACT_SEED for a reproducible run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "docs" / "openapi.yaml"
SERVICES = ["customers", "tickets", "returns", "loyalty"]
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


# --- (a) the document ---------------------------------------------------------------------------------------------


def test_document_is_valid_openapi():
    yaml = pytest.importorskip("yaml")
    validator = pytest.importorskip("openapi_spec_validator")
    document = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    assert document["openapi"].startswith("3.1"), "the gateway is described with OpenAPI 3.1"
    validator.validate(document)


def test_every_idempotent_operation_documents_replay_answers():
    """An operation that takes `Idempotency-Key` can answer 409 `request_in_progress` and 422
    `idempotency_conflict` whatever its body, so both must be documented (schemathesis finds them otherwise)."""
    yaml = pytest.importorskip("yaml")
    paths = yaml.safe_load(SPEC.read_text(encoding="utf-8"))["paths"]
    missing = []
    for path, item in paths.items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            refs = [parameter.get("$ref", "") for parameter in operation.get("parameters", [])]
            if any(ref.endswith("/IdempotencyKey") for ref in refs):
                missing += [f"{method.upper()} {path}: {code}" for code in ("400", "409", "422")
                            if code not in operation["responses"]]
    assert not missing, "undocumented idempotency answers:\n" + "\n".join(missing)


def test_document_covers_every_gateway_route():
    yaml = pytest.importorskip("yaml")
    paths = yaml.safe_load(SPEC.read_text(encoding="utf-8"))["paths"]
    expected = {
        ("/healthz", "get"), ("/readyz", "get"), ("/metrics", "get"),
        ("/v1/customers", "post"), ("/v1/customers", "get"), ("/v1/customers/{id}", "get"),
        ("/v1/customers/{id}/tickets", "get"), ("/v1/customers/{id}/loyalty", "get"),
        ("/v1/customers/{id}/timeline", "get"), ("/v1/tickets/{id}/solve", "post"),
        ("/v1/tickets", "post"), ("/v1/tickets/{id}", "get"), ("/v1/tickets/{id}/messages", "post"),
        ("/v1/returns", "post"), ("/v1/returns/{id}", "get"), ("/v1/api-keys", "post"),
        # returns: lifecycle, self-service, policies, analytics
        ("/v1/returns", "get"), ("/v1/returns/review-queue", "get"), ("/v1/returns/reasons", "get"),
        ("/v1/returns/eligibility", "get"), ("/v1/returns/analytics", "get"), ("/v1/returns/{id}/label", "get"),
        ("/v1/returns/{id}/approve", "post"), ("/v1/returns/{id}/decline", "post"), ("/v1/returns/{id}/cancel", "post"),
        ("/v1/returns/{id}/label", "post"), ("/v1/returns/{id}/in-transit", "post"),
        ("/v1/returns/{id}/receive", "post"), ("/v1/returns/{id}/inspect", "post"),
        ("/v1/returns/{id}/resolve", "post"), ("/v1/returns/{id}/close", "post"), ("/v1/return-policies", "get"),
        ("/v1/return-policies/{id}", "put"), ("/v1/orders/{id}/return-window", "get"),
        # the ticket lifecycle and the team
        ("/v1/tickets/{id}", "patch"), ("/v1/tickets/{id}/merge", "post"), ("/v1/tickets/{id}/split", "post"),
        ("/v1/agents", "post"), ("/v1/agents", "get"), ("/v1/agents/{id}", "patch"),
        # routing, SLA, queues
        ("/v1/groups", "get"), ("/v1/groups/{name}", "put"), ("/v1/sla", "put"), ("/v1/sla", "get"),
        ("/v1/tickets/{id}/sla", "get"), ("/v1/tickets", "get"), ("/v1/classifier", "get"),
        ("/v1/classifier/train", "post"),
        ("/v1/macros", "post"), ("/v1/macros", "get"), ("/v1/macros/{id}", "put"),
        ("/v1/tickets/{id}/macros/{macro_id}", "post"), ("/v1/triggers", "post"), ("/v1/triggers/{id}", "put"),
        ("/v1/automations", "post"), ("/v1/automations/{id}", "put"), ("/v1/rules", "get"),
        # customer profiles, search, merge, consent, segments
        ("/v1/customers/{id}", "patch"), ("/v1/customers/resolve", "post"), ("/v1/customers/{id}/merge", "post"),
        ("/v1/customers/{id}/consents/{channel}", "put"), ("/v1/segments", "get"), ("/v1/segments/{name}", "put"),
        ("/v1/segments/{name}/customers", "get"),
        # orders and the customer view
        ("/v1/customers/{id}/orders", "get"), ("/v1/customers/{id}/overview", "get"), ("/v1/orders", "get"),
        ("/v1/orders/{id}", "get"),
        # privacy
        ("/v1/customers/{id}/export", "get"), ("/v1/customers/{id}/erase", "post"),
        ("/v1/customers/{id}/erasure", "get"), ("/v1/data-requests", "get"),
        ("/v1/data-requests/{id}/complete", "post"), ("/v1/data-requests/{id}/export", "get"),
        # connected stores and their webhooks
        ("/v1/stores", "post"), ("/v1/stores", "get"), ("/v1/stores/{id}", "get"),
        ("/v1/stores/{id}/webhook-secret", "post"), ("/v1/stores/{id}/previous-webhook-secret", "delete"),
        ("/v1/stores/{id}/deliveries", "get"), ("/v1/stores/{id}/deliveries/{delivery_id}/retry", "post"),
        ("/webhooks/shopify", "post"), ("/webhooks/woocommerce", "post"),
        # knowledge base
        ("/v1/kb/articles", "post"), ("/v1/kb/articles", "get"), ("/v1/kb/articles/{id}", "get"),
        ("/v1/kb/articles/{id}", "patch"), ("/v1/kb/articles/{id}/stats", "get"), ("/v1/kb/suggestions", "post"),
        ("/v1/kb/deflections", "post"),
        # channels
        ("/v1/channels/email", "post"), ("/v1/channels/contact", "post"),
        # feedback and KPIs
        ("/feedback/csat/{token}", "get"), ("/feedback/csat/{token}", "post"), ("/feedback/nps/{token}", "get"),
        ("/feedback/nps/{token}", "post"), ("/v1/customers/{id}/nps", "post"), ("/v1/kpis", "get"),
        # live chat (WebSocket)
        ("/v1/chat", "get"),
        # loyalty and retention
        ("/v1/customers/{id}/loyalty/entries", "get"), ("/v1/customers/{id}/loyalty/redemptions", "get"),
        ("/v1/customers/{id}/loyalty/redemptions", "post"),
        ("/v1/customers/{id}/loyalty/redemptions/{redemption_id}/cancel", "post"),
        ("/v1/customers/{id}/loyalty/bonuses", "post"), ("/v1/tickets/{id}/goodwill", "post"),
        ("/v1/loyalty/rules", "get"), ("/v1/loyalty/rules", "post"), ("/v1/loyalty/rules/versions", "get"),
        ("/v1/loyalty/tiers", "get"), ("/v1/loyalty/rewards", "get"), ("/v1/loyalty/rewards", "post"),
        ("/v1/loyalty/rewards/{reward_id}", "put"), ("/v1/loyalty/retention-rules", "get"),
        ("/v1/loyalty/retention-rules/{trigger}", "put"), ("/v1/loyalty/tasks", "get"),
        ("/v1/loyalty/win-back", "get"), ("/v1/loyalty/ledger/verify", "post"),
        ("/v1/loyalty/ledger/rebuild", "post"),
    }
    documented = {(path, method) for path, item in paths.items() for method in item if method in
                  {"get", "post", "put", "patch", "delete"}}
    assert documented == expected


# --- (b) a live suite ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(server_url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(server_url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def psql(server_url: str, sql: str) -> None:
    subprocess.run(["psql", server_url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)


class Suite:
    """The six Concierge executables on free ports over a fresh database; `stop()` ends all of them."""

    def __init__(self, bin_dir: Path, server_url: str, log_dir: Path):
        self.bin_dir = bin_dir
        self.server_url = server_url
        self.log_dir = log_dir
        self.database = "contract_" + uuid.uuid4().hex[:12]
        self.admin_key = "ck_contract_" + uuid.uuid4().hex[:28]  # 40 characters
        self.http_port = free_port()
        self.broker_port = free_port()
        self.events_publish = f"tcp://127.0.0.1:{free_port()}"
        self.events_subscribe = f"tcp://127.0.0.1:{free_port()}"
        self.url = f"http://127.0.0.1:{self.http_port}"
        self.processes: list[tuple[str, subprocess.Popen]] = []
        self.database_created = False

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "CONCIERGE_DATABASE_URL": database_url(self.server_url, self.database),
            "CONCIERGE_BROKER_BIND": f"tcp://127.0.0.1:{self.broker_port}",
            "CONCIERGE_BROKER_ENDPOINT": f"tcp://127.0.0.1:{self.broker_port}",
            "CONCIERGE_EVENTS_PUBLISH_BIND": self.events_publish,
            "CONCIERGE_EVENTS_PUBLISH_ENDPOINT": self.events_publish,
            "CONCIERGE_EVENTS_SUBSCRIBE_BIND": self.events_subscribe,
            "CONCIERGE_EVENTS_SUBSCRIBE_ENDPOINT": self.events_subscribe,
            "CONCIERGE_METRICS_PORT": "0",
            "CONCIERGE_HTTP_HOST": "127.0.0.1",
            "CONCIERGE_HTTP_PORT": str(self.http_port),
            "CONCIERGE_BOOTSTRAP_ADMIN_KEY": self.admin_key,
            "CONCIERGE_DB_POOL_SIZE": "5",
            "CONCIERGE_WORKER_CONCURRENCY": "4",
            "CONCIERGE_LOG_LEVEL": os.environ.get("CONTRACT_LOG_LEVEL", "info"),
        })
        return env

    def start(self) -> None:
        psql(self.server_url, f'CREATE DATABASE "{self.database}"')
        self.database_created = True
        env = self.environment()
        for name in ["broker", *SERVICES, "gateway"]:
            executable = self.bin_dir / name
            log = open(self.log_dir / f"{name}.log", "wb")
            process = subprocess.Popen([str(executable)], env=env, stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
            log.close()
            self.processes.append((name, process))
        self.wait_ready()

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            for name, process in self.processes:
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited with {process.returncode} during start-up:\n{self.logs(name)}")
            try:
                with urllib.request.urlopen(self.url + "/readyz", timeout=5) as response:
                    if response.status == 200:
                        return
            except urllib.error.HTTPError as error:
                last = f"{error.code} {error.read()[:300]!r}"
            except (urllib.error.URLError, OSError) as error:
                last = str(error)
            time.sleep(0.25)
        raise RuntimeError(f"/readyz not 200 after {timeout:.0f}s (last: {last})\n{self.all_logs()}")

    def request(self, method: str, path: str, body: object | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.admin_key}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def logs(self, name: str, tail: int = 4000) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace")[-tail:] if path.exists() else ""

    def all_logs(self) -> str:
        return "\n".join(f"--- {name}.log\n{self.logs(name)}" for name, _ in self.processes)

    def stop(self) -> None:
        # Gateway first, broker last, each by its own process group (we started each with a new session).
        for name, process in reversed(self.processes):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for name, process in reversed(self.processes):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait(timeout=10)
        self.processes.clear()
        if self.database_created:
            try:
                psql(self.server_url, f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            except (subprocess.SubprocessError, OSError):
                pass
            self.database_created = False


def seed(suite: Suite) -> dict[str, str]:
    """Creates a customer with a ticket (and a message) and a return, so that some ids exist."""
    status, customer = suite.request("POST", "/v1/customers",
                                     {"email": f"contract-{uuid.uuid4().hex[:8]}@example.com", "name": "Ada",
                                      "phone": "+14155550123"}, {"Idempotency-Key": "seed-customer"})
    assert status == 201, customer
    status, ticket = suite.request("POST", "/v1/tickets",
                                   {"customer_id": customer["id"], "subject": "Where is my parcel?",
                                    "message": "Order 1001 has not arrived.", "channel": "email"})
    assert status == 201, ticket
    status, message = suite.request("POST", f"/v1/tickets/{ticket['id']}/messages",
                                    {"body": "We are looking into it.", "public": False})
    assert status == 201, message
    status, rma = suite.request("POST", "/v1/returns",
                                {"customer_id": customer["id"], "order_reference": "1001", "reason": "too small",
                                 "lines": [{"sku": "TSHIRT-M", "quantity": 1}]})
    assert status == 201, rma
    return {"customer": customer["id"], "ticket": ticket["id"], "return": rma["id"]}


@pytest.fixture(scope="module")
def live_suite(tmp_path_factory):
    server_url = os.environ.get("CONCIERGE_TEST_DATABASE_URL")
    if not server_url:
        pytest.skip("CONCIERGE_TEST_DATABASE_URL is not set (scripts/test.sh sets it to a throwaway PostgreSQL)")
    bin_dir = Path(os.environ.get("CONCIERGE_BIN_DIR", ROOT / ".build" / "debug"))
    missing = [name for name in ["broker", *SERVICES, "gateway"] if not (bin_dir / name).is_file()]
    if missing:
        pytest.fail(f"executables missing from {bin_dir}: {', '.join(missing)} (run swift build)")
    if shutil.which("psql") is None:
        pytest.fail("psql is needed to create the test database")
    suite = Suite(bin_dir, server_url, tmp_path_factory.mktemp("contract-logs"))
    try:
        suite.start()
        yield suite
    finally:
        suite.stop()


def test_live_gateway_conforms(live_suite: Suite, tmp_path: Path):
    ids = seed(live_suite)
    if shutil.which("schemathesis") is None and shutil.which("st") is None:
        pytest.fail("schemathesis is not installed (pip install schemathesis)")
    command = [
        shutil.which("schemathesis") or shutil.which("st"), "run", str(SPEC),
        "--url", live_suite.url,
        "--header", f"Authorization: Bearer {live_suite.admin_key}",
        "--checks", CHECKS,
        "--max-examples", os.environ.get("CONTRACT_MAX_EXAMPLES", "20"),
        # One worker: CPython 3.11 ast.parse (used by hypothesis to describe strategies) is not thread-safe and
        # fails with "AST constructor recursion depth mismatch" when two schemathesis workers describe at once.
        "--workers", "1",
        "--request-timeout", "30",
        "--suppress-health-check", "all",
        "--no-color",
        "--report", "junit", "--report-dir", str(tmp_path / "report"),
    ]
    if seed_value := os.environ.get("CONTRACT_SEED"):
        command += ["--seed", seed_value]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=1800)
    output = result.stdout + result.stderr
    server_errors = [line for line in live_suite.all_logs().splitlines()
                     if any(mark in line for mark in ("unhandled error", "operation threw", "database error"))]
    assert result.returncode == 0, (
        f"schemathesis found contract violations (exit {result.returncode}); seeded ids {ids}\n{output[-20000:]}\n"
        f"server-side errors:\n" + "\n".join(server_errors[-40:]))


if __name__ == "__main__" and sys.argv[1:] == ["serve"]:
    url = os.environ.get("CONCIERGE_TEST_DATABASE_URL")
    if not url:
        sys.exit("set CONCIERGE_TEST_DATABASE_URL")
    logs = Path(tempfile.mkdtemp(prefix="contract-serve-"))
    suite = Suite(Path(os.environ.get("CONCIERGE_BIN_DIR", ROOT / ".build" / "debug")), url, logs)
    try:
        suite.start()
        print(json.dumps({"url": suite.url, "admin_key": suite.admin_key, "logs": str(logs), **seed(suite)}),
              flush=True)
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        suite.stop()


# --- (c) the concierge CLI against the live suite's database -----------------------------------------------------

def run_concierge(suite: Suite, *arguments: str) -> str:
    result = subprocess.run(
        [str(suite.bin_dir / "concierge"), *arguments, "--database-url", database_url(suite.server_url, suite.database)],
        capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, f"concierge {' '.join(arguments)} exited {result.returncode}: {result.stderr}"
    return result.stdout


def test_cli_keys_create_prints_a_secret_that_works(live_suite: Suite):
    secret = run_concierge(live_suite, "keys", "create", "--role", "agent", "--name", "cli test").strip()
    assert secret.startswith("ck_") and len(secret) == 43, f"printed: {secret!r}"
    request = urllib.request.Request(
        live_suite.url + "/v1/customers", method="POST",
        data=json.dumps({"email": f"cli-{uuid.uuid4().hex[:8]}@example.com"}).encode())
    request.add_header("Authorization", f"Bearer {secret}")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201


def test_cli_migrate_reports_every_schema_up_to_date(live_suite: Suite):
    output = run_concierge(live_suite, "migrate")
    for schema in ["events", "customers", "tickets", "returns", "loyalty", "gateway"]:
        assert f"{schema}: up to date" in output, output
