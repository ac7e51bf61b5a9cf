package dev.agentpipeline.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;

import dev.agentpipeline.architecture.fixtures.api.Clean;
import dev.agentpipeline.architecture.fixtures.api.Leaky;
import dev.agentpipeline.architecture.fixtures.internal.Secret;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The module arrows of DESIGN.md and the library's hygiene rules, checked on the compiled classes of every module
 * (tests excluded). Each custom rule is also run against fixtures that break it, so a rule that stopped biting would
 * fail here too.
 */
class ArchitectureTest {

    private static final String SPI = "dev.agentpipeline.spi..";
    private static final String CORE = "dev.agentpipeline.core..";
    private static final String STAGES = "dev.agentpipeline.stages..";
    private static final String GIT = "dev.agentpipeline.git..";
    private static final String EXAMPLES = "dev.agentpipeline.examples..";
    private static final String GUICE = "dev.agentpipeline.guice..";
    private static final String CLI = "dev.agentpipeline.cli..";
    private static final String TESTKIT = "dev.agentpipeline.testkit..";
    /** The stability annotations ({@code @API}), which every published module may use. */
    private static final String API_GUARDIAN = "org.apiguardian.api..";
    private static final String BOARD = "dev.agentpipeline.core.board..";

    /** Leaves out test classes however they reach the class path: as directories or as a module's tests jar. */
    private static final Pattern TESTS_JAR = Pattern.compile(".*-tests\\.jar.*");
    private static final ImportOption NO_TESTS = location -> ImportOption.Predefined.DO_NOT_INCLUDE_TESTS.includes(location)
            && !location.matches(TESTS_JAR) && !location.contains("/test-classes/");

    private static JavaClasses production;

    @BeforeAll
    static void importProductionClasses() {
        production = new ClassFileImporter().withImportOption(NO_TESTS).importPackages("dev.agentpipeline");
    }

    // ------------------------------------------------------------------------------------------- module arrows

    static ArchRule spiDependsOnTheJdkOnly() {
        return classes().that().resideInAPackage(SPI)
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", SPI, API_GUARDIAN)
                .because("a plugin compiled against pipeline-spi alone must run (DESIGN.md: plain JDK only, plus the"
                        + " class-retention stability annotations)");
    }

