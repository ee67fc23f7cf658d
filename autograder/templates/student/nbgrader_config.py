"""nbgrader's settings of the course, student side: the course id and its exchange.

The exchange is a local folder here (exchange/) unless `make lab EXCHANGE=...` names another;
`make lab` writes your workspace's own nbgrader_config.py from these settings.
"""

from pathlib import Path

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

HERE = Path(__file__).resolve().parent

c.CourseDirectory.root = str(HERE)
c.CourseDirectory.course_id = "minitorch"
c.Exchange.root = str(HERE / "exchange")
