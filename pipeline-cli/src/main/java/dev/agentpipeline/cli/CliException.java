package dev.agentpipeline.cli;

/**
 * A call the command line cannot run (an unknown command, an option without its value...), answered with
 * {@code {ok: false, error, code, fix}} on stderr and exit code 2.
 */
final class CliException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String code;
    private final String fix;

    CliException(String code, String message, String fix) {
        super(message, null, false, false);
        this.code = code;
        this.fix = fix;
    }

    String code() {
        return code;
    }

    String fix() {
        return fix;
    }
}
