#!/usr/bin/env bash
# Builds the Java client with the JDK alone (javac, no build tool or test framework: neither installs offline here)
# and runs its tests against PIXERVE_URL (clients/test.sh starts the gateway). Exits non-zero when a test fails.
set -euo pipefail
cd "$(dirname "$0")"
out=${PIXERVE_JAVA_OUT:-build}
rm -rf "$out" && mkdir -p "$out/classes" "$out/test-classes"
javac --release 17 -d "$out/classes" src/main/java/pixerve/*.java
jar --create --file "$out/pixerve-client.jar" -C "$out/classes" .
javac --release 17 -cp "$out/classes" -d "$out/test-classes" src/test/java/pixerve/*.java
java -Djava.awt.headless=true -cp "$out/classes:$out/test-classes" pixerve.GatewayTest
