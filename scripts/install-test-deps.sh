#!/usr/bin/env bash
# Installs what ./test.sh needs beyond the .NET SDK and Node.js, on Debian: apt packages only when one is missing
# (nothing is asked of apt when all are there), and each npm directory's packages only when they are not installed.
# Called by ./test.sh and .ci/run. As root it runs apt-get itself, otherwise through sudo when there is one; without
# either it names the missing packages and the command to run, and fails.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

# libheif is looked for as a file: ldconfig lives in /usr/sbin, off a non-root PATH, and asking it would make
# libheif1 look missing (and apt run) on every call.
has_library() {
  local dir
  for dir in /usr/lib/*-linux-gnu /lib/*-linux-gnu /usr/lib64 /usr/lib /usr/local/lib; do
    [ -e "$dir/$1" ] && return 0
  done
  return 1
}

packages=()
# The SFTP tests start a real sshd of their own.
[ -x /usr/sbin/sshd ] || packages+=(openssh-server openssh-client)
# The jobs page test drives a headless Chromium (~110 MB to download: the slow part of a fresh install).
[ -x /usr/bin/chromium ] || packages+=(chromium fonts-dejavu-core)
# The client libraries' toolchains (clients/test.sh): Go, a JDK (17+) and Python 3 (it also picks free ports).
command -v go >/dev/null || packages+=(golang-go)
command -v javac >/dev/null || packages+=(default-jdk-headless)
command -v python3 >/dev/null || packages+=(python3)
# The Python client's install test makes a venv: Debian keeps ensurepip (pip for a new venv) in python3-venv.
python3 -c 'import ensurepip' 2>/dev/null || packages+=(python3-venv)
# Debian's nodejs comes without npm; the emulator and the test servers are npm packages.
command -v npm >/dev/null || packages+=(npm)
# The cluster providers' tests start their own PostgreSQL and Redis servers from Debian's binaries.
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || packages+=(postgresql)
command -v redis-server >/dev/null || packages+=(redis-server)
# HEIC input: the silo decodes HEVC through the system's libheif (with libde265); the bundled libvips has AV1 only.
has_library libheif.so.1 || packages+=(libheif1)

if [ ${#packages[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null; then
    as_root=(sudo)
  else
    echo "missing Debian packages: ${packages[*]}" >&2
    echo "install them as root, then run this again:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends ${packages[*]}" >&2
    exit 1
  fi
  apt_started=$SECONDS
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  echo "apt-get install ${packages[*]} took $((SECONDS - apt_started)) s"
fi

# The storage emulator; the storage tests' S3 server and the tus client the resumable-upload tests drive; the
# reference ThumbHash and BlurHash encoders the .NET ports are checked against; the TypeScript client's tus-js-client
# (with esbuild and tsc for its browser-bundle test). Each directory's lock file pins its packages.
npm_ci() { npm ci --prefix "$1" --no-audit --no-fund --loglevel=error; }
[ -x Azurite/node_modules/.bin/azurite ] || npm_ci Azurite
[ -x tests/servers/node_modules/.bin/s3rver ] && [ -d tests/servers/node_modules/tus-js-client ] || npm_ci tests/servers
[ -d tests/placeholders-reference/node_modules/thumbhash ] || npm_ci tests/placeholders-reference
[ -d clients/typescript/node_modules/tus-js-client ] && [ -x clients/typescript/node_modules/.bin/esbuild ] || npm_ci clients/typescript
echo "test dependencies ready in $((SECONDS - started)) s"
