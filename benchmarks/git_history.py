"""How fast a block's versions come out of git, by the git command and by the libraries.

    python benchmarks/git_history.py [--blocks 10000] [--commits 1000]

Builds a repository of a synthetic project (benchmarks/synthetic.py) with `git fast-import`:
one commit of every block, then commits that each edit a few random blocks; one scene is edited
in every tenth commit and renamed halfway. Then lists that scene's versions (following the
rename) and a block committed once, best of 5, with:

- `git`: what cinefile runs (daemon/git/versions.py: `git log --follow` and `git cat-file --batch`);
- `pygit2` (libgit2) and `dulwich` (pure Python), when installed: a walk of the commits with the
  file looked up in each tree, rename detection where it appears (pygit2), and dulwich's own
  `follow=True` walker.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import block_files  # noqa: E402
from synthetic import generate  # noqa: E402

from cinefile.daemon.git.versions import file_versions  # noqa: E402

HOT_EVERY = 10  # the watched scene is edited in every tenth commit
EDITS_PER_COMMIT = 5


def build(root: Path, blocks: int, commits: int, seed: int = 11) -> tuple[str, str]:
    """The repository; returns (the watched scene's path now, a block committed once)."""
    generate(root, blocks)
    files = block_files(root)
    texts = {path: (root / path).read_bytes() for path in files}
    rng = random.Random(seed)
    hot = next(p for p in files if "scene" in p)
    cold = next(p for p in reversed(files) if p != hot)
    others = [p for p in files if p not in (hot, cold)]
    renamed = hot.replace(".md", "-renamed.md")
    stream: list[bytes] = []

    def commit(number: int, changes: list[bytes]) -> None:
        message = f"change {number}".encode()
        stream.append(b"commit refs/heads/main\n")
        stream.append(f"committer Bench <bench@example.org> {1_700_000_000 + number * 60} +0000\n".encode())
        stream.append(b"data %d\n%s\n" % (len(message), message))
        stream.extend(changes)

    def modify(path: str, data: bytes) -> bytes:
        return b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data)

    commit(0, [modify(path, data) for path, data in texts.items()])
    current = hot
    for number in range(1, commits):
        changes = []
        for path in rng.sample(others, EDITS_PER_COMMIT):
            texts[path] += f"Edit {number}.\n".encode()
            changes.append(modify(path, texts[path]))
        if number == commits // 2:
            changes.append(f"R {current} {renamed}\n".encode())
            current = renamed
        elif number % HOT_EVERY == 0:
            texts[hot] += f"Edit {number}.\n".encode()
            changes.append(modify(current, texts[hot]))
        commit(number, changes)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(stream), check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=root, check=True)
    return current, cold


def with_git(root: Path, path: str) -> int:
    return len(file_versions(root, path))


def with_pygit2(root: Path, path: str) -> int:
    import pygit2

    repo = pygit2.Repository(str(root))
    current, found = path, 0

    def blob(tree, where):
        try:
            return tree[where].id
        except KeyError:
            return None

    for commit in repo.walk(repo.head.target, pygit2.enums.SortMode.TIME):
        mine = blob(commit.tree, current)
        if mine is None:
            continue
        parent = commit.parents[0] if commit.parents else None
        before = blob(parent.tree, current) if parent is not None else None
        if before == mine:
            continue
        repo[mine].data  # the text, as the git command reads it
        found += 1
        if parent is not None and before is None:  # added here: renamed from another path?
            diff = parent.tree.diff_to_tree(commit.tree)
            diff.find_similar()
            current = next((d.old_file.path for d in diff.deltas if d.new_file.path == current and d.status_char() == "R"), current)
    return found


def with_dulwich(root: Path, path: str) -> int:
    from dulwich.repo import Repo

    repo = Repo(str(root))
    found = 0
    for entry in repo.get_walker(paths=[path.encode()], follow=True):
        for change in entry.changes():
            if change.new is not None and change.new.sha is not None:
                repo[change.new.sha].data
        found += 1
    return found


def best(function, root: Path, path: str, repeat: int) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        count = function(root, path)
        times.append(time.perf_counter() - start)
    return min(times), count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--blocks", type=int, default=10_000)
    parser.add_argument("--commits", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--ways", default="git,pygit2,dulwich", help="which to measure (those installed)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "film"
        start = time.perf_counter()
        hot, cold = build(root, args.blocks, args.commits)
        print(f"repository: {args.blocks} blocks, {args.commits} commits, built in {time.perf_counter() - start:.1f} s")
        ways = {"git": with_git}
        for name, function in (("pygit2", with_pygit2), ("dulwich", with_dulwich)):
            if name not in args.ways.split(","):
                continue
            try:
                __import__(name)
                ways[name] = function
            except ImportError:
                print(f"{name}: not installed, skipped")
        for label, path in (("scene edited in every tenth commit, renamed once", hot), ("block committed once", cold)):
            for name, function in ways.items():
                seconds, count = best(function, root, path, args.repeat)
                print(f"{label:<50} {name:<8} {seconds * 1000:8.1f} ms  {count} versions")


if __name__ == "__main__":
    main()
