"""The batch's engines and storage without a cluster or a bucket: what the command says when Ray or
fsspec is missing, and that local paths take the local code paths."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from extractor.batch import storage
from extractor.batch.run import LocalEngine, run_batch
from extractor.cli import main
from extractor.errors import DependencyMissingError, ExitCode
from extractor.workers import Pool

from .batch_inputs import GOOD, make_folder


def test_local_paths_stay_paths() -> None:
    assert storage.location("reports/2021") == Path("reports/2021")
    assert storage.location("file:///data/reports") == Path("/data/reports")
    assert storage.location("s3://bucket/reports/") == "s3://bucket/reports"
    assert storage.join(Path("out"), "a/b.pdf.json") == Path("out/a/b.pdf.json")
    assert storage.join("s3://bucket/out", "a/b.pdf.json") == "s3://bucket/out/a/b.pdf.json"
    assert storage.relative("s3://bucket/in/a/b.pdf", "s3://bucket/in") == "a/b.pdf"
    assert storage.relative(Path("/in/a/b.pdf"), Path("/in")) == "a/b.pdf"
    with storage.local_copy(Path("x.pdf")) as local:  # a local file is read where it is
        assert local == Path("x.pdf")
    assert isinstance(LocalEngine().pool(len, None, 3, None), Pool)


def test_ray_missing_exits_8_with_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray raises ImportError
    folder = make_folder(tmp_path, good=GOOD[:1], broken=False)
    code = main(["batch", str(folder), "-o", str(tmp_path / "out"), "--engine", "ray"])
    assert code == ExitCode.DEPENDENCY_MISSING
    assert "pip install 'extractor[cluster]'" in capsys.readouterr().err


def test_fsspec_missing_exits_8_with_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "fsspec", None)
    with pytest.raises(DependencyMissingError, match=r"pip install 'extractor\[cluster\]'"):
        run_batch("s3://bucket/in", tmp_path / "out")


def test_address_without_the_ray_engine_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = make_folder(tmp_path, good=GOOD[:1], broken=False)
    code = main(["batch", str(folder), "-o", str(tmp_path / "out"), "--address", "auto"])
    assert code == ExitCode.USAGE and "--engine ray" in capsys.readouterr().err
