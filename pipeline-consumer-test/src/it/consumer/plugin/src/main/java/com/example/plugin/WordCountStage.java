package com.example.plugin;

import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Counts the words of the workspace's README.md; PASS when there are at least 5. */
public final class WordCountStage implements Stage {

    public static final String ID = "consumer-word-count";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public StageOutcome run(StageContext context) {
        Path readme = context.workspace().resolve("README.md");
        try {
            int words = Files.exists(readme) ? Files.readString(readme).trim().split("\\s+").length : 0;
            return StageOutcome.completed()
                    .verdict(words >= 5 ? "PASS" : "FAIL")
                    .metric("words", words)
                    .notes(words + " words in README.md")
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
