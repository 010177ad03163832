"""The bundled demo register: real records from several offices, no download needed.

``data/demo/`` holds JSON Lines files built by ``tools/build_demo.py`` from the
real office samples (EUIPO ST.66 open data, USPTO TSDR and daily XML, KIPRIS
Plus) and 20,000 real EU trade marks (TradeMarks2020 extract of EUIPO open data).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from marksearch.errors import StoreError
from marksearch.ingest import IngestSummary, ingest
from marksearch.store import Store

__all__ = ["demo_files", "load_demo"]


def demo_files() -> list[Path]:
    """The demo register's files, in load order."""
    folder = Path(str(resources.files("marksearch") / "data" / "demo"))
    files = sorted(folder.glob("*.jsonl.gz"))
    if not files:
        raise StoreError(f"the demo register is missing from this installation ({folder})")
    return files


def load_demo(store: Store) -> IngestSummary:
    """Ingest the demo register into ``store`` (idempotent: a second load changes nothing)."""
    return ingest(store, [str(p) for p in demo_files()], format="jsonl")
