#!/usr/bin/env bash
# The main job: installs what is missing, builds target/clpool.jar if it is missing or older than
# the sources, then runs its demo: a handwritten digit max-pooled on the default OpenCL device,
# forward and backward, checked against the plain-Java reference; pictures go to clpool-demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh >/dev/null
source ci/env.sh
jar=target/clpool.jar
if [ ! -f "$jar" ] || [ -n "$(find pom.xml src/main kernels -newer "$jar" -type f -print -quit)" ]; then
    mvn -B -q package -DskipTests -Dmaven.javadoc.skip -Dmaven.source.skip # only the CLI jar is needed
fi
exec java -jar "$jar" demo "$@"
