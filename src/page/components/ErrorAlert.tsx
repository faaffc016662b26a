// An error as Cockpit apps show it: a translated one-line summary, the helper's hint, and
// "show more" with the code, the helper's message and its detail.
import { useState, type ReactNode } from "react";
import { type ErrorInfo } from "../../shared/errors";
import { _ } from "../i18n";
import { errorSummary } from "../labels";
import { helperHintBeside, shownHint } from "../error-hints";
import { Alert, ExpandableSection, CodeBlock, CodeBlockCode } from "../pf";

export function ErrorAlert({
  error,
  title,
  isInline = true,
  actionClose,
}: {
  error: ErrorInfo;
  title?: string;
  isInline?: boolean;
  actionClose?: ReactNode;
}) {
  const [expanded, setExpanded] = useState(false);
  const helperHint = helperHintBeside(error);
  return (
    <Alert
      variant="danger"
      isInline={isInline}
      title={title ?? errorSummary(error.code)}
      actionClose={actionClose}
      className="v2k-error"
      data-error-code={error.code}
    >
      <p className="v2k-error-hint">{shownHint(error)}</p>
      <ExpandableSection toggleText={expanded ? _("Show less") : _("Show more")} isExpanded={expanded} onToggle={(_e, v) => setExpanded(v)}>
        <dl className="v2k-error-detail">
          <dt>{_("Error code")}</dt>
          <dd className="v2k-error-code">{error.code}</dd>
          <dt>{_("Message")}</dt>
          <dd>{error.message}</dd>
          {helperHint && (
            <>
              <dt>{_("The helper's hint")}</dt>
              <dd className="v2k-error-helper-hint">{helperHint}</dd>
            </>
          )}
        </dl>
        {error.detail && (
          <CodeBlock>
            <CodeBlockCode>{error.detail}</CodeBlockCode>
          </CodeBlock>
        )}
      </ExpandableSection>
    </Alert>
  );
}
