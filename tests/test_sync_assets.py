"""Asset links at sync: the files of assets/ found by one listing, whatever their number."""

import hashlib
import json
import os
import sys

from cinefile.daemon.index import asset_index
from cinefile.daemon.index.sync import sync
from conftest import write


def _asset(root, data: bytes, ext: str = "png", meta: dict | None = None) -> str:
    sha = hashlib.sha256(data).hexdigest()
    write(root, f"assets/{sha}.{ext}", data)
    if meta is not None:
        write(root, f"assets/meta/{sha}.json", json.dumps(meta))
    return sha


def _shot(root, name: str, *hashes: str) -> None:
    entries = "".join(f"  - sha256: {sha}\n    role: still\n    approved: true\n" for sha in hashes)
    write(root, f"shooting/{name}.md", f"---\ntype: shot\nassets:\n{entries}---\nA shot.\n")


def test_assets_are_linked_from_one_listing_of_the_folder(empty, index_of, monkeypatch, tmp_path):
    root = empty.root
    plain = _asset(root, b"a still", meta={"model": "mock", "seed": 7})
    twice = _asset(root, b"two files", "webp")
    write(root, f"assets/{twice}.png", b"two files")  # the first by name wins: .png
    outside = tmp_path / "elsewhere.png"
    outside.write_bytes(b"not in the project")
    leads_out = hashlib.sha256(b"not in the project").hexdigest()
    os.symlink(outside, root / f"assets/{leads_out}.png")
    inside = hashlib.sha256(b"a still, linked").hexdigest()
    os.symlink(root / f"assets/{plain}.png", root / f"assets/{inside}.png")
    missing = hashlib.sha256(b"not pulled yet").hexdigest()
    many = [_asset(root, f"frame {i}".encode()) for i in range(60)]
    _shot(root, "shot-1", plain, twice, leads_out, inside, missing)
    for i in range(0, 60, 2):
        _shot(root, f"shot-many-{i}", many[i], many[i + 1])

    listed = []
    real_scandir = os.scandir

    def counting_scandir(path="."):
        if sys._getframe(1).f_globals["__name__"] == asset_index.__name__:  # the walk lists assets/ too
            listed.append(os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(asset_index.os, "scandir", counting_scandir)
    index = index_of(empty)
    sync(empty, index)
    assets_folder = os.fspath(root / "assets")
    assert listed.count(assets_folder) == 1  # not one glob per asset
    rows = {r["hash"]: r for r in index.query("SELECT hash, path, mime_type, size_bytes, meta_json FROM assets")}
    assert rows[plain]["path"] == f"assets/{plain}.png" and json.loads(rows[plain]["meta_json"]) == {"model": "mock", "seed": 7}
    assert rows[twice]["path"] == f"assets/{twice}.png" and rows[inside]["size_bytes"] == len(b"a still")
    assert {row["mime_type"] for row in rows.values()} == {"image/png"}
    assert asset_index._mime(f"{plain}.webp") == "image/webp" and asset_index._mime(f"{plain}.mp4") == "video/mp4"
    assert leads_out not in rows and missing not in rows and len(rows) == 63
    # What is here, asked with no size (status, the editor's diagnostics): the same files.
    names = asset_index.asset_names(root / "assets")
    assert names == {sha: found.name for sha, found in asset_index.asset_files(root / "assets").items()}
    assert names[twice] == f"{twice}.png" and names[inside] == f"{inside}.png" and leads_out not in names
    assert asset_index.asset_names(root / "assets", {plain, missing}) == {plain: f"{plain}.png"}
    linked = index.query("SELECT count(*) AS n FROM block_assets")[0]["n"]
    assert linked == 3 + 60
    # A file pulled later is linked at the next sync that reads the block.
    write(root, f"assets/{missing}.png", b"not pulled yet")
    _shot(root, "shot-1", plain, missing)
    sync(empty, index)
    assert index.query("SELECT path FROM assets WHERE hash = ?", [missing])[0]["path"] == f"assets/{missing}.png"
