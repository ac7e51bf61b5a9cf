#!/bin/sh
# Phase 7, Implementation (the TDD-Implementer): writes demo.Greeting and its tests, then builds the project and runs
# every test under JaCoCo (agents/test.sh) and signals what it measured: tests written and passing, line and branch
# coverage. The pipeline moves on only when every test passes and coverage is at least 80% of the lines and 70% of
# the branches. The reports go into reports/phase7/ with the work, so the later phases (each in a worktree of its
# own, made after this phase's branch is merged back) can read them: build/ is not committed.
# docs/feature.md leaves open what a blank name gets, so without a decision the agent asks for one: an error signal
# of type ambiguous_decision with its own options, which a person answers (pipeline decide); the phase then runs
# again with the answer as its input decision. Run by the command stage in the project:
#   agents/phase7-implement.sh SIGNAL_FILE [DECISION]     (DECISION: {"option": "A", "by": ..., "reason": ...})
set -eu
. agents/signal.sh
file=${1:?usage: phase7-implement.sh SIGNAL_FILE [DECISION]}
option=$(printf '%s' "${2:-}" | sed -n 's/.*"option": *"\([^"]*\)".*/\1/p')

if [ -z "$option" ]; then
    echo "docs/feature.md says 'A blank name is handled', but not how: asking a person"
    signal_error "$file" 7 ambiguous_decision \
        "docs/feature.md does not say what greet does with a blank name: reject it, or greet a guest?" \
        "Answer the decision, then the phase runs again with it" '"options": [
      {"id": "A", "label": "Reject a blank name with an IllegalArgumentException",
       "pros": ["a caller finds its mistake at once"], "cons": ["every caller handles the exception"]},
      {"id": "B", "label": "Greet a blank name as a guest (Hello, guest!)",
       "pros": ["greet never fails"], "cons": ["a caller never learns of an empty name"]},
      {"id": "C", "label": "Abort the pipeline",
       "pros": ["nothing half-decided is built"], "cons": ["the feature waits"]}]'
    exit 0
fi

case "$option" in
A)
    rule=reject
    blank='throw new IllegalArgumentException("name must not be blank");'
    blank_doc='@throws IllegalArgumentException if the name is null or blank'
    blank_test='rejects(IllegalArgumentException.class, () -> Greeting.greet("  "));'
    ;;
B)
    rule=guest
    blank='return "Hello, guest!";'
    blank_doc='A null or blank name is greeted as a guest.'
    blank_test='equal("Hello, guest!", Greeting.greet("  "));'
    ;;
*)
    signal_error "$file" 7 critical "Unknown decision '$option': this agent knows A and B" "Answer A or B"
    exit 0
    ;;
esac
echo "Decision $option: a blank name is handled by the rule '$rule'"
mkdir -p src/main/java/demo src/test/java/demo docs
cat > src/main/java/demo/Greeting.java <<JAVA
package demo;

/** Greets users by name. */
public final class Greeting {
    private Greeting() {
    }

    /**
     * @param name the user's name as typed
     * @return the greeting
     * $blank_doc
     */
    public static String greet(String name) {
        String normalized = Names.normalize(name);
        if (normalized.isEmpty()) {
            $blank
        }
        return "Hello, " + normalized + "!";
    }
}
JAVA
cat > src/test/java/demo/GreetingTest.java <<JAVA
package demo;

import static demo.Check.equal;
import static demo.Check.rejects;

class GreetingTest {
    void testGreetsByName() {
        equal("Hello, Ada!", Greeting.greet("Ada"));
    }

    void testIgnoresExtraSpaces() {
        equal("Hello, Ada Lovelace!", Greeting.greet("  Ada   Lovelace "));
    }

    void testBlankName() {
        $blank_test
    }
}
JAVA
printf '# Decisions\n\n- blank-name: %s (option %s of the phase 7 decision)\n' "$rule" "$option" > docs/decisions.md
grep -q 'Greeting.greet' README.md || printf '\nUsage: `demo.Greeting.greet("Ada")` returns `Hello, Ada!`.\n' >> README.md
echo "Wrote src/main/java/demo/Greeting.java, src/test/java/demo/GreetingTest.java and docs/decisions.md"

status=0
agents/test.sh || status=$?
rm -rf reports/phase7
mkdir -p reports/phase7
for report in build/tests.env build/coverage.env build/jacoco.xml build/test-reports; do
    [ -e "$report" ] && cp -R "$report" reports/phase7/
done
if [ ! -f build/tests.env ] || [ ! -f build/coverage.env ]; then
    signal_error "$file" 7 test_failure "The project does not build (agents/test.sh exited with status $status)" \
        "Make the project compile"
    exit 0
fi
. build/tests.env
. build/coverage.env
percent() { # covered missed: covered of both in percent, one decimal; 100 when there is nothing to cover
    awk -v c="$1" -v m="$2" 'BEGIN { if (c + m == 0) print "100.0"; else printf "%.1f\n", 100 * c / (c + m) }'
}
line=$(percent "$LINE_COVERED" "$LINE_MISSED")
branch=$(percent "$BRANCH_COVERED" "$BRANCH_MISSED")
passing=$((TESTS_RUN - TESTS_FAILED))
echo "Measured: $passing of $TESTS_RUN tests pass; line coverage $line% ($LINE_COVERED of $((LINE_COVERED + LINE_MISSED))),"\
    "branch coverage $branch% ($BRANCH_COVERED of $((BRANCH_COVERED + BRANCH_MISSED)))"
if [ "$TESTS_FAILED" -gt 0 ]; then
    signal_error "$file" 7 test_failure "$TESTS_FAILED of $TESTS_RUN tests fail (reports/phase7/test-reports)" \
        "Fix the failing tests"
    exit 0
fi
signal_success "$file" 7 "Implementation" 9 "{\"subtasks_implemented\": $((2 * $(grep -c '"id"' .taskmaster/tasks/tasks.json))),
    \"decision\": \"$option\", \"tests_written\": $TESTS_RUN, \"tests_passing\": $passing,
    \"code_coverage\": {\"line\": $line, \"branch\": $branch},
    \"lines\": {\"covered\": $LINE_COVERED, \"missed\": $LINE_MISSED},
    \"branches\": {\"covered\": $BRANCH_COVERED, \"missed\": $BRANCH_MISSED},
    \"reports\": [\"reports/phase7/test-reports\", \"reports/phase7/jacoco.xml\"]}"
