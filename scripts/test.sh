#!/usr/bin/env bash
# The whole test suite, as README's second command runs it: installs the real peers the tests
# drive (sipp, redis-server, kamailio) when missing, then runs vitest once and prints the totals
# as a plain "N passed, N failed" line taken from vitest's JSON report.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-deps.sh || { echo "install-test-deps failed" >&2; exit 1; }

mkdir -p .test-results
report=.test-results/vitest.json
rm -f "$report"
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
status=$?

if [ -f "$report" ]; then
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const failedFiles = r.testResults.filter((f) => f.status === "failed" && f.assertionResults.length === 0).length;
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests + failedFiles} failed`);
  ' "$report"
else
  echo "0 passed, 1 failed"
  [ "$status" -eq 0 ] && status=1
fi
exit "$status"
