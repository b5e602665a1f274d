#!/usr/bin/env bash
# The whole test suite: installs what is missing, then runs every test on the OpenCL device.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh --clang
source ci/env.sh
mvn -B -q -Dpocl.cache.dir="$POCL_CACHE_DIR" verify "$@"
echo "ci/test.sh: setup, build and tests took $((SECONDS / 60)) min $((SECONDS % 60)) s"
bash ci/report.sh
