"""Release the student versions: lint source/ before nbgrader writes release/, and check release/ is current.

`release_assignments` refuses an assignment whose source notebook breaks a
convention that nbgrader or the grader relies on (duplicated grade ids, a
graded-looking cell without nbgrader metadata, metadata nbgrader rejects,
committed outputs) and releases the others. `check_releases` generates each
assignment into a temporary course folder and compares it, cell by cell,
with the committed release/<id>/ notebook; release/ itself is never touched.
"""
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
import re
import shutil
import tempfile

import jsonschema
import nbformat
from nbgrader import nbgraderformat
from nbgrader.utils import is_grade, is_locked, is_solution

from . import steps
from .course import Course

# Cell text that only belongs in a cell nbgrader knows about.
GRADED_MARKERS = ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS")
CHECK_CALL = re.compile(r"(?<![\w.])check\(")


@dataclass(frozen=True)
class Problem:
    """One thing to fix in a source notebook, at one cell."""

    notebook: str
    index: int
    first_line: str
    fix: str

    def __str__(self):
        return f"{self.notebook}, cell {self.index} ({self.first_line!r}): {self.fix}"


def notebook_path(root, folder, assignment_id):
    return Path(root) / folder / assignment_id / f"{assignment_id}.ipynb"


def read_source(root, assignment_id):
    return nbformat.read(str(notebook_path(root, "source", assignment_id)), as_version=4)


def nbgrader_metadata(cell):
    return cell.metadata.get("nbgrader", {})


def first_line(cell):
    lines = cell.source.strip().splitlines()
    return lines[0][:70] if lines else "(empty)"


def has_grade_id(cell):
    """Does nbgrader key this cell by its grade_id (it does for graded, solution and locked cells)?"""
    return "nbgrader" in cell.metadata and (is_grade(cell) or is_solution(cell) or is_locked(cell))


def output_problem(cell):
    """What to fix if a code cell carries what running it left behind (source/ is committed clean)."""
    if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count") is not None):
        return "has outputs or an execution count: clear all outputs (Edit > Clear Outputs of All Cells) and save"
    return None


def unmarked_problem(cell):
    """What to fix if a cell looks graded (solution or hidden-test markers, a check call) but nbgrader ignores it."""
    if "nbgrader" in cell.metadata or cell.cell_type not in ("code", "markdown"):
        return None
    markers = [marker for marker in GRADED_MARKERS if marker in cell.source]
    if cell.cell_type == "code" and CHECK_CALL.search(cell.source):
        markers.append("check(")
    if markers:
        return (f"contains {' and '.join(markers)} but has no nbgrader metadata: make it a solution, "
                "autograder-tests or manually graded cell (View > Cell Toolbar > Create Assignment)")
    return None


def metadata_problem(cell):
    """What nbgrader's own validator (nbgrader.nbgraderformat) rejects in a cell's nbgrader metadata."""
    try:
        nbgraderformat.MetadataValidator().validate_cell(cell)
    except (nbgraderformat.SchemaTooOldError, nbgraderformat.SchemaTooNewError) as error:
        return f"nbgrader metadata: {error}; run `nbgrader update source/` to upgrade it"
    except jsonschema.ValidationError as error:
        # nbgrader's message may quote the whole cell, which the Problem names already.
        reason = str(error.message).replace(cell.source, "").rstrip(": ")
        return f"nbgrader metadata: {reason}; set it in the Create Assignment toolbar"
    return None


def test_cell_problem(cell):
    """What to fix if a registered exercise's test cell is not what course/checks says it is."""
    from course.authoring import expected_test_cell

    expected = expected_test_cell(cell)
    if expected is None or cell.source == expected:
        return None
    return ("differs from the test cell course/checks describes (the comment comes from the exercise's "
            "EXAMPLES entry, beside its visible trials): edit that entry, then run `python -m course.authoring`")


def cell_problems(notebook_name, nb):
    """The problems of a notebook that each cell has on its own."""
    problems = []
    for index, cell in enumerate(nb.cells):
        for fix in (output_problem(cell), unmarked_problem(cell), metadata_problem(cell), test_cell_problem(cell)):
            if fix:
                problems.append(Problem(notebook_name, index, first_line(cell), fix))
    return problems


def duplicate_grade_ids(notebooks):
    """Problems for every cell whose grade_id another cell of the course also has, in its notebook or another.

    nbgrader's gradebook keys cells by notebook, but course.checks.registry
    keys exercises by grade_id alone, so both kinds of duplicate are refused.
    `notebooks`: {notebook name: notebook}.
    """
    places = defaultdict(list)
    for name, nb in notebooks.items():
        for index, cell in enumerate(nb.cells):
            grade_id = nbgrader_metadata(cell).get("grade_id")
            if has_grade_id(cell) and grade_id:
                places[grade_id].append((name, index, cell))
    problems = []
    for grade_id, cells in places.items():
        for name, index, cell in cells if len(cells) > 1 else []:
            others = ", ".join(f"{n} cell {i}" for n, i, _ in cells if (n, i) != (name, index))
            problems.append(Problem(name, index, first_line(cell),
                                    f"grade_id {grade_id!r} is also used by {others}: give each cell its own"))
    return problems


