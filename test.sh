#!/usr/bin/env bash
# Runs every test against real servers (the tests start Azurite themselves). Arguments go to each `dotnet test`
# (e.g. --filter "FullyQualifiedName~Upload").
set -euo pipefail
cd "$(dirname "$0")"
# No MSBuild node outlives the run: a reused node inherits open files (a caller's lock, a pipe) and holds them.
export MSBUILDDISABLENODEREUSE=1
scripts/install-test-deps.sh

# One build of everything; each test project below and clients/test.sh then run what it made. Building the gateway
# also regenerates openapi/pixerve.v1.json (checked below).
build_started=$SECONDS
if ! dotnet build Pixerve.sln -m:1 -v quiet -nologo; then
  echo "tests: 0 passed, 1 failed (the build failed)"
  exit 1
fi
echo "build took $((SECONDS - build_started)) s"

# The test projects, the longest first, so a run that is cut short has done the slow part; a project not named here
# runs after them. One at a time: the process-cluster tests need the machine to themselves (a job must still be
# running when a silo is killed), and two at once were slower on 2 cores (Grains beside Imaging: 258 s, against
# 199 s one after the other). Seconds each, alone: EndToEnd 563, Grains 167, Gateway 114, AppHost 82,
# Imaging 32, Storage 4.
order=(EndToEnd Grains Gateway AppHost Imaging Storage)
projects=()
for name in "${order[@]}"; do [ -f "tests/Pixerve.$name.Tests/Pixerve.$name.Tests.csproj" ] && projects+=("tests/Pixerve.$name.Tests/Pixerve.$name.Tests.csproj"); done
for project in tests/*.Tests/*.Tests.csproj; do
  [[ " ${projects[*]} " == *" $project "* ]] || projects+=("$project")
done

results=$(mktemp -d)
status=0
for project in "${projects[@]}"; do
  name=$(basename "$project" .csproj)
  project_started=$SECONDS
  dotnet test "$project" --no-build --logger "trx;LogFilePrefix=$name" --logger "console;verbosity=normal" \
    --blame-hang-timeout 10m --results-directory "$results" "$@" || status=$?
  echo "$name took $((SECONDS - project_started)) s"
done

# The checked-in contract must be the one the gateway serves: building the gateway regenerates it in place, so a
# change of the API that was not committed with its document shows here.
contract_failed=0
if git rev-parse --is-inside-work-tree >/dev/null 2>&1 && ! git diff --quiet -- openapi/pixerve.v1.json; then
  echo "openapi/pixerve.v1.json differs from what the gateway serves now: commit the regenerated document"
  contract_failed=1 status=1
fi

# The TypeScript, Python, Go and Java clients against one real gateway (clients/test.sh), on the silo and gateway
# built above. Left out when arguments narrow the .NET run (e.g. --filter) unless PIXERVE_CLIENT_TESTS=1;
# PIXERVE_CLIENT_TESTS=0 always leaves them out.
client_passed=0 client_failed=0
if [ "${PIXERVE_CLIENT_TESTS:-$([ $# -eq 0 ] && echo 1 || echo 0)}" = 1 ]; then
  client_log=$(mktemp)
  clients/test.sh --no-build 2>&1 | tee "$client_log" || status=1
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
# The failed tests' names again at the end, where a reader of a long log (or of its tail) looks first.
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  grep -o '<UnitTestResult [^>]*outcome="Failed"[^>]*>' "$trx" | sed -n 's/.* testName="\([^"]*\)".*/failed: \1/p' || true
done
echo "tests: $((passed + ${client_passed:-0})) passed, $((failed + ${client_failed:-0} + contract_failed)) failed"
rm -rf "$results"
exit "$status"
