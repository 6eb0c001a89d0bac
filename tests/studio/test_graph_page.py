"""The Dependencies page: the graph of one block (a scene: what it is made from and what a
change to it makes stale) and of the whole project, as dot for the browser to draw."""

from __future__ import annotations

from cinefile.daemon.api import ProjectAPI


def drawn(at) -> str:
    [chart] = at.get("graphviz_chart")
    return chart.proto.spec


def test_a_scene_is_drawn_with_what_it_is_made_from_and_what_it_makes_stale(studio, film):
    at = studio("views/graph.py")
    at.selectbox(key="graph_block").set_value("scene-1").run()
    assert not at.exception and not at.error
    dot = drawn(at)
    assert dot.startswith("digraph block {")
    assert '"scene-1" -> "beat-1" [style=dashed];' in dot  # its parent
    assert '"scene-1" -> "mara" [label="appears_in"];' in dot  # a dependency, with its relation
    assert '"shot-1a" [label="Wide on the car deck\\nshot", fillcolor="#ffd7a8"];' in dot  # stale, made from it
    assert '"scene-2"' not in dot  # another scene is not part of this one's graph
    with ProjectAPI.open(film) as api:
        impact = [block.id for block in api.impact("scene-1")]
    assert at.caption[1].value == f"A change to `scene-1` would make {len(impact)} blocks stale: {', '.join(impact)}"


def test_the_whole_project_is_the_apis_graph(studio, film):
    at = studio("views/graph.py")
    at.radio(key="graph_scope").set_value("project").run()
    with ProjectAPI.open(film) as api:
        assert drawn(at) == api.graph("dot")


def test_a_missing_dependency_is_drawn_as_missing(studio, film):
    path = film / "shooting/shot-2a.md"
    path.write_text(path.read_text().replace("dependencies: [", "dependencies: [ghost, ", 1))
    with ProjectAPI.open(film) as api:
        api.sync()
    at = studio("views/graph.py")
    at.selectbox(key="graph_block").set_value("shot-2a").run()
    assert not at.exception
    assert '"ghost" [label="ghost\\nmissing", color="#b3261e", style=dashed];' in drawn(at)
    assert '"shot-2a" -> "ghost";' in drawn(at)
