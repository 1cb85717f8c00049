#!/usr/bin/env bash
# Runs Pixerve on this machine: Azurite (storage emulator), one silo, and the gateway on :8080.
# Secrets are generated once into .data/dev-secrets.env and printed. Ctrl-C stops everything.
#   ./run.sh --postgres   (or PIXERVE_CLUSTER_PROVIDER=postgres) keeps the cluster's membership, grain state and
#                         reminders in a PostgreSQL of its own, started from Debian's binaries in .data/postgres,
#                         and stages uploads in an S3 bucket on s3rver (.data/s3rver): no storage account at all.
set -euo pipefail
cd "$(dirname "$0")"
root=$PWD
provider=${PIXERVE_CLUSTER_PROVIDER:-azure}
for arg in "$@"; do
  case $arg in
    --postgres) provider=postgres ;;
    *) echo "usage: $0 [--postgres]" >&2; exit 2 ;;
  esac
done
case $provider in
  azure | postgres) ;;
  *) echo "PIXERVE_CLUSTER_PROVIDER must be azure or postgres here, not '$provider'" >&2; exit 2 ;;
esac
export PIXERVE_DATA_DIR=${PIXERVE_DATA_DIR:-$root/.data}
mkdir -p "$PIXERVE_DATA_DIR"
logs=$PIXERVE_DATA_DIR/logs
mkdir -p "$logs"

secrets=$PIXERVE_DATA_DIR/dev-secrets.env
if [ ! -f "$secrets" ]; then
  (umask 077
   random() { node -e 'console.log(require("crypto").randomBytes(32).toString("base64url"))'; }
   printf 'PIXERVE_JWT_SECRET=%s\nPIXERVE_ADMIN_TOKEN=%s\n' "$(random)" "$(random)" > "$secrets")
fi
# Webhooks sign with a key of their own (a secrets file from before it existed gets one added).
grep -q '^PIXERVE_WEBHOOK_SECRET=' "$secrets" ||
  printf 'PIXERVE_WEBHOOK_SECRET=%s\n' "$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64url"))')" >> "$secrets"
# Variables already in the environment win over the generated ones.
while IFS='=' read -r key value; do
  [ -n "${!key:-}" ] || export "$key=$value"
done < "$secrets"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for_port() { # port, name, pid
  for _ in $(seq 1 120); do
    port_open "$1" && return 0
    kill -0 "$3" 2>/dev/null || { echo "$2 exited; see $logs/$2.log" >&2; tail -20 "$logs/$2.log" >&2; return 1; }
    sleep 0.5
  done
  echo "$2 did not open port $1 in 60 s; see $logs/$2.log" >&2
  return 1
}

