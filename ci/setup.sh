#!/usr/bin/env bash
# Installs what clpool needs on a fresh Debian/Ubuntu machine: a JDK 17 and Maven if missing, and
# the POCL OpenCL runtime when no OpenCL platform is found; with --clang (ci/test.sh) also a clang,
# whose OpenCL C parser KernelFrontEndTest runs (Debian's POCL brings clang-15). Idempotent: a
# second run installs nothing.
set -euo pipefail

with_clang=0
[ "${1:-}" = "--clang" ] && with_clang=1

packages=()
command -v java >/dev/null 2>&1 || packages+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || packages+=(maven)

opencl_ready() {
    # JOCL loads the unversioned libOpenCL.so, which only the -dev package provides.
    command -v clinfo >/dev/null 2>&1 || return 1
    ldconfig -p 2>/dev/null | grep -q 'libOpenCL\.so ' || [ -e /usr/lib/x86_64-linux-gnu/libOpenCL.so ] || return 1
    local platforms
    platforms=$(POCL_CACHE_DIR="${POCL_CACHE_DIR:-/tmp/clpool-pocl-cache}" clinfo -l 2>/dev/null | grep -c 'Platform' || true)
    [ "$platforms" -gt 0 ]
}
opencl_ready || packages+=(pocl-opencl-icd ocl-icd-libopencl1 ocl-icd-opencl-dev clinfo)

clang_present() {
    local name
    for name in clang clang-{13..21}; do
        command -v "$name" >/dev/null 2>&1 && return 0
    done
    return 1
}

install() {
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
        else
            echo "ci/setup.sh: missing $*; run this as root, or:" >&2
            echo "  sudo apt-get update && sudo apt-get install -y $*" >&2
            exit 1
        fi
    else
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
    fi
    echo "ci/setup.sh: installed $*"
}

if [ ${#packages[@]} -gt 0 ]; then
    install "${packages[@]}"
fi
if [ "$with_clang" -eq 1 ] && ! clang_present; then
    install clang # where the OpenCL runtime did not bring one
elif [ ${#packages[@]} -eq 0 ]; then
    echo "ci/setup.sh: Java, Maven and an OpenCL platform are present; nothing to install"
fi
