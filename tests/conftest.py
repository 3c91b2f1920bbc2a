"""Fixtures that more than one test module uses."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    """Where the browser tests save their screenshots: $NANOGRAD_SCREENSHOTS, or a temporary folder (printed)."""
    folder = Path(os.environ.get("NANOGRAD_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {folder}")
    return folder
