export * from "./figure";
export * from "./errors";
export * from "./render";
export * from "./display";
export * from "./table";
export * from "./eda";
export * from "./screenshot";
