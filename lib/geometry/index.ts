/**
 * Patient-space geometry. All positions are LPS mm (x to patient Left, y Posterior, z Superior);
 * pixels are (col x, row y) with (0, 0) the centre of the first transmitted pixel. Patient left is
 * +x: on an axial image shown in DICOM order the patient's left is on the image's right.
 */
export * from "./vec";
export { insideImage, lpsToPixel, makePlane, pixelToLps, type ImagePlane, type PlanePoint } from "./plane";
export { projectToStack, projectToStacks, type StackGeometry, type StackProjection } from "./project";
