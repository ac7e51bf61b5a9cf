/**
 * The phase pipeline: phases 5, 6, 7, 9, 10 and 11 of the phase pipeline orchestrator (task decomposition, spec
 * generation, implementation, integration testing, end-to-end and production validation, deployment), each run by
 * an agent that ends it with a completion or error signal, with a person's approval after phase 5, guards on the
 * signals' numbers, recovery by error category, and the deployment pipeline as phase 11's child run. See
 * {@link dev.agentpipeline.core.phase.PhasePipeline}.
 */
package dev.agentpipeline.core.phase;
