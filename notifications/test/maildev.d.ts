/** The part of MailDev's Node API the tests use (the package ships no types). */
declare module 'maildev' {
  interface MailDevOptions {
    smtp: number;
    web: number;
    ip: string;
    silent?: boolean;
    disableWeb?: boolean;
  }
  class MailDev {
    constructor(options: MailDevOptions);
    listen(callback: (err?: Error) => void): void;
    close(callback: (err?: Error) => void): void;
  }
  export = MailDev;
}
