package dev.agentpipeline.spi;

/**
 * Stage plugins for discovery tests. They live in {@code dev.agentpipeline.spi}, so the registry treats them as
 * the library's own (the reserved prefix is allowed for them).
 */
final class TestStages {

    private TestStages() {
    }

    /** A stage with a fixed id that completes at once. */
    abstract static class Fixed implements Stage {
        private final String id;

        Fixed(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public StageOutcome run(StageContext context) {
            return StageOutcome.completed().build();
        }
    }

    public static final class Alpha extends Fixed {
        public Alpha() {
            super("acme-alpha");
        }
    }

    public static final class Beta extends Fixed {
        public Beta() {
            super("acme-beta");
        }
    }

    /** Claims the id of {@link Alpha}. */
    public static final class AlphaImpostor extends Fixed {
        public AlphaImpostor() {
            super("acme-alpha");
        }
    }

    /** Uses the reserved prefix, which is fine for a class inside dev.agentpipeline. */
    public static final class BuiltIn extends Fixed {
        public BuiltIn() {
            super("pipeline-builtin");
        }
    }

    public static final class UpperCaseId extends Fixed {
        public UpperCaseId() {
            super("Acme-Lint");
        }
    }

    /** Throws while being instantiated by ServiceLoader. */
    public static final class ExplodingConstructor extends Fixed {
        public ExplodingConstructor() {
            super("acme-exploding");
            throw new IllegalStateException("cannot start: config missing");
        }
    }

    /** Fails when asked for its id. */
    public static final class IdThrows implements Stage {
        @Override
        public String id() {
            throw new IllegalStateException("plugin.properties not found");
        }

        @Override
        public StageOutcome run(StageContext context) {
            return StageOutcome.completed().build();
        }
    }

    /** Has no public no-argument constructor. */
    public static final class NeedsArgument extends Fixed {
        public NeedsArgument(String id) {
            super(id);
        }
    }

    /** Listed as a stage but does not implement Stage. */
    public static final class NotAStage {
        public NotAStage() {
        }
    }

    /** A stage whose id is given at construction, for {@link StageRegistry#of(Stage...)}. */
    static Stage withId(String id) {
        return new Fixed(id) {
        };
    }
}
