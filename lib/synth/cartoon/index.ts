/** The cartoon writer: a second, independent source of RSNA-like studies (see dataset.ts). */
export { generateCartoonDataset, CARTOON_VERSION, type CartoonOptions } from "./dataset";
export {
  CARTOON_STYLES,
  CARTOON_STYLE_NAMES,
  isCartoonStyle,
  type CartoonStyle,
  type CartoonStyleName,
} from "./styles";
export { DEFAULT_CARTOON_QUIRKS, NO_CARTOON_QUIRKS, type CartoonQuirks } from "./quirks";
