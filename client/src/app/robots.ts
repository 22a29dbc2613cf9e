import type { MetadataRoute } from 'next';
import { siteOrigin } from '@/lib/site';

/** Crawlers may read the marketplace, events and tickets; not the pages of an account. */
export default async function robots(): Promise<MetadataRoute.Robots> {
  const origin = await siteOrigin();
  return {
    rules: {
      userAgent: '*',
      allow: '/',
      disallow: [
        '/api/',
        '/my/',
        '/orders',
        '/sell',
        '/signin',
        '/signup',
        '/forgot-password',
        '/reset-password',
      ],
    },
    sitemap: `${origin}/sitemap.xml`,
  };
}
