// A confirmation dialog for one action: what will happen, the vCenter password when this session
// does not know it yet, and {dialogError} shown inside the dialog when starting fails.
import { useState, type ReactNode } from "react";
import { type ErrorInfo } from "../../../shared/errors";
import { type Manifest } from "../../../shared/manifest";
import { type VcenterConnection } from "../../host/api";
import { toHelperError } from "../../host/helper-error";
import { _, format } from "../../i18n";
import { actionLabel } from "../../labels";
import { type ActionId } from "../../state/derive";
import { Button, Form, FormGroup, Modal, ModalBody, ModalFooter, ModalHeader, TextInput } from "../../pf";
import { ErrorAlert } from "../ErrorAlert";

export interface ActionDialogProps {
  id: string;
  title: string;
  confirmLabel: string;
  danger?: boolean;
  manifest: Manifest;
  /** Known connection (with password) or undefined: the dialog then asks for the password. */
  conn: VcenterConnection | undefined;
  children?: ReactNode;
  /** False while the dialog's own fields are not valid (the confirm button waits). */
  ready?: boolean;
  onConfirm(conn: VcenterConnection): Promise<void>;
  onClose(): void;
}

/**
 * What the page gives each action's own dialog (cutover, schedule, rollback, retry, cleanup, delete): the
 * migration, the connection this session knows, and what confirming does with the options the dialog gathered.
 */
export interface ActionDialogOf<O> {
  manifest: Manifest;
  conn: VcenterConnection | undefined;
  onConfirm(opts: O, conn: VcenterConnection): Promise<void>;
  onClose(): void;
}

/** The ActionDialog wiring of such a dialog: its props, confirming with the options `options()` reads at the click. */
export function confirmWith<O>(
  props: ActionDialogOf<O>,
  options: () => O,
): Pick<ActionDialogProps, "manifest" | "conn" | "onConfirm" | "onClose"> {
  return {
    manifest: props.manifest,
    conn: props.conn,
    onClose: props.onClose,
    onConfirm: (conn) => props.onConfirm(options(), conn),
  };
}

/** The head of an action's own dialog: its id, and the action's label as title and confirm button. */
export function actionDialogHead(action: ActionId): Pick<ActionDialogProps, "id" | "title" | "confirmLabel"> {
  return { id: `v2k-${action}-dialog`, title: actionLabel(action), confirmLabel: actionLabel(action) };
}

export function ActionDialog(props: ActionDialogProps) {
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [dialogError, setDialogError] = useState<ErrorInfo | null>(null);
  const v = props.manifest.vcenter;

  const confirm = async () => {
    const conn: VcenterConnection = props.conn ?? {
      url: v.url,
      username: v.username,
      password,
      ...(v.thumbprint ? { thumbprint: v.thumbprint } : {}),
    };
    setBusy(true);
    setDialogError(null);
    try {
      await props.onConfirm(conn);
      props.onClose();
    } catch (e) {
      setDialogError(toHelperError(e).info);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal isOpen variant="medium" onClose={props.onClose} id={props.id} aria-labelledby={`${props.id}-title`}>
      <ModalHeader title={props.title} labelId={`${props.id}-title`} {...(props.danger ? { titleIconVariant: "warning" as const } : {})} />
      <ModalBody>
        {props.children}
        {!props.conn && (
          <Form
            onSubmit={(e) => {
              e.preventDefault();
              void confirm();
            }}
          >
            <FormGroup label={format(_("Password of $0 on $1"), v.username, v.url)} fieldId={`${props.id}-password`} isRequired>
              <TextInput id={`${props.id}-password`} type="password" value={password} onChange={(_e, val) => setPassword(val)} />
            </FormGroup>
          </Form>
        )}
        {dialogError && <ErrorAlert error={dialogError} />}
      </ModalBody>
      <ModalFooter>
        <Button
          variant={props.danger ? "danger" : "primary"}
          id={`${props.id}-confirm`}
          isLoading={busy}
          isDisabled={busy || props.ready === false || (!props.conn && password === "")}
          onClick={() => void confirm()}
        >
          {props.confirmLabel}
        </Button>
        <Button variant="link" onClick={props.onClose} isDisabled={busy}>
          {_("Cancel")}
        </Button>
      </ModalFooter>
    </Modal>
  );
}
