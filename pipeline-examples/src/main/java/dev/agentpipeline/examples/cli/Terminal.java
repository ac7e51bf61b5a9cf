package dev.agentpipeline.examples.cli;

import java.io.Console;
import java.util.Optional;

/**
 * The person at the terminal, for a question a command must not guess the answer to (which story to run). A command
 * asks only when there is one ({@link #system()}: {@code System.console()} present, so stdin and stdout are a
 * terminal); an agent or a pipe gets an error that says which flag to pass instead. Tests give a scripted one.
 *
 * @since 0.1
 */
@FunctionalInterface
interface Terminal {

    /**
     * Reads the next line the person types (the question is already on stderr).
     *
     * @return the line without its terminator, or null at the end of input (Ctrl-D)
     */
    String readLine();

    /** @return the process's terminal, or empty when stdin or stdout is not one */
    static Optional<Terminal> system() {
        Console console = System.console();
        return console == null ? Optional.empty() : Optional.of(console::readLine);
    }
}
