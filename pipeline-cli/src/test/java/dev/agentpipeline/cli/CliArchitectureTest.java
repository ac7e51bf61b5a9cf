package dev.agentpipeline.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Rules that keep the command line's answers clean and its start-up lean. */
class CliArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages("dev.agentpipeline.cli");
    }

    @Test
    void nothingWritesToSystemOutOrSystemErr() {
        // Answers go to the streams run() is given; anything else would corrupt the JSON on stdout/stderr.
        noClasses().should().accessField(System.class, "out").orShould().accessField(System.class, "err")
                .orShould().callMethod(Throwable.class, "printStackTrace")
                .because("every answer is one JSON object on the stream PipelineMain.run was given")
                .check(classes);
    }

    @Test
    void wiringDoesNotDependOnTheCommandLine() {
        noClasses().that().resideInAPackage("dev.agentpipeline.cli.wiring..").should().dependOnClassesThat()
                .resideInAPackage("dev.agentpipeline.cli")
                .because("the call's settings and bindings are read before any command runs; they know no command")
                .check(classes);
    }

    @Test
    void noJacksonDataBindingOnTheStartUpPath() {
        noClasses().should().dependOnClassesThat().resideInAPackage("com.fasterxml.jackson.databind..")
                .because("data binding costs start-up time; core's Json uses the streaming API")
                .check(classes);
    }
}
