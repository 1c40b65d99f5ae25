import type { RequestHandler, Response } from 'express';

/** The CSP as it stands, with frame-ancestors replaced by 'none'. */
function withoutFraming(csp: unknown): string {
  const directives = typeof csp === 'string' ? csp.split(';').map((d) => d.trim()) : [];
  return [...directives.filter((d) => d && !/^frame-ancestors\b/i.test(d)), "frame-ancestors 'none'"].join('; ');
}

/**
 * The consent page (/oauth/...) is never shown in a frame, whatever FRAME_ANCESTORS allows the
 * rest of the app: a framed "Allow" button is a clickjacking target. Whoever sets the page's CSP
 * later (the web app's own policy), the header is corrected just before it is sent.
 */
export function denyFramingOfConsentPage(): RequestHandler {
  return (req, res, next) => {
    if (!req.path.startsWith('/oauth/')) return next();
    const writeHead = res.writeHead;
    res.writeHead = function (this: Response, ...args: Parameters<Response['writeHead']>) {
      if (!this.headersSent) {
        this.setHeader('Content-Security-Policy', withoutFraming(this.getHeader('Content-Security-Policy')));
        this.setHeader('X-Frame-Options', 'DENY');
      }
      return writeHead.apply(this, args);
    } as Response['writeHead'];
    next();
  };
}
