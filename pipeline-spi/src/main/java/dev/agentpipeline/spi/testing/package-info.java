/**
 * Help for plugin authors: run one stage against a fake run in a unit test, without a runtime.
 *
 * @since 0.1
 */
package dev.agentpipeline.spi.testing;
