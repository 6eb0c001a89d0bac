"""A block's fields as widgets, and the file text the widgets make.

Widget values live in `st.session_state` under stable keys: `title`, `body`, `parent`,
`dependencies`, `relation_<id>`, `tags`, `field_<name>` (and `raw_text` for a file whose
frontmatter cannot be read). `form_values(text, block)` gives the values a block's text loads
into them; `compose(text, block, values)` the text they make. Only a field whose value changed is
rewritten (`format.edit.set_field`), so unknown keys, comments and the formatting of every
untouched field keep each byte.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import streamlit as st

from cinefile.daemon.errors import UserError
from cinefile.format.block import Block
from cinefile.format.catalog import KNOWN_KEYS, RELATION_TYPES
from cinefile.format.edit import EditError, set_body, set_field
from cinefile.format.fields import TYPE_FIELDS

# Common values offered for a field, by name, wherever it appears; any other can be typed.
CHOICES: dict[str, tuple[str, ...]] = {
    "int_ext": ("INT", "EXT", "INT/EXT"),
    "time_of_day": ("DAY", "NIGHT", "DAWN", "DUSK", "MORNING", "EVENING", "CONTINUOUS", "LATER"),
    "size": ("extreme wide", "wide", "full", "medium wide", "medium", "medium close-up", "close-up",
             "extreme close-up", "insert", "over the shoulder", "two shot"),
    "angle": ("eye level", "high", "low", "overhead", "dutch", "bird's eye", "worm's eye", "point of view"),
    "movement": ("static", "pan", "tilt", "handheld", "push in", "pull out", "dolly", "tracking", "crane",
                 "steadicam", "zoom"),
    "lens": ("14mm", "18mm", "24mm", "35mm", "50mm", "85mm", "100mm", "135mm"),
}
NUMBER_FIELDS: dict[str, str] = {"duration": "Duration (seconds)"}
# Keys with widgets of their own, or written by cinefile: never shown as plain fields.
OWN_WIDGETS = frozenset(KNOWN_KEYS) | {"order", "scene_number", "shot_number"}
BODY, RAW_TEXT, TITLE, PARENT, DEPENDENCIES, TAGS = "body", "raw_text", "title", "parent", "dependencies", "tags"
# The form's values outlive a switch to another page, so its unsaved edits do too.
KEEP = {"persist_state": "session"}


def form_keys(state: Mapping[str, Any]) -> list[str]:
    """The keys in `state` that hold the form's widgets."""
    own = (TITLE, BODY, PARENT, DEPENDENCIES, TAGS, RAW_TEXT)
    return [k for k in state if isinstance(k, str) and (k in own or k.startswith(("field_", "relation_")))]


def field_key(name: str) -> str:
    return f"field_{name}"


def relation_key(block_id: str) -> str:
    return f"relation_{block_id}"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def field_names(block: Block) -> list[str]:
    """The fields shown for a block: those its type needs, then the user's own scalar keys
    (lists and tables are kept as written, untouched)."""
    names = list(TYPE_FIELDS.get(block.type, {}))
    for key, value in block.frontmatter.items():
        if key not in names and key not in OWN_WIDGETS and (isinstance(value, str) or _is_number(value)):
            names.append(key)
    return names


def _number_field(name: str, original: Any) -> bool:
    return name in NUMBER_FIELDS and (original is None or _is_number(original))


def _widget_value(name: str, original: Any) -> Any:
    if _number_field(name, original):
        return None if original is None else float(original)  # the widget's own type: no int/float mix
    return "" if original is None else str(original)


def form_values(text: str, block: Block) -> dict[str, Any]:
    """The widget values that show `text`, parsed as `block`."""
    if not block.readable:
        return {RAW_TEXT: text}
    values: dict[str, Any] = {
        TITLE: str(block.frontmatter.get("title") or ""), BODY: block.body,
        PARENT: block.parent.target if block.parent else "",
        DEPENDENCIES: [dep.target for dep in block.dependencies], TAGS: list(block.tags)}
    values.update({relation_key(dep.target): dep.relation or "" for dep in block.dependencies})
    values.update({field_key(name): _widget_value(name, block.frontmatter.get(name)) for name in field_names(block)})
    return values


def _same_text(a: str, b: str) -> bool:
    return a.replace("\r\n", "\n") == b.replace("\r\n", "\n")  # a browser sends \n for every line end


