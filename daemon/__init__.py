"""The index, sync, watcher, language server and generators: adapters around cinefile.format."""
