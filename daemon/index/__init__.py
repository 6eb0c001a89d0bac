"""The index: project.db, the one sync path that fills it from the files, and what sync
uses to read many files fast (forked readers, the walk, asset and link resolution)."""
