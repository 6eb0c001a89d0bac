"""From a file's bytes to a Block and the problems that file has on its own.

One pure function, `parse_block`, used by sync, the watcher and the language server alike.
Problems that need the other files (unknown ids, duplicate ids, cycles) are in `links.py`.
"""

from __future__ import annotations

import difflib
from typing import Callable, Iterator, Mapping

import yaml
from frontmatter.default_handlers import YAMLHandler

from .block import ID_PATTERN, Block, Ref, first_heading, slugify, stem_of
from .catalog import ASSET_ROLES, MAX_FILE_BYTES, TYPE_NAMES, TYPES
from .conflicts import OURS, Conflict, conflict_problems, find_conflicts, keep_all
from .fields import missing_fields
from .hashing import bytes_hash, content_hash
from .problems import WARNING, Position, Problem, Range
from .yaml_nodes import Loader, alias_problem, construct, shape_problem

_BOUNDARY = YAMLHandler.FM_BOUNDARY
_tuple = tuple.__new__
_TYPE_LIST = ", ".join(TYPE_NAMES)


def closest(word: str, choices, cutoff: float = 0.6) -> str | None:
    """difflib's closest match: the same answer, found 40× faster among thousands of ids.

    rapidfuzz first keeps the choices whose similarity by longest common subsequence reaches
    the cutoff. difflib's ratio counts matching blocks, which form a common subsequence, so it
    is never higher: nothing difflib would pick is left out."""
    from rapidfuzz import fuzz, process  # here: only a missing id needs it, and it is 9 ms off every start

    shortlist = [choice for choice, _, _ in process.extract(word, list(choices), scorer=fuzz.ratio,
                                                              score_cutoff=cutoff * 100 - 1e-6, limit=None)]
    matches = difflib.get_close_matches(word, shortlist, n=1, cutoff=cutoff)
    return matches[0] if matches else None


def oversized_block(path: str, size: int) -> Block:
    stem = stem_of(path)
    problem = Problem(
        "too-large",
        f"file is {size / 1_048_576:.1f} MB, over the {MAX_FILE_BYTES // 1_048_576} MB limit for a block: "
        "split it, or move media into assets/",
    )
    return Block(path, slugify(stem), "", stem, problems=[problem], readable=False, content_hash=f"size:{size}")


