#!/bin/sh
# An example quality gate for the command stage (pipeline-command): a plain POSIX script, no agent.
# It fails the story while the workspace's source files hold TODO or FIXME markers, and writes the
# stage summary envelope to the file the stage names. Adapt it: run your tests, read your coverage, ...
#
#   stages.yaml:
#     STAGE_3:
#       plugin: pipeline-command
#       settings:
#         command: ["/path/to/agent-pipeline/examples/agents/todo-gate.sh", "{summary_file}"]
#         timeout_seconds: 300
#         idle_timeout_seconds: 60
#
# Arguments: $1 the summary file (the template variable {summary_file}; also $PIPELINE_SUMMARY_FILE).
# It runs in the story's workspace, with PIPELINE_STORY_ID, PIPELINE_STAGE, PIPELINE_RUN_ID... set.
set -eu

summary="${1:-${PIPELINE_SUMMARY_FILE:?no summary file given}}"
story="${PIPELINE_STORY_ID:?PIPELINE_STORY_ID is not set: run me from the pipeline-command stage}"
stage="${PIPELINE_STAGE#STAGE_}"

echo "Looking for TODO and FIXME markers in $(pwd)"
# grep exits 1 when nothing matches: that is the good case here.
markers=$(grep -rnE 'TODO|FIXME' --include='*.java' --include='*.kt' --include='*.py' --include='*.js' \
    --include='*.ts' --include='*.go' --include='*.rs' --include='*.sh' . 2>/dev/null | grep -v '/\.git/' || true)
count=$(printf '%s' "$markers" | grep -c . || true)
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)

if [ "$count" -eq 0 ]; then
    verdict=PASS; story_status=Done; score=100
    notes="No TODO or FIXME markers."
    hint='{"blocking_categories": [], "suggested_focus": ""}'
else
    verdict=FAIL; story_status="To Rework"; score=$((100 - 10 * count)); [ "$score" -lt 0 ] && score=0
    first=$(printf '%s\n' "$markers" | head -n 1 | cut -c1-120 | sed 's/\\/\\\\/g; s/"/\\"/g')
    notes="$count TODO/FIXME markers, the first at $first"
    hint="{\"blocking_categories\": [\"todo-markers\"], \"suggested_focus\": \"Resolve the $count TODO/FIXME markers\"}"
    printf '%s\n' "$markers"
fi

# Write the envelope next to its final place, then rename: the stage never reads half a file.
cat > "$summary.tmp" <<JSON
{
  "schema_version": "1",
  "summary_kind": "pipeline-stage",
  "run_id": "${PIPELINE_RUN_ID:-unknown}",
  "identifier": "$story",
  "producer_skill": "todo-gate.sh",
  "produced_at": "$now",
  "payload": {
    "stage": ${stage:-3},
    "story_id": "$story",
    "status": "completed",
    "final_result": "$verdict",
    "story_status": "$story_status",
    "verdict": "$verdict",
    "quality_score": $score,
    "warnings": [],
    "metadata": {"notes": "$notes", "metrics": {"todo.count": $count}, "rework_hint": $hint}
  }
}
JSON
mv "$summary.tmp" "$summary"
echo "$verdict: $notes"
