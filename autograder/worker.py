"""A grading process that imports nbgrader once and then runs many nbgrader jobs.

Importing nbgrader costs seconds (its Jupyter server dependencies); the self-check releases
every assignment (generate_assignment) and benchmarks/grading.py runs many autogrades, so
each of their jobs keeps one of these processes. Each request names its own
course root, whose nbgrader_config.py is loaded afresh, so every submission is still graded in
its own course (own gradebook, own folders), exactly as `nbgrader autograde` would there.

Protocol: one JSON request per line on stdin,
    {"op": "autograde", "course": "/tmp/.../course", "assignment": "01_tensors",
     "student": "reference"}      (or "op": "generate", without "student")
and one JSON reply per line on the original stdout, prefixed with REPLY:
    {"success": true, "error": null, "log": "...", "grades": {"task_1_1": 5.0, ...}}
Anything else that would go to stdout (a library's print) goes to stderr instead.

Run it with `python -m autograder.worker`, the venv's bin/ on PATH (see nbgrader_cli).
"""

import json
import os
import sys

REPLY = "@@autograder-worker@@ "


def _grades(db_url: str, course_id: str, assignment: str, student: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id) as gradebook:
        submission = gradebook.find_submission(assignment, student)
        return {grade.name: float(grade.auto_score or 0.0)
                for notebook in submission.notebooks for grade in notebook.grades}


def handle(request: dict) -> dict:
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    root = request["course"]
    os.chdir(root)
    config = PyFileConfigLoader("nbgrader_config.py", path=root).load_config()
    config.CourseDirectory.root = root
    api = NbGraderAPI(config=config)
    assignment = request["assignment"]
    if request["op"] == "generate":
        result = api.generate_assignment(assignment, force=True, create=True)
    elif request["op"] == "autograde":
        result = api.autograde(assignment, request["student"], force=True, create=True)
    else:
        return {"success": False, "error": f"unknown op {request['op']!r}"}
    reply = {"success": bool(result.get("success")), "error": result.get("error"),
             "log": result.get("log", "")}
    if reply["success"] and request["op"] == "autograde":
        reply["grades"] = _grades(api.coursedir.db_url, api.coursedir.course_id, assignment,
                                  request["student"])
    return reply


def main() -> None:
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # stray prints go to stderr, never into the replies
    sys.stdout = sys.stderr
    import nbgrader.apps  # noqa: F401 (the slow import, once, before the first request)

    replies.write(REPLY + json.dumps({"ready": True}) + "\n")
    replies.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            reply = handle(json.loads(line))
        except Exception as error:  # report, and stay alive for the next request
            import traceback

            reply = {"success": False, "error": f"{type(error).__name__}: {error}\n"
                     + traceback.format_exc()}
        replies.write(REPLY + json.dumps(reply) + "\n")
        replies.flush()


if __name__ == "__main__":
    main()
