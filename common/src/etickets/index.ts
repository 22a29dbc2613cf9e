export { renderETicketPdf } from './eticket-pdf';
export { renderETicketIcs } from './eticket-ics';
export { formatEventStart, formatInstant, formatSeat } from './local-time';