def parse_block(path: str, data: bytes) -> Block:
    """Parse one file. Never raises: whatever is wrong becomes a Problem with a range."""
    if len(data) > MAX_FILE_BYTES:
        return oversized_block(path, len(data))
    stem = stem_of(path)
    if b"\x00" in data[:8192]:
        return _unreadable(path, data, Problem("binary", "binary content in a .md file: move it into assets/ or rename it"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start)
        line_start = data.rfind(b"\n", 0, error.start) + 1
        col = len(data[line_start : error.start].decode("utf-8", "replace"))
        problem = Problem("not-utf8", "file is not UTF-8 text: save it as UTF-8", Range.of(line, col, line, col + 1))
        return _unreadable(path, data, problem)
    return parse_text(path, text, default_id=slugify(stem), stem=stem)


def _unreadable(path: str, data: bytes, problem: Problem) -> Block:
    stem = stem_of(path)
    return Block(path, slugify(stem), "", stem, problems=[problem], readable=False, content_hash=bytes_hash(data))


def parse_text(path: str, text: str, *, default_id: str | None = None, stem: str | None = None) -> Block:
    stem = stem if stem is not None else stem_of(path)
    default_id = default_id if default_id is not None else slugify(stem)
    conflicts = find_conflicts(text)
    if conflicts:
        return _conflicted(path, text, conflicts, default_id, stem)
    return _parse_clean(path, text, default_id, stem)


def _conflicted(path: str, text: str, conflicts: list[Conflict], default_id: str, stem: str) -> Block:
    """A file with merge conflict markers: broken until they are resolved (nothing is made from
    half a merge), under the id its own side (ours) gives it, so that links to it still hold."""
    ours = _parse_clean(path, keep_all(text, OURS), default_id, stem)
    return Block(path, ours.id, "", ours.title, problems=conflict_problems(text, conflicts), readable=False,
                 content_hash=content_hash({}, text))


def _parse_clean(path: str, text: str, default_id: str, stem: str) -> Block:
    if text.startswith("\ufeff"):
        text = text[1:]
    opening = _BOUNDARY.match(text)
    if not opening:
        body = text
        return Block(
            path, default_id, "", first_heading(body) or stem, body=body,
            problems=[Problem("no-frontmatter", "no frontmatter: start the file with a `---` line, `type: <type>`, and another `---` line", Range.of(0, 0, 0, 0))],
            readable=False, content_hash=content_hash({}, body),
        )
    closing = _BOUNDARY.search(text, opening.end())
    if closing is None:
        return Block(
            path, default_id, "", stem, body="",
            problems=[Problem("unclosed-frontmatter", "frontmatter is never closed: add a `---` line after it", Range.of(0, 0, 0, 3))],
            readable=False, content_hash=content_hash({}, text),
        )
    line_offset = text.count("\n", 0, opening.end())
    body_start = closing.end() + 1 if text[closing.end() : closing.end() + 1] == "\n" else closing.end()
    body = text[body_start:]
    body_line = text.count("\n", 0, body_start)
    closing_line = text.count("\n", 0, closing.start())
    parser = _FrontmatterReader(text[opening.end() : closing.start()], line_offset, closing_line)
    return parser.read(path, default_id, stem, body, body_line)


class _KeyRanges(Mapping[str, Range]):
    """Where each frontmatter key is, worked out only when asked: editors ask for a few,
    a sync for almost none, and building them all was a tenth of parsing (measured)."""

    __slots__ = ("_nodes", "_range_of")

    def __init__(self, nodes: dict[str, tuple[yaml.Node, yaml.Node]], range_of: Callable[[yaml.Node], Range]) -> None:
        self._nodes = nodes
        self._range_of = range_of

    def __getitem__(self, key: str) -> Range:
        return self._range_of(self._nodes[key][0])

    def __iter__(self) -> Iterator[str]:
        return iter(self._nodes)

    def __len__(self) -> int:
        return len(self._nodes)


class _FrontmatterReader:
    """Reads the YAML node tree so every value keeps its position in the file."""

    def __init__(self, chunk: str, line_offset: int, closing_line: int) -> None:
        self.chunk = chunk
        self.offset = line_offset
        self.closing_line = closing_line
        self.problems: list[Problem] = []

    def range_of(self, node: yaml.Node) -> Range:
        start, end, offset = node.start_mark, node.end_mark, self.offset
        # tuple.__new__ builds the same named tuples without their Python-level __new__: half the cost.
        return _tuple(Range, (_tuple(Position, (offset + start.line, start.column)), _tuple(Position, (offset + end.line, end.column))))

    def problem(self, code: str, message: str, node: yaml.Node | None = None, severity: str = "error") -> None:
        where = self.range_of(node) if node is not None else Range.of(self.offset, 0, self.offset, 3)
        self.problems.append(Problem(code, message, where, severity))

    def read(self, path: str, default_id: str, stem: str, body: str, body_line: int) -> Block:
        def unusable(problem: Problem) -> Block:
            return Block(path, default_id, "", first_heading(body) or stem, body=body, body_line=body_line,
                         problems=[problem], readable=False, content_hash=content_hash({}, self.chunk + body))

        refused = shape_problem(self.chunk)
        if refused is not None:
            return unusable(Problem("yaml", refused, Range.of(self.offset, 0, self.offset, 3)))
        loader = Loader(self.chunk)
        try:
            root = loader.get_single_node()
            data = construct(loader, root, self.chunk) if root is not None else None
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line, col = (self.offset + mark.line, mark.column) if mark else (self.offset, 0)
            what = (error.problem or error.context or "invalid YAML").strip()
            message = self.tab_message(mark, what, line) or f"YAML syntax error: {what}: fix the frontmatter at this line"
            return unusable(Problem("yaml", message, Range.of(line, col, line, col + 1)))
        except yaml.YAMLError as error:
            return unusable(Problem("yaml", f"YAML error: {str(error).splitlines()[0]}: fix the frontmatter"))
        except RecursionError:  # within MAX_DEPTH, but called from deep in a stack already
            return unusable(Problem("yaml", "frontmatter is nested too deeply: flatten it", Range.of(self.offset, 0, self.offset, 3)))
        finally:
            loader.dispose()
        if data is not None and "&" in self.chunk and (refused := alias_problem(data)) is not None:
            return unusable(Problem("yaml", refused, Range.of(self.offset, 0, self.offset, 3)))

        if data is None:
            self.problems.append(Problem("missing-type", f"frontmatter is empty: add `type: <type>` (one of {_TYPE_LIST})",
                                         Range.of(self.offset - 1 if self.offset else 0, 0, self.offset - 1 if self.offset else 0, 3)))
            return Block(path, default_id, "", first_heading(body) or stem, body=body, body_line=body_line,
                         problems=self.problems, content_hash=content_hash({}, body))
        if not isinstance(data, dict) or not isinstance(root, yaml.MappingNode):
            self.problem("not-mapping", "frontmatter must be a mapping of `key: value` lines, starting with `type: <type>`", root)
            return Block(path, default_id, "", first_heading(body) or stem, body=body, body_line=body_line,
                         problems=self.problems, readable=False, content_hash=content_hash({}, body))

        nodes: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in root.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else None
            if key is None:
                self.problem("bad-key", "frontmatter keys must be plain words", key_node)
                continue
            if key in nodes:
                self.problem("duplicate-key", f"`{key}` is given twice: keep one", key_node)
            nodes[key] = (key_node, value_node)
        key_ranges = _KeyRanges(nodes, self.range_of)
        block = Block(path, default_id, "", stem, body=body, body_line=body_line, frontmatter=data, key_ranges=key_ranges)
        self.read_type(block, data, nodes)
        self.read_id(block, data, nodes)
        self.read_title(block, data, nodes, stem)
        self.read_tags(block, data, nodes)
        self.read_parent(block, data, nodes)
        self.read_dependencies(block, data, nodes)
        self.read_record(block, data, nodes)
        self.read_assets(block, data, nodes)
        self.read_mode(data, nodes)
        block.problems = self.problems + missing_fields(block)
        block.content_hash = content_hash(data, body)
        return block

    def tab_message(self, mark, what: str, line: int) -> str | None:
        """What to say when YAML stopped at a tab: its own words ("found character that cannot
        start any token") do not say that YAML allows no tabs in indentation."""
        if mark is None:
            return None
        lines = self.chunk.split("\n")
        text = lines[mark.line] if mark.line < len(lines) else ""
        if text[mark.column : mark.column + 1] != "\t" and "'\\t'" not in what:
            return None
        if not text[: mark.column].strip(" \t"):
            return f"YAML syntax error: a tab is used for indentation at line {line + 1}; YAML needs spaces: replace the tab with spaces"
        return f"YAML syntax error: a tab at line {line + 1} where YAML allows none: replace the tab with spaces"

    def read_type(self, block: Block, data: dict, nodes: dict) -> None:
        if "type" not in data:
            self.problem("missing-type", f"missing `type`: add `type: <type>` (one of {_TYPE_LIST})")
            return
        value, node = data["type"], nodes["type"][1]
        if not isinstance(value, str) or not value:
            self.problem("unknown-type", f"`type` must be a single word: use one of {_TYPE_LIST}", node)
            return
        block.type = value
        if value not in TYPES:
            suggestion = closest(value.lower().replace(" ", "_").replace("-", "_"), TYPE_NAMES, cutoff=0.5)
            hint = f"did you mean `{suggestion}`?" if suggestion else f"use one of {_TYPE_LIST}"
            self.problem("unknown-type", f"unknown type `{value}`: {hint}", node)

    def read_id(self, block: Block, data: dict, nodes: dict) -> None:
        if "id" not in data:
            return
        value, node = data["id"], nodes["id"][1]
        text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
        block.id_range = self.range_of(node)
        if text is None or not ID_PATTERN.match(text):
            suggestion = slugify(str(value)) if value is not None else block.id
            self.problem("bad-id", f"id `{value}` is not valid: ids use lowercase letters, digits, `-` and `_`, for example `{suggestion}`", node)
            return
        block.id = text

    def read_title(self, block: Block, data: dict, nodes: dict, stem: str) -> None:
        value = data.get("title")
        if value is None:
            block.title = first_heading(block.body) or stem
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            block.title = str(value)
        else:
            block.title = first_heading(block.body) or stem
            self.problem("bad-title", "`title` must be text: write it on one line, quoted if it has a colon", nodes["title"][1])

    def read_tags(self, block: Block, data: dict, nodes: dict) -> None:
        value = data.get("tags")
        if value is None:
            return
        if not isinstance(value, list) or any(isinstance(t, (dict, list)) or t is None for t in value):
            self.problem("bad-tags", "`tags` must be a list of words, for example `tags: [night, rain]`", nodes["tags"][1])
            return
        block.tags = [str(tag) for tag in value]

    def read_parent(self, block: Block, data: dict, nodes: dict) -> None:
        value = data.get("parent")
        if value is None:
            return
        node = nodes["parent"][1]
        if not isinstance(value, str) or not value:
            self.problem("bad-parent", "`parent` must be the id of one block, for example `parent: beat-2`", node)
            return
        block.parent = Ref(value, "parent", None, self.range_of(node))

    def read_dependencies(self, block: Block, data: dict, nodes: dict) -> None:
        value = data.get("dependencies")
        if value is None:
            return
        node = nodes["dependencies"][1]
        if not isinstance(value, list) or not isinstance(node, yaml.SequenceNode):
            self.problem("bad-dependencies", "`dependencies` must be a list of ids, for example `dependencies: [mara, lighthouse]`", node)
            return
        listed: set[str] = set()
        for item, item_node in zip(value, node.value):
            target = item if isinstance(item, str) else item.get("id") if isinstance(item, dict) else None
            if isinstance(target, str) and target in listed:
                self.problem("duplicate-dependency", f"`{target}` is listed twice: remove one", item_node, WARNING)
                continue
            if isinstance(target, str):
                listed.add(target)
            if isinstance(item, str) and item:
                block.dependencies.append(Ref(item, "dependency", None, self.range_of(item_node)))
            elif isinstance(item, dict) and isinstance(item.get("id"), str) and isinstance(item_node, yaml.MappingNode):
                relation = item.get("type")
                id_node = next(v for k, v in item_node.value if getattr(k, "value", None) == "id")
                if relation is not None and not isinstance(relation, str):
                    self.problem("bad-dependencies", "a dependency's `type` must be a word such as `appears_in`", item_node)
                    relation = None
                block.dependencies.append(Ref(item["id"], "dependency", relation, self.range_of(id_node)))
            else:
                self.problem("bad-dependencies", "each dependency is an id, or `{id: <id>, type: <relation>}`", item_node)

    def read_record(self, block: Block, data: dict, nodes: dict) -> None:
        value = data.get("generated")
        if value is None:
            return
        node = nodes["generated"][1]
        made_from = value.get("from") if isinstance(value, dict) else None
        if not isinstance(value, dict) or not isinstance(made_from, dict) or not all(
            isinstance(k, str) and isinstance(v, (str, int)) for k, v in made_from.items()
        ):
            self.problem("bad-generated", "`generated.from` must map dependency ids to hashes: run `cinefile mark-fresh` to rewrite it",
                         node, WARNING)
            return
        block.record = {k: str(v) for k, v in made_from.items()}

    def read_assets(self, block: Block, data: dict, nodes: dict) -> None:
        value = data.get("assets")
        if value is None:
            return
        node = nodes["assets"][1]
        if not isinstance(value, list) or not isinstance(node, yaml.SequenceNode):
            self.problem("bad-assets", "`assets` must be a list of `{sha256, role, approved}` entries", node)
            return
        roles = ", ".join(ASSET_ROLES)
        for item, item_node in zip(value, node.value):
            sha = item.get("sha256") if isinstance(item, dict) else None
            if not isinstance(sha, str) or len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
                self.problem("bad-assets", "each asset needs `sha256`: the 64 hex digits of its file name in assets/", item_node)
            elif item.get("role") not in ASSET_ROLES:
                self.problem("bad-assets", f"asset role must be one of {roles}", item_node)
            else:
                block.assets.append(item)

    def read_mode(self, data: dict, nodes: dict) -> None:
        value = data.get("mode")
        if value is not None and value not in ("draft", "final"):
            self.problem("bad-mode", f"`mode` is `{value}`: use `draft` or `final`", nodes["mode"][1])

