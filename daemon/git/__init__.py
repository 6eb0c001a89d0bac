"""A project under git: the versions of a block's file in its commits, the merge driver that
merges block files key by key, and setting that driver up in a repository.

All of it runs the `git` command (see `command.py` for why); without git on PATH, or outside
a repository, each part does nothing and says so where it matters.
"""
