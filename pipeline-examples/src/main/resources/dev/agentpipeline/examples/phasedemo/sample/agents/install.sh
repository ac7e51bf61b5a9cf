#!/bin/sh
# The dependency recovery of every phase (INSTALL_N, phase-install): the phase's agent reported a missing dependency
# (error type dependency). The sample needs nothing but a JDK, so there is nothing to install; a real project runs
# its package manager here. The phase runs again afterwards. Run by the command stage in the project:
#   agents/install.sh PHASE FOCUS
set -eu
echo "Phase ${1:-?}: nothing to install (the sample needs only a JDK). Reported: ${2:-}"
