/**
 * Internal helpers of the runtime: JSON reading and writing, time formats, atomic files.
 *
 * <p><b>Not API.</b> Anything in a package named {@code internal} may change in any release; an ArchUnit test
 * keeps it out of the signatures of public types.
 */
package dev.agentpipeline.core.internal;
