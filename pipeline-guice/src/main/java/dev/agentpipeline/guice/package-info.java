/**
 * Guice modules that wire the pipeline runtime into an application: {@link dev.agentpipeline.guice.PipelineModule}
 * (the run store, the story pipeline's definition, the runtime and the story commands),
 * {@link dev.agentpipeline.guice.StagesModule} (the stage plugins found with {@link java.util.ServiceLoader}) and
 * {@link dev.agentpipeline.guice.WorkspacesModule} (the git workspaces, with {@code pipeline-git} on the class path);
 * {@link dev.agentpipeline.guice.PipelineSettings} is their one input.
 */
package dev.agentpipeline.guice;
