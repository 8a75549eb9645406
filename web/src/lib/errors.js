// Errors of bad input found in the page (files, links, key files). `code` is a
// stable UPPER_SNAKE code that src/i18n translates as err.<code>; `detail` says
// what exactly was wrong.
export class InputError extends Error {
  constructor(code, detail = '') {
    super(detail ? `${code}: ${detail}` : code);
    this.code = code;
    this.detail = detail;
  }
}
