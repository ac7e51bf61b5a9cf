# Sourced by the phase demo's agents: writes the agent's signal - the completion or error signal of its phase - into
# the signals directory the phase pipeline watches, under the file name the pipeline gave the stage (its input
# signal_file, phase7-complete.json). The stage files hand the directory over as PHASE_SIGNALS_DIR (the input
# signals_dir, absolute: each phase works in a git worktree of its own, not in the project's checkout). The file is
# written in place, as real agents write it: the pipeline's watcher waits for a file that does not parse yet.
#
#   signal_success FILE PHASE PHASE_NAME NEXT_PHASE SUMMARY
#   signal_error FILE PHASE TYPE MESSAGE NEXT_ACTION [MORE_ERROR_MEMBERS]
#
# SUMMARY is a JSON object; MORE_ERROR_MEMBERS are JSON object members without the braces ('"options": [...]').
signals_dir=${PHASE_SIGNALS_DIR:-.taskmaster/.signals}

# json_text TEXT: TEXT as the inside of a JSON string (backslashes, quotes and control characters escaped).
json_text() {
    printf '%s' "$1" | tr '\n\r\t' '   ' | sed 's/\\/\\\\/g; s/"/\\"/g'
}

now() {
    date -u +%Y-%m-%dT%H:%M:%SZ
}

signal_success() {
    mkdir -p "$signals_dir"
    cat > "$signals_dir/$1" <<JSON
{
  "phase": $2,
  "phase_name": "$(json_text "$3")",
  "status": "success",
  "completed_at": "$(now)",
  "summary": $5,
  "next_phase": $4,
  "trigger_next": true
}
JSON
    echo "Wrote the success signal $signals_dir/$1"
}

signal_error() {
    mkdir -p "$signals_dir"
    human=false
    [ "$3" = ambiguous_decision ] && human=true
    more=''
    [ -n "${6:-}" ] && more=",
    $6"
    cat > "$signals_dir/$1" <<JSON
{
  "phase": $2,
  "status": "error",
  "failed_at": "$(now)",
  "error": {
    "type": "$3",
    "message": "$(json_text "$4")",
    "recovery_attempted": false,
    "requires_human": $human$more
  },
  "next_action": "$(json_text "$5")"
}
JSON
    echo "Wrote the error signal $signals_dir/$1 ($3)"
}
