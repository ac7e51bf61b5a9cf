#!/bin/sh
# The one stage of the stub deployment pipeline (deploy-agent), which phase 11 runs as a child run until the
# deployment pipeline exists: builds the project's classes (agents/build.sh), packages them into a jar and releases
# it into releases/<run id>/, with releases/current naming the newest. Run by the command stage in the project's
# checkout, where the phases' branches were merged back (DEMO_JAVA_HOME: the JDK):
#   agents/deploy.sh RUN_ID
set -eu
run=${1:?usage: deploy.sh RUN_ID}
: "${DEMO_JAVA_HOME:?DEMO_JAVA_HOME is not set: the JDK whose jar tool packages the classes}"
agents/build.sh

mkdir -p "releases/$run"
"$DEMO_JAVA_HOME/bin/jar" -J-XX:TieredStopAtLevel=1 --create --file "releases/$run/greeting.jar" -C build/classes .
printf '%s\n' "$run" > releases/current
echo "Released releases/$run/greeting.jar ($(wc -c < "releases/$run/greeting.jar" | tr -d ' ') bytes); releases/current names it"
