#!/usr/bin/env bash
# Runs every test against real servers (the tests start Azurite themselves).
set -euo pipefail
cd "$(dirname "$0")"
[ -x Azurite/node_modules/.bin/azurite ] || npm ci --prefix Azurite --no-audit --no-fund --loglevel=error
# Debian packages the tests use: the SFTP tests start a real sshd of their own (openssh-server); the jobs
# page test drives a headless Chromium (chromium, ~110 MB to download: the slow part of a fresh install).
packages=()
[ -x /usr/sbin/sshd ] || packages+=(openssh-server openssh-client)
[ -x /usr/bin/chromium ] || packages+=(chromium fonts-dejavu-core)
if [ ${#packages[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  apt_started=$SECONDS
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  echo "apt-get install ${packages[*]} took $((SECONDS - apt_started)) s"
fi
# The storage tests' S3 server.
[ -x tests/servers/node_modules/.bin/s3rver ] || npm ci --prefix tests/servers --no-audit --no-fund --loglevel=error

results=$(mktemp -d)
status=0
dotnet test Pixerve.sln --logger "trx;LogFilePrefix=results" --logger "console;verbosity=normal" --blame-hang-timeout 10m -m:1 \
  --results-directory "$results" "$@" || status=$?

# One closing line in the plain 'N passed, N failed' form, whatever the runner printed above.
passed=0 failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" || true)
  passed=$((passed + $(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")))
  failed=$((failed + $(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")))
done
echo "tests: $passed passed, $failed failed"
rm -rf "$results"
exit "$status"
