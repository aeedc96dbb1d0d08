#!/usr/bin/env bash
# Fails the step according to fail-on, after the SARIF upload had its chance.
set -uo pipefail
case "${FTLINT_EXIT:-2}" in
  0) exit 0 ;;
  1)
    if [ "${FTLINT_FAIL_ON:-warning}" = never ]; then exit 0; fi
    echo "ftlint found problems at or above '${FTLINT_FAIL_ON:-warning}' (see the annotations, the job summary and code scanning)"
    exit 1
    ;;
  *)
    echo "::error title=ftlint::ftlint could not run (exit code ${FTLINT_EXIT:-none}); see the log of the 'Run ftlint' step"
    exit 2
    ;;
esac
