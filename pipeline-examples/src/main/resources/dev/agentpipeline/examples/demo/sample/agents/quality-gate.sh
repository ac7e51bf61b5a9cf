#!/bin/sh
# The demo's quality gate (STAGE_3): builds the project and runs its tests with coverage (agents/test.sh), then
# judges what they measured: every test must pass and at least 80% of the lines must be run by a test. The
# pipeline checks the same from the reports (evidence collectors junit and jacoco), so a PASS without the
# evidence cannot end the story. Run by the command stage:
#   agents/quality-gate.sh {summary_file}
set -eu
. agents/summary.sh
summary=${1:?usage: quality-gate.sh SUMMARY_FILE}
required=80

status=0
agents/test.sh || status=$?

if [ ! -f build/tests.env ] || [ ! -f build/coverage.env ]; then
    verdict=FAIL score=0 category=build
    notes="The project does not build (agents/test.sh exited with status $status)"
    focus="Make the project compile"
else
    . build/tests.env
    . build/coverage.env
    lines=$((LINE_COVERED + LINE_MISSED))
    line=$(( lines == 0 ? 0 : 100 * LINE_COVERED / lines ))
    if [ "$TESTS_FAILED" -gt 0 ]; then
        verdict=FAIL score=0 category=tests
        notes="$TESTS_FAILED of $TESTS_RUN tests failed"
        focus="Fix the failing tests"
    elif [ "$line" -lt "$required" ]; then
        verdict=FAIL score=$line category=coverage
        notes="$TESTS_RUN tests pass, but they run only $LINE_COVERED of $lines lines ($line%; $required% required)"
        focus="Add unit tests for the $LINE_MISSED lines no test runs"
    else
        verdict=PASS score=$line category=''
        notes="$TESTS_RUN tests pass and run $LINE_COVERED of $lines lines ($line%)"
        focus=''
    fi
fi
echo "$verdict: $notes"

if [ "$verdict" = PASS ]; then
    write_summary "$summary" Done "\"verdict\": \"PASS\", \"quality_score\": $score" \
        "\"agents_info\": \"quality-gate.sh\", \"notes\": \"$(json_text "$notes")\""
else
    write_summary "$summary" "To Rework" "\"verdict\": \"FAIL\", \"quality_score\": $score" \
        "\"agents_info\": \"quality-gate.sh\", \"issues\": \"$(json_text "$notes")\", \"notes\": \"$(json_text "$notes")\",
      \"rework_hint\": {\"blocking_categories\": [\"$category\"], \"suggested_focus\": \"$(json_text "$focus")\"}"
fi
