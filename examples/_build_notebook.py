"""Write ``examples/notebook.ipynb`` from the cells below (run after editing them).

    python examples/_build_notebook.py

Kept as code so the notebook is reviewable in diffs; ``tests/test_examples.py`` checks that the
committed notebook matches this file and executes it top to bottom, offline.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent


def _code(source: str) -> nbformat.NotebookNode:
    return new_code_cell(textwrap.dedent(source).strip("\n"))


CELLS = [
    new_markdown_cell(
        "# esm-validate in a notebook\n\n"
        "Validate Descriptive Experience Sampling reports, look at a whole file of them with "
        "pandas, and check whether training worked in a (simulated) study. Everything here "
        "runs offline, with the local rules."
    ),
    _code(
        """
        import esm_validate

        a = esm_validate.validate(
            "В момент сигнала я говорил себе: «где же ключи?» — своим голосом, быстро."
        )
        a.score, a.quality, sorted(a.phenomena), a.issue_codes, a.feedback
        """
    ),
    new_markdown_cell(
        "Every result is a frozen `Assessment`; `to_dict()` gives plain JSON-ready data, with each "
        "issue's message (in the report's language) and the character span of its evidence."
    ),
    _code(
        """
        b = esm_validate.validate("Maybe I was thinking about dinner, I guess.", training_day=1)
        b.to_dict()
        """
    ),
    new_markdown_cell(
        "## A file of reports\n\n"
        "`assess_dataframe` returns a copy of the DataFrame with `score`, `quality`, `phenomena`, "
        "`issue_codes`, `main_issue`, `feedback`, `lang` and `source` columns."
    ),
    _code(
        """
        import pandas as pd

        reports = pd.read_csv("reports.csv")
        scored = esm_validate.assess_dataframe(reports, "text")
        print(len(scored), "reports")
        scored[["participant", "training_day", "score", "quality", "main_issue", "text"]].head(8)
        """
    ),
    _code(
        """
        summary = scored.groupby("participant").agg(
            reports=("score", "size"), mean_score=("score", "mean"), best=("score", "max")
        )
        summary.round(1)
        """
    ),
    _code(
        """
        phenomena = scored["phenomena"].str.split(";").explode()
        phenomena[phenomena != ""].value_counts().rename("reports")
        """
    ),
    new_markdown_cell(
        "## Did training work?\n\n"
        "`simulated_study.py` simulates six participants over three training days and four "
        "sampling days, in the format of `esm-bot export`; every score in it comes from "
        "esm_validate, not from the simulation. With a real study, read your export instead: "
        '`pd.read_csv("study.csv")`.'
    ),
    _code(
        """
        import simulated_study

        study = pd.DataFrame(simulated_study.simulate_rows(seed=7))
        answered = study[study["report_text"] != ""]
        good = answered["quality"].isin(["good", "excellent", "pristine"])
        by_day = pd.DataFrame(
            {
                "compliance": (study["report_text"] != "").groupby(study["study_day"]).mean(),
                "mean_score": answered.groupby("study_day")["score"].mean(),
                "good_or_better": good.groupby(answered["study_day"]).mean(),
            }
        )
        by_day.round(2)
        """
    ),
    _code(
        """
        import io

        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from IPython.display import Image, display

        fig, ax = plt.subplots(figsize=(6, 3))
        by_day["mean_score"].plot(ax=ax, marker="o", label="mean score")
        by_day["good_or_better"].mul(100).plot(ax=ax, marker="s", label="% good or better")
        ax.axvspan(0.5, simulated_study.TRAINING_DAYS + 0.5, alpha=0.1, label="training days")
        ax.set(xlabel="study day", ylabel="score / %", ylim=(0, 100))
        ax.legend()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
        plt.close(fig)
        display(Image(buffer.getvalue()))
        """
    ),
    new_markdown_cell(
        "## Many reports, any validator\n\n"
        "`validate_many` streams results in order. Pass `validator=` to use another Validator, "
        "e.g. `esm_validate.from_env()`, which uses an AI backend when a key is set and the local "
        "rules otherwise (here: no key, so local)."
    ),
    _code(
        """
        texts = scored["text"].fillna("").tolist()
        stack = esm_validate.from_env({})  # {}: offline here; from_env() reads os.environ
        results = list(esm_validate.validate_many(texts, validator=stack))
        sorted({r.source for r in results}), len(results)
        """
    ),
]


def build() -> nbformat.NotebookNode:
    """Return the notebook object."""
    notebook = new_notebook(cells=CELLS)
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index:02d}"  # stable ids keep diffs quiet
    return notebook


def main() -> None:
    """Write the notebook next to this file."""
    nbformat.write(build(), HERE / "notebook.ipynb")


if __name__ == "__main__":
    main()
