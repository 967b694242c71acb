"""A small MDP/0.1 (ZeroMQ RFC 7) client and worker, written for Concierge's interop tests from the spec.

Frames (as seen from the DEALER side, which sends an empty delimiter frame first):

client request   ["", "MDPC01", service, body...]
client reply     ["", "MDPC01", service, body...]
worker READY     ["", "MDPW01", 0x01, service]
broker REQUEST   ["", "MDPW01", 0x02, client address, "", body...]
worker REPLY     ["", "MDPW01", 0x03, client address, "", body...]
HEARTBEAT        ["", "MDPW01", 0x04]
DISCONNECT       ["", "MDPW01", 0x05]
"""

import time

import zmq

C_CLIENT = b"MDPC01"
W_WORKER = b"MDPW01"
W_READY = b"\x01"
W_REQUEST = b"\x02"
W_REPLY = b"\x03"
W_HEARTBEAT = b"\x04"
W_DISCONNECT = b"\x05"


class MDPClient:
    """An asynchronous-capable MDP client over one DEALER socket."""

    def __init__(self, endpoint, context=None):
        self.context = context or zmq.Context.instance()
        self.endpoint = endpoint
        self.socket = self.context.socket(zmq.DEALER)
        self.socket.linger = 0
        self.socket.connect(endpoint)

    def send(self, service, *body):
        if isinstance(service, str):
            service = service.encode()
        self.socket.send_multipart([b"", C_CLIENT, service, *body])

    def recv(self, timeout=5.0):
        """Returns (service, body frames) or None on timeout. Raises on a malformed reply."""
        if not self.socket.poll(int(timeout * 1000)):
            return None
        frames = self.socket.recv_multipart()
        assert len(frames) >= 3, frames
        assert frames[0] == b"", frames
        assert frames[1] == C_CLIENT, frames
        return frames[2], frames[3:]

    def request(self, service, *body, timeout=5.0):
        """One request, one reply (body frames) or None on timeout."""
        self.send(service, *body)
        reply = self.recv(timeout)
        return None if reply is None else reply[1]

    def service_available(self, name, timeout=5.0):
        """mmi.service (RFC 8): the reply code as text ("200", "404", ...)."""
        reply = self.request("mmi.service", name.encode(), timeout=timeout)
        return None if reply is None else reply[0].decode()

    def close(self):
        self.socket.close(0)


class MDPWorker:
    """A spec MDP worker: READY on connect, heartbeats every interval (idle or not), reconnect after
    `liveness` silent intervals or after DISCONNECT."""

    def __init__(self, endpoint, service, heartbeat=0.25, liveness=3, context=None):
        self.context = context or zmq.Context.instance()
        self.endpoint = endpoint
        self.service = service.encode() if isinstance(service, str) else service
        self.heartbeat = heartbeat
        self.liveness_max = liveness
        self.socket = None
        self.disconnects = 0
        self.heartbeats_received = 0
        self.connect()

    def connect(self):
        if self.socket is not None:
            self.socket.close(0)
        self.socket = self.context.socket(zmq.DEALER)
        self.socket.linger = 0
        self.socket.connect(self.endpoint)
        self.send_command(W_READY, self.service)
        self.liveness = self.liveness_max
        self.heartbeat_at = time.monotonic() + self.heartbeat

    def send_command(self, command, *frames):
        self.socket.send_multipart([b"", W_WORKER, command, *frames])

    def send_raw(self, frames):
        self.socket.send_multipart(frames)

    def recv_raw(self, timeout=5.0):
        if not self.socket.poll(int(timeout * 1000)):
            return None
        return self.socket.recv_multipart()

    def reply(self, client, *body):
        self.send_command(W_REPLY, client, b"", *body)

    def recv_request(self, timeout=5.0, reconnect=True):
        """Serves heartbeats until a REQUEST arrives; returns (client address, body) or None on timeout.
        On DISCONNECT it registers again (when `reconnect`), as the spec says."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            wait = max(0.0, min(self.heartbeat_at, deadline) - time.monotonic())
            if self.socket.poll(int(wait * 1000)):
                frames = self.socket.recv_multipart()
                self.liveness = self.liveness_max
                assert len(frames) >= 3 and frames[0] == b"" and frames[1] == W_WORKER, frames
                command = frames[2]
                if command == W_REQUEST:
                    assert len(frames) >= 5 and frames[4] == b"", frames
                    return frames[3], frames[5:]
                if command == W_HEARTBEAT:
                    self.heartbeats_received += 1
                elif command == W_DISCONNECT:
                    self.disconnects += 1
                    if not reconnect:
                        return None
                    self.connect()
                else:
                    raise AssertionError(f"unexpected command {frames!r}")
            else:
                self.liveness -= 0 if time.monotonic() < self.heartbeat_at else 1
                if self.liveness <= 0:
                    self.connect()
            if time.monotonic() >= self.heartbeat_at:
                self.send_command(W_HEARTBEAT)
                self.heartbeat_at = time.monotonic() + self.heartbeat
        return None

    def close(self, disconnect=True):
        if self.socket is not None:
            if disconnect:
                self.send_command(W_DISCONNECT)
            self.socket.close(200 if disconnect else 0)
            self.socket = None
