"""Assets in a remote store: `[remote]` in cinefile.toml names where a team keeps its media.

    local.py     what assets/ holds here (one listing, by hash)
    missing.py   which assets the blocks link that are not here (no network: for status, the editor)
    store.py     the store over fsspec: list, upload through a temporary name, download verified
    transfer.py  push and pull in parallel, each object checked by its SHA-256, resumable
    secrets.py   credentials kept out of every message

An asset's name is the SHA-256 of its bytes, so an object is verified on arrival by hashing
it, and one already there is never sent twice. A half-sent object is never taken for a whole
one: uploads go to a temporary name and are moved into place; downloads go to a hidden file
in assets/ and are renamed once their hash is right.
"""
