"""Trusted judging: during grading the kernel only computes; the grader decides.

`TrustedExecute` is the course's Execute step of `nbgrader autograde` (and so
of the formgrader's Autograde button). Learner code can change anything in
its own process, so the notebook's kernel answers nothing a grade depends
on: it runs the notebook's cells for their outputs, and every test cell
whose grade_id names an exercise of `course.checks.registry` is not run
there at all. Instead, for each such cell, this process, which never runs
learner code:

1. reads the learner's code (course.grading.reading): the program of the
   exercise (only the statements the checked name depends on) and, for a
   by-hand exercise, that program against the allow-list of its rule; a
   violation scores 0 and joins the integrity record;
2. builds the exercise's visible and hidden trials, the hidden ones from a
   secret seed drawn for this run;
3. forks a fresh trial process, confined, that runs only that program and
   the trials (course.grading.sandbox.trials), over a channel this process
   opened for the request; these run one after another in a thread of their
   own, started when the notebook has been read, while the kernel runs its
   cells (they do not depend on each other);
4. judges the plain data it answers here: the verdict is the cell's only
   output, a line per passed part or an error whose message is the
   diagnosis, and nbgrader scores the cell from it.

Whatever goes wrong while judging one exercise (the reading, the process,
the answer, a judge on malformed data) fails that cell with a message; the
rest of the notebook is graded. The seed, each verdict (with the ids of the
misconceptions its diagnosis shows) and the integrity findings are written
to `judge.json` beside the graded notebook, and what
the trial processes answered to `answers/` (course.grading.answers), from
which `course regrade` judges again without running anything.
"""
from dataclasses import asdict
import json
import os

import nbformat
from nbgrader import utils
from traitlets import Integer, List, Unicode

from course.checks.core.exercise import Verdict, fresh_seed, trial_seed
from course.checks import registry
from course.kernel import plain

from .. import answers
from ..reading import Reading
from ..course import RECORD_FILE
from ..sandbox import trials
from .sandboxed_execute import SandboxedExecute


def error_output(ename, message):
    return nbformat.v4.new_output("error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"])


def stdout_output(text):
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def exercise_of(cell, exercises):
    """The Exercise of `exercises` ({grade_id: Exercise}) that judges `cell`, or None: not a graded code cell,
    or one no exercise is registered for (the kernel runs it as nbgrader would)."""
    if cell.cell_type != "code" or not utils.is_grade(cell):
        return None
    return exercises.get(cell.metadata.get("nbgrader", {}).get("grade_id"))


def trials_of(exercise, run_seed):
    """(visible, hidden): the trials of `exercise` in the grading run seeded with `run_seed`."""
    return exercise.visible(), exercise.hidden(trial_seed(run_seed, exercise.grade_id))


def judged(exercise, visible, hidden, outcomes):
    """[Verdict] of the visible trials, then, if they passed, of the hidden ones, on the outcomes (or the
    failed Verdict saying why there are none)."""
    if isinstance(outcomes, Verdict):
        return [outcomes]
    first = exercise.judge(visible, outcomes[:len(visible)], exercise.visible_label)
    return [first, exercise.judge(hidden, outcomes[len(visible):], exercise.hidden_label)] if first.passed else [first]


def outputs(verdicts):
    """The cell's outputs that stand for its verdicts: a line per passed part, up to the first failure's error."""
    cell_outputs = []
    for verdict in verdicts:
        if not verdict.passed:
            cell_outputs.append(error_output("AutogradUsed" if verdict.refused else verdict.error, verdict.message))
            break
        cell_outputs.append(stdout_output(verdict.message + "\n"))
    return cell_outputs


