package dev.agentpipeline.core.store;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** {@link FileRunStore} keeps the {@link RunStore} contract. */
class FileRunStoreTest extends RunStoreContract {

    @TempDir
    Path root;

    @Override
    protected RunStore newStore() {
        return FileRunStore.open(root.resolve(".pipeline"));
    }
}
