#!/usr/bin/python3
"""Run unittest modules as one `make check` suite.

    run_suite.py SUITE MODULE... : prints "N passed, M failed (K skipped)",
    writes $(CHECKDIR)/SUITE.result through scripts/record-result.sh and exits
    non-zero if anything failed.
"""

import os
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))


class CountingResult(unittest.TextTestResult):
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.passed = 0

    def addSuccess(self, test):
        super().addSuccess(test)
        self.passed += 1


def main():
    if len(sys.argv) < 3:
        print("usage: run_suite.py SUITE MODULE...", file=sys.stderr)
        return 2
    suite_name, modules = sys.argv[1], sys.argv[2:]
    sys.path.insert(0, HERE)
    t0 = time.time()
    suite = unittest.defaultTestLoader.loadTestsFromNames(modules)
    runner = unittest.TextTestRunner(verbosity=2, resultclass=CountingResult, stream=sys.stdout)
    res = runner.run(suite)
    failed = len(res.failures) + len(res.errors) + len(res.unexpectedSuccesses)
    skipped = len(res.skipped)
    subprocess.run(["sh", os.path.join(TOP, "scripts", "record-result.sh"), suite_name,
                    str(res.passed), str(failed), str(skipped)], check=True, cwd=TOP)
    print("%s: %d passed, %d failed (%d skipped) in %.1fs"
          % (suite_name, res.passed, failed, skipped, time.time() - t0))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
