"""Interop: spec-conforming pyzmq MDP peers against the Swift broker and the Swift echo worker.

Binaries come from $CONCIERGE_BIN_DIR or .build/debug (run `swift build --product broker --product
mdp-echo-worker` first).
"""

import json
import os
import socket
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest
import zmq

from mdp import W_DISCONNECT, W_HEARTBEAT, W_READY, W_REPLY, W_WORKER, MDPClient, MDPWorker

ROOT = Path(__file__).resolve().parents[2]
BIN_DIR = Path(os.environ.get("CONCIERGE_BIN_DIR", ROOT / ".build" / "debug"))
HEARTBEAT_MS = 200
LIVENESS = 3
EXPIRY_MS = 1000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listening on {port}")


def stop_process(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture
def broker():
    binary = BIN_DIR / "broker"
    if not binary.exists():
        pytest.skip(f"{binary} not built")
    port = free_port()
    env = dict(
        os.environ,
        CONCIERGE_BROKER_BIND=f"tcp://127.0.0.1:{port}",
        CONCIERGE_EVENTS_PUBLISH_BIND="off",
        CONCIERGE_EVENTS_SUBSCRIBE_BIND="off",
        CONCIERGE_METRICS_PORT="0",
        CONCIERGE_HEARTBEAT_INTERVAL_MS=str(HEARTBEAT_MS),
        CONCIERGE_HEARTBEAT_LIVENESS=str(LIVENESS),
        CONCIERGE_REQUEST_EXPIRY_MS=str(EXPIRY_MS),
        CONCIERGE_LOG_LEVEL=os.environ.get("CONCIERGE_LOG_LEVEL", "warning"),
    )
    process = subprocess.Popen([str(binary)], env=env)
    try:
        wait_port(port)
        yield f"tcp://127.0.0.1:{port}"
    finally:
        stop_process(process)
    assert process.returncode == 0, f"broker exited with {process.returncode} after SIGTERM"


@pytest.fixture
def client(broker):
    c = MDPClient(broker)
    yield c
    c.close()


def envelope(operation, payload, request_id):
    return [operation.encode(), json.dumps(payload).encode(), json.dumps({"request_id": request_id}).encode()]


def wait_available(client, service, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if client.service_available(service, timeout=2.0) == "200":
            return True
        time.sleep(0.05)
    return False


def test_python_client_swift_echo_worker(broker, client):
    binary = BIN_DIR / "mdp-echo-worker"
    if not binary.exists():
        pytest.skip(f"{binary} not built")
    env = dict(os.environ, CONCIERGE_HEARTBEAT_INTERVAL_MS=str(HEARTBEAT_MS), CONCIERGE_LOG_LEVEL="warning")
    worker = subprocess.Popen([str(binary), "swift.echo", broker], env=env, stdout=subprocess.DEVNULL)
    try:
        assert wait_available(client, "swift.echo")
        # Several in flight at once over one DEALER, matched by request_id.
        ids = [str(uuid.uuid4()) for _ in range(20)]
        for n, rid in enumerate(ids):
            client.send("swift.echo", *envelope("swift.echo.echo", {"n": n}, rid))
        replies = {}
        for _ in ids:
            reply = client.recv(timeout=10)
            assert reply is not None
            service, body = reply
            assert service == b"swift.echo"
            assert body[0] == b"200"
            replies[json.loads(body[2])["request_id"]] = json.loads(body[1])
        assert replies == {rid: {"n": n} for n, rid in enumerate(ids)}
        # Not an envelope: the worker answers 400 with a problem body.
        body = client.request("swift.echo", b"just-one-frame", timeout=10)
        assert body[0] == b"400"
        assert json.loads(body[1])["code"] == "bad_request"
    finally:
        stop_process(worker)
    assert worker.returncode == 0
    # The worker said DISCONNECT on its way out: the broker forgets it at once.
    assert client.service_available("swift.echo") == "404"


def test_python_worker_and_client_with_mmi(broker, client):
    worker = MDPWorker(broker, "py.echo", heartbeat=HEARTBEAT_MS / 1000)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            request = worker.recv_request(timeout=0.5)
            if request is not None:
                address, body = request
                meta = json.loads(body[2])
                worker.reply(address, b"201", body[1], json.dumps({"request_id": meta["request_id"]}).encode())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        assert wait_available(client, "py.echo")
        assert client.service_available("py.missing") == "404"
        assert client.request("mmi.unknown", b"x") == [b"501"]
        rid = str(uuid.uuid4())
        body = client.request("py.echo", *envelope("py.echo.run", {"hello": "world"}, rid), timeout=10)
        assert body[0] == b"201"
        assert json.loads(body[1]) == {"hello": "world"}
        assert json.loads(body[2])["request_id"] == rid
    finally:
        stop.set()
        thread.join(timeout=5)
        worker.close()


def test_service_without_worker_gets_503(broker, client):
    rid = str(uuid.uuid4())
    body = client.request("nobody.home", *envelope("nobody.home.get", {}, rid), timeout=10)
    assert body is not None, "broker should answer before the client gives up"
    assert body[0] == b"503"
    problem = json.loads(body[1])
    assert problem["code"] == "service_unavailable"
    assert problem["status"] == 503
    assert json.loads(body[2])["request_id"] == rid


def test_worker_heartbeats_and_protocol_violations(broker, client):
    context = zmq.Context.instance()
    worker = MDPWorker(broker, "py.hb", heartbeat=HEARTBEAT_MS / 1000, context=context)
    try:
        # Heartbeating keeps the worker alive well past the expiry period; the broker heartbeats back.
        worker.recv_request(timeout=3 * HEARTBEAT_MS * LIVENESS / 1000)
        assert worker.heartbeats_received >= 2
        assert client.service_available("py.hb") == "200"

        # READY from an already registered worker is a protocol violation: DISCONNECT.
        worker.send_command(W_READY, b"py.hb")
        frames = next_command(worker)
        assert frames == [b"", W_WORKER, W_DISCONNECT]
        assert client.service_available("py.hb") == "404"

        # REPLY from a worker the broker does not know: DISCONNECT.
        worker.send_command(W_REPLY, b"someone", b"", b"200")
        assert next_command(worker) == [b"", W_WORKER, W_DISCONNECT]

        # An unknown command: DISCONNECT.
        worker.send_raw([b"", W_WORKER, b"\x42"])
        assert next_command(worker) == [b"", W_WORKER, W_DISCONNECT]

        # A worker that stops heartbeating expires.
        worker.connect()
        assert wait_available(client, "py.hb")
        time.sleep(2 * HEARTBEAT_MS * LIVENESS / 1000)
        assert client.service_available("py.hb") == "404"
    finally:
        worker.close(disconnect=False)


def test_worker_lost_while_busy(broker, client):
    worker = MDPWorker(broker, "py.crash", heartbeat=HEARTBEAT_MS / 1000)
    try:
        assert wait_available(client, "py.crash")
        rid = str(uuid.uuid4())
        client.send("py.crash", *envelope("py.crash.boom", {}, rid))
        request = worker.recv_request(timeout=5)
        assert request is not None
        worker.close(disconnect=False)  # dies without a word
        reply = client.recv(timeout=10)
        assert reply is not None
        body = reply[1]
        assert body[0] == b"503"
        assert json.loads(body[1])["code"] == "worker_lost"
        assert json.loads(body[2])["request_id"] == rid
    finally:
        if worker.socket is not None:
            worker.close(disconnect=False)


def next_command(worker, timeout=5.0):
    """The next message that is not a HEARTBEAT."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        frames = worker.recv_raw(timeout=max(0.0, deadline - time.monotonic()))
        if frames is None:
            return None
        if frames[2:3] != [W_HEARTBEAT]:
            return frames
    return None
