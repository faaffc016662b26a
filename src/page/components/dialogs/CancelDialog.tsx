// Cancel asks first: a cancelled round is thrown away (the next run continues from the last synced one).
import { _, format } from "../../i18n";
import { Button, Modal, ModalBody, ModalFooter, ModalHeader } from "../../pf";

/**
 * `scheduled`: the time of the cutover the running job waits for (cancelling the job cancels it); `begun`: that
 * cutover runs already, so cancelling stops it where it is instead.
 */
export function CancelDialog(props: {
  command: string;
  scheduled?: string | undefined;
  begun?: boolean;
  onConfirm(): void;
  onClose(): void;
}) {
  const { command, scheduled, begun, onConfirm, onClose } = props;
  return (
    <Modal id="v2k-cancel-dialog" variant="small" isOpen onClose={onClose} aria-labelledby="v2k-cancel-dialog-title">
      <ModalHeader title={format(_("Cancel $0?"), command)} labelId="v2k-cancel-dialog-title" />
      <ModalBody>
        {_(
          "The running step stops and its unfinished work is discarded. Nothing already synced is lost: running it again continues from the workdir.",
        )}
        {scheduled && !begun && (
          <p id="v2k-cancel-schedule">
            {format(_("The cutover scheduled for $0 will not happen; the VMware VM keeps running."), scheduled)}
          </p>
        )}
        {scheduled && begun && (
          <p id="v2k-cancel-schedule-begun">
            {_(
              "The cutover has begun and the VMware VM may be off already: cancelling stops the cutover where it is; a rollback powers the VMware VM on again.",
            )}
          </p>
        )}
      </ModalBody>
      <ModalFooter>
        <Button
          variant="danger"
          id="v2k-cancel-confirm"
          onClick={() => {
            onConfirm();
            onClose();
          }}
        >
          {_("Cancel operation")}
        </Button>
        <Button variant="link" onClick={onClose}>
          {_("Keep running")}
        </Button>
      </ModalFooter>
    </Modal>
  );
}
