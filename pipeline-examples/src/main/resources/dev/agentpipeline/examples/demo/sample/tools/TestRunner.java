import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The sample project's test runner, small enough to read: every class named {@code *Test} under the test classes
 * directory is a test class, and each of its instance methods named {@code test*} without parameters is a test,
 * run on a new instance. A test passes when it returns, fails when it throws an {@link AssertionError}, and is an
 * error when it throws anything else. Writes one JUnit XML report per class, in Surefire's format
 * ({@code TEST-demo.NamesTest.xml}), and the counts as shell variables ({@code TESTS_RUN}, {@code TESTS_FAILED}).
 *
 * <pre>java -cp build/test-classes:build/classes TestRunner build/test-classes build/test-reports build/tests.env</pre>
 *
 * Exits 1 if a test failed.
 */
public final class TestRunner {

    public static void main(String[] args) throws IOException {
        Path classes = Path.of(args[0]);
        Path reports = Files.createDirectories(Path.of(args[1]));
        List<String> testClasses;
        try (Stream<Path> files = Files.walk(classes)) {
            testClasses = files.map(file -> classes.relativize(file).toString())
                    .filter(name -> name.endsWith("Test.class") && !name.contains("$"))
                    .map(name -> name.substring(0, name.length() - ".class".length()).replace('/', '.'))
                    .sorted().toList();
        }
        int run = 0;
        int failed = 0;
        for (String className : testClasses) {
            Suite suite = runClass(className);
            run += suite.tests;
            failed += suite.failures + suite.errors;
            Files.writeString(reports.resolve("TEST-" + className + ".xml"), suite.xml.toString(),
                    StandardCharsets.UTF_8);
            System.out.printf("%s: %d tests, %d failures, %d errors%n", className, suite.tests, suite.failures,
                    suite.errors);
        }
        Files.writeString(Path.of(args[2]), "TESTS_RUN=" + run + "\nTESTS_FAILED=" + failed + "\n",
                StandardCharsets.UTF_8);
        System.out.printf("Tests run: %d, failed: %d%n", run, failed);
        System.exit(failed == 0 ? 0 : 1);
    }

    private static final class Suite {
        int tests;
        int failures;
        int errors;
        final StringBuilder xml = new StringBuilder();
    }

    private static Suite runClass(String className) {
        Suite suite = new Suite();
        StringBuilder cases = new StringBuilder();
        long suiteStart = System.nanoTime();
        Class<?> type;
        try {
            type = Class.forName(className);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        List<Method> tests = new ArrayList<>();
        for (Method method : type.getDeclaredMethods()) {
            if (method.getName().startsWith("test") && method.getParameterCount() == 0
                    && !Modifier.isStatic(method.getModifiers())) {
                tests.add(method);
            }
        }
        tests.sort(Comparator.comparing(Method::getName));
        for (Method test : tests) {
            suite.tests++;
            long start = System.nanoTime();
            Throwable problem = null;
            try {
                var constructor = type.getDeclaredConstructor();
                constructor.setAccessible(true);
                test.setAccessible(true);
                test.invoke(constructor.newInstance());
            } catch (InvocationTargetException e) {
                problem = e.getCause();
            } catch (ReflectiveOperationException e) {
                problem = e;
            }
            cases.append("  <testcase name=\"").append(escape(test.getName())).append("\" classname=\"")
                    .append(escape(className)).append("\" time=\"").append(seconds(start)).append('"');
            if (problem == null) {
                cases.append("/>\n");
            } else {
                String kind = problem instanceof AssertionError ? "failure" : "error";
                if (kind.equals("failure")) {
                    suite.failures++;
                } else {
                    suite.errors++;
                }
                StringWriter trace = new StringWriter();
                problem.printStackTrace(new PrintWriter(trace));
                cases.append(">\n    <").append(kind).append(" message=\"")
                        .append(escape(String.valueOf(problem.getMessage()))).append("\" type=\"")
                        .append(escape(problem.getClass().getName())).append("\">").append(escape(trace.toString()))
                        .append("</").append(kind).append(">\n  </testcase>\n");
                System.out.println("FAILED " + className + "." + test.getName() + ": " + problem);
            }
        }
        suite.xml.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"").append(escape(className))
                .append("\" tests=\"").append(suite.tests).append("\" failures=\"").append(suite.failures)
                .append("\" errors=\"").append(suite.errors).append("\" skipped=\"0\" time=\"")
                .append(seconds(suiteStart)).append("\">\n").append(cases).append("</testsuite>\n");
        return suite;
    }

    private static String seconds(long startNanos) {
        return String.format(java.util.Locale.ROOT, "%.3f", (System.nanoTime() - startNanos) / 1e9);
    }

    private static String escape(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\n', '\r', '\t' -> out.append(c);
                default -> out.append(c < 0x20 ? ' ' : c);
            }
        }
        return out.toString();
    }
}
