#!/usr/bin/env bash
# Tests the four client libraries (typescript, python, go, java) against one real Pixerve: Azurite, one silo and
# the gateway, started here on free loopback ports and stopped on exit. Usage: clients/test.sh [--no-build] [language…]
# (--no-build: the silo and the gateway are already built, as ./test.sh does before it calls this).
# Prints 'client <language>: N passed, N failed (T s)' per client and a closing 'clients: N passed, N failed'; a
# client that passed fewer tests than the minimum named below fails, so a suite that found nothing to run is no pass.
set -euo pipefail
cd "$(dirname "$0")/.."
export MSBUILDDISABLENODEREUSE=1 # no MSBuild node outlives the run holding a caller's lock or pipe
root=$PWD
build=1
[ "${1:-}" != --no-build ] || { build=0; shift; }
languages=("$@"); [ ${#languages[@]} -gt 0 ] || languages=(typescript python go java)
# At least this many tests pass per client (the count when each was last changed): fewer means tests went missing,
# e.g. a test file that no longer matches its runner's pattern.
declare -A minimum=([typescript]=38 [python]=32 [go]=26 [java]=24)
started=$SECONDS
work=$(mktemp -d /tmp/pixerve-clients-XXXXXX)
pids=()
stop_all() {
  # Everything has been reported by now: bash's notes on the servers it kills ("Killed") would only be noise.
  exec 2>/dev/null
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill -KILL "${pids[i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for() { # description, pid, log, command…
  local what=$1 pid=$2 log=$3; shift 3
  for _ in $(seq 1 240); do
    "$@" && return 0
    kill -0 "$pid" 2>/dev/null || { echo "$what exited:" >&2; tail -30 "$log" >&2; return 1; }
    sleep 0.25
  done
  echo "$what did not come up in 60 s:" >&2; tail -30 "$log" >&2; return 1
}

[ -x Azurite/node_modules/.bin/azurite ] || npm ci --prefix Azurite --no-audit --no-fund --loglevel=error
# The TypeScript client's tus-js-client, and esbuild and tsc for its browser-bundle test.
if [[ " ${languages[*]} " == *" typescript "* ]] && ! [ -x clients/typescript/node_modules/.bin/esbuild ]; then
  npm ci --prefix clients/typescript --no-audit --no-fund --loglevel=error
fi
if [ "$build" = 1 ]; then
  dotnet build src/Pixerve.Silo/Pixerve.Silo.csproj -v quiet -nologo >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
  dotnet build src/Pixerve.Gateway/Pixerve.Gateway.csproj -v quiet -nologo >>"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
fi

blob=$(free_port); queue=$(free_port); table=$(free_port)
Azurite/node_modules/.bin/azurite --inMemoryPersistence --skipApiVersionCheck --disableProductStyleUrl --silent \
  --blobHost 127.0.0.1 --blobPort "$blob" --queueHost 127.0.0.1 --queuePort "$queue" --tableHost 127.0.0.1 --tablePort "$table" \
  >"$work/azurite.log" 2>&1 &
pids+=($!)
wait_for Azurite "$!" "$work/azurite.log" port_open "$blob"
wait_for Azurite "$!" "$work/azurite.log" port_open "$table"

secret=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')
serve=$work/serve; mkdir -p "$serve"
common=(
  "Pixerve__Storage__ConnectionString=DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$blob/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table/devstoreaccount1;"
  "Pixerve__ServeDir=$serve" "Pixerve__Cluster__Mode=azure" "Pixerve__Cluster__Id=clients-$$"
  "Pixerve__Jobs__Concurrency=1" "Logging__LogLevel__Default=Warning"
)
# Nothing from the developer's own PIXERVE_* environment (run.sh's secrets, ports) leaks into these processes.
clean_env=(env $(env | sed -n 's/^\(PIXERVE_[A-Za-z0-9_]*\)=.*/-u \1/p'))
silo_port=$(free_port); silo_gateway_port=$(free_port)
"${clean_env[@]}" "${common[@]}" Pixerve__Silo__Port="$silo_port" Pixerve__Silo__GatewayPort="$silo_gateway_port" \
  Pixerve__Webhooks__Secret="$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')" \
  dotnet src/Pixerve.Silo/bin/Debug/net10.0/Pixerve.Silo.dll >"$work/silo.log" 2>&1 &
pids+=($!)
wait_for silo "$!" "$work/silo.log" port_open "$silo_gateway_port"

# A second Pixerve whose silo is paused (Pixerve:Jobs:Paused): every job it takes stays pending, so the clients' wait
# timeouts are tested against a real job that never becomes final. Its own cluster, in a Redis with uploads staged in
# a folder, so nothing it holds meets the first one's jobs.
redis_port=$(free_port); mkdir -p "$work/redis" "$work/held-staging" "$work/held-serve"
/usr/bin/redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$work/redis" --save '' --appendonly no >"$work/redis.log" 2>&1 &
pids+=($!)
wait_for redis "$!" "$work/redis.log" port_open "$redis_port"
held=(
  "Pixerve__Cluster__Provider=redis" "Pixerve__Cluster__Redis__ConnectionString=127.0.0.1:$redis_port"
  "Pixerve__Staging__Provider=filesystem" "Pixerve__Staging__Filesystem__Root=$work/held-staging"
  "Pixerve__ServeDir=$work/held-serve" "Pixerve__Cluster__Mode=azure" "Pixerve__Cluster__Id=held-$$"
  "Pixerve__Cluster__ClientKey=held-cluster-client-key-$$" "Logging__LogLevel__Default=Warning"
)
held_silo_port=$(free_port); held_silo_gateway_port=$(free_port)
"${clean_env[@]}" "${held[@]}" Pixerve__Jobs__Paused=true Pixerve__Silo__Port="$held_silo_port" Pixerve__Silo__GatewayPort="$held_silo_gateway_port" \
  Pixerve__Webhooks__Secret="$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')" \
  dotnet src/Pixerve.Silo/bin/Debug/net10.0/Pixerve.Silo.dll >"$work/held-silo.log" 2>&1 &
pids+=($!)
held_silo_pid=$!

http_port=$(free_port)
# Each client refuses a bad token 40 times in a row (16 MB and 700 KB, 20 each): with every suite on one address
# within a minute, the per-IP upload limit (300 a minute) would answer 429 before the token is looked at.
"${clean_env[@]}" "${common[@]}" Pixerve__Jwt__Secret="$secret" Pixerve__RateLimits__UploadsPerMinutePerIp=0 \
  dotnet src/Pixerve.Gateway/bin/Debug/net10.0/Pixerve.Gateway.dll --urls="http://127.0.0.1:$http_port" >"$work/gateway.log" 2>&1 &
pids+=($!)
# GET /health answers 200, asked over bash's /dev/tcp (no curl on a minimal machine).
healthy() { # [port]
  (exec 3<>"/dev/tcp/127.0.0.1/${1:-$http_port}" &&
   printf 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3 &&
   IFS= read -r -t 5 line <&3 && [[ $line == "HTTP/1.1 200 "* ]]) 2>/dev/null
}
wait_for gateway "$!" "$work/gateway.log" healthy
echo "Pixerve up on http://127.0.0.1:$http_port in $((SECONDS - started)) s"

wait_for "held silo" "$held_silo_pid" "$work/held-silo.log" port_open "$held_silo_gateway_port"
held_http_port=$(free_port)
"${clean_env[@]}" "${held[@]}" Pixerve__Jwt__Secret="$secret" Pixerve__RateLimits__UploadsPerMinutePerIp=0 \
  dotnet src/Pixerve.Gateway/bin/Debug/net10.0/Pixerve.Gateway.dll --urls="http://127.0.0.1:$held_http_port" >"$work/held-gateway.log" 2>&1 &
pids+=($!)
wait_for "held gateway" "$!" "$work/held-gateway.log" healthy "$held_http_port"
echo "Paused Pixerve up on http://127.0.0.1:$held_http_port in $((SECONDS - started)) s"

# PIXERVE_HELD_URL: the same job tokens work there, and its jobs stay pending.
export PIXERVE_URL="http://127.0.0.1:$http_port" PIXERVE_HELD_URL="http://127.0.0.1:$held_http_port" PIXERVE_JWT_SECRET="$secret"
export PIXERVE_TEST_IMAGE="$root/tests/data/images/photo-1920x1280-canon.jpg"
total_passed=0 total_failed=0 status=0
for language in "${languages[@]}"; do
  log=$work/$language.log
  client_started=$SECONDS
  rc=0
  case $language in
    # tsc --strict compiles src/ to dist/ first: a type error fails the client before any test runs.
    typescript) (cd clients/typescript && node_modules/.bin/tsc -p . && node --test test/) >"$log" 2>&1 || rc=$?
                passed=$(sed -n 's/^# pass \([0-9]*\)/\1/p' "$log"); failed=$(sed -n 's/^# fail \([0-9]*\)/\1/p' "$log") ;;
    # Every ResourceWarning is shown (-W always) and fails the run: a file or socket the client left open.
    python) (cd clients/python && python3 -W always::ResourceWarning -m unittest discover -v -s tests -t .) >"$log" 2>&1 || rc=$?
            ! grep -n ResourceWarning "$log" || rc=1
            ran=$(sed -n 's/^Ran \([0-9]*\) tests\{0,1\} in.*/\1/p' "$log")
            failed=$(( $(grep -cE '^(FAIL|ERROR): ' "$log" || true) ))
            passed=$(( ${ran:-0} - failed - $(grep -cE ' \.\.\. skipped' "$log" || true) )) ;;
    go) (cd clients/go && GOFLAGS=-mod=mod GOCACHE=${GOCACHE:-/tmp/pixerve-go-cache} go test -count=1 -v ./...) >"$log" 2>&1 || rc=$?
        passed=$(grep -c -- '^--- PASS' "$log" || true); failed=$(grep -c -- '^--- FAIL' "$log" || true) ;;
    java) clients/java/test.sh >"$log" 2>&1 || rc=$?
          passed=$(sed -n 's/^java tests: \([0-9]*\) passed.*/\1/p' "$log"); failed=$(sed -n 's/^java tests: [0-9]* passed, \([0-9]*\) failed/\1/p' "$log") ;;
    *) echo "unknown client $language" >&2; exit 2 ;;
  esac
  passed=${passed:-0}; failed=${failed:-0}
  if [ "$rc" -eq 0 ] && [ "$passed" -lt "${minimum[$language]}" ]; then
    echo "client $language: $passed passed, fewer than the ${minimum[$language]} expected: tests went missing or were skipped"
    rc=1
  fi
  if [ "$rc" -ne 0 ]; then
    status=1; [ "$failed" -gt 0 ] || failed=1
    echo "---- $language output:"; tail -60 "$log"
  fi
  echo "client $language: $passed passed, $failed failed ($((SECONDS - client_started)) s)"
  total_passed=$((total_passed + passed)); total_failed=$((total_failed + failed))
done
if [ "$status" -ne 0 ]; then echo "---- gateway log:"; tail -20 "$work/gateway.log"; echo "---- silo log:"; tail -20 "$work/silo.log"; fi
echo "clients: $total_passed passed, $total_failed failed in $((SECONDS - started)) s"
exit "$status"
