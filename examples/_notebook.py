"""Turn a builder's list of cells into a notebook file; shared by ``examples/_build_*.py``.

Each builder holds its cells as ``[("md" | "code", source), ...]`` and calls
:func:`write_notebook`. With ``--execute`` the notebook is run once first (an error in
any cell stops the build); the file is always stored without outputs, so the diff of a
change shows the cells and nothing else. The test run executes every notebook (nbmake).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def build_notebook(cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    nb.metadata["language_info"] = {"name": "python"}
    for index, (kind, source) in enumerate(cells):
        cell = new_markdown_cell(source) if kind == "md" else new_code_cell(source)
        cell.id = f"cell-{index:02d}"  # stable ids: rebuilding changes nothing but the cells
        nb.cells.append(cell)
    return nb


def write_notebook(cells: list[tuple[str, str]], path: Path, argv: list[str]) -> None:
    if "--execute" in argv:
        from nbclient import NotebookClient

        executed = build_notebook(cells)
        NotebookClient(
            executed,
            timeout=300,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
    nbformat.write(build_notebook(cells), path)
    print(f"wrote {path}")