def lint_course(root, assignment_ids):
    """{assignment id: [Problem]} for these assignments, duplicates looked for across all the course's notebooks."""
    names = {a: str(notebook_path(".", "source", a)) for a in Course.of(root).assignment_ids()}
    notebooks, unreadable = {}, {}
    for a in names:
        try:
            notebooks[names[a]] = read_source(root, a)
        except Exception as error:  # invalid JSON or not a notebook: a refusal, never a traceback
            unreadable[a] = [Problem(names[a], 0, "", f"not a readable notebook ({type(error).__name__}: "
                                                        f"{str(error)[:200]}); restore it from git")]
    problems = {a: unreadable.get(a) or cell_problems(names[a], notebooks[names[a]]) for a in assignment_ids}
    for problem in duplicate_grade_ids(notebooks):
        for assignment_id in assignment_ids:
            if problem.notebook == names[assignment_id]:
                problems[assignment_id].append(problem)
    return {a: sorted(found, key=lambda p: p.index) for a, found in problems.items()}


def refusal(problems):
    lines = [f"refused, fix {len(problems)} problem(s) in source/ first:"] + [f"  {p}" for p in problems]
    return steps.StepResult(False, "\n".join(lines))


def _unless_refused(root, assignment_ids, action):
    """{id: action(root, id)} for each assignment whose source passes the lint (read once), else its refusal."""
    problems = lint_course(root, assignment_ids)
    return {a: refusal(problems[a]) if problems[a] else action(root, a) for a in assignment_ids}


def release_assignments(root, assignment_ids):
    """Generate release/<id>/ for each assignment whose source passes the lint; {id: StepResult}."""
    return _unless_refused(root, assignment_ids, steps.release)


def check_releases(root, assignment_ids):
    """Is each committed release/<id>/ notebook what nbgrader generates from source/<id>/ now? {id: StepResult}."""
    return _unless_refused(root, assignment_ids, compare_with_committed)


def generate_elsewhere(root, assignment_id, course_folder):
    """Generate one assignment in `course_folder`, a fresh copy of the course's config and source/<id>/."""
    course_folder = Path(course_folder)
    shutil.copy(Path(root) / "nbgrader_config.py", course_folder / "nbgrader_config.py")
    shutil.copytree(Path(root) / "source" / assignment_id, course_folder / "source" / assignment_id,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    # An empty URL makes nbgrader_config.py use a gradebook in the copy, never the course's own.
    return steps.nbgrader(course_folder, "generate_assignment", assignment_id, "--force",
                          env={"COURSE_GRADEBOOK_URL": ""})


def cell_fingerprint(cell):
    """What a release must keep: cell ids are left out, nbgrader may give new ones."""
    return cell.cell_type, cell.source, nbgrader_metadata(cell)


def differing_cells(committed, generated):
    """[(index, first line)] of the cells where two notebooks differ, including cells only one of them has."""
    differ = []
    for index in range(max(len(committed.cells), len(generated.cells))):
        pair = [nb.cells[index] if index < len(nb.cells) else None for nb in (committed, generated)]
        if None in pair or cell_fingerprint(pair[0]) != cell_fingerprint(pair[1]):
            cell = pair[0] or pair[1]
            differ.append((index, first_line(cell) + ("" if None not in pair else " (only in one of them)")))
    return differ


def compare_with_committed(root, assignment_id):
    """Generate one linted assignment in a temporary course and compare it with release/<id>/; a StepResult."""
    committed_path = notebook_path(root, "release", assignment_id)
    if not committed_path.exists():
        return steps.StepResult(False, f"release/{assignment_id} is missing: run `course release {assignment_id}`")
    with tempfile.TemporaryDirectory(prefix="course-release-check-") as course_folder:
        generated = generate_elsewhere(root, assignment_id, course_folder)
        if not generated.ok:
            return generated
        generated_nb = nbformat.read(str(notebook_path(course_folder, "release", assignment_id)), as_version=4)
    differ = differing_cells(nbformat.read(str(committed_path), as_version=4), generated_nb)
    if not differ:
        return steps.StepResult(True, f"release/{assignment_id} is current")
    lines = [f"release/{assignment_id} differs from what source/{assignment_id} generates in "
             f"{len(differ)} cell(s) (run `course release {assignment_id}` and commit it):"]
    return steps.StepResult(False, "\n".join(lines + [f"  cell {i} ({line!r})" for i, line in differ]))
