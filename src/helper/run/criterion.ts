// The cutover criterion is part of the shared request schemas (the page shows and applies it too).
export { criterionHolds, parseCriterion, type CutoverCriterion } from "../../shared/requests/criterion";
