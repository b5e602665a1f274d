#!/usr/bin/env bash
# The main job: installs what is missing, then pools the seed's 28x28 example on the default
# OpenCL device and checks it against the plain-Java reference.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh >/dev/null
source ci/env.sh
mvn -B -q -Dpocl.cache.dir="$POCL_CACHE_DIR" compile exec:java "$@"
