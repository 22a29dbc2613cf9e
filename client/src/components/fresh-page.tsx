'use client';

import { useRouter } from 'next/navigation';
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';

/** Every server render a page has shown in this tab, by its render id. */
const shownRenders = new Set<string>();

const StaleContext = createContext(false);

/**
 * Keeps a page from showing a state older than what the user just did. Back and Forward show a
 * page from the router's cache (the same server render mounting again) or from the browser's
 * back-forward cache (`pageshow` with `persisted`): either way the page is read again from the
 * server at once, and until it arrives {@link usePageStale} says so, so actions that depend on
 * it (Buy) wait.
 *
 * `renderId` must be new for every server render of the page (`crypto.randomUUID()`).
 */
export function FreshPage({ renderId, children }: { renderId: string; children: ReactNode }) {
  const router = useRouter();
  const [stale, setStale] = useState(false);
  // Strict mode runs an effect twice for one mount; a real remount is a new component.
  const handled = useRef<string | null>(null);

  useEffect(() => {
    if (handled.current === renderId) return;
    handled.current = renderId;
    if (shownRenders.has(renderId)) {
      setStale(true);
      router.refresh();
    } else {
      shownRenders.add(renderId);
      setStale(false);
    }
  }, [renderId, router]);

  useEffect(() => {
    function onPageShow(event: PageTransitionEvent) {
      if (!event.persisted) return;
      setStale(true);
      router.refresh();
    }
    window.addEventListener('pageshow', onPageShow);
    return () => window.removeEventListener('pageshow', onPageShow);
  }, [router]);

  return (
    <StaleContext.Provider value={stale}>
      <div data-stale={stale ? 'true' : undefined} style={{ display: 'contents' }}>
        {children}
      </div>
    </StaleContext.Provider>
  );
}

/** Whether the page on screen was restored from a cache and is being read again. */
export function usePageStale(): boolean {
  return useContext(StaleContext);
}
