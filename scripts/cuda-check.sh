#!/usr/bin/env bash
# The prepared CUDA check, one command (a few minutes on a machine with an NVIDIA GPU):
#   bash scripts/cuda-check.sh [--verbose]
# On Linux x64 with an NVIDIA GPU it builds the project, generates a GPT-2-small model (random weights),
# installs ONNX Runtime's CUDA provider libraries into node_modules/onnxruntime-node if they are missing,
# loads the model on CUDA and on the CPU, decodes 32 greedy tokens on each, compares them and prints
# ms/token for both (scripts/cuda-check.ts). Needs node_modules (npm ci) in the tree, and CUDA 12 and
# cuDNN 9 on the machine. The provider libraries come from NuGet's Microsoft.ML.OnnxRuntime.Gpu.Linux;
# without network, give a downloaded copy of it:
#   GHOSTWRITER_CUDA_NUPKG=/path/microsoft.ml.onnxruntime.gpu.linux.1.30.0.nupkg [GHOSTWRITER_CUDA_NUPKG_SHA512=<hex>]
# (GHOSTWRITER_NUGET_SOURCE=<v3 index.json URL> points at another feed.)
# Without an NVIDIA GPU (or not on Linux x64) it says so and exits 0; a failure exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'cuda-check: %s\n' "$*"; }

platform="$(uname -s)-$(uname -m)"
if [[ "$platform" != "Linux-x86_64" ]]; then
  say "SKIPPED: the CUDA check runs on Linux x64 only (this is $platform); nothing to check here."
  exit 0
fi
if ! { command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L 2>/dev/null | grep -q '^GPU '; } \
  && ! compgen -G '/proc/driver/nvidia/gpus/*' >/dev/null; then
  say "SKIPPED: no NVIDIA GPU on this machine (no GPU from nvidia-smi -L or /proc/driver/nvidia); nothing to check here."
  exit 0
fi
if [[ ! -d node_modules/onnxruntime-node || ! -d node_modules/esbuild ]]; then
  say "FAILED: node_modules is missing (run npm ci first, or carry node_modules along)."
  exit 1
fi
if [[ "${CUDA_CHECK_NO_BUILD:-}" != 1 || ! -f out/scripts/cuda-check.js ]]; then
  node esbuild.mjs
fi
exec node out/scripts/cuda-check.js "$@"
