"""Where a batch reads and writes: a local folder, or a folder in object storage named by a URL.

A location is a `Path` (local: every function here does exactly what the batch did before, with the
same calls) or a URL string such as `s3://bucket/prefix/x.pdf`, read and written through fsspec
(`s3fs` for S3, `gcsfs` for Google Cloud Storage, any other fsspec file system by its protocol).
Credentials and endpoints come from the usual places of each file system (for S3: the AWS
environment variables, `~/.aws`, an instance role; `AWS_ENDPOINT_URL_S3` for an S3-compatible store).

Object stores have no rename, so an output is never written in parts: the whole JSON is built in
memory and sent in one request (`pipe_file`: one PUT), which S3 and GCS make visible whole or not
at all. The manifest is rewritten whole the same way (`RemoteManifest`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import DependencyMissingError, InputMissingError, OutputError
from .atomic import write_atomic
from .manifest import NAME, Entry, Manifest

Location = Path | str
"""A local path, or the URL of an object (or a folder of objects) in an fsspec file system."""

INSTALL = "pip install 'extractor[cluster]'"


def is_url(target: str | Path) -> bool:
    """Whether `target` names a place in an fsspec file system (`s3://…`) rather than a local path."""
    return isinstance(target, str) and "://" in target and not target.startswith("file://")


def location(text: str) -> Location:
    """What a user typed: a URL stays one, anything else is a local path."""
    if text.startswith("file://"):
        return Path(text[len("file://") :])
    return text.rstrip("/") if is_url(text) else Path(text)


def file_system(url: str) -> tuple[Any, str]:
    """The fsspec file system of `url` and the path inside it; a clear error when it is not installed."""
    try:
        import fsspec
    except ImportError as e:
        raise DependencyMissingError(
            f"{url}: reading or writing object storage needs fsspec; install it: {INSTALL}"
        ) from e
    try:
        fs, path = fsspec.core.url_to_fs(url)
    except ImportError as e:  # the protocol's package (s3fs, gcsfs) is missing
        raise DependencyMissingError(
            f"{url}: this kind of storage needs a package that is not installed ({e}); install it: "
            f"{INSTALL} (S3), or the fsspec package for the protocol"
        ) from e
    return fs, str(path)


def join(folder: Location, rel: str) -> Location:
    return folder / rel if isinstance(folder, Path) else f"{folder.rstrip('/')}/{rel}"


def relative(target: Location, folder: Location) -> str:
    """The path of `target` under `folder`, with '/'."""
    if isinstance(target, Path) and isinstance(folder, Path):
        return target.relative_to(folder).as_posix()
    return str(target)[len(str(folder).rstrip("/")) + 1 :]


def find(folder: str, suffixes: tuple[str, ...], exclude: Location | None = None) -> dict[str, str]:
    """Every object under the URL `folder` whose name ends with one of `suffixes` (as `find_inputs`
    does for a local folder: hidden names and the output folder left out), sorted: URL -> stamp."""
    fs, root = file_system(folder)
    protocol = folder.split("://", 1)[0]
    try:
        if not fs.isdir(root):
            raise InputMissingError(
                f"{folder}: no such folder in the storage; give the prefix that holds the reports"
            )
        names = fs.find(root, detail=True)
    except (OSError, PermissionError) as e:
        raise InputMissingError(f"{folder}: cannot list it ({e}); check the URL and the credentials") from e
    skip = str(exclude).rstrip("/") + "/" if isinstance(exclude, str) else None
    found = {}
    for name, info in sorted(names.items()):
        url = f"{protocol}://{name}"
        rel = PurePosixPath(name[len(root.rstrip("/")) + 1 :])
        if any(part.startswith((".", "~$")) for part in rel.parts) or rel.suffix.lower() not in suffixes:
            continue
        if skip is not None and url.startswith(skip):
            continue
        found[url] = stamp(info)
    return found


def stamp(info: dict[str, Any]) -> str:
    """What identifies an object's version in a listing ("" when the file system tells nothing)."""
    for key in ("ETag", "etag", "generation", "md5Hash", "LastModified", "mtime"):
        if info.get(key):
            return f"{info[key]}:{info.get('size', '')}"
    return ""


