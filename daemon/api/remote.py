"""Assets in a remote store: what is where, push, pull, and the links not satisfied here.

The store is `[remote]` in cinefile.toml (`daemon/remote/`). A pull also tells the index of
the files that arrived, so that every front end shows them at once."""

from __future__ import annotations

import threading

from cinefile.format.config import CONFIG_NAME, remote_text

from ..errors import UserError
from ..index.asset_index import link_assets
from ..index.sync import SyncReport
from ..remote.missing import MissingAsset, linking_blocks, missing_assets, referenced_hashes
from .core import Core, FileChange
from .scaffold import with_media_ignored


class Remote(Core):
    def remote_store(self):
        """The store named in cinefile.toml; a clear line when there is none."""
        from ..remote.store import RemoteStore  # fsspec is loaded only by what talks to a store

        config = self.project.config.remote
        if config is None:
            raise UserError(f"{CONFIG_NAME}: no [remote] table: name the store the assets live in, for example "
                            "`cinefile assets remote s3://bucket/film`")
        return RemoteStore(config)

    def missing_assets(self, paths=None) -> list[MissingAsset]:
        """The asset links (in the blocks at `paths`, or all) whose file is not in assets/ here."""
        return missing_assets(self.index, self.root, paths)

    def assets_status(self):
        """What is here, on the store, and linked by the blocks but missing (AssetsStatus)."""
        from ..remote.inventory import compare

        store = self.remote_store()
        return compare(store.url, store.listing(), self.root, referenced_hashes(self.index))

    def push_assets(self, *, progress=None, cancel: threading.Event | None = None):
        """Send the store every asset here that it lacks, with its record (Transfer)."""
        from ..remote.transfer import push

        return push(self.remote_store(), self.root, progress=progress, cancel=cancel)

    def pull_assets(self, *, everything: bool = False, progress=None, cancel: threading.Event | None = None):
        """Fetch the assets the blocks link (every one on the store with `everything`) that are
        not here, each verified by its hash; then link them in the index (Transfer)."""
        from ..remote.transfer import pull

        result = pull(self.remote_store(), self.root, None if everything else referenced_hashes(self.index),
                      progress=progress, cancel=cancel)
        if result.sent:
            self._link_arrived({name.partition(".")[0] for name in result.sent})
        return result

    def _link_arrived(self, hashes: set[str]) -> None:
        """Link the blocks that name these assets to their files, which sync (which follows the
        blocks, not assets/) would not notice; subscribers hear of them as relinked."""
        blocks = [b for b in linking_blocks(self.index) if any(e["sha256"] in hashes for e in b.entries)]
        if not blocks:
            return
        with self.sync_lock, self.index.write() as db:
            link_assets(db, self.project.assets, [(b.row_id, b.entries) for b in blocks])
        self.publish(SyncReport(relinked=sorted(b.path for b in blocks)))

    def use_remote_changes(self, url: str) -> list[FileChange]:
        """Name a store in cinefile.toml ([remote]) and keep assets/ out of git (.gitignore)."""
        from cinefile.format.config import ConfigError, check_remote_url

        if self.project.config.remote is not None:
            raise UserError(f"{CONFIG_NAME}: a [remote] is set already ({self.project.config.remote.url}): "
                            "edit cinefile.toml to change it")
        try:
            check_remote_url(url)
        except ConfigError as error:
            raise UserError(str(error)) from None
        config = self.read_path(CONFIG_NAME).text
        changes = [FileChange(CONFIG_NAME, config, config.rstrip("\n") + "\n" + remote_text(url), how="edit")]
        gitignore = self.root / ".gitignore"
        old = self.read_path(".gitignore").text if gitignore.exists() else None
        new = with_media_ignored(old or "")
        if new != old:
            changes.append(FileChange(".gitignore", old, new, how="edit"))
        return changes
