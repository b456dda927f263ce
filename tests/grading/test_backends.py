"""Do Dask's scheduler and a PostgreSQL gradebook give the same grades as local workers on SQLite?"""

import pytest

from course.grading import engine
from course.grading.course import Course

from .toy import CORRECT, make_toy_course, submit, toy_notebook

pytestmark = pytest.mark.nbgrader
CLASS = {"ada": CORRECT, "bob": CORRECT.replace("2 * x", "3 * x"), "cy": CORRECT, "dee": "def double(x):\n    pass"}


def _graded_class(root, **settings):
    for student, code in CLASS.items():
        submit(root, student, toy_notebook(code))
    results = engine.grade(root, Course.of(root).submissions(["toy"]), **settings)
    assert all(r.ok for r in results.values()), {k: r.message for k, r in results.items()}
    return {student: Course.of(root).cell_scores("toy", student) for student in CLASS}


@pytest.fixture(scope="module")
def local_grades(tmp_path_factory):
    return _graded_class(make_toy_course(tmp_path_factory.mktemp("local")), jobs=2)


def test_dask_scheduler_grades_like_local_workers(tmp_path, local_grades):
    """Graded through a real scheduler and two workers on loopback, are the grades those of local workers?"""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None) as cluster:
        grades = _graded_class(make_toy_course(tmp_path), executor="dask", scheduler=cluster.scheduler_address)
        assert cluster.scheduler.transition_counter > 0, "nothing ran on the scheduler"
    assert grades == local_grades
    assert grades["ada"]["double_tests"] == (2.0, 2.0) and grades["bob"]["double_tests"] == (0.0, 2.0)


def test_postgresql_gradebook_takes_parallel_writers(tmp_path, monkeypatch, postgres_url, local_grades):
    """Graded in parallel into a real PostgreSQL gradebook, are the grades those on SQLite, with no file?"""
    monkeypatch.setenv("COURSE_GRADEBOOK_URL", postgres_url)
    (tmp_path / "course").mkdir()
    root = make_toy_course(tmp_path / "course")
    assert _graded_class(root, jobs=2) == local_grades
    assert not (root / "gradebook.db").exists()
