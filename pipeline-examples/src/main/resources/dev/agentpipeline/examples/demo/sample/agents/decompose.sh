#!/bin/sh
# The demo's task decomposition (STAGE_0): one task per acceptance criterion of the story, written to
# docs/tasks/<story>/tasks.md. Run by the command stage in the story's worktree:
#   agents/decompose.sh {summary_file}
set -eu
. agents/summary.sh
summary=${1:?usage: decompose.sh SUMMARY_FILE}
story_dir="docs/tasks/$PIPELINE_STORY_ID"
[ -f "$story_dir/story.md" ] || { echo "No story file $story_dir/story.md" >&2; exit 1; }

echo "Reading the acceptance criteria of $story_dir/story.md"
n=0 tasks='' list=''
# The criteria are the list items of the story ("- ...").
grep '^- ' "$story_dir/story.md" > "$story_dir/.criteria" || true
{
    echo "# Tasks of $PIPELINE_STORY_ID"
    echo
    while IFS= read -r line; do
        n=$((n + 1))
        task=$(printf 'T-%03d' "$n")
        echo "- [ ] $task: make true: ${line#- }"
    done < "$story_dir/.criteria"
} > "$story_dir/tasks.md"
rm -f "$story_dir/.criteria"
n=$(grep -c '^- \[ \]' "$story_dir/tasks.md" || true)
i=1
while [ "$i" -le "$n" ]; do
    tasks="$tasks${tasks:+, }\"$(printf 'T-%03d' "$i")\""
    i=$((i + 1))
done
plan_score=$(( n == 0 ? 0 : (n + 1 > 4 ? 4 : n + 1) ))
cat "$story_dir/tasks.md"
write_summary "$summary" Backlog '' "\"plan_score\": $plan_score, \"tasks_remaining\": [$tasks],
      \"last_action\": \"Tasks created\", \"notes\": \"Created $n tasks, one per acceptance criterion, in $story_dir/tasks.md\""
