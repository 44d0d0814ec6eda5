/** What an operator gives to connect Zendesk (HTTP body and CLI flags), validated alike. */
import { z } from 'zod';

/** Accepts `acme`, `acme.zendesk.com` or `https://acme.zendesk.com/` and keeps `acme`. */
export const subdomainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .transform((v) => v.replace(/^https?:\/\//, '').replace(/\/.*$/, '').replace(/\.zendesk\.com$/, ''))
  .pipe(z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'must be the Zendesk subdomain, e.g. "acme" for acme.zendesk.com'));

export const connectInputSchema = z.object({
  subdomain: subdomainSchema,
  email: z.email('must be the e-mail address of a Zendesk admin'),
  apiToken: z.string().trim().min(1, 'must not be empty').max(256),
});
