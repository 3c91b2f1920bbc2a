"""The course's maintenance tools, run from the course folder as modules:

    .venv/bin/python -m tools.run_notebooks PATH...     # execute notebooks in a fresh kernel, save their outputs
    .venv/bin/python -m tools.make_exercises            # rebuild exercises/ from solutions/
    .venv/bin/python -m tools.readme_images             # copy the README's pictures out of the notebooks

A package (not a folder of scripts) so that one tool imports another, and the tests import them,
with a plain ``from tools.run_notebooks import ...``: nobody edits ``sys.path``.
"""
