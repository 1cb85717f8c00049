#!/usr/bin/env bash
# Runs every test against real servers (the tests start Azurite themselves).
set -euo pipefail
cd "$(dirname "$0")"
# No MSBuild node outlives the run: a reused node inherits open files (a caller's lock, a pipe) and holds them.
export MSBUILDDISABLENODEREUSE=1
scripts/install-test-deps.sh

results=$(mktemp -d)
status=0
dotnet test Pixerve.sln --logger "trx;LogFilePrefix=results" --logger "console;verbosity=normal" --blame-hang-timeout 10m -m:1 \
  --results-directory "$results" "$@" || status=$?

# The checked-in contract must be the one the gateway serves: building the gateway regenerates it in place, so a
# change of the API that was not committed with its document shows here.
contract_failed=0
if git rev-parse --is-inside-work-tree >/dev/null 2>&1 && ! git diff --quiet -- openapi/pixerve.v1.json; then
  echo "openapi/pixerve.v1.json differs from what the gateway serves now: commit the regenerated document"
  contract_failed=1 status=1
fi

# The TypeScript, Python, Go and Java clients against one real gateway (clients/test.sh). Left out when arguments
# narrow the .NET run (e.g. --filter) unless PIXERVE_CLIENT_TESTS=1; PIXERVE_CLIENT_TESTS=0 always leaves them out.
client_passed=0 client_failed=0
if [ "${PIXERVE_CLIENT_TESTS:-$([ $# -eq 0 ] && echo 1 || echo 0)}" = 1 ]; then
  client_log=$(mktemp)
  clients/test.sh 2>&1 | tee "$client_log" || status=1
  summary=$(grep '^clients: ' "$client_log" | tail -1 || true)
  client_passed=$(sed -n 's/^clients: \([0-9]*\) passed.*/\1/p' <<<"$summary")
  client_failed=$(sed -n 's/^clients: [0-9]* passed, \([0-9]*\) failed.*/\1/p' <<<"$summary")
  [ -n "$summary" ] || client_failed=1
  rm -f "$client_log"
fi

# One closing line in the plain 'N passed, N failed' form, whatever the runner printed above.
passed=0 failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" || true)
  passed=$((passed + $(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")))
  failed=$((failed + $(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")))
done
echo "tests: $((passed + ${client_passed:-0})) passed, $((failed + ${client_failed:-0} + contract_failed)) failed"
rm -rf "$results"
exit "$status"
