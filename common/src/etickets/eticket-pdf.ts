import type QRCode from 'qrcode';
import type { ETicket } from '../events';
import { formatEventStart, formatSeat } from './local-time';

const INK = '#111827';
const MUTED = '#6b7280';
const ACCENT = '#4f46e5';

/** Side of the printed QR code in points (1/72 in): about 6.4 cm, easy for a phone or a door scanner. */
const QR_SIZE = 180;

/**
 * The e-ticket as a one-page A4 PDF: the event, when (in the venue's time zone) and where, the seat,
 * the holder and the order, and the QR code of `code`, drawn as vector squares so it prints sharp
 * at any size. The standard PDF fonts cover Latin-1 text; other scripts need an embedded font.
 * Deterministic: the same e-ticket gives the same bytes (its dates come from `issuedAt`).
 */
export async function renderETicketPdf(ticket: ETicket): Promise<Buffer> {
  // Loaded with the first e-ticket, not at start: pdfkit and qrcode are megabytes of heap a service
  // would hold idle.
  const [{ default: PDFDocument }, { default: qrcode }] = await Promise.all([
    import('pdfkit'),
    import('qrcode'),
  ]);
  const issuedAt = new Date(ticket.issuedAt);
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    info: {
      Title: `E-ticket: ${ticket.event?.name ?? ticket.ticket.title}`,
      Author: 'Glotixz',
      Subject: `Order ${ticket.order.id}`,
      CreationDate: issuedAt,
      ModDate: issuedAt,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;

  doc.fillColor(ACCENT).font('Helvetica-Bold').fontSize(12).text('GLOTIXZ  ·  E-TICKET', left, 56);
  doc.moveDown(0.8);
  doc
    .fillColor(INK)
    .font('Helvetica-Bold')
    .fontSize(26)
    .text(ticket.event?.name ?? ticket.ticket.title, { width });
  if (ticket.event) {
    doc.moveDown(0.3).font('Helvetica').fontSize(14).text(formatEventStart(ticket.event), { width });
    doc.text(`${ticket.event.venue}, ${ticket.event.city}, ${ticket.event.country}`, { width });
  }

  const qrTop = doc.y + 28;
  drawQr(
    doc,
    qrcode.create(ticket.code, { errorCorrectionLevel: 'M' }),
    left + (width - QR_SIZE) / 2,
    qrTop,
    QR_SIZE,
  );
  doc.y = qrTop + QR_SIZE + 12;
  doc
    .fillColor(MUTED)
    .font('Helvetica')
    .fontSize(10)
    .text('Show this code at the door. It admits one person, once.', left, doc.y, { width, align: 'center' });

  doc.moveDown(2);
  const rows: [string, string][] = [
    ['Seat', formatSeat(ticket.seat)],
    ['Ticket', ticket.ticket.title],
    ['Holder', ticket.holder.email ?? ticket.holder.id],
    ['Order', ticket.order.id],
    ['Issued', issuedAt.toISOString().replace('T', ' ').slice(0, 16) + ' UTC'],
  ];
  for (const [label, value] of rows) {
    const y = doc.y;
    doc.fillColor(MUTED).font('Helvetica').fontSize(10).text(label.toUpperCase(), left, y, { width: 90 });
    doc
      .fillColor(INK)
      .font('Helvetica')
      .fontSize(12)
      .text(value, left + 100, y, { width: width - 100 });
    doc.moveDown(0.6);
  }

  doc.end();
  return done;
}

/** Draws a QR code of `size` points with its top-left corner at (x, y). */
function drawQr(
  doc: PDFKit.PDFDocument,
  { modules }: QRCode.QRCode,
  x: number,
  y: number,
  size: number,
): void {
  const quiet = 4;
  const cells = modules.size + 2 * quiet;
  const cell = size / cells;
  doc.rect(x, y, size, size).fill('#ffffff');
  doc.fillColor('#000000');
  for (let row = 0; row < modules.size; row += 1) {
    for (let col = 0; col < modules.size; col += 1) {
      if (modules.get(row, col)) doc.rect(x + (col + quiet) * cell, y + (row + quiet) * cell, cell, cell);
    }
  }
  doc.fill();
}
