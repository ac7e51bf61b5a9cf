package dev.agentpipeline.git;

import dev.agentpipeline.spi.workspace.WorkspaceException;

import org.eclipse.jgit.lib.Repository;

/** Checks workspace names and branch names before they touch the file system or git. Stateless. */
final class Names {

    /** The longest workspace name. */
    static final int MAX_NAME = 100;

    private Names() {
    }

    /**
     * @param name a workspace name
     * @return the name
     * @throws WorkspaceException ({@code unsafe_name}) unless it is 1 to 100 letters, digits, '.', '_' and '-', not
     *     starting with '.' or '-' and without '..'
     */
    static String requireWorkspaceName(String name) {
        String problem = nameProblem(name);
        if (problem != null) {
            throw new WorkspaceException("unsafe_name", "Workspace name " + quote(name) + " is unsafe: " + problem
                    + ". A name becomes a directory under the workspace root, so it may hold only letters, digits,"
                    + " '.', '_' and '-' (1 to " + MAX_NAME + " characters), may not start with '.' or '-' and may"
                    + " not contain '..'.", "Use a name like story-US001.", null);
        }
        return name;
    }

    private static String nameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "it is empty";
        }
        if (name.length() > MAX_NAME) {
            return "it has " + name.length() + " characters";
        }
        if (name.charAt(0) == '.' || name.charAt(0) == '-') {
            return "it starts with '" + name.charAt(0) + "'";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean allowed = c < 128 && (Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-');
            if (!allowed) {
                return "it contains " + describe(c) + " at position " + (i + 1);
            }
        }
        if (name.contains("..")) {
            return "it contains '..'";
        }
        return null;
    }

    /**
     * @param branch a branch name ({@code feature/US001-login})
     * @return the branch name
     * @throws WorkspaceException ({@code unsafe_branch}) unless {@code refs/heads/<branch>} is a valid ref name
     *     (git check-ref-format rules) and the name does not start with '-'
     */
    static String requireBranch(String branch) {
        if (branch == null || branch.isEmpty() || branch.startsWith("-") || branch.equals("HEAD")
                || branch.startsWith("refs/") || !Repository.isValidRefName("refs/heads/" + branch)) {
            throw new WorkspaceException("unsafe_branch", "Branch name " + quote(branch) + " is not a valid git"
                    + " branch name (git check-ref-format rules: no spaces, '~', '^', ':', '?', '*', '[', '\\',"
                    + " control characters, '..', '@{' or '//', no component starting with '.' or ending with"
                    + " '.lock', not starting with '-' or 'refs/', not HEAD).",
                    "Build branch names with GitBranches.featureBranch(id, title), e.g. feature/US001-login-form.",
                    null);
        }
        return branch;
    }

    static String quote(String value) {
        return value == null ? "null" : "'" + value + "'";
    }

    private static String describe(char c) {
        if (c == ' ') {
            return "a space";
        }
        if (Character.isISOControl(c)) {
            return String.format("the control character U+%04X", (int) c);
        }
        return "'" + c + "'";
    }
}
