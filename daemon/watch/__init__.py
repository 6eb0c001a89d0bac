"""The watcher: keeps the index live from filesystem events, one watcher per project."""
