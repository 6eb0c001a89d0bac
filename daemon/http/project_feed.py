"""What the project's syncs become on the event stream: each batch that changed something as
a `sync` event, published at once, then (from a thread of its own, so that neither the write
that caused it nor the watcher waits) the `state` of every block the batch touched and the
`problems` in their files, as the project API reports them."""

from __future__ import annotations

import queue
import threading

from ..api import NoSuchBlock, ProjectAPI
from ..index.sync import SyncReport
from .events import EventHub


def touched_paths(report: SyncReport) -> list[str]:
    return list(dict.fromkeys([*report.added, *report.modified, *(new for _, new in report.renamed), *report.relinked]))


class ProjectFeed:
    def __init__(self, api: ProjectAPI, hub: EventHub) -> None:
        self.api, self.hub = api, hub
        self._reports: queue.Queue[SyncReport | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="cinefile-http-feed", daemon=True)
        self._thread.start()
        self._unsubscribe = api.subscribe(self.on_sync)

    def on_sync(self, report: SyncReport) -> None:
        if not (report.changed or report.relinked or report.refused):
            return  # a sync that found nothing new (the watcher after the API's own write)
        self.hub.publish("sync", report.to_json())
        self._reports.put(report)

    def close(self) -> None:
        self._unsubscribe()
        self._reports.put(None)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while (report := self._reports.get()) is not None:
            try:
                self._publish_details(report)
            except Exception as error:  # the index closed under us at shutdown, say: the stream goes on
                self.hub.publish("problem", {"message": f"could not read the index after a sync: {type(error).__name__}"})

    def _publish_details(self, report: SyncReport) -> None:
        paths = touched_paths(report)
        blocks = []
        for path in paths:
            try:
                card = self.api.card(path)
            except NoSuchBlock:
                continue  # gone again since
            blocks.append({"id": card.id, "path": card.path, "type": card.type, "state": card.state,
                           "stale_reason": card.stale_reason})
        removed = [*report.removed, *(old for old, _ in report.renamed)]
        if blocks or removed:
            self.hub.publish("state", {"blocks": blocks, "removed": removed})
        if paths:
            self.hub.publish("problems", {"paths": paths, "problems": [p.to_json() for p in self.api.problems(paths)]})
