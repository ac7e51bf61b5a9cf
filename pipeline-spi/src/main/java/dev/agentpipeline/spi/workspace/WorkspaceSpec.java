package dev.agentpipeline.spi.workspace;

import org.apiguardian.api.API;

import java.util.Objects;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * What workspace to create for a run. Immutable.
 *
 * <pre>{@code
 * WorkspaceSpec spec = WorkspaceSpec.builder("story-US001", "feature/US001-login-form")
 *         .carryUncommittedChanges(true)
 *         .build();
 * }</pre>
 *
 * @param name the workspace's name, also its directory's name under the workspace root ({@code story-US001});
 *     1 to 100 characters of letters, digits, '.', '_' and '-', not starting with '.' or '-'
 * @param branch the branch it works on ({@code feature/US001-login-form}); created from the base when it does not
 *     exist, checked out as it is when it does (a resumed run)
 * @param base the branch or commit a new branch starts from; empty for the provider's detected base branch
 *     ({@code origin/HEAD}, else {@code main}, else {@code master})
 * @param startPoint a commit to start the new branch (or reset a recreated workspace) at instead of the base's tip:
 *     a rework that starts from the last checkpoint whose quality gate passed; empty for none
 * @param carryUncommittedChanges whether the uncommitted changes of the repository's working tree are carried into
 *     the new workspace as a patch
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record WorkspaceSpec(String name, String branch, Optional<String> base, Optional<String> startPoint,
                            boolean carryUncommittedChanges) {

    /** Validates. */
    public WorkspaceSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(branch, "branch");
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(startPoint, "startPoint");
    }

    /**
     * @param name the workspace's name
     * @param branch its branch
     * @return a builder (no base override, no start point, carrying changes)
     */
    public static Builder builder(String name, String branch) {
        return new Builder(name, branch);
    }

    /**
     * Builds a {@link WorkspaceSpec}.
     *
     * @since 0.1
     */
    public static final class Builder {
        private final String name;
        private final String branch;
        private String base;
        private String startPoint;
        private boolean carry = true;

        private Builder(String name, String branch) {
            this.name = name;
            this.branch = branch;
        }

        /**
         * @param value the branch or commit to start from instead of the detected base branch
         * @return this builder
         */
        public Builder base(String value) {
            this.base = value;
            return this;
        }

        /**
         * @param commit a commit to start at (a rework from the last green checkpoint)
         * @return this builder
         */
        public Builder startPoint(String commit) {
            this.startPoint = commit;
            return this;
        }

        /**
         * @param carry whether to carry the repository's uncommitted changes over as a patch (default true)
         * @return this builder
         */
        public Builder carryUncommittedChanges(boolean carry) {
            this.carry = carry;
            return this;
        }

        /** @return the spec */
        public WorkspaceSpec build() {
            return new WorkspaceSpec(name, branch, Optional.ofNullable(base), Optional.ofNullable(startPoint), carry);
        }
    }
}
