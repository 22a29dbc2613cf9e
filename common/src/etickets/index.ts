export { renderETicketPdf } from './eticket-pdf';
export { renderETicketIcs } from './eticket-ics';
export { formatEventStart, formatSeat } from './local-time';
