export * from './schema.js';
export { analyzeCaptureFile, type Analysis, type AnalyzeOptions } from './analyze.js';
export { FLOWS_HEADER, flowCsvLine, timelineCsv, writeFlowsCsv } from './csv.js';
export { renderHtmlReport } from './html/render.js';
export { escapeHtml, jsonForScript } from './html/escape.js';
export { CaptureFormatError } from '@wirewatch/packet';
export { evaluateRulesOnCapture, type OfflineAlert, type OfflineRulesOptions } from './offline-alerts.js';
