/** XState v5 machines as Causeway actors. */
export { defineActor, type ActorDefinition, type ActorOptions, type ActorView } from './define.ts';
export { askActor, reply, sendTo, type ActionArgs } from './helpers.ts';
