import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { SiteHeader } from '@/components/site-header';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Glotixz — tickets from fans, for fans', template: '%s · Glotixz' },
  description: 'Buy and sell tickets for concerts, shows and games. Reserved for you while you pay.',
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  themeColor: '#4338ca',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <SiteHeader />
        <main id="main" tabIndex={-1}>
          {children}
        </main>
        <footer className="site-footer">
          <div className="container row" style={{ justifyContent: 'space-between' }}>
            <span>© Glotixz — an open-source ticket marketplace</span>
            <span>Tickets are held for you while you pay.</span>
          </div>
        </footer>
      </body>
    </html>
  );
}
