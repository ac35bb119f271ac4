import { SeriesDescription, isSeriesDescription } from "./schema";
import { readCsv } from "../util/csv";
import { DataFormatError } from "../util/errors";
import { parseStudyId } from "./train-labels";

export interface SeriesRecord {
  readonly studyId: number;
  readonly seriesId: number;
  readonly description: SeriesDescription;
}

/** Load {train,test}_series_descriptions.csv. */
export function loadSeriesDescriptions(file: string): SeriesRecord[] {
  const table = readCsv(file, ["study_id", "series_id", "series_description"]);
  const seen = new Set<string>();
  return table.rows.map(({ line, values: v }) => {
    const description = v.series_description;
    if (!isSeriesDescription(description)) {
      throw new DataFormatError(file, line, `unknown series_description "${description}"`);
    }
    const studyId = parseStudyId(v.study_id, file, line);
    const seriesId = parseStudyId(v.series_id, file, line, "series_id");
    const key = `${studyId}/${seriesId}`;
    if (seen.has(key)) throw new DataFormatError(file, line, `duplicate series ${key}`);
    seen.add(key);
    return { studyId, seriesId, description };
  });
}
