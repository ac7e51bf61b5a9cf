package dev.agentpipeline.testkit;

import dev.agentpipeline.core.store.FileRunStore;
import dev.agentpipeline.core.store.RunStore;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** {@link FileRunStore}, the built-in store, keeps the {@link RunStore} contract. */
class FileRunStoreContractTest extends RunStoreContract {

    @TempDir
    Path root;

    @Override
    protected RunStore newStore() {
        return FileRunStore.open(root.resolve(".pipeline"));
    }
}
