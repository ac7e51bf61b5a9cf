#!/bin/sh
# Phase 5, Task Decomposition (the Task-Decomposer): one task per acceptance criterion of docs/feature.md, each
# expanded into an implementation and a test subtask, written to .taskmaster/tasks/tasks.json. A person approves the
# breakdown before phase 6 starts. Run by the command stage in the project:
#   agents/phase5-decompose.sh SIGNAL_FILE
set -eu
. agents/signal.sh
file=${1:?usage: phase5-decompose.sh SIGNAL_FILE}

echo "Reading the acceptance criteria of docs/feature.md"
mkdir -p .taskmaster/tasks
grep '^- ' docs/feature.md > .taskmaster/tasks/criteria.txt || true
n=0 sep=''
{
    echo '{'
    echo '  "feature": "docs/feature.md",'
    echo '  "tasks": ['
    while IFS= read -r line; do
        n=$((n + 1))
        printf '%s    {"id": %d, "title": "%s", "subtasks": ["%d.1 implement", "%d.2 test"]}' "$sep" "$n" \
            "$(json_text "${line#- }")" "$n" "$n"
        sep=',
'
    done < .taskmaster/tasks/criteria.txt
    echo
    echo '  ]'
    echo '}'
} > .taskmaster/tasks/tasks.json
rm -f .taskmaster/tasks/criteria.txt
cat .taskmaster/tasks/tasks.json
signal_success "$file" 5 "Task Decomposition" 6 "{\"tasks_analyzed\": $n, \"tasks_expanded\": $n,
    \"subtasks_generated\": $((2 * n)), \"tasks_file\": \".taskmaster/tasks/tasks.json\"}"
