package dev.agentpipeline.cli;

import java.io.Console;
import java.io.PrintStream;
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

    /**
     * Asks a question and reads the answer.
     *
     * @param out where the question goes (stderr)
     * @param question the question, ending where the answer is typed
     * @return the answer, trimmed; null when the person typed nothing or ended the input
     */
    default String ask(PrintStream out, String question) {
        out.print(question);
        out.flush();
        String line = readLine();
        if (line == null || line.isBlank()) {
            out.println();
            return null;
        }
        return line.trim();
    }

    /** @return the process's terminal, or empty when stdin or stdout is not one */
    static Optional<Terminal> system() {
        Console console = System.console();
        if (console == null || !isTerminal(console)) {
            return Optional.empty();
        }
        return Optional.of(console::readLine);
    }

    /**
     * Java 22 and later give a console even to a process whose streams are redirected, and say with
     * {@code Console.isTerminal()} (absent on 17 to 21, where a console means a terminal) whether it is one.
     */
    private static boolean isTerminal(Console console) {
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
