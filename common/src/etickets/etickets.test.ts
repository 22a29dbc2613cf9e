import { eTicketSchema, type ETicket } from '../events';
import { renderETicketIcs } from './eticket-ics';
import { renderETicketPdf } from './eticket-pdf';
import { formatEventStart, formatSeat } from './local-time';

const ticket: ETicket = eTicketSchema.parse({
  code: 'eyJhbGciOiJFUzI1NiJ9.eyJ0aWQiOiIxIn0.c2lnbmF0dXJl',
  issuedAt: '2027-02-01T10:15:00.000Z',
  order: { id: '6f1c1d7e-3b1a-4d47-9a39-0c1de0c7a001' },
  ticket: { id: '6f1c1d7e-3b1a-4d47-9a39-0c1de0c7a002', title: 'Björk · Section 112, Row F, Seat 7' },
  event: {
    id: '6f1c1d7e-3b1a-4d47-9a39-0c1de0c7a003',
    name: 'Björk: Cornucopia',
    venue: 'The O2',
    city: 'London',
    country: 'GB',
    timezone: 'Europe/London',
    startsAt: '2027-07-13T18:30:00.000Z',
  },
  seat: { section: '112', row: 'F', seat: '7' },
  holder: { id: '6f1c1d7e-3b1a-4d47-9a39-0c1de0c7a004', email: 'ada@example.com' },
});

describe('e-ticket rendering', () => {
  it('prints the start in the venue time zone and the seat in words', () => {
    expect(formatEventStart(ticket.event!)).toBe('Tuesday, 13 July 2027 at 19:30 BST');
    expect(formatEventStart({ ...ticket.event!, timezone: 'Not/AZone' })).toBe(
      'Tuesday, 13 July 2027 at 18:30 UTC',
    );
    expect(formatSeat(ticket.seat)).toBe('Section 112 · Row F · Seat 7');
    expect(formatSeat({ section: null, row: null, seat: null })).toBe('General admission');
    expect(formatSeat({ section: 'Floor', row: null, seat: null })).toBe('Section Floor');
  });

  it('renders a one-page PDF, the same bytes for the same e-ticket', async () => {
    const pdf = await renderETicketPdf(ticket);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.subarray(-6).toString('latin1')).toContain('%%EOF');
    expect(pdf.toString('latin1').match(/\/Type \/Page\b/g)).toHaveLength(1);
    expect(pdf.length).toBeGreaterThan(2_000);
    expect((await renderETicketPdf(ticket)).equals(pdf)).toBe(true);
    const other = await renderETicketPdf({ ...ticket, code: `${ticket.code}x` });
    expect(other.equals(pdf)).toBe(false);
  });

  it('renders a PDF for a ticket without an event or holder email', async () => {
    const pdf = await renderETicketPdf({ ...ticket, event: null, holder: { ...ticket.holder, email: null } });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('renders one calendar entry at the event start, keyed by the ticket', () => {
    const ics = renderETicketIcs(ticket)!;
    const unfolded = ics.replace(/\r\n[ \t]/g, '');
    expect(unfolded).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(unfolded).toContain('BEGIN:VEVENT');
    expect(unfolded.match(/BEGIN:VEVENT/g)).toHaveLength(1);
    expect(unfolded).toContain(`UID:${ticket.ticket.id}@glotixz`);
    expect(unfolded).toContain('DTSTART:20270713T183000Z');
    expect(unfolded).toContain('SUMMARY:Björk: Cornucopia');
    expect(unfolded).toContain('LOCATION:The O2\\, London\\, GB');
    expect(unfolded).toContain('END:VCALENDAR');
  });

  it('has no calendar entry without an event', () => {
    expect(renderETicketIcs({ ...ticket, event: null })).toBeNull();
  });
});
