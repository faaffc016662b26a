// Cancel asks first: a cancelled round is thrown away (the next run continues from the last synced one).
import { _, format } from "../../i18n";
import { Button, Modal, ModalBody, ModalFooter, ModalHeader } from "../../pf";

export function CancelDialog({ command, onConfirm, onClose }: { command: string; onConfirm(): void; onClose(): void }) {
  return (
    <Modal id="v2k-cancel-dialog" variant="small" isOpen onClose={onClose} aria-labelledby="v2k-cancel-dialog-title">
      <ModalHeader title={format(_("Cancel $0?"), command)} labelId="v2k-cancel-dialog-title" />
      <ModalBody>
        {_(
          "The running step stops and its unfinished work is discarded. Nothing already synced is lost: running it again continues from the workdir.",
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
