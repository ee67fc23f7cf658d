"""The course's grading tool, over nbgrader: one command, ``autograder`` (see ``--help``).

- ``release`` (autograder.release): the student notebooks and the student ``minitorch``
  package for an assignment, with solutions and hidden tests removed, and a leak scan.
- ``check`` (autograder.check): the course grades itself (reference scores full marks, stubs
  score zero, each stubbed task loses exactly its own points and those of its dependents).
- to come: ``grade`` (submissions in isolation, under time and memory limits, into the
  gradebook, a CSV, per-submission ``results.json`` and HTML feedback) and ``ci``.

Modules: tasks (course/tasks.toml), regions (solution regions and stubs), leaks (the leak
scan), course (paths and notebook parsing), nbgrader_cli and worker (running nbgrader),
notebook (the helper the notebooks' test cells use).
"""

__version__ = "0.1.0"
