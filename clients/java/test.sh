#!/usr/bin/env bash
# Builds the Java client with the JDK alone (javac, no build tool or test framework: neither installs offline here;
# pom.xml builds the same sources where Maven is installed) and runs its tests against PIXERVE_URL (clients/test.sh
# starts the gateway). Exits non-zero when a test fails.
set -euo pipefail
cd "$(dirname "$0")"
out=${PIXERVE_JAVA_OUT:-build}
rm -rf "$out" && mkdir -p "$out/classes" "$out/test-classes"
# The module com.pixerve.client (module-info.java with its package), as Maven compiles it.
javac --release 17 -Xlint:all -Werror -d "$out/classes" $(find src/main/java -name '*.java')
jar --create --file "$out/pixerve-client.jar" -C "$out/classes" .
# The tests share the client's package (they call what it keeps package-private), so they run on the class path,
# where module-info.class is ignored; the README test puts the jar on the module path, as an application would.
javac --release 17 -cp "$out/classes" -d "$out/test-classes" $(find src/test/java -name '*.java')
PIXERVE_CLIENT_JAR=$PWD/$out/pixerve-client.jar \
  java -Djava.awt.headless=true -cp "$out/classes:$out/test-classes" com.pixerve.client.GatewayTest
