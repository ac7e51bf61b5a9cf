/**
 * The worker: drives every run of a store that can move (a stage to run, a signal arrived, a timer due, a decision
 * answered, a child ended) with a bounded pool, one driver per run at a time, and keeps an index of what the others
 * wait for. See {@link dev.agentpipeline.core.worker.Worker}.
 */
package dev.agentpipeline.core.worker;