class TrustedExecute(SandboxedExecute):
    """nbgrader's Execute in the course sandbox, with every registered test cell judged outside the kernel."""

    seed = Integer(0, help="Seed of the hidden trials; 0 draws a secret one for every run. "
                           "The seed used is written to judge.json beside each graded notebook, "
                           "so a grade can be reproduced by setting it here").tag(config=True)
    record_file = Unicode(RECORD_FILE, help="File beside each graded notebook that records "
                                            "the seed, the verdicts and the integrity findings").tag(config=True)
    exercise_modules = List(Unicode(), help="Modules (dotted names) whose EXERCISES list is judged besides the "
                                            "course's own, e.g. an instructor's additional exercises").tag(config=True)

    @property
    def exercises(self):
        """{grade_id: Exercise} this step judges: the course's, and those of `exercise_modules`."""
        return registry.exercises(self.exercise_modules)

    def preprocess(self, nb, resources=None, km=None):
        self.run_seed = self.seed or fresh_seed()
        self.known = self.exercises
        self.reading = Reading(nb)
        self.findings = list(self.reading.signs)
        self.by_hand, self.verdicts, self.recorded = {}, {}, {}
        self.folder = (resources or {}).get("metadata", {}).get("path") or os.getcwd()
        self.ahead, self.asked = trials.Ahead(), {}
        try:
            self._ask_ahead(nb)
            nb, resources = super().preprocess(nb, resources, km)
        finally:
            self.ahead.close()
        self._write_record(resources)
        return nb, resources

    def _ask_ahead(self, nb):
        """Start the trial process of every judged cell whose code passes its reading: {cell index: (visible,
        hidden, Future of _ask)}. A cell whose reading fails here is read again, and failed, when it is judged."""
        for index, cell in enumerate(nb.cells):
            exercise = exercise_of(cell, self.known)
            try:
                if exercise is None or self.reading.refusal(exercise.function, exercise.reading):
                    continue
                program = self.reading.program(exercise.function, exercise.reading)[0]
                visible, hidden = trials_of(exercise, self.run_seed)
                self.asked[index] = (visible, hidden, self.ahead.ask(self._ask, exercise, program, visible + hidden))
            except Exception:
                continue

    def preprocess_cell(self, cell, resources, index):
        exercise = exercise_of(cell, self.known)
        if exercise is None:
            cell, resources = super().preprocess_cell(cell, resources, index)
            if cell.cell_type == "code" and utils.is_grade(cell):
                _stderr_to_stdout(cell)
            return cell, resources
        try:
            cell.outputs = self._judge(exercise, index)
        except Exception as error:  # one bad cell fails one cell, never the notebook
            message = (f"{exercise.function} could not be judged ({type(error).__name__}: {str(error)[:200]}); "
                       "the rest of the notebook is graded.")
            self._record(exercise, Verdict(False, message))
            cell.outputs = [error_output("AssertionError", message)]
        cell.execution_count = None
        return cell, resources

    def _judge(self, exercise, index):
        """The outputs that stand for the grader's verdict on the exercise of cell `index`."""
        program = self.reading.program(exercise.function, exercise.reading)[0]
        refused = self.reading.refusal(exercise.function, exercise.reading)
        if refused:
            if exercise.function not in self.by_hand:
                self.by_hand[exercise.function] = refused
                self.findings += self.reading.findings(exercise.function, exercise.reading)
            verdict = Verdict(False, refused, refused=True)
            self._record(exercise, verdict)
            return outputs([verdict])
        if index in self.asked:
            visible, hidden, answer = self.asked[index]
            outcomes = answer.result()
        else:
            visible, hidden = trials_of(exercise, self.run_seed)
            outcomes = self._ask(exercise, program, visible + hidden)
        self.recorded[exercise.grade_id] = answers.entry(exercise, program, visible + hidden, outcomes)
        verdicts = judged(exercise, visible, hidden, outcomes)
        for verdict in verdicts:
            self._record(exercise, verdict)
        return outputs(verdicts)

    def _ask(self, exercise, program, trials_, cancelled=None):
        """The trial process's outcomes for `trials_` (a list), or the failed Verdict saying why there are none."""
        answer = trials.ask(program.message(), exercise.request(trials_), self.folder, dict(os.environ),
                            asdict(self.sandbox_limits()), self.timeout, plain.MAX_REPLY_BYTES, cancelled)
        if answer.problem:
            return Verdict(False, f"{exercise.function} could not be checked: {answer.problem}.",
                           error="CellTimeoutError" if answer.timed_out else "AssertionError")
        if not isinstance(answer.outcomes, list) or len(answer.outcomes) != len(trials_):
            return Verdict(False, f"{exercise.function} could not be checked: the answer is malformed.")
        return answer.outcomes

    def _record(self, exercise, verdict):
        self.verdicts.setdefault(exercise.grade_id, []).append(verdict.record())

    def _write_record(self, resources):
        folder = (resources or {}).get("metadata", {}).get("path")
        if not folder:
            return
        record = {"seed": self.run_seed, "verdicts": self.verdicts, "by_hand": self.by_hand,
                  "integrity": [vars(finding) for finding in self.findings]}
        with open(os.path.join(folder, self.record_file), "w") as out:
            json.dump(record, out, indent=1)
        answers.write(folder, self.recorded)


def _stderr_to_stdout(cell):
    """A learner's stderr (a debugging print, a warning) must never cost a point: nbgrader scores it as 0."""
    for output in cell.get("outputs", []):
        if output.output_type == "stream" and output.name == "stderr":
            output.name = "stdout"