def sha256(target: Location) -> str:
    """The SHA-256 of a file's bytes ("" when it cannot be read), streamed."""
    if isinstance(target, Path):
        from ..pipeline import file_sha256

        try:
            return file_sha256(target)
        except OSError:
            return ""
    h = hashlib.sha256()
    try:
        fs, path = file_system(target)
        with fs.open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except (OSError, PermissionError):
        return ""
    return h.hexdigest()


def size(target: Location) -> int:
    try:
        if isinstance(target, Path):
            return target.stat().st_size
        fs, path = file_system(target)
        return int(fs.size(path) or 0)
    except (OSError, PermissionError):
        return 0


def exists(target: Location) -> bool:
    if isinstance(target, Path):
        return target.is_file()
    fs, path = file_system(target)
    fs.invalidate_cache(path)  # another process may have written it since this one listed
    return bool(fs.isfile(path))


def remove(target: Location) -> None:
    if isinstance(target, Path):
        target.unlink(missing_ok=True)
        return
    fs, path = file_system(target)
    with contextlib.suppress(FileNotFoundError):
        fs.rm_file(path)


def write(target: Location, data: str | bytes) -> None:
    """Write `data` whole or not at all: locally a temporary file and a rename, in object storage
    one request with the complete object."""
    if isinstance(target, Path):
        write_atomic(target, data)
        return
    body = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fs, path = file_system(target)
        fs.pipe_file(path, body)
    except (OSError, PermissionError) as e:
        raise OutputError(
            f"{target}: cannot write the output ({e}); check the URL and the credentials"
        ) from e


def read_text(target: Location) -> str | None:
    """A text file's content, None when there is none."""
    try:
        if isinstance(target, Path):
            return target.read_text(encoding="utf-8") if target.is_file() else None
        fs, path = file_system(target)
        data: bytes = fs.cat_file(path)
        return data.decode("utf-8")
    except FileNotFoundError:
        return None


@contextlib.contextmanager
def local_copy(target: Location) -> Iterator[Path]:
    """A local file with `target`'s bytes and name (the readers need a file; the report names it)."""
    if isinstance(target, Path):
        yield target
        return
    folder = Path(tempfile.mkdtemp(prefix="extractor-"))
    try:
        local = folder / PurePosixPath(target).name
        fs, path = file_system(target)
        try:
            fs.get_file(path, str(local))
        except FileNotFoundError as e:
            raise InputMissingError(f"{target}: not in the storage any more; rerun the batch") from e
        yield local
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def open_manifest(outdir: Location) -> Manifest:
    return Manifest(outdir) if isinstance(outdir, Path) else RemoteManifest(outdir)


class RemoteManifest(Manifest):
    """The manifest of an output folder in object storage, which cannot append to an object.

    The whole manifest is written in one request at most every `every` seconds while a batch runs,
    and at its end (`compact`, also after Ctrl-C). An output is written before its entry, so the
    manifest never vouches for an output that is not whole; a driver killed outright loses at most
    the entries of the last seconds, and a rerun reads those inputs again (same outputs).
    """

    def __init__(self, folder: str, every: float = 10.0) -> None:
        self.path = Path(NAME)  # unused: the URL below is where it lives
        self.url = join(folder, NAME)
        self.entries: dict[str, Entry] = {}
        self._log = None
        self.every, self._written = every, time.monotonic()
        self._dirty = False
        for line in (read_text(self.url) or "").splitlines():
            try:
                entry = Entry(**json.loads(line))
            except (ValueError, TypeError):
                continue
            self.entries[entry.file] = entry

    def record(self, entry: Entry) -> None:
        self.entries[entry.file] = entry
        self._dirty = True
        if time.monotonic() - self._written >= self.every:
            self._write(set(self.entries))

    def compact(self, keep: set[str]) -> None:
        self._write(keep)

    def close(self) -> None:
        if self._dirty:
            self._write(set(self.entries))

    def _write(self, keep: set[str]) -> None:
        lines = [
            json.dumps(asdict(e), ensure_ascii=False) for f, e in sorted(self.entries.items()) if f in keep
        ]
        try:
            write(self.url, "".join(line + "\n" for line in lines))
        except OutputError as e:
            raise OutputError(
                f"{self.url}: cannot record the batch's progress ({e}); rerun: finished outputs are kept"
            ) from e
        self._written, self._dirty = time.monotonic(), False
