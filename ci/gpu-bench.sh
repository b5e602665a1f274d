#!/usr/bin/env bash
# Issue 12's GPU cases in one device call. On a machine with a GPU but no Java, after
# `bash ../shared/gpu/pack.sh` here (target/gpu/: a Java runtime, the OpenCL loader, the jar, the tests):
#   bash target/gpu/on-gpu.sh shell 'bash ci/gpu-bench.sh [--base BASE.jar] [--tests SECONDS]'
# Times every case of the README's GPU table with target/gpu/clpool.jar (bench, medians of 30,
# float32 32x64x112x112 unless named), each after BASE.jar where one is given (the same call, so
# an A/B on one machine), then the GPU-family settings still to be measured against the default,
# then, with --tests, the device tests of the GPU-only kernels, each limited to SECONDS. Output on
# stdout and in $OUT/gpu-bench.txt (JUnit's trees in $OUT/junit-*.txt, each build's log in
# $OUT/builds: clpool.buildReport, with ptxas's registers and spills on NVIDIA).
set -uo pipefail
g=target/gpu
base=""
test_seconds=0
while [ $# -gt 0 ]; do
    case "$1" in
        --base) base="$2"; shift 2 ;;
        --tests) test_seconds="$2"; shift 2 ;;
        *) echo "gpu-bench.sh: unknown argument $1 (--base BASE.jar, --tests SECONDS)" >&2; exit 2 ;;
    esac
done
out="${OUT:-/tmp}"
start=$(date +%s)
stamp() { echo "== $(date -u +%H:%M:%S) +$(( $(date +%s) - start ))s $*"; }

# One bench process: JAR, then -D settings, then bench's arguments.
bench() {
    local jar=$1; shift
    local props=()
    while [[ "${1:-}" == -D* ]]; do props+=("$1"); shift; done
    local report=() # the builds of the jar under test leave their logs (on NVIDIA, ptxas's registers and spills)
    [ "$jar" = "$g/clpool.jar" ] && report=("-Dclpool.buildReport=$out/builds")
    stamp "$(basename "$jar") ${props[*]} $*"
    java "${report[@]}" "${props[@]}" -jar "$jar" bench --runs 30 --reference-runs 0 "$@" 2>&1 \
        | grep -E "^(device|copy|launch|forward|backward)|rror" | sed 's/; reference *NaN ms (NaNx)//'
}

# Every case with the jar under test, after the base jar where given.
ab() {
    [ -n "$base" ] && bench "$base" "$@"
    bench "$g/clpool.jar" "$@"
}

volume=--shape=32,64,4,56,56
{
    stamp "device tests: ${test_seconds}s each; base: ${base:-none}"
    ab --kernel 2
    ab --kernel 3 --stride 1 --padding 1
    ab --kernel 3 --stride 2 --padding 1
    ab --op min --kernel 2
    ab --op min --kernel 3 --stride 1 --padding 1
    ab --op avg --kernel 2
    ab --op avg --kernel 3 --stride 1 --padding 1
    ab --op avg --kernel 3 --stride 2 --padding 1
    ab --op lp --kernel 2
    ab --op lp --kernel 3 --stride 1
    ab --op lp --kernel 3 --stride 2
    ab --kernel 2 --dtype float16
    ab --kernel 2 --dtype bfloat16
    ab --kernel 3 --stride 1 --padding 1 --dtype float16
    ab --op avg --kernel 3 --stride 1 --padding 1 --dtype float16
    ab --kernel 2 --dtype float64
    ab --kernel 2 --channels-last
    ab --kernel 3 --stride 1 --padding 1 --channels-last
    ab --kernel 2 --channels-last --dtype float16
    ab $volume --kernel 2
    ab $volume --kernel 2 --op avg
    ab $volume --kernel 3 --stride 1 --padding 1
    ab $volume --kernel 3 --stride 1 --padding 1 --op avg
    # 3-D LP (lp_pool3d, since 2026-11-28; a base jar from before refuses it): this jar only.
    bench "$g/clpool.jar" $volume --kernel 2 --op lp
    bench "$g/clpool.jar" $volume --kernel 3 --stride 1 --op lp
    # Settings not yet measured on a GPU (README, Algorithms), against the default above.
    for op in max avg lp; do
        for columns in 1 4; do
            if [ $op = lp ]; then
                bench "$g/clpool.jar" -Dclpool.gpu.gatherColumns=$columns --op lp --kernel 3 --stride 1
            else
                bench "$g/clpool.jar" -Dclpool.gpu.gatherColumns=$columns --op $op --kernel 3 --stride 1 --padding 1
            fi
        done
    done
    # 3-D column blocks: the forward line times volumeForwardColumns, the backward line volumeColumns.
    for op in max avg; do
        for columns in 2 4; do
            bench "$g/clpool.jar" -Dclpool.gpu.volumeForwardColumns=$columns -Dclpool.gpu.volumeColumns=$columns \
                $volume --kernel 3 --stride 1 --padding 1 --op $op
        done
    done
    # ptxas's "N bytes stack frame, N bytes spill stores, N bytes spill loads", after "Function properties for KERNEL":
    # a stack frame is local memory (an array not kept in registers), spills are registers that ran out.
    stamp "bench done; kernels with a stack frame or spills (build reports in \$OUT/builds):"
    grep -h -B1 -E "(^|[^0-9])[1-9][0-9]* bytes (stack frame|spill stores|spill loads)" "$out"/builds/*.txt 2>/dev/null \
        | grep -v '^--$' | paste - - | sort | uniq -c | sort -rn | head -40
    if [ "$test_seconds" -gt 0 ]; then
        cp="$g/classes:$g/test-classes:$(ls "$g"/lib/*.jar | grep -v -E 'junit|opentest4j|apiguardian' | tr '\n' ':')$(ls "$g"/console/*.jar)"
        for test in BlockGatherTest LpPoolDifferentialTest GpuFamilyVolumeTest DirectConformanceTest; do
            stamp "junit $test (at most ${test_seconds}s)"
            timeout "$test_seconds" java -Xmx16g -cp "$cp" org.junit.platform.console.ConsoleLauncher execute \
                --select-class "io.clpool.opencl.$test" --details=tree --disable-banner > "$out/junit-$test.txt" 2>&1
            echo "exit $? (124: the time limit), passed $(grep -c '✔' "$out/junit-$test.txt"), failed $(grep -c '✘' "$out/junit-$test.txt")"
            grep '✘' "$out/junit-$test.txt" | head -5
        done
    fi
    stamp "done"
} 2>&1 | tee "$out/gpu-bench.txt"
