# Sourced by the ci scripts: a writable POCL kernel cache, without which POCL hides its device.
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export POCL_CACHE_DIR="${POCL_CACHE_DIR:-$repo_root/target/pocl-cache}"
mkdir -p "$POCL_CACHE_DIR"
