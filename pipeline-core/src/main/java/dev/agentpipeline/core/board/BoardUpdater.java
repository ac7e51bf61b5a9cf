package dev.agentpipeline.core.board;

import dev.agentpipeline.core.engine.RunListener;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.StoreException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Keeps the board in step with a run, as the seeds' lead does: whenever a stage summary is recorded, the story moves
 * to the summary's {@code story_status} (Backlog after decomposition, Todo after a GO, To Review after execution,
 * Done or To Rework after the quality gate). Register it on the runtime that drives the run.
 *
 * <pre>{@code
 * BoardUpdater board = new BoardUpdater(BoardFile.of(boardPath, stateDir.resolve("board.lock"), timeout));
 * runtime.addListener(board);
 * orchestrator.drive(runId);
 * board.moves();      // what moved
 * board.problems();   // what could not: the run goes on either way
 * }</pre>
 *
 * <p>A board that cannot be updated (missing, the story not on it, no section for the status, the lock busy) never
 * stops or pauses the run: the board is a view for people, the journal is the truth. Each such problem is logged
 * and kept in {@link #problems()}. Thread-safe.
 *
 * @since 0.1
 */
public final class BoardUpdater implements RunListener {

    private static final Logger LOG = LoggerFactory.getLogger(BoardUpdater.class);

    private final BoardFile board;
    private final List<BoardFile.Move> moves = new CopyOnWriteArrayList<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();

    /** @param board the board to keep up to date */
    public BoardUpdater(BoardFile board) {
        this.board = Objects.requireNonNull(board, "board");
    }

    @Override
    public void onEvent(RunEvent event, RunState state) {
        if (!(event instanceof RunEvent.SummaryRecorded summary)) {
            return;
        }
        Object payload = summary.summary().get("payload");
        Object storyStatus = payload instanceof Map<?, ?> map ? map.get("story_status") : null;
        if (storyStatus == null) {
            return; // a stage that said nothing of the story's status
        }
        String story = state.subjectId();
        BoardStatus status = BoardStatus.of(storyStatus.toString()).orElse(null);
        if (status == null) {
            problem(summary.stateId() + " reported story_status '" + storyStatus + "', which is no board section;"
                    + " " + story + " stays where it is on " + board.file());
            return;
        }
        try {
            BoardFile.Move move = board.move(story, status);
            if (move.changed()) {
                moves.add(move);
                LOG.info("Board: {} moved from {} to {}", story, move.from().label(), move.to().label());
            }
        } catch (BoardException | StoreException e) {
            problem("Cannot move " + story + " to " + status.label() + " on the board: " + e.getMessage());
        }
    }

    private void problem(String message) {
        problems.add(message);
        LOG.warn(message);
    }

    /** @return the moves made so far, in order; never null */
    public List<BoardFile.Move> moves() {
        return List.copyOf(moves);
    }

    /** @return the updates that could not be made, in order, each saying why; never null */
    public List<String> problems() {
        return List.copyOf(problems);
    }
}
