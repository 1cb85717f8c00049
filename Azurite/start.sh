#!/usr/bin/env bash
# Runs the Azure Storage emulator on loopback for Pixerve.
# Data lives under ${PIXERVE_DATA_DIR:-<repo>/.data}/azurite; ports default to Azurite's own.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data_dir=${PIXERVE_DATA_DIR:-$here/../.data}/azurite
mkdir -p "$data_dir"
[ -x "$here/node_modules/.bin/azurite" ] || npm ci --prefix "$here" --no-audit --no-fund --loglevel=error
# --skipApiVersionCheck: the Azure SDK clients speak a newer API version than this emulator.
exec "$here/node_modules/.bin/azurite" --silent --skipApiVersionCheck --disableProductStyleUrl \
  --blobHost 127.0.0.1 --blobPort "${AZURITE_BLOB_PORT:-10000}" \
  --queueHost 127.0.0.1 --queuePort "${AZURITE_QUEUE_PORT:-10001}" \
  --tableHost 127.0.0.1 --tablePort "${AZURITE_TABLE_PORT:-10002}" \
  --location "$data_dir" "$@"
