/**
 * The phase demo: the phase pipeline ({@code core.phase}) run on a sample project whose agents are POSIX scripts
 * that write phase signals, driven by the command line's {@code launch}, {@code worker} and {@code decide} in one
 * process ({@link dev.agentpipeline.examples.phasedemo.PhaseDemo}), added to the command line as
 * {@code pipeline phase-demo} ({@link dev.agentpipeline.examples.phasedemo.PhaseDemoCommand}).
 *
 * @since 0.1
 */
package dev.agentpipeline.examples.phasedemo;
