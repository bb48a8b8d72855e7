"""Path parameters the API's routes share: the one work identifier of every path."""
from __future__ import annotations

from typing import Annotated

from fastapi import Path

from ingest.ids import ID_PATTERN

# a work's canonical id (ingest.ids.RegulationId prints it): "uu-11-2008", "perwal-malang-9-2022"
WorkId = Annotated[str, Path(max_length=120, pattern=ID_PATTERN,
                             description="canonical id of a work, e.g. uu-11-2008 or perwal-malang-9-2022")]
