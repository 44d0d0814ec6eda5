/** Both Zendesk route plugins for the HTTP server factory's `plugins` list (paths are absolute). */
import type { FastifyPluginAsync } from 'fastify';
import type { ZendeskIntegration } from '../../zendesk/zendesk-integration.js';
import { zendeskIntegrationRoutes } from './zendesk-integration-routes.js';
import { zendeskWebhookRoutes } from './zendesk-webhook-routes.js';

export function zendeskRoutes(integration: Pick<ZendeskIntegration, 'connections' | 'receiver'>): FastifyPluginAsync[] {
  return [zendeskIntegrationRoutes({ connections: integration.connections }), zendeskWebhookRoutes({ receiver: integration.receiver })];
}