def _typed(value: Any, original: Any) -> Any:
    """The value to write: a number stays a number when it was one and still reads as one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if _is_number(value):
        return int(value) if float(value).is_integer() else float(value)
    if _is_number(original):
        for convert in (int, float):
            try:
                return convert(value)
            except ValueError:
                continue
    return value.strip() if isinstance(value, str) else value


def _field_changed(value: Any, original: Any) -> bool:
    if _is_number(value) and _is_number(original):
        return float(value) != float(original)
    return ("" if value is None else str(value)) != ("" if original is None else str(original))


def _dependencies(values: Mapping[str, Any], block: Block) -> list[tuple[str, str]] | None:
    """(id, relation) as the widgets say, or None when the widgets were never shown."""
    ids = values.get(DEPENDENCIES)
    if ids is None:
        return None
    kept = {dep.target: dep.relation or "" for dep in block.dependencies}
    return [(i, (values.get(relation_key(i), kept.get(i, "")) or "").strip()) for i in ids]


def compose(text: str, block: Block, values: Mapping[str, Any]) -> str:
    """The file text the widget values make from `text` (parsed as `block`). A key absent from
    `values` leaves its field as it is."""
    if not block.readable:
        return values.get(RAW_TEXT, text)
    try:
        return _compose(text, block, values)
    except EditError as error:
        raise UserError(f"{block.path}: {error}") from None


def _compose(text: str, block: Block, values: Mapping[str, Any]) -> str:
    front = block.frontmatter
    changes: list[tuple[str, Any]] = []
    if TITLE in values and values[TITLE].strip() != str(front.get("title") or ""):
        changes.append(("title", values[TITLE].strip() or None))
    original_parent = block.parent.target if block.parent else ""
    if PARENT in values and (values[PARENT] or "") != original_parent:
        changes.append(("parent", values[PARENT] or None))
    wanted = _dependencies(values, block)
    if wanted is not None and wanted != [(d.target, d.relation or "") for d in block.dependencies]:
        changes.append(("dependencies", [{"id": i, "type": r} if r else i for i, r in wanted] or None))
    if TAGS in values and list(values[TAGS]) != list(block.tags):
        changes.append(("tags", list(values[TAGS]) or None))
    for name in field_names(block):
        key, original = field_key(name), front.get(name)
        if key in values and _field_changed(values[key], original):
            changes.append((name, _typed(values[key], original)))
    for name, value in changes:
        text = set_field(text, name, value)
    if BODY in values and not _same_text(values[BODY], block.body):
        text = set_body(text, values[BODY])
    return text


# -- widgets ----------------------------------------------------------------------------------
# Each reads and writes its value through its key: the page loads a block's values into
# st.session_state before drawing them, so no widget is given a default of its own.

LABELS = {"int_ext": "INT/EXT", "time_of_day": "Time of day", **NUMBER_FIELDS}


def _label(name: str) -> str:
    return LABELS.get(name) or name.replace("_", " ").capitalize()


def field_widget(name: str, block_type: str) -> None:
    key = field_key(name)
    current = st.session_state.get(key)
    hint = TYPE_FIELDS.get(block_type, {}).get(name)
    if name in NUMBER_FIELDS and (current is None or _is_number(current)):
        st.number_input(_label(name), min_value=0.0, step=0.5, value=None, format="%g", key=key, help=hint, **KEEP)
    elif name in CHOICES:
        options = list(dict.fromkeys([*CHOICES[name], *([current] if current else [])]))
        st.selectbox(_label(name), options, index=None, key=key, help=hint, accept_new_options=True,
                     placeholder="Choose or type a value", **KEEP)
    else:
        st.text_input(_label(name), key=key, help=hint, **KEEP)


def field_widgets(block: Block) -> None:
    """The type's fields and the user's own, two to a row."""
    names = field_names(block)
    columns = st.columns(2) if names else []
    for number, name in enumerate(names):
        with columns[number % 2]:
            field_widget(name, block.type)


def parent_widget(candidates: Mapping[str, str], allowed: tuple[str, ...]) -> None:
    """A parent among `candidates` (id -> label), the blocks of the types the block allows."""
    current = st.session_state.get(PARENT) or ""
    options = list(dict.fromkeys(["", *candidates, *([current] if current else [])]))
    what = ", ".join(allowed) if allowed else "none: this type has no parent"
    st.selectbox("Parent", options, key=PARENT, format_func=lambda i: candidates.get(i, i) if i else "(no parent)",
                 help=f"Allowed parent types: {what}", disabled=not allowed and not current, **KEEP)


def dependency_widgets(labels: Mapping[str, str], own_id: str, kept: Mapping[str, str]) -> None:
    """Dependencies picked by id and title (or any id typed), each with its relation; `kept`,
    the relations the file gives (id -> relation), fills in a relation whose widget was not
    drawn lately."""
    current = list(st.session_state.get(DEPENDENCIES) or [])
    options = list(dict.fromkeys([*current, *(i for i in labels if i != own_id)]))
    chosen = st.multiselect("Made from (dependencies)", options, key=DEPENDENCIES, accept_new_options=True,
                            format_func=lambda i: labels.get(i, i), placeholder="Choose, or type an id", **KEEP)
    relations = ["", *RELATION_TYPES]
    columns = st.columns(2) if chosen else []
    for number, dep in enumerate(chosen):
        key = relation_key(dep)
        if key not in st.session_state:
            st.session_state[key] = kept.get(dep, "")
        columns[number % 2].selectbox(
            f"How `{dep}` is used", list(dict.fromkeys([*relations, st.session_state[key]])), key=key,
            format_func=lambda r: r or "(no relation)", accept_new_options=True,
            help="; ".join(f"{name}: {text}" for name, text in RELATION_TYPES.items()), **KEEP)


def tags_widget(known_tags: list[str]) -> None:
    current = list(st.session_state.get(TAGS) or [])
    st.multiselect("Tags", list(dict.fromkeys([*current, *known_tags])), key=TAGS, accept_new_options=True,
                   placeholder="Choose or type tags", **KEEP)


def body_widget(label: str = "Body") -> None:
    st.text_area(label, key=BODY, height=320, **KEEP)


def raw_text_widget() -> None:
    st.text_area("The file as it is (its frontmatter cannot be read: fix it here)", key=RAW_TEXT, height=360, **KEEP)


def format_labels(blocks, indent: bool = False) -> dict[str, str]:
    """id -> `title (id)`, for pickers; indented by depth in a tree."""
    pad: Callable[[Any], str] = (lambda b: "\u2003" * b.depth) if indent else (lambda b: "")
    return {b.id: f"{pad(b)}{b.title or b.id} ({b.id})" for b in blocks}
