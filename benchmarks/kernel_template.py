"""What starting a kernel template costs: the CPU of one `python -m course.grading.sandbox.forkserver`.

    .venv/bin/python benchmarks/kernel_template.py [--starts 5]

Each grading worker starts one template, which imports torch, matplotlib,
ipykernel and the course and pays their one-time costs (WARM_MODULES and
`_warm_up` in course/grading/sandbox/forkserver.py) before it forks the
first kernel. Prints the CPU (its own, user and system) of each start, until
it is ready, then stopped. What the warm-up pays once, every kernel forked
from the template no longer pays: torch.optim's import of torch._dynamo, for
one, is about 0.9 s.
"""
import argparse
import resource

from course.grading.sandbox import forkserver


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=5)
    args = parser.parse_args()
    figures = []
    for _ in range(args.starts):
        before = children_cpu()
        forkserver.ForkServer(threads=1).close()
        figures.append(children_cpu() - before)
        print(f"template start: {figures[-1]:.2f} s of CPU")
    print(f"median of {len(figures)}: {sorted(figures)[len(figures) // 2]:.2f} s of CPU")


if __name__ == "__main__":
    main()
