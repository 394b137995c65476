#!/usr/bin/env bash
# Every configuration error of the suite loader: one line with file:line, key path and the fix;
# exit code 2; nothing crashes.
. "$(dirname "$0")/lib.sh"
export TRUSTLLM_DATA_DIR="${TRUSTLLM_DATA_DIR:-$WORK/nodata}"
export TRUSTLLM_MODEL_DIR="${TRUSTLLM_MODEL_DIR:-$WORK/nomodel}"
cp "$SRC/configs/models/stories260k.yaml" "$WORK/model.yaml"

suite() {  # suite FILE <<yaml
  cat >"$WORK/$1"
}

base_task='  - id: jailbreak
    dimension: safety
    dataset: {plugin: trustllm_safety, task: jailbreak, data_dir: /nonexistent}
    metrics:
      - plugin: refusal_rate'

# 1. unknown plugin, with "did you mean"
suite unknown_plugin.yaml <<EOF2
roles: {model: model.yaml}
tasks:
  - id: jailbreak
    dataset:
      plugin: trustllm_safty
      task: jailbreak
      data_dir: /x
    metrics: [{plugin: refusal_rate}]
EOF2
expect_error "unknown_plugin.yaml:5:" 2 -- "$TRUSTLLM" validate "$WORK/unknown_plugin.yaml"
grep -qF "did you mean 'trustllm_safety'" "$WORK/err.txt" || fail "no suggestion: $(cat "$WORK/err.txt")"
grep -qF "tasks[0].dataset.plugin" "$WORK/err.txt" || fail "no key path: $(cat "$WORK/err.txt")"
pass "unknown plugin"

# 2. unknown key in a plugin's config
suite unknown_key.yaml <<EOF2
roles: {model: model.yaml}
tasks:
$base_task
        evaluater: keyword
EOF2
expect_error "unknown_key.yaml:8:" 2 -- "$TRUSTLLM" validate "$WORK/unknown_key.yaml"
grep -qF "evaluater" "$WORK/err.txt" && grep -qF "did you mean 'evaluator'" "$WORK/err.txt" || fail "$(cat "$WORK/err.txt")"
pass "unknown key"

# 3. wrong type
suite wrong_type.yaml <<EOF2
roles: {model: model.yaml}
tasks:
$base_task
    limit: ten
EOF2
expect_error "wrong_type.yaml:8:" 2 -- "$TRUSTLLM" validate "$WORK/wrong_type.yaml"
grep -qF "tasks[0].limit" "$WORK/err.txt" && grep -qi "integer" "$WORK/err.txt" || fail "$(cat "$WORK/err.txt")"
pass "wrong type"

# 4. missing required key
suite missing_key.yaml <<EOF2
roles: {model: model.yaml}
tasks:
  - id: jailbreak
    dataset: {plugin: trustllm_safety, data_dir: /x}
    metrics: [{plugin: refusal_rate}]
EOF2
expect_error "missing_key.yaml:4:" 2 -- "$TRUSTLLM" validate "$WORK/missing_key.yaml"
grep -qF "task" "$WORK/err.txt" && grep -qi "missing required key" "$WORK/err.txt" || fail "$(cat "$WORK/err.txt")"
pass "missing required key"

# 5. missing file: a model file that does not exist, and an include that does not exist
suite missing_model.yaml <<EOF2
roles: {model: nope/model.yaml}
tasks:
$base_task
EOF2
expect_error "missing_model.yaml:1:" 2 -- "$TRUSTLLM" validate "$WORK/missing_model.yaml"
grep -qF "roles.model" "$WORK/err.txt" && grep -qF "not found" "$WORK/err.txt" || fail "$(cat "$WORK/err.txt")"
suite missing_include.yaml <<EOF2
include: does-not-exist.yaml
tasks:
$base_task
EOF2
expect_error "missing_include.yaml:1:" 2 -- "$TRUSTLLM" validate "$WORK/missing_include.yaml"
grep -qF "does-not-exist.yaml" "$WORK/err.txt" || fail "$(cat "$WORK/err.txt")"
expect_error "no_such_suite.yaml" 2 -- "$TRUSTLLM" validate "$WORK/no_such_suite.yaml"
pass "missing files"

# 6. bad YAML
printf 'tasks:\n  - id: [unclosed\n    dataset: {plugin: x}\n' >"$WORK/bad.yaml"
expect_error "bad.yaml:" 2 -- "$TRUSTLLM" validate "$WORK/bad.yaml"
pass "bad yaml"

# 7. unset environment variable
suite unset_env.yaml <<EOF2
roles: {model: model.yaml}
tasks:
  - id: jailbreak
    dataset:
      plugin: trustllm_safety
      task: jailbreak
      data_dir: \${TRUSTLLM_SURELY_UNSET_VAR}
    metrics: [{plugin: refusal_rate}]
EOF2
expect_error "unset_env.yaml:7:" 2 -- "$TRUSTLLM" validate "$WORK/unset_env.yaml"
grep -qF "TRUSTLLM_SURELY_UNSET_VAR" "$WORK/err.txt" || fail "$(cat "$WORK/err.txt")"
pass "unset variable"

# 8. --set with a bad value type, and a valid suite passes
suite good.yaml <<EOF2
roles: {model: model.yaml}
tasks:
$base_task
EOF2
"$TRUSTLLM" validate "$WORK/good.yaml" >/dev/null || fail "good suite rejected: $(cat "$WORK/err.txt")"
expect_error "tasks[0].limit" 2 -- "$TRUSTLLM" validate "$WORK/good.yaml" --set tasks.0.limit=ten
pass "--set"

# 9. the unknown-metric-plugin message lists the fix when nothing is close
suite unknown_metric.yaml <<EOF2
roles: {model: model.yaml}
tasks:
  - id: jailbreak
    dataset: {plugin: trustllm_safety, task: jailbreak, data_dir: /x}
    metrics: [{plugin: zzzzzz}]
EOF2
expect_error "unknown metric plugin 'zzzzzz'" 2 -- "$TRUSTLLM" validate "$WORK/unknown_metric.yaml"
pass "unknown metric"
# 10. report: block: a published leaderboard file that does not exist, a view without x
suite missing_published.yaml <<EOF2
roles: {model: model.yaml}
report:
  published: no/such/leaderboard.yaml
tasks:
$base_task
EOF2
expect_error "missing_published.yaml:3:" 2 -- "$TRUSTLLM" validate "$WORK/missing_published.yaml"
grep -qF "published leaderboard file not found" "$WORK/err.txt" && grep -qF "report.published" "$WORK/err.txt" || fail "$(cat "$WORK/err.txt")"
suite bad_view.yaml <<EOF2
roles: {model: model.yaml}
report:
  views:
    - {id: v, y: [{task: jailbreak, metric: rta}]}
tasks:
$base_task
EOF2
expect_error "bad_view.yaml:4:" 2 -- "$TRUSTLLM" validate "$WORK/bad_view.yaml"
grep -qF "report.views[0]" "$WORK/err.txt" || fail "$(cat "$WORK/err.txt")"
pass "report block"
echo "config_errors: all passed"
