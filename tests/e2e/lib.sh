# Shared helpers of the end-to-end tests: real CLI, real plugins, real servers on loopback.
# Each test gets: TRUSTLLM (the binary), FAKE_SERVER, SRC (repository root), and a fresh $WORK.
set -euo pipefail
: "${TRUSTLLM:?}" "${SRC:?}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/trustllm-e2e.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# Assets: skip (exit 77, CTest's skip code) when the real dataset or model is absent.
need_data() { [ -d "${TRUSTLLM_DATA_DIR:-}/safety" ] || { echo "skip: TRUSTLLM_DATA_DIR not set"; exit 77; }; }
need_model() { [ -f "${TRUSTLLM_MODEL_DIR:-}/tinyllamas-stories260K/stories260K.bin" ] || { echo "skip: TRUSTLLM_MODEL_DIR not set"; exit 77; }; }
need_parity() { [ -f "${TRUSTLLM_PARITY_DIR:-}/expected.json" ] || { echo "skip: TRUSTLLM_PARITY_DIR not set"; exit 77; }; }

# start_fake_server [args...]: starts the fake OpenAI-compatible server, sets PORT.
start_fake_server() {
  : "${FAKE_SERVER:?}"
  local fifo="$WORK/server.out"
  "$FAKE_SERVER" --port 0 "$@" >"$fifo" 2>"$WORK/server.err" &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    if grep -q '^LISTENING ' "$fifo" 2>/dev/null; then
      PORT=$(awk '/^LISTENING /{print $2; exit}' "$fifo")
      return 0
    fi
    sleep 0.05
  done
  fail "fake server did not start: $(cat "$WORK/server.err")"
}

# fake_model_file PATH [extra yaml lines]: a model file pointing at the fake server.
fake_model_file() {
  local path=$1; shift
  {
    echo "plugin: openai"
    echo "base_url: http://127.0.0.1:$PORT/v1"
    echo "model: fake-model"
    echo "timeout: 5"
    echo "retry: {max_attempts: 12, base_delay: 0.01, max_delay: 0.1}"
    for l in "$@"; do echo "$l"; done
  } >"$path"
}

# json_get FILE PYTHON-EXPR: evaluates EXPR with `d` bound to the parsed JSON file.
json_get() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# metric FILE TASK METRIC: the value of one metric in a summary.json.
metric() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for m in d["metrics"]:
    if m["task"] == sys.argv[2] and m["metric"] == sys.argv[3]:
        print(repr(m["value"])); break
else:
    sys.exit("metric %s.%s not in %s" % (sys.argv[2], sys.argv[3], sys.argv[1]))
PY
}

# expect_error "expected substring" EXPECTED_RC -- command...: runs, checks rc and one-line stderr.
expect_error() {
  local want=$1 want_rc=$2; shift 3
  local rc=0
  "$@" >"$WORK/out.txt" 2>"$WORK/err.txt" || rc=$?
  [ "$rc" = "$want_rc" ] || fail "expected exit $want_rc, got $rc for: $* — stderr: $(cat "$WORK/err.txt")"
  grep -qF -- "$want" "$WORK/err.txt" || fail "expected '$want' in stderr, got: $(cat "$WORK/err.txt")"
  local lines; lines=$(grep -c '^error:' "$WORK/err.txt" || true)
  [ "$lines" = 1 ] || fail "expected exactly one error line, got: $(cat "$WORK/err.txt")"
  grep -q 'terminate called\|Segmentation\|Aborted\|AddressSanitizer' "$WORK/err.txt" && fail "crashed: $(cat "$WORK/err.txt")"
  return 0
}

# screenshot_dir NAME: where a browser test writes its screenshots (created): $REPORT_SCREENSHOT_DIR
# when set, else NAME in the build folder CTest runs the test in, else the work folder.
screenshot_dir() {
  local dir
  if [ -n "${REPORT_SCREENSHOT_DIR:-}" ]; then
    dir="$REPORT_SCREENSHOT_DIR"
  elif [ -f CTestTestfile.cmake ]; then
    dir="$PWD/$1"
  else
    dir="$WORK"
  fi
  mkdir -p "$dir"
  echo "$dir"
}
