"""A local Elasticsearch node for the test suite and `make run-es`: Elastic's minimal server
distribution (``org.elasticsearch.distribution.integ-test-zip``, from Maven Central), fetched once
with Maven into a cache outside the repository, started on a free loopback port and stopped again.

Usage::

    from pipelines.stores.es_local import LocalNode, Unavailable

    try:
        with LocalNode() as node:            # fetch (once), unpack, start, wait for yellow
            print(node.url, node.version)    # http://127.0.0.1:41731 8.19.21
    except Unavailable as exc:               # no Java 17+, no Maven, Maven Central unreachable...
        print("no local node:", exc)

    python -m pipelines.stores.es_local -- jdih ingest regulations/   # a command with ELASTICSEARCH_URL set

What the distribution is (verified on 8.19.21, docs/deployment.md): the server with the
transport-netty4, x-pack-core, x-pack-security and apm modules; no JDK (``ES_JAVA_HOME``: a Java
17+ from ES_JAVA_HOME, JAVA_HOME or /usr/lib/jvm); security on by default (TLS and passwords are
generated on first start), so the node starts with ``xpack.security.enabled=false`` on 127.0.0.1
only; it refuses to run as root, so as root it runs as the unprivileged system user ``jdih-es``
(created when missing) through ``runuser``. Every start unpacks into a fresh temporary folder (the
cache under /root is not readable by that user, and the first start writes into config/); its data
lives there too unless ``data_dir`` keeps it.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

VERSION = os.environ.get("JDIH_ES_VERSION") or "8.19.21"
ARTIFACT = "org.elasticsearch.distribution.integ-test-zip:elasticsearch:{version}:zip"
USER = "jdih-es"
HEAP = os.environ.get("JDIH_ES_HEAP") or "512m"
START_TIMEOUT_S = 300


class Unavailable(RuntimeError):
    """No local node can be had here; the message says why (and what to install)."""


def cache_dir() -> Path:
    return Path(os.environ.get("JDIH_ES_CACHE") or "~/.cache/jdih/elasticsearch").expanduser()


def required_java(version: str) -> tuple[int, int]:
    """The Java majors a server version runs on: 8.x on 17-24 (tested with 17), 9.x on 21+."""
    major = int(version.split(".")[0])
    return (17, 24) if major < 9 else (21, 99)


def _java_major(java_home: Path) -> int | None:
    java = java_home / "bin" / "java"
    if not java.is_file():
        return None
    try:
        out = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not m:
        return None
    major = int(m.group(1))
    return int(m.group(2)) if major == 1 and m.group(2) else major


def find_java(version: str = VERSION) -> Path:
    """A JDK home for ``version``: ES_JAVA_HOME, JAVA_HOME, then /usr/lib/jvm/* (JDIH_JVM_DIR; the
    lowest fitting major), then ``java`` on PATH (JDIH_JAVA_PATH searches another PATH)."""
    low, high = required_java(version)
    seen: list[str] = []
    for name in ("ES_JAVA_HOME", "JAVA_HOME"):
        home = os.environ.get(name)
        if home:
            major = _java_major(Path(home))
            if major is not None and low <= major <= high:
                return Path(home)
            seen.append(f"{name}={home} (Java {major or '?'})")
    candidates = []
    jvm = Path(os.environ.get("JDIH_JVM_DIR") or "/usr/lib/jvm")
    for home in sorted(jvm.iterdir()) if jvm.is_dir() else []:
        if home.is_symlink():
            continue
        major = _java_major(home)
        if major is not None:
            seen.append(f"{home} (Java {major})")
            if low <= major <= high:
                candidates.append((major, home))
    if candidates:
        return min(candidates)[1]
    java = shutil.which("java", path=os.environ.get("JDIH_JAVA_PATH"))
    if java:
        home = Path(java).resolve().parents[1]
        major = _java_major(home)
        if major is not None and low <= major <= high:
            return home
        seen.append(f"{home} (Java {major or '?'})")
    raise Unavailable(f"Elasticsearch {version} needs Java {low}-{high}; none found "
                      f"(looked at ES_JAVA_HOME, JAVA_HOME, /usr/lib/jvm, PATH: {', '.join(seen) or 'nothing'})")


def fetch(version: str = VERSION) -> Path:
    """The distribution zip, from the cache or fetched with Maven (``mvn dependency:copy``)."""
    target = cache_dir() / f"elasticsearch-{version}.zip"
    if target.is_file() and zipfile.is_zipfile(target):
        return target
    mvn = shutil.which("mvn")
    if not mvn:
        raise Unavailable("Maven (mvn) is not installed: it fetches the Elasticsearch distribution from Maven Central")
    target.parent.mkdir(parents=True, exist_ok=True)
    artifact = ARTIFACT.format(version=version)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".fetch-") as tmp:
        cmd = [mvn, "-q", "-B", "dependency:copy", f"-Dartifact={artifact}", f"-DoutputDirectory={tmp}"]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=tmp)
        except subprocess.TimeoutExpired:
            raise Unavailable(f"`{' '.join(cmd)}` did not finish in 15 minutes (is Maven Central reachable?)") from None
        got = Path(tmp) / f"elasticsearch-{version}.zip"
        if proc.returncode != 0 or not got.is_file():
            errors = [ln for ln in (proc.stdout + proc.stderr).splitlines() if "ERROR" in ln] or [proc.stderr.strip()]
            raise Unavailable(f"Maven could not fetch {artifact} (is Maven Central reachable?): "
                              f"{errors[0][:400] if errors else 'exit ' + str(proc.returncode)}")
        os.replace(got, target)  # atomic: a concurrent fetch never sees half a zip
    return target


def unpack(archive: Path, dest: Path) -> Path:
    """Unpack the zip into ``dest`` keeping the files' modes; returns the distribution's home."""
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            path = zf.extract(info, dest)
            mode = (info.external_attr >> 16) & 0o777
            if mode and not info.is_dir():
                os.chmod(path, mode)
        top = {Path(n).parts[0] for n in zf.namelist()}
    if len(top) != 1:
        raise Unavailable(f"{archive} is not an Elasticsearch distribution (top-level entries: {sorted(top)[:5]})")
    return dest / top.pop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ensure_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(USER)
    except KeyError:
        pass
    useradd = shutil.which("useradd")
    if not useradd:
        raise Unavailable(f"Elasticsearch refuses to run as root and there is no `useradd` to create the user {USER!r}")
    proc = subprocess.run([useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER],
                          capture_output=True, text=True)
    if proc.returncode not in (0, 9):  # 9: created meanwhile by another process
        raise Unavailable(f"could not create the unprivileged user {USER!r} for Elasticsearch: {proc.stderr.strip()}")
    return pwd.getpwnam(USER)


def _chown_tree(root: Path, uid: int, gid: int) -> None:
    os.chown(root, uid, gid)
    for base, dirs, files in os.walk(root):
        for name in dirs + files:
            os.lchown(os.path.join(base, name), uid, gid)


def _get(url: str, timeout: float = 5.0) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - a loopback URL we built
        return json.loads(resp.read().decode("utf-8"))


def node_version(url: str) -> str:
    """The version a running node reports (``_nodes/_local``: GET / is absent from the minimal
    distribution)."""
    nodes = _get(f"{url.rstrip('/')}/_nodes/_local?filter_path=nodes.*.version")["nodes"]
    return next(iter(nodes.values()))["version"]


def node_stats(url: str, process: subprocess.Popen | None = None) -> dict:
    """A running node's JVM heap (used, max) and process RSS in bytes (the RSS from /proc of
    ``process``' group where the node does not report it)."""
    nodes = _get(f"{url.rstrip('/')}/_nodes/_local/stats/jvm,process")["nodes"]
    node = next(iter(nodes.values()))
    rss = (node.get("process", {}).get("mem") or {}).get("resident_in_bytes") or _rss(process)
    if rss is None:  # a node of this machine started elsewhere: its pid is in the node info
        with contextlib.suppress(OSError, KeyError, ValueError, urllib.error.URLError):
            info = _get(f"{url.rstrip('/')}/_nodes/_local/process?filter_path=nodes.*.process.id")["nodes"]
            status = Path(f"/proc/{next(iter(info.values()))['process']['id']}/status").read_text()
            m = re.search(r"VmRSS:\s+(\d+) kB", status)
            rss = int(m.group(1)) * 1024 if m else None
    return {"heap_used": node["jvm"]["mem"]["heap_used_in_bytes"], "heap_max": node["jvm"]["mem"]["heap_max_in_bytes"],
            "rss": rss}


class LocalNode:
    """One single-node cluster on 127.0.0.1 (see the module docstring); a context manager.

    :param version: the distribution's version (JDIH_ES_VERSION, default 8.19.21);
    :param port: the HTTP port (a free one by default); :param heap: -Xms/-Xmx (JDIH_ES_HEAP, 512m);
    :param data_dir: keep the node's data there (created; owned by the node's user) instead of in
        the temporary folder removed by ``stop()``.
    """

    def __init__(self, version: str = VERSION, *, port: int | None = None, heap: str = HEAP,
                 data_dir: str | Path | None = None) -> None:
        self.version = version
        self.port = port
        self.heap = heap
        self.data_dir = Path(data_dir).resolve() if data_dir else None
        self.root: Path | None = None
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path | None:
        return self.root / "logs" / "console.log" if self.root else None

    def log_tail(self, lines: int = 15) -> str:
        path = self.log_path
        if not path or not path.exists():
            return ""
        text = path.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(ln for ln in text if not ln.lstrip().startswith("at "))[-4000:] if text else ""

    def start(self, timeout: float = START_TIMEOUT_S) -> LocalNode:
        java = find_java(self.version)
        archive = fetch(self.version)
        self.root = Path(tempfile.mkdtemp(prefix="jdih-es-"))
        try:
            self._spawn(java, archive)
            self._wait(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn(self, java: Path, archive: Path) -> None:
        assert self.root is not None
        home = unpack(archive, self.root)
        data = self.data_dir or self.root / "data"
        for d in (data, self.root / "logs", self.root / "tmp"):
            d.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        settings = {
            "discovery.type": "single-node", "network.host": "127.0.0.1", "http.port": self.port,
            "transport.port": free_port(), "xpack.security.enabled": "false", "node.name": "jdih-local",
            "cluster.name": "jdih-local", "path.data": data, "path.logs": self.root / "logs",
            # a shared developer disk is often more than 90% full: never block writes for that
            "cluster.routing.allocation.disk.threshold_enabled": "false",
        }
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "ES_JAVA_HOME": str(java),
            "ES_JAVA_OPTS": f"-Xms{self.heap} -Xmx{self.heap}", "ES_TMPDIR": str(self.root / "tmp"),
            "LANG": "C.UTF-8",
        }
        cmd = [str(home / "bin" / "elasticsearch"), *(f"-E{k}={v}" for k, v in settings.items())]
        if os.geteuid() == 0:  # Elasticsearch refuses root: run as the unprivileged user
            user = _ensure_user()
            _chown_tree(self.root, user.pw_uid, user.pw_gid)
            if self.data_dir:
                _chown_tree(self.data_dir, user.pw_uid, user.pw_gid)
            runuser = shutil.which("runuser")
            if not runuser:
                raise Unavailable("running as root and `runuser` (util-linux) is missing: cannot start Elasticsearch as an unprivileged user")
            cmd = [runuser, "-u", USER, "--", "env", *(f"{k}={v}" for k, v in env.items()), *cmd]
        log = open(self.root / "logs" / "console.log", "ab")  # noqa: SIM115 - closed with the process
        try:
            self.process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                            env=env, cwd=str(self.root), start_new_session=True)
        finally:
            log.close()

    def _wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        health = f"{self.url}/_cluster/health?wait_for_status=yellow&timeout=5s"
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise Unavailable(f"Elasticsearch {self.version} exited with code {self.process.returncode} while "
                                  f"starting:\n{self.log_tail()}")
            try:
                if _get(health, timeout=10)["status"] in ("yellow", "green"):
                    return
            except (urllib.error.URLError, OSError, ValueError, KeyError):
                pass
            time.sleep(1)
        raise Unavailable(f"Elasticsearch {self.version} was not yellow after {timeout:.0f} s:\n{self.log_tail()}")

    def stats(self) -> dict:
        """The node's JVM heap (used, max) and process RSS, in bytes."""
        return node_stats(self.url, self.process)

    def stop(self) -> None:
        """Stop the node (SIGTERM to its process group, SIGKILL after 60 s) and remove its folder."""
        proc, self.process = self.process, None
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
        root, self.root = self.root, None
        if root is not None:
            shutil.rmtree(root, ignore_errors=True)

    def __enter__(self) -> LocalNode:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _rss(proc: subprocess.Popen | None) -> int | None:
    """The resident set of the node's java process (the child of runuser/the launcher), from /proc."""
    if proc is None:
        return None
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if "java" in text.split("\n", 1)[0] and os.getpgid(int(status.parent.name)) == proc.pid:
            m = re.search(r"VmRSS:\s+(\d+) kB", text)
            total += int(m.group(1)) * 1024 if m else 0
    return total or None


def main(argv: list[str] | None = None) -> int:
    """``python -m pipelines.stores.es_local [--port N] [--data DIR] [-- COMMAND ...]``: start a node, run
    COMMAND with ELASTICSEARCH_URL and JDIH_STORE=elasticsearch set (or wait for Ctrl-C), stop it."""
    parser = argparse.ArgumentParser(prog="python -m pipelines.stores.es_local", description=main.__doc__)
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--data", default=None, help="keep the node's data in this folder")
    parser.add_argument("--version", default=VERSION)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    node = LocalNode(args.version, port=args.port, data_dir=args.data)
    print(f"starting Elasticsearch {args.version} (heap {node.heap}) ...", file=sys.stderr, flush=True)
    try:
        node.start()
    except Unavailable as exc:
        print(f"no local Elasticsearch node: {exc}", file=sys.stderr)
        return 2
    print(f"Elasticsearch {args.version} is up at {node.url}", file=sys.stderr, flush=True)
    child = None
    # `kill` (SIGTERM) or a closed terminal (SIGHUP) stops the command and the node like Ctrl-C does,
    # instead of leaving an orphaned node holding its port and heap
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, frame: sys.exit(128 + signum))
    try:
        if not command:
            print("Ctrl-C stops it", file=sys.stderr)
            while node.process and node.process.poll() is None:
                time.sleep(1)
            return 1
        env = {**os.environ, "ELASTICSEARCH_URL": node.url, "JDIH_STORE": "elasticsearch", "JDIH_ES_REPLICAS": "0"}
        child = subprocess.Popen(command, env=env)
        return child.wait()
    except KeyboardInterrupt:
        return 130
    finally:
        if child is not None and child.poll() is None:
            child.terminate()
            try:
                child.wait(30)
            except subprocess.TimeoutExpired:
                child.kill()
        node.stop()
        print("Elasticsearch stopped", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
