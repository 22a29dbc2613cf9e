import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import express, { type Express } from 'express';
import swaggerUi from 'swagger-ui-express';

/** Options of {@link createOpenApiRegistry}. */
export interface OpenApiRegistryOptions {
  /** Register the cookie and bearer schemes; leave them out when no route requires them. Default true. */
  securitySchemes?: boolean;
}

/** Creates a registry with the security schemes every service shares. */
export function createOpenApiRegistry(
  cookieName: string,
  options: OpenApiRegistryOptions = {},
): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  if (options.securitySchemes === false) return registry;
  registry.registerComponent('securitySchemes', 'cookieAuth', {
    type: 'apiKey',
    in: 'cookie',
    name: cookieName,
  });
  registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  return registry;
}

/** Info for the generated OpenAPI 3 document. */
export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

/** Generates the OpenAPI 3.0 document of everything registered. */
export function generateOpenApi(registry: OpenAPIRegistry, info: OpenApiInfo) {
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: { license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' }, ...info },
    servers: [{ url: '/' }],
  });
}

/**
 * Serves the document at `<basePath>/openapi.json` and Swagger UI at `<basePath>`, e.g.
 * `/api/users/docs`, so the docs are reachable through the same gateway route as the API.
 */
export function mountDocs(app: Express, basePath: string, document: object): void {
  const router = express.Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.use(
    '/',
    swaggerUi.serveFiles(document),
    swaggerUi.setup(document, { customSiteTitle: 'Glotixz API' }),
  );
  app.use(basePath, router);
}
