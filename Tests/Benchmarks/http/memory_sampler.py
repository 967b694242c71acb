#!/usr/bin/env python3
"""Samples the memory of the suite's processes for scripts/bench.sh, without forking anything per sample.

Usage: memory_sampler.py OUT_DIR NAME=PID [NAME=PID ...]

Every 200 ms it reads /proc/PID/smaps_rollup of each process (Rss, Pss, Pss_Anon, in kB) and keeps the maxima
per process and of the sums. It writes them, as bench.sh reads them, to OUT_DIR/rss.max_kb ("rss pss anon" of
the sums) and OUT_DIR/rss.proc ("name rss pss" per process): every second, and once more when it is stopped
(SIGTERM). One long-lived process instead of a shell loop with awk, mv and subshells: the sampler must not take
the CPU the measured run needs.
"""

import os
import signal
import sys
import time

FIELDS = {"Rss:": 0, "Pss:": 1, "Pss_Anon:": 2}


def read(pid: int) -> tuple[int, int, int]:
    values = [0, 0, 0]
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle.read().decode().splitlines():
                parts = line.split()
                if parts and parts[0] in FIELDS:
                    values[FIELDS[parts[0]]] = int(parts[1])
    except (OSError, ValueError, IndexError):
        pass
    return values[0], values[1], values[2]


def write(out_dir: str, name: str, text: str) -> None:
    temporary = os.path.join(out_dir, name + ".tmp")
    with open(temporary, "w") as handle:
        handle.write(text)
    os.replace(temporary, os.path.join(out_dir, name))


def main() -> None:
    out_dir = sys.argv[1]
    processes = [(entry.split("=", 1)[0], int(entry.split("=", 1)[1])) for entry in sys.argv[2:]]
    per_process = {name: [0, 0] for name, _ in processes}
    sums = [0, 0, 0]
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def flush() -> None:
        write(out_dir, "rss.max_kb", f"{sums[0]} {sums[1]} {sums[2]}\n")
        write(out_dir, "rss.proc", "".join(f"{name} {kb[0]} {kb[1]}\n" for name, kb in per_process.items()))

    last_flush = 0.0
    while not stopping:
        total = [0, 0, 0]
        for name, pid in processes:
            rss, pss, anon = read(pid)
            total = [total[0] + rss, total[1] + pss, total[2] + anon]
            per_process[name] = [max(per_process[name][0], rss), max(per_process[name][1], pss)]
        sums = [max(sums[index], total[index]) for index in range(3)]
        now = time.monotonic()
        if now - last_flush >= 1:
            flush()
            last_flush = now
        time.sleep(0.2)
    flush()


if __name__ == "__main__":
    main()
