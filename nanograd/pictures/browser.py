"""Graphviz in the browser: where the course runs on Pyodide (its static site, JupyterLite), pictures are
drawn by viz.js, Graphviz compiled to WebAssembly. Pyodide cannot start programs, so neither ``dot`` nor
``graphviz-pure`` can run there.

Only ``rendering`` imports this module, and only where ``sys.platform == "emscripten"``: it needs Pyodide's
``js`` and ``pyodide.ffi`` modules, which exist nowhere else.

The site serves viz.js (npm's ``@viz-js/viz``, its one-file ``viz-global.js``) packed as a small wheel,
``viz_js``, which the kernel loads with nanograd (tools/build_site.py makes it). So the script is read from
the kernel's own files, with no URL to work out. Starting viz.js is asynchronous (the browser compiles its
WebAssembly in the background), while a picture is drawn synchronously, when a cell's result is shown. So
``start_loading()`` runs as soon as ``rendering`` is imported (``drawing`` imports it), in a notebook's import
cell, and viz.js is ready long before the first ``draw_dot``. A picture asked for sooner waits for it where
the browser allows that (``pyodide.ffi.run_sync``); elsewhere it says to run the cell again.
"""

from __future__ import annotations

from importlib import resources

SCRIPT_PACKAGE, SCRIPT_NAME = "viz_js", "viz-global.js"

_loading = None  # the JavaScript promise of a viz.js instance, once start_loading() has run
_viz = None  # the viz.js instance, once the promise has resolved
_failure: str | None = None  # why viz.js could not be started, if it could not


class NotDrawn(Exception):
    """viz.js could not draw a picture; the message says why, and what to do."""


def start_loading() -> None:
    """Start viz.js in the background, once; any failure is kept and reported by ``render_svg``."""
    global _loading, _failure
    if _loading is not None or _failure is not None:
        return
    try:
        script = resources.files(SCRIPT_PACKAGE).joinpath(SCRIPT_NAME).read_text(encoding="utf-8")
    except (ImportError, OSError) as error:
        _failure = (
            f"viz.js (Graphviz for the browser) is not installed in this kernel ({error}): "
            f"the site's build (tools/build_site.py) adds it as the {SCRIPT_PACKAGE} package"
        )
        return
    _loading = _evaluate(script).instance()
    _loading.then(_ready, _failed)


def _evaluate(script: str):
    """The exports of viz.js's script, run as a CommonJS module, so that it sets no global name in the page."""
    import js

    exports = js.Object.new()
    module = js.Object.new()
    module.exports = exports
    js.Function.new("exports", "module", script)(exports, module)
    return exports


def _ready(instance) -> None:
    global _viz
    _viz = instance


def _failed(error) -> None:
    global _failure
    _failure = f"viz.js (Graphviz for the browser) did not start: {error}"


def render_svg(dot: str) -> str:
    """The DOT source ``dot`` drawn as SVG by viz.js; ``NotDrawn`` says why there is none."""
    start_loading()
    if _viz is None and _failure is None:
        _wait_for_viz()
    if _failure is not None:
        raise NotDrawn(_failure)
    import js
    from pyodide.ffi import to_js

    options = to_js({"format": "svg"}, dict_converter=js.Object.fromEntries)
    result = _viz.render(dot, options)
    if result.status != "success":
        messages = "; ".join(str(error.message) for error in result.errors)
        raise NotDrawn(f"viz.js could not draw this graph: {messages or result.status}")
    return str(result.output)


def _wait_for_viz() -> None:
    """Wait for viz.js to start, where the browser lets Python wait for JavaScript; else say to run it again."""
    from pyodide.ffi import can_run_sync, run_sync

    if not can_run_sync():
        raise NotDrawn("viz.js (Graphviz for the browser) is still starting: run this cell again in a moment")
    try:
        _ready(run_sync(_loading))
    except Exception as error:  # a JavaScript error: viz.js failed to start
        _failed(error)
