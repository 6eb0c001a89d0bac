"""Push and pull: what one side lacks, sent in parallel, each object checked by its SHA-256.

Resuming is the same command again: an asset is on the store only under its final name once
whole (store.py), and here only once renamed from a verified temp file, so whatever arrived
before an interruption counts, and nothing goes twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from collections.abc import Callable
from concurrent import futures
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..index.asset_index import META_FOLDER
from ..inside import folder_inside
from .inventory import unsent
from .local import local_assets, local_metas
from .store import BadObject, Listing, RemoteStore

Progress = Callable[[int, int], None]  # (objects done, objects in all)
# A partial upload this old is a leftover of a push that was stopped, not one under way.
PARTIAL_MAX_AGE = timedelta(hours=1)


@dataclass
class Transfer:
    """What a push or a pull did, object by object."""

    sent: list[str] = field(default_factory=list)  # asset names moved (uploaded or downloaded)
    records: int = 0  # assets/meta/*.json moved with them
    already: int = 0  # assets the other side had: nothing to do
    failed: dict[str, str] = field(default_factory=dict)  # name -> why, one line
    replaced: list[str] = field(default_factory=list)  # push: objects of the wrong size on the store, sent again
    nowhere: list[str] = field(default_factory=list)  # pull: linked assets neither here nor on the store
    cleaned: int = 0  # push: partial uploads of stopped pushes removed

    @property
    def ok(self) -> bool:
        return not self.failed and not self.nowhere

    def to_json(self) -> dict:
        return {"sent": self.sent, "records": self.records, "already": self.already, "failed": self.failed,
                "replaced": self.replaced, "nowhere": self.nowhere, "cleaned": self.cleaned, "ok": self.ok}


@dataclass(frozen=True)
class _Job:
    name: str  # the store's name for it: <sha256>.<ext> or meta/<sha256>.json
    sha256: str
    record: bool = False  # a generation record, not an asset


def push(store: RemoteStore, root: Path, *, listing: Listing | None = None, progress: Progress | None = None,
         cancel: threading.Event | None = None, partial_max_age: timedelta = PARTIAL_MAX_AGE) -> Transfer:
    """Send every asset here that the store lacks (or holds at a wrong size), with its record."""
    listing = store.listing() if listing is None else listing
    here = local_assets(root)
    missing = unsent(listing, root, here)
    result = Transfer(already=len(here) - len(missing), replaced=[name for _, name, wrong in missing if wrong])
    jobs = [_Job(name, sha) for sha, name, _ in missing]
    jobs += [_Job(f"{META_FOLDER}/{name}", sha, record=True)
             for sha, name in sorted(local_metas(root).items()) if sha not in listing.metas]

    def send(job: _Job) -> None:
        source = root / "assets" / job.name
        if not job.record and file_hash(source) != job.sha256:
            raise BadObject(f"{job.name}: its bytes do not hash to its name: not sent; generate it again, or delete it")
        store.upload(source, job.name)

    _run(jobs, send, store.config.workers, result, progress, cancel)
    now = datetime.now(UTC)
    for name, written in listing.partials.items():
        if written is not None and now - written >= partial_max_age:
            store.remove_partial(name)
            result.cleaned += 1
    return result


def pull(store: RemoteStore, root: Path, wanted: set[str] | None, *, listing: Listing | None = None,
         progress: Progress | None = None, cancel: threading.Event | None = None) -> Transfer:
    """Fetch the assets in `wanted` (every one on the store when None) that are not here, with
    their records; each is kept only once its bytes hash to its name."""
    listing = store.listing() if listing is None else listing
    here, records_here = local_assets(root), local_metas(root)
    wanted = set(listing.assets) if wanted is None else wanted
    result = Transfer(already=len(wanted & here.keys()))
    jobs = []
    for sha in sorted(wanted - here.keys()):
        if sha in listing.assets:
            jobs.append(_Job(listing.assets[sha][0], sha))
        else:
            result.nowhere.append(sha)
    jobs += [_Job(f"{META_FOLDER}/{sha}.json", sha, record=True)
             for sha in sorted(wanted & listing.metas) if sha not in records_here]
    folder = folder_inside(root, root / "assets")
    if jobs:
        (folder / META_FOLDER).mkdir(parents=True, exist_ok=True)
        folder_inside(root, folder / META_FOLDER)
    stop = cancel or threading.Event()

    def fetch(job: _Job) -> None:
        target = folder / job.name
        temp = store.download(job.name, target.parent, None if job.record else job.sha256, stop)
        try:
            if job.record:
                _check_record(temp, job.name)
            os.replace(temp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise

    _run(jobs, fetch, store.config.workers, result, progress, stop)
    return result


def _run(jobs: list[_Job], work: Callable[[_Job], None], workers: int, result: Transfer,
         progress: Progress | None, cancel: threading.Event | None) -> None:
    """Each job on a pool of `workers` threads; a failed one is noted and the rest go on. On
    an interrupt, jobs not started are dropped and those under way stop or finish whole."""
    if not jobs:
        return
    cancel = cancel or threading.Event()
    pool = futures.ThreadPoolExecutor(max_workers=min(workers, len(jobs)), thread_name_prefix="cinefile-remote")
    try:
        running = {pool.submit(work, job): job for job in jobs}
        for done, future in enumerate(futures.as_completed(running), 1):
            job = running[future]
            try:
                future.result()
            except BadObject as error:
                result.failed[job.name] = str(error)
            else:
                if job.record:
                    result.records += 1
                else:
                    result.sent.append(job.name)
            if progress is not None:
                progress(done, len(jobs))
    except BaseException:
        cancel.set()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    result.sent.sort()


def _check_record(path: Path, name: str) -> None:
    """A generation record is kept only when it is a JSON object, as cinefile writes them."""
    try:
        data = json.loads(path.read_bytes())
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise BadObject(f"{name}: not a generation record (a JSON object): a corrupt object on the store, not used")


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()
