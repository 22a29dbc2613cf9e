import type { ETicket } from '@glotixz/common/events';
import { renderETicketIcs, renderETicketPdf } from '@glotixz/common/etickets';

/**
 * What an email carries besides its body, stored on its row as data, not as files: the PDF and
 * the `.ics` of an e-ticket are rendered again from the e-ticket each time the email is sent, so
 * a row stays small and a retry sends the same document.
 */
export interface EmailAttachments {
  eticket?: ETicket;
}

/** A file as nodemailer attaches it. */
export interface AttachmentFile {
  filename: string;
  content: Buffer | string;
  contentType: string;
}

/** Renders the files of `attachments` (none for a row without any). */
export async function attachmentFiles(attachments: EmailAttachments | null): Promise<AttachmentFile[]> {
  const eticket = attachments?.eticket;
  if (!eticket) return [];
  const name = `glotixz-eticket-${eticket.order.id}`;
  const files: AttachmentFile[] = [
    { filename: `${name}.pdf`, content: await renderETicketPdf(eticket), contentType: 'application/pdf' },
  ];
  // A listing without an event has no date to put in a calendar.
  const ics = renderETicketIcs(eticket);
  if (ics !== null) {
    files.push({
      filename: `${name}.ics`,
      content: ics,
      contentType: 'text/calendar; charset=utf-8; method=PUBLISH',
    });
  }
  return files;
}
