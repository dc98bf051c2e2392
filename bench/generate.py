"""Generate synthetic data in the real source formats: the demo territory and the national benchmark.

Usage::

    python -m bench.generate --scale territory                      # -> loaders/demo/
    python -m bench.generate --scale departement --out /tmp/bench-59
    python -m bench.generate --scale region --out /tmp/bench-hdf
    python -m bench.generate --scale france --out /tmp/bench-fr
    python -m bench.generate --scale departement --out /tmp/t --max-rows 300   # tiny, for tests

Scales:

- ``territory`` — CA Douaisis Agglo (35 communes, ~149,000 inhabitants): the
  synthetic ``PS_LibreAcces_Personne_activite_synthetique.txt`` (2021 format) at
  the real FINESS sites of ``loaders/demo/finess_douaisis_flat.csv``, plus the
  CPTS ``roster.csv`` and ``partnerships.csv`` (:mod:`bench.synth_territory`,
  :mod:`bench.synth_roster`);
- ``departement`` (Nord, 59), ``region`` (Hauts-de-France: 02, 59, 60, 62, 80),
  ``france`` (every département) — a raw FINESS ``etalab-cs1100507`` extract, a
  ``Personne_activite`` file in the 2023+ format, the communes, a roster and
  partnerships for the CPTS du Grand Douai and a ``territory.yaml``, all written
  streaming (:mod:`bench.synth_national`).

The same ``--seed`` (default 2026) gives byte-identical files. Exit codes: 0 done,
2 bad arguments (unknown scale, output folder not writable, missing input file).
"""
from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from a fresh clone: python bench/generate.py
    sys.path.insert(0, str(REPO))

from bench.synth_roster import build_partnerships, build_roster, to_csv
from bench.synth_territory import CPTS_ID, PA_TERRITORY_NAME, generate_professionals, load_territory

__all__ = ["SCALES", "DEFAULT_SEED", "DEMO_DIR", "GenerateError", "generate_territory", "main"]

SCALES = ("territory", "departement", "region", "france")
DEFAULT_SEED = 2026
DEMO_DIR = Path(__file__).resolve().parent.parent / "loaders" / "demo"


class GenerateError(Exception):
    """A user mistake or a missing input: reported in one sentence, exit code 2."""


def _writable_folder(value: str) -> Path:
    """Create ``value`` if needed and check that a file can be written in it."""
    out = Path(value)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".write-test-{uuid.uuid4().hex}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise GenerateError(f"cannot write to the output folder {str(out)!r}: {reason}.") from err
    return out


def _write(path: Path, text: str, encoding: str = "utf-8") -> int:
    """Write ``text`` with ``\\n`` line ends; return the size in bytes."""
    with open(path, "w", encoding=encoding, newline="\n") as fp:
        fp.write(text)
    return path.stat().st_size


def generate_territory(out: Path, seed: int = DEFAULT_SEED, demo_dir: Path = DEMO_DIR) -> dict:
    """Write the demo territory files into ``out``; return counts for the report.

    Parameters
    ----------
    out : folder to write into (created if needed).
    seed : random seed; the same seed gives the same bytes.
    demo_dir : folder with the real inputs (communes, EPCI, FINESS of the territory).

    Returns
    -------
    dict
        File names with sizes and row counts, and the roster figures.

    Raises
    ------
    GenerateError
        An input file is missing.
    """
    for name in ("communes_59_62.csv", "epci_59_62.csv", "finess_douaisis_flat.csv"):
        if not (demo_dir / name).is_file():
            raise GenerateError(f"input file {str(demo_dir / name)!r} is missing (the real demo subsets).")
    territory = load_territory(demo_dir)
    lines, actors, summary = generate_professionals(random.Random(f"{seed}:territory"), territory)
    communes = {c.insee: c for c in territory.communes}
    roster, info = build_roster(random.Random(f"{seed}:roster"), actors, communes, territory.all_communes)
    partnerships = build_partnerships(random.Random(f"{seed}:partnerships"), info, actors, CPTS_ID)
    files = {
        PA_TERRITORY_NAME: (_write(out / PA_TERRITORY_NAME, "".join(lines)), len(lines) - 1),
        "roster.csv": (_write(out / "roster.csv", to_csv(roster)), len(roster) - 1),
        "partnerships.csv": (_write(out / "partnerships.csv", to_csv(partnerships)), len(partnerships) - 1),
    }
    return {"files": files, "summary": summary, "referents": info["referents"],
            "ps_members": info["ps_members"], "ps_total": info["ps_total"], "es_members": info["es_members"],
            "stale": info["stale"], "skipped_sites": territory.skipped_sites}


def _print_territory(report: dict, out: Path, seconds: float) -> None:
    """Print what the territory run wrote."""
    s = report["summary"]
    print(f"territory: CA Douaisis Agglo, {s['population']:,} inhabitants, {s['professionals']} professionals "
          f"({s['with_two_activities']} with two activities, {s['outside_territory']} practising outside)")
    for name, (size, rows) in report["files"].items():
        print(f"  {out / name}: {rows:,} rows, {size / 1024:,.0f} KB")
    share = report["ps_members"] / max(1, report["ps_total"])
    print(f"  roster: {report['ps_members']} of {report['ps_total']} professionals of the territory ({share:.0%}), "
          f"{report['es_members']} structures, {report['stale']} stale rows")
    print("  référents: " + ", ".join(f"{k} PS:{v}" for k, v in report["referents"].items()))
    if report["skipped_sites"]:
        print(f"  FINESS sites left out (commune not found): {', '.join(report['skipped_sites'])}")
    print(f"  done in {seconds:.1f} s")


def _parser() -> argparse.ArgumentParser:
    """The command-line parser."""
    p = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    p.add_argument("--scale", default="territory", help="territory (default), departement, region or france")
    p.add_argument("--out", default=None, help="output folder (default: loaders/demo for territory, "
                                               "bench-<scale> otherwise)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    p.add_argument("--max-rows", type=int, default=None,
                   help="national scales: stop after about this many Personne_activite rows (and 1/10 as many "
                        "FINESS sites), for quick tests")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the generator; return the exit code (0 done, 2 bad arguments or inputs)."""
    args = _parser().parse_args(argv)
    try:
        if args.scale not in SCALES:
            raise GenerateError(f"unknown scale {args.scale!r}: choose territory, departement, region or france.")
        if args.max_rows is not None and args.max_rows < 1:
            raise GenerateError(f"--max-rows must be a positive number, not {args.max_rows}.")
        out = _writable_folder(args.out or (str(DEMO_DIR) if args.scale == "territory" else f"bench-{args.scale}"))
        start = time.perf_counter()
        if args.scale == "territory":
            _print_territory(generate_territory(out, args.seed), out, time.perf_counter() - start)
        else:
            from bench.synth_national import generate_national
            generate_national(args.scale, out, args.seed, max_rows=args.max_rows, demo_dir=DEMO_DIR)
    except GenerateError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
