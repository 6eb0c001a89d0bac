"""Checks that need the whole project: ids that clash, references that name no block,
parents of the wrong type, and cycles. Pure: blocks in, problems by path out."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Iterator, Mapping, Protocol, Sequence

from .block import Ref
from .catalog import TYPES, allowed_parents
from .elide import elided
from .parse import closest
from .problems import Problem, Range


class Linkable(Protocol):
    path: str
    id: str
    type: str
    id_range: Range | list[int]

    @property
    def refs(self) -> Sequence[Ref | list]: ...


def _range(value: Range | list[int]) -> Range:
    """Ranges may come as Range, or as the JSON lists the index stores (decoded only when a
    problem is found, which keeps a whole-project check cheap)."""
    return value if isinstance(value, Range) else Range.from_json(value)


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _names(types: Sequence[str]) -> str:
    return " or ".join(f"{_article(t)} {t}" for t in types)


def check_links(blocks: Iterable[Linkable]) -> dict[str, list[Problem]]:
    blocks = list(blocks)
    by_id: dict[str, list[Linkable]] = defaultdict(list)
    for block in blocks:
        by_id[block.id].append(block)
    problems: dict[str, list[Problem]] = {}
    suggest = Suggestions(_typed_ids(by_id))
    for block in blocks:
        if found := check_block(block, by_id, suggest):
            problems[block.path] = found
    edges = {b.id: [r[0] for r in b.refs] for b in blocks}
    for path, problem in cycle_problems(find_cycles(edges), by_id).items():
        problems.setdefault(path, []).append(problem)
    return problems


class Suggestions:
    """The closest id to one that names no block, each worked out once: a renamed block named
    by 3,000 others asks 3,000 times, and each answer compares it with every id. For a parent,
    only ids of blocks of a type allowed as that parent are offered; for a dependency, any id."""

    def __init__(self, typed_ids: Iterable[tuple[str, str]]) -> None:
        self.typed_ids = typed_ids  # (id, type) of every block, read at the first question
        self.pairs: list[tuple[str, str]] | None = None
        self.choices: dict[tuple[str, ...] | None, list[str]] = {}
        self.found: dict[tuple[str, tuple[str, ...] | None], str | None] = {}

    def __call__(self, target: str, types: tuple[str, ...] | None = None) -> str | None:
        """The closest id to `target`, among the blocks of these `types` (None: all)."""
        if (target, types) not in self.found:
            self.found[target, types] = closest(target, self.ids_of(types))
        return self.found[target, types]

    def ids_of(self, types: tuple[str, ...] | None) -> list[str]:
        if types not in self.choices:
            if self.pairs is None:
                self.pairs = list(self.typed_ids)
            self.choices[types] = list(dict.fromkeys(i for i, t in self.pairs if types is None or t in types))
        return self.choices[types]


def _typed_ids(by_id: Mapping[str, Sequence[Linkable]]) -> Iterator[tuple[str, str]]:
    return ((block_id, block.type) for block_id, owners in by_id.items() for block in owners)


def check_block(block: Linkable, by_id: Mapping[str, Sequence[Linkable]],
                suggest: Suggestions | None = None) -> list[Problem]:
    """One block's duplicate id and reference problems, against the blocks by id (every id
    its own and its references name). `suggest` gives the closest id for a reference that names
    no block, among every id in the project; by default among `by_id`'s keys."""
    problems: list[Problem] = []
    owners = by_id.get(block.id, ())
    if len(owners) > 1:
        others = _listed(sorted(b.path for b in owners if b.path != block.path))
        problems.append(Problem(
            "duplicate-id", f"duplicate id `{block.id}`: also used by {others}; give one of them another `id:`", _range(block.id_range)))
    for ref in block.refs:
        if ref[1] != "parent" and ref[0] != block.id and by_id.get(ref[0]):
            continue  # a dependency on another block that exists: nothing to check, and the common case
        _check_ref(block, ref, by_id, suggest or Suggestions(_typed_ids(by_id)), problems)
    return problems


