/**
 * `causeway/testing`: the test kit. A seeded simulated cluster, schedules and fault
 * arbitraries for fast-check, and the guarantee checkers, which also read histories
 * recorded from real clusters (JSON lines).
 */
export * from './history.ts';
export * from './checkers/index.ts';
export { createSimulation, type Simulation, type SimulationOptions } from './simulation.ts';
export { faultRatesArb, faultStepArb, runSchedule, scheduleArb, type FaultStep, type RunOutcome, type SendStep, type Step } from './schedule.ts';
export { assertChecks, simulationProperty, type SimulationPropertyOptions, type SimulationResult } from './property.ts';
export { runSimulationCommands, simulationCommands, type CommandRunResult, type SimulationModel } from './commands.ts';
