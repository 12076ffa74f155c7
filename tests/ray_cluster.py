"""A real Ray cluster of two nodes for the tests, on 127.0.0.1 only, each node with one CPU.

Each node is started with `ray start` in a session of its own, with its own temporary folder and
free ports, so the test owns exactly the processes of its cluster: it stops them by their process
group. (`ray stop` would stop every Ray process of the machine, another user's cluster too.)

Ray joins nodes on the machine's network address unless told otherwise: the head is kept on the
loopback address by RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 (a single-machine cluster); the worker node
is started through `ray start`'s own entry point with the loopback address taken as given (Ray would
otherwise swap 127.0.0.1 for the machine's address). The driver (the test process, or a command it
runs) needs RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 as well, set before it imports ray: `DRIVER_ENV`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DRIVER_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0"}

# `ray start` for a worker node, keeping the loopback address it is given.
_WORKER_START = """
import sys
import ray._private.services as services
services.resolve_ip_for_localhost = lambda host: host
from ray.scripts.scripts import main
sys.argv[0] = "ray"
main()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _node_ports() -> list[str]:
    """Options that give a node's every listening port a free one (the defaults may be taken)."""
    low = free_port() // 100 * 100  # a range of 50 worker ports, in the hope that it is free
    low = low if low + 60 < 65000 else 20000 + os.getpid() % 400 * 100
    return [
        "--node-manager-port",
        str(free_port()),
        "--object-manager-port",
        str(free_port()),
        "--dashboard-agent-listen-port",
        str(free_port()),
        "--dashboard-agent-grpc-port",
        str(free_port()),
        "--metrics-export-port",
        str(free_port()),
        "--runtime-env-agent-port",
        str(free_port()),
        "--min-worker-port",
        str(low),
        "--max-worker-port",
        str(low + 50),
    ]


class LocalCluster:
    """`cluster = LocalCluster(tmp); cluster.start(); ... cluster.kill_worker(); ... cluster.stop()`"""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.client_port = free_port()  # Ray Client: ray://127.0.0.1:client_port
        self.groups: dict[str, int] = {}  # node name -> its process group
        # The nodes (and so the workers they start) import the tests' stand-in readers; a lost node
        # is noticed in seconds, not in the default half-minute.
        self.env = {
            **os.environ,
            **DRIVER_ENV,
            "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
            "RAY_health_check_period_ms": "500",
            "RAY_health_check_timeout_ms": "1000",
            "RAY_health_check_failure_threshold": "3",
            # Ray Client's per-driver server is a new Python process: on a busy machine it takes
            # longer than the default 30 s to answer
            "RAY_CLIENT_SERVER_CHECK_CHANNEL_TIMEOUT_S": "180",
        }

    def _start(self, name: str, command: list[str], env: dict[str, str], cpus: int = 1) -> None:
        temp = self.folder / name
        temp.mkdir(parents=True, exist_ok=True)
        log = (self.folder / f"{name}.log").open("w")
        proc = subprocess.Popen(
            [
                *command,
                "--temp-dir",
                str(temp),
                "--num-cpus",
                str(cpus),
                "--disable-usage-stats",
                *_node_ports(),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its processes in a group of their own, to stop them all
            env=env,
            cwd=self.folder,
        )
        self.groups[name] = proc.pid
        if proc.wait(timeout=120) != 0:
            raise RuntimeError(f"ray start ({name}) failed:\n{(self.folder / f'{name}.log').read_text()}")

    def start(self, head_cpus: int = 1, worker: bool = True) -> None:
        """A head node and (unless not `worker`) a worker node of one CPU."""
        ray = str(Path(sys.executable).parent / "ray")
        head = [ray, "start", "--head", "--node-ip-address", "127.0.0.1", "--port", str(self.port)]
        head += ["--include-dashboard", "false", "--ray-client-server-port", str(self.client_port)]
        self._start("head", head, self.env, head_cpus)
        if worker:
            self.add_worker()

    def add_worker(self) -> None:
        worker = [sys.executable, "-c", _WORKER_START, "start", "--address", self.address]
        worker += ["--node-ip-address", "127.0.0.1"]
        env = {**self.env, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "1"}  # a node that joins a cluster
        self._start("worker", worker, env)
        self.wait_for_nodes(2)

    def wait_for_nodes(self, n: int, timeout: float = 60) -> None:
        """Until the cluster counts `n` live nodes."""
        status = [str(Path(sys.executable).parent / "ray"), "status", "--address", self.address]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out = subprocess.run(status, capture_output=True, text=True, env=self.env, check=False).stdout
            active = out.split("Active:", 1)[-1].split("Pending:", 1)[0]
            if active.count("node_") >= n:
                return
            time.sleep(0.5)
        raise RuntimeError(f"the Ray cluster did not reach {n} nodes:\n{out}")

    def kill_worker(self) -> None:
        """The worker node lost at once, as when its machine goes down: every process of it killed."""
        self._kill("worker", signal.SIGKILL)

    def stop(self) -> None:
        for name in list(self.groups):
            self._kill(name, signal.SIGTERM)
        time.sleep(1)
        for name in list(self.groups):
            self._kill(name, signal.SIGKILL)
            del self.groups[name]

    def _kill(self, name: str, sig: int) -> None:
        group = self.groups.get(name)
        if group is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, sig)
