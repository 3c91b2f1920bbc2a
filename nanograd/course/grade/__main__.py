"""``python -m nanograd.course.grade``: see nanograd/course/grade/__init__.py and the README."""

import sys

from .cli import main

sys.exit(main())
