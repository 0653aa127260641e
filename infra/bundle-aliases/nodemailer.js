/**
 * `nodemailer` as the Lambda bundles see it (an esbuild alias, see ../bundling.ts). Deployed, the
 * hub sends mail through SES's own API (functions/adapters/mail/ses-mailer.ts) and the
 * configuration refuses SMTP_URL, so the SMTP and file mailers are never built there; this keeps
 * nodemailer's MIME and SMTP code out of every bundle.
 */
export function createTransport() {
  throw new Error("nodemailer is not part of the deployed bundles: deployed, e-mail goes through SES");
}
