# Sourced by the demo's agent scripts: writes the stage summary envelope, which the command stage
# (pipeline-command) reads from the file it names ({summary_file}) when the script exits 0.
#
#   write_summary FILE STORY_STATUS PAYLOAD_FIELDS METADATA_FIELDS
#
# PAYLOAD_FIELDS and METADATA_FIELDS are JSON object members without the braces ('"verdict": "GO"', or '' for
# none); text inside them must be escaped with json_text first. The envelope is written beside FILE and renamed
# into place, so the stage never reads half of it.

# json_text TEXT: TEXT as the inside of a JSON string (backslashes, quotes and control characters escaped).
json_text() {
    printf '%s' "$1" | tr '\n\r\t' '   ' | sed 's/\\/\\\\/g; s/"/\\"/g'
}

write_summary() {
    file=$1 story_status=$2 fields=$3 metadata=$4
    # the stage's result, as the ln-1000 skill's summaries give it: the verdict (GO, NO-GO, PASS, FAIL), else COMPLETED
    final=$(printf '%s' "$fields" | sed -n 's/.*"verdict": *"\([^"]*\)".*/\1/p')
    [ -n "$final" ] || final=COMPLETED
    [ -n "$fields" ] && fields="$fields,"
    cat > "$file.tmp" <<JSON
{
  "schema_version": "1",
  "summary_kind": "pipeline-stage",
  "run_id": "$PIPELINE_RUN_ID",
  "identifier": "$PIPELINE_STORY_ID",
  "producer_skill": "$(basename "$0")",
  "produced_at": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "payload": {
    "stage": ${PIPELINE_STAGE#STAGE_},
    "story_id": "$PIPELINE_STORY_ID",
    "status": "completed",
    "final_result": "$final",
    "story_status": "$story_status",
    $fields
    "warnings": [],
    "metadata": {$metadata}
  }
}
JSON
    mv "$file.tmp" "$file"
}
