#!/bin/sh
# The image's entrypoint: `silo` (the default) or `gateway`, then that process's own arguments.
# exec, so the process is PID 1 and gets the orchestrator's SIGTERM itself (a silo then hands back its work).
set -eu
app=${PIXERVE_APP_DIR:-/app}
role=${1:-silo}
[ $# -gt 0 ] && shift
case "$role" in
  silo) exec dotnet "$app/silo/Pixerve.Silo.dll" "$@" ;;
  gateway) exec dotnet "$app/gateway/Pixerve.Gateway.dll" "$@" ;;
  *) echo "usage: entrypoint.sh silo|gateway [arguments]" >&2; exit 64 ;;
esac
