/**
 * The demo: a sample project, four example stage plugins that do small, deterministic work in it, and a driver
 * that runs the story pipeline over them and shows its progress. The plugins double as examples of how to write
 * one: each is a plain {@link dev.agentpipeline.spi.Stage} that looks at its workspace and reports what it found.
 *
 * @since 0.1
 */
package dev.agentpipeline.examples.demo;
