#!/bin/sh
# Phase 9, Integration Testing (the Integration-Tester): the integration points are the calls from one class of the
# project to another (found in src/main/java); a point is tested when the tests of its calling class passed
# (reports/phase7/test-reports, kept by phase 7's test run). The pipeline moves on only when every point is tested.
# Run by the command stage in the project:
#   agents/phase9-integration.sh SIGNAL_FILE
set -eu
. agents/signal.sh
file=${1:?usage: phase9-integration.sh SIGNAL_FILE}

total=0 tested=0 points='' sep=''
for source in src/main/java/demo/*.java; do
    caller=$(basename "$source" .java)
    for other in src/main/java/demo/*.java; do
        callee=$(basename "$other" .java)
        [ "$callee" = "$caller" ] && continue
        grep -q "$callee\." "$source" || continue
        total=$((total + 1))
        report="reports/phase7/test-reports/TEST-demo.${caller}Test.xml"
        if [ -f "$report" ] && grep -q ' failures="0" errors="0"' "$report" && ! grep -q ' tests="0"' "$report"; then
            tested=$((tested + 1))
            echo "Integration point $caller -> $callee: tested ($report)"
        else
            echo "Integration point $caller -> $callee: not tested (no passing $report)"
        fi
        points="$points$sep\"$caller -> $callee\""
        sep=', '
    done
done
if [ "$total" -eq 0 ]; then
    signal_error "$file" 9 critical "No integration point found in src/main/java" "Look at the sources"
    exit 0
fi
coverage=$(awk -v t="$tested" -v n="$total" 'BEGIN { printf "%d%%", 100 * t / n }')
echo "$tested of $total integration points tested ($coverage)"
signal_success "$file" 9 "Integration Testing" 10 "{\"integration_points_total\": $total,
    \"integration_points_tested\": $tested, \"coverage\": \"$coverage\", \"points\": [$points]}"
