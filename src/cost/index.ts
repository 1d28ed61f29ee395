/** The cost model: prices, measured workload figures, and the estimate per component (docs/cost.md). */
export * from './cost-model.js';
export * from './prices.js';
