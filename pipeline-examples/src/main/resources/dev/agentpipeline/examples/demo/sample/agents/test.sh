#!/bin/sh
# Builds the sample project and runs its tests with coverage, with nothing but a JDK: no Maven, no network.
#   DEMO_JAVA_HOME     the JDK (its bin/javac and bin/java)
#   DEMO_JACOCO_AGENT  JaCoCo's agent jar (jacocoagent.jar)
#   DEMO_TOOLS_CP      a class path with dev.agentpipeline.examples.demo.agents.CoverageReport (Agent Pipeline's)
# Writes build/test-reports/TEST-*.xml (JUnit XML, as Surefire does), build/jacoco.xml (JaCoCo XML), and the
# counts as shell variables in build/tests.env and build/coverage.env. Exits 0 when every test passed.
set -eu
: "${DEMO_JAVA_HOME:?DEMO_JAVA_HOME is not set: the JDK to build with}"
: "${DEMO_JACOCO_AGENT:?DEMO_JACOCO_AGENT is not set: the JaCoCo agent jar}"
: "${DEMO_TOOLS_CP:?DEMO_TOOLS_CP is not set: the class path of the coverage report tool}"
javac="$DEMO_JAVA_HOME/bin/javac"
java="$DEMO_JAVA_HOME/bin/java"
# Short-lived JVMs: the first JIT tier starts them fastest.
fast=-XX:TieredStopAtLevel=1

rm -rf build
mkdir -p build/classes build/test-classes build/test-reports
find src/main/java -name '*.java' > build/main-sources.txt
find src/test/java tools -name '*.java' > build/test-sources.txt

echo "Compiling $(wc -l < build/main-sources.txt | tr -d ' ') main and $(wc -l < build/test-sources.txt | tr -d ' ') test sources"
"$javac" -J$fast -g -encoding UTF-8 -d build/classes @build/main-sources.txt
"$javac" -J$fast -g -encoding UTF-8 -d build/test-classes -cp build/classes @build/test-sources.txt

echo "Running the tests under the JaCoCo agent"
status=0
"$java" $fast "-javaagent:$DEMO_JACOCO_AGENT=destfile=build/jacoco.exec,includes=demo.*" \
    -cp build/test-classes:build/classes TestRunner build/test-classes build/test-reports build/tests.env || status=$?

echo "Writing the coverage report"
"$java" $fast -cp "$DEMO_TOOLS_CP" dev.agentpipeline.examples.demo.agents.CoverageReport \
    build/jacoco.exec build/classes src/main/java build/jacoco.xml build/coverage.env
exit "$status"
