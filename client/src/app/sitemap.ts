import type { MetadataRoute } from 'next';
import { serverApi, serverCall } from '@/lib/api-server';
import { siteOrigin } from '@/lib/site';

/** How many events the sitemap lists at most (pages of 50, soonest first). */
const MAX_EVENTS = 5_000;

/** The marketplace and every upcoming event's page. */
export default async function sitemap(): Promise<MetadataRoute.Sitemap> {
  const [origin, api] = await Promise.all([siteOrigin(), serverApi()]);
  const entries: MetadataRoute.Sitemap = [{ url: `${origin}/`, changeFrequency: 'hourly', priority: 1 }];
  let cursor: string | undefined;
  do {
    const page = await serverCall(api.GET('/api/events', { params: { query: { limit: 50, cursor } } }));
    for (const event of page.items) {
      entries.push({ url: `${origin}/events/${event.id}`, changeFrequency: 'hourly', priority: 0.8 });
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor && entries.length <= MAX_EVENTS);
  return entries;
}
