export { legendFor, PANEL_TYPES, parseDashboard, slug, UNITS } from './model.js';
export type { Dashboard, Panel, PanelQuery, PanelType, Unit, Variable } from './model.js';
export { byTitle, MemoryDashboardStore, summarize } from './store.js';
export type { DashboardStore, DashboardSummary } from './store.js';
