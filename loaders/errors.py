"""Errors and reports of the loaders: every bad row says file, line, column, value, reason.

A *row* error rejects one row and the load goes on (the row is kept in the
rejects report); a *file* error (missing file, wrong encoding, wrong format)
stops the load with one clear sentence and leaves the graph as it was.
"""
from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "LoaderError",
    "FileFormatError",
    "RowError",
    "Rejection",
    "LoadReport",
]


class LoaderError(Exception):
    """Base of every loader error; carries where it happened."""

    def __init__(
        self,
        reason: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        column: str | None = None,
        value: Any = None,
    ) -> None:
        self.reason = reason
        self.file = str(file) if file is not None else None
        self.line = line
        self.column = column
        self.value = value
        super().__init__(self.message())

    def message(self) -> str:
        """One sentence: ``file:line: column 'c' = 'v': reason``."""
        where = self.file or ""
        if self.line is not None:
            where += f":{self.line}"
        parts = []
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        if self.value is not None:
            parts.append(f"value {str(self.value)[:80]!r}")
        head = f"{where}: " if where else ""
        mid = (", ".join(parts) + ": ") if parts else ""
        return f"{head}{mid}{self.reason}"


class FileFormatError(LoaderError):
    """The whole file cannot be read: missing, wrong encoding, wrong format."""


class RowError(LoaderError):
    """One row is bad: it is rejected, the load goes on."""


@dataclass
class Rejection:
    """A rejected row: where, why, and the raw row so nothing is lost."""

    file: str
    line: int
    column: str | None
    value: str | None
    reason: str
    raw: str

    @classmethod
    def from_error(cls, err: RowError, raw: str) -> "Rejection":
        """Build a rejection from a :class:`RowError` and the raw line."""
        return cls(
            file=err.file or "",
            line=err.line or 0,
            column=err.column,
            value=None if err.value is None else str(err.value),
            reason=err.reason,
            raw=raw,
        )


@dataclass
class LoadReport:
    """What a load did: counts by source and label, and every rejected row."""

    loaded: dict[str, int] = field(default_factory=dict)
    rejected: list[Rejection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    nodes: dict[str, int] = field(default_factory=dict)
    relationships: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when no row was rejected."""
        return not self.rejected

    def count(self, key: str, n: int = 1) -> None:
        """Add ``n`` to the loaded count of ``key`` (a source or a label)."""
        self.loaded[key] = self.loaded.get(key, 0) + n

    def reject(self, err: RowError, raw: str) -> None:
        """Keep a rejected row with its reason."""
        self.rejected.append(Rejection.from_error(err, raw))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view of the report."""
        return {
            "ok": self.ok,
            "loaded": self.loaded,
            "nodes": self.nodes,
            "relationships": self.relationships,
            "rejected_count": len(self.rejected),
            "rejected": [asdict(r) for r in self.rejected],
            "warnings": self.warnings,
            "sources": self.sources,
            "seconds": round(self.seconds, 3),
        }

    def write(self, folder: str | Path) -> tuple[Path, Path]:
        """Write ``load-report.json`` and ``rejects.csv`` into ``folder``; return both paths."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        report_path = folder / "load-report.json"
        rejects_path = folder / "rejects.csv"
        report_path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
        with rejects_path.open("w", newline="", encoding="utf-8") as fp:
            writer = csv.writer(fp, delimiter=";")
            writer.writerow(["file", "line", "column", "value", "reason", "raw"])
            for r in self.rejected:
                writer.writerow([r.file, r.line, r.column or "", r.value or "", r.reason, r.raw])
        return report_path, rejects_path
