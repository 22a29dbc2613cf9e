export * from './migrate';
export * from './pg-errors';
export * from './pool';
export * from './prune';
export * from './background-loop';
export * from './versioned-rows';
