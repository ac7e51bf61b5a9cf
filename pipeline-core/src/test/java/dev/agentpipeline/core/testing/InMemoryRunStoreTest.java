package dev.agentpipeline.core.testing;

import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.store.ConcurrentAppendException;
import dev.agentpipeline.core.store.LockTimeoutException;
import dev.agentpipeline.core.store.RunLock;
import dev.agentpipeline.core.store.RunSnapshot;
import dev.agentpipeline.core.store.StoreException;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The test double honours the parts of the RunStore contract the other tests rely on. */
class InMemoryRunStoreTest {

    private static final Instant T = MutableClock.START;
    private final InMemoryRunStore store = new InMemoryRunStore();

    private static RunEvent started(String runId) {
        return new RunEvent.Started(T, runId, "demo", "S-1", "", "A", Map.of(), Map.of(), Map.of());
    }

    private static RunEvent move(String from, String to) {
        return new RunEvent.Transitioned(T, from, to, null, null, false);
    }

    @Test
    void createsARunWithItsFirstAppendAndNumbersEventsWithoutGaps() {
        RunSnapshot created = store.append("run-1", 0, List.of(started("run-1"), move("A", "B")));
        RunSnapshot moved = store.append("run-1", 2, List.of(move("B", "C")));

        assertThat(created.sequence()).isEqualTo(2);
        assertThat(moved.sequence()).isEqualTo(3);
        assertThat(moved.state().phase()).isEqualTo("C");
        assertThat(store.journal("run-1")).extracting(e -> e.sequence()).containsExactly(1L, 2L, 3L);
        assertThat(store.load("run-1").orElseThrow().state().phase()).isEqualTo("C");
        assertThat(store.runIds()).containsExactly("run-1");
        assertThat(store.load("run-2")).isEmpty();
        assertThat(store.journal("run-2")).isEmpty();
    }

    @Test
    void refusesAnAppendThatDoesNotContinueTheJournal() {
        store.append("run-1", 0, List.of(started("run-1")));

        assertThatThrownBy(() -> store.append("run-1", 0, List.of(started("run-1"))))
                .isInstanceOf(ConcurrentAppendException.class);
        assertThatThrownBy(() -> store.append("run-1", 5, List.of(move("A", "B"))))
                .isInstanceOf(ConcurrentAppendException.class).hasMessageContaining("expected its journal to end at 5");
        assertThatThrownBy(() -> store.append("run-9", 3, List.of(move("A", "B"))))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.code()).isEqualTo("run_not_found"));
        assertThatThrownBy(() -> store.append("run-1", 1, List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void appendsAllEventsOrNone() {
        store.append("run-1", 0, List.of(started("run-1")));

        assertThatThrownBy(() -> store.append("run-1", 1, List.of(move("A", "B"), started("run-1"))))
                .isInstanceOf(IllegalArgumentException.class);

        assertThat(store.journal("run-1")).hasSize(1);
        assertThat(store.load("run-1").orElseThrow().state().phase()).isEqualTo("A");
    }

    @Test
    void locksAreReentrantForTheOwnerAndMakeOthersWait() throws Exception {
        try (RunLock outer = store.lock("run-1", Duration.ofSeconds(1));
             RunLock inner = store.lock("run-1", Duration.ofSeconds(1))) {
            CompletableFuture<Object> other = CompletableFuture.supplyAsync(() ->
                    store.lock("run-1", Duration.ofMillis(20)));

            assertThatThrownBy(other::get).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(LockTimeoutException.class);
        }
        CompletableFuture.runAsync(() -> store.lock("run-1", Duration.ofSeconds(1)).close()).get();
    }

    @Test
    void keepsTheCurrentRunOfEachSubject() {
        store.setActive("demo", "S-1", "run-1");
        store.setActive("demo", "S-2", "run-2");
        store.setActive("other", "S-1", "run-3");

        store.clearActive("demo", "S-2", "run-x");
        assertThat(store.activeRuns("demo")).containsExactly(Map.entry("S-1", "run-1"), Map.entry("S-2", "run-2"));

        store.clearActive("demo", "S-2", "run-2");
        assertThat(store.activeRun("demo", "S-2")).isEmpty();
        assertThat(store.activeRun("other", "S-1")).contains("run-3");
    }

    @Test
    void refusesUnsafeIds() {
        assertThatThrownBy(() -> store.load("../x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.setActive("demo", "a/b", "run-1")).isInstanceOf(IllegalArgumentException.class);
    }
}
