"""Compares a peer-suite run with the tests eddy is known to pass.

    python3 scripts/peer_check.py JUNIT_XML EXPECTED_PASS_FILE

EXPECTED_PASS_FILE lists one pytest node id per line (`#` comments allowed):
the tests of ../shared/peer-suite that eddy's backend passes today. Exits 1
if any of them did not pass in this run (a regression: each is named with
its first failure line), 0 otherwise. Tests that pass but are not listed are
named too, so the list can be raised.
"""

import sys
import xml.etree.ElementTree as ET

junit, expected_file = sys.argv[1], sys.argv[2]
expected = []
with open(expected_file, encoding="utf-8") as f:
    for line in f:
        line = line.strip()
        if line and not line.startswith("#"):
            expected.append(line)

status, why = {}, {}
for tc in ET.parse(junit).iter("testcase"):
    # classname "tests.aws.services.sqs.test_sqs.TestSqsProvider", name "test_x[sqs]"
    parts = tc.get("classname", "").split(".")
    path, rest = [], []
    for i, p in enumerate(parts):
        path.append(p)
        if p.startswith("test_"):
            rest = parts[i + 1 :]
            break
    node = "/".join(path) + ".py::" + "::".join(rest + [tc.get("name", "")])
    # A test can appear twice (an error in its teardown): a failure wins, then a skip.
    bad = tc.find("failure") if tc.find("failure") is not None else tc.find("error")
    if bad is not None:
        status[node] = "failed"
        why[node] = (bad.get("message") or "").strip().splitlines()[:1]
    elif tc.find("skipped") is not None:
        if status.get(node) != "failed":
            status[node] = "skipped"
    elif node not in status:
        status[node] = "passed"

passed = sum(1 for s in status.values() if s == "passed")
print(f"peer check: {passed} passed of {len(status)} run; {len(expected)} expected to pass")
regressions = [t for t in expected if status.get(t) != "passed"]
for t in regressions:
    s = status.get(t, "not run")
    print(f"REGRESSION {t}: {s} {' '.join(why.get(t, []))[:300]}")
new = sorted(t for t, s in status.items() if s == "passed" and t not in set(expected))
for t in new:
    print(f"newly passing (add it to {expected_file}): {t}")
if regressions:
    print(f"peer check: {len(regressions)} test(s) eddy passed before fail now", file=sys.stderr)
    sys.exit(1)
