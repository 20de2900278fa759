#!/usr/bin/env bash
# Installs stormsim for the GitHub Action (action.yml): the release binary VERSION for this runner when one is
# published (its SHA-256 checked), else a build from the action's own source. Prints the binary's path on the
# last line. Inputs (environment): STORMSIM_VERSION (a tag such as v0.1.0, "source" to build, or empty for the
# action's ref), STORMSIM_REPOSITORY (owner/name of the release), ACTION_PATH (the action's checkout),
# STORMSIM_INSTALL_DIR (default: $RUNNER_TEMP or /tmp, then stormsim-bin).
set -euo pipefail
version="${STORMSIM_VERSION:-}"
repo="${STORMSIM_REPOSITORY:-}"
src="${ACTION_PATH:-$(cd "$(dirname "$0")/../.." && pwd)}"
dir="${STORMSIM_INSTALL_DIR:-${RUNNER_TEMP:-/tmp}/stormsim-bin}"
mkdir -p "$dir"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) asset=stormsim-linux-x86_64 ;;
  Linux-aarch64|Linux-arm64) asset=stormsim-linux-arm64 ;;
  Darwin-*) asset=stormsim-macos-universal ;;
  *) asset="" ;;
esac

if [ -n "$version" ] && [ "$version" != "source" ] && [ -n "$repo" ] && [ -n "$asset" ]; then
  base="https://github.com/$repo/releases/download/$version"
  if curl -fsSL -o "$dir/$asset" "$base/$asset" && curl -fsSL -o "$dir/$asset.sha256" "$base/$asset.sha256"; then
    (cd "$dir" && { command -v sha256sum >/dev/null && sha256sum -c "$asset.sha256" || shasum -a 256 -c "$asset.sha256"; }) >&2
    mv "$dir/$asset" "$dir/stormsim"
    chmod +x "$dir/stormsim"
    echo "installed stormsim $version ($asset)" >&2
    echo "$dir/stormsim"
    exit 0
  fi
  echo "no release asset $asset for $version in $repo: building from source" >&2
fi

command -v swift >/dev/null || { echo "stormsim: no release binary for this runner and no Swift toolchain to build one (use a swift container, or set version to a published tag)" >&2; exit 1; }
(cd "$src" && swift build -c release --product stormsim >&2)
cp "$src/.build/release/stormsim" "$dir/stormsim"
echo "built stormsim from $src" >&2
echo "$dir/stormsim"
