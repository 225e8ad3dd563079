"""What every benchmark writes: the machine it ran on, and its section of docs/PERFORMANCE.md."""
from __future__ import annotations

import os
import platform
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "PERFORMANCE.md"


def machine() -> str:
    import torch

    model = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                  if l.startswith("model name")), platform.processor() or "unknown CPU")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{os.cpu_count()} CPUs ({model}), torch {torch.__version__} with {torch.get_num_threads()} thread(s), "
            f"load average {load:.1f} at the end of the run, Python {platform.python_version()}")


def write_section(text: str, section: str, doc: Path = DOC) -> None:
    """Replace the ``section`` heading's part of ``doc`` with ``text`` (which starts with that heading)."""
    doc.parent.mkdir(exist_ok=True)
    old = doc.read_text() if doc.exists() else "# Performance\n\nMeasured numbers for each part of the studio, with the command that produced them.\n"
    start = old.find(section)
    if start < 0:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        end = old.find("\n## ", start + len(section))
        new = old[:start] + text + (old[end + 1:] if end >= 0 else "")
    doc.write_text(new.rstrip("\n") + "\n")
