#!/usr/bin/env bash
# Resolves the TrustLLM dataset and the embedded model, in this order:
#   1. the environment variables TRUSTLLM_DATA_DIR / TRUSTLLM_MODEL_DIR;
#   2. a sibling ../shared/trustllm-data and ../shared/models of the repository;
#   3. a pinned download, checked against its sha256, into .cache/assets/.
# Prints `export TRUSTLLM_DATA_DIR=...` and `export TRUSTLLM_MODEL_DIR=...` lines for eval.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/.cache/assets"

# Pinned sources. The dataset zip is the TrustLLM toolkit's dataset/dataset.zip
# (last changed in toolkit commit b1a2357); the model files are karpathy/tinyllamas
# stories260K at revision 0bd21da7.
DATA_URL="https://raw.githubusercontent.com/HowieHwong/TrustLLM/b1a2357/dataset/dataset.zip"
DATA_SHA256="0433f79bc8dc8a5869af253d4a70067eda82f5651b89b7235a0220a8bf775317"
MODEL_BASE="https://huggingface.co/karpathy/tinyllamas/resolve/0bd21da7698eaf29a0d7de3992de8a46ef624add/stories260K"
MODEL_BIN_SHA256="b0a507e7ad0f626624f17112325e66691f9076d622e1d3274d103d00299f2696"
MODEL_TOK_SHA256="037cb335abb25d1fa9e8ecae30ed2a3a8ace9302862ebcdc05d51a6bbb10c312"

fetch() {  # url sha256 dest
  local url=$1 sum=$2 dest=$3
  if [ -f "$dest" ] && echo "$sum  $dest" | sha256sum -c --status; then return 0; fi
  mkdir -p "$(dirname "$dest")"
  if ! curl -fsSL --retry 2 --connect-timeout 15 -o "$dest.part" "$url"; then
    rm -f "$dest.part"
    echo "error: cannot download $url (offline?) — set $4 to a folder holding the files, or put them in ../shared/" >&2
    exit 1
  fi
  if ! echo "$sum  $dest.part" | sha256sum -c --status; then
    echo "error: $url: sha256 mismatch (expected $sum) — the download is corrupt or the source changed" >&2
    rm -f "$dest.part"; exit 1
  fi
  mv "$dest.part" "$dest"
}

data="${TRUSTLLM_DATA_DIR:-}"
if [ -z "$data" ] && [ -d "$root/../shared/trustllm-data/safety" ]; then
  data="$(cd "$root/../shared/trustllm-data" && pwd)"
fi
if [ -z "$data" ]; then
  fetch "$DATA_URL" "$DATA_SHA256" "$cache/dataset.zip" TRUSTLLM_DATA_DIR
  if [ ! -d "$cache/trustllm-data/safety" ]; then
    rm -rf "$cache/unzip" && mkdir -p "$cache/unzip"
    unzip -q "$cache/dataset.zip" -d "$cache/unzip"
    src="$(dirname "$(find "$cache/unzip" -name jailbreak.json | head -n1)")/.."
    mv "$src" "$cache/trustllm-data"
  fi
  data="$cache/trustllm-data"
fi

model="${TRUSTLLM_MODEL_DIR:-}"
if [ -z "$model" ] && [ -f "$root/../shared/models/tinyllamas-stories260K/stories260K.bin" ]; then
  model="$(cd "$root/../shared/models" && pwd)"
fi
if [ -z "$model" ]; then
  fetch "$MODEL_BASE/stories260K.bin" "$MODEL_BIN_SHA256" "$cache/models/tinyllamas-stories260K/stories260K.bin" TRUSTLLM_MODEL_DIR
  fetch "$MODEL_BASE/tok512.bin" "$MODEL_TOK_SHA256" "$cache/models/tinyllamas-stories260K/tok512.bin" TRUSTLLM_MODEL_DIR
  model="$cache/models"
fi
echo "export TRUSTLLM_DATA_DIR='$data'"
echo "export TRUSTLLM_MODEL_DIR='$model'"
