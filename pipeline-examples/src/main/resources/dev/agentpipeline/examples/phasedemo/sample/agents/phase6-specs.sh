#!/bin/sh
# Phase 6, Spec Generation (the Spec-Generator): a spec per acceptance criterion of docs/feature.md (a task of
# phase 5), in docs/specs/greeting.md. Its first visit stands for a call to a service that times out:
# it signals the transient error network_timeout, and the pipeline runs the phase again after its backoff.
# Run by the command stage in the project, with the number of the phase's visit:
#   agents/phase6-specs.sh SIGNAL_FILE VISIT
set -eu
. agents/signal.sh
file=${1:?usage: phase6-specs.sh SIGNAL_FILE VISIT}
visit=${2:-1}

if [ "$visit" = 1 ]; then
    echo "Asking the spec service for proposals (simulated: the first try of this demo agent always times out)"
    signal_error "$file" 6 network_timeout "The spec service did not answer within 30 s" \
        "Retry the phase when the service answers"
    exit 0
fi

echo "Visit $visit: writing the specs"
mkdir -p docs/specs
{
    echo "# Specs: greet users by name"
    echo
    grep '^- ' docs/feature.md | while IFS= read -r criterion; do
        echo "## ${criterion#- }"
        echo
        echo "- Given the name of the example, when greet is called, then it answers what the criterion says."
        echo "- Tested by a unit test of demo.Greeting."
        echo
    done
} > docs/specs/greeting.md
n=$(grep -c '^## ' docs/specs/greeting.md || true)
echo "Wrote $n specs to docs/specs/greeting.md"
signal_success "$file" 6 "Spec Generation" 7 "{\"tasks_processed\": $n, \"proposals_created\": $n,
    \"specs\": \"docs/specs/greeting.md\"}"
