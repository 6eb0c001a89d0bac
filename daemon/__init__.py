"""Everything between the files and the front ends: the project API (`api/`), the index and
its one sync path (`index/`), the watcher (`watch/`), generation (`generate/`), the film
formats (`exports/`) and the language server (`lsp/`). See docs/architecture.md."""
