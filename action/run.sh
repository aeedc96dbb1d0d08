#!/usr/bin/env bash
# Runs ftlint once: the text report goes to the log, annotations (workflow commands) to the runner,
# SARIF to $FTLINT_SARIF, the Markdown summary to $GITHUB_STEP_SUMMARY. The verdict comes in a later
# step, after the SARIF upload, so the exit code is only recorded here.
set -uo pipefail
fail_on="${FTLINT_FAIL_ON:-warning}"
case "$fail_on" in
  error | warning | info) level="$fail_on" ;;
  never) level=error ;;
  *)
    echo "::error title=ftlint::input fail-on must be error, warning, info or never (got '${fail_on}')"
    echo "exit-code=2" >>"$GITHUB_OUTPUT"
    exit 0
    ;;
esac
sarif="${FTLINT_SARIF:-ftlint.sarif}"
tmp="$(mktemp -d "${RUNNER_TEMP:-/tmp}/ftlint.XXXXXX")"
rm -f "$sarif"
set -f # paths and args are split on blanks, never globbed
# shellcheck disable=SC2086
node "$FTLINT_ACTION_PATH/dist/src/cli/main.js" $FTLINT_PATHS $FTLINT_ARGS --no-cache --fail-on "$level" \
  --report "github:$tmp/annotations.txt" --report "markdown:$tmp/summary.md" --report "sarif:$sarif"
code=$?
set +f
[ -f "$tmp/annotations.txt" ] && cat "$tmp/annotations.txt"
if [ -f "$tmp/summary.md" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then cat "$tmp/summary.md" >>"$GITHUB_STEP_SUMMARY"; fi
{
  echo "exit-code=$code"
  echo "sarif-file=$sarif"
  if [ -f "$sarif" ]; then
    echo "sarif-written=true"
    echo "findings=$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).runs[0].results.length' "$sarif")"
  fi
} >>"$GITHUB_OUTPUT"
rm -rf "$tmp"
exit 0
