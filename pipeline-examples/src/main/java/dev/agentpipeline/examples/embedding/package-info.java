/**
 * The examples of {@code docs/embedding.md}: {@link dev.agentpipeline.examples.embedding.EmbeddingExamples}, one
 * method per thing an application does with the library, and the release pipeline it loads
 * ({@code release-pipeline.yaml} beside it).
 *
 * @since 0.1
 */
package dev.agentpipeline.examples.embedding;
