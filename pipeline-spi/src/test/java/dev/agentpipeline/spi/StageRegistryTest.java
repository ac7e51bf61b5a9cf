package dev.agentpipeline.spi;

import com.example.stages.LintStage;
import com.example.stages.ReservedPrefixStage;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceConfigurationError;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StageRegistryTest {

    private static final String SERVICE_FILE = "META-INF/services/" + Stage.class.getName();

    @TempDir
    Path temp;

    /**
     * A class loader that sees the given provider-configuration lines (as a jar on the class path would contribute
     * them) on top of the test classes.
     */
    private ClassLoader pluginJar(String directory, String... providerLines) throws IOException {
        Path root = temp.resolve(directory);
        Path file = root.resolve(SERVICE_FILE);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "# providers of " + directory + "\n" + String.join("\n", providerLines) + "\n",
                StandardCharsets.UTF_8);
        return new URLClassLoader(new URL[] {root.toUri().toURL()}, getClass().getClassLoader());
    }

    private ClassLoader pluginJars(ClassLoader first, String directory, String... providerLines) throws IOException {
        Path root = temp.resolve(directory);
        Path file = root.resolve(SERVICE_FILE);
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join("\n", providerLines) + "\n", StandardCharsets.UTF_8);
        return new URLClassLoader(new URL[] {root.toUri().toURL()}, first);
    }

    @Nested
    class Discovery {

        @Test
        void findsEveryProviderListedInServiceFiles() throws IOException {
            // Given
            ClassLoader loader = pluginJar("plugins", TestStages.Alpha.class.getName(), TestStages.Beta.class.getName(),
                    LintStage.class.getName());

            // When
            StageRegistry registry = StageRegistry.load(loader);

            // Then
            assertThat(registry.ids()).containsExactly("acme-alpha", "acme-beta", "example-lint");
            assertThat(registry.size()).isEqualTo(3);
            assertThat(registry.require("example-lint")).isInstanceOf(LintStage.class);
            assertThat(registry.find("acme-beta")).containsInstanceOf(TestStages.Beta.class);
        }

        @Test
        void loadsFromTheThreadContextClassLoader() throws IOException {
            // Given
            ClassLoader loader = pluginJar("context", TestStages.Alpha.class.getName());
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(loader);
            try {
                // When
                StageRegistry registry = StageRegistry.load();

                // Then
                assertThat(registry.ids()).containsExactly("acme-alpha");
            } finally {
                thread.setContextClassLoader(previous);
            }
        }

        @Test
        void findsNothingWhenNoJarListsAPlugin() {
            // Given a loader without any provider-configuration file
            ClassLoader empty = new URLClassLoader(new URL[0], null);

            // When
            StageRegistry registry = StageRegistry.load(empty);

            // Then
            assertThat(registry.ids()).isEmpty();
            assertThat(registry.size()).isZero();
        }

        @Test
        void rejectsTwoPluginsWithTheSameIdNamingBothClasses() throws IOException {
            // Given two jars that both provide "acme-alpha"
            ClassLoader first = pluginJar("first-jar", TestStages.Alpha.class.getName());
            ClassLoader both = pluginJars(first, "second-jar", TestStages.AlphaImpostor.class.getName());

            // When / Then
            assertThatThrownBy(() -> StageRegistry.load(both))
                    .isInstanceOf(StageDiscoveryException.class)
                    .hasMessageContaining("Two stage plugins have the id 'acme-alpha'")
                    .hasMessageContaining(TestStages.Alpha.class.getName())
                    .hasMessageContaining(TestStages.AlphaImpostor.class.getName())
                    .hasMessageContaining("remove one jar from the class path or rename one plugin's id");
        }

        @Test
        void rejectsTheReservedPrefixOnAClassOutsideTheLibrary() throws IOException {
            // Given
            ClassLoader loader = pluginJar("third-party", ReservedPrefixStage.class.getName());

            // When / Then
            assertThatThrownBy(() -> StageRegistry.load(loader))
                    .isInstanceOf(StageDiscoveryException.class)
                    .hasMessageContaining(ReservedPrefixStage.class.getName())
                    .hasMessageContaining("'pipeline-lint'")
                    .hasMessageContaining("the prefix 'pipeline-' is reserved")
                    .hasMessageContaining("'acme-lint'");
        }

        @Test
        void allowsTheReservedPrefixForTheLibrarysOwnPlugins() throws IOException {
            // Given a plugin class inside dev.agentpipeline
            ClassLoader loader = pluginJar("own", TestStages.BuiltIn.class.getName());

            // When
            StageRegistry registry = StageRegistry.load(loader);

            // Then
            assertThat(registry.ids()).containsExactly("pipeline-builtin");
        }

        @Test
        void rejectsAMalformedIdNamingTheClass() throws IOException {
            // Given
            ClassLoader loader = pluginJar("malformed", TestStages.UpperCaseId.class.getName());

            // When / Then
            assertThatThrownBy(() -> StageRegistry.load(loader))
                    .isInstanceOf(StageDiscoveryException.class)
                    .hasMessageContaining(TestStages.UpperCaseId.class.getName())
                    .hasMessageContaining("has the id 'Acme-Lint'")
                    .hasMessageContaining("ids are 1 to 64 characters of lower-case letters, digits and '-'");
        }

        @Test
        void explainsAListedClassThatDoesNotExist() throws IOException {
            // Given
            ClassLoader loader = pluginJar("missing", "com.example.stages.DoesNotExist");

            // When / Then
            assertThatThrownBy(() -> StageRegistry.load(loader))
                    .isInstanceOf(StageDiscoveryException.class)
                    .hasCauseInstanceOf(ServiceConfigurationError.class)
                    .hasMessageContaining("META-INF/services/dev.agentpipeline.spi.Stage could not be loaded")
                    .hasMessageContaining("com.example.stages.DoesNotExist")
                    .hasMessageContaining("Check that the class exists, is public and has a public no-argument"
                            + " constructor");
        }

        @Test
        void explainsAPluginWhoseConstructorThrows() throws IOException {
            // Given
            ClassLoader loader = pluginJar("exploding", TestStages.ExplodingConstructor.class.getName());

            // When / Then
            assertThatThrownBy(() -> StageRegistry.load(loader))
                    .isInstanceOf(StageDiscoveryException.class)
                    .hasCauseInstanceOf(ServiceConfigurationError.class)
                    .hasMessageContaining(TestStages.ExplodingConstructor.class.getName())
                    .hasMessageContaining("could not be loaded");
        }

        @Test
        void explainsAPluginWithoutAPublicNoArgumentConstructor() throws IOException {
            // Given
            ClassLoader loader = pluginJar("needs-argument", TestStages.NeedsArgument.class.getName());

            // When / Then
            assertThatThrownBy(() -> StageRegistry.load(loader))
                    .isInstanceOf(StageDiscoveryException.class)
                    .hasMessageContaining(TestStages.NeedsArgument.class.getName())
                    .hasMessageContaining("public no-argument constructor");
        }

        @Test
        void explainsAPluginThatCannotSayItsId() throws IOException {
            // Given
            ClassLoader loader = pluginJar("id-throws", TestStages.IdThrows.class.getName());

            // When / Then
            assertThatThrownBy(() -> StageRegistry.load(loader))
                    .isInstanceOf(StageDiscoveryException.class)
                    .hasCauseInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(TestStages.IdThrows.class.getName())
                    .hasMessageContaining("plugin.properties not found");
        }

        @Test
        void explainsAListedClassThatIsNotAStage() throws IOException {
            // Given
            ClassLoader loader = pluginJar("not-a-stage", TestStages.NotAStage.class.getName());

            // When / Then
            assertThatThrownBy(() -> StageRegistry.load(loader))
                    .isInstanceOf(StageDiscoveryException.class)
                    .hasMessageContaining(TestStages.NotAStage.class.getName());
        }

        @Test
        void rejectsANullClassLoader() {
            assertThatThrownBy(() -> StageRegistry.load((ClassLoader) null)).isInstanceOf(NullPointerException.class);
        }
    }

    @Nested
    class Lookup {

        @Test
        void requireNamesTheAvailableIdsInSortedOrderWhenAnIdIsMissing() {
            // Given
            StageRegistry registry = StageRegistry.of(TestStages.withId("acme-zeta"), TestStages.withId("acme-alpha"));

            // When / Then
            assertThatThrownBy(() -> registry.require("acme-lint"))
                    .isInstanceOfSatisfying(StageNotFoundException.class,
                            e -> assertThat(e.stageId()).isEqualTo("acme-lint"))
                    .hasMessageContaining("No stage plugin with id 'acme-lint'")
                    .hasMessageContaining("Available: acme-alpha, acme-zeta.")
                    .hasMessageContaining("META-INF/services/dev.agentpipeline.spi.Stage");
        }

        @Test
        void requireSaysNoneAreAvailableInAnEmptyRegistry() {
            // Given
            StageRegistry registry = StageRegistry.of();

            // When / Then
            assertThatThrownBy(() -> registry.require("acme-lint"))
                    .isInstanceOf(StageNotFoundException.class)
                    .hasMessageContaining("Available: none.");
        }

        @Test
        void findIsEmptyForAnUnknownId() {
            assertThat(StageRegistry.of(TestStages.withId("acme-alpha")).find("acme-beta")).isEmpty();
        }

        @Test
        void idsAreSortedAndUnmodifiable() {
            // Given
            StageRegistry registry = StageRegistry.of(TestStages.withId("acme-b"), TestStages.withId("acme-a"));

            // Then
            assertThat(registry.ids()).containsExactly("acme-a", "acme-b");
            assertThatThrownBy(() -> registry.ids().add("acme-c")).isInstanceOf(UnsupportedOperationException.class);
            assertThat(registry).hasToString("StageRegistry[acme-a, acme-b]");
        }

        @Test
        void withAddsPluginsWithoutChangingTheOriginal() {
            // Given
            StageRegistry original = StageRegistry.of(TestStages.withId("acme-a"));

            // When
            StageRegistry extended = original.with(TestStages.withId("acme-b"));

            // Then
            assertThat(extended.ids()).containsExactly("acme-a", "acme-b");
            assertThat(original.ids()).containsExactly("acme-a");
        }

        @Test
        void withRejectsAnIdThatIsTaken() {
            // Given
            StageRegistry registry = StageRegistry.of(TestStages.withId("acme-a"));

            // When / Then
            assertThatThrownBy(() -> registry.with(TestStages.withId("acme-a")))
                    .isInstanceOf(StageDiscoveryException.class)
                    .hasMessageContaining("Two stage plugins have the id 'acme-a'");
        }

        @Test
        void ofChecksPluginsLikeDiscoveredOnes() {
            assertThatThrownBy(() -> StageRegistry.of(new ReservedPrefixStage()))
                    .isInstanceOf(StageDiscoveryException.class)
                    .hasMessageContaining("reserved");
            assertThatThrownBy(() -> StageRegistry.of(TestStages.withId("Bad Id")))
                    .isInstanceOf(StageDiscoveryException.class)
                    .hasMessageContaining("'Bad Id'");
        }
    }

    @Nested
    class IdForm {

        @ParameterizedTest
        @ValueSource(strings = {"a", "acme-lint", "story-quality-gate", "x1", "a-", "pipeline-validate",
                "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij1234"})
        void acceptsLowerCaseLettersDigitsAndDashesStartingWithALetter(String id) {
            assertThat(StageRegistry.isValidId(id)).isTrue();
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "1acme", "-acme", "Acme", "acme_lint", "acme lint", "acme.lint", "acme/lint",
                "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij12345"})
        void rejectsEverythingElse(String id) {
            assertThat(StageRegistry.isValidId(id)).isFalse();
            assertThatThrownBy(() -> StageRegistry.of(TestStages.withId(id)))
                    .isInstanceOf(StageDiscoveryException.class)
                    .hasMessageContaining("'" + id + "'");
        }

        @Test
        void rejectsANullId() {
            assertThat(StageRegistry.isValidId(null)).isFalse();
            assertThatThrownBy(() -> StageRegistry.of(TestStages.withId(null)))
                    .isInstanceOf(StageDiscoveryException.class)
                    .hasMessageContaining("has the id 'null'");
        }
    }
}
