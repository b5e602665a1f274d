#!/usr/bin/env bash
# Sums the Surefire reports; fails when no test ran, when no OpenCL test ran, or when any OpenCL
# test was skipped (a missing device in CI is a failure, not a skip).
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
tests=0 failed=0 skipped=0 opencl=0 opencl_skipped=0
for report in target/surefire-reports/TEST-*.xml; do
    suite=$(grep -o -m1 '<testsuite [^>]*>' "$report")
    attr() { sed -n "s/.* $1=\"\\([0-9]*\\)\".*/\\1/p" <<<"$suite"; }
    t=$(attr tests) f=$(attr failures) e=$(attr errors) s=$(attr skipped)
    tests=$((tests + t)) failed=$((failed + f + e)) skipped=$((skipped + s))
    if grep -q 'name="io\.clpool\.\(opencl\|pipeline\)\.' <<<"$suite"; then
        opencl=$((opencl + t)) opencl_skipped=$((opencl_skipped + s))
    fi
done
echo "clpool: $tests tests, $opencl of them on the OpenCL device"
# The slowest classes, so a CI log shows where its time went (CI stops runs at 90 minutes).
for report in target/surefire-reports/TEST-*.xml; do
    grep -o -m1 '<testsuite [^>]*>' "$report" | sed -n 's/.* name="\([^"]*\)".* time="\([0-9.]*\)".*/\2 \1/p'
done | sort -rn | head -5 | awk '{printf "  %6.0f s  %s\n", $1, $2}'
echo "$((tests - failed - skipped)) passed, $failed failed, $skipped skipped"
if [ "$tests" -eq 0 ] || [ "$opencl" -eq 0 ] || [ "$opencl_skipped" -ne 0 ] || [ "$failed" -ne 0 ]; then
    echo "ci/report.sh: FAILED (no tests, no OpenCL tests, skipped OpenCL tests, or failures)" >&2
    exit 1
fi
