#!/usr/bin/env bash
# The GPU executor's checks, for a machine with an NVIDIA GPU (CUDA driver and NVRTC installed):
# its outputs equal the CPU's on many random matmul-i8 inputs, then its speed next to the CPU's.
# Elsewhere the equality test reports "skipped" and the benchmark measures the CPU only.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/basalt-target}"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>/dev/null || echo "no nvidia-smi"
cargo test --release -p basalt-node --features gpu --bins gpu_outputs_equal -- --nocapture
cargo build --release -p basalt-node --features gpu
"$CARGO_TARGET_DIR/release/basalt" benchmark kernels --sizes 1024,4096 --repeat 3
