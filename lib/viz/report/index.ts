export { REPORT_PAGE, runReportPage, writeRunReport } from "./page";
export { readRunFiles, REPORT_FILES, type ReportJson, type RunFiles, type RunKind } from "./run-files";
export { leafRows, recordTableHtml, type LeafRow } from "./record-table";
export { pointErrorFigure } from "./points";
export { studyScores, PICTURED_STUDIES } from "./studies";
