package dev.agentpipeline.core.definition;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The parts of a YAML definition that the loader could not read. Each has already been reported as a problem;
 * {@link DefinitionValidator} skips the checks that would need the missing part instead of guessing it, so the
 * loader reports the model's problems together with the reading problems, but never a problem that only follows
 * from one already reported (a transition to a state whose entry is malformed is not a transition to an unknown
 * state). A definition built in Java has no gaps. Not thread-safe; filled by one reader.
 */
final class ReadGaps {

    /** A transition whose {@code from} or {@code to} could not be read; null stands for the part not read. */
    record Edge(String from, String to) {
    }

    /** An evidence path of a guard that could not be built, to be checked like the paths of those that could. */
    record PathUse(String owner, SourceLocation location, String path) {
    }

    /** The pipeline's id could not be read. */
    boolean id;
    /** The initial state could not be read. */
    boolean initial;
    /** The {@code states} mapping is missing or not a mapping: no state is known. */
    boolean states;
    /** The {@code counters} entry is not a mapping: no counter is known. */
    boolean counters;
    /** The {@code transitions} list is missing or not a list: no transition is known. */
    boolean transitions;
    /** States whose entry, {@code terminal}, {@code stage} or {@code collect} could not be read. */
    final Set<String> stateBodies = new HashSet<>();
    /** Transitions of which only a part could be read. */
    final List<Edge> edges = new ArrayList<>();
    /** Where the transitions are whose {@code increments} could not be read (they may be bounded). */
    final Set<SourceLocation> increments = new HashSet<>();
    /** Evidence paths of guards that could not be built. */
    final List<PathUse> paths = new ArrayList<>();

    /** @return whether the reader may not have seen every transition's source */
    boolean sourceUnread() {
        return transitions || edges.stream().anyMatch(edge -> edge.from() == null);
    }
}
