// Human sizes live in src/shared (the page parses them too); re-exported for the helper and the lab.
export { parseSize, sizeOption, SizeSchema } from "../shared/sizes";
