#!/usr/bin/env bash
# Publishes the silo and the gateway the way the image carries them: OUT/silo and OUT/gateway, framework-dependent,
# for one runtime identifier (default: this machine's), so the silo gets that platform's libvips natives.
# Used by deploy/Dockerfile and by the test that starts the published app through deploy/entrypoint.sh.
set -euo pipefail
out=${1:?usage: deploy/publish.sh OUT_DIR [RUNTIME_IDENTIFIER]}
rid=${2:-$(dotnet --info | sed -n 's/^ *RID: *//p' | head -1)}
cd "$(dirname "$0")/.."
for project in Silo Gateway; do
  dotnet publish "src/Pixerve.$project/Pixerve.$project.csproj" -c Release -r "$rid" --self-contained false \
    -p:UseAppHost=false -o "$out/$(echo "$project" | tr '[:upper:]' '[:lower:]')" -v quiet -nologo
done