    static ArchRule coreDependsOnSpiJacksonAndSlf4jOnly() {
        return classes().that().resideInAPackage(CORE)
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", SPI, CORE, "com.fasterxml.jackson..",
                        "org.slf4j..", API_GUARDIAN)
                .because("pipeline-core is spi + Jackson + SLF4J API (DESIGN.md)");
    }

    static ArchRule coreSeesNoPluginsFrameworksOrGit() {
        return noClasses().that().resideInAPackage(CORE)
                .should().dependOnClassesThat().resideInAnyPackage(STAGES, EXAMPLES, GIT, GUICE, CLI, TESTKIT, "com.google.inject..",
                        "com.google.common..", "picocli..", "ch.qos.logback..", "org.eclipse.jgit..")
                .because("pipeline-core has no DI framework, no JGit, no plugin implementations and no logging backend");
    }

    static ArchRule stagesSeeSpiAndJacksonOnly() {
        return classes().that().resideInAPackage(STAGES)
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", SPI, STAGES, "com.fasterxml.jackson..",
                        "javax.xml..", "org.xml.sax..", API_GUARDIAN)
                .because("pipeline-stages sees pipeline-spi only, plus Jackson and the JDK's XML parser to read reports"
                        + " (DESIGN.md)")
                .allowEmptyShould(true);
    }

    static ArchRule gitSeesSpiJGitAndSlf4jOnly() {
        return classes().that().resideInAPackage(GIT)
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", SPI, GIT, "org.eclipse.jgit..",
                        "org.slf4j..", API_GUARDIAN)
                .because("pipeline-git is spi + JGit (+ the git command line, run as a process) (DESIGN.md)");
    }

    static ArchRule stagesAndGitNeverSeeCore() {
        return noClasses().that().resideInAnyPackage(STAGES, GIT)
                .should().dependOnClassesThat().resideInAPackage(CORE)
                .because("plugins and workspaces must not reach into the runtime's internals")
                .allowEmptyShould(true);
    }

    static ArchRule spiDependsOnNothingOfOurs() {
        return noClasses().that().resideInAPackage(SPI)
                .should().dependOnClassesThat().resideInAnyPackage(CORE, STAGES, GIT, GUICE, CLI, TESTKIT, EXAMPLES)
                .because("pipeline-spi is the bottom of the module graph");
    }

    static ArchRule guiceSeesTheRuntimeAndGuiceOnly() {
        return classes().that().resideInAPackage(GUICE)
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", SPI, CORE, GUICE,
                        "com.google.inject..", "jakarta.inject..", API_GUARDIAN)
                .because("an application wires the runtime with pipeline-guice without the command line's"
                        + " dependencies: no Logback, no picocli, no plugins of ours");
    }

    static ArchRule testkitSeesTheRuntimeJUnitAndAssertJOnly() {
        return classes().that().resideInAPackage(TESTKIT)
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", SPI, CORE, TESTKIT, "org.junit..",
                        "org.assertj..", API_GUARDIAN)
                .because("the test kit is what extension authors put on their test class path, nothing more");
    }

    static ArchRule onlyTheExamplesSeeTheExamples() {
        return noClasses().that().resideInAnyPackage(SPI, CORE, STAGES, GIT, GUICE, CLI, TESTKIT)
                .should().dependOnClassesThat().resideInAPackage(EXAMPLES)
                .because("the example apps are thin users of the library and the command line, never a part of them"
                        + " (the command line finds the demo as a CliExtension)");
    }

    static ArchRule theRuntimeNeverReadsTheBoard() {
        return noClasses().that().resideInAPackage(CORE).and().resideOutsideOfPackage(BOARD)
                .should().dependOnClassesThat().resideInAPackage(BOARD)
                .because("the kanban board is a view for people that follows the runs; the journal is the truth, so"
                        + " no guard, store or engine decision may depend on the board (architecture.md)");
    }

    @Test
    void spiDependsOnlyOnTheJdk() {
        spiDependsOnTheJdkOnly().check(production);
        spiDependsOnNothingOfOurs().check(production);
    }

    @Test
    void coreDependsOnlyOnSpiJacksonAndSlf4j() {
        coreDependsOnSpiJacksonAndSlf4jOnly().check(production);
        coreSeesNoPluginsFrameworksOrGit().check(production);
    }

    @Test
    void guiceTestkitAndCliKeepTheirArrows() {
        guiceSeesTheRuntimeAndGuiceOnly().check(production);
        testkitSeesTheRuntimeJUnitAndAssertJOnly().check(production);
        onlyTheExamplesSeeTheExamples().check(production);
    }

    @Test
    void onlyTheBoardPackageSeesTheBoardInCore() {
        theRuntimeNeverReadsTheBoard().check(production);
    }

    @Test
    void stagesAndGitDependOnlyOnSpiAndTheirLibraries() {
        stagesSeeSpiAndJacksonOnly().check(production);
        gitSeesSpiJGitAndSlf4jOnly().check(production);
        stagesAndGitNeverSeeCore().check(production);
    }

    @Test
    void theLibraryModulesWereImported() {
        // Guards the rules above against passing on an empty class path.
        assertThat(production.stream().map(JavaClass::getPackageName))
                .contains("dev.agentpipeline.spi", "dev.agentpipeline.core.engine", "dev.agentpipeline.core.internal",
                        "dev.agentpipeline.core.board", "dev.agentpipeline.git", "dev.agentpipeline.guice",
                        "dev.agentpipeline.cli", "dev.agentpipeline.testkit");
        assertThat(production.stream().map(JavaClass::getName)).noneMatch(name -> name.endsWith("Test"));
    }

    // ----------------------------------------------------------------------------------------------- cycles

    /** One slice per module ({@code spi}, {@code core}...). */
    static final SliceAssignment MODULES = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            List<String> parts = packageParts(javaClass);
            return parts.isEmpty() ? SliceIdentifier.ignore() : SliceIdentifier.of(parts.get(0));
        }

        @Override
        public String getDescription() {
            return "modules of dev.agentpipeline";
        }
    };

    /** One slice per top-level package of each module ({@code core.engine}, {@code spi.testing}, {@code spi}...). */
    static final SliceAssignment TOP_LEVEL_PACKAGES = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            List<String> parts = packageParts(javaClass);
            if (parts.isEmpty()) {
                return SliceIdentifier.ignore();
            }
            return SliceIdentifier.of(parts.size() == 1 ? parts.get(0) : parts.get(0) + "." + parts.get(1));
        }

        @Override
        public String getDescription() {
            return "top-level packages of each module";
        }
    };

    private static List<String> packageParts(JavaClass javaClass) {
        String name = javaClass.getPackageName();
        String root = "dev.agentpipeline.";
        return name.startsWith(root) ? List.of(name.substring(root.length()).split("\\.")) : List.of();
    }

    @Test
    void modulesAreFreeOfCycles() {
        slices().assignedFrom(MODULES).should().beFreeOfCycles().check(production);
    }

    @Test
    void packagesAreFreeOfCycles() {
        slices().assignedFrom(TOP_LEVEL_PACKAGES).should().beFreeOfCycles().check(production);
    }

    // ------------------------------------------------------------------------------------------ internal types

    static ArchRule internalTypesStayOutOfPublicSignatures() {
        return classes().that().resideOutsideOfPackage("..internal..")
                .should(notExposeInternalTypes())
                .because("anything in an internal package may change in any release, so public API must not name it");
    }

    static ArchCondition<JavaClass> notExposeInternalTypes() {
        return new ArchCondition<>("not expose types of ..internal.. packages in public or protected signatures") {
            @Override
            public void check(JavaClass type, ConditionEvents events) {
                if (!isVisibleOutside(type)) {
                    return;
                }
                List<JavaType> supertypes = new ArrayList<>(type.getInterfaces());
                type.getSuperclass().ifPresent(supertypes::add);
                for (JavaType supertype : supertypes) {
                    report(events, type, type.getName() + " extends or implements", supertype);
                }
                for (JavaMember member : type.getMembers()) {
                    Set<JavaModifier> modifiers = member.getModifiers();
                    if (!modifiers.contains(JavaModifier.PUBLIC) && !modifiers.contains(JavaModifier.PROTECTED)
                            || modifiers.contains(JavaModifier.SYNTHETIC)) {
                        continue;
                    }
                    if (member instanceof JavaField field) {
                        report(events, type, field.getFullName() + " has type", field.getType());
                    } else if (member instanceof JavaCodeUnit code) {
                        report(events, type, code.getFullName() + " returns", code.getReturnType());
                        for (JavaType parameter : code.getParameterTypes()) {
                            report(events, type, code.getFullName() + " takes", parameter);
                        }
                        code.getThrowsClause().getTypes().forEach(thrown ->
                                report(events, type, code.getFullName() + " throws", thrown));
                    }
                }
            }

            private void report(ConditionEvents events, JavaClass owner, String where, JavaType type) {
                for (JavaClass involved : type.getAllInvolvedRawTypes()) {
                    JavaClass base = involved.isArray() ? involved.getBaseComponentType() : involved;
                    if (base.getPackageName().contains(".internal")
                            && isInternalPackage(base.getPackageName())) {
                        events.add(SimpleConditionEvent.violated(owner, where + " " + base.getName()
                                + ", a type of an internal package"));
                    }
                }
            }
        };
    }

    private static boolean isInternalPackage(String packageName) {
        return List.of(packageName.split("\\.")).contains("internal");
    }

    /** Public, and so are all the classes it is nested in. */
    private static boolean isVisibleOutside(JavaClass type) {
        for (Optional<JavaClass> current = Optional.of(type); current.isPresent();
             current = current.get().getEnclosingClass()) {
            if (!current.get().getModifiers().contains(JavaModifier.PUBLIC)) {
                return false;
            }
        }
        return !type.isAnonymousClass() && !type.isLocalClass();
    }

    @Test
    void publicApiNeverNamesAnInternalType() {
        internalTypesStayOutOfPublicSignatures().check(production);
    }

    // --------------------------------------------------------------------------------------------- stability

    static ArchRule publishedTypesCarryTheirStability(String... packages) {
        return classes().that().resideInAnyPackage(packages).and().arePublic().and().areTopLevelClasses()
                .and().doNotHaveSimpleName("package-info")
                .should().beAnnotatedWith(org.apiguardian.api.API.class)
                .because("every public type of a published module says how stable it is (@API: STABLE, EXPERIMENTAL or"
                        + " INTERNAL; docs/architecture.md, 'Stability'), so users know what they may build on");
    }

    static ArchRule internalPackagesAreMarkedInternal() {
        return classes().that().resideInAPackage("dev.agentpipeline..internal..").and().arePublic()
                .and().areTopLevelClasses()
                .should(new ArchCondition<JavaClass>("be annotated @API(status = INTERNAL)") {
                    @Override
                    public void check(JavaClass type, ConditionEvents events) {
                        boolean internal = type.tryGetAnnotationOfType(org.apiguardian.api.API.class)
                                .map(api -> api.status() == org.apiguardian.api.API.Status.INTERNAL).orElse(false);
                        if (!internal) {
                            events.add(SimpleConditionEvent.violated(type, type.getName()
                                    + " is in an internal package but not marked @API(status = INTERNAL)"));
                        }
                    }
                });
    }

    @Test
    void everyPublishedPublicTypeIsMarkedWithItsStability() {
        publishedTypesCarryTheirStability(SPI, CORE, STAGES, GIT, GUICE, TESTKIT, CLI).check(production);
        internalPackagesAreMarkedInternal().check(production);
    }

    // ------------------------------------------------------------------------------------------ standard streams

    static ArchRule noStandardStreams(String... packages) {
        DescribedPredicate<JavaMethodCall> printStackTrace = DescribedPredicate.describe("printStackTrace()",
                call -> call.getTarget().getName().equals("printStackTrace")
                        && call.getTargetOwner().isAssignableTo(Throwable.class));
        return noClasses().that().resideInAnyPackage(packages)
                .should().accessField(System.class, "out")
                .orShould().accessField(System.class, "err")
                .orShould().callMethodWhere(printStackTrace)
                .because("library code reports through SLF4J and exceptions; the application owns the console");
    }

    @Test
    void libraryModulesNeverWriteToTheConsole() {
        noStandardStreams(SPI, CORE, STAGES, GIT, GUICE, TESTKIT).check(production);
    }

    // ------------------------------------------------------------------------------------- the rules still bite

    @Nested
    class RulesCatchViolations {

        private final JavaClasses fixtures = new ClassFileImporter()
                .importClasses(Leaky.class, Clean.class, Secret.class);

        @Test
        void aPublicTypeWithoutItsStabilityIsCaught() {
            assertThatThrownBy(() -> publishedTypesCarryTheirStability("..fixtures.api..").check(fixtures))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining(Leaky.class.getName())
                    .hasMessageContaining(Clean.class.getName());
            assertThatThrownBy(() -> internalPackagesAreMarkedInternal().check(new ClassFileImporter()
                    .importClasses(Secret.class)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining(Secret.class.getName() + " is in an internal package");
        }

        @Test
        void anInternalTypeInAPublicSignatureIsCaught() {
            assertThatThrownBy(() -> internalTypesStayOutOfPublicSignatures().check(fixtures))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("Leaky.field has type " + Secret.class.getName())
                    .hasMessageContaining("Leaky.secrets() returns " + Secret.class.getName())
                    .hasMessageContaining("Leaky.take(" + Secret.class.getName() + ") takes")
                    .hasMessageNotContaining("hidden")
                    .hasMessageNotContaining("Clean");
        }

        @Test
        void writingToTheConsoleIsCaught() {
            assertThatThrownBy(() -> noStandardStreams("dev.agentpipeline.architecture.fixtures..").check(fixtures))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("System.out")
                    .hasMessageContaining("System.err")
                    .hasMessageContaining("printStackTrace");
        }

        @Test
        void aDependencyOutsideTheAllowedPackagesIsCaught() {
            ArchRule onlyJdk = classes().that().resideInAPackage("..fixtures.api..")
                    .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "..fixtures.api..");

            assertThatThrownBy(() -> onlyJdk.check(fixtures)).isInstanceOf(AssertionError.class)
                    .hasMessageContaining(Secret.class.getName());
        }
    }
}
