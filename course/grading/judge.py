"""Trusted judging: during grading the kernel only computes; the grader decides.

`TrustedExecute` is the course's Execute step of `nbgrader autograde` (and so
of the formgrader's Autograde button). Learner code can change anything in
its own process, so for every test cell whose grade_id names an exercise of
`course.checks.registry` the cell's code is not run in the kernel. Instead
this process, which never runs learner code:

1. reads the learner's code (course.grading.integrity): a by-hand function
   that uses autograd scores 0 here, signs of tampering go to the report;
2. builds the exercise's visible and hidden trials, the hidden ones from a
   secret seed drawn for this run;
3. sends only the trials' inputs, as plain data, to the kernel, where
   `course.checks.runner` calls the learner's function and answers with
   plain data (course.checks.plain);
4. judges the answers here: the verdict is the cell's only output, a line
   per passed part or an error whose message is the diagnosis, and nbgrader
   scores the cell from it.

Test cells without an exercise run in the kernel as nbgrader runs them. The
seed, each verdict and the integrity findings are written to `judge.json`
beside the graded notebook once the kernel has stopped.
"""
import json
import os

import nbformat
from nbgrader import utils
from traitlets import Integer, Unicode

from course.checks import plain
from course.checks.exercise import Verdict, fresh_seed, trial_seed
from course.checks.registry import EXERCISES
from course.checks.runner import REPLY_MIME

from . import integrity
from .execute import SandboxedExecute
from .report import RECORD_FILE


def error_output(ename, message):
    return nbformat.v4.new_output("error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"])


def stdout_output(text):
    return nbformat.v4.new_output("stream", name="stdout", text=text)


class TrustedExecute(SandboxedExecute):
    """nbgrader's Execute in the course sandbox, with every registered test cell judged outside the kernel."""

    seed = Integer(0, help="Seed of the hidden trials; 0 draws a secret one for every run. "
                           "The seed used is written to judge.json beside each graded notebook, "
                           "so a grade can be reproduced by setting it here").tag(config=True)
    record_file = Unicode(RECORD_FILE, help="File beside each graded notebook that records "
                                            "the seed, the verdicts and the integrity findings").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self.run_seed = self.seed or fresh_seed()
        by_hand = sorted({e.function for e in EXERCISES.values() if e.by_hand})
        self.scan = integrity.scan(nb, by_hand)
        self.verdicts = {}
        nb, resources = super().preprocess(nb, resources, km)
        self._write_record(resources)
        return nb, resources

    def preprocess_cell(self, cell, resources, index):
        exercise = EXERCISES.get(cell.metadata.get("nbgrader", {}).get("grade_id")) \
            if cell.cell_type == "code" and utils.is_grade(cell) else None
        if exercise is None:
            cell, resources = super().preprocess_cell(cell, resources, index)
            if cell.cell_type == "code" and utils.is_grade(cell):
                _stderr_to_stdout(cell)
            return cell, resources
        cell.outputs = self._judge(exercise, index)
        cell.execution_count = None
        return cell, resources

    def _judge(self, exercise, index):
        """The outputs that stand for the grader's verdict on one exercise."""
        violation = self.scan.by_hand.get(exercise.function) if exercise.by_hand else None
        if violation:
            self._record(exercise, Verdict(False, violation))
            return [error_output("AutogradUsed", violation)]
        visible = exercise.visible()
        hidden = exercise.hidden(trial_seed(self.run_seed, exercise.grade_id))
        outcomes = self._ask_kernel(exercise, visible + hidden, index)
        if isinstance(outcomes, str):
            verdicts = [Verdict(False, outcomes)]
        else:
            verdicts = [exercise.judge(visible, outcomes[:len(visible)], exercise.visible_label),
                        exercise.judge(hidden, outcomes[len(visible):], exercise.hidden_label)]
        outputs = []
        for verdict in verdicts:
            self._record(exercise, verdict)
            if not verdict.passed:
                outputs.append(error_output("AssertionError", verdict.message))
                break
            outputs.append(stdout_output(verdict.message + "\n"))
        return outputs

    def _ask_kernel(self, exercise, trials, index):
        """The kernel's outcomes for `trials` (a list), or a message saying why there are none."""
        request = json.dumps(exercise.request(trials))
        scratch = nbformat.v4.new_code_cell(
            f"__import__('course.checks.runner', fromlist=['serve']).serve(globals(), {request!r})")
        original = self.nb.cells[index]
        try:
            self.execute_cell(scratch, index, store_history=False)
        finally:
            self.nb.cells[index] = original  # nbclient stores the cell it ran in the notebook
        replies = [o.data[REPLY_MIME] for o in scratch.outputs
                   if o.output_type in ("display_data", "execute_result") and REPLY_MIME in o.get("data", {})]
        if not replies:
            errors = [o for o in scratch.outputs if o.output_type == "error"]
            if errors and errors[-1].ename == "CellTimeoutError":
                return (f"{exercise.function} did not return within {self.timeout} s: "
                        "look for a loop that never ends.")
            return (f"{exercise.function} could not be checked: the notebook answered "
                    + (f"{errors[-1].ename}: {errors[-1].evalue}" if errors else "nothing") + ".")
        text = replies[-1] if isinstance(replies[-1], str) else json.dumps(replies[-1])
        if len(text) > plain.MAX_REPLY_BYTES:
            return f"{exercise.function} could not be checked: its answers are larger than the checks accept."
        try:
            outcomes = json.loads(text)
        except (ValueError, RecursionError):
            outcomes = None
        if not isinstance(outcomes, list) or len(outcomes) != len(trials):
            return f"{exercise.function} could not be checked: the notebook's answer is malformed."
        return outcomes

    def _record(self, exercise, verdict):
        self.verdicts.setdefault(exercise.grade_id, []).append(
            {"passed": verdict.passed, "message": verdict.message, "diagnosis": verdict.diagnosis or verdict.message})

    def _write_record(self, resources):
        folder = (resources or {}).get("metadata", {}).get("path")
        if not folder:
            return
        record = {"seed": self.run_seed, "verdicts": self.verdicts,
                  "by_hand": self.scan.by_hand,
                  "integrity": [vars(finding) for finding in self.scan.signs]}
        with open(os.path.join(folder, self.record_file), "w") as out:
            json.dump(record, out, indent=1)


def _stderr_to_stdout(cell):
    """A learner's stderr (a debugging print, a warning) must never cost a point: nbgrader scores it as 0."""
    for output in cell.get("outputs", []):
        if output.output_type == "stream" and output.name == "stderr":
            output.name = "stdout"
