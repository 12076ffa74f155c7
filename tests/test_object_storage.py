"""Batches whose inputs and outputs are in object storage (s3:// URLs through fsspec and s3fs).

A local S3-compatible server stands in for S3: moto's server mode, on 127.0.0.1 and a free port,
started once for this module. The batches run as the command line, in processes of their own that
find the server through AWS_ENDPOINT_URL_S3, as they would find S3 through the AWS variables.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from extractor.batch.manifest import NAME as MANIFEST
from extractor.errors import ExitCode

from .batch_inputs import GOOD
from .conftest import SAMPLES
from .ray_cluster import free_port

s3fs = pytest.importorskip("s3fs")
moto_server = pytest.importorskip("moto.server")

BUCKET = "reports"


@pytest.fixture(scope="module")
def s3() -> Iterator[dict[str, str]]:
    """The environment that points the AWS clients at a local S3 server, with a bucket in it."""
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_S3": f"http://127.0.0.1:{port}",
    }
    try:
        store(env).mkdir(BUCKET)
        yield env
    finally:
        server.stop()
        _stop_fsspec_thread()


def _stop_fsspec_thread() -> None:
    """fsspec keeps an I/O thread for the life of the process once s3fs is used; with a thread
    alive, later tests' worker pools would not fork (a process with threads is not forked), so the
    tests that follow would not run as they do alone."""
    import fsspec.asyn

    loop, thread = fsspec.asyn.loop[0], fsspec.asyn.iothread[0]
    if loop is None or thread is None:
        return
    # The loop's default executor (name lookups) holds threads of its own: shut it down first.
    asyncio.run_coroutine_threadsafe(loop.shutdown_default_executor(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    fsspec.asyn.loop[0] = None
    fsspec.asyn.iothread[0] = None


def store(env: dict[str, str]) -> Any:
    return s3fs.S3FileSystem(
        key=env["AWS_ACCESS_KEY_ID"],
        secret=env["AWS_SECRET_ACCESS_KEY"],
        endpoint_url=env["AWS_ENDPOINT_URL_S3"],
        skip_instance_cache=True,
    )


def batch(env: dict[str, str], folder: str, out: str, *more: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "extractor", "batch", folder, "-o", out, *more]
    return subprocess.run(command, capture_output=True, text=True, env={**os.environ, **env}, timeout=300)


def summary(data: bytes) -> dict[str, dict[str, str]]:
    return {row["file"]: row for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))}


def test_batch_from_a_bucket_into_a_bucket_and_resume(s3: dict[str, str], tmp_path: Path) -> None:
    fs = store(s3)
    local = tmp_path / "in"
    (local / "sub").mkdir(parents=True)
    for name in GOOD[:4]:
        shutil.copy(SAMPLES / name, local / name)
    shutil.copy(SAMPLES / "office_2021.html", local / "sub" / "office_2021.html")
    (local / "empty.pdf").write_bytes(b"")
    (local / ".hidden.pdf").write_bytes(b"")  # hidden: not an input, as in a local folder
    fs.put(str(local), f"{BUCKET}/in", recursive=True)
    assert fs.isfile(f"{BUCKET}/in/sub/office_2021.html")

    done = batch(s3, f"s3://{BUCKET}/in", f"s3://{BUCKET}/out", "-j", "2")
    assert done.returncode == ExitCode.BATCH_FAILED, done.stderr  # the empty file
    assert done.stdout == ""
    assert "batch: 6 inputs: 5 ok, 0 partial, 1 failed (6 read now, 0 current" in done.stderr
    assert f"summary in s3://{BUCKET}/out/summary.csv" in done.stderr
    names = {*GOOD[:4], "sub/office_2021.html"}
    written = {p[len(f"{BUCKET}/out/") :] for p in fs.find(f"{BUCKET}/out")}
    assert written == {f"{n}.json" for n in names} | {"summary.csv", MANIFEST}  # no temporary object

    # the same files read from a local folder into a local folder: the same outputs, byte for byte
    assert batch({}, str(local), str(tmp_path / "out")).returncode == ExitCode.BATCH_FAILED
    for name in names:
        assert fs.cat_file(f"{BUCKET}/out/{name}.json") == (tmp_path / "out" / f"{name}.json").read_bytes()
    rows = summary(fs.cat_file(f"{BUCKET}/out/summary.csv"))
    assert set(rows) == names | {"empty.pdf"} and rows["empty.pdf"]["status"] == "failed"
    entries = [json.loads(line) for line in fs.cat_file(f"{BUCKET}/out/{MANIFEST}").splitlines()]
    assert sorted(e["file"] for e in entries) == sorted(rows)
    assert {e["source"] for e in entries} >= {f"s3://{BUCKET}/in/{n}" for n in names}

    # a rerun reads nothing, and hashes no object whose ETag is the one recorded: a hash changed in
    # the manifest (the object not) is not noticed
    assert all(e["stamp"] for e in entries)
    entries[0]["sha256"] = "0" * 64
    fs.pipe_file(f"{BUCKET}/out/{MANIFEST}", "".join(json.dumps(e) + "\n" for e in entries).encode())
    again = batch(s3, f"s3://{BUCKET}/in/", f"s3://{BUCKET}/out/")
    assert "(0 read now, 6 current from before)" in again.stderr, again.stderr
    # a changed object and a removed output are read again
    fs.pipe_file(f"{BUCKET}/in/empty.pdf", (SAMPLES / "s04_gov_2021_dashes.pdf").read_bytes())
    fs.rm_file(f"{BUCKET}/out/{GOOD[0]}.json")
    third = batch(s3, f"s3://{BUCKET}/in", f"s3://{BUCKET}/out")
    assert third.returncode == ExitCode.OK, third.stderr
    assert "(2 read now, 4 current from before)" in third.stderr
    rows = summary(fs.cat_file(f"{BUCKET}/out/summary.csv"))
    assert rows["empty.pdf"]["status"] == "ok" and rows["empty.pdf"]["agency"]
    assert fs.isfile(f"{BUCKET}/out/{GOOD[0]}.json") and fs.isfile(f"{BUCKET}/out/empty.pdf.json")


def test_local_inputs_into_a_bucket(s3: dict[str, str], tmp_path: Path) -> None:
    fs = store(s3)
    (tmp_path / "in").mkdir()
    shutil.copy(SAMPLES / GOOD[0], tmp_path / "in" / GOOD[0])
    done = batch(s3, str(tmp_path / "in"), f"s3://{BUCKET}/mixed")
    assert done.returncode == ExitCode.OK, done.stderr
    report = json.loads(fs.cat_file(f"{BUCKET}/mixed/{GOOD[0]}.json"))
    assert report["source"]["file"] == GOOD[0] and report["status"] == "ok"


def test_a_bucket_that_is_not_there(s3: dict[str, str], tmp_path: Path) -> None:
    done = batch(s3, "s3://no-such-bucket/in", str(tmp_path / "out"))
    assert done.returncode == ExitCode.INPUT_MISSING, done.stderr
    assert "s3://no-such-bucket/in" in done.stderr
