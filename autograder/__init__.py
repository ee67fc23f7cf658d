"""The course's grading tool, over nbgrader.

Not written yet. It will provide one command, ``autograder``, with:

- ``release``: the student notebooks and the student ``minitorch`` package for an assignment,
  with solutions and hidden tests removed (and a check that none leaked).
- ``check``: the course grades itself (reference scores full marks, stubs score zero, each
  stubbed task loses exactly its own points).
- ``grade``: grades submissions in isolation, under time and memory limits, into the nbgrader
  gradebook, a CSV, per-submission ``results.json`` and HTML feedback.
- ``ci``: grades the checkout it runs in and exits with a summary.
"""

__version__ = "0.1.0"
