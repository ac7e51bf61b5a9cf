package dev.agentpipeline.core.story;

import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.RunWorkspaces;
import dev.agentpipeline.core.run.Checkpoint;
import dev.agentpipeline.core.run.Ids;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.spi.workspace.DiffStats;
import dev.agentpipeline.spi.workspace.SavedWork;
import dev.agentpipeline.spi.workspace.Workspace;
import dev.agentpipeline.spi.workspace.WorkspaceException;
import dev.agentpipeline.spi.workspace.WorkspaceProvider;
import dev.agentpipeline.spi.workspace.WorkspaceSpec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.apiguardian.api.API;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A git worktree per story, as the ln-1000 skill keeps them: created when the run starts its first stage
 * ({@code story-{id}} on branch {@code feature/{id}-{slug}} from the base branch, carrying the project's uncommitted
 * changes over as a patch), its head commit recorded in every checkpoint and its diff stats in stage 2's, its work
 * committed as {@code WIP: {id} pipeline paused at stage N} and pushed when the run pauses (the worktree removed,
 * the branch kept, recreated on the next drive), and removed when the run ends, its branch kept.
 *
 * <pre>{@code
 * WorkspaceProvider git = ServiceLoader.load(WorkspaceProviderFactory.class).findFirst().orElseThrow()
 *         .open(projectDir, projectDir.resolve(".pipeline/worktrees"));
 * Orchestrator orchestrator = StoryPipeline.orchestrator(runtime, stages, run -> projectDir, entry)
 *         .workspaces(StoryWorkspaces.builder(git).build())
 *         .build();
 * }</pre>
 *
 * <p>Where the work is lives in the run: attribute {@code workspace} ({@code name, directory, branch, base_commit,
 * kind, state} with state {@code active}, {@code saved} or {@code removed}, and {@code saved_work} after a pause),
 * and the older ln-1000 runtime's {@code worktree_dir} and {@code branch_name}; a patch that did not apply and a push
 * that did not happen are recorded in {@code infra_issues}. When the project already is on a {@code feature/*},
 * {@code optimize/*}, {@code upgrade/*} or {@code modernize/*} branch, the stages work in place. Thread-safe if the
 * provider is.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class StoryWorkspaces implements RunWorkspaces {

    private static final Logger LOG = LoggerFactory.getLogger(StoryWorkspaces.class);

    /** The run attribute that says where the story's workspace is. */
    public static final String ATTRIBUTE = "workspace";

    private static final Set<String> GREEN = Set.of("PASS", "CONCERNS", "WAIVED");

    private final WorkspaceProvider provider;
    private final boolean carryChanges;
    private final boolean reworkFromLastGreen;
    private final String base;
    private final Path subdirectory;

    private StoryWorkspaces(Builder builder) {
        this.provider = builder.provider;
        this.carryChanges = builder.carryChanges;
        this.reworkFromLastGreen = builder.reworkFromLastGreen;
        this.base = builder.base;
        this.subdirectory = builder.subdirectory;
    }

    /**
     * @param provider the workspaces of the project's repository
     * @return a builder
     */
    public static Builder builder(WorkspaceProvider provider) {
        return new Builder(provider);
    }

    /**
     * @param storyId a story id (a safe id)
     * @return the name of its workspace: {@code story-{id}}
     */
    public static String workspaceName(String storyId) {
        return "story-" + Ids.requireSafe("story id", storyId);
    }

    /**
     * @param storyId a story id (a safe id)
     * @param title its title
     * @return its branch: {@code feature/{id}-{slug of the title}}
     */
    public static String branchName(String storyId, String title) {
        return "feature/" + Ids.requireSafe("story id", storyId) + "-" + Ids.slug(title, 40);
    }

    @Override
    public Path prepare(PipelineRuntime runtime, RunState run) {
        Map<String, Object> recorded = recorded(run);
        String name = text(recorded.get("name"), workspaceName(run.subjectId()));
        if ("active".equals(recorded.get("state"))) {
            if (Workspace.Kind.IN_PLACE.name().equals(recorded.get("kind"))) {
                return within(Path.of(String.valueOf(recorded.get("directory"))));
            }
            Optional<Workspace> existing = provider.find(name);
            if (existing.isPresent() && !resetForRework(run, recorded)) {
                return within(existing.get().directory());
            }
        }
        String branch = text(recorded.get("branch"), text(run.attributes().get("branch_name"),
                branchName(run.subjectId(), run.title())));
        Optional<String> startPoint = reworkStart(run, recorded);
        provider.find(name).ifPresent(stale -> provider.remove(stale, startPoint.isPresent()));
        WorkspaceSpec.Builder spec = WorkspaceSpec.builder(name, branch)
                .carryUncommittedChanges(carryChanges && recorded.isEmpty());
        if (base != null) {
            spec.base(base);
        }
        startPoint.ifPresent(spec::startPoint);
        Workspace workspace = provider.create(spec.build());
        Map<String, Object> attributes = new LinkedHashMap<>();
        Map<String, Object> record = describe(workspace, "active");
        startPoint.ifPresent(commit -> {
            record.put("rework_start", commit);
            record.put("rework_visit", run.visitStart(run.phase()));
        });
        attributes.put(ATTRIBUTE, record);
        attributes.put("worktree_dir", workspace.directory().toString());
        attributes.put("branch_name", workspace.branch());
        if (!workspace.warnings().isEmpty()) {
            attributes.put("infra_issues", issues(run, run.phase(), "workspace", workspace.warnings()));
        }
        runtime.updateAttributes(run.runId(), attributes);
        LOG.info("Run {} works in {} ({} on {}{})", run.runId(), workspace.directory(), workspace.kind(),
                workspace.branch(), recorded.isEmpty() ? "" : ", recreated");
        return within(workspace.directory());
    }

    /** Where the stages work in a workspace: its top, or the project's subdirectory of it. */
    private Path within(Path workspaceTop) {
        return subdirectory == null ? workspaceTop : workspaceTop.resolve(subdirectory);
    }

    /** Whether a rework is to start from the last green commit and this visit has not been reset yet. */
    private boolean resetForRework(RunState run, Map<String, Object> recorded) {
        return reworkStart(run, recorded).isPresent();
    }

    private Optional<String> reworkStart(RunState run, Map<String, Object> recorded) {
        if (!reworkFromLastGreen || !"STAGE_2".equals(run.phase()) || run.counter("quality_cycles") == 0) {
            return Optional.empty();
        }
        Object resetVisit = recorded.get("rework_visit");
        if (resetVisit instanceof Number n && n.longValue() == run.visitStart("STAGE_2")) {
            return Optional.empty(); // this rework's workspace was reset already
        }
        return lastGreenCommit(run);
    }

    /**
     * The commit recorded by the newest checkpoint whose quality gate passed (verdict PASS, CONCERNS or WAIVED): where
     * a rework can start from.
     *
     * @param run the run
     * @return the commit, if such a checkpoint recorded one
     */
    public static Optional<String> lastGreenCommit(RunState run) {
        List<Checkpoint> checkpoints = run.checkpoints();
        for (int i = checkpoints.size() - 1; i >= 0; i--) {
            Map<String, Object> payload = checkpoints.get(i).payload();
            if (GREEN.contains(String.valueOf(payload.get("verdict"))) && payload.get("workspace_commit") instanceof String c) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    @Override
    public Evidence evidence(RunState run, String stateId) {
        Optional<Workspace> workspace = active(run);
        if (workspace.isEmpty()) {
            return Evidence.NONE;
        }
        Map<String, Object> checkpoint = new LinkedHashMap<>();
        Map<String, Object> attributes = new LinkedHashMap<>();
        try {
            checkpoint.put("workspace_commit", provider.head(workspace.get()));
            if ("STAGE_2".equals(stateId)) {
                DiffStats stats = provider.diffStats(workspace.get());
                Map<String, Object> gitStats = new LinkedHashMap<>();
                gitStats.put("files_changed", (long) stats.filesChanged());
                gitStats.put("lines_added", (long) stats.linesAdded());
                gitStats.put("lines_deleted", (long) stats.linesDeleted());
                checkpoint.put("git_stats", gitStats);
                attributes.put("git_stats", gitStats);
            }
        } catch (WorkspaceException e) {
            LOG.warn("Run {}: cannot read its workspace for the {} checkpoint: {}", run.runId(), stateId,
                    e.getMessage());
            checkpoint.put("workspace_error", e.getMessage());
        }
        return new Evidence(checkpoint, attributes);
    }

    @Override
    public void paused(PipelineRuntime runtime, RunState run) {
        Map<String, Object> recorded = recorded(run);
        Optional<Workspace> workspace = active(run);
        if (workspace.isEmpty()) {
            return;
        }
        String stage = run.pausedFrom().flatMap(StoryPipeline::stageNumber).map(String::valueOf)
                .orElse(run.workingState());
        SavedWork saved = provider.savePartialWork(workspace.get(),
                "WIP: " + run.subjectId() + " pipeline paused at stage " + stage);
        Map<String, Object> record = new LinkedHashMap<>(recorded);
        boolean inPlace = workspace.get().kind() == Workspace.Kind.IN_PLACE;
        record.put("state", inPlace ? "active" : "saved");
        Map<String, Object> work = new LinkedHashMap<>();
        work.put("branch", saved.branch());
        work.put("commit", saved.commit());
        work.put("remote", saved.remote().orElse(null));
        work.put("push_warning", saved.pushWarning().orElse(null));
        record.put("saved_work", work);
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put(ATTRIBUTE, record);
        saved.pushWarning().ifPresent(warning ->
                attributes.put("infra_issues", issues(run, run.workingState(), "push", List.of(warning))));
        runtime.updateAttributes(run.runId(), attributes);
        LOG.info("Run {} paused: its work is on branch {} at {}{}", run.runId(), saved.branch(), saved.commit(),
                saved.remote().map(r -> " (pushed to " + r + ")").orElse(""));
    }

    @Override
    public void ended(PipelineRuntime runtime, RunState run) {
        Map<String, Object> recorded = recorded(run);
        Optional<Workspace> workspace = active(run);
        if (workspace.isEmpty()) {
            return;
        }
        String result = run.finalResult().orElse("DONE");
        String commit = provider.commitAll(workspace.get(), run.subjectId() + ": pipeline "
                + result.toLowerCase(Locale.ROOT), false);
        Map<String, Object> record = new LinkedHashMap<>(recorded);
        record.put("final_commit", commit);
        if (workspace.get().kind() != Workspace.Kind.IN_PLACE) {
            provider.remove(workspace.get(), false);
            record.put("state", "removed");
        }
        runtime.updateAttributes(run.runId(), Map.of(ATTRIBUTE, record));
        LOG.info("Run {} ended ({}): branch {} kept at {}", run.runId(), result, workspace.get().branch(), commit);
    }

    /** The workspace the run records as active, if it (still) exists. */
    private Optional<Workspace> active(RunState run) {
        Map<String, Object> recorded = recorded(run);
        if (!"active".equals(recorded.get("state"))) {
            return Optional.empty();
        }
        if (Workspace.Kind.IN_PLACE.name().equals(recorded.get("kind"))) {
            return Optional.of(new Workspace(String.valueOf(recorded.get("name")),
                    Path.of(String.valueOf(recorded.get("directory"))), String.valueOf(recorded.get("branch")),
                    String.valueOf(recorded.get("base_commit")), Workspace.Kind.IN_PLACE, List.of()));
        }
        return provider.find(String.valueOf(recorded.get("name")));
    }

    private static Map<String, Object> describe(Workspace workspace, String state) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("name", workspace.name());
        record.put("directory", workspace.directory().toString());
        record.put("branch", workspace.branch());
        record.put("base_commit", workspace.baseCommit());
        record.put("kind", workspace.kind().name());
        record.put("state", state);
        return record;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> recorded(RunState run) {
        Object value = run.attributes().get(ATTRIBUTE);
        return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    private static List<Object> issues(RunState run, String phase, String type, List<String> messages) {
        List<Object> issues = new ArrayList<>();
        if (run.attributes().get("infra_issues") instanceof List<?> existing) {
            issues.addAll(existing);
        }
        for (String message : messages) {
            Map<String, Object> issue = new LinkedHashMap<>();
            issue.put("phase", phase);
            issue.put("type", type);
            issue.put("message", message);
            issues.add(issue);
        }
        return issues;
    }

    private static String text(Object value, String fallback) {
        return value instanceof String s && !s.isEmpty() ? s : fallback;
    }

    /**
     * Builds {@link StoryWorkspaces}.
     *
     * @since 0.1
     */
    public static final class Builder {
        private final WorkspaceProvider provider;
        private boolean carryChanges = true;
        private boolean reworkFromLastGreen;
        private String base;
        private Path subdirectory;

        private Builder(WorkspaceProvider provider) {
            this.provider = Objects.requireNonNull(provider, "provider");
        }

        /**
         * @param carry whether a new story's workspace gets the project's uncommitted changes as a patch (default
         *     true)
         * @return this builder
         */
        public Builder carryUncommittedChanges(boolean carry) {
            this.carryChanges = carry;
            return this;
        }

        /**
         * @param value whether a rework (a failed quality gate sending the story back to execution) starts from the
         *     commit of the last checkpoint whose quality gate passed, instead of the branch as the failed attempt
         *     left it (default false)
         * @return this builder
         */
        public Builder reworkFromLastGreen(boolean value) {
            this.reworkFromLastGreen = value;
            return this;
        }

        /**
         * @param branch the branch (or commit) new story branches start from, instead of the detected base branch
         * @return this builder
         */
        public Builder base(String branch) {
            this.base = Objects.requireNonNull(branch, "branch");
            return this;
        }

        /**
         * For a project that is a subdirectory of its repository (a monorepo): the stages work in this
         * subdirectory of the story's workspace, which holds the whole repository.
         *
         * <pre>{@code
         * StoryWorkspaces.builder(git).subdirectory(Path.of("services/billing")).build();
         * }</pre>
         *
         * @param relative the project's path relative to the top of the repository's working tree; empty for the top
         * @return this builder
         * @throws IllegalArgumentException if the path is absolute or leaves the repository ({@code ..})
         */
        public Builder subdirectory(Path relative) {
            Objects.requireNonNull(relative, "relative");
            Path normal = relative.normalize();
            if (relative.isAbsolute() || normal.startsWith("..")) {
                throw new IllegalArgumentException("The project's subdirectory must be a path inside the repository,"
                        + " relative to its top (got '" + relative + "'); for example Path.of(\"services/billing\").");
            }
            this.subdirectory = normal.toString().isEmpty() ? null : normal;
            return this;
        }

        /** @return the workspaces */
        public StoryWorkspaces build() {
            return new StoryWorkspaces(this);
        }
    }
}
