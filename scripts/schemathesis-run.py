"""Runs the schemathesis CLI with `ast.parse` serialised across threads.

CPython before 3.12 keeps the AST converter's recursion depth in state shared by all threads
(python/cpython#106905). With `--workers 2`, two threads of Hypothesis describing lambdas parse
source at the same time and one of them sometimes gets `SystemError: AST constructor recursion
depth mismatch`, which schemathesis reports as a runtime error of the run although every request
was answered as documented. A lock around `ast.parse` takes that race away; parsing is a tiny
part of a run, so nothing is measurably slower.
"""

import ast
import sys
import threading

_parse = ast.parse
_lock = threading.Lock()


def _serialised_parse(*args, **kwargs):
    with _lock:
        return _parse(*args, **kwargs)


ast.parse = _serialised_parse

from schemathesis.cli import schemathesis  # noqa: E402  (after the patch, on purpose)

if __name__ == "__main__":
    sys.argv[0] = "schemathesis"
    sys.exit(schemathesis())
