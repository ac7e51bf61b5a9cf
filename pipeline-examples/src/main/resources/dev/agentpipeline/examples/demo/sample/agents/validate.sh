#!/bin/sh
# The demo's validation (STAGE_1): every acceptance criterion must name a checkable result. Like the ln-1000 skill's
# validator it fixes what it can while it reports NO-GO, so the retry finds a GO. Run by the command stage:
#   agents/validate.sh {summary_file}
set -eu
. agents/summary.sh
summary=${1:?usage: validate.sh SUMMARY_FILE}
story="docs/tasks/$PIPELINE_STORY_ID/story.md"

vague=$(grep -n '^- .*quickly' "$story" | head -n 1 || true)
if [ -n "$vague" ]; then
    line=${vague%%:*}
    criterion=${vague#*:}
    criterion=${criterion#- }
    echo "Not testable: '$criterion' (line $line); rewriting it into a measurable criterion"
    sed "${line}s/.*/- \`greet\` answers within 10 ms for names up to 100 characters/" "$story" > "$story.tmp"
    mv "$story.tmp" "$story"
    write_summary "$summary" Backlog '"verdict": "NO-GO", "readiness_score": 4' \
        "\"reason\": \"Acceptance criterion '$(json_text "$criterion")' is not testable\", \"agents_info\": \"validate.sh\",
      \"notes\": \"Rewrote the vague criterion into a measurable one; validation must run again.\""
else
    echo "Every acceptance criterion names a checkable result"
    write_summary "$summary" Todo '"verdict": "GO", "readiness_score": 8' \
        '"agents_info": "validate.sh", "notes": "Every acceptance criterion names a checkable result."'
fi
