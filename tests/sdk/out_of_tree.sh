#!/usr/bin/env bash
# sdk_out_of_tree: the SDK as a third party gets it.
#   1. install the SDK part of this build into a scratch prefix;
#   2. configure, build and install sdk/examples/hello_metric as a separate project against it
#      (find_package(TrustLLMSDK) + trustllm_add_plugin + trustllm_install_plugin);
#   3. check the binary: exactly one exported symbol, RUNPATH [$ORIGIN], the sidecar;
#   4. load it through the host: sdk_load_check (Registry + host.hpp), then the CLI
#      (`trustllm --plugin-path DIR plugins` lists hello_metric).
# Environment (set by tests/sdk/CMakeLists.txt): CMAKE_COMMAND, CMAKE_GENERATOR,
# CMAKE_MAKE_PROGRAM, CXX, SDK_BUILD_DIR, EXAMPLE_DIR, WORK_DIR, LOAD_CHECK, and TRUSTLLM when
# the build has the CLI target. Exit 77 (skipped) when only the CLI step could not run.
set -euo pipefail

: "${CMAKE_COMMAND:?}" "${SDK_BUILD_DIR:?}" "${EXAMPLE_DIR:?}" "${WORK_DIR:?}" "${LOAD_CHECK:?}"
step() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
run() { printf '$ %s\n' "$*"; "$@"; }

[[ -x $LOAD_CHECK ]] || fail "$LOAD_CHECK is not built (build the sdk_load_check target before ctest)"
rm -rf "$WORK_DIR"
mkdir -p "$WORK_DIR"
sdk_prefix=$WORK_DIR/sdk-prefix
build=$WORK_DIR/build
plugin_prefix=$WORK_DIR/plugin-prefix

step "install the SDK from $SDK_BUILD_DIR"
# The SDK's own install script (sdk/CMakeLists.txt): headers, TrustLLMSDKConfig*.cmake,
# TrustLLMSDKTargets.cmake, TrustLLMPlugin.cmake, plugin_meta_dump.cpp. Nothing of the host.
run "$CMAKE_COMMAND" --install "$SDK_BUILD_DIR" --prefix "$sdk_prefix"
config=$(find "$sdk_prefix" -name TrustLLMSDKConfig.cmake | head -n1)
[[ -n $config ]] || fail "TrustLLMSDKConfig.cmake was not installed"
[[ -f $sdk_prefix/include/trustllm/abi.h && -f $sdk_prefix/include/trustllm/plugin.hpp ]] ||
  fail "SDK headers were not installed"

step "configure and build $EXAMPLE_DIR against it"
gen_args=()
[[ -n ${CMAKE_GENERATOR:-} ]] && gen_args+=(-G "$CMAKE_GENERATOR")
[[ -n ${CMAKE_MAKE_PROGRAM:-} ]] && gen_args+=("-DCMAKE_MAKE_PROGRAM=$CMAKE_MAKE_PROGRAM")
[[ -n ${CXX:-} ]] && gen_args+=("-DCMAKE_CXX_COMPILER=$CXX")
run "$CMAKE_COMMAND" -S "$EXAMPLE_DIR" -B "$build" "${gen_args[@]}" \
  -DCMAKE_BUILD_TYPE=Release \
  "-DCMAKE_PREFIX_PATH=$sdk_prefix" \
  "-DCMAKE_INSTALL_PREFIX=$plugin_prefix" \
  "-DCMAKE_CXX_FLAGS=-Wall -Wextra -Werror"
run "$CMAKE_COMMAND" --build "$build" -j2
run "$CMAKE_COMMAND" --install "$build"

so=$build/hello_metric.so
installed_so=$(find "$plugin_prefix" -name hello_metric.so | head -n1)
[[ -f $so ]] || fail "$so was not built"
[[ -n $installed_so ]] || fail "hello_metric.so was not installed under $plugin_prefix"
installed_dir=$(dirname "$installed_so")
[[ $installed_dir == */trustllm/plugins ]] || fail "installed into $installed_dir, not .../trustllm/plugins"

for lib in "$so" "$installed_so"; do
  dir=$(dirname "$lib")
  step "check $lib"
  symbols=$(nm -D --defined-only "$lib" | awk '{print $NF}')
  printf 'exported: %s\n' "$(echo $symbols)"
  [[ $symbols == trustllm_plugin_entry_v1 ]] ||
    fail "$lib exports more than trustllm_plugin_entry_v1: $(echo $symbols)"
  nm -D --defined-only "$lib" | grep -Eq ' T trustllm_plugin_entry_v1$' ||
    fail "trustllm_plugin_entry_v1 is not a function in $lib"
  runpath=$(readelf -d "$lib" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]$/\1/p')
  printf 'RUNPATH: [%s]\n' "$runpath"
  # Exactly $ORIGIN: an empty element (e.g. "$ORIGIN:", CMake's build-tree padding) makes
  # ld.so search the current directory for the plugin's dependencies.
  [[ $runpath == '$ORIGIN' ]] || fail "$lib has RUNPATH [$runpath], expected [\$ORIGIN]"
  if readelf -d "$lib" | grep -Fq '(RPATH)'; then fail "$lib has an old-style RPATH"; fi
  [[ -f $dir/hello_metric.plugin.json ]] || fail "sidecar $dir/hello_metric.plugin.json missing"
  grep -Fq '"name": "hello_metric"' "$dir/hello_metric.plugin.json" ||
    fail "sidecar does not describe hello_metric"
  echo "ok: one exported symbol, RUNPATH [\$ORIGIN], sidecar present"
done

step "load it through the host (Registry + host.hpp)"
run "$LOAD_CHECK" "$installed_dir"

step "list it with the CLI"
if [[ -z ${TRUSTLLM:-} ]]; then
  echo "SKIPPED: this build has no trustllm CLI target, so \`trustllm plugins\` was not checked"
  exit 77
fi
[[ -x $TRUSTLLM ]] || fail "$TRUSTLLM is not built (build the trustllm target before ctest)"
out=$(run "$TRUSTLLM" --plugin-path "$installed_dir" plugins)
printf '%s\n' "$out"
grep -Eq '^hello_metric +metric +1\.0\.0 ' <<<"$out" || fail "trustllm plugins does not list hello_metric"
out=$(run "$TRUSTLLM" --plugin-path "$installed_dir" plugins describe hello_metric)
printf '%s\n' "$out"
grep -Fq '"word"' <<<"$out" || fail "trustllm plugins describe hello_metric does not show its schema"

step "all checks passed"
