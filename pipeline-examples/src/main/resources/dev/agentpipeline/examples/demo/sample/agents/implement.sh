#!/bin/sh
# The demo's implementation (STAGE_2), a stand-in for a coding agent: it writes the feature, and when a rework's
# focus asks for tests, the tests. Run by the command stage with the quality gate's focus of a rework:
#   agents/implement.sh {summary_file} {rework_focus}
set -eu
. agents/summary.sh
summary=${1:?usage: implement.sh SUMMARY_FILE [REWORK_FOCUS]}
focus=${2:-}
changed=''

if [ ! -f src/main/java/demo/Greeting.java ]; then
    mkdir -p src/main/java/demo
    cat > src/main/java/demo/Greeting.java <<'JAVA'
package demo;

/** Greets users by name. */
public final class Greeting {
    private Greeting() {
    }

    /**
     * @param name the user's name as typed, not blank
     * @return the greeting
     * @throws IllegalArgumentException if the name is null or blank
     */
    public static String greet(String name) {
        String normalized = Names.normalize(name);
        if (normalized.isEmpty()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        return "Hello, " + normalized + "!";
    }
}
JAVA
    changed="src/main/java/demo/Greeting.java"
fi

case "$focus" in
*[Tt]est*)
    if [ ! -f src/test/java/demo/GreetingTest.java ]; then
        mkdir -p src/test/java/demo
        cat > src/test/java/demo/GreetingTest.java <<'JAVA'
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

    void testRejectsBlankNames() {
        rejects(IllegalArgumentException.class, () -> Greeting.greet("  "));
    }
}
JAVA
        changed="$changed${changed:+, }src/test/java/demo/GreetingTest.java"
    fi
    ;;
esac

if [ -n "$changed" ]; then
    notes="Wrote $changed"
else
    notes="Nothing left to change"
fi
[ -n "$focus" ] && notes="$notes (rework focus: $focus)"
echo "$notes"
write_summary "$summary" "To Review" '' "\"notes\": \"$(json_text "$notes")\", \"last_action\": \"Implementation complete\",
      \"tasks_completed\": [\"T-001\", \"T-002\", \"T-003\", \"T-004\"]"
