/**
 * E-mail through SES v2 on AWS. SES composes the MIME itself from a simple message, so the
 * deployed functions carry no MIME library of their own (nodemailer stays with SMTP and the
 * embedded hub's files).
 */
import { SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
import { MailSendError, type Mailer, type MailMessage } from "../../usecases/people-ports.js";

const UTF8 = "UTF-8";

export function sesMailer(region: string, from: string, client: SESv2Client = new SESv2Client({ region })): Mailer {
  return {
    transport: "ses",
    async send(m: MailMessage) {
      try {
        const out = await client.send(
          new SendEmailCommand({
            FromEmailAddress: from,
            Destination: { ToAddresses: m.to },
            Content: {
              Simple: {
                Subject: { Data: m.subject, Charset: UTF8 },
                Body: { Text: { Data: m.text, Charset: UTF8 }, Html: { Data: m.html, Charset: UTF8 } },
              },
            },
          }),
        );
        return { messageId: out.MessageId ?? "" };
      } catch (err) {
        // The service's own message may quote the refused address: keep only its status and name.
        const e = err as { $metadata?: { httpStatusCode?: number }; name?: string };
        throw new MailSendError(
          e.$metadata?.httpStatusCode ? `SES answered ${e.$metadata.httpStatusCode} ${e.name ?? ""}`.trim() : `ses transport error ${e.name ?? "unknown"}`,
        );
      }
    },
  };
}