pids=()
stop_all() {
  trap - EXIT INT TERM
  for ((i=${#pids[@]}-1; i>=0; i--)); do
    pid=${pids[i]}
    kill -TERM "$pid" 2>/dev/null || continue
    # Azurite may ignore SIGTERM: give everyone a grace period, then SIGKILL.
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}
trap stop_all EXIT INT TERM

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# PostgreSQL from Debian's binaries (apt-get install postgresql), its data in $PIXERVE_DATA_DIR/postgres: created on
# the first run with a generated password, on a free loopback port each run, stopped with the rest. It refuses to run
# as root, so as root it runs as the postgres user Debian's package creates.
start_postgres() {
  local initdb bin data as_owner=()
  initdb=$(compgen -G "/usr/lib/postgresql/*/bin/initdb" | sort -V | tail -1 || true)
  [ -n "$initdb" ] || { echo "--postgres needs PostgreSQL's server binaries: apt-get install postgresql" >&2; exit 1; }
  bin=$(dirname "$initdb")
  data=$PIXERVE_DATA_DIR/postgres
  grep -q '^PIXERVE_POSTGRES_PASSWORD=' "$secrets" ||
    printf 'PIXERVE_POSTGRES_PASSWORD=%s\n' "$(node -e 'console.log(require("crypto").randomBytes(24).toString("base64url"))')" >> "$secrets"
  PIXERVE_POSTGRES_PASSWORD=$(sed -n 's/^PIXERVE_POSTGRES_PASSWORD=//p' "$secrets")
  if [ "$(id -u)" -eq 0 ]; then
    as_owner=(setpriv --reuid=postgres --regid=postgres --init-groups)
    mkdir -p "$data"
    chown postgres: "$data"
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    echo "Creating a PostgreSQL cluster in $data…"
    local pwfile
    pwfile=$(mktemp)
    printf '%s\n' "$PIXERVE_POSTGRES_PASSWORD" > "$pwfile"
    [ ${#as_owner[@]} -eq 0 ] || chown postgres: "$pwfile"
    "${as_owner[@]}" "$bin/initdb" -D "$data" -U pixerve --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 -E UTF8 \
      > "$logs/postgres-init.log" 2>&1 || { rm -f "$pwfile"; echo "initdb failed; see $logs/postgres-init.log" >&2; exit 1; }
    rm -f "$pwfile"
  fi
  postgres_port=$(free_port)
  echo "Starting PostgreSQL on 127.0.0.1:$postgres_port (data in $data)…"
  "${as_owner[@]}" "$bin/postgres" -D "$data" -p "$postgres_port" -k "$data" -c listen_addresses=127.0.0.1 > "$logs/postgres.log" 2>&1 &
  pids+=($!)
  wait_for_port "$postgres_port" postgres "$!"
  for _ in $(seq 1 40); do "$bin/pg_isready" -q -h 127.0.0.1 -p "$postgres_port" && break; sleep 0.25; done
  PGPASSWORD=$PIXERVE_POSTGRES_PASSWORD "$bin/psql" -q -h 127.0.0.1 -p "$postgres_port" -U pixerve -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'pixerve'" | grep -q 1 ||
    PGPASSWORD=$PIXERVE_POSTGRES_PASSWORD "$bin/psql" -q -h 127.0.0.1 -p "$postgres_port" -U pixerve -d postgres -c "CREATE DATABASE pixerve"
  export Pixerve__Cluster__Provider=postgres
  export Pixerve__Cluster__Postgres__ConnectionString="Host=127.0.0.1;Port=$postgres_port;Database=pixerve;Username=pixerve;Password=$PIXERVE_POSTGRES_PASSWORD"
}

# The S3 API of s3rver (the npm package the tests use, installed into tests/servers on first use), data in
# $PIXERVE_DATA_DIR/s3rver, one bucket: staging as a deployment on AWS has it.
start_s3rver() {
  local s3rver=$root/tests/servers/node_modules/.bin/s3rver
  if [ ! -x "$s3rver" ]; then
    echo "Installing s3rver (tests/servers, first use)…"
    npm ci --prefix "$root/tests/servers" --silent --no-audit --no-fund > "$logs/s3rver-install.log" 2>&1 ||
      { echo "npm ci in tests/servers failed; see $logs/s3rver-install.log" >&2; exit 1; }
  fi
  mkdir -p "$PIXERVE_DATA_DIR/s3rver"
  s3_port=$(free_port)
  echo "Starting s3rver on 127.0.0.1:$s3_port (staging bucket pixerve-staging, data in $PIXERVE_DATA_DIR/s3rver)…"
  "$s3rver" --directory "$PIXERVE_DATA_DIR/s3rver" --address 127.0.0.1 --port "$s3_port" --silent --no-vhost-buckets \
    --configure-bucket pixerve-staging > "$logs/s3rver.log" 2>&1 &
  pids+=($!)
  wait_for_port "$s3_port" s3rver "$!"
  export Pixerve__Staging__Provider=s3
  export Pixerve__Staging__S3__Bucket=pixerve-staging
  export Pixerve__Staging__S3__ServiceUrl="http://127.0.0.1:$s3_port"
  export Pixerve__Staging__S3__ForcePathStyle=true
  # s3rver's fixed development credentials.
  export Pixerve__Staging__S3__AccessKeyId=S3RVER
  export Pixerve__Staging__S3__SecretAccessKey=S3RVER
}

echo "Building…"
dotnet build src/Pixerve.Silo/Pixerve.Silo.csproj -c Release -v quiet -nologo
dotnet build src/Pixerve.Gateway/Pixerve.Gateway.csproj -c Release -v quiet -nologo

if [ "$provider" = postgres ]; then
  start_postgres
  start_s3rver
elif port_open 10000; then
  echo "Using the Azure Storage emulator already listening on 127.0.0.1:10000"
else
  echo "Starting Azurite (data in $PIXERVE_DATA_DIR/azurite)…"
  Azurite/start.sh > "$logs/azurite.log" 2>&1 &
  pids+=($!)
  wait_for_port 10000 azurite "$!"
  wait_for_port 10002 azurite "$!"
fi

for port in 11111 30000 8080; do
  if port_open "$port"; then
    echo "Port $port is already in use (another Pixerve still running?); stop it first." >&2
    exit 1
  fi
done

echo "Starting the silo…"
# glibc's malloc arenas capped at 2, as the container image does: a third less memory (docs/operations.md, "Memory").
MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" dotnet src/Pixerve.Silo/bin/Release/net10.0/Pixerve.Silo.dll > "$logs/silo.log" 2>&1 &
pids+=($!)
wait_for_port 30000 silo "$!"

# The demo job token, minted before the gateway starts: its upload page (GET /) starts with it filled in.
token=$(node scripts/mint-token.mjs '' 720)

echo "Starting the gateway…"
Pixerve__Gateway__UploadPage=true Pixerve__Gateway__UploadPageDemoToken="$token" \
  dotnet src/Pixerve.Gateway/bin/Release/net10.0/Pixerve.Gateway.dll > "$logs/gateway.log" 2>&1 &
gateway=$!
pids+=("$gateway")
wait_for_port 8080 gateway "$gateway"

cat <<INFO

Pixerve is running: http://localhost:8080   (logs in $logs; cluster store: $provider, staging: ${Pixerve__Staging__Provider:-azure-blob})
  PIXERVE_JWT_SECRET=$PIXERVE_JWT_SECRET
  PIXERVE_ADMIN_TOKEN=$PIXERVE_ADMIN_TOKEN
  PIXERVE_WEBHOOK_SECRET=$PIXERVE_WEBHOOK_SECRET   (webhooks are signed the Standard Webhooks way with it)

Upload page: http://localhost:8080/   (drop photos; the demo token below is filled in)

A job token (jpg + webp at 1600 and 400 px, served from /files/demo/), valid 12 hours:
  TOKEN=$token

Try it:
  curl -s -H "Authorization: Bearer \$TOKEN" -F file=@photo.jpg http://localhost:8080/upload
  curl -s -H "Authorization: Bearer \$TOKEN" "http://localhost:8080/status?hash=<hash>"
  curl -sO http://localhost:8080/files/demo/<one of expected_files>
Other jobs: PIXERVE_JWT_SECRET=… node scripts/mint-token.mjs '<job JSON>' [minutes]
Jobs page http://localhost:8080/admin and Orleans Dashboard http://localhost:8080/dashboard/
  (sign in with any user name and the admin token as the password)
Ctrl-C stops Pixerve.
INFO
wait "$gateway"
