package dev.agentpipeline.core.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link FileRunStore} keeps its state out of version control. (The store contract runs against it in
 * pipeline-testkit's FileRunStoreContractTest.)
 */
class FileRunStoreTest {

    @TempDir
    Path root;

    @Test
    void aStateDirectoryItCreatesIgnoresItselfInGit() throws IOException {
        Path state = root.resolve("project/.pipeline");
        FileRunStore store = FileRunStore.open(state);

        store.append("story-us001-1-cafe", 0, List.of(StoreEvents.journalOf("story-us001-1-cafe", 1).get(0)));

        assertThat(Files.readString(state.resolve(".gitignore"))).isEqualTo(FileRunStore.GITIGNORE);
        assertThat(Files.readAllLines(state.resolve(".gitignore"))).contains("*");
    }

    @Test
    void aStateDirectoryThatExistsIsLeftAsItIs() throws IOException {
        Path state = Files.createDirectories(root.resolve("mine"));
        FileRunStore store = FileRunStore.open(state);

        store.setActive("story", "US001", "story-us001-1-cafe");
        store.lockSubject("story", "US001", FileRunStore.DEFAULT_LOCK_TIMEOUT).close();

        assertThat(state.resolve(".gitignore")).doesNotExist();
    }
}
