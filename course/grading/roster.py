"""The class list: who may submit, and how an LMS names them.

A roster is a CSV file with nbgrader's student columns (`id`, `first_name`,
`last_name`, `email`, as `nbgrader db student import` reads them) and an
optional `lms_id`: the student's number in the learning-management system,
which Canvas and Moodle put into the file names of an export.
"""
import csv
from dataclasses import dataclass
from pathlib import Path
import re


@dataclass(frozen=True)
class Student:
    id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    lms_id: str = ""

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()


def name_key(text):
    """Letters only, lower case: how Canvas writes "Jane Doe" (doejane) and how names are compared."""
    return re.sub(r"[^a-z]", "", text.lower())


class Roster:
    def __init__(self, students):
        self.students = {student.id: student for student in students}

    @classmethod
    def read(cls, path):
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
        if rows and "id" not in rows[0]:
            raise ValueError(f"{Path(path).name}: the roster needs an 'id' column (found {', '.join(rows[0])})")
        fields = Student.__dataclass_fields__
        return cls(Student(**{k: (v or "").strip() for k, v in row.items() if k in fields}) for row in rows)

    def write(self, path):
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(Student.__dataclass_fields__))
            writer.writeheader()
            writer.writerows(vars(student) for student in self.students.values())

    def __iter__(self):
        return iter(self.students.values())

    def __contains__(self, student_id):
        return student_id in self.students

    def find(self, student_id="", lms_id="", name=""):
        """The student with this id, else this LMS id, else exactly one with this name; or None."""
        if student_id in self.students:
            return self.students[student_id]
        if lms_id:
            for student in self:
                if student.lms_id == lms_id:
                    return student
        if name:
            key = name_key(name)
            matches = [s for s in self if key in (name_key(s.full_name), name_key(s.last_name + s.first_name))]
            if len(matches) == 1:
                return matches[0]
        return None

    def import_into(self, gradebook):
        """Add or update every student in an nbgrader gradebook (as `nbgrader db student import` does)."""
        for student in self:
            gradebook.update_or_create_student(student.id, first_name=student.first_name or None,
                                               last_name=student.last_name or None, email=student.email or None)
