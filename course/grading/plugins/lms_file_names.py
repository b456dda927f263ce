"""LmsFileNames: `nbgrader zip_collect`'s collector, reading file names and the roster as `course collect` does."""
from datetime import datetime, timezone
from functools import cached_property
import os
from pathlib import Path, PurePosixPath

from nbgrader.plugins import FileNameCollectorPlugin

from ..collect import Collect, parse_path
from ..roster import Roster


class LmsFileNames(FileNameCollectorPlugin):
    """`nbgrader zip_collect`'s collector for the course: the same names and roster as `course collect`."""

    @cached_property
    def roster(self):  # read once per zip_collect run, not once per file
        return Roster.read(Path(self.parent.coursedir.root) / Collect(parent=self).roster)

    def collect(self, submitted_file):
        coursedir = self.parent.coursedir
        parts = Path(submitted_file).parts  # .../downloaded/<id>/extracted/<zip's own folder>/<the LMS's path>
        inside = parts[len(parts) - parts[::-1].index(self.parent.extracted_directory):]
        relative = PurePosixPath(*inside).as_posix()
        owner = parse_path(relative)
        student = owner and self.roster.find(owner.student_id, owner.lms_id, owner.name)
        if student is None or not owner.file.endswith(".ipynb"):
            self.log.warning("Not collected (unknown student or not a notebook): %s", relative)
            return None
        mtime = datetime.fromtimestamp(os.path.getmtime(submitted_file), tz=timezone.utc)
        return {"student_id": student.id, "file_id": f"{coursedir.assignment_id}.ipynb",
                "timestamp": mtime.strftime("%Y-%m-%d %H:%M:%S UTC")}
