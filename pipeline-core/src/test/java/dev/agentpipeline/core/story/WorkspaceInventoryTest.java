package dev.agentpipeline.core.story;

import dev.agentpipeline.core.engine.PipelineRuntime;
import dev.agentpipeline.core.engine.StartRequest;
import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.testing.FakeWorkspaceProvider;
import dev.agentpipeline.spi.workspace.Workspace;
import dev.agentpipeline.spi.workspace.WorkspaceException;
import dev.agentpipeline.spi.workspace.WorkspaceProvider;
import dev.agentpipeline.spi.workspace.WorkspaceSpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class WorkspaceInventoryTest {

    @TempDir
    Path project;

    private FileRunStore store;
    private PipelineRuntime runtime;
    private FakeWorkspaceProvider git;

    @BeforeEach
    void setUp() {
        store = FileRunStore.open(project.resolve(".pipeline"));
        runtime = PipelineRuntime.builder().store(store).definition(StoryPipeline.definition()).build();
        git = new FakeWorkspaceProvider(project.resolve(".pipeline/worktrees"));
    }

    private String storyWithWorkspace(String story) {
        String runId = runtime.start(StartRequest.builder("story", story).title("t").build()).run().state().runId();
        StoryWorkspaces.builder(git).build().prepare(runtime, runtime.load(runId).state());
        return runId;
    }

    @Test
    void listsEachWorkspaceWithItsRun() {
        String active = storyWithWorkspace("US001");
        String ended = storyWithWorkspace("US002");
        runtime.cancel(ended, "dropped");
        git.create(WorkspaceSpec.builder("story-US003", "feature/US003-t").build()); // a crash left it unrecorded

        List<WorkspaceInventory.Entry> entries = new WorkspaceInventory(git, store).list();

        assertThat(entries).extracting(e -> e.toJson().get("name"), e -> e.toJson().get("run"), e -> e.orphan())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("story-US001", "active", false),
                        org.assertj.core.groups.Tuple.tuple("story-US002", "ended", true),
                        org.assertj.core.groups.Tuple.tuple("story-US003", "none", true));
        assertThat(entries.get(0).toJson()).containsEntry("run_id", active).containsEntry("story_id", "US001")
                .containsEntry("phase", "QUEUED");
    }

    @Test
    void prunesOrphansOnlyAndKeepsThoseWithUncommittedWorkUnlessForced() {
        storyWithWorkspace("US001");
        String ended = storyWithWorkspace("US002");
        runtime.cancel(ended, "dropped");
        git.create(WorkspaceSpec.builder("story-US003", "feature/US003-t").build());
        WorkspaceProvider refusing = new RefusingDirty(git, "story-US003");

        List<WorkspaceInventory.Pruned> first = new WorkspaceInventory(refusing, store).prune(false);

        assertThat(first).extracting(p -> p.entry().workspace().name(), WorkspaceInventory.Pruned::removed)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("story-US002", true),
                        org.assertj.core.groups.Tuple.tuple("story-US003", false));
        assertThat(first.get(1).reason()).contains("uncommitted");
        assertThat(git.list()).extracting(Workspace::name).containsExactly("story-US001", "story-US003");

        List<WorkspaceInventory.Pruned> forced = new WorkspaceInventory(refusing, store).prune(true);
        assertThat(forced).extracting(WorkspaceInventory.Pruned::removed).containsExactly(true);
        assertThat(git.list()).extracting(Workspace::name).containsExactly("story-US001");
        assertThat(forced.get(0).toJson()).containsEntry("removed", true).containsEntry("orphan", true);
    }

    /** Refuses to remove one workspace without force, as a workspace with uncommitted changes is refused. */
    private static final class RefusingDirty implements WorkspaceProvider {
        private final FakeWorkspaceProvider delegate;
        private final String dirty;

        RefusingDirty(FakeWorkspaceProvider delegate, String dirty) {
            this.delegate = delegate;
            this.dirty = dirty;
        }

        @Override
        public void remove(Workspace workspace, boolean force) {
            if (workspace.name().equals(dirty) && !force) {
                throw new WorkspaceException("uncommitted_work", workspace.name() + " has uncommitted changes",
                        "Commit them, or prune with --force", null);
            }
            delegate.remove(workspace, force);
        }

        @Override
        public Workspace create(WorkspaceSpec spec) {
            return delegate.create(spec);
        }

        @Override
        public java.util.Optional<Workspace> find(String name) {
            return delegate.find(name);
        }

        @Override
        public List<Workspace> list() {
            return delegate.list();
        }

        @Override
        public String head(Workspace workspace) {
            return delegate.head(workspace);
        }

        @Override
        public String commitAll(Workspace workspace, String message, boolean allowEmpty) {
            return delegate.commitAll(workspace, message, allowEmpty);
        }

        @Override
        public dev.agentpipeline.spi.workspace.DiffStats diffStats(Workspace workspace) {
            return delegate.diffStats(workspace);
        }

        @Override
        public dev.agentpipeline.spi.workspace.SavedWork savePartialWork(Workspace workspace, String message) {
            return delegate.savePartialWork(workspace, message);
        }

        @Override
        public dev.agentpipeline.spi.workspace.MergeResult merge(String branch, String into, String message) {
            return delegate.merge(branch, into, message);
        }

        @Override
        public boolean isMerged(String branch, String into) {
            return delegate.isMerged(branch, into);
        }

        @Override
        public String baseBranch() {
            return delegate.baseBranch();
        }

        @Override
        public Path repository() {
            return delegate.repository();
        }
    }
}
