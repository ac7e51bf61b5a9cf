#!/bin/sh
# Compiles the sample project's classes into build/classes and its command line (tools/GreetCli) into build/tools,
# with nothing but a JDK (DEMO_JAVA_HOME); no tests (agents/test.sh runs them). Phase 10 and the deployment run it in
# their own checkout: build output is never committed, so each builds what it runs.
set -eu
: "${DEMO_JAVA_HOME:?DEMO_JAVA_HOME is not set: the JDK to build with}"
rm -rf build/classes build/tools
mkdir -p build/classes build/tools
find src/main/java -name '*.java' > build/main-sources.txt
"$DEMO_JAVA_HOME/bin/javac" -J-XX:TieredStopAtLevel=1 -g -encoding UTF-8 -d build/classes @build/main-sources.txt
"$DEMO_JAVA_HOME/bin/javac" -J-XX:TieredStopAtLevel=1 -encoding UTF-8 -d build/tools -cp build/classes tools/GreetCli.java
echo "Built build/classes ($(wc -l < build/main-sources.txt | tr -d ' ') sources) and build/tools"
