#!/bin/sh
# The fix cycle of every phase (FIX_N, phase-fix): the phase's tests failed or its numbers missed their thresholds;
# FOCUS says what (the error's message, or the numbers). A real fix agent changes the code here; this sample's
# agents meet their thresholds, so it only reports. The phase runs again afterwards. Run by the command stage:
#   agents/fix.sh PHASE FOCUS
set -eu
echo "Phase ${1:-?}: fix cycle. Focus: ${2:-}"