def _listed(paths: list[str], shown: int = 3) -> str:
    """The first few paths and how many more: each twin names the others, so a full list
    grows with the square of their number (3,000 copies of one id made a 160 MB index)."""
    if len(paths) <= shown + 1:
        return ", ".join(paths)
    return f"{', '.join(paths[:shown])} and {len(paths) - shown:,} more"


def cycle_problems(cycles: list[list[str]], by_id: Mapping[str, Sequence[Linkable]]) -> dict[str, Problem]:
    """The problem each cycle puts on its members (on the first block of each id), by path."""
    problems: dict[str, Problem] = {}
    for cycle in cycles:
        members = set(cycle)
        text = " → ".join([*elided(cycle), cycle[0]])
        for member in cycle:
            owner = by_id[member][0]
            for target, _, _, where in owner.refs:
                if target in members and target != owner.id:
                    problems[owner.path] = Problem("cycle", f"dependency cycle {text}: remove one of these references", _range(where))
                    break
    return problems


def suggestion_for(block_type: str, ref: Ref, suggest: Suggestions) -> str | None:
    """The closest id to a reference that names no block: for a parent, only an id of a type
    the parent rule allows; for a dependency, any id."""
    if ref.kind == "parent" and block_type in TYPES:
        allowed = allowed_parents(block_type)
        return suggest(ref.target, allowed) if allowed else None
    return suggest(ref.target)


def _check_ref(block: Linkable, ref: Ref | list, by_id: Mapping, suggest: Suggestions, problems: list[Problem]) -> None:
    ref = Ref(ref[0], ref[1], ref[2], ref[3])
    word = "parent" if ref.kind == "parent" else "dependency"
    if ref.target == block.id:
        problems.append(Problem("self-reference", f"a block cannot be its own {word}: remove `{ref.target}`", _range(ref.range)))
        return
    targets = by_id.get(ref.target)
    if not targets:
        suggestion = suggestion_for(block.type, ref, suggest)
        hint = f"did you mean `{suggestion}`?" if suggestion else "create that block or fix the id"
        problems.append(Problem("unknown-ref", f"{word} `{ref.target}` names no block: {hint}", _range(ref.range)))
        return
    if ref.kind == "parent" and block.type in TYPES:
        allowed = allowed_parents(block.type)
        target_type = targets[0].type
        if not allowed:
            problems.append(Problem(
                "parent-type", f"{_article(block.type)} {block.type} has no parent: remove `parent:`", _range(ref.range)))
        elif target_type in TYPES and target_type not in allowed:
            problems.append(Problem(
                "parent-type",
                f"`{ref.target}` is {_article(target_type)} {target_type}, but the parent of {_article(block.type)} {block.type} "
                f"must be {_names(allowed)}: point `parent:` at one",
                _range(ref.range)))


def find_cycles(edges: dict[str, list[str]]) -> list[list[str]]:
    """Each cycle once, as a list of ids in order. Tarjan's algorithm, iterative so that
    long chains in big projects never hit the recursion limit."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in edges:
        if root in index:
            continue
        work = [(root, 0, [t for t in edges[root] if t in edges and t != root])]
        while work:
            node, i, targets = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            if i < len(targets):
                work.append((node, i + 1, targets))
                target = targets[i]
                if target not in index:
                    work.append((target, 0, [t for t in edges[target] if t in edges and t != target]))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return [_cycle_in(component, edges) for component in components]


def _cycle_in(component: list[str], edges: dict[str, list[str]]) -> list[str]:
    """One simple cycle through the component's smallest id, for a readable message."""
    members = set(component)
    start = min(component)
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in edges.get(node, ()):
                if target == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return list(reversed(path))
                if target in members and target not in previous and target != start:
                    previous[target] = node
                    following.append(target)
        frontier = following
    return sorted(component)
